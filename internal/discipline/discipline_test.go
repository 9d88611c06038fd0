package discipline_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/discipline"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// addAccount signs up a demo account for member with role at org, with the
// demo password.
func addAccount(t *testing.T, app *apptest.App, username string, memberID int64, role string, org int64) {
	t.Helper()
	var id int64
	if err := app.Pool.QueryRow(t.Context(), `INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password, demo)
SELECT $1, $1, password_hash, $2, false, true FROM accounts WHERE username = 'secretary' RETURNING id`, username, memberID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(t.Context(), `INSERT INTO account_roles (account_id, role, org_id) VALUES ($1, $2, $3), ($1, 'member', NULL)`, id, role, org); err != nil {
		t.Fatal(err)
	}
}

// No member reaches another's record: a plain member, a committee member
// who is not the discipline member and a secretary of another branch are
// refused; the discipline member and the reviewer above read; every read
// is in the audit trail.
func TestWhoReadsDisciplineRecords(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	own := app.Int(t, `SELECT id FROM sanctions WHERE branch_id = $1 ORDER BY id LIMIT 1`, office)
	other := app.Int(t, `SELECT s.id FROM sanctions s JOIN organisations o ON o.id = s.branch_id WHERE o.name = '财务处党支部' LIMIT 1`)
	// The committee's discipline member and another committee member.
	disc := app.Int(t, `SELECT p.member_id FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id WHERE t.org_id = $1 AND t.ended_on IS NULL AND p.post = 'discipline'`, office)
	orgm := app.Int(t, `SELECT p.member_id FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id WHERE t.org_id = $1 AND t.ended_on IS NULL AND p.post = 'organisation'`, office)
	addAccount(t, app, "jijian", disc, "branch_committee", office)
	addAccount(t, app, "zuzhi", orgm, "branch_committee", office)
	// The sanctioned member signs in too: not even their own record.
	subject := app.Int(t, `SELECT member_id FROM sanctions WHERE id = $1`, own)
	if _, err := app.Pool.Exec(ctx, `INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password, demo)
SELECT 'subject', 'subject', password_hash, $1, false, true FROM accounts WHERE username = 'secretary'`, subject); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO account_roles (account_id, role) SELECT id, 'member' FROM accounts WHERE username = 'subject'`); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user                 string
		list, ownRec, others int
	}{
		{"member", 403, 403, 403},
		{"subject", 403, 403, 403},
		{"zuzhi", 403, 403, 403},
		{"admin", 403, 403, 403},
		{"auditor", 403, 403, 403},
		{"secretary", 200, 200, 404},
		{"jijian", 200, 200, 404},
		{"reviewer", 200, 200, 200},
	}
	for _, tc := range cases {
		c := app.Login(t, tc.user)
		for _, x := range []struct {
			path string
			want int
		}{{"/discipline", tc.list}, {fmt.Sprintf("/discipline/%d", own), tc.ownRec}, {fmt.Sprintf("/discipline/%d", other), tc.others}} {
			if r := c.Get(x.path); r.Status != x.want {
				t.Errorf("%s GET %s: %d, want %d", tc.user, x.path, r.Status, x.want)
			} else if x.want != 200 && strings.Contains(r.Body, "违反") {
				t.Errorf("%s GET %s: the reason is in the page", tc.user, x.path)
			}
		}
	}
	// Every read is audited: two reads of the record by the secretary, and
	// one by the discipline member and the reviewer.
	var n int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'sanction.read' AND entity_id = $1`, own).Scan(&n); err != nil || n != 3 {
		t.Errorf("audited reads of the record: %d (%v), want 3", n, err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'sanction.read_list'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("audited list reads: %d (%v), want 3", n, err)
	}
	// The discipline member records; the other committee member may not.
	if r := app.Login(t, "zuzhi").Get("/discipline/new"); r.Status != http.StatusForbidden {
		t.Errorf("a committee member without the discipline post opens the form: %d", r.Status)
	}
	if r := app.Login(t, "jijian").Get("/discipline/new"); r.Status != http.StatusOK {
		t.Errorf("the discipline member opens the form: %d", r.Status)
	}
	if r := app.Login(t, "reviewer").Get("/discipline/new"); r.Status != http.StatusForbidden {
		t.Errorf("the reviewer records a branch's sanction: %d", r.Status)
	}
}

// has_vote: under 留党察看 no vote from the period's first day to its last
// (a day short, on the day, a day over), and none from an expulsion on.
func TestHasVote(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	m := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id NOT IN (SELECT member_id FROM sanctions) ORDER BY id DESC LIMIT 1`, office)
	x := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id NOT IN (SELECT member_id FROM sanctions) AND id <> $2 ORDER BY id DESC LIMIT 1`, office, m)
	st := discipline.NewStore(app.Pool)
	// A two-year probation from 29 February 2024: its period ends (clamped)
	// on 28 February 2026.
	f := discipline.Form{MemberID: fmt.Sprint(m), Kind: "probation", Years: "2", Reason: "r", DecidedBy: "支部党员大会", ApprovedBy: "机关纪委", DocumentNo: "机纪发〔2024〕1号", DecidedOn: "2024-02-29"}
	in := f.Validate([]discipline.Candidate{{ID: m, BranchID: office}}, day("2026-12-01"))
	if f.Errors.Any() || in.EndsOn == nil || !in.EndsOn.Equal(day("2026-02-28")) {
		t.Fatalf("validate: %v, ends %v", f.Errors, in.EndsOn)
	}
	if _, err := st.Create(ctx, in); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day  string
		vote bool
	}{{"2024-02-28", true}, {"2024-02-29", false}, {"2025-06-01", false}, {"2026-02-27", false}, {"2026-02-28", true}} {
		got, err := discipline.HasVote(ctx, app.Pool, m, day(c.day))
		if err != nil || got != c.vote {
			t.Errorf("has_vote on %s: %v (%v), want %v", c.day, got, err, c.vote)
		}
		intro, err := discipline.MayIntroduce(ctx, app.Pool, m, day(c.day))
		if err != nil || intro != c.vote {
			t.Errorf("may introduce on %s: %v (%v), want %v", c.day, intro, err, c.vote)
		}
	}
	// A warning takes no vote.
	w := discipline.Input{MemberID: x, BranchID: office, Kind: "warning", Reason: "r", DecidedBy: "a", ApprovedBy: "b", DocumentNo: "c", DecidedOn: day("2026-01-10"), StartsOn: day("2026-01-10")}
	end := day("2027-01-10")
	w.EndsOn = &end
	if _, err := st.Create(ctx, w); err != nil {
		t.Fatal(err)
	}
	if v, _ := discipline.HasVote(ctx, app.Pool, x, day("2026-06-01")); !v {
		t.Error("a warning took the vote")
	}
	// Expulsion: no vote from its day; the membership ends with its date.
	e := discipline.Input{MemberID: x, BranchID: office, Kind: "expulsion", Reason: "r", DecidedBy: "a", ApprovedBy: "县纪委", DocumentNo: "d", DecidedOn: day("2026-03-01"), StartsOn: day("2026-03-01")}
	if _, err := st.Create(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		day  string
		vote bool
	}{{"2026-02-28", true}, {"2026-03-01", false}, {"2030-01-01", false}} {
		if got, _ := discipline.HasVote(ctx, app.Pool, x, day(c.day)); got != c.vote {
			t.Errorf("expelled, has_vote on %s: %v, want %v", c.day, got, c.vote)
		}
	}
	var status string
	var on time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT m.party_status, e.occurred_on FROM members m JOIN member_events e ON e.member_id = m.id AND e.kind = 'status_changed' WHERE m.id = $1`, x).Scan(&status, &on); err != nil || status != "expelled" || !on.Equal(day("2026-03-01")) {
		t.Errorf("expulsion: status %q on %v (%v)", status, on, err)
	}
}

// A sanction in its period blocks an 优秀共产党员 nomination while the
// setting says so; the period's end is a to-do; a one-year probation is
// extended once, never beyond two years; rights are restored at the end.
func TestCommendationPeriodEndAndExtension(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	sanctioned := app.Int(t, `SELECT member_id FROM sanctions WHERE branch_id = $1 AND kind = 'probation'`, office)
	today := time.Now().Format("2006-01-02")
	nominate := func() *apptest.Response {
		return app.Login(t, "secretary").PostForm("/commendations", url.Values{"title_kind": {"outstanding_member"}, "level": {"branch"}, "granted_on": {today},
			"issuer": {"办公室党支部"}, "member_id": {fmt.Sprint(sanctioned)}, "action": {"nominate"}})
	}
	r := nominate()
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "党纪处分影响期") {
		t.Fatalf("nomination of a member under 留党察看: %d", r.Status)
	}
	if err := discipline.NewStore(app.Pool).SaveSettings(ctx, discipline.Settings{ElectionReminderDays: 90, SanctionBlocksCommend: false}); err != nil {
		t.Fatal(err)
	}
	if r := nominate(); r.Status != http.StatusSeeOther {
		t.Errorf("with the setting off the nomination is refused: %d", r.Status)
	}
	// With the setting back on, the reviewer cannot grant the nomination.
	if err := discipline.NewStore(app.Pool).SaveSettings(ctx, discipline.Settings{ElectionReminderDays: 90, SanctionBlocksCommend: true}); err != nil {
		t.Fatal(err)
	}
	nominee := app.Int(t, `SELECT id FROM commendations WHERE member_id = $1 AND status = 'nominated'`, sanctioned)
	if r := app.Login(t, "reviewer").PostForm("/commendations/nominees/approve", url.Values{"id": {fmt.Sprint(nominee)}, "confirm": {"yes"}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "党纪处分影响期") {
		t.Errorf("approval of a sanctioned nominee: %d", r.Status)
	}
	// The to-dos: the demo's warning ending this month is listed.
	now := time.Now()
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	items, err := discipline.Todos(ctx, app.Pool, []int64{office}, d0)
	if err != nil || len(items) == 0 {
		t.Fatalf("to-dos: %v %v", items, err)
	}
	// A one-year probation ending today: restore or extend once.
	m := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id NOT IN (SELECT member_id FROM sanctions) ORDER BY id DESC LIMIT 1`, office)
	st := discipline.NewStore(app.Pool)
	end := d0
	id, err := st.Create(ctx, discipline.Input{MemberID: m, BranchID: office, Kind: "probation", Reason: "r", DecidedBy: "a", ApprovedBy: "b", DocumentNo: "c",
		DecidedOn: d0.AddDate(-1, 0, 0), StartsOn: d0.AddDate(-1, 0, 0), EndsOn: &end})
	if err != nil {
		t.Fatal(err)
	}
	items, _ = discipline.Todos(ctx, app.Pool, []int64{office}, d0)
	found := false
	for _, it := range items {
		if it.URL == fmt.Sprintf("/discipline/%d", id) {
			found = true
			if it.Overdue {
				t.Error("ending today is not overdue")
			}
		}
	}
	if !found {
		t.Error("the probation ending today is not a to-do")
	}
	sec := app.Login(t, "secretary")
	page := sec.Get(fmt.Sprintf("/discipline/%d", id))
	if !page.Has(`[data-testid="sanction-extend"]`) || !page.Has(`[data-testid="sanction-restore"]`) {
		t.Error("the period's end offers neither extension nor restoration")
	}
	if r := sec.PostForm(fmt.Sprintf("/discipline/%d/close", id), url.Values{"version": {"1"}, "decision": {"extend"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("extend: %d", r.Status)
	}
	if r := sec.PostForm(fmt.Sprintf("/discipline/%d/close", id), url.Values{"version": {"2"}, "decision": {"extend"}}); r.Status != http.StatusConflict {
		t.Errorf("a second extension: %d, want 409", r.Status)
	}
	if v, _ := discipline.HasVote(ctx, app.Pool, m, d0); v {
		t.Error("extended probation gives the vote back")
	}
	if r := sec.PostForm(fmt.Sprintf("/discipline/%d/close", id), url.Values{"version": {"2"}, "decision": {"restore"}}); r.Status != http.StatusConflict {
		t.Errorf("restore before the extended period ends: %d, want 409", r.Status)
	}
	// An expulsion needs its confirmation.
	r = sec.PostForm("/discipline", url.Values{"member_id": {fmt.Sprint(m)}, "kind": {"expulsion"}, "reason": {"x"}, "decided_by": {"a"}, "approved_by": {"b"}, "document_no": {"c"}, "decided_on": {today}})
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("expulsion without confirmation: %d", r.Status)
	}
}

