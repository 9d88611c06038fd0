package meeting_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
)

// plannedMeeting creates a general meeting of the member's branch that
// starts at the given time (planned, so members may ask for leave).
func plannedMeeting(t *testing.T, app *apptest.App, startsAt time.Time) int64 {
	t.Helper()
	return app.Int(t, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status)
SELECT m.branch_id, 'general', '请假测试会议', $1::timestamptz, $1::timestamptz + interval '1 hour', 'planned'
  FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member'
RETURNING id`, startsAt)
}

func TestLeaveRequestApprovedIsExcusedAbsence(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	member := app.Login(t, "member")
	sec := app.Login(t, "secretary")
	id := plannedMeeting(t, app, time.Now().Add(48*time.Hour))
	leave := "/me/leave/" + strconv.FormatInt(id, 10)

	if r := member.Get(leave); r.Status != http.StatusOK || !r.Has(`[data-testid="leave-form"]`) {
		t.Fatalf("leave form: %d", r.Status)
	}
	// A reason is required, and what was typed is kept.
	if r := member.PostForm(leave, url.Values{"reason": {"  "}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty reason: %d, want 422", r.Status)
	}
	if r := member.PostForm(leave, url.Values{"reason": {"出差在外"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request leave: %d\n%s", r.Status, r.Body)
	}
	// A second request while one is pending is a conflict.
	if r := member.PostForm(leave, url.Values{"reason": {"again"}}); r.Status != http.StatusConflict {
		t.Fatalf("second request: %d, want 409", r.Status)
	}
	// The secretary's home lists it as a to-do; the requests page decides.
	if home := sec.Get("/"); !strings.Contains(home.Body, "请假测试会议") {
		t.Fatalf("secretary's home does not list the leave request")
	}
	rid := app.Int(t, `SELECT id FROM leave_requests WHERE meeting_id = $1`, id)
	page := sec.Get("/meetings/requests")
	if page.Status != http.StatusOK || !page.Has(`[data-testid="decide-form"]`) {
		t.Fatalf("requests page: %d", page.Status)
	}
	if r := sec.PostForm("/meetings/requests/leave/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"approve"}, "note": {"同意"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM attendance a JOIN accounts ac ON ac.member_id = a.member_id
 WHERE a.meeting_id = $1 AND ac.username = 'member' AND a.status = 'leave' AND a.reason = '出差在外'`, id); n != 1 {
		t.Fatalf("approved leave: %d attendance rows on leave, want 1", n)
	}
	// Deciding twice is a conflict; a decision outside the words is 422.
	if r := sec.PostForm("/meetings/requests/leave/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"refuse"}}); r.Status != http.StatusConflict {
		t.Fatalf("second decision: %d, want 409", r.Status)
	}
	if r := member.Get("/me/requests"); !strings.Contains(r.Body, "同意") {
		t.Fatalf("member does not see the decision's note")
	}
}

func TestLeaveRequestRefusedAndTooLate(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	member := app.Login(t, "member")
	sec := app.Login(t, "secretary")
	id := plannedMeeting(t, app, time.Now().Add(2*time.Hour))
	leave := "/me/leave/" + strconv.FormatInt(id, 10)
	if r := member.PostForm(leave, url.Values{"reason": {"家中有事"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("request: %d", r.Status)
	}
	rid := app.Int(t, `SELECT id FROM leave_requests WHERE meeting_id = $1`, id)
	if r := sec.PostForm("/meetings/requests/leave/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"maybe"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad decision: %d, want 422", r.Status)
	}
	if r := sec.PostForm("/meetings/requests/leave/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"refuse"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("refuse: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM attendance WHERE meeting_id = $1`, id); n != 0 {
		t.Fatalf("refused leave wrote %d attendance rows", n)
	}
	// A refused request may be asked again with a new reason.
	if r := member.PostForm(leave, url.Values{"reason": {"确有急事"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("ask again after refusal: %d", r.Status)
	}

	// Boundaries: a minute before the start is still in time; at the start
	// and after it, refused.
	before := plannedMeeting(t, app, time.Now().Add(time.Minute))
	if r := member.PostForm("/me/leave/"+strconv.FormatInt(before, 10), url.Values{"reason": {"临时有事"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("a minute before: %d, want 303", r.Status)
	}
	started := plannedMeeting(t, app, time.Now().Add(-time.Second))
	if r := member.PostForm("/me/leave/"+strconv.FormatInt(started, 10), url.Values{"reason": {"迟到"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("after the start: %d, want 422", r.Status)
	}
	// Another branch's meeting does not exist for the member.
	other := app.Int(t, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status)
SELECT o.id, 'general', '别的支部', now() + interval '2 days', now() + interval '2 days 1 hour', 'planned'
  FROM organisations o WHERE o.kind = 'branch' AND o.id <> (SELECT m.branch_id FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member')
 LIMIT 1 RETURNING id`)
	if r := member.Get("/me/leave/" + strconv.FormatInt(other, 10)); r.Status != http.StatusNotFound {
		t.Fatalf("other branch's meeting: %d, want 404", r.Status)
	}
}

func TestCreditClaimApproved(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	member := app.Login(t, "member")
	sec := app.Login(t, "secretary")
	today := time.Now().In(i18n.Shanghai).Format(time.DateOnly)
	// Evidence is required; the title typed stays.
	r := member.PostForm("/me/credits/new", url.Values{"title": {"网络学院专题课"}, "kind": {"online"}, "hours": {"4"}, "earned_on": {today}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "网络学院专题课") {
		t.Fatalf("claim without evidence: %d", r.Status)
	}
	if r := member.PostForm("/me/credits/new", url.Values{"title": {"网络学院专题课"}, "kind": {"online"}, "hours": {"4"}, "earned_on": {today}, "certificate_no": {"WLXY-2026-001"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("claim: %d\n%s", r.Status, r.Body)
	}
	rid := app.Int(t, `SELECT id FROM credit_requests WHERE certificate_no = 'WLXY-2026-001'`)
	before := app.Int(t, `SELECT count(*) FROM study_credits`)
	if r := sec.PostForm("/meetings/requests/credit/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM study_credits`); n != before+1 {
		t.Fatalf("approval added %d credits, want 1", n-before)
	}
	if n := app.Int(t, `SELECT count(*) FROM credit_requests WHERE id = $1 AND status = 'approved' AND credit_id IS NOT NULL`, rid); n != 1 {
		t.Fatalf("request not approved with its credit")
	}
}
