package rules_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

var han = regexp.MustCompile(`\p{Han}`)

// The catalogues' Chinese default of every built-in rule is exactly what
// migration 000040 stored: otherwise the rule would count as retitled and
// never be translated.
func TestBuiltinRulesAreTranslated(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	all, err := rules.LoadAll(context.Background(), app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	zh, en := i18n.WithLang(context.Background(), i18n.ZH), i18n.WithLang(context.Background(), i18n.EN)
	for _, r := range all {
		if r.TitleText(zh) != r.Title || r.SourceText(zh) != r.Source {
			t.Errorf("%s: Chinese text %q / %q differs from the stored %q / %q", r.Code, r.TitleText(zh), r.SourceText(zh), r.Title, r.Source)
		}
		for _, s := range []string{r.TitleText(en), r.SourceText(en)} {
			if s == "" || han.MatchString(s) || strings.HasPrefix(s, "rules.") {
				t.Errorf("%s: English text %q", r.Code, s)
			}
		}
	}
}

// An administrator's own rule shows its own text in every language.
func TestAgencyRuleKeepsItsText(t *testing.T) {
	r := rules.Rule{Code: "party_lecture", Title: "每月一次专题党课", Source: "本机关党委规定"}
	en := i18n.WithLang(context.Background(), i18n.EN)
	if r.TitleText(en) != r.Title || r.SourceText(en) != r.Source {
		t.Errorf("a rule that is not built in got %q / %q", r.TitleText(en), r.SourceText(en))
	}
}

// Editing a built-in rule in English: leaving the shown (English) title as
// it is keeps the rule translated; a new title is the agency's own text and
// shows as typed in both languages, while the untouched source stays
// translated.
func TestEditedBuiltinRule(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	admin := app.Login(t, "admin")
	admin.Lang = "en"
	store := rules.NewStore(app.Pool)
	cur, err := store.Current(ctx, "party_day")
	if err != nil {
		t.Fatal(err)
	}
	en, zh := i18n.WithLang(ctx, i18n.EN), i18n.WithLang(ctx, i18n.ZH)
	page := admin.Get("/admin/rules/party_day")
	doc := page.Doc()
	if got, _ := doc.Find(`input[name="title"]`).Attr("value"); got != cur.TitleText(en) {
		t.Fatalf("the form shows title %q, want the English %q", got, cur.TitleText(en))
	}
	if h1 := doc.Find("h1").Text(); han.MatchString(h1) {
		t.Errorf("English heading %q", h1)
	}
	today := time.Now().In(i18n.Shanghai)
	day := func(n int) string {
		return time.Date(today.Year(), today.Month(), today.Day()+n, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	post := func(title, from string, base int64) {
		t.Helper()
		r := admin.PostForm("/admin/rules/party_day", url.Values{"minimum": {"2"}, "effective_from": {from}, "title": {title},
			"source": {cur.SourceText(en)}, "enabled": {"on"}, "base": {itoa(base)}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("change: %d", r.Status)
		}
	}
	// Numbers only: the text sent back is the English default.
	post(cur.TitleText(en), day(1), cur.ID)
	next, err := store.Current(ctx, "party_day")
	if err != nil {
		t.Fatal(err)
	}
	if next.Minimum != 2 || next.Title != cur.Title || next.Source != cur.Source || next.TitleText(en) != cur.TitleText(en) {
		t.Fatalf("after a change of numbers: %q / %q, shown %q", next.Title, next.Source, next.TitleText(en))
	}
	// A new title is kept as typed, in every language.
	post("Themed Party day twice a month", day(2), next.ID)
	last, err := store.Current(ctx, "party_day")
	if err != nil {
		t.Fatal(err)
	}
	if last.TitleText(zh) != "Themed Party day twice a month" || last.TitleText(en) != "Themed Party day twice a month" {
		t.Errorf("retitled rule shows %q / %q", last.TitleText(zh), last.TitleText(en))
	}
	if last.Source != cur.Source || han.MatchString(last.SourceText(en)) {
		t.Errorf("untouched source: stored %q, English %q", last.Source, last.SourceText(en))
	}
	list := admin.Get("/admin/rules")
	if body := list.Doc().Find("main").Text(); han.MatchString(body) {
		t.Errorf("English /admin/rules still shows Chinese: %q", han.FindAllString(body, 10))
	}
}