// Under 留党察看 Party posts end: the record points out the posts the
// member still holds in the current term.
func TestProbationNamesPostsHeld(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	holder := app.Int(t, `SELECT p.member_id FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id WHERE t.org_id = $1 AND t.ended_on IS NULL AND p.post = 'publicity'`, office)
	now := time.Now()
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	end := d0.AddDate(1, 0, 0)
	id, err := discipline.NewStore(app.Pool).Create(t.Context(), discipline.Input{MemberID: holder, BranchID: office, Kind: "probation", Reason: "r", DecidedBy: "a", ApprovedBy: "b", DocumentNo: "c", DecidedOn: d0, StartsOn: d0, EndsOn: &end})
	if err != nil {
		t.Fatal(err)
	}
	r := app.Login(t, "secretary").Get(fmt.Sprintf("/discipline/%d", id))
	if !strings.Contains(r.TestID("sanction-posts"), "宣传委员") {
		t.Errorf("the posts held are not named: %q", r.TestID("sanction-posts"))
	}
	// A warning does not end posts.
	w := app.Int(t, `SELECT id FROM sanctions WHERE kind = 'warning' AND branch_id = $1`, office)
	if app.Login(t, "secretary").Get(fmt.Sprintf("/discipline/%d", w)).Has(`[data-testid="sanction-posts"]`) {
		t.Error("a warning names posts to end")
	}
}
