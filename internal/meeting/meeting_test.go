package meeting_test

import (
	"bytes"
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
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func daysAgo(n int) string {
	return time.Now().In(i18n.Shanghai).AddDate(0, 0, -n).Format(time.DateOnly)
}

// meetingForm is a valid form for a held meeting of the given kind.
func meetingForm(org int64, kind, date string) url.Values {
	return url.Values{
		"org_id": {strconv.FormatInt(org, 10)}, "kind": {kind}, "status": {"draft"}, "topic": {"研究部署年底党建工作"},
		"date": {date}, "start": {"09:00"}, "end": {"10:30"}, "place": {"三楼会议室"},
		"minutes": {"书记通报了上月工作。"}, "decisions": {"一、按时完成年度总结。"}, "study_hours": {"0"}, "version": {"0"},
	}
}

// create posts the form and returns the new meeting's id.
func create(t *testing.T, c *apptest.Client, form url.Values) int64 {
	t.Helper()
	r := c.PostForm("/meetings/new", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: status %d, want 303\n%s", r.Status, r.Body)
	}
	parts := strings.Split(strings.TrimPrefix(r.Location, "/meetings/"), "/")
	id, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil {
		t.Fatalf("create: redirect to %q", r.Location)
	}
	return id
}

func path(id int64, suffix string) string { return "/meetings/" + strconv.FormatInt(id, 10) + suffix }

// attendanceForm reads the attendance form as a browser would submit it,
// then applies the changes (member id → status, reason, hours).
type change struct{ status, reason, hours string }

func attendanceForm(t *testing.T, c *apptest.Client, id int64, changes map[int64]change) url.Values {
	t.Helper()
	r := c.Get(path(id, "/attendance"))
	if r.Status != http.StatusOK {
		t.Fatalf("attendance form: %d", r.Status)
	}
	form := url.Values{}
	doc := r.Doc()
	form.Set("version", doc.Find(`input[name=version]`).AttrOr("value", ""))
	for _, node := range doc.Find(`input[name=member]`).Nodes {
		var key string
		for _, a := range node.Attr {
			if a.Key == "value" {
				key = a.Val
			}
		}
		form.Add("member", key)
		status := doc.Find(`input[name="status-`+key+`"][checked]`).AttrOr("value", "")
		if status != "" {
			form.Set("status-"+key, status)
		}
		form.Set("reason-"+key, doc.Find(`input[name="reason-`+key+`"]`).AttrOr("value", ""))
		form.Set("hours-"+key, doc.Find(`input[name="hours-`+key+`"]`).AttrOr("value", ""))
	}
	for id, ch := range changes {
		key := strconv.FormatInt(id, 10)
		if ch.status != "" {
			form.Set("status-"+key, ch.status)
		}
		form.Set("reason-"+key, ch.reason)
		if ch.hours != "" {
			form.Set("hours-"+key, ch.hours)
		}
	}
	return form
}

func memberIDs(form url.Values) []int64 {
	var out []int64
	for _, s := range form["member"] {
		id, _ := strconv.ParseInt(s, 10, 64)
		out = append(out, id)
	}
	return out
}

// credits returns member → hours of the meeting's study credits.
func credits(t *testing.T, app *apptest.App, id int64) map[int64]float64 {
	t.Helper()
	rows, err := app.Pool.Query(context.Background(), `SELECT member_id, hours::float8 FROM study_credits WHERE meeting_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]float64{}
	for rows.Next() {
		var m int64
		var h float64
		if err := rows.Scan(&m, &h); err != nil {
			t.Fatal(err)
		}
		out[m] = h
	}
	return out
}

func TestSecretaryLogsACommitteeMeeting(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")

	newForm := c.Get("/meetings/new")
	if newForm.Status != http.StatusOK || !newForm.Has(`[data-testid="meeting-form"]`) {
		t.Fatalf("new form: %d", newForm.Status)
	}
	id := create(t, c, meetingForm(branch, "committee", daysAgo(1)))

	// Everyone due (the five committee members) starts as present.
	form := attendanceForm(t, c, id, nil)
	members := memberIDs(form)
	if len(members) != 5 {
		t.Fatalf("committee meeting: %d rows, want the 5 committee members", len(members))
	}
	for _, m := range members {
		if form.Get("status-"+strconv.FormatInt(m, 10)) != "present" {
			t.Errorf("member %d does not start as present", m)
		}
	}
	// Three exceptions: half or fewer present is flagged.
	form = attendanceForm(t, c, id, map[int64]change{
		members[1]: {status: "leave", reason: "出差"},
		members[2]: {status: "absent"},
		members[3]: {status: "absent"},
	})
	if r := c.PostForm(path(id, "/attendance"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("save attendance: %d\n%s", r.Status, r.Body)
	}
	show := c.Get(path(id, ""))
	for k, want := range map[string]string{"due": "5", "present": "2", "leave": "1", "absent": "2", "rate": "40%"} {
		if got := show.TestID(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	if show.TestID("no-quorum") == "" {
		t.Error("a committee meeting with 2 of 5 present is not flagged")
	}
	pr := c.Get(path(id, "/print"))
	// The record keeps leave and absence apart, each with names and reasons,
	// names the meeting's kind in its heading and leaves out empty rows.
	if got := pr.TestID("print-leave"); !strings.HasSuffix(got, "（出差）") || strings.Contains(got, "、") {
		t.Errorf("print on leave %q, want one name with its reason", got)
	}
	if got := pr.TestID("print-absent"); strings.Count(got, "、") != 1 || strings.Contains(got, "出差") || strings.Contains(got, "请假") {
		t.Errorf("print absentees %q, want two names and no leave", got)
	}
	if got := pr.TestID("print-counts"); got != "应到 5 人，实到 2 人，请假 1 人，缺席 2 人" {
		t.Errorf("print counts %q", got)
	}
	if got := pr.TestID("print-heading"); !strings.Contains(got, "支部委员会") || !strings.HasSuffix(got, "记录") {
		t.Errorf("print heading %q does not name the meeting's kind", got)
	}
	if pr.Has(`[data-testid="print-observers"]`) || !pr.Has(`[data-testid="print-button"]`) {
		t.Errorf("print: an empty observers row, or no print button")
	}
	list := c.Get("/meetings?kind=committee")
	if !strings.Contains(list.Body, "研究部署年底党建工作") {
		t.Error("the new meeting is not in the list")
	}
	// Submitting ends the secretary's work; every step is in the audit trail.
	sub := c.Get(path(id, "/submit"))
	v := sub.Doc().Find(`input[name=version]`).AttrOr("value", "")
	if r := c.PostForm(path(id, "/submit"), url.Values{"version": {v}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	rows, err := app.Pool.Query(context.Background(), `SELECT action FROM audit_events WHERE entity = 'meeting' AND entity_id = $1 AND actor = 'secretary' ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	if strings.Join(actions, " ") != "meeting.create meeting.attendance meeting.submit" {
		t.Errorf("audit trail %v", actions)
	}
}

func TestObserversAreNotDue(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := create(t, c, meetingForm(app.OrgID(t, "第一党小组"), "group", daysAgo(1)))
	form := attendanceForm(t, c, id, nil)
	due := len(memberIDs(form))
	var outsider int64
	if err := app.Pool.QueryRow(context.Background(), `
SELECT m.id FROM members m JOIN organisations g ON g.id = m.group_id
 WHERE g.name = '第二党小组' AND m.category = 'full' ORDER BY m.id LIMIT 1`).Scan(&outsider); err != nil {
		t.Fatal(err)
	}
	key := strconv.FormatInt(outsider, 10)
	if !c.Get(path(id, "/attendance")).Has(`select[name=add_observer] option[value="` + key + `"]`) {
		t.Fatal("a member of the other group is not offered as an observer")
	}
	form.Set("add_observer", key)
	if r := c.PostForm(path(id, "/attendance"), form); r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/attendance") {
		t.Fatalf("add observer: %d to %q", r.Status, r.Location)
	}
	show := c.Get(path(id, ""))
	if show.TestID("observers") != "1" || show.TestID("due") != strconv.Itoa(due) {
		t.Errorf("observers %q, due %q (want 1, %d)", show.TestID("observers"), show.TestID("due"), due)
	}
	if _, ok := credits(t, app, id)[outsider]; ok {
		t.Error("an observer is credited")
	}
	form = attendanceForm(t, c, id, nil)
	form.Set("remove-"+key, "yes")
	if r := c.PostForm(path(id, "/attendance"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("remove observer: %d", r.Status)
	}
	if got := c.Get(path(id, "")).TestID("observers"); got != "0" {
		t.Errorf("observers after removal %q", got)
	}
}

func TestAttendanceHoursAndCreditsStayInStep(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	f := meetingForm(branch, "study", daysAgo(2))
	f.Set("study_form", "central")
	f.Set("study_hours", "2")
	id := create(t, c, f)

	form := attendanceForm(t, c, id, nil)
	members := memberIDs(form)
	if len(members) < 20 {
		t.Fatalf("branch study session: %d due, want the branch's members", len(members))
	}
	got := credits(t, app, id)
	if len(got) != len(members) {
		t.Fatalf("credits for %d members, want %d", len(got), len(members))
	}
	for _, m := range members {
		if got[m] != 2 {
			t.Errorf("member %d credited %v, want 2", m, got[m])
		}
	}

	// On leave: no credit; a personal adjustment: 1.5.
	form = attendanceForm(t, c, id, map[int64]change{
		members[0]: {status: "leave", reason: "病假"},
		members[1]: {hours: "1.5"},
		members[2]: {status: "absent"},
	})
	if r := c.PostForm(path(id, "/attendance"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("save attendance: %d\n%s", r.Status, r.Body)
	}
	got = credits(t, app, id)
	if _, ok := got[members[0]]; ok {
		t.Error("a member on leave is credited")
	}
	if _, ok := got[members[2]]; ok {
		t.Error("an absent member is credited")
	}
	if got[members[1]] != 1.5 {
		t.Errorf("adjusted member credited %v, want 1.5", got[members[1]])
	}
	if len(got) != len(members)-2 {
		t.Errorf("%d credits, want %d", len(got), len(members)-2)
	}

	// The session's hours change: those with the old hours follow, the
	// personal adjustment stays.
	edit := c.Get(path(id, "/edit"))
	ef := url.Values{}
	for k, v := range f {
		ef[k] = v
	}
	ef.Set("study_hours", "3")
	ef.Set("version", edit.Doc().Find(`input[name=version]`).AttrOr("value", ""))
	if r := c.PostForm(path(id, "/edit"), ef); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.Status, r.Body)
	}
	got = credits(t, app, id)
	if got[members[3]] != 3 || got[members[1]] != 1.5 {
		t.Errorf("after the change: %v and %v, want 3 and 1.5", got[members[3]], got[members[1]])
	}
	var attSum, creditSum float64
	if err := app.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(hours), 0)::float8 FROM attendance WHERE meeting_id = $1 AND status = 'present'`, id).Scan(&attSum); err != nil {
		t.Fatal(err)
	}
	for _, h := range got {
		creditSum += h
	}
	if attSum != creditSum {
		t.Errorf("credits %v differ from attendance %v", creditSum, attSum)
	}
}

func TestAttendanceErrorsKeepWhatWasTyped(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := create(t, c, meetingForm(app.OrgID(t, "办公室党支部"), "party_day", daysAgo(1)))
	form := attendanceForm(t, c, id, nil)
	members := memberIDs(form)
	a, b := strconv.FormatInt(members[0], 10), strconv.FormatInt(members[1], 10)
	form.Set("status-"+a, "leave")
	form.Set("reason-"+a, "")
	form.Set("status-"+b, "absent")
	form.Set("hours-"+b, "7.25")
	r := c.PostForm(path(id, "/attendance"), form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.Status)
	}
	if r.TestID("error-reason-"+a) == "" || r.TestID("error-hours-"+b) == "" {
		t.Error("no message beside the bad rows")
	}
	if !r.Has(`input[name="status-`+b+`"][value=absent][checked]`) || r.Doc().Find(`input[name="hours-`+b+`"]`).AttrOr("value", "") != "7.25" {
		t.Error("the typed row was not kept")
	}
	var n int
	if err := app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM attendance WHERE meeting_id = $1 AND status <> 'present'`, id).Scan(&n); err != nil || n != 0 {
		t.Errorf("a rejected form changed %d rows (%v)", n, err)
	}
}

