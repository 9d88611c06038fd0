package review_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// committeeID is the demo agency's committee: the reviewer's subtree.
func committeeID(t testing.TB, app *apptest.App) int64 {
	t.Helper()
	return app.OrgID(t, "示范机关党委")
}

// outsider adds a second agency with one branch, outside the demo reviewer's subtree.
func outsider(t *testing.T, app *apptest.App) int64 {
	t.Helper()
	root := app.Int(t, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '另一机关党委', '2015-01-01') RETURNING id`)
	return app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '另一党支部', '2015-01-01') RETURNING id`, root)
}

func TestAccess(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	finance := app.OrgID(t, "财务处党支部")
	other := outsider(t, app)
	cases := []struct {
		user, path string
		want       int
	}{
		{"reviewer", "/review", 200},
		{"reviewer", "/review/export.xlsx", 200},
		{"reviewer", "/review/branches/" + itoa(finance), 200},
		{"reviewer", "/review/branches/" + itoa(finance) + "/report?year=2025", 200},
		{"reviewer", "/review/branches/" + itoa(other), 404},
		{"reviewer", "/review/branches/" + itoa(committeeID(t, app)), 404}, // not a branch
		{"secretary", "/review", 403},
		{"secretary", "/review/branches/" + itoa(office), 200},
		{"secretary", "/review/branches/" + itoa(finance), 404},
		{"member", "/review", 403},
		{"member", "/review/branches/" + itoa(office), 403},
		{"admin", "/review", 403},
		{"admin", "/admin/rules", 200},
		{"reviewer", "/admin/rules", 403},
		{"member", "/alerts", 200},
	}
	clients := map[string]*apptest.Client{}
	for _, c := range cases {
		cl, ok := clients[c.user]
		if !ok {
			cl = app.Login(t, c.user)
			clients[c.user] = cl
		}
		if r := cl.Get(c.path); r.Status != c.want {
			t.Errorf("%s GET %s: %d, want %d", c.user, c.path, r.Status, c.want)
		}
	}
	// The dashboard lists only the reviewer's subtree.
	r := clients["reviewer"].Get("/review")
	if r.Has(`[data-testid="branch-` + itoa(other) + `"]`) {
		t.Error("dashboard shows a branch outside the reviewer's subtree")
	}
	if got := r.TestID("count-branches"); got != "6" {
		t.Errorf("branches counted: %q, want 6", got)
	}
}

func TestDemoShowsWhoFallsBehindAndWhy(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "reviewer")
	r := c.Get("/review?problems=1&period=" + itoa(int64(time.Now().In(i18n.Shanghai).Year())))
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	doc := r.Doc()
	for _, name := range []string{"财务处党支部", "综合规划处党支部"} {
		row := doc.Find(`tr[data-branch="` + name + `"]`)
		if row.Length() != 1 {
			t.Fatalf("%s not listed among branches with problems", name)
		}
		if st, _ := row.Find(`td[data-rule="committee_meeting"] [data-status]`).Attr("data-status"); st != "missed" {
			t.Errorf("%s committee meetings: %q, want missed", name, st)
		}
		if title, _ := row.Find(`td[data-rule="committee_meeting"] [data-status]`).Attr("title"); !strings.Contains(title, "第十二条") {
			t.Errorf("%s: the warning does not name its source: %q", name, title)
		}
	}
	// Worst first by default.
	first := doc.Find(`table[data-testid="branches"] tbody tr`).First().AttrOr("data-branch", "")
	if first != "财务处党支部" && first != "综合规划处党支部" {
		t.Errorf("first row %q, want a struggling branch", first)
	}
	// Six-month warnings name the member and the Party Constitution.
	urgent := r.TestID("urgent")
	if !strings.Contains(urgent, "《中国共产党章程》第九条") || !strings.Contains(urgent, "预警") {
		t.Errorf("urgent list lacks the six-month warning: %s", urgent)
	}
	// The finance branch: overdue term and an overdue rectification item.
	fin := c.Get("/review/branches/" + itoa(app.OrgID(t, "财务处党支部")))
	if st := fin.Doc().Find(`[data-testid="result-committee_term"] [data-status]`).AttrOr("data-status", ""); st != "missed" {
		t.Errorf("finance term: %q, want missed", st)
	}
	if st := fin.Doc().Find(`[data-testid="result-rectification"] [data-status]`).AttrOr("data-status", ""); st != "missed" {
		t.Errorf("finance rectification: %q, want missed", st)
	}
	if !strings.Contains(fin.TestID("result-six_months"), "个月未参加组织生活") {
		t.Errorf("six-month row: %s", fin.TestID("result-six_months"))
	}
	if fin.Doc().Find(`[data-testid="flagged-member"]`).Length() == 0 {
		t.Error("no member linked from the six-month rule")
	}
}

