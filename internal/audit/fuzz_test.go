package audit

import (
	"net/url"
	"strings"
	"testing"

	"zhibu/internal/db"
)

func FuzzParseFilter(f *testing.F) {
	f.Add("from=2026-01-01&to=2026-12-31&actor=admin&action=login&entity=account&entity_id=3")
	f.Add("from=2026-13-01&to=x&entity_id=-1")
	f.Add("actor=%25_%5C&action=" + strings.Repeat("a", 80))
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		flt, form := ParseFilter(v)
		if form.Errors.Any() {
			return
		}
		if len(flt.Actor) > 64 || len(flt.Action) > 64 || len(flt.Entity) > 64 || flt.EntityID < 0 {
			t.Fatalf("accepted %+v", flt)
		}
		if !flt.From.IsZero() && !flt.To.IsZero() && !flt.To.After(flt.From) {
			t.Fatalf("accepted an empty range %+v", flt)
		}
		if lit, ok := literalPrefix(db.Prefix(flt.Actor)); !ok || lit != flt.Actor {
			t.Fatalf("LIKE pattern %q does not match exactly the prefix %q", db.Prefix(flt.Actor), flt.Actor)
		}
	})
}

// literalPrefix undoes db.Prefix: it reports whether the pattern is an
// escaped literal followed by one final %, and returns the literal.
func literalPrefix(p string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\':
			if i+1 >= len(p) {
				return "", false
			}
			i++
			b.WriteByte(p[i])
		case c == '%' && i == len(p)-1:
			return b.String(), true
		case c == '%' || c == '_':
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return "", false
}
