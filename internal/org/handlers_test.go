package org_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func idStr(n int64) string { return strconv.FormatInt(n, 10) }

func TestTreeAndCountsByRole(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rev := app.Login(t, "reviewer")
	r := rev.Get("/orgs")
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	nodes := r.Doc().Find(`[data-testid="org-node"]`)
	// Committee, 2 general branches, 6 branches, 4 groups.
	if nodes.Length() != 13 {
		t.Errorf("reviewer sees %d nodes, want 13", nodes.Length())
	}
	counts := map[string]string{}
	nodes.Each(func(_ int, s *goquery.Selection) {
		counts[strings.TrimSpace(s.Find(`[data-testid="org-name"]`).Text())] = s.Find(`[data-testid="org-members"]`).Text()
	})
	var committee, office int
	ctx := context.Background()
	_ = app.Pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE category IN ('probationary','full') AND party_status IN ('normal','suspended')`).Scan(&committee)
	_ = app.Pool.QueryRow(ctx, `SELECT count(*) FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name = '办公室党支部' AND category IN ('probationary','full') AND party_status IN ('normal','suspended')`).Scan(&office)
	if counts["示范机关党委"] != strconv.Itoa(committee) || counts["办公室党支部"] != strconv.Itoa(office) {
		t.Errorf("counts: committee %s (want %d), office %s (want %d)", counts["示范机关党委"], committee, counts["办公室党支部"], office)
	}
	sec := app.Login(t, "secretary")
	if n := sec.Get("/orgs").Doc().Find(`[data-testid="org-node"]`).Length(); n != 3 {
		t.Errorf("secretary sees %d nodes, want the branch and its 2 groups", n)
	}
	if r := sec.Get("/orgs/" + idStr(app.OrgID(t, "人事处党支部"))); r.Status != http.StatusNotFound {
		t.Errorf("secretary opens another branch: %d", r.Status)
	}
	if r := sec.Get("/orgs/new"); r.Status != http.StatusForbidden {
		t.Errorf("secretary opens the new organisation form: %d", r.Status)
	}
	if n := app.Login(t, "admin").Get("/orgs").Doc().Find(`[data-testid="org-node"]`).Length(); n != 13 {
		t.Errorf("admin sees %d nodes", n)
	}
	if r := app.Login(t, "member").Get("/orgs"); r.Status != http.StatusForbidden {
		t.Errorf("a plain member opens the tree: %d", r.Status)
	}
}

func TestBranchPageWarnings(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rev := app.Login(t, "reviewer")
	// 财务处党支部 was elected 1180 days ago on a 3-year term: overdue.
	r := rev.Get("/orgs/" + idStr(app.OrgID(t, "财务处党支部")))
	if !strings.Contains(r.TestID("term-warning"), "逾期") {
		t.Errorf("overdue term not shown: %q", r.TestID("term-warning"))
	}
	// 综合规划处党支部: 960 days ago, due within 6 months.
	r = rev.Get("/orgs/" + idStr(app.OrgID(t, "综合规划处党支部")))
	if !strings.Contains(r.TestID("term-warning"), "筹备换届") {
		t.Errorf("term due soon not shown: %q", r.TestID("term-warning"))
	}
	// A fresh branch with two full members: too few full members.
	ctx := context.Background()
	branch := app.OrgID(t, "人事处党支部")
	if _, err := app.Pool.Exec(ctx, `UPDATE members SET party_status = 'transferred_out' WHERE branch_id = $1 AND id NOT IN (SELECT id FROM members WHERE branch_id = $1 AND category = 'full' ORDER BY id LIMIT 2)`, branch); err != nil {
		t.Fatal(err)
	}
	r = rev.Get("/orgs/" + idStr(branch))
	if r.TestID("warn-org.warn.too_few") == "" {
		t.Errorf("too few full members not warned: %q", r.TestID("org-warnings"))
	}
	// Drop the office branch's committee posts: 7+ full members and no committee.
	office := app.OrgID(t, "办公室党支部")
	if _, err := app.Pool.Exec(ctx, `DELETE FROM committee_posts WHERE term_id IN (SELECT id FROM committee_terms WHERE org_id = $1) AND post <> 'secretary'`, office); err != nil {
		t.Fatal(err)
	}
	r = rev.Get("/orgs/" + idStr(office))
	if r.TestID("warn-org.warn.no_committee") == "" || r.TestID("warn-org.warn.too_few") != "" {
		t.Errorf("office warnings: %q", r.TestID("org-warnings"))
	}
}

func TestAdminManagesTheTree(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	adm := app.Login(t, "admin")
	today := time.Now().UTC().Format("2006-01-02")
	gb := app.OrgID(t, "第一党总支")
	gb2 := app.OrgID(t, "第二党总支")
	committee := app.OrgID(t, "示范机关党委")

	bad := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"name": {""}, "kind": {"branch"}, "parent_id": {idStr(gb)}, "established_on": {today}}, "name"},
		{url.Values{"name": {"新支部"}, "kind": {"group"}, "parent_id": {idStr(gb)}, "established_on": {today}}, "parent_id"},
		{url.Values{"name": {"新支部"}, "kind": {"branch"}, "parent_id": {idStr(gb)}, "established_on": {"2999-01-01"}}, "established_on"},
		{url.Values{"name": {"人事处党支部"}, "kind": {"branch"}, "parent_id": {idStr(gb)}, "established_on": {today}}, "name"},
		{url.Values{"name": {"新支部"}, "kind": {"nonsense"}, "parent_id": {idStr(gb)}, "established_on": {today}}, "kind"},
	}
	for _, b := range bad {
		r := adm.PostForm("/orgs/new", b.form)
		if r.Status != http.StatusUnprocessableEntity || r.TestID("error-"+b.field) == "" {
			t.Errorf("%v: %d, message %q", b.form, r.Status, r.TestID("error-"+b.field))
		}
	}
	r := adm.PostForm("/orgs/new", url.Values{"name": {"新建党支部"}, "kind": {"branch"}, "parent_id": {idStr(gb)}, "established_on": {today}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.Status, r.TestID("form-errors"))
	}
	id := strings.TrimPrefix(r.Location, "/orgs/")
	// Rename and move under the other general branch; the path follows.
	r = adm.PostForm("/orgs/"+id+"/edit", url.Values{"version": {"1"}, "name": {"改名党支部"}, "parent_id": {idStr(gb2)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("rename/move: %d %s", r.Status, r.TestID("form-errors"))
	}
	var name string
	var path []int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT name, path FROM organisations WHERE id = $1`, id).Scan(&name, &path); err != nil {
		t.Fatal(err)
	}
	if name != "改名党支部" || len(path) != 3 || path[0] != committee || path[1] != gb2 {
		t.Errorf("after move: %q %v", name, path)
	}
	// A stale version is a 409 that keeps the typed name.
	r = adm.PostForm("/orgs/"+id+"/edit", url.Values{"version": {"1"}, "name": {"又改名"}, "parent_id": {idStr(gb2)}})
	if r.Status != http.StatusConflict || r.Doc().Find(`input[name="name"]`).AttrOr("value", "") != "又改名" {
		t.Errorf("stale rename: %d", r.Status)
	}
	// Moving a general branch under its own branch is refused.
	if r := adm.PostForm("/orgs/"+idStr(gb)+"/edit", url.Values{"version": {"1"}, "name": {"第一党总支"}, "parent_id": {idStr(app.OrgID(t, "办公室党支部"))}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("move under own descendant: %d", r.Status)
	}
	// A term with posts.
	r = adm.PostForm("/orgs/"+id+"/terms/new", url.Values{"term_no": {"1"}, "elected_on": {today}})
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-post_secretary") == "" {
		t.Errorf("term without secretary: %d", r.Status)
	}
	// Dissolving needs the confirmation; a branch with members cannot be dissolved.
	if r := adm.PostForm("/orgs/"+id+"/dissolve", url.Values{"version": {"2"}, "date": {today}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("dissolve without confirmation: %d", r.Status)
	}
	office := app.OrgID(t, "办公室党支部")
	if r := adm.PostForm("/orgs/"+idStr(office)+"/dissolve", url.Values{"version": {"1"}, "date": {today}, "confirm": {"1"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-date") == "" {
		t.Errorf("dissolve a branch with members: %d", r.Status)
	}
	r = adm.PostForm("/orgs/"+id+"/dissolve", url.Values{"version": {"2"}, "date": {today}, "confirm": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("dissolve: %d %s", r.Status, r.TestID("form-errors"))
	}
	if p := adm.Get("/orgs/" + id); p.Status != http.StatusOK || p.TestID("org-dissolved") == "" {
		t.Errorf("dissolved organisation page: %d", p.Status)
	}
	if strings.Contains(adm.Get("/orgs").Body, "改名党支部") || !strings.Contains(adm.Get("/orgs?dissolved=1").Body, "改名党支部") {
		t.Error("dissolved organisations are not hidden by default and shown on request")
	}
	if n := countAudit(t, app, "org."); n < 3 {
		t.Errorf("audit rows for org changes: %d", n)
	}
}

func countAudit(t *testing.T, app *apptest.App, prefix string) int {
	t.Helper()
	return int(app.Int(t, `SELECT count(*) FROM audit_events WHERE action LIKE $1 || '%'`, prefix))
}

func TestNewTermEndsThePreviousOne(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	adm := app.Login(t, "admin")
	branch := app.OrgID(t, "财务处党支部")
	form := adm.Get("/orgs/" + idStr(branch) + "/terms/new")
	if form.Status != http.StatusOK {
		t.Fatal(form.Status)
	}
	opts := form.Doc().Find(`select[name="post_secretary"] option`)
	if opts.Length() < 4 {
		t.Fatalf("candidates %d", opts.Length())
	}
	a, _ := opts.Eq(1).Attr("value")
	b, _ := opts.Eq(2).Attr("value")
	c, _ := opts.Eq(3).Attr("value")
	elected := time.Now().UTC().AddDate(0, 0, -3)
	r := adm.PostForm("/orgs/"+idStr(branch)+"/terms/new", url.Values{"term_no": {"3"}, "elected_on": {elected.Format("2006-01-02")},
		"post_secretary": {a}, "post_deputy": {b}, "post_organisation": {c}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("term: %d %s", r.Status, r.TestID("form-errors"))
	}
	var open int
	var due time.Time
	ctx := context.Background()
	_ = app.Pool.QueryRow(ctx, `SELECT count(*) FROM committee_terms WHERE org_id = $1 AND ended_on IS NULL`, branch).Scan(&open)
	_ = app.Pool.QueryRow(ctx, `SELECT due_on FROM committee_terms WHERE org_id = $1 AND term_no = 3`, branch).Scan(&due)
	if open != 1 || due.Format("2006-01-02") != elected.AddDate(3, 0, 0).Format("2006-01-02") {
		t.Errorf("open terms %d, due %v", open, due)
	}
	page := app.Login(t, "reviewer").Get("/orgs/" + idStr(branch))
	if page.TestID("term-warning") != "" {
		t.Errorf("the new term still shows a warning: %q", page.TestID("term-warning"))
	}
	if page.Doc().Find(`[data-testid="post-secretary"]`).First().Text() == "" {
		t.Error("the new secretary is not shown")
	}
	// Same number again is refused.
	r = adm.PostForm("/orgs/"+idStr(branch)+"/terms/new", url.Values{"term_no": {"3"}, "elected_on": {elected.Format("2006-01-02")}, "post_secretary": {a}})
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-term_no") == "" {
		t.Errorf("duplicate term number: %d", r.Status)
	}
}