func TestFiguresMatchRecords(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	id := app.OrgID(t, "财务处党支部")
	year := time.Now().In(i18n.Shanghai).Year()
	var held int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings WHERE org_id = $1 AND kind = 'committee' AND status <> 'planned'
		AND starts_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND starts_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')`, id, year).Scan(&held); err != nil {
		t.Fatal(err)
	}
	var due, present int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE a.status <> 'observer'), count(*) FILTER (WHERE a.status = 'present')
		FROM attendance a JOIN meetings m ON m.id = a.meeting_id
		WHERE m.org_id = $1 AND m.status <> 'planned' AND m.starts_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai') AND m.starts_at < now() + interval '1 month'`, id, year).Scan(&due, &present); err != nil {
		t.Fatal(err)
	}
	c := app.Login(t, "reviewer")
	r := c.Get("/review?period=" + itoa(int64(year)))
	row := r.Doc().Find(`tr[data-branch="财务处党支部"]`)
	cell := row.Find(`td[data-rule="committee_meeting"]`)
	if fig := strings.TrimSpace(cell.Find("small").Text()); !strings.HasPrefix(fig, itoa(int64(held))+" / ") {
		t.Errorf("committee meetings figure %q, records show %d", fig, held)
	}
	href := cell.Find("a").AttrOr("href", "")
	if want := review.MeetingsURL(id, "committee", year); href != want {
		t.Errorf("figure links to %q, want %q", href, want)
	}
	u, _ := url.Parse(href)
	if u.Path != "/meetings" || u.Query().Get("org") != itoa(id) || u.Query().Get("kind") != "committee" || u.Query().Get("year") != itoa(int64(year)) {
		t.Errorf("meetings link %q", href)
	}
	wantRate := itoa(int64((present*100+due/2)/due)) + "%"
	if got := strings.TrimSpace(row.Find(`[data-testid="attendance"]`).Text()); got != wantRate {
		t.Errorf("attendance %q, records give %s (%d/%d)", got, wantRate, present, due)
	}
	if href := row.Find(`[data-testid="items"]`).AttrOr("href", ""); href != "/rectification?org="+itoa(id) {
		t.Errorf("items link %q", href)
	}
	// Every status cell links to records; every flagged member to the member.
	row.Find(`td[data-rule]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find("[data-status]").Length() > 0 && s.Find("a").Length() == 0 {
			t.Errorf("rule %s has no link", s.AttrOr("data-rule", ""))
		}
	})
	fin := c.Get("/review/branches/" + itoa(id))
	fin.Doc().Find(`[data-testid="flagged-member"]`).Each(func(_ int, s *goquery.Selection) {
		if h := s.AttrOr("href", ""); !strings.HasPrefix(h, "/members/") {
			t.Errorf("member link %q", h)
		}
	})
	// The month table counts what the meetings table holds.
	var march int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM meetings WHERE org_id = $1 AND kind = 'party_day' AND status <> 'planned'
		AND starts_at >= make_timestamptz($2, 3, 1, 0, 0, 0, 'Asia/Shanghai') AND starts_at < make_timestamptz($2, 4, 1, 0, 0, 0, 'Asia/Shanghai')`, id, year).Scan(&march); err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(fin.Doc().Find(`table[data-testid="months"] tbody tr`).Eq(2).Find(`[data-testid="held-party_day"]`).Text()); got != itoa(int64(march)) {
		t.Errorf("March party days %q, records %d", got, march)
	}
}

