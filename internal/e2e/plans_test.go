package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestPlansJourney: the reviewer publishes a key point to every branch,
// the office branch's secretary answers it with a short report, and the
// reviewer accepts it. Screenshots of /plans in both languages.
func TestPlansJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	now := time.Now()
	due := now.AddDate(0, 0, 7)
	if due.Year() != now.Year() {
		due = time.Date(now.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
	}
	rev := newBrowser(t, "zh-CN,zh")
	signIn(rev, app, "reviewer")
	rev.Do(chromedp.Navigate(fmt.Sprintf("%s/plans/new?year=%d", app.URL, now.Year())), chromedp.WaitVisible(chromedp.ID("f-title")))
	rev.set("f-title", "报送主题教育学习情况")
	rev.set("f-due_on", due.Format(time.DateOnly))
	rev.set("f-done_by", "report")
	rev.set("f-target", "all")
	rev.set("f-description", "各支部简要报告本季度主题教育学习情况。")
	rev.clickThen(`[data-testid="plan-save"]`, `[data-testid="plans-list"]`)
	rev.ShootBoth("plans-list")
	answer := app.Int(t, `SELECT a.id FROM plan_answers a JOIN plan_tasks p ON p.id = a.task_id WHERE p.title = '报送主题教育学习情况' AND a.org_id = $1`, office)

	sec := newBrowser(t, "zh-CN,zh")
	signIn(sec, app, "secretary")
	sec.Do(chromedp.Navigate(fmt.Sprintf("%s/plans/answers/%d", app.URL, answer)), chromedp.WaitVisible(chromedp.ID("f-note")))
	sec.set("f-note", "本季度组织集中学习3次、专题研讨1次，党员参学率96%，撰写心得体会28篇。")
	sec.clickThen(`[data-testid="answer-save"]`, `[data-testid="answer-evidence"]`)

	rev.Do(chromedp.Navigate(fmt.Sprintf("%s/plans/answers/%d", app.URL, answer)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-form"]`)))
	rev.set("f-comment", "材料完整，同意。")
	rev.clickThen(`[data-testid="review-accept"]`, `[data-testid="plan-answers"]`)
	var state string
	if err := app.Pool.QueryRow(ctx, `SELECT state FROM plan_answers WHERE id = $1`, answer).Scan(&state); err != nil || state != "accepted" {
		t.Fatalf("answer state %q (%v)", state, err)
	}
}

// TestGradesJourney: the reviewer grades a branch weak, which opens its
// consolidation plan, adds a progress note and a measure, marks it done
// and ends the consolidation; screenshots of the ended plan, of /grades
// and of a secretary's report page in both languages.
func TestGradesJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "人事处党支部")
	follower := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'reviewer'`)
	year := time.Now().Year()
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/grades/branches/%d?year=%d", app.URL, branch, year)), chromedp.WaitVisible(chromedp.ID("f-reason")))
	b.set("f-grade", "weak")
	b.set("f-reason", "全年主题党日多次未开展，整改事项逾期。")
	b.set("f-follower_id", fmt.Sprint(follower))
	b.set("f-goal", "半年内组织生活规范化。")
	b.clickThen(`[data-testid="grade-save"]`, `[data-testid="grade-plan"]`)
	b.clickThen(`[data-testid="grade-plan"]`, `[data-testid="note-form"]`)
	b.set("f-note", "党委联系人已列席支委会，督促制定整改计划。")
	b.clickThen(`[data-testid="note-save"]`, `[data-testid="plan-note"]`)
	if n := app.Int(t, `SELECT count(*) FROM consolidation_notes n JOIN consolidation_plans p ON p.id = n.plan_id JOIN branch_grades g ON g.id = p.grade_id WHERE g.org_id = $1 AND g.year = $2`, branch, year); n != 1 {
		t.Fatalf("progress notes: %d", n)
	}
	// To the end: a measure, done, then the consolidation ended with its
	// closing note and confirmation.
	b.set("f-measure", "每月固定召开支委会并报送会议记录。")
	b.set("f-owner", "支部书记")
	b.set("f-due_on", time.Now().AddDate(0, 1, 0).Format(time.DateOnly))
	b.clickThen(`[data-testid="measure-save"]`, `[data-testid="measure-done"]`)
	b.clickThen(`[data-testid="measure-done"]`, `[data-testid="close-form"]`)
	b.set("f-closing_note", "支委会已按月召开，组织生活规范，整顿目标达到。")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="close-confirm"]`)))
	b.clickThen(`[data-testid="close-save"]`, `[data-testid="plan-closed"]`)
	b.ShootBoth("grades-plan-closed")
	if n := app.Int(t, `SELECT count(*) FROM consolidation_plans p JOIN branch_grades g ON g.id = p.grade_id WHERE g.org_id = $1 AND g.year = $2 AND p.closed_on IS NOT NULL`, branch, year); n != 1 {
		t.Fatalf("closed plans: %d", n)
	}
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/grades?year=%d", app.URL, year)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="grades-list"]`)))
	b.ShootBoth("grades-list")
	var report int64
	if err := app.Pool.QueryRow(ctx, `SELECT r.id FROM secretary_reports r JOIN organisations o ON o.id = r.org_id WHERE o.name = '财务处党支部' AND r.reviewed_on IS NOT NULL ORDER BY r.year LIMIT 1`).Scan(&report); err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/grades/reports/%d", app.URL, report)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="report-review"]`)))
	b.ShootBoth("grades-report")
}
