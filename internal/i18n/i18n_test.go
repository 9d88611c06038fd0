package i18n

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// dynamicPrefixes are key families built at run time from a value (a role,
// a status, an enumeration); their keys count as used.
var dynamicPrefixes = []string{
	"recruit.step.", "recruit.stage.", "recruit.outcome.", "recruit.rule.", "recruit.error.", "recruit.field.", "recruit.hint.", "recruit.doc.", "recruit.setting.",
	// --- discipline (issue 19) ---
	"talk.kind.", "talk.outcome.", "discipline.kind.", "discipline.effect.", "org.post.", "disposal.ground.", "disposal.step.", "disposal.outcome.", "disposal.state.", "election.method.", "election.status.", "election.todo.", "election.flash.",
	// --- plans (issue 23) ---
	"plans.state.", "plans.done_by.", "plans.target.", "plans.hint.note.", "grades.measure_state.", "grades.rating.",
	"inspect.status.", "inspect.rect.", "notices.kind.", "cases.status.", "cases.post_kind.", // --- inspect, cases, notices (issue 23, part B) ---
	// --- dues ---
	"leadgroup.kind.", "leadgroup.role.", // --- leadgroup ---
	"dues.category.",
	"dues.special.",
	"dues.method.",
	"dues.state.",
	"dues.level.",
	"leave.status.", "requests.status.", "notify.leave.", "notify.credit.", "inbox.kind.", "jobs.state.", // workbench, notify
	"role.",
	"error.",
	"meeting.kind.",
	"meeting.status.",
	"meeting.att.",
	"meeting.study_form.",
	"meeting.credit_kind.",
	"correct.what.", // --- correct (issue 25) ---
	"me.appraisal.",
	"me.level.",
	"audit.outcome.",
	"audit.action.",
	"audit.object.",
	"audit.verb.",
	"admin.settings.",
	"member.category.",
	"member.status.",
	"member.gender.",
	"member.education.",
	"member.action.",
	"member.action_hint.",
	"member.action_field.",
	"member.event.",
	"member.conversion.",
	"member.field.",
	"org.kind.",
	"org.post.",
	"org.term.",
	"life.kind.",
	"life.status.",
	"life.step.",
	"life.source.",
	"life.attendance.",
	"rect.status.",
	"appraisal.result.",
	"appraisal.status.",
	"commend.level.",
	"commend.preset.",
	"alerts.scope.",
	"review.rating.",
	"review.rule.",
	"rules.default.",
	"review.status.",
	"rules.applies.",
	"rules.kind.",
	"rules.meeting_kind.",
	"rules.period.",
}

func sourceFiles(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := filepath.Join("..", "..")
	for _, dir := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasSuffix(p, "_templ.go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			if strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".templ") {
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				out[p] = string(b)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestCataloguesHaveTheSameKeys(t *testing.T) {
	zh, en := Keys(ZH), Keys(EN)
	slices.Sort(zh)
	slices.Sort(en)
	for _, k := range zh {
		if _, ok := catalogues[EN][k]; !ok {
			t.Errorf("key %q is in zh but missing in en", k)
		}
	}
	for _, k := range en {
		if _, ok := catalogues[ZH][k]; !ok {
			t.Errorf("key %q is in en but missing in zh", k)
		}
	}
	for _, k := range zh {
		if strings.Count(catalogues[ZH][k], "%") != strings.Count(catalogues[EN][k], "%") {
			t.Errorf("key %q: zh and en take different arguments", k)
		}
	}
}

var callRE = regexp.MustCompile(`\b(?:T|TL)\((?:ctx|[a-zA-Z.]+), "([a-z0-9_.]+)"\s*[,)]`)

func TestEveryUsedKeyExists(t *testing.T) {
	for path, src := range sourceFiles(t) {
		for _, m := range callRE.FindAllStringSubmatch(src, -1) {
			if !Has(m[1]) {
				t.Errorf("%s: key %q is used but not in the catalogues", path, m[1])
			}
		}
	}
}

func TestEveryKeyIsUsed(t *testing.T) {
	var all strings.Builder
	for _, src := range sourceFiles(t) {
		all.WriteString(src)
	}
	text := all.String()
	for _, k := range Keys(ZH) {
		if slices.ContainsFunc(dynamicPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }) {
			continue
		}
		base := strings.TrimSuffix(strings.TrimSuffix(k, ".one"), ".other") // a plural family's key is used whole
		if !strings.Contains(text, `"`+k+`"`) && !strings.Contains(text, `"`+base+`"`) {
			t.Errorf("key %q is in the catalogues but no code uses it", k)
		}
	}
}

func TestParseCatalogueRejectsBadLines(t *testing.T) {
	for _, src := range []string{"no separator here", "a = 1\na = 2"} {
		if _, err := parseCatalogue(src); err == nil {
			t.Errorf("parseCatalogue(%q): want an error", src)
		}
	}
	m, err := parseCatalogue("# comment\n\nx.y = 第一行\\n第二行\n")
	if err != nil || m["x.y"] != "第一行\n第二行" {
		t.Fatalf("got %q, %v", m, err)
	}
}

func TestFromRequest(t *testing.T) {
	cases := map[string]Lang{"": ZH, "en-US,en;q=0.9": EN, "zh-CN,zh;q=0.9,en;q=0.8": ZH, "fr-FR": ZH, "en-GB;q=0.8,zh;q=0.9": ZH, "de;q=0.9,en;q=0.5": EN}
	for header, want := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if got := FromRequest(r); got != want {
			t.Errorf("Accept-Language %q: got %s, want %s", header, got, want)
		}
	}
}