func TestFailedSaveLosesNothing(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	f := meetingForm(app.OrgID(t, "办公室党支部"), "general", "2026-02-30")
	long := strings.Repeat("会议记录正文。", 500)
	f.Set("minutes", long)
	f.Set("topic", "")
	f.Set("end", "08:00")
	r := c.PostForm("/meetings/new", f)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.Status)
	}
	for _, field := range []string{"topic", "date"} {
		if r.TestID("error-"+field) == "" {
			t.Errorf("no message beside %s", field)
		}
	}
	if got := r.Doc().Find(`textarea[name=minutes]`).Text(); got != long {
		t.Errorf("the minutes were lost: %d characters back, want %d", len([]rune(got)), len([]rune(long)))
	}
	if got := r.Doc().Find(`input[name=place]`).AttrOr("value", ""); got != "三楼会议室" {
		t.Errorf("place %q not kept", got)
	}
}

func TestSubmitLocksAndCorrectionsKeepTheEarlierText(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	f := meetingForm(branch, "general", daysAgo(1))
	id := create(t, c, f)
	version := func() string {
		return c.Get(path(id, "/edit")).Doc().Find(`input[name=version]`).AttrOr("value", "")
	}
	v := version()

	if r := c.PostForm(path(id, "/submit"), url.Values{"version": {v}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Fatalf("submit without confirmation: %d", r.Status)
	}
	if r := c.PostForm(path(id, "/submit"), url.Values{"version": {v}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if got := c.Get(path(id, "")).TestID("status"); got != "已提交" {
		t.Errorf("status %q after submit", got)
	}
	// Locked: no edit, no attendance change.
	f.Set("minutes", "偷偷改动")
	f.Set("version", v)
	if r := c.PostForm(path(id, "/edit"), f); r.Status != http.StatusConflict {
		t.Errorf("edit after submit: %d, want 409", r.Status)
	}
	if r := c.Get(path(id, "/edit")); r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/correct") {
		t.Errorf("edit form after submit: %d to %q", r.Status, r.Location)
	}
	if r := c.PostForm(path(id, "/attendance"), url.Values{"version": {v}}); r.Status != http.StatusConflict {
		t.Errorf("attendance after submit: %d, want 409", r.Status)
	}
	// A correction needs a reason and keeps the earlier text.
	cf := c.Get(path(id, "/correct"))
	cv := cf.Doc().Find(`input[name=version]`).AttrOr("value", "")
	corr := url.Values{"version": {cv}, "minutes": {"书记通报了上月工作，并传达了上级文件。"}, "decisions": {f.Get("decisions")}}
	if r := c.PostForm(path(id, "/correct"), corr); r.Status != http.StatusUnprocessableEntity || r.TestID("error-reason") == "" {
		t.Fatalf("correction without reason: %d", r.Status)
	}
	corr.Set("reason", "补充传达文件内容")
	if r := c.PostForm(path(id, "/correct"), corr); r.Status != http.StatusSeeOther {
		t.Fatalf("correction: %d\n%s", r.Status, r.Body)
	}
	show := c.Get(path(id, ""))
	if got := show.TestID("minutes"); got != "书记通报了上月工作，并传达了上级文件。" {
		t.Errorf("minutes %q", got)
	}
	if got := show.TestID("revision-minutes"); got != "书记通报了上月工作。" {
		t.Errorf("earlier text %q", got)
	}
	if got := show.TestID("revision-reason"); got != "补充传达文件内容" {
		t.Errorf("reason %q", got)
	}
	var changedBy string
	if err := app.Pool.QueryRow(context.Background(), `SELECT a.username FROM meeting_revisions r JOIN accounts a ON a.id = r.changed_by WHERE r.meeting_id = $1 AND r.n = 1`, id).Scan(&changedBy); err != nil || changedBy != "secretary" {
		t.Errorf("revision by %q (%v)", changedBy, err)
	}
	// A second correction from the stale version is a conflict showing the newer text.
	corr.Set("minutes", "另一个版本")
	r := c.PostForm(path(id, "/correct"), corr)
	if r.Status != http.StatusConflict || r.TestID("saved-minutes") != "书记通报了上月工作，并传达了上级文件。" {
		t.Errorf("stale correction: %d", r.Status)
	}
}

func TestConcurrentEditShowsTheNewerRecord(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	f := meetingForm(app.OrgID(t, "办公室党支部"), "party_day", daysAgo(1))
	id := create(t, c, f)
	v := c.Get(path(id, "/edit")).Doc().Find(`input[name=version]`).AttrOr("value", "")
	first, second := url.Values{}, url.Values{}
	for k, val := range f {
		first[k], second[k] = val, val
	}
	first.Set("version", v)
	first.Set("topic", "第一人的主题")
	second.Set("version", v)
	second.Set("topic", "第二人的主题")
	if r := c.PostForm(path(id, "/edit"), first); r.Status != http.StatusSeeOther {
		t.Fatalf("first save: %d", r.Status)
	}
	r := c.PostForm(path(id, "/edit"), second)
	if r.Status != http.StatusConflict {
		t.Fatalf("second save: %d, want 409", r.Status)
	}
	if r.TestID("saved-topic") != "第一人的主题" || r.Doc().Find(`input[name=topic]`).AttrOr("value", "") != "第二人的主题" {
		t.Error("the conflict page does not show both versions")
	}
}

func TestLateEntryIsMarked(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	late := func(id int64) bool {
		var b bool
		if err := app.Pool.QueryRow(context.Background(), `SELECT late_entry FROM meetings WHERE id = $1`, id).Scan(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	onTime := create(t, c, meetingForm(branch, "group", daysAgo(6)))
	tooLate := create(t, c, meetingForm(branch, "party_day", daysAgo(9)))
	if late(onTime) {
		t.Error("a meeting entered 6 days later is marked late")
	}
	if !late(tooLate) {
		t.Error("a meeting entered 9 days later is not marked late")
	}
	if c.Get(path(tooLate, "")).TestID("late-entry") == "" {
		t.Error("the late mark is not shown")
	}
	reviewer := app.Login(t, "reviewer")
	if reviewer.Get(path(tooLate, "")).TestID("late-entry") == "" {
		t.Error("the reviewer does not see the late mark")
	}
	// The threshold is a setting.
	if _, err := app.Pool.Exec(context.Background(), `UPDATE meeting_settings SET value = 14 WHERE key = 'late_entry_days'`); err != nil {
		t.Fatal(err)
	}
	if late(create(t, c, meetingForm(branch, "party_day", daysAgo(9)))) {
		t.Error("with a 14-day threshold a 9-day-old meeting is marked late")
	}
}

func TestPlannedMeetingIsUpcomingThenHeld(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	f := meetingForm(branch, "party_day", time.Now().In(i18n.Shanghai).AddDate(0, 0, 5).Format(time.DateOnly))
	f.Set("status", "planned")
	f.Set("topic", "参观革命纪念馆")
	id := create(t, c, f)
	m := app.Login(t, "member")
	if !strings.Contains(m.Get("/me").TestID("upcoming"), "参观革命纪念馆") {
		t.Error("the member does not see the planned meeting")
	}
	// A planned meeting cannot take attendance; held too early is refused.
	if r := c.Get(path(id, "/attendance")); r.Status != http.StatusSeeOther {
		t.Errorf("attendance of a planned meeting: %d", r.Status)
	}
	f.Set("status", "draft")
	f.Set("version", c.Get(path(id, "/edit")).Doc().Find(`input[name=version]`).AttrOr("value", ""))
	if r := c.PostForm(path(id, "/edit"), f); r.Status != http.StatusUnprocessableEntity || r.TestID("error-status") == "" {
		t.Errorf("a future meeting recorded as held: %d", r.Status)
	}
}

func TestAccess(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	own := create(t, sec, meetingForm(app.OrgID(t, "办公室党支部"), "committee", daysAgo(1)))
	var other int64
	if err := app.Pool.QueryRow(context.Background(), `
SELECT m.id FROM meetings m JOIN organisations o ON o.id = m.org_id
 WHERE o.name = '人事处党支部' ORDER BY m.status = 'draft' DESC, m.id LIMIT 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	reviewer := app.Login(t, "reviewer")
	member := app.Login(t, "member")
	anon := app.Anon(t)
	cases := []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		want   int
	}{
		{"secretary reads own", sec, "GET", path(own, ""), 200},
		{"secretary edits own", sec, "GET", path(own, "/edit"), 200},
		{"secretary reads another branch", sec, "GET", path(other, ""), 404},
		{"secretary edits another branch", sec, "GET", path(other, "/edit"), 404},
		{"secretary posts attendance elsewhere", sec, "POST", path(other, "/attendance"), 404},
		{"secretary prints another branch", sec, "GET", path(other, "/print"), 404},
		{"reviewer reads", reviewer, "GET", path(other, ""), 200},
		{"reviewer prints", reviewer, "GET", path(other, "/print"), 200},
		{"reviewer may not edit", reviewer, "GET", path(other, "/edit"), 403},
		{"reviewer may not submit", reviewer, "POST", path(other, "/submit"), 403},
		{"reviewer may not create", reviewer, "POST", "/meetings/new", 403},
		{"member has no meeting list", member, "GET", "/meetings", 403},
		{"member cannot open a meeting", member, "GET", path(own, ""), 403},
		{"member sees own record", member, "GET", "/me", 200},
		{"anonymous is sent to sign in", anon, "GET", path(own, ""), 303},
		{"unknown meeting", sec, "GET", "/meetings/999999", 404},
		{"bad id", sec, "GET", "/meetings/abc", 404},
		{"admin has no record", app.Login(t, "admin"), "GET", "/me", 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var r *apptest.Response
			if tc.method == "GET" {
				r = tc.c.Get(tc.path)
			} else {
				r = tc.c.PostForm(tc.path, meetingForm(app.OrgID(t, "办公室党支部"), "general", daysAgo(1)))
			}
			if r.Status != tc.want {
				t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.Status, tc.want)
			}
		})
	}
	// The list holds only the secretary's own branch.
	list := sec.Get("/meetings?year=all")
	if strings.Contains(list.Body, "人事处党支部") {
		t.Error("the secretary's list shows another branch")
	}
	// A form cannot place a meeting in another branch.
	f := meetingForm(app.OrgID(t, "人事处党支部"), "general", daysAgo(1))
	if r := sec.PostForm("/meetings/new", f); r.Status != http.StatusUnprocessableEntity || r.TestID("error-org_id") == "" {
		t.Errorf("meeting in another branch: %d", r.Status)
	}
}

func upload(t *testing.T, c *apptest.Client, id int64, name string, data []byte) *apptest.Response {
	t.Helper()
	return c.PostFile(path(id, "/attachments"), name, data, nil)
}

func TestAttachmentLimits(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	id := create(t, c, meetingForm(app.OrgID(t, "办公室党支部"), "general", daysAgo(1)))
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 3<<20)...) // 3 MB: above the ordinary body limit
	r := upload(t, c, id, "签到表.png", png)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload of a 3 MB PNG: %d", r.Status)
	}
	show := c.Get(path(id, ""))
	link := show.Doc().Find(`[data-testid="attachments"] a`).AttrOr("href", "")
	if link == "" {
		t.Fatal("the attachment is not listed")
	}
	d := c.Get(link)
	if d.Status != 200 || d.Header.Get("Content-Type") != "image/png" || len(d.Body) != len(png) {
		t.Errorf("download: %d %s %d bytes", d.Status, d.Header.Get("Content-Type"), len(d.Body))
	}
	// The name says PDF, the content is HTML: refused.
	r = upload(t, c, id, "minutes.pdf", []byte("<html><body>not a pdf</body></html>"))
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-file") == "" {
		t.Errorf("HTML named .pdf: %d", r.Status)
	}
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{' '}, 10<<20)...)
	r = upload(t, c, id, "big.pdf", big)
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("11 MB PDF: %d, want 413", r.Status)
	}
	var n int
	if err := app.Pool.QueryRow(context.Background(), `SELECT count(*) FROM meeting_attachments WHERE meeting_id = $1`, id).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d attachments stored, want 1 (%v)", n, err)
	}
	// Other posts keep the ordinary limit.
	if r := c.PostForm(path(id, "/edit"), url.Values{"minutes": {strings.Repeat("x", 3<<20)}}); r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("3 MB form post: %d, want 413", r.Status)
	}
}

func TestICalFeedBehindASecretThatCanBeReset(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	m := app.Login(t, "member")
	if r := m.PostForm("/me/calendar", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("create address: %d", r.Status)
	}
	addr := m.Get("/me").TestID("calendar-url")
	u, err := url.Parse(addr)
	if err != nil || !strings.HasSuffix(u.Path, ".ics") {
		t.Fatalf("calendar address %q", addr)
	}
	anon := app.Anon(t)
	feed := anon.Get(u.Path)
	if feed.Status != 200 || !strings.HasPrefix(feed.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(feed.Header.Get("Content-Type"), "method=PUBLISH") || !strings.Contains(feed.Body, "BEGIN:VCALENDAR") {
		t.Fatalf("feed: %d %s", feed.Status, feed.Header.Get("Content-Type"))
	}
	if r := m.PostForm("/me/calendar", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if r := anon.Get(u.Path); r.Status != http.StatusNotFound {
		t.Errorf("old address after reset: %d, want 404", r.Status)
	}
	if r := anon.Get("/calendar/" + strings.Repeat("0", 40) + ".ics"); r.Status != http.StatusNotFound {
		t.Errorf("guessed address: %d", r.Status)
	}
}

func TestCalendarAndPrint(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	// Yesterday: a meeting at 09:00 today may not have been held yet.
	day := daysAgo(1)
	id := create(t, c, meetingForm(app.OrgID(t, "办公室党支部"), "committee", day))
	cal := c.Get("/meetings/calendar?month=" + day[:7])
	if cal.Status != 200 || !cal.Has(`[data-testid="calendar-grid"] a[href="`+path(id, "")+`"]`) {
		t.Errorf("month calendar: %d, meeting not on it", cal.Status)
	}
	if r := c.Get("/meetings/calendar?view=list"); r.Status != 200 || !r.Has(`[data-testid="calendar-list"]`) {
		t.Errorf("list view: %d", r.Status)
	}
	p := c.Get(path(id, "/print"))
	if p.Status != 200 || !strings.Contains(p.TestID("print-counts"), "应到 5 人，实到 5 人") {
		t.Errorf("print: %d %q", p.Status, p.TestID("print-counts"))
	}
}

func TestIndividualCredit(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	var memberID int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	f := url.Values{"member_id": {strconv.FormatInt(memberID, 10)}, "kind": {"online"}, "hours": {"0"}, "earned_on": {daysAgo(3)}, "evidence": {""}}
	if r := c.PostForm("/meetings/credits/new", f); r.Status != http.StatusUnprocessableEntity || r.TestID("error-hours") == "" || r.TestID("error-evidence") == "" {
		t.Fatalf("bad credit: %d", r.Status)
	}
	f.Set("hours", "6.5")
	f.Set("evidence", "中国干部网络学院结业证书")
	if r := c.PostForm("/meetings/credits/new", f); r.Status != http.StatusSeeOther {
		t.Fatalf("credit: %d", r.Status)
	}
	var h float64
	if err := app.Pool.QueryRow(context.Background(), `SELECT hours::float8 FROM study_credits WHERE member_id = $1 AND evidence = '中国干部网络学院结业证书'`, memberID).Scan(&h); err != nil || h != 6.5 {
		t.Errorf("stored %v (%v)", h, err)
	}
	// Not for a member of another branch.
	var outsider int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name = '人事处党支部' LIMIT 1`).Scan(&outsider); err != nil {
		t.Fatal(err)
	}
	f.Set("member_id", strconv.FormatInt(outsider, 10))
	if r := c.PostForm("/meetings/credits/new", f); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("credit for another branch's member: %d", r.Status)
	}
}

func TestStaleAttendanceIsAConflictThatKeepsTheInput(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	f := meetingForm(app.OrgID(t, "办公室党支部"), "committee", daysAgo(1))
	id := create(t, c, f)
	form := attendanceForm(t, c, id, nil)
	members := memberIDs(form)
	key := strconv.FormatInt(members[4], 10)
	form.Set("status-"+key, "leave")
	form.Set("reason-"+key, "参加培训")
	// Someone else saves the meeting meanwhile.
	f.Set("version", c.Get(path(id, "/edit")).Doc().Find(`input[name=version]`).AttrOr("value", ""))
	f.Set("place", "五楼小会议室")
	if r := c.PostForm(path(id, "/edit"), f); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.Status)
	}
	r := c.PostForm(path(id, "/attendance"), form)
	if r.Status != http.StatusConflict || r.TestID("conflict") == "" {
		t.Fatalf("stale attendance: %d", r.Status)
	}
	if !r.Has(`input[name="status-`+key+`"][value=leave][checked]`) || r.Doc().Find(`input[name="reason-`+key+`"]`).AttrOr("value", "") != "参加培训" {
		t.Error("the typed attendance was not kept")
	}
	// Saving again from the conflict page goes through.
	form.Set("version", r.Doc().Find(`input[name=version]`).AttrOr("value", ""))
	if r := c.PostForm(path(id, "/attendance"), form); r.Status != http.StatusSeeOther {
		t.Fatalf("second save: %d", r.Status)
	}
	if got := c.Get(path(id, "")).TestID("leave"); got != "1" {
		t.Errorf("leave %q after the second save", got)
	}
}

// TestPlannedToHeld: planning is a short form (no minutes, decisions or
// hours before the meeting); a planned meeting's main action records it as
// held, with the form on "held" and the minutes, then leads to attendance.
func TestPlannedToHeld(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	plan := c.Get("/meetings/new?status=planned")
	if plan.Has(`textarea[name=minutes]`) || plan.Has(`textarea[name=decisions]`) || plan.Has(`select[name=status]`) || plan.TestID("planning-hint") == "" {
		t.Error("the planning form asks for minutes, decisions or a status")
	}
	branch := app.OrgID(t, "办公室党支部")
	f := meetingForm(branch, "party_day", time.Now().In(i18n.Shanghai).AddDate(0, 0, 5).Format(time.DateOnly))
	f.Set("status", "planned")
	f.Set("topic", "重温入党誓词")
	id := create(t, c, f)
	// The day came.
	if _, err := app.Pool.Exec(context.Background(), `UPDATE meetings SET starts_at = starts_at - interval '6 days', ends_at = ends_at - interval '6 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	show := c.Get(path(id, ""))
	held, ok := show.Doc().Find(`[data-testid="held-link"]`).Attr("href")
	if !ok || !show.Doc().Find(`[data-testid="held-link"]`).HasClass("primary") {
		t.Fatal("a planned meeting has no main action to record it as held")
	}
	form := c.Get(held)
	if v := form.Doc().Find(`select[name=status] option[selected]`).AttrOr("value", ""); v != "draft" || !form.Has(`textarea[name=minutes]`) {
		t.Fatalf("the held form starts on status %q, minutes field %v", v, form.Has(`textarea[name=minutes]`))
	}
	f.Set("status", "draft")
	f.Set("date", time.Now().In(i18n.Shanghai).AddDate(0, 0, -1).Format(time.DateOnly))
	f.Set("minutes", "全体党员重温入党誓词。")
	f.Set("version", form.Doc().Find(`input[name=version]`).AttrOr("value", ""))
	r := c.PostForm(path(id, "/edit"), f)
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Location, "/attendance") {
		t.Errorf("recording it as held: %d → %q, want the attendance form", r.Status, r.Location)
	}
}
