package disposal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/disposal"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// A case runs from the reminding talk to the higher committee's approval;
// the member's status changes only at the approval.
func TestDisposalFromTalkToApproval(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	m := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id NOT IN (SELECT member_id FROM disposal_cases) AND id NOT IN (SELECT member_id FROM sanctions) ORDER BY id DESC LIMIT 1`, office)
	sec := app.Login(t, "secretary")
	rev := app.Login(t, "reviewer")
	now := time.Now()
	d := func(days int) string { return now.AddDate(0, 0, days).Format("2006-01-02") }
	r := sec.PostForm("/disposals", url.Values{"member_id": {fmt.Sprint(m)}, "ground": {"unqualified"}, "opened_on": {d(-30)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("open: %d", r.Status)
	}
	id := app.Int(t, `SELECT id FROM disposal_cases WHERE member_id = $1 AND status = 'open'`, m)
	steps := fmt.Sprintf("/disposals/%d/steps", id)
	status := func() string {
		var s string
		if err := app.Pool.QueryRow(ctx, `SELECT party_status FROM members WHERE id = $1`, m).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	post := func(c *apptest.Client, version int, step, on, doc, deadline string, extra ...string) *apptest.Response {
		f := url.Values{"version": {fmt.Sprint(version)}, "step": {step}, "done_on": {on}, "document": {doc}, "deadline": {deadline}}
		for i := 0; i+1 < len(extra); i += 2 {
			f.Set(extra[i], extra[i+1])
		}
		return c.PostForm(steps, f)
	}
	// The first step is the talk; a correction cannot come first.
	if r := post(sec, 1, "correction", d(-20), "通知", d(100)); r.Status != http.StatusUnprocessableEntity || r.TestID("error-step") == "" {
		t.Fatalf("correction before the talk: %d", r.Status)
	}
	if r := post(sec, 1, "talk", d(-20), "谈话记录", ""); r.Status != http.StatusSeeOther {
		t.Fatalf("talk: %d", r.Status)
	}
	// The deadline: at most a year (a day over refused, exactly a year kept).
	on := now.AddDate(0, 0, -10)
	over := on.AddDate(1, 0, 1).Format("2006-01-02")
	if r := post(sec, 2, "correction", on.Format("2006-01-02"), "限期改正通知书", over); r.Status != http.StatusUnprocessableEntity || r.TestID("error-deadline") == "" {
		t.Fatalf("a deadline beyond a year: %d", r.Status)
	}
	if r := post(sec, 2, "correction", on.Format("2006-01-02"), "限期改正通知书", on.AddDate(1, 0, 0).Format("2006-01-02")); r.Status != http.StatusSeeOther {
		t.Fatalf("a deadline of exactly a year: %d", r.Status)
	}
	if r := post(sec, 3, "persuade", d(-1), "支部党员大会决议", ""); r.Status != http.StatusSeeOther {
		t.Fatalf("persuade: %d", r.Status)
	}
	if status() != "normal" {
		t.Fatal("the status changed before the approval")
	}
	// The secretary cannot approve; the reviewer can, with confirmation.
	if r := post(sec, 4, "approved", d(0), "批复", "", "confirm", "yes"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("secretary approves: %d", r.Status)
	}
	page := rev.Get(fmt.Sprintf("/disposals/%d", id))
	if !strings.Contains(page.Body, "待上级党委批准") || !page.Has(`[data-testid="step-form"]`) {
		t.Error("the reviewer is not offered the approval")
	}
	if r := post(rev, 4, "approved", d(0), "机党批〔2026〕1号", ""); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("approval without confirmation: %d", r.Status)
	}
	if r := post(rev, 4, "approved", d(0), "机党批〔2026〕1号", "", "confirm", "yes"); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if status() != "struck_off" {
		t.Errorf("status after approval: %s", status())
	}
	var outcome string
	if err := app.Pool.QueryRow(ctx, `SELECT outcome FROM disposal_cases WHERE id = $1 AND status = 'closed'`, id).Scan(&outcome); err != nil || outcome != "persuaded" {
		t.Errorf("closed with %q (%v)", outcome, err)
	}
	if r := post(sec, 5, "talk", d(0), "x", ""); r.Status != http.StatusForbidden {
		t.Errorf("a step after closing: %d", r.Status)
	}
}

// The reviewer sees open cases with missed deadlines first; the to-dos
// name the missed deadline and the decision waiting for approval.
func TestReviewerSeesMissedDeadlines(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	r := app.Login(t, "reviewer").Get("/disposals")
	rows := r.Doc().Find(`[data-testid="disposal-row"]`)
	if rows.Length() < 2 {
		t.Fatalf("reviewer sees %d cases, want the demo's two", rows.Length())
	}
	if !rows.First().Find(`[data-testid="disposal-state-state.missed"]`).Is("span") {
		t.Error("the missed deadline is not first")
	}
	if s := app.Login(t, "secretary").Get("/disposals"); s.Doc().Find(`[data-testid="disposal-row"]`).Length() != 1 {
		t.Error("the secretary sees another branch's case")
	}
	finance := app.OrgID(t, "财务处党支部")
	now := time.Now()
	items, err := disposal.Todos(t.Context(), app.Pool, []int64{finance}, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC))
	if err != nil || len(items) != 1 || !items[0].Overdue {
		t.Errorf("to-dos: %+v %v", items, err)
	}
}

func TestNext(t *testing.T) {
	cases := []struct {
		last, ground string
		want         string
	}{
		{"", "unqualified", "talk"},
		{"talk", "unqualified", "correction"},
		{"talk", "six_months", "correction remove_left"},
		{"correction", "unqualified", "corrected persuade"},
		{"persuade", "unqualified", "approved remove"},
		{"remove", "unqualified", "approved"},
		{"approved", "unqualified", ""},
	}
	for _, c := range cases {
		if got := strings.Join(disposal.Next(c.last, c.ground), " "); got != c.want {
			t.Errorf("after %q (%s): %q, want %q", c.last, c.ground, got, c.want)
		}
	}
}
