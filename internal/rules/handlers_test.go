package rules_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestDefaultRulesCarryTheirSources(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	all, err := rules.LoadAll(context.Background(), app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 15 {
		t.Fatalf("%d default rules", len(all))
	}
	for _, r := range all {
		if !strings.Contains(r.Source, "《") || !r.Builtin || !r.Enabled || r.EffectiveTo != nil {
			t.Errorf("rule %s: %+v", r.Code, r)
		}
	}
}

func TestChangeARuleFromADate(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	admin := app.Login(t, "admin")
	cur, err := rules.NewStore(app.Pool).Current(ctx, "party_lecture")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(i18n.Shanghai)
	tomorrow := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	yesterday := time.Date(today.Year(), today.Month(), today.Day()-1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	form := func(min, from string, base int64) url.Values {
		return url.Values{"minimum": {min}, "effective_from": {from}, "title": {"党课每季度至少2次"}, "source": {cur.Source}, "enabled": {"on"}, "base": {itoa(base)}}
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		field  string
	}{
		{"back-dated", form("2", yesterday, cur.ID), http.StatusUnprocessableEntity, "effective_from"},
		{"not a number", form("two", tomorrow, cur.ID), http.StatusUnprocessableEntity, "minimum"},
		{"no title", url.Values{"minimum": {"2"}, "effective_from": {tomorrow}, "source": {"x"}, "base": {itoa(cur.ID)}}, http.StatusUnprocessableEntity, "title"},
	}
	for _, c := range cases {
		r := admin.PostForm("/admin/rules/party_lecture", c.form)
		if r.Status != c.status || r.TestID("error-"+c.field) == "" {
			t.Errorf("%s: %d, error %q", c.name, r.Status, r.TestID("error-"+c.field))
		}
	}
	r := admin.PostForm("/admin/rules/party_lecture", form("2", tomorrow, cur.ID))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d", r.Status)
	}
	// The same base again is a conflict: someone changed it meanwhile.
	if r := admin.PostForm("/admin/rules/party_lecture", form("3", "2099-01-01", cur.ID)); r.Status != http.StatusConflict {
		t.Errorf("stale change: %d", r.Status)
	}
	all, err := rules.LoadAll(ctx, app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	var versions []rules.Rule
	for _, v := range all {
		if v.Code == "party_lecture" {
			versions = append(versions, v)
		}
	}
	if len(versions) != 2 || versions[0].Minimum != 2 || versions[1].Minimum != 1 || versions[1].EffectiveTo == nil || versions[1].EffectiveTo.Format(time.DateOnly) != tomorrow {
		t.Fatalf("versions: %+v", versions)
	}
	// The old version's numbers are untouched; today still uses it, tomorrow the new one.
	if got := rules.Versions(all, time.Now()); minOf(got, "party_lecture") != 1 {
		t.Errorf("today: minimum %v", minOf(got, "party_lecture"))
	}
	if got := rules.Versions(all, time.Now().AddDate(0, 0, 2)); minOf(got, "party_lecture") != 2 {
		t.Errorf("after the change: minimum %v", minOf(got, "party_lecture"))
	}
	page := admin.Get("/admin/rules/party_lecture")
	if page.Doc().Find(`[data-testid="rule-versions"] tbody tr`).Length() != 2 {
		t.Error("the versions are not listed")
	}
	var n int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'rule.change'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("audit: %d %v", n, err)
	}
}

func TestAddAnAgencyRule(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	admin := app.Login(t, "admin")
	today := time.Now().In(i18n.Shanghai).Format(time.DateOnly)
	good := url.Values{"code": {"lecture_extra"}, "kind": {"meetings"}, "meeting_kind": {"lecture"}, "applies_to": {"branch"}, "period": {"month"},
		"minimum": {"1"}, "title": {"每月一次专题党课"}, "source": {"本机关党委规定"}, "effective_from": {today}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("code", "Bad Code")
	bad.Set("period", "none")
	r := admin.PostForm("/admin/rules/new", bad)
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-code") == "" || r.TestID("error-period") == "" {
		t.Errorf("bad rule: %d", r.Status)
	}
	if r := admin.PostForm("/admin/rules/new", good); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.Status)
	}
	if r := admin.PostForm("/admin/rules/new", good); r.Status != http.StatusUnprocessableEntity || r.TestID("error-code") == "" {
		t.Errorf("duplicate code: %d", r.Status)
	}
	// The reviewer's dashboard checks branches against it, naming its source.
	rev := app.Login(t, "reviewer")
	dash := rev.Get("/review")
	cell := dash.Doc().Find(`td[data-rule="lecture_extra"] [data-status]`)
	if cell.Length() != 6 || !strings.Contains(cell.First().AttrOr("title", ""), "本机关党委规定") {
		t.Errorf("new rule on the dashboard: %d cells", cell.Length())
	}
	// Switching the rating scale to stars changes the rating form.
	if r := admin.PostForm("/admin/rules/scale", url.Values{"scale": {"stars"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("scale: %d", r.Status)
	}
	var id int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	page := rev.Get("/review/branches/" + itoa(id))
	if page.Doc().Find(`select[name="rating"] option[value="5"]`).Length() != 1 || page.Doc().Find(`select[name="rating"] option[value="advanced"]`).Length() != 0 {
		t.Error("rating form not in stars")
	}
}

func minOf(rs []rules.Rule, code string) float64 {
	for _, r := range rs {
		if r.Code == code {
			return r.Minimum
		}
	}
	return -1
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