func TestDatesInEachLocale(t *testing.T) {
	d := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	if got := Date(WithLang(context.Background(), ZH), d); got != "2026年11月27日" {
		t.Errorf("zh date: %q", got)
	}
	if got := Date(WithLang(context.Background(), EN), d); got != "27 Nov 2026" {
		t.Errorf("en date: %q", got)
	}
	if got := T(WithLang(context.Background(), EN), "ui.page_of", 2, 5, 240); got != "Page 2 of 5, 240 in all" {
		t.Errorf("formatted: %q", got)
	}
}

// Plural families: every key.one has its key.other (the form every
// language has) and takes the count first; English picks by the count.
func TestPluralFamilies(t *testing.T) {
	for _, l := range Supported {
		for _, k := range Keys(l) {
			base, ok := strings.CutSuffix(k, ".one")
			if !ok {
				continue
			}
			if _, ok := catalogues[l][base+".other"]; !ok {
				t.Errorf("%s: %s has no %s.other", l, k, base)
			}
			if _, ok := catalogues[l][base]; ok {
				t.Errorf("%s: %s is both a message and a plural family", l, base)
			}
			if !strings.Contains(catalogues[l][k], "%d") {
				t.Errorf("%s: %s shows no count (%%d)", l, k)
			}
		}
	}
	for _, tc := range []struct {
		l    Lang
		key  string
		args []any
		want string
	}{
		{EN, "org.count.short", []any{1}, "1 member"},
		{EN, "org.count.short", []any{0}, "0 members"},
		{EN, "org.count.short", []any{2}, "2 members"},
		{EN, "org.count.short", []any{int64(1)}, "1 member"},
		{EN, "form.has_errors", []any{1}, "1 field needs correcting; see the message under it."},
		{EN, "member.import.confirm", []any{1}, "Import 1 person"},
		{EN, "member.import.confirm", []any{3}, "Import 3 people"},
		{EN, "member.import.bad_rows", []any{1, 5}, "1 row has errors (of 5); nothing was imported. Correct the file and upload it again."},
		{EN, "totp.enabled", []any{1}, "Two-factor authentication is on; 1 unused recovery code left."},
		{ZH, "org.count.short", []any{1}, "1 名党员"},
		{ZH, "org.count.short", []any{2}, "2 名党员"},
	} {
		if got := TL(tc.l, tc.key, tc.args...); got != tc.want {
			t.Errorf("TL(%s, %s, %v) = %q, want %q", tc.l, tc.key, tc.args, got, tc.want)
		}
	}
	ctx := WithLang(context.Background(), EN)
	if got := T(ctx, "rect.overdue_notice", 1); got != "1 rectification item is overdue" {
		t.Errorf("T: %q", got)
	}
}
