package meeting_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/apptest"
	"zhibu/internal/audit"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// submitted creates a study session of the secretary's branch held days
// ago with 2 hours, submits it and returns its id.
func submitted(t *testing.T, app *apptest.App, c *apptest.Client, days int) int64 {
	t.Helper()
	f := meetingForm(app.OrgID(t, "办公室党支部"), "study", daysAgo(days))
	f.Set("study_form", "central")
	f.Set("study_hours", "2")
	id := create(t, c, f)
	v := c.Get(path(id, "/submit")).Doc().Find(`input[name=version]`).AttrOr("value", "")
	if r := c.PostForm(path(id, "/submit"), url.Values{"version": {v}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	return id
}

// monthHours is a member's hours in member_month_stats for the month of day.
func monthHours(t *testing.T, app *apptest.App, member int64, day time.Time) float64 {
	t.Helper()
	var h float64
	err := app.Pool.QueryRow(context.Background(), `SELECT coalesce((SELECT hours::float8 FROM member_month_stats
 WHERE member_id = $1 AND month = date_trunc('month', $2::date)::date), 0)`, member, day.Format(time.DateOnly)).Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func version(c *apptest.Client, p string) string {
	return c.Get(p).Doc().Find(`input[name=version]`).AttrOr("value", "")
}

func TestAttendanceCorrectionAfterLockingKeepsTheTrailAndMovesTheRollups(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := submitted(t, app, c, 3)
	member := app.Int(t, `SELECT min(member_id) FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id)
	key := strconv.FormatInt(member, 10)
	day := time.Now().In(i18n.Shanghai).AddDate(0, 0, -3)
	hoursBefore := monthHours(t, app, member, day)
	count := func() int64 {
		return app.Int(t, `SELECT count(*) FROM meeting_corrections WHERE meeting_id = $1`, id)
	}

	// The form starts on the person's saved attendance.
	r := c.Get(path(id, "/correct/attendance?member="+key))
	if r.Status != http.StatusOK || r.Doc().Find(`select[name=member] option[selected]`).AttrOr("value", "") != key ||
		r.Doc().Find(`select[name=status] option[selected]`).AttrOr("value", "") != "present" {
		t.Fatalf("correction form: %d", r.Status)
	}
	v := r.Doc().Find(`input[name=version]`).AttrOr("value", "")
	form := url.Values{"version": {v}, "member": {key}, "status": {"absent"}, "reason": {"出差"}, "confirm": {"yes"}}

	// Without a reason for the correction: 422 beside the field, input kept, nothing written.
	r = c.PostForm(path(id, "/correct/attendance"), form)
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-why") == "" {
		t.Fatalf("correction without a reason: %d", r.Status)
	}
	if got := r.Doc().Find(`input[name=reason]`).AttrOr("value", ""); got != "出差" {
		t.Errorf("absence reason %q not kept", got)
	}
	// Without the confirmation, and a leave without its reason: refused too.
	form.Set("why", "核对签到表，当天出差未到会")
	form.Del("confirm")
	if r := c.PostForm(path(id, "/correct/attendance"), form); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("correction without confirmation: %d", r.Status)
	}
	form.Set("confirm", "yes")
	leave := url.Values{}
	for k, vs := range form {
		leave[k] = vs
	}
	leave.Set("status", "leave")
	leave.Set("reason", "")
	if r := c.PostForm(path(id, "/correct/attendance"), leave); r.Status != http.StatusUnprocessableEntity || r.TestID("error-reason") == "" {
		t.Errorf("leave without a reason: %d", r.Status)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d corrections written by refused posts", n)
	}

	// Saved: the attendance, the credit and the member's month follow; the trail keeps before → after.
	if r := c.PostForm(path(id, "/correct/attendance"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("correction: %d\n%s", r.Status, r.Body)
	}
	var status, reason string
	if err := app.Pool.QueryRow(context.Background(), `SELECT status, reason FROM attendance WHERE meeting_id = $1 AND member_id = $2`, id, member).Scan(&status, &reason); err != nil || status != "absent" || reason != "出差" {
		t.Errorf("attendance %s %q (%v)", status, reason, err)
	}
	if _, ok := credits(t, app, id)[member]; ok {
		t.Error("the absent member keeps the session's credit")
	}
	if got := monthHours(t, app, member, day); got != hoursBefore-2 {
		t.Errorf("member month hours %v, want %v", got, hoursBefore-2)
	}
	var before, after, why, by string
	err := app.Pool.QueryRow(context.Background(), `SELECT c.before->>'status', c.after->>'status' || '/' || (c.after->>'reason'), c.reason, a.username
  FROM meeting_corrections c JOIN accounts a ON a.id = c.changed_by WHERE c.meeting_id = $1 AND c.field = 'attendance' AND c.member_id = $2`, id, member).
		Scan(&before, &after, &why, &by)
	if err != nil || before != "present" || after != "absent/出差" || why != "核对签到表，当天出差未到会" || by != "secretary" {
		t.Errorf("trail: %s → %s, %q by %s (%v)", before, after, why, by, err)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'meeting.correct_attendance' AND entity_id = $1`, id); n != 1 {
		t.Errorf("%d audit rows", n)
	}
	show := c.Get(path(id, ""))
	if show.TestID("fix-before") != "出席" || !strings.Contains(show.TestID("fix-after"), "缺席") || show.TestID("fix-reason") != "核对签到表，当天出差未到会" {
		t.Errorf("trail on the page: %q → %q (%q)", show.TestID("fix-before"), show.TestID("fix-after"), show.TestID("fix-reason"))
	}
	if got := show.TestID("absent"); got != "1" {
		t.Errorf("absent count %q after the correction", got)
	}
	// The printed record carries the trail too.
	if pr := c.Get(path(id, "/print")); pr.TestID("fix-reason") != "核对签到表，当天出差未到会" {
		t.Errorf("the printed record has no correction trail: %q (status %d)", pr.TestID("fix-reason"), pr.Status)
	}
	// Back to present: the credit and the month's hours return.
	back := url.Values{"version": {version(c, path(id, "/correct/attendance?member="+key))}, "member": {key}, "status": {"present"}, "why": {"误改，恢复"}, "confirm": {"yes"}}
	if r := c.PostForm(path(id, "/correct/attendance"), back); r.Status != http.StatusSeeOther {
		t.Fatalf("second correction: %d", r.Status)
	}
	if got := monthHours(t, app, member, day); got != hoursBefore {
		t.Errorf("member month hours %v after restoring, want %v", got, hoursBefore)
	}
	// A post from the stale version is a conflict; nothing written.
	if r := c.PostForm(path(id, "/correct/attendance"), form); r.Status != http.StatusConflict || r.TestID("conflict") == "" {
		t.Errorf("stale correction: %d", r.Status)
	}
	if n := count(); n != 2 {
		t.Errorf("%d corrections, want 2", n)
	}

	// The store refuses a correction without a reason itself, writing nothing.
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: app.Int(t, `SELECT id FROM accounts WHERE username = 'secretary'`)})
	v2, _ := strconv.Atoi(version(c, path(id, "/correct/attendance")))
	err = meeting.NewStore(app.Pool).CorrectAttendance(ctx, id, v2, meeting.AttendanceFix{MemberID: member, Status: meeting.Absent, Why: "  "})
	if !errors.Is(err, meeting.ErrNoReason) || !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("store without a reason: %v", err)
	}
	if n := count(); n != 2 {
		t.Errorf("%d corrections after a refused store call", n)
	}

	// A reader of the branch may not correct; another branch's secretary does not see it.
	rev := app.Login(t, "reviewer")
	if r := rev.PostForm(path(id, "/correct/attendance"), form); r.Status != http.StatusForbidden {
		t.Errorf("reviewer correcting: %d, want 403", r.Status)
	}
}

