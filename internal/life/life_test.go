package life_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/life"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type ids struct {
	branch, committee int64
	members           []int64 // the secretary's branch's due members
}

func lookup(t *testing.T, app *apptest.App) ids {
	t.Helper()
	ctx := t.Context()
	var out ids
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&out.branch); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee'`).Scan(&out.committee); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Pool.Query(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category IN ('full', 'probationary') AND party_status = 'normal' ORDER BY id`, out.branch)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out.members = append(out.members, id)
	}
	return out
}

func id(s int64) string { return strconv.FormatInt(s, 10) }

func meetingVersion(t *testing.T, app *apptest.App, lifeID int64) string {
	t.Helper()
	var v int
	if err := app.Pool.QueryRow(t.Context(), `SELECT m.version FROM meetings m JOIN life_meetings l ON l.meeting_id = m.id WHERE l.id = $1`, lifeID).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(v)
}

func lifeStatus(t *testing.T, app *apptest.App, lifeID int64) string {
	t.Helper()
	var s string
	if err := app.Pool.QueryRow(t.Context(), `SELECT status FROM life_meetings WHERE id = $1`, lifeID).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// create sets up this year's meeting for org as c and returns its id.
func create(t *testing.T, c *apptest.Client, org string, theme string) int64 {
	t.Helper()
	year := strconv.Itoa(time.Now().Year())
	r := c.PostForm("/life", url.Values{"org_id": {org}, "year": {year}, "theme": {theme}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/life/") {
		t.Fatalf("create: %d %q", r.Status, r.Location)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(r.Location, "/life/"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func hold(members []int64, present int, version string) url.Values {
	f := url.Values{"date": {time.Now().Format("2006-01-02")}, "time": {"14:30"}, "hours": {"3"}, "place": {"党员活动室"}, "version": {version}}
	for i, m := range members {
		st := "present"
		if i >= present {
			st = "absent"
		}
		f.Set("status_"+id(m), st)
	}
	return f
}

// TestSecretaryRunsTheWholeCycle walks a branch's organisational-life
// meeting from set-up through preparation, the meeting and the
// rectification list to the locked report the reviewer reads.
func TestSecretaryRunsTheWholeCycle(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ids := lookup(t, app)
	sec := app.Login(t, "secretary")

	if r := sec.Get("/life/new"); r.Status != http.StatusOK || !r.Has(`select[name="org_id"] option[value="`+id(ids.branch)+`"]`) {
		t.Fatalf("new form: %d", r.Status)
	}
	// Validation keeps the input and names the field.
	r := sec.PostForm("/life", url.Values{"org_id": {id(ids.branch)}, "year": {"1999"}, "theme": {"主题"}})
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-year") == "" || r.Doc().Find(`textarea[name="theme"]`).Text() != "主题" {
		t.Fatalf("bad year: %d %q", r.Status, r.TestID("error-year"))
	}
	// A secretary cannot set up the committee's democratic-life meeting.
	if r := sec.PostForm("/life", url.Values{"org_id": {id(ids.committee)}, "year": {"2026"}, "theme": {"x"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-org_id") == "" {
		t.Fatalf("committee by a secretary: %d", r.Status)
	}
	lifeID := create(t, sec, id(ids.branch), "对照党章党规找差距")
	base := fmt.Sprintf("/life/%d", lifeID)
	// The same year twice is refused.
	if r := sec.PostForm("/life", url.Values{"org_id": {id(ids.branch)}, "year": {strconv.Itoa(time.Now().Year())}, "theme": {"again"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-year") == "" {
		t.Fatalf("duplicate year: %d", r.Status)
	}
	page := sec.Get(base)
	if got := page.Doc().Find(`[data-testid="participant"]`).Length(); got != len(ids.members) {
		t.Fatalf("participants: %d, want the branch's %d full and probationary members", got, len(ids.members))
	}

	steps := []struct {
		name   string
		path   string
		form   url.Values
		status int
		errID  string
	}{
		{"study step", "/steps", url.Values{"kind": {"study"}, "done_on": {"2026-10-10"}, "evidence": {"集中学习记录"}}, 303, ""},
		{"step without evidence", "/steps", url.Values{"kind": {"study"}, "done_on": {"2026-10-10"}}, 422, "error-evidence"},
		{"step of unknown kind", "/steps", url.Values{"kind": {"party"}, "done_on": {"2026-10-10"}, "evidence": {"x"}}, 422, "error-kind"},
		{"opinion", "/opinions", url.Values{"source_type": {"masses"}, "content": {"希望多到一线调研"}, "received_on": {"2026-10-12"}}, 303, ""},
		{"opinion without source", "/opinions", url.Values{"source_type": {""}, "content": {"x"}, "received_on": {"2026-10-12"}}, 422, "error-source_type"},
		{"criticism", "/criticisms", url.Values{"from_id": {id(ids.members[1])}, "to_id": {id(ids.members[0])}, "content": {"工作方法有待改进"}}, 303, ""},
		{"criticism of oneself", "/criticisms", url.Values{"from_id": {id(ids.members[1])}, "to_id": {id(ids.members[1])}, "content": {"x"}}, 422, "error-to_id"},
		{"criticism by an outsider", "/criticisms", url.Values{"from_id": {"999999"}, "to_id": {id(ids.members[1])}, "content": {"x"}}, 422, "error-from_id"},
		{"item", "/items", url.Values{"problem": {"学习形式单一"}, "measure": {"开展专题研讨"}, "owner_id": {id(ids.members[0])}, "deadline": {"2020-01-31"}}, 303, ""},
		{"item without deadline", "/items", url.Values{"problem": {"x"}, "measure": {"y"}, "owner_id": {id(ids.members[0])}}, 422, "error-deadline"},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			r := sec.PostForm(base+tc.path, tc.form)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.errID != "" && r.TestID(tc.errID) == "" {
				t.Errorf("no message %s", tc.errID)
			}
		})
	}
	// Self-examination material and self-criticism of one participant.
	pp := fmt.Sprintf("%s/participants/%d", base, ids.members[0])
	if r := sec.PostForm(pp, url.Values{"self_exam_on": {"2026-11-01"}, "self_criticism": {"理论学习不够深入。"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("participant: %d", r.Status)
	}
	if r := sec.PostForm(pp, url.Values{"self_exam_on": {"not a date"}, "version": {"2"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-self_exam_on") == "" {
		t.Fatalf("participant bad date: %d", r.Status)
	}
	// A second edit from the same starting point is a conflict showing the
	// saved text and keeping the typed one.
	late := sec.PostForm(pp, url.Values{"self_exam_on": {"2026-11-02"}, "self_criticism": {"另一人的输入"}, "version": {"1"}})
	if late.Status != http.StatusConflict || !strings.Contains(late.TestID("conflict"), "理论学习不够深入") || late.Doc().Find(`textarea[name="self_criticism"]`).Text() != "另一人的输入" {
		t.Fatalf("stale participant edit: %d", late.Status)
	}
	// Not held yet: submitting is refused.
	if r := sec.PostForm(base+"/submit", url.Values{"confirm": {"yes"}, "version": {"1"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("submit before the meeting: %d", r.Status)
	}
	// Leave without a reason is refused; then the meeting is held.
	bad := hold(ids.members, len(ids.members), "0")
	bad.Set("status_"+id(ids.members[2]), "leave")
	if r := sec.PostForm(base+"/hold", bad); r.Status != http.StatusUnprocessableEntity || r.TestID("row-error") == "" {
		t.Fatalf("leave without reason: %d", r.Status)
	}
	if r := sec.PostForm(base+"/hold", hold(ids.members, len(ids.members)-1, "0")); r.Status != http.StatusSeeOther {
		t.Fatalf("hold: %d", r.Status)
	}
	// Recording the meeting again from a stale form is a conflict.
	if r := sec.PostForm(base+"/hold", hold(ids.members, 1, "0")); r.Status != http.StatusConflict || r.TestID("conflict") == "" {
		t.Fatalf("stale hold: %d", r.Status)
	}
	if s := lifeStatus(t, app, lifeID); s != life.StatusHeld {
		t.Fatalf("status after the meeting: %s", s)
	}
	page = sec.Get(base)
	if got := page.TestID("life-attendance"); !strings.Contains(got, strconv.Itoa(len(ids.members)-1)) {
		t.Errorf("attendance: %q", got)
	}
	if page.TestID("life-quorum") != "" {
		t.Error("an organisational-life meeting is flagged for quorum")
	}
	if page.Doc().Find(`[data-testid="criticisms-of"]`).Length() != 1 || !strings.Contains(page.TestID("criticism"), "工作方法有待改进") {
		t.Errorf("criticisms per person: %q", page.TestID("criticisms-of"))
	}
	if page.TestID("rect-overdue") == "" {
		t.Error("the overdue item is not highlighted on the meeting page")
	}

	// Submission needs the confirmation and the reviewed version.
	confirm := sec.Get(base + "/submit")
	version := confirm.Doc().Find(`input[name="version"]`).AttrOr("value", "")
	if r := sec.PostForm(base+"/submit", url.Values{"version": {version}}); r.Status != http.StatusUnprocessableEntity || r.TestID("submit-error") == "" {
		t.Fatalf("submit without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(base+"/submit", url.Values{"version": {"1"}, "confirm": {"yes"}}); r.Status != http.StatusConflict {
		t.Fatalf("submit of a stale version: %d", r.Status)
	}
	if r := sec.PostForm(base+"/submit", url.Values{"version": {version}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if s := lifeStatus(t, app, lifeID); s != life.StatusSubmitted {
		t.Fatalf("status after submission: %s", s)
	}

	// Locked: every section refuses changes, and the forms are gone.
	for _, p := range []string{"/steps", "/opinions", "/criticisms", "/items", "/hold", fmt.Sprintf("/participants/%d", ids.members[0])} {
		if r := sec.PostForm(base+p, url.Values{"kind": {"study"}, "done_on": {"2026-10-10"}, "evidence": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("POST %s after submission: %d, want 403", p, r.Status)
		}
	}
	if r := sec.Get(base + "/hold"); r.Status != http.StatusForbidden {
		t.Errorf("hold form after submission: %d", r.Status)
	}
	page = sec.Get(base)
	if page.TestID("life-locked") == "" || page.Has(`[data-testid="step-add"]`) {
		t.Error("the submitted record does not show as locked")
	}

	// The rectification item stays editable after submission.
	var itemID int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT id FROM rectification_items WHERE life_id = $1`, lifeID).Scan(&itemID); err != nil {
		t.Fatal(err)
	}
	ip := fmt.Sprintf("/rectification/%d", itemID)
	if r := sec.PostForm(ip, url.Values{"status": {"done"}, "evidence": {"已开展"}, "version": {"1"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-done_on") == "" {
		t.Fatalf("done without a date: %d", r.Status)
	}
	if r := sec.PostForm(ip, url.Values{"status": {"done"}, "done_on": {"2026-01-05"}, "evidence": {"已开展两次专题研讨"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("item done: %d", r.Status)
	}
	stale := sec.PostForm(ip, url.Values{"status": {"in_progress"}, "evidence": {"我的旧输入"}, "version": {"1"}})
	if stale.Status != http.StatusConflict || stale.TestID("conflict") == "" || stale.Doc().Find(`textarea[name="evidence"]`).Text() != "我的旧输入" {
		t.Fatalf("stale item edit: %d", stale.Status)
	}

	// The reviewer reads the submitted record and its print view, but may
	// not change a branch's meeting.
	rev := app.Login(t, "reviewer")
	rp := rev.Get(base)
	if rp.Status != http.StatusOK || rp.TestID("life-locked") == "" {
		t.Fatalf("reviewer view: %d", rp.Status)
	}
	pr := rev.Get(base + "/print")
	if pr.Status != http.StatusOK || pr.Doc().Find(`[data-testid="print-person"]`).Length() != len(ids.members) ||
		!strings.Contains(pr.TestID("life-print"), "理论学习不够深入") || !strings.Contains(pr.TestID("life-print"), "希望多到一线调研") ||
		!strings.Contains(pr.TestID("life-print"), "已开展两次专题研讨") {
		t.Errorf("print view is not the complete record: %d", pr.Status)
	}
	if r := rev.PostForm(ip, url.Values{"status": {"open"}, "version": {"2"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer edits a branch item: %d", r.Status)
	}
	// The member role has no access at all.
	if r := app.Login(t, "member").Get(base); r.Status != http.StatusForbidden {
		t.Errorf("member: %d", r.Status)
	}
	var audits int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action LIKE 'life.%' OR action LIKE 'rectification.%'`).Scan(&audits); err != nil || audits < 9 {
		t.Errorf("audit rows: %d (%v)", audits, err)
	}
}

func TestDemocraticLifeQuorumAndAccess(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ids := lookup(t, app)
	rev := app.Login(t, "reviewer")
	// A leadership group: four members in office, one whose term ended
	// before this year, one who joins next year.
	r := rev.PostForm("/leadership-groups", url.Values{"name": {"测试党组"}, "kind": {"party_group"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create group: %d", r.Status)
	}
	group := strings.TrimPrefix(r.Location, "/leadership-groups/")
	next := strconv.Itoa(time.Now().Year() + 1)
	for i, m := range ids.members[:6] {
		f := url.Values{"member_id": {id(m)}, "role": {"member"}, "from_on": {"2020-01-01"}}
		switch i {
		case 0:
			f.Set("role", "secretary")
		case 4:
			f.Set("to_on", "2020-12-31")
		case 5:
			f.Set("from_on", next+"-01-01")
		}
		if r := rev.PostForm("/leadership-groups/"+group+"/members", f); r.Status != http.StatusSeeOther {
			t.Fatalf("add member %d: %d", i, r.Status)
		}
	}
	lifeID := create(t, rev, "g"+group, "领导班子民主生活会")
	var due []int64
	rows, err := app.Pool.Query(t.Context(), `SELECT member_id FROM life_participants WHERE life_id = $1 ORDER BY member_id`, lifeID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m int64
		_ = rows.Scan(&m)
		due = append(due, m)
	}
	if fmt.Sprint(due) != fmt.Sprint(ids.members[:4]) {
		t.Fatalf("participants %v, want the group's members in office %v", due, ids.members[:4])
	}
	base := fmt.Sprintf("/life/%d", lifeID)
	// Fewer than two thirds present: flagged, not refused.
	if r := rev.PostForm(base+"/hold", hold(due, 1, "0")); r.Status != http.StatusSeeOther {
		t.Fatalf("hold: %d", r.Status)
	}
	if rev.Get(base).TestID("life-quorum") == "" {
		t.Error("a democratic-life meeting with 1 present is not flagged")
	}
	if r := rev.Get(base + "/submit"); r.Status != http.StatusOK || !r.Has(`[data-testid="submit-warnings"]`) {
		t.Errorf("confirmation page does not warn: %d", r.Status)
	}
	// Two thirds present: no flag.
	if r := rev.PostForm(base+"/hold", hold(due, (2*len(due)+2)/3, meetingVersion(t, app, lifeID))); r.Status != http.StatusSeeOther {
		t.Fatalf("hold again: %d", r.Status)
	}
	if rev.Get(base).TestID("life-quorum") != "" {
		t.Error("two thirds present is still flagged")
	}
	// A branch secretary does not even see the committee's meeting.
	sec := app.Login(t, "secretary")
	if r := sec.Get(base); r.Status != http.StatusNotFound {
		t.Errorf("secretary reads the democratic-life meeting: %d", r.Status)
	}
	if r := sec.PostForm(base+"/steps", url.Values{"kind": {"study"}, "done_on": {"2026-10-10"}, "evidence": {"x"}}); r.Status != http.StatusNotFound {
		t.Errorf("secretary writes the democratic-life meeting: %d", r.Status)
	}
}

func TestOverdueItems(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ids := lookup(t, app)
	ctx := context.Background()
	// The demo democratic-life meeting has exactly the one item past its
	// deadline and not done.
	items, err := life.OverdueForOrg(ctx, app.Pool, ids.committee)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM rectification_items WHERE status <> 'done' AND deadline < current_date`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	if len(items) != want || want == 0 {
		t.Fatalf("overdue in the agency: %d, want %d", len(items), want)
	}
	for _, it := range items {
		if !it.Overdue || it.Status == "done" {
			t.Errorf("item %d listed as overdue: %+v", it.ID, it)
		}
	}
	owner := *items[0].OwnerID
	mine, err := life.OverdueForMember(ctx, app.Pool, owner)
	if err != nil || len(mine) == 0 || *mine[0].OwnerID != owner {
		t.Fatalf("overdue of member %d: %v %v", owner, mine, err)
	}
	branchItems, err := life.OverdueForOrg(ctx, app.Pool, ids.branch)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range branchItems {
		if it.OrgID != ids.branch {
			t.Errorf("item of org %d listed for branch %d", it.OrgID, ids.branch)
		}
	}

	// The reviewer's rectification list highlights the overdue item first.
	rev := app.Login(t, "reviewer")
	r := rev.Get("/rectification?status=overdue")
	if r.Status != http.StatusOK || r.Doc().Find(`tr.overdue[data-testid="rect-item"]`).Length() != want {
		t.Fatalf("reviewer overdue list: %d, %d rows", r.Status, r.Doc().Find(`tr.overdue`).Length())
	}
	all := rev.Get("/rectification")
	if !all.Doc().Find(`[data-testid="rect-item"]`).First().HasClass("overdue") {
		t.Error("overdue items are not listed first")
	}
	// The submitted democratic-life meeting shows its overdue count in the list.
	if rev.Get("/life").TestID("life-overdue") == "" {
		t.Error("the life list does not flag overdue items")
	}
	var submitted int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM life_meetings WHERE status = 'submitted'`).Scan(&submitted); err != nil {
		t.Fatal(err)
	}
	if got := rev.Get("/life?status=submitted").Doc().Find(`[data-testid="life-row"]`).Length(); got != submitted {
		t.Errorf("submitted filter: %d rows, want %d", got, submitted)
	}
	// The demo's only meeting in preparation is this year's of the
	// leadership group (internal/seed/leadgroup.go).
	if got := rev.Get("/life?status=preparing").Doc().Find(`[data-testid="life-row"]`).Length(); got != 1 {
		t.Errorf("preparing filter: %d rows, want 1", got)
	}
	// The secretary sees only the branch's items.
	sec := app.Login(t, "secretary")
	sr := sec.Get("/rectification")
	sr.Doc().Find(`[data-testid="rect-item"] td:first-child`).Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Text()) != "办公室党支部" {
			t.Errorf("secretary sees an item of %q", s.Text())
		}
	})
	var committeeItem int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM rectification_items WHERE org_id = $1 LIMIT 1`, ids.committee).Scan(&committeeItem); err != nil {
		t.Fatal(err)
	}
	if r := sec.Get(fmt.Sprintf("/rectification/%d", committeeItem)); r.Status != http.StatusNotFound {
		t.Errorf("secretary opens a committee item: %d", r.Status)
	}
	// The reviewer (the committee's Party office) updates the committee's items.
	if r := rev.PostForm(fmt.Sprintf("/rectification/%d", committeeItem), url.Values{"status": {"in_progress"}, "evidence": {"推进中"}, "version": {rev.Get(fmt.Sprintf("/rectification/%d", committeeItem)).Doc().Find(`input[name="version"]`).AttrOr("value", "")}}); r.Status != http.StatusSeeOther {
		t.Errorf("reviewer updates a committee item: %d", r.Status)
	}
}

func TestParticipantsAndThemeEdits(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ids := lookup(t, app)
	sec := app.Login(t, "secretary")
	lifeID := create(t, sec, id(ids.branch), "初始主题")
	base := fmt.Sprintf("/life/%d", lifeID)
	count := func() int {
		var n int
		if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM life_participants WHERE life_id = $1`, lifeID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n0 := count()
	victim := ids.members[len(ids.members)-1]
	rm := fmt.Sprintf("%s/participants/%d/remove", base, victim)
	if r := sec.Get(rm); r.Status != http.StatusOK || !r.Has(`input[name="confirm"][required]`) {
		t.Fatalf("remove confirmation page: %d", r.Status)
	}
	if r := sec.PostForm(rm, url.Values{}); r.Status != http.StatusUnprocessableEntity || count() != n0 {
		t.Fatalf("remove without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(rm, url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther || count() != n0-1 {
		t.Fatalf("remove: %d, %d participants", r.Status, count())
	}
	// Only members of the organisation who are not participants can be added.
	var outsider int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT id FROM members WHERE branch_id <> $1 LIMIT 1`, ids.branch).Scan(&outsider); err != nil {
		t.Fatal(err)
	}
	if r := sec.PostForm(base+"/participants", url.Values{"member_id": {id(outsider)}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-member_id") == "" {
		t.Fatalf("add an outsider: %d", r.Status)
	}
	if r := sec.PostForm(base+"/participants", url.Values{"member_id": {id(victim)}}); r.Status != http.StatusSeeOther || count() != n0 {
		t.Fatalf("add back: %d", r.Status)
	}
	// A participant named in a criticism cannot be removed.
	if r := sec.PostForm(base+"/criticisms", url.Values{"from_id": {id(ids.members[0])}, "to_id": {id(victim)}, "content": {"意见"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("criticism: %d", r.Status)
	}
	if r := sec.PostForm(rm, url.Values{"confirm": {"yes"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("remove-error") == "" || count() != n0 {
		t.Fatalf("remove a criticised participant: %d", r.Status)
	}
	// The checklist counts the self-examination material.
	page := sec.Get(base)
	if !strings.Contains(page.TestID("checklist"), fmt.Sprintf("0 / %d", n0)) {
		t.Errorf("checklist: %q", page.TestID("checklist"))
	}

	// Theme edits use the version: the second of two edits from the same
	// starting point is a conflict that keeps the typed theme.
	form := sec.Get(base + "/edit")
	version := form.Doc().Find(`input[name="version"]`).AttrOr("value", "")
	if r := sec.PostForm(base+"/edit", url.Values{"theme": {"新主题甲"}, "version": {version}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.Status)
	}
	r := sec.PostForm(base+"/edit", url.Values{"theme": {"新主题乙"}, "version": {version}})
	if r.Status != http.StatusConflict || !strings.Contains(r.TestID("conflict"), "新主题甲") || r.Doc().Find(`textarea[name="theme"]`).Text() != "新主题乙" {
		t.Fatalf("stale edit: %d %q", r.Status, r.TestID("conflict"))
	}
	if r := sec.PostForm(base+"/edit", url.Values{"theme": {""}, "version": {version}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-theme") == "" {
		t.Fatalf("empty theme: %d", r.Status)
	}
}

func TestOverdueCounts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ids := lookup(t, app)
	ctx := context.Background()
	byOrg, err := life.OverdueByOrg(ctx, app.Pool, []int64{ids.committee})
	if err != nil {
		t.Fatal(err)
	}
	items, err := life.OverdueForOrg(ctx, app.Pool, ids.committee)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, n := range byOrg {
		sum += n
	}
	if sum != len(items) || byOrg[ids.committee] == 0 {
		t.Errorf("by org: %v, %d items", byOrg, len(items))
	}
	byOwner, err := life.OverdueByOwner(ctx, app.Pool, []int64{ids.committee})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if byOwner[*it.OwnerID] == 0 {
			t.Errorf("owner %d of overdue item %d not counted", *it.OwnerID, it.ID)
		}
	}
	// A branch's scope does not see the committee's items.
	if b, err := life.OverdueByOrg(ctx, app.Pool, []int64{ids.branch}); err != nil || b[ids.committee] != 0 {
		t.Errorf("branch scope: %v %v", b, err)
	}
}
