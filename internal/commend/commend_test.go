package commend_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/commend"
	"zhibu/internal/dbtest"
	"zhibu/internal/i18n"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestListExportAndPages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var total, committeeLevel int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE level = 'committee') FROM commendations WHERE status = 'granted'`).Scan(&total, &committeeLevel); err != nil {
		t.Fatal(err)
	}
	rev := app.Login(t, "reviewer")
	r := rev.Get("/commendations")
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="commend-row"]`).Length() != total {
		t.Fatalf("list: %d, %d rows, want %d", r.Status, r.Doc().Find(`[data-testid="commend-row"]`).Length(), total)
	}
	if got := rev.Get("/commendations?level=committee").Doc().Find(`[data-testid="commend-row"]`).Length(); got != committeeLevel {
		t.Errorf("committee level: %d, want %d", got, committeeLevel)
	}
	sum := 0
	r.Doc().Find(`[data-testid="summary-cell"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(s.Text())
		sum += n
	})
	if sum != total {
		t.Errorf("summary by year and level adds up to %d, want %d", sum, total)
	}
	x := rev.Get("/commendations/export.xlsx?level=committee")
	if x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("export: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil || len(rows) != committeeLevel+1 || rows[0][0] != "荣誉称号" {
		t.Fatalf("export rows: %d (%v), header %v", len(rows), err, rows[0])
	}

	// The secretary sees only the branch's commendations.
	var branchTotal int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM commendations c LEFT JOIN members m ON m.id = c.member_id
 JOIN organisations o ON o.id = coalesce(c.org_id, m.branch_id) WHERE o.name = '办公室党支部'`).Scan(&branchTotal); err != nil {
		t.Fatal(err)
	}
	if got := app.Login(t, "secretary").Get("/commendations").Doc().Find(`[data-testid="commend-row"]`).Length(); got != branchTotal {
		t.Errorf("secretary rows: %d, want %d", got, branchTotal)
	}

	// ForMember / ForOrg feed the member and branch pages.
	var memberID, orgID int64
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM commendations WHERE member_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT org_id FROM commendations WHERE org_id IS NOT NULL ORDER BY id LIMIT 1`).Scan(&orgID); err != nil {
		t.Fatal(err)
	}
	mine, err := commend.ForMember(ctx, app.Pool, memberID)
	if err != nil || len(mine) == 0 || *mine[0].MemberID != memberID {
		t.Fatalf("ForMember: %v %v", mine, err)
	}
	orgs, err := commend.ForOrg(ctx, app.Pool, orgID)
	if err != nil || len(orgs) == 0 || !orgs[0].ForOrg || orgs[0].OrgID != orgID {
		t.Fatalf("ForOrg: %v %v", orgs, err)
	}
	var buf bytes.Buffer
	if err := commend.ListFor(mine).Render(i18n.WithLang(ctx, i18n.ZH), &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), mine[0].Title) || strings.Count(buf.String(), `data-testid="commendation"`) != len(mine) {
		t.Errorf("ListFor: %s", buf.String())
	}
	buf.Reset()
	if err := commend.ListFor(nil).Render(ctx, &buf); err != nil || !strings.Contains(buf.String(), "暂无表彰记录") {
		t.Errorf("ListFor empty: %s %v", buf.String(), err)
	}
}

func TestGrantNominateApprove(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var branch, otherBranch, member, otherMember int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '财务处党支部'`).Scan(&otherBranch); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' ORDER BY id DESC LIMIT 1`, branch).Scan(&member); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' LIMIT 1`, otherBranch).Scan(&otherMember); err != nil {
		t.Fatal(err)
	}
	form := func(kind, memberID, orgID string) url.Values {
		return url.Values{"title_kind": {kind}, "level": {"committee"}, "granted_on": {"2026-07-01"}, "issuer": {"示范机关党委"},
			"document_no": {"机党发〔2026〕9号"}, "citation": {"表现突出"}, "member_id": {memberID}, "org_id": {orgID}}
	}
	sec := app.Login(t, "secretary")
	rev := app.Login(t, "reviewer")
	cases := []struct {
		name   string
		c      *apptest.Client
		form   url.Values
		action string
		status int
		errID  string
	}{
		{"both recipients", rev, form("outstanding_member", fmt.Sprint(member), fmt.Sprint(branch)), "grant", 422, "error-member_id"},
		{"no recipient", rev, form("outstanding_member", "", ""), "grant", 422, "error-member_id"},
		{"org title to a person", rev, form("advanced_org", fmt.Sprint(member), ""), "grant", 422, "error-member_id"},
		{"person title to an org", rev, form("outstanding_worker", "", fmt.Sprint(branch)), "grant", 422, "error-org_id"},
		{"other title without name", rev, form("other", fmt.Sprint(member), ""), "grant", 422, "error-title"},
		{"secretary outside the branch", sec, form("outstanding_member", fmt.Sprint(otherMember), ""), "nominate", 422, "error-member_id"},
		{"secretary nominates", sec, form("outstanding_member", fmt.Sprint(member), ""), "nominate", 303, ""},
		{"secretary cannot grant", sec, form("advanced_org", "", fmt.Sprint(branch)), "grant", 303, ""},
		{"reviewer nominates", rev, form("outstanding_member", fmt.Sprint(otherMember), ""), "nominate", 303, ""},
		{"reviewer grants", rev, func() url.Values {
			f := form("other", "", fmt.Sprint(otherBranch))
			f.Set("title", "五好党支部")
			return f
		}(), "grant", 303, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("action", tc.action)
			r := tc.c.PostForm("/commendations", tc.form)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.errID != "" && r.TestID(tc.errID) == "" {
				t.Errorf("no message %s", tc.errID)
			}
		})
	}
	count := func(status string) int {
		var n int
		if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM commendations WHERE status = $1 AND granted_on = '2026-07-01'`, status).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("nominated"); n != 3 {
		t.Fatalf("nominees: %d, want 3 (a secretary's grant is a nomination)", n)
	}
	if n := count("granted"); n != 1 {
		t.Fatalf("granted: %d, want 1", n)
	}
	// The secretary sees the branch's nominees but cannot approve.
	sn := sec.Get("/commendations/nominees")
	if sn.Has(`[data-testid="nominees-approve"]`) || sn.Doc().Find(`[data-testid="commend-row"]`).Length() != 2 {
		t.Errorf("secretary nominees page: %d rows", sn.Doc().Find(`[data-testid="commend-row"]`).Length())
	}
	if r := sec.PostForm("/commendations/nominees/approve", url.Values{"id": {"1"}, "confirm": {"yes"}}); r.Status != http.StatusForbidden {
		t.Errorf("secretary approves: %d", r.Status)
	}
	// The reviewer approves the whole list in one step after confirming.
	page := rev.Get("/commendations/nominees")
	var ids []string
	for _, n := range page.Doc().Find(`input[name="id"]`).Nodes {
		for _, a := range n.Attr {
			if a.Key == "value" {
				ids = append(ids, a.Val)
			}
		}
	}
	if len(ids) != 3 {
		t.Fatalf("nominees offered: %d", len(ids))
	}
	if r := rev.PostForm("/commendations/nominees/approve", url.Values{"id": ids}); r.Status != http.StatusUnprocessableEntity || r.TestID("nominees-error") == "" {
		t.Fatalf("approve without confirmation: %d", r.Status)
	}
	if r := rev.PostForm("/commendations/nominees/approve", url.Values{"id": append(ids, "999999"), "confirm": {"yes"}}); r.Status != http.StatusConflict || count("nominated") != 3 {
		t.Fatalf("approve with an unknown id: %d; nothing may change", r.Status)
	}
	if r := rev.PostForm("/commendations/nominees/approve", url.Values{"id": ids, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if count("nominated") != 0 || count("granted") != 4 {
		t.Errorf("after approval: %d nominated, %d granted", count("nominated"), count("granted"))
	}
	mine, err := commend.ForMember(ctx, app.Pool, member)
	if err != nil || len(mine) == 0 {
		t.Errorf("the approved commendation is not on the member's list: %v", err)
	}
	var audits int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'commendation.approve'`).Scan(&audits); err != nil || audits != 3 {
		t.Errorf("approval audit rows: %d %v", audits, err)
	}
}

// TestOutstandingMemberNomineesRefused: a probationary member is not an
// outstanding-member nominee, and one member does not get the same title at
// the same level twice in one year (issue 18).
func TestOutstandingMemberNomineesRefused(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	var probationary, full int64
	if err := app.Pool.QueryRow(ctx, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.name = '办公室党支部' AND m.category = 'probationary' AND m.party_status = 'normal' LIMIT 1`).Scan(&probationary); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.name = '办公室党支部' AND m.category = 'full' AND m.party_status = 'normal' ORDER BY m.id LIMIT 1`).Scan(&full); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	nominate := func(kind string, member int64, on string) *apptest.Response {
		return sec.PostForm("/commendations", url.Values{"title_kind": {kind}, "level": {"committee"}, "granted_on": {on},
			"issuer": {"示范机关党委"}, "member_id": {fmt.Sprint(member)}, "action": {"nominate"}})
	}
	count := func() int {
		var n int
		if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM commendations WHERE member_id = ANY($1)`, []int64{probationary, full}).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	if r := nominate("outstanding_member", probationary, "2026-07-01"); r.Status != http.StatusUnprocessableEntity || r.TestID("error-member_id") == "" {
		t.Errorf("probationary nominee: %d", r.Status)
	}
	// Another title is open to a probationary member.
	if r := nominate("outstanding_worker", probationary, "2026-07-01"); r.Status != http.StatusSeeOther {
		t.Errorf("probationary, outstanding worker: %d", r.Status)
	}
	if r := nominate("outstanding_member", full, "2026-01-01"); r.Status != http.StatusSeeOther {
		t.Fatalf("first nomination: %d", r.Status)
	}
	// The same year, on its last day: refused, with the input kept.
	r := nominate("outstanding_member", full, "2026-12-31")
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-member_id") == "" || !strings.Contains(r.Body, "2026-12-31") {
		t.Errorf("second nomination in 2026: %d", r.Status)
	}
	// The next year: accepted.
	if r := nominate("outstanding_member", full, "2027-01-01"); r.Status != http.StatusSeeOther {
		t.Errorf("nomination in 2027: %d", r.Status)
	}
	if got := count() - before; got != 3 {
		t.Errorf("%d commendations written, want 3", got)
	}
}
