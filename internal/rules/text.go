package rules

import (
	"context"

	"zhibu/internal/i18n"
)

// Built-in rules (migration 000040) keep their Chinese title and source in
// the database, and the catalogues carry both in every language under
// rules.default.<code>.title and .source. A built-in rule whose stored text
// is still the default one is shown in the reader's language; once an
// administrator retitles it (or changes its source), the stored text is the
// agency's own and is shown as written, in every language. Title and source
// are decided separately, so a new source does not freeze the title.

func defaultKey(code, field string) string { return "rules.default." + code + "." + field }

// defaultText returns the catalogue's default text of a built-in rule's
// field in language l, and whether there is one.
func defaultText(l i18n.Lang, code, field string) (string, bool) {
	key := defaultKey(code, field)
	if !i18n.Has(key) {
		return "", false
	}
	return i18n.TL(l, key), true
}

// localised returns the field's text in the context's language when the
// rule is built in and the stored text is the default; stored otherwise.
func (r Rule) localised(ctx context.Context, field, stored string) string {
	if !r.Builtin {
		return stored
	}
	if zh, ok := defaultText(i18n.ZH, r.Code, field); ok && zh == stored {
		t, _ := defaultText(i18n.LangOf(ctx), r.Code, field)
		return t
	}
	return stored
}

// TitleText is the rule's title as the reader sees it: translated for a
// built-in rule that keeps its default title, the stored title otherwise.
func (r Rule) TitleText(ctx context.Context) string { return r.localised(ctx, "title", r.Title) }

// SourceText is the rule's source as the reader sees it (see TitleText).
func (r Rule) SourceText(ctx context.Context) string { return r.localised(ctx, "source", r.Source) }

// storedText maps what the edit form sent back to what is stored: the
// default Chinese text when the administrator left the shown (translated)
// default as it was, so the rule stays translated; the typed text otherwise.
func (r Rule) storedText(ctx context.Context, field, typed string) string {
	if !r.Builtin {
		return typed
	}
	shown, ok := defaultText(i18n.LangOf(ctx), r.Code, field)
	if !ok || typed != shown {
		return typed
	}
	zh, _ := defaultText(i18n.ZH, r.Code, field)
	return zh
}
