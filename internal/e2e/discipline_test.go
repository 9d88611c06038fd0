package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// click clicks an element and waits for another to show.
func (b *Browser) clickThen(click, wait string) {
	b.t.Helper()
	b.submit(click)
	b.Do(chromedp.WaitVisible(chromedp.CSS(wait)))
}

// TestReminderTalkJourney: the secretary records a reminder talk, finds
// it on the list of reminders, records the second look; the member sees
// what was agreed. Screenshots in both languages at both widths.
func TestReminderTalkJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	office := app.OrgID(t, "办公室党支部")
	sec := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'secretary'`)
	mem := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'member'`)
	today := time.Now().Format(time.DateOnly)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/talks/new?kind=reminder&branch=%d", app.URL, office)), chromedp.WaitVisible(chromedp.ID("f-problem")))
	// The language switch reloads the page: photograph the form before
	// filling it in.
	b.ShootBoth("discipline-reminder-form")
	b.set("f-held_on", today)
	b.set("f-a_id", fmt.Sprint(sec))
	b.set("f-b_id", fmt.Sprint(mem))
	b.set("f-topic", "提醒谈话：按时参加组织生活")
	b.set("f-problem", "近期两次无故缺席支部党员大会。")
	b.set("f-agreed", "今后按时参加，确有困难提前书面请假。")
	b.set("f-look_again_on", time.Now().AddDate(0, 1, 0).Format(time.DateOnly))
	b.set("f-summary", "支委内部记录：本人表示接受。")
	b.Shoot("discipline-reminder-filled-zh")
	b.clickThen(`[data-testid="talk-save"]`, `[data-testid="talk-reminders"]`)
	b.ShootBoth("discipline-reminders")
	id := app.Int(t, `SELECT id FROM talks WHERE problem = '近期两次无故缺席支部党员大会。'`)
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/talks/%d", app.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="follow-up-form"]`)))
	b.set("f-outcome_on", today)
	b.set("f-outcome", "corrected")
	b.set("f-outcome_note", "本月按时参加了支部党员大会。")
	b.clickThen(`[data-testid="follow-up-save"]`, `[data-testid="talk-outcome"]`)
	b.ShootBoth("discipline-reminder-followed-up")
	var outcome string
	if err := app.Pool.QueryRow(ctx, `SELECT outcome FROM talks WHERE id = $1`, id).Scan(&outcome); err != nil || outcome != "corrected" {
		t.Fatalf("outcome %q (%v)", outcome, err)
	}
	m := newBrowser(t, "zh-CN,zh")
	signIn(m, app, "member")
	m.Do(chromedp.Navigate(app.URL+"/talks/mine"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="mine-agreed"]`)))
	m.ShootBoth("discipline-member-talks")
}

// TestDisposalJourney: a disposal case from the reminding talk through the
// deadline to correct and the general meeting's decision to persuade, to
// the higher committee's approval by the reviewer.
func TestDisposalJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	office := app.OrgID(t, "办公室党支部")
	m := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id NOT IN (SELECT member_id FROM disposal_cases) AND id NOT IN (SELECT member_id FROM sanctions) ORDER BY id DESC LIMIT 1`, office)
	today := time.Now().Format(time.DateOnly)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")
	b.Do(chromedp.Navigate(app.URL+"/disposals/new"), chromedp.WaitVisible(chromedp.ID("f-member_id")))
	b.set("f-member_id", fmt.Sprint(m))
	b.set("f-ground", "unqualified")
	b.set("f-opened_on", today)
	b.clickThen(`[data-testid="disposal-open"]`, `[data-testid="step-form"]`)
	step := func(name, doc string) {
		b.t.Helper()
		b.set("f-step", name)
		b.set("f-done_on", today)
		b.set("f-document", doc)
		b.clickThen(`[data-testid="step-save"]`, `[data-testid="disposal-steps"]`)
	}
	step("talk", "支委会谈话记录")
	b.set("f-deadline", time.Now().AddDate(0, 6, 0).Format(time.DateOnly))
	step("correction", "限期改正通知书")
	b.ShootBoth("disposal-correction")
	step("persuade", "支部党员大会决议（劝退）")
	b.ShootBoth("disposal-awaiting-approval")
	id := app.Int(t, `SELECT id FROM disposal_cases WHERE member_id = $1`, m)
	r := newBrowser(t, "zh-CN,zh")
	signIn(r, app, "reviewer")
	r.Do(chromedp.Navigate(app.URL+"/disposals"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="disposal-list"]`)))
	r.ShootBoth("disposal-reviewer-list")
	r.Do(chromedp.Navigate(fmt.Sprintf("%s/disposals/%d", app.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="step-form"]`)))
	r.set("f-step", "approved")
	r.set("f-done_on", today)
	r.set("f-document", "机党批〔2026〕9号")
	r.Do(chromedp.Click(chromedp.CSS(`[data-testid="step-form"] input[name="confirm"]`)))
	r.Do(chromedp.Click(chromedp.CSS(`[data-testid="step-save"]`)), chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="step-form"]`)))
	r.ShootBoth("disposal-approved")
	var status, outcome string
	if err := app.Pool.QueryRow(ctx, `SELECT m.party_status, c.outcome FROM disposal_cases c JOIN members m ON m.id = c.member_id WHERE c.id = $1`, id).Scan(&status, &outcome); err != nil || status != "struck_off" || outcome != "persuaded" {
		t.Fatalf("after approval: status %q outcome %q (%v)", status, outcome, err)
	}
}

// TestElectionJourney: a term ending within 90 days shows the reminder;
// the secretary records the election (the member under 留党察看 left out
// of the voters) and the reviewer approves it, which opens the new term.
func TestElectionJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	office := app.OrgID(t, "办公室党支部")
	if _, err := app.Pool.Exec(ctx, `UPDATE committee_terms SET due_on = current_date + 40 WHERE org_id = $1 AND ended_on IS NULL`, office); err != nil {
		t.Fatal(err)
	}
	var due int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE branch_id = $1 AND category = 'full' AND in_good_standing(category, party_status) AND has_vote(id, current_date)`, office).Scan(&due); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Pool.Query(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND has_vote(id, current_date) AND party_status = 'normal' ORDER BY id LIMIT 4`, office)
	if err != nil {
		t.Fatal(err)
	}
	var cands []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		cands = append(cands, id)
	}
	rows.Close()
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")
	b.Do(chromedp.Navigate(app.URL+"/elections"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="term-due"]`)))
	b.ShootBoth("election-reminder")
	b.clickThen(`[data-testid="election-record"]`, `[data-testid="election-left-out"]`)
	b.ShootBoth("election-form")
	b.set("f-method", "competitive")
	b.set("f-voters_present", fmt.Sprint(due-1))
	b.set("f-term_no", "3")
	posts := []string{"secretary", "organisation", "discipline", ""}
	for i, c := range cands {
		b.set(fmt.Sprintf("f-cand_%d", i), fmt.Sprint(c))
		votes := due - 1 - i
		if posts[i] == "" {
			votes = 3
		}
		b.set(fmt.Sprintf("f-votes_%d", i), fmt.Sprint(votes))
		b.set(fmt.Sprintf("f-post_%d", i), posts[i])
	}
	b.Shoot("election-form-filled-zh")
	b.clickThen(`[data-testid="election-save"]`, `[data-testid="election-status"]`)
	id := app.Int(t, `SELECT id FROM elections WHERE org_id = $1 AND status = 'recorded'`, office)
	r := newBrowser(t, "zh-CN,zh")
	signIn(r, app, "reviewer")
	r.Do(chromedp.Navigate(fmt.Sprintf("%s/elections/%d", app.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="election-approve"]`)))
	r.ShootBoth("election-awaiting-approval")
	r.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="election-approve"]`)))
	r.set("f-note", "同意换届选举结果。")
	r.Do(chromedp.Click(chromedp.CSS(`[data-testid="election-approve"]`)), chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="election-approve"]`)))
	r.ShootBoth("election-approved")
	var termNo int
	if err := app.Pool.QueryRow(ctx, `SELECT term_no FROM committee_terms WHERE org_id = $1 AND ended_on IS NULL`, office).Scan(&termNo); err != nil || termNo != 3 {
		t.Fatalf("new term %d (%v)", termNo, err)
	}
}