func TestTimeAndPlaceCorrectionMovesCreditsToTheNewMonth(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := submitted(t, app, c, 3)
	member := app.Int(t, `SELECT min(member_id) FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id)
	now := time.Now().In(i18n.Shanghai)
	oldDay, newDay := now.AddDate(0, 0, -3), now.AddDate(0, 0, -40) // 37 days apart: always another month
	oldH, newH := monthHours(t, app, member, oldDay), monthHours(t, app, member, newDay)

	r := c.Get(path(id, "/correct/details"))
	if r.Status != http.StatusOK || r.Doc().Find(`input[name=place]`).AttrOr("value", "") != "三楼会议室" {
		t.Fatalf("details form: %d", r.Status)
	}
	form := url.Values{"version": {r.Doc().Find(`input[name=version]`).AttrOr("value", "")}, "date": {newDay.Format(time.DateOnly)},
		"start": {"14:00"}, "end": {"15:30"}, "place": {"五楼党员活动室"}, "confirm": {"yes"}}
	r = c.PostForm(path(id, "/correct/details"), form)
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-why") == "" || r.Doc().Find(`input[name=place]`).AttrOr("value", "") != "五楼党员活动室" {
		t.Fatalf("details without a reason: %d", r.Status)
	}
	bad := url.Values{}
	for k, vs := range form {
		bad[k] = vs
	}
	bad.Set("why", "x")
	bad.Set("end", "13:00")
	if r := c.PostForm(path(id, "/correct/details"), bad); r.Status != http.StatusUnprocessableEntity || r.TestID("error-end") == "" {
		t.Errorf("end before start: %d", r.Status)
	}
	bad.Set("end", "15:30")
	bad.Set("date", now.AddDate(0, 0, 1).Format(time.DateOnly))
	if r := c.PostForm(path(id, "/correct/details"), bad); r.Status != http.StatusUnprocessableEntity || r.TestID("error-date") == "" {
		t.Errorf("a time not yet come: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM meeting_corrections WHERE meeting_id = $1`, id); n != 0 {
		t.Fatalf("%d corrections written by refused posts", n)
	}
	form.Set("why", "记录时误填日期和地点")
	if r := c.PostForm(path(id, "/correct/details"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("details correction: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM meeting_corrections WHERE meeting_id = $1 AND reason = '记录时误填日期和地点' AND field IN ('time', 'place')`, id); n != 2 {
		t.Errorf("%d trail entries, want time and place", n)
	}
	var earned string
	if err := app.Pool.QueryRow(context.Background(), `SELECT earned_on::text FROM study_credits WHERE meeting_id = $1 AND member_id = $2`, id, member).Scan(&earned); err != nil || earned != newDay.Format(time.DateOnly) {
		t.Errorf("credit earned on %s (%v), want %s", earned, err, newDay.Format(time.DateOnly))
	}
	if got := monthHours(t, app, member, oldDay); got != oldH-2 {
		t.Errorf("old month hours %v, want %v", got, oldH-2)
	}
	if got := monthHours(t, app, member, newDay); got != newH+2 {
		t.Errorf("new month hours %v, want %v", got, newH+2)
	}
	show := c.Get(path(id, ""))
	if n := show.Doc().Find(`[data-testid=fix]`).Length(); n != 2 || !strings.Contains(show.Body, "五楼党员活动室") || !strings.Contains(show.Body, "三楼会议室") {
		t.Errorf("page shows %d trail entries", n)
	}
	// Unchanged: nothing to correct.
	form.Set("version", version(c, path(id, "/correct/details")))
	if r := c.PostForm(path(id, "/correct/details"), form); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unchanged correction: %d", r.Status)
	}
}

// uploadTo posts a file to a meeting's upload address.
func uploadTo(t *testing.T, c *apptest.Client, p string, data []byte) *apptest.Response {
	t.Helper()
	return c.PostFile(p, "签到表.pdf", data, nil)
}

func TestSignedSheetMayBeAttachedAfterSubmission(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := submitted(t, app, c, 2)
	pdf := []byte("%PDF-1.7\n1 0 obj\n")
	if r := uploadTo(t, c, path(id, "/attachments"), pdf); r.Status != http.StatusConflict {
		t.Errorf("another file after submission: %d, want 409", r.Status)
	}
	if r := uploadTo(t, c, path(id, "/sheet"), []byte("not a sheet")); r.Status != http.StatusUnprocessableEntity || r.TestID("error-sheet") == "" {
		t.Errorf("a text file as the sheet: %d", r.Status)
	}
	if r := uploadTo(t, c, path(id, "/sheet"), pdf); r.Status != http.StatusSeeOther {
		t.Fatalf("sheet: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM meeting_attachments WHERE meeting_id = $1 AND kind = 'signed_sheet'`, id); n != 1 {
		t.Errorf("%d signed sheets", n)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'meeting.attach_after_submit'`); n != 1 {
		t.Errorf("%d audit rows of the upload after submission", n)
	}
	if c.Get(path(id, "")).TestID("signed-sheet") == "" {
		t.Error("the sheet is not marked on the page")
	}
	if r := uploadTo(t, app.Login(t, "reviewer"), path(id, "/sheet"), pdf); r.Status != http.StatusForbidden {
		t.Errorf("reviewer uploading: %d, want 403", r.Status)
	}
}

// A new date re-checks who was due at the meeting: a member due on the new
// day with no record is added as absent, and the absence of a member not
// yet admitted on the new day is taken off the list; each change stands in
// the trail with the time correction's reason.
func TestTimeCorrectionRechecksWhoWasDue(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	now := time.Now().In(i18n.Shanghai)
	day := func(n int) string { return now.AddDate(0, 0, -n).Format(time.DateOnly) }
	// Two probationary members of the branch: early admitted 30 days ago,
	// late 10 days ago.
	early := app.Int(t, `SELECT min(id) FROM members WHERE branch_id = $1 AND category = 'probationary' AND party_status = 'normal'`, branch)
	late := app.Int(t, `SELECT min(id) FROM members WHERE branch_id = $1 AND category = 'probationary' AND party_status = 'normal' AND id > $2`, branch, early)
	if early == 0 || late == 0 {
		t.Fatal("the test branch needs two probationary members")
	}
	for id, n := range map[int64]int{early: 30, late: 10} {
		if _, err := app.Pool.Exec(context.Background(), `UPDATE members SET admitted_on = $2, converted_on = NULL, probation_extended_to = NULL WHERE id = $1`, id, day(n)); err != nil {
			t.Fatal(err)
		}
	}
	id := submitted(t, app, c, 20)
	listed := func(m int64) string {
		var st string
		err := app.Pool.QueryRow(context.Background(), `SELECT coalesce((SELECT status FROM attendance WHERE meeting_id = $1 AND member_id = $2), '')`, id, m).Scan(&st)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if listed(early) != "present" || listed(late) != "" {
		t.Fatalf("held 20 days ago: early %q, late %q", listed(early), listed(late))
	}
	r := c.PostForm(path(id, "/correct/attendance"), url.Values{"version": {version(c, path(id, "/correct/attendance"))},
		"member": {strconv.FormatInt(early, 10)}, "status": {"absent"}, "reason": {"出差"}, "why": {"签到表核对"}, "confirm": {"yes"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("attendance correction: %d\n%s", r.Status, r.Body)
	}
	move := func(n int, why string) {
		t.Helper()
		form := url.Values{"version": {version(c, path(id, "/correct/details"))}, "date": {day(n)},
			"start": {"09:00"}, "end": {"11:00"}, "place": {"三楼会议室"}, "why": {why}, "confirm": {"yes"}}
		if r := c.PostForm(path(id, "/correct/details"), form); r.Status != http.StatusSeeOther {
			t.Fatalf("move to %d days ago: %d\n%s", n, r.Status, r.Body)
		}
	}
	// Moved to 3 days ago: late is now due and was never listed.
	move(3, "日期误填")
	if listed(late) != "absent" || listed(early) != "absent" {
		t.Errorf("moved to 3 days ago: early %q, late %q; want both absent", listed(early), listed(late))
	}
	if n := app.Int(t, `SELECT count(*) FROM meeting_corrections WHERE meeting_id = $1 AND field = 'attendance' AND member_id = $2
   AND reason = '日期误填' AND before = '{}'::jsonb AND after->>'status' = 'absent'`, id, late); n != 1 {
		t.Errorf("%d trail entries adding the late member", n)
	}
	// Moved to 40 days ago: neither was admitted yet; their absences go.
	present := app.Int(t, `SELECT count(*) FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id)
	move(40, "再次核对日期")
	if listed(late) != "" || listed(early) != "" {
		t.Errorf("moved to 40 days ago: early %q, late %q; want both off the list", listed(early), listed(late))
	}
	if n := app.Int(t, `SELECT count(*) FROM meeting_corrections WHERE meeting_id = $1 AND field = 'attendance'
   AND reason = '再次核对日期' AND after = '{}'::jsonb`, id); n != 2 {
		t.Errorf("%d trail entries taking members off, want 2", n)
	}
	if got := app.Int(t, `SELECT count(*) FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id); got != present {
		t.Errorf("%d present after the move, want %d: those present stay", got, present)
	}
	if show := c.Get(path(id, "")); !strings.Contains(show.Body, "不在参会名单") {
		t.Error("the trail does not say who was taken off the list")
	}
}