func TestRatingAndAnswer(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	rev := app.Login(t, "reviewer")
	path := "/review/branches/" + itoa(office) + "/reviews"
	// No rating is chosen for the reviewer: the form starts on an empty choice.
	first := rev.Get("/review/branches/" + itoa(office))
	if sel := first.Doc().Find(`select[name="rating"] option[selected]`); sel.Length() != 1 || sel.AttrOr("value", "x") != "" {
		t.Errorf("the rating form preselects %q", sel.AttrOr("value", ""))
	}
	// Sent without a rating: refused beside the field.
	if r := rev.PostForm(path, url.Values{"period": {"2026-Q3"}, "rating": {""}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-rating") == "" {
		t.Errorf("no rating: %d", r.Status)
	}
	// Validation: 422 with the input kept.
	r := rev.PostForm(path, url.Values{"period": {"2026-Q3"}, "rating": {"superb"}, "comments": {"保留的评语"}})
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-rating") == "" || !strings.Contains(r.Body, "保留的评语") {
		t.Fatalf("bad rating: %d %q", r.Status, r.TestID("error-rating"))
	}
	r = rev.PostForm(path, url.Values{"period": {"2026-Q3"}, "rating": {"good"}, "comments": {"总体良好"}, "corrections": {"加强党小组会"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("rate: %d", r.Status)
	}
	var rid int64
	var version int
	if err := app.Pool.QueryRow(context.Background(), `SELECT id, version FROM branch_reviews WHERE branch_id = $1 AND period = '2026-Q3'`, office).Scan(&rid, &version); err != nil {
		t.Fatal(err)
	}
	// A secretary cannot rate; a reviewer cannot answer.
	sec := app.Login(t, "secretary")
	if r := sec.PostForm(path, url.Values{"period": {"2026"}, "rating": {"advanced"}}); r.Status != http.StatusForbidden {
		t.Errorf("secretary rating: %d", r.Status)
	}
	answer := "/review/branches/" + itoa(office) + "/reviews/" + itoa(rid) + "/response"
	if r := rev.PostForm(answer, url.Values{"version": {itoa(int64(version))}, "response": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer answering: %d", r.Status)
	}
	// The secretary sees the rating and answers it.
	page := sec.Get("/review/branches/" + itoa(office) + "?period=2026-Q3")
	if !strings.Contains(page.TestID("history"), "加强党小组会") {
		t.Errorf("secretary does not see the corrections: %s", page.TestID("history"))
	}
	if al := sec.Get("/alerts"); !strings.Contains(al.TestID("alerts"), "待支部回复") {
		t.Error("the secretary is not alerted to the unanswered review")
	}
	if r := sec.PostForm(answer, url.Values{"version": {itoa(int64(version))}, "response": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty answer: %d", r.Status)
	}
	if r := sec.PostForm(answer, url.Values{"version": {itoa(int64(version))}, "response": {"已部署整改"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d", r.Status)
	}
	// A stale version is a conflict that shows what was typed.
	r = sec.PostForm(answer, url.Values{"version": {itoa(int64(version))}, "response": {"过期的回复"}})
	if r.Status != http.StatusConflict || r.TestID("conflict") == "" || !strings.Contains(r.Body, "过期的回复") {
		t.Errorf("stale answer: %d", r.Status)
	}
	if al := sec.Get("/alerts"); strings.Contains(al.TestID("alerts"), "2026年第3季度") {
		t.Error("an answered review still alerts")
	}
	page = rev.Get("/review/branches/" + itoa(office))
	if !strings.Contains(page.TestID("review-response"), "已部署整改") {
		t.Errorf("reviewer does not see the answer: %q", page.TestID("review-response"))
	}
	dash := rev.Get("/review?period=2026-Q3")
	if got := strings.TrimSpace(dash.Doc().Find(`tr[data-branch="办公室党支部"] [data-testid="rating"]`).Text()); got != "良好" {
		t.Errorf("dashboard rating %q", got)
	}
	var n int
	if err := app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action IN ('review.rate', 'review.respond')`).Scan(&n); err != nil || n != 2 {
		t.Errorf("audit rows %d (%v), want 2", n, err)
	}
}

func TestAlertsAndBadge(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	sec := app.Login(t, "secretary")
	r := sec.Get("/alerts")
	if r.Status != 200 || r.Doc().Find(`[data-testid="alert-branch"]`).Length() == 0 {
		t.Fatalf("secretary alerts: %d", r.Status)
	}
	if !strings.Contains(r.TestID("alerts"), "办公室党支部") || strings.Contains(r.TestID("alerts"), "财务处党支部") {
		t.Error("secretary alerts are not about their own branch only")
	}
	n := r.Doc().Find(`[data-testid="alerts"] > li`).Length()
	if got := r.TestID("alert-count"); got != itoa(int64(n)) {
		t.Errorf("badge %q, list has %d", got, n)
	}
	// The badge shows on other pages too.
	if home := sec.Get("/"); home.TestID("alert-count") == "" {
		t.Error("no badge on the home page")
	}
	// A member: tomorrow's meeting of their branch.
	var branch, memberID int64
	if err := app.Pool.QueryRow(ctx, `SELECT m.branch_id, m.id FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.username = 'member'`).Scan(&branch, &memberID); err != nil {
		t.Fatal(err)
	}
	// A member: the meetings of the coming week (tomorrow, in exactly
	// seven days) and not the one a day past it, each leading to the leave
	// request.
	now := time.Now().In(i18n.Shanghai)
	for _, m := range []struct {
		days  int
		topic string
	}{{1, "明天的主题党日"}, {7, "七天后的主题党日"}, {8, "八天后的主题党日"}} {
		d := now.AddDate(0, 0, m.days)
		at := time.Date(d.Year(), d.Month(), d.Day(), 15, 0, 0, 0, i18n.Shanghai)
		if _, err := app.Pool.Exec(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status) VALUES ($1, 'party_day', $2, $3, $4, 'planned')`, branch, m.topic, at, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	mem := app.Login(t, "member")
	r = mem.Get("/alerts")
	own := r.Doc().Find(`[data-testid="alert-own"]`)
	var tomorrow, week, later bool
	own.Each(func(_ int, li *goquery.Selection) {
		text, href := li.Text(), li.Find("a").AttrOr("href", "")
		switch {
		case strings.Contains(text, "明天的主题党日"):
			tomorrow = strings.Contains(text, "明天") && strings.HasPrefix(href, "/me/leave/")
		case strings.Contains(text, "七天后的主题党日"):
			week = strings.Contains(text, "还有 7 天") && strings.HasPrefix(href, "/me/leave/")
		case strings.Contains(text, "八天后的主题党日"):
			later = true
		}
	})
	if !tomorrow || !week || later {
		t.Errorf("member alerts (tomorrow %v, in seven days %v, in eight days %v): %s", tomorrow, week, later, r.TestID("alerts"))
	}
	if r.Doc().Find(`[data-testid="alert-branch"]`).Length() != 0 {
		t.Error("a plain member sees branch alerts")
	}
}

func TestExportAndReport(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "reviewer")
	r := c.Get("/review/export.xlsx?period=2025")
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 4 {
		t.Fatalf("sheets %v", got)
	}
	branches, _ := f.GetRows(f.GetSheetList()[1])
	if len(branches) != 7 {
		t.Errorf("branch sheet rows %d, want header + 6", len(branches))
	}
	rulesRows, _ := f.GetRows(f.GetSheetList()[3])
	found := false
	for _, row := range rulesRows {
		if len(row) > 3 && strings.Contains(row[3], "《中国共产党章程》第九条") {
			found = true
		}
	}
	if !found {
		t.Error("rules sheet lacks the sources")
	}
	rep := c.Get("/review/branches/" + itoa(app.OrgID(t, "财务处党支部")) + "/report?year=2025")
	if rep.Status != 200 || !strings.Contains(rep.TestID("report"), "2025") || rep.Doc().Find(`[data-testid="results"] tbody tr`).Length() < 10 {
		t.Errorf("report: %d", rep.Status)
	}
	// Last year's appraisal was not held in the finance branch: missed.
	if st := rep.Doc().Find(`[data-testid="result-appraisal"] [data-status]`).AttrOr("data-status", ""); st != string(rules.Missed) {
		t.Errorf("2025 appraisal in the report: %q", st)
	}
}

func BenchmarkDashboard(b *testing.B) {
	app := apptest.New(b)
	ctx := context.Background()
	var root int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '示范机关党委'`).Scan(&root); err != nil {
		b.Fatal(err)
	}
	today := time.Now()
	for b.Loop() {
		if _, err := review.Subtree(ctx, app.Pool, []int64{root}, rules.Year(today.Year()), today, review.Options{Limit: review.PageSize}); err != nil {
			b.Fatal(err)
		}
	}
}
