package leadgroup_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/leadgroup"
	"zhibu/internal/life"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// fixture finds the demo committee, its Party group and some members of
// the first branch who are not in the group.
func fixture(t *testing.T, app *apptest.App) (committee, group int64, free []int64) {
	t.Helper()
	ctx := t.Context()
	if err := app.Pool.QueryRow(ctx, `SELECT committee_id, id FROM leadership_groups WHERE name = '示范机关党组'`).Scan(&committee, &group); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Pool.Query(ctx, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.name = '办公室党支部' AND in_good_standing(m.category, m.party_status)
   AND NOT EXISTS (SELECT 1 FROM leadership_group_members gm WHERE gm.member_id = m.id) ORDER BY m.id LIMIT 4`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		free = append(free, id)
	}
	if len(free) < 4 {
		t.Fatalf("only %d free members", len(free))
	}
	return committee, group, free
}

func memberIDs(ms []leadgroup.Member) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.MemberID)
	}
	return out
}

// TestMembershipDaysAndConstraints: a membership counts from its first
// to its last day inclusive (a day before, on the day, a day after); one
// person holds one membership of a group on a day; one secretary a day.
func TestMembershipDaysAndConstraints(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	store := leadgroup.NewStore(app.Pool)
	committee, _, free := fixture(t, app)
	g, err := store.Create(ctx, leadgroup.GroupInput{CommitteeID: committee, Kind: "standing_committee", Name: "测试常委会"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, leadgroup.GroupInput{CommitteeID: committee, Kind: "party_group", Name: "测试常委会"}); !errors.Is(err, leadgroup.ErrNameTaken) {
		t.Errorf("same name twice: %v", err)
	}
	leaves, joins := day("2026-03-15"), day("2026-03-16")
	add := func(m int64, role, from string, to *time.Time) error {
		_, err := store.AddMember(ctx, g, leadgroup.MemberInput{MemberID: m, Role: role, FromOn: day(from), ToOn: to})
		return err
	}
	if err := add(free[0], "secretary", "2024-01-01", &leaves); err != nil {
		t.Fatal(err)
	}
	if err := add(free[1], "secretary", "2026-03-16", nil); err != nil {
		t.Fatalf("the next secretary from the day after: %v", err)
	}
	if err := add(free[2], "secretary", "2026-03-15", nil); !errors.Is(err, leadgroup.ErrSecondSecretary) || !errors.Is(err, apperr.ErrInvalid) {
		t.Errorf("a second secretary on the last day of the first: %v", err)
	}
	if err := add(free[0], "member", "2026-03-15", nil); !errors.Is(err, leadgroup.ErrOverlap) {
		t.Errorf("the same person twice on 15 March: %v", err)
	}
	if err := add(free[0], "member", "2026-03-16", nil); err != nil {
		t.Fatalf("the same person again from the day after: %v", err)
	}
	if err := add(free[3], "member", "2026-03-16", &leaves); err == nil {
		t.Error("a last day before the first day was accepted")
	}
	for _, c := range []struct {
		on   time.Time
		want []int64
	}{
		{leaves.AddDate(0, 0, -1), []int64{free[0]}},
		{leaves, []int64{free[0]}},
		{joins, []int64{free[0], free[1]}},
	} {
		ms, err := leadgroup.MembersOn(ctx, app.Pool, g, c.on)
		if err != nil {
			t.Fatal(err)
		}
		got := memberIDs(ms)
		slices.Sort(got)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("members on %s: %v, want %v", c.on.Format(time.DateOnly), got, c.want)
		}
	}
	var branch int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'branch' ORDER BY id LIMIT 1`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, leadgroup.GroupInput{CommitteeID: branch, Kind: "party_group", Name: "支部党组"}); err == nil {
		t.Error("a group was put under a branch")
	}
}

