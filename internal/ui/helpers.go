package ui

import (
	"context"
	"strconv"

	"zhibu/internal/i18n"
)

type pathKey struct{}

// WithPath records the request path (and query) so the language switch can
// come back to the same page.
func WithPath(ctx context.Context, p string) context.Context {
	return context.WithValue(ctx, pathKey{}, p)
}

func currentPath(ctx context.Context) string {
	if p, ok := ctx.Value(pathKey{}).(string); ok {
		return p
	}
	return "/"
}

func htmlLang(ctx context.Context) string {
	if i18n.LangOf(ctx) == i18n.EN {
		return "en"
	}
	return "zh-Hans"
}

func errorTitleKey(status int) string {
	switch status {
	case 400, 403, 404, 409, 413, 422, 429, 503:
		return "error." + strconv.Itoa(status) + ".title"
	}
	return "error.500.title"
}

func errorTextKey(status int) string {
	switch status {
	case 400, 403, 404, 409, 413, 422, 429, 503:
		return "error." + strconv.Itoa(status) + ".text"
	}
	return "error.500.text"
}
