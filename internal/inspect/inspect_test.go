package inspect_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/inspect"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// A finding is overdue from the day after its deadline; the deadline day
// itself is on time, and a closed finding is never overdue.
func TestOverdueBoundaries(t *testing.T) {
	t.Parallel()
	deadline := day(2028, time.February, 29)
	closed := day(2028, time.March, 1)
	cases := []struct {
		name     string
		today    time.Time
		closedOn *time.Time
		want     bool
	}{
		{"a day short", day(2028, time.February, 28), nil, false},
		{"on the day", day(2028, time.February, 29), nil, false},
		{"a day over", day(2028, time.March, 1), nil, true},
		{"closed", day(2028, time.March, 5), &closed, false},
	}
	for _, c := range cases {
		if got := inspect.Overdue(&deadline, c.closedOn, c.today); got != c.want {
			t.Errorf("%s: overdue %v, want %v", c.name, got, c.want)
		}
	}
	if inspect.Overdue(nil, nil, closed) {
		t.Error("a finding without a notice is never overdue")
	}
}

// The rectification deadline must fall after today: today and yesterday
// are refused, tomorrow (across a month end) is accepted.
func TestDeadlineBoundaries(t *testing.T) {
	t.Parallel()
	today := day(2027, time.January, 31)
	for raw, want := range map[string]string{
		"2027-01-30": "inspect.error.deadline_past",
		"2027-01-31": "inspect.error.deadline_past",
		"2027-02-01": "",
		"2027-02-30": "inspect.error.date",
	} {
		if _, got := inspect.ValidateDeadline(raw, today); got != want {
			t.Errorf("%s: %q, want %q", raw, got, want)
		}
	}
}

// The plan's period: the end may be the start day, not the day before.
func TestPlanPeriod(t *testing.T) {
	t.Parallel()
	base := inspect.PlanForm{Title: "检查", Branches: []string{"7"}, Extra: "一项", Candidates: []inspect.Candidate{{ID: 7, Name: "支部"}}}
	for _, c := range []struct {
		ends string
		want string
	}{{"2026-03-31", ""}, {"2026-04-01", ""}, {"2026-03-30", "inspect.error.ends_before"}} {
		f := base
		f.StartsOn, f.EndsOn = "2026-03-31", c.ends
		f.Validate()
		if f.Errors["ends_on"] != c.want {
			t.Errorf("ends %s: %q, want %q", c.ends, f.Errors["ends_on"], c.want)
		}
	}
	f := base
	f.StartsOn, f.EndsOn, f.Branches = "2026-03-01", "2026-03-02", []string{"8"}
	f.Validate()
	if f.Errors["branches"] != "inspect.error.branch" {
		t.Errorf("a branch outside the committee: %q", f.Errors["branches"])
	}
}