// TestMeetingDayDecidesWhoIsDue holds the demo group's democratic-life
// meeting on a day: a member whose last day was the day before is dropped
// from those due, one whose first day is that day is added, and the
// quorum counts them.
func TestMeetingDayDecidesWhoIsDue(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	store := leadgroup.NewStore(app.Pool)
	_, group, free := fixture(t, app)
	now := time.Now()
	meetingDay := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -2)
	dayBefore := meetingDay.AddDate(0, 0, -1)
	if _, err := store.AddMember(ctx, group, leadgroup.MemberInput{MemberID: free[0], Role: "member", FromOn: day("2020-01-01"), ToOn: &dayBefore}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMember(ctx, group, leadgroup.MemberInput{MemberID: free[1], Role: "member", FromOn: meetingDay}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddMember(ctx, group, leadgroup.MemberInput{MemberID: free[2], Role: "member", FromOn: meetingDay.AddDate(0, 0, 1)}); err != nil {
		t.Fatal(err)
	}
	var lifeID int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM life_meetings WHERE group_id = $1 AND year = $2`, group, now.Year()).Scan(&lifeID); err != nil {
		t.Fatal(err)
	}
	// free[0] was put on the list when it was set up, as if still in office.
	if _, err := app.Pool.Exec(ctx, `INSERT INTO life_participants (life_id, member_id) VALUES ($1, $2)`, lifeID, free[0]); err != nil {
		t.Fatal(err)
	}
	due, err := leadgroup.MembersOn(ctx, app.Pool, group, meetingDay)
	if err != nil {
		t.Fatal(err)
	}
	f := url.Values{"date": {meetingDay.Format(time.DateOnly)}, "time": {"09:00"}, "hours": {"3"}, "place": {"第一会议室"}, "version": {"0"}}
	for _, m := range due {
		f.Set(fmt.Sprintf("status_%d", m.MemberID), "present")
	}
	rev := app.Login(t, "reviewer")
	if r := rev.PostForm(fmt.Sprintf("/life/%d/hold", lifeID), f); r.Status != http.StatusSeeOther {
		t.Fatalf("hold: %d %s", r.Status, r.TestID("form-errors"))
	}
	d, err := life.Load(ctx, app.Pool, lifeID)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, p := range d.Participants {
		got = append(got, p.MemberID)
	}
	want := memberIDs(due)
	slices.Sort(got)
	slices.Sort(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("participants %v, want the group's members on the meeting day %v", got, want)
	}
	if !slices.Contains(got, free[1]) || slices.Contains(got, free[0]) || slices.Contains(got, free[2]) {
		t.Errorf("participants %v: want %d (first day), not %d (left the day before) nor %d (joins the day after)", got, free[1], free[0], free[2])
	}
	if d.QuorumShort() {
		t.Errorf("all %d members present, quorum short", d.Due())
	}
}

// TestPagesAndScope: the reviewer creates, edits and prints a group; a
// bad form keeps its input with the message beside the field; removal
// asks first; a group of another committee is not found.
func TestPagesAndScope(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	_, group, free := fixture(t, app)
	rev := app.Login(t, "reviewer")
	r := rev.PostForm("/leadership-groups", url.Values{"name": {""}, "kind": {"party_group"}})
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`.field.has-error [name="name"]`) {
		t.Errorf("empty name: %d", r.Status)
	}
	base := fmt.Sprintf("/leadership-groups/%d", group)
	r = rev.PostForm(base+"/members", url.Values{"member_id": {fmt.Sprint(free[0])}, "role": {"member"}, "from_on": {"2026-05-01"}, "to_on": {"2026-04-30"}})
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`.field.has-error [name="to_on"]`) {
		t.Fatalf("to before from: %d", r.Status)
	}
	if v, _ := r.Doc().Find(`[name="from_on"]`).Attr("value"); v != "2026-05-01" {
		t.Errorf("input not kept: from_on %q", v)
	}
	r = rev.PostForm(base+"/members", url.Values{"member_id": {fmt.Sprint(free[0])}, "role": {"member"}, "from_on": {"2026-05-01"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.Status)
	}
	var mid int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM leadership_group_members WHERE group_id = $1 AND member_id = $2`, group, free[0]).Scan(&mid); err != nil {
		t.Fatal(err)
	}
	rm := fmt.Sprintf("%s/members/%d/remove", base, mid)
	if r := rev.PostForm(rm, url.Values{}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("remove without confirmation: %d", r.Status)
	}
	if r := rev.PostForm(rm, url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Errorf("remove: %d", r.Status)
	}
	show := rev.Get(base)
	if show.Status != http.StatusOK || !strings.Contains(show.TestID("leadgroup-meetings"), fmt.Sprint(time.Now().Year()-1)) {
		t.Errorf("group page: %d, meetings %q", show.Status, show.TestID("leadgroup-meetings"))
	}
	if p := rev.Get(base + "/print"); p.Status != http.StatusOK || !p.Has(`[data-testid="leadgroup-print"]`) {
		t.Errorf("print: %d", p.Status)
	}
	// Another committee's group: not found.
	var other int64
	if err := app.Pool.QueryRow(ctx, `WITH c AS (INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '另一机关党委', '2020-01-01') RETURNING id)
INSERT INTO leadership_groups (committee_id, kind, name) SELECT id, 'party_group', '另一党组' FROM c RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if r := rev.Get(fmt.Sprintf("/leadership-groups/%d", other)); r.Status != http.StatusNotFound {
		t.Errorf("another committee's group: %d", r.Status)
	}
	if r := rev.Get("/leadership-groups"); strings.Contains(r.TestID("leadgroup-list"), "另一党组") {
		t.Error("the list shows another committee's group")
	}
	// A member sees their group on /me.
	me := app.Login(t, "member")
	if r := me.Get("/me"); !strings.Contains(r.TestID("me-groups"), "示范机关党组") {
		t.Errorf("/me: groups %q", r.TestID("me-groups"))
	}
}

// TestReviewTodos: the demo's Party group, whose meeting of this year is
// in preparation, is on the committee's list; once held it is not; a
// group without members in office is never.
func TestReviewTodos(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	committee, group, _ := fixture(t, app)
	if _, err := leadgroup.NewStore(app.Pool).Create(ctx, leadgroup.GroupInput{CommitteeID: committee, Kind: "leading_body", Name: "空班子"}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	urls := func() []string {
		t.Helper()
		items, err := leadgroup.ReviewTodos(ctx, app.Pool, []int64{committee}, today)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.URL)
		}
		return out
	}
	want := fmt.Sprintf("/leadership-groups/%d#meetings", group)
	if got := urls(); fmt.Sprint(got) != fmt.Sprint([]string{want}) {
		t.Errorf("to-dos %v, want only %s", got, want)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE life_meetings SET status = 'held' WHERE group_id = $1 AND year = $2`, group, today.Year()); err != nil {
		t.Fatal(err)
	}
	if got := urls(); len(got) != 0 {
		t.Errorf("to-dos after the meeting was held: %v", got)
	}
}
