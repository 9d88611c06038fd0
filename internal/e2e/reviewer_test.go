package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// heldPartyDays sums the themed Party days the branch compliance page
// counts over its months.
func heldPartyDays(b *Browser) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll('[data-testid="held-party_day"]')).reduce((s, e) => s + parseInt(e.textContent, 10), 0)`))
	if err != nil {
		b.t.Fatalf("count held Party days: %v", err)
	}
	return n
}

// TestReviewerSeesTheDashboardChange: the reviewer reads a branch's
// compliance figures, the branch's secretary logs and submits a themed
// Party day, and the reviewer's page then counts one more.
func TestReviewerSeesTheDashboardChange(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	var branch int64
	if err := app.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/review/branches/%d", app.URL, branch)
	rev := newBrowser(t, "zh-CN,zh")
	signIn(rev, app, "reviewer")
	rev.Do(chromedp.Navigate(app.URL+"/review"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="summary"]`)))
	// The featured exemplary practices show their first photo, loaded, with
	// its caption as the text (issue 23).
	rev.Do(chromedp.Poll[chromedp.Void](`(() => { const i = document.querySelector('[data-testid="featured-thumb"]');
  return i !== null && i.complete && i.naturalWidth > 0 && i.alt !== ''; })()`, chromedp.WithPollingTimeout(30*time.Second)))
	rev.ShootBoth("reviewer-dashboard-before")
	rev.Do(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid="months"]`)))
	before := heldPartyDays(rev)

	sec := newBrowser(t, "zh-CN,zh")
	signIn(sec, app, "secretary")
	sec.Do(chromedp.Navigate(app.URL+"/meetings/new?status=draft"), chromedp.WaitVisible(chromedp.ID("f-topic")))
	sec.set("f-org_id", strconv.FormatInt(secretaryBranch(t, app), 10))
	sec.set("f-kind", "party_day")
	sec.set("f-topic", "参观红色教育基地")
	sec.set("f-study_hours", "2")
	sec.set("f-minutes", "全体党员参观红色教育基地并交流体会。")
	sec.submit(`[data-testid="save"]`)
	sec.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="attendance-form"]`)))
	sec.submit(`[data-testid="attendance-form"] [data-testid="save"]`)
	sec.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-link"]`)))
	sec.Do(chromedp.Click(chromedp.CSS(`[data-testid="submit-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-form"]`)))
	sec.ShootBoth("secretary-submit-confirm")
	sec.Do(chromedp.Click(chromedp.CSS(`[data-testid="submit-form"] input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`[data-testid="submit-form"] button[type="submit"]`)))
	sec.Do(chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="submit-form"]`)))

	rev.Do(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid="months"]`)))
	if after := heldPartyDays(rev); after != before+1 {
		t.Errorf("the compliance page counts %d Party days, %d before the new one; want one more", after, before)
	}
	rev.ShootBoth("reviewer-branch-after")
	rev.Do(chromedp.Navigate(app.URL+"/review"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="summary"]`)))
	rev.ShootBoth("reviewer-dashboard-after")
}
