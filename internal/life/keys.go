package life

import (
	"context"

	"zhibu/internal/i18n"
)

// key builds a translation key from a prefix and a value.
func key(prefix, v string) string { return prefix + v }

// said labels what a person said: "张三：" or "Zhang San: ".
func said(ctx context.Context, name string) string {
	s := i18n.T(ctx, "life.said", name)
	if i18n.LangOf(ctx) == i18n.EN {
		s += " "
	}
	return s
}