// A whole inspection through the handlers: planned, findings recorded
// (one item not met), issued onto the branch's rectification list, the
// branch answers there, the committee closes the finding and with it the
// inspection. The secretary reads it; a member may not.
func TestInspectionRunsToTheEnd(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	rev := app.Login(t, "reviewer")
	form := url.Values{"title": {"测试检查"}, "starts_on": {"2026-01-05"}, "ends_on": {"2026-01-05"}, "branch": {fmt.Sprint(office)}, "rule": {"general_meeting"}, "extra": {"补充事项"}}
	if r := rev.PostForm("/inspections", url.Values{"title": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty plan: %d", r.Status)
	}
	if r := rev.PostForm("/inspections", form); r.Status != http.StatusSeeOther {
		t.Fatalf("plan: %d", r.Status)
	}
	id := app.Int(t, `SELECT id FROM inspections WHERE title = '测试检查'`)
	if n := app.Int(t, `SELECT count(*) FROM inspection_items WHERE inspection_id = $1`, id); n != 2 {
		t.Fatalf("checklist has %d items, want 2", n)
	}
	items := []int64{app.Int(t, `SELECT id FROM inspection_items WHERE inspection_id = $1 AND position = 1`, id), app.Int(t, `SELECT id FROM inspection_items WHERE inspection_id = $1 AND position = 2`, id)}
	base := fmt.Sprintf("/inspections/%d", id)
	// Issuing before every item has a finding is refused.
	if r := rev.PostForm(base+"/issue", url.Values{"deadline": {time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}, "version": {"1"}}); r.Status != http.StatusConflict && r.Status != http.StatusSeeOther {
		t.Fatalf("issue while planned: %d", r.Status)
	}
	// A finding not met needs a note.
	bad := url.Values{fmt.Sprintf("met_%d", items[0]): {"yes"}, fmt.Sprintf("met_%d", items[1]): {"no"}}
	if r := rev.PostForm(fmt.Sprintf("%s/branches/%d", base, office), bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("finding without a note: %d", r.Status)
	}
	good := url.Values{fmt.Sprintf("met_%d", items[0]): {"yes"}, fmt.Sprintf("met_%d", items[1]): {"no"}, fmt.Sprintf("note_%d", items[1]): {"台账不全"}}
	if r := rev.PostForm(fmt.Sprintf("%s/branches/%d", base, office), good); r.Status != http.StatusSeeOther {
		t.Fatalf("findings: %d", r.Status)
	}
	version := app.Int(t, `SELECT version FROM inspections WHERE id = $1`, id)
	today := time.Now().Format(time.DateOnly)
	if r := rev.PostForm(base+"/issue", url.Values{"deadline": {today}, "version": {fmt.Sprint(version)}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("deadline today: %d", r.Status)
	}
	if r := rev.PostForm(base+"/issue", url.Values{"deadline": {time.Now().AddDate(0, 0, 10).Format(time.DateOnly)}, "version": {fmt.Sprint(version)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("issue: %d", r.Status)
	}
	rect := app.Int(t, `SELECT rectification_id FROM inspection_findings WHERE inspection_id = $1 AND NOT met`, id)
	if org := app.Int(t, `SELECT org_id FROM rectification_items WHERE id = $1`, rect); org != office {
		t.Fatalf("the notice went to org %d, want %d", org, office)
	}
	fid := app.Int(t, `SELECT id FROM inspection_findings WHERE inspection_id = $1 AND NOT met`, id)
	fv := app.Int(t, `SELECT version FROM inspection_findings WHERE id = $1`, fid)
	closeURL := fmt.Sprintf("%s/findings/%d/close", base, fid)
	// Not yet answered by the branch: refused.
	if r := rev.PostForm(closeURL, url.Values{"version": {fmt.Sprint(fv)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close before the answer: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM inspection_findings WHERE id = $1 AND closed_on IS NULL`, fid); n != 1 {
		t.Fatal("a finding closed before the branch answered")
	}
	sec := app.Login(t, "secretary")
	rv := app.Int(t, `SELECT version FROM rectification_items WHERE id = $1`, rect)
	if r := sec.PostForm(fmt.Sprintf("/rectification/%d", rect), url.Values{"status": {"done"}, "done_on": {today}, "evidence": {"已补齐台账"}, "version": {fmt.Sprint(rv)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("the branch answers: %d", r.Status)
	}
	if r := sec.PostForm(closeURL, url.Values{"version": {fmt.Sprint(fv)}}); r.Status != http.StatusForbidden {
		t.Fatalf("the secretary closes: %d", r.Status)
	}
	if r := rev.PostForm(closeURL, url.Values{"version": {fmt.Sprint(fv)}, "closing_note": {"复查到位"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	var status string
	if err := app.Pool.QueryRow(t.Context(), `SELECT status FROM inspections WHERE id = $1`, id).Scan(&status); err != nil || status != inspect.StatusClosed {
		t.Fatalf("status %q (%v)", status, err)
	}
	if r := sec.Get(base); r.Status != http.StatusOK || !r.Has(`[data-testid="inspect-finding-closed"]`) {
		t.Fatalf("the secretary reads the closed finding: %d", r.Status)
	}
	if r := app.Login(t, "member").Get(base); r.Status != http.StatusForbidden {
		t.Fatalf("member: %d", r.Status)
	}
}

// The demo's inspection with its findings issued shows one overdue.
func TestDemoOverdueFinding(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	id := app.Int(t, `SELECT id FROM inspections WHERE status = 'findings_issued'`)
	r := app.Login(t, "reviewer").Get(fmt.Sprintf("/inspections/%d", id))
	if r.Status != http.StatusOK || !r.Has(`[data-testid="inspect-finding-overdue"]`) {
		t.Fatalf("status %d, overdue shown %v", r.Status, r.Has(`[data-testid="inspect-finding-overdue"]`))
	}
	l := app.Login(t, "reviewer").Get("/inspections")
	if !l.Has(`[data-testid="inspect-overdue"]`) {
		t.Fatal("the list does not count the overdue finding")
	}
}
