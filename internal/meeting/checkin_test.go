package meeting_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
)

func TestQRSignInMarksPresentAndRefusals(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	member := app.Login(t, "member")
	// A meeting under way: started 10 minutes ago.
	id := plannedMeeting(t, app, time.Now().Add(-10*time.Minute))
	screen := sec.Get(path(id, "/checkin"))
	if screen.Status != http.StatusOK {
		t.Fatalf("sign-in screen: %d", screen.Status)
	}
	code := strings.TrimSpace(screen.TestID("checkin-code"))
	if len(code) != 6 {
		t.Fatalf("code on the screen: %q", code)
	}
	if qr := sec.Get(path(id, "/checkin/qr.svg")); qr.Status != http.StatusOK || !strings.HasPrefix(qr.Body, "<svg") {
		t.Fatalf("qr: %d", qr.Status)
	}
	// The QR code's address opens the member's page with the code.
	page := member.Get("/checkin/" + strconv.FormatInt(id, 10) + "?code=" + code)
	if page.Status != http.StatusOK || !page.Has(`[data-testid="checkin-form"]`) {
		t.Fatalf("member's sign-in page: %d", page.Status)
	}
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	if r := member.PostForm("/checkin/"+strconv.FormatInt(id, 10), url.Values{"code": {wrong}}); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="checkin-error"]`) {
		t.Fatalf("wrong code: %d", r.Status)
	}
	if r := member.PostForm("/checkin/"+strconv.FormatInt(id, 10), url.Values{"code": {code}, "method": {"qr"}}); r.Status != http.StatusOK || !r.Has(`[data-testid="checkin-done"]`) {
		t.Fatalf("sign in: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM attendance a JOIN accounts ac ON ac.member_id = a.member_id
 WHERE a.meeting_id = $1 AND ac.username = 'member' AND a.status = 'present'`, id); n != 1 {
		t.Fatalf("not marked present")
	}
	// The secretary sees the arrival without reloading the page.
	state := sec.Get(path(id, "/checkin/state"))
	if state.Status != http.StatusOK || !strings.Contains(state.Body, `"arrivals":[{"name"`) {
		t.Fatalf("state: %d %s", state.Status, state.Body)
	}
	// Recording the meeting keeps the sign-ins: those who did not sign in
	// start as absent.
	absent := app.Int(t, `SELECT count(*) FROM attendance WHERE meeting_id = $1 AND status = 'absent'`, id)
	if absent != 0 {
		t.Fatalf("absent rows before recording: %d", absent)
	}

	// Outside the window: a meeting starting in two hours is refused even
	// with its right code.
	later := plannedMeeting(t, app, time.Now().Add(2*time.Hour))
	laterCode := strings.TrimSpace(sec.Get(path(later, "/checkin")).TestID("checkin-code"))
	if r := member.PostForm("/checkin/"+strconv.FormatInt(later, 10), url.Values{"code": {laterCode}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("before the window: %d, want 422", r.Status)
	}
	// Someone not due: the reviewer's account is not a member of this branch.
	other := app.Login(t, "reviewer")
	if r := other.PostForm("/checkin/"+strconv.FormatInt(id, 10), url.Values{"code": {code}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "应到") {
		t.Fatalf("not due: %d", r.Status)
	}
}

func TestApprovedLeaveSurvivesRecording(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	member := app.Login(t, "member")
	sec := app.Login(t, "secretary")
	id := plannedMeeting(t, app, time.Now().Add(3*time.Hour))
	if r := member.PostForm("/me/leave/"+strconv.FormatInt(id, 10), url.Values{"reason": {"外出培训"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("leave: %d", r.Status)
	}
	rid := app.Int(t, `SELECT id FROM leave_requests WHERE meeting_id = $1`, id)
	if r := sec.PostForm("/meetings/requests/leave/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	// The meeting takes place; the secretary records it as held (the
	// form moves it to yesterday, when it was held).
	branch := app.Int(t, `SELECT org_id FROM meetings WHERE id = $1`, id)
	form := meetingForm(branch, "general", daysAgo(1))
	form.Set("version", strconv.FormatInt(app.Int(t, `SELECT version FROM meetings WHERE id = $1`, id), 10))
	if r := sec.PostForm(path(id, "/edit"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("record: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM attendance a JOIN accounts ac ON ac.member_id = a.member_id
 WHERE a.meeting_id = $1 AND ac.username = 'member' AND a.status = 'leave' AND a.reason = '外出培训'`, id); n != 1 {
		t.Fatalf("approved leave lost when the meeting was recorded")
	}
	if n := app.Int(t, `SELECT count(*) FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id); n == 0 {
		t.Fatalf("no one else present: without sign-ins, those due start as present")
	}
}
