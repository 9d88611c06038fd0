package member_test

import (
	"strconv"
	"strings"
	"testing"

	"zhibu/internal/apptest"
)

// TestMemberPageShowsTheYear: the page an alert about study hours leads
// to shows the member's hours against the minimum, the same as the
// member's own /me, and the year's meetings with what happened at each.
func TestMemberPageShowsTheYear(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	id := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'member'`)
	me := app.Login(t, "member").Get("/me")
	page := app.Login(t, "secretary").Get("/members/" + strconv.FormatInt(id, 10))
	if page.Status != 200 {
		t.Fatalf("member page: %d", page.Status)
	}
	if got, want := page.TestID("member-hours"), me.TestID("total-hours"); got != want || got == "" {
		t.Errorf("hours on the member page %q, on /me %q", got, want)
	}
	if got, want := page.TestID("member-minimum"), me.TestID("minimum-hours"); got != want {
		t.Errorf("minimum on the member page %q, on /me %q", got, want)
	}
	if !page.Has(`progress[data-testid="member-hours-bar"]`) {
		t.Error("no hours bar")
	}
	due := app.Int(t, `SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
	                   WHERE a.member_id = $1 AND extract(year FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')`, id)
	shown := page.Doc().Find(`[data-testid="member-year"] li a[href^="/meetings/"]`).Length()
	if due == 0 || int64(shown) != due {
		t.Errorf("the page lists %d meetings, the member was due at %d this year", shown, due)
	}
	present := app.Int(t, `SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
	                       WHERE a.member_id = $1 AND a.status = 'present' AND extract(year FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = extract(year FROM now() AT TIME ZONE 'Asia/Shanghai')`, id)
	if got := page.TestID("member-meeting-counts"); !strings.HasPrefix(got, "出席 "+strconv.FormatInt(present, 10)+" 次") {
		t.Errorf("counts %q, want %d present", got, present)
	}
}
