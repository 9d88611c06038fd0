// Package i18n translates user-facing text. Every string a page shows comes
// from the catalogues in locales/: Simplified Chinese (the default) and
// English. Adding a language is adding a file and a tag to Supported.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
)

// Lang is a supported interface language.
type Lang string

// The supported languages. ZH is the default.
const (
	ZH Lang = "zh"
	EN Lang = "en"
)

// Supported lists the languages in order of preference when nothing else
// decides; the first is the default.
var Supported = []Lang{ZH, EN}

var matcher = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})

//go:embed locales/*.txt
var files embed.FS

// catalogues maps a language to its key → text table.
var catalogues = map[Lang]map[string]string{}

func init() {
	for _, l := range Supported {
		m, err := loadCatalogue(l)
		if err != nil {
			panic(fmt.Sprintf("i18n: catalogue %s: %v", l, err))
		}
		catalogues[l] = m
	}
}

// loadCatalogue reads locales/<lang>.txt and every locales/<area>.<lang>.txt
// beside it (one file per feature area keeps parallel work apart); a key
// may appear in one file only.
func loadCatalogue(l Lang) (map[string]string, error) {
	names, err := fs.Glob(files, "locales/*."+string(l)+".txt")
	if err != nil {
		return nil, err
	}
	names = append([]string{"locales/" + string(l) + ".txt"}, names...)
	out := map[string]string{}
	for _, name := range names {
		b, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("missing %s: %w", name, err)
		}
		m, err := parseCatalogue(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for k, v := range m {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("%s: key %q is also in another file", name, k)
			}
			out[k] = v
		}
	}
	return out, nil
}

// parseCatalogue reads "key = text" lines; blank lines and lines starting
// with # are skipped, and \n in a text stands for a line break. One key a
// line keeps merges of parallel work conflict-free.
func parseCatalogue(src string) (map[string]string, error) {
	m := map[string]string{}
	for n, line := range strings.Split(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			return nil, fmt.Errorf("line %d: want \"key = text\"", n+1)
		}
		k = strings.TrimSpace(k)
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("line %d: duplicate key %q", n+1, k)
		}
		m[k] = strings.ReplaceAll(strings.TrimSpace(v), `\n`, "\n")
	}
	return m, nil
}

// Keys returns every key of a language's catalogue.
func Keys(l Lang) []string {
	out := make([]string, 0, len(catalogues[l]))
	for k := range catalogues[l] {
		out = append(out, k)
	}
	return out
}

// Has reports whether key exists in the default catalogue, as a message
// or as a plural family (key.one, key.other).
func Has(key string) bool {
	_, ok := catalogues[ZH][key]
	if !ok {
		_, ok = catalogues[ZH][key+".other"]
	}
	return ok
}

// pluralRules pick a count's plural form per language: English says
// "1 member" but "0 members" and "2 members"; Chinese has one form.
var pluralRules = map[Lang]func(n int64) string{
	ZH: func(int64) string { return "other" },
	EN: func(n int64) string {
		if n == 1 {
			return "one"
		}
		return "other"
	},
}

// count returns v as an integer, and false when it is none.
func count(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}

// PluralKey is the key of the message T shows for key and its arguments:
// key itself when the catalogue has it, else, for a plural family, key.one
// or key.other by the first argument (the count) under the language's
// rule.
func PluralKey(l Lang, key string, args ...any) string {
	if len(args) == 0 {
		return key
	}
	if _, ok := catalogues[ZH][key]; ok {
		return key
	}
	n, ok := count(args[0])
	if !ok {
		return key
	}
	rule := pluralRules[l]
	if rule == nil {
		rule = pluralRules[ZH]
	}
	return key + "." + rule(n)
}

// Parse returns the supported language named by s ("zh", "en", "zh-CN"…),
// and false when s names none.
func Parse(s string) (Lang, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, l := range Supported {
		if s == string(l) || strings.HasPrefix(s, string(l)+"-") {
			return l, true
		}
	}
	return "", false
}

// FromRequest picks the language from the Accept-Language header.
func FromRequest(r *http.Request) Lang {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return ZH
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return ZH
	}
	return Supported[idx]
}

type ctxKey struct{}

// WithLang returns a context carrying the language of the request.
func WithLang(ctx context.Context, l Lang) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// LangOf returns the request's language, the default when none is set.
func LangOf(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return ZH
}

// T translates key into the context's language. Arguments fill the
// fmt verbs in the text. A missing key shows as the key itself, and the
// catalogue test makes sure none is missing.
func T(ctx context.Context, key string, args ...any) string {
	return TL(LangOf(ctx), key, args...)
}

// TL translates key into the given language. A message that depends on a
// count is a plural family in the catalogues (key.one, key.other, as the
// languages need them) and takes the count as its first argument:
// TL(EN, "org.count.short", 1) is "1 member", with 2 "2 members".
func TL(l Lang, key string, args ...any) string {
	key = PluralKey(l, key, args...)
	s, ok := catalogues[l][key]
	if !ok {
		s, ok = catalogues[ZH][key]
		if !ok {
			return key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Date formats a day in the context's language: 2026年11月27日 or 27 Nov 2026.
func Date(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if LangOf(ctx) == EN {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// DateTime formats a moment in the context's language, in China time.
func DateTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(Shanghai)
	if LangOf(ctx) == EN {
		return t.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d年%d月%d日 %s", t.Year(), int(t.Month()), t.Day(), t.Format("15:04"))
}

// Shanghai is the time zone every agency works in.
var Shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
}()
