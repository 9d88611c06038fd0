package org_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/org"
)

func TestTermDueState(t *testing.T) {
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	at := func(days int) *time.Time { d := today.AddDate(0, 0, days); return &d }
	cases := []struct {
		due  *time.Time
		want string
	}{
		{nil, ""},
		{at(91), ""},
		{at(90), "due"},
		{at(0), "due"},
		{at(-1), "overdue"},
	}
	for _, c := range cases {
		if got := (org.TermDue{DueOn: c.due, Reminder: 90}).State(today); got != c.want {
			t.Errorf("due %v: %q, want %q", c.due, got, c.want)
		}
	}
}

// An election from the reminder to the reviewer's approval: the voters
// leave out the member under 留党察看, who cannot stand either; a quorum
// and a majority are needed; the approval opens the new term.
func TestElectionFromReminderToApproval(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	now := time.Now()
	if _, err := app.Pool.Exec(ctx, `UPDATE committee_terms SET due_on = $2 WHERE org_id = $1 AND ended_on IS NULL`, office, now.AddDate(0, 0, 30)); err != nil {
		t.Fatal(err)
	}
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if items, err := org.Todos(ctx, app.Pool, []int64{office}, d0); err != nil || len(items) != 1 || items[0].Overdue {
		t.Errorf("to-dos before the election: %+v %v", items, err)
	}
	sec := app.Login(t, "secretary")
	list := sec.Get("/elections")
	if list.Status != http.StatusOK || !list.Has(`[data-testid="term-due"]`) || !list.Has(`[data-testid="election-record"]`) {
		t.Fatalf("elections: %d, no reminder", list.Status)
	}
	form := sec.Get(fmt.Sprintf("/elections/new?org=%d", office))
	probation := app.Int(t, `SELECT member_id FROM sanctions WHERE branch_id = $1 AND kind = 'probation'`, office)
	var pname string
	if err := app.Pool.QueryRow(ctx, `SELECT name FROM members WHERE id = $1`, probation).Scan(&pname); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(form.TestID("election-left-out"), pname) {
		t.Error("the member under 留党察看 is not named as left out")
	}
	var full int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal'`, office).Scan(&full); err != nil {
		t.Fatal(err)
	}
	due := full - 1
	ids := app.Pool
	var cands []int64
	rows, err := ids.Query(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id <> $2 ORDER BY id LIMIT 4`, office, probation)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		cands = append(cands, id)
	}
	rows.Close()
	base := func(present int) url.Values {
		return url.Values{"org": {fmt.Sprint(office)}, "held_on": {now.Format("2006-01-02")}, "method": {"competitive"}, "voters_present": {fmt.Sprint(present)},
			"term_no": {"3"}, "cand_0": {fmt.Sprint(cands[0])}, "votes_0": {fmt.Sprint(due/2 + 1)}, "post_0": {"secretary"},
			"cand_1": {fmt.Sprint(cands[1])}, "votes_1": {fmt.Sprint(due/2 + 1)}, "post_1": {"discipline"},
			"cand_2": {fmt.Sprint(cands[2])}, "votes_2": {fmt.Sprint(due / 2)}, "post_2": {""}}
	}
	// A quorum: more than half of the voters due (a vote short, exactly).
	if r := sec.PostForm("/elections", base(due/2)); r.Status != http.StatusUnprocessableEntity || r.TestID("error-voters_present") == "" {
		t.Errorf("no quorum: %d", r.Status)
	}
	if r := sec.PostForm("/elections", base(due+1)); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("more present than due (the sanctioned member counted): %d", r.Status)
	}
	// The member under 留党察看 cannot stand.
	f := base(due)
	f.Set("cand_3", fmt.Sprint(probation))
	f.Set("votes_3", "1")
	if r := sec.PostForm("/elections", f); r.Status != http.StatusUnprocessableEntity || r.TestID("error-cand_3") == "" {
		t.Errorf("a sanctioned candidate: %d", r.Status)
	}
	// Elected with no majority.
	f = base(due)
	f.Set("votes_1", fmt.Sprint(due/2))
	if r := sec.PostForm("/elections", f); r.Status != http.StatusUnprocessableEntity || r.TestID("error-votes_1") == "" {
		t.Errorf("elected without a majority: %d", r.Status)
	}
	if r := sec.PostForm("/elections", base(due)); r.Status != http.StatusSeeOther {
		t.Fatalf("record: %d", r.Status)
	}
	id := app.Int(t, `SELECT id FROM elections WHERE org_id = $1 AND status = 'recorded'`, office)
	var vd int
	if err := app.Pool.QueryRow(ctx, `SELECT voters_due FROM elections WHERE id = $1`, id).Scan(&vd); err != nil || vd != due {
		t.Errorf("voters due %d, want %d (%v)", vd, due, err)
	}
	// The secretary cannot approve; the reviewer refuses without a note
	// (422), then approves.
	if r := sec.PostForm(fmt.Sprintf("/elections/%d/decide", id), url.Values{"decision": {"approve"}}); r.Status != http.StatusForbidden {
		t.Errorf("secretary approves: %d", r.Status)
	}
	rev := app.Login(t, "reviewer")
	if r := rev.PostForm(fmt.Sprintf("/elections/%d/decide", id), url.Values{"decision": {"refuse"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("refusal without a note: %d", r.Status)
	}
	if r := rev.PostForm(fmt.Sprintf("/elections/%d/decide", id), url.Values{"decision": {"approve"}, "note": {"同意"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	var termNo, posts int
	if err := app.Pool.QueryRow(ctx, `SELECT t.term_no, (SELECT count(*) FROM committee_posts p WHERE p.term_id = t.id) FROM committee_terms t WHERE t.org_id = $1 AND t.ended_on IS NULL`, office).Scan(&termNo, &posts); err != nil || termNo != 3 || posts != 2 {
		t.Errorf("new term %d with %d posts (%v)", termNo, posts, err)
	}
	if r := rev.PostForm(fmt.Sprintf("/elections/%d/decide", id), url.Values{"decision": {"approve"}}); r.Status != http.StatusConflict {
		t.Errorf("approved twice: %d", r.Status)
	}
	items, err := org.Todos(ctx, app.Pool, []int64{office}, d0)
	if err != nil || len(items) != 0 {
		t.Errorf("to-dos after the election: %v %v", items, err)
	}
}

// The reviewer sees the overdue term (a breach) and the election waiting
// for approval.
func TestReviewerSeesOverdueTerms(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	r := app.Login(t, "reviewer").Get("/elections")
	if !r.Has(`[data-testid="term-overdue"]`) || !r.Has(`[data-testid="term-due"]`) || !r.Has(`[data-testid="election-pending"]`) {
		t.Error("the reviewer does not see the overdue term, the term ending within 90 days, or the pending election")
	}
}

// The reminder's lead time is a setting: at 14 days a term ending in 30
// is not yet due; at 90 it is.
func TestElectionReminderIsASetting(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	if _, err := app.Pool.Exec(ctx, `UPDATE committee_terms SET due_on = current_date + 30 WHERE org_id = $1 AND ended_on IS NULL`, office); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		days int
		n    int
	}{{14, 0}, {90, 1}} {
		admin := app.Login(t, "admin")
		if r := admin.PostForm("/admin/discipline-settings", url.Values{"election_reminder_days": {fmt.Sprint(c.days)}, "sanction_blocks_commend": {"on"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("save setting: %d", r.Status)
		}
		items, err := org.Todos(ctx, app.Pool, []int64{office}, today)
		if err != nil || len(items) != c.n {
			t.Errorf("reminder %d days: %d to-dos (%v), want %d", c.days, len(items), err, c.n)
		}
	}
	if r := app.Login(t, "admin").PostForm("/admin/discipline-settings", url.Values{"election_reminder_days": {"0"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("0 days: %d", r.Status)
	}
}
