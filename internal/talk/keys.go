package talk

import (
	"context"
	"strings"

	"zhibu/internal/i18n"
)

// names joins people's names with the language's list separator.
func names(ctx context.Context, ps []Person) string {
	sep := i18n.T(ctx, "talk.list_sep")
	if i18n.LangOf(ctx) == i18n.EN {
		sep += " "
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return strings.Join(out, sep)
}
