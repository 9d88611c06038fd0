package e2e

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestInspectionJourney (issue 23, part B): the reviewer plans an
// inspection of 办公室 with the checklist prefilled from the rules,
// records the findings (one item not met), issues the rectification
// notice; the secretary answers it on the branch's rectification list;
// the reviewer closes the finding and with it the inspection.
func TestInspectionJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	office := app.OrgID(t, "办公室党支部")
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(chromedp.Navigate(app.URL+"/inspections"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="inspect-overdue"]`)))
	b.ShootBoth("inspect-list")
	b.Do(chromedp.Navigate(app.URL+"/inspections/new"), chromedp.WaitVisible(chromedp.ID("f-title")))
	b.set("f-title", "浏览器测试专项检查")
	b.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="inspect-branch"][value="%d"]`, office))))
	b.clickThen(`[data-testid="inspect-save"]`, `[data-testid="inspect-branch-link"]`)
	id := app.Int(t, `SELECT id FROM inspections WHERE title = '浏览器测试专项检查'`)
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/inspections/%d/branches/%d", app.URL, id, office)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="inspect-findings-form"]`)))
	// Every item met but the first, which gets a note.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](`(() => {
  const yes = document.querySelectorAll('[data-testid="inspect-met"]');
  yes.forEach(r => { r.checked = true; });
  document.querySelector('[data-testid="inspect-not-met"]').checked = true;
  document.querySelector('input[name^="note_"]').value = '本季度支部党员大会记录缺少表决情况。';
  return true;
})()`)); err != nil {
		t.Fatal(err)
	}
	b.clickThen(`[data-testid="inspect-findings-save"]`, `[data-testid="inspect-issue-form"]`)
	b.set("f-deadline", time.Now().AddDate(0, 0, 15).Format(time.DateOnly))
	b.clickThen(`[data-testid="inspect-issue"]`, `[data-testid="inspect-notice-link"]`)
	b.ShootBoth("inspect-issued")
	rect := app.Int(t, `SELECT rectification_id FROM inspection_findings WHERE inspection_id = $1 AND NOT met`, id)

	s := newBrowser(t, "zh-CN,zh")
	signIn(s, app, "secretary")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/rectification/%d", app.URL, rect)), chromedp.WaitVisible(chromedp.ID("f-status")))
	s.set("f-status", "done")
	s.set("f-done_on", time.Now().Format(time.DateOnly))
	s.set("f-evidence", "已补充表决情况并完善会议记录模板。")
	s.clickThen(`[data-testid="item-save"]`, `[data-testid="flash"]`)

	b.Do(chromedp.Navigate(fmt.Sprintf("%s/inspections/%d", app.URL, id)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="inspect-close-form"]`)))
	b.Do(chromedp.SetValue(chromedp.CSS(`[data-testid="inspect-close-form"] input[name="closing_note"]`), "经复查，整改到位。"))
	b.clickThen(`[data-testid="inspect-close"]`, `[data-testid="inspect-finding-closed"]`)
	b.ShootBoth("inspect-closed")
	var status string
	if err := app.Pool.QueryRow(ctx, `SELECT status FROM inspections WHERE id = $1`, id).Scan(&status); err != nil || status != "closed" {
		t.Fatalf("status %q (%v)", status, err)
	}
}

// TestCasesJourney (issue 23, part B): a member finds a case in the
// library by a word of its text; the secretary's vanguard post with its
// commitments.
func TestCasesJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	m := newBrowser(t, "zh-CN,zh")
	signIn(m, app, "member")
	m.Do(chromedp.Navigate(app.URL+"/cases"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="cases-featured"]`)))
	m.ShootBoth("cases-library")
	m.set("f-q", "容缺受理")
	// The results page carries the word as the box's value attribute.
	m.Do(chromedp.Click(chromedp.CSS(`[data-testid="cases-search"]`)), chromedp.WaitVisible(chromedp.CSS(`#f-q[value="容缺受理"]`)))
	if loc := m.Location(); loc == "" || !strings.Contains(loc, url.QueryEscape("容缺受理")) {
		t.Fatalf("search did not run: %s", loc)
	}
	rows, err := chromedp.Run(m.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="cases-row"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Text(`[data-testid="cases-row"] h2`); rows != 1 || !strings.Contains(got, "窗口党员先锋岗") {
		t.Fatalf("search found %d: %q", rows, got)
	}
	post := app.Int(t, `SELECT id FROM vanguard_posts WHERE branch_id = $1`, office)
	s := newBrowser(t, "zh-CN,zh")
	signIn(s, app, "secretary")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/vanguard/%d", app.URL, post)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="vanguard-pledges"]`)))
	s.ShootBoth("vanguard-post")
}

// TestNoticesJourney (issue 23, part B): a member objects to the public
// notice that is up; the secretary answers it; the member reads the answer.
func TestNoticesJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	up := app.Int(t, `SELECT id FROM notices WHERE branch_id = $1 AND kind = 'pre_target' AND current_date BETWEEN publish_from AND publish_to`, office)
	m := newBrowser(t, "zh-CN,zh")
	signIn(m, app, "member")
	m.Do(chromedp.Navigate(fmt.Sprintf("%s/notices/%d", app.URL, up)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notices-object-form"]`)))
	m.set("f-body", "建议进一步核实该同志的群众意见。")
	m.clickThen(`[data-testid="notices-object-save"]`, `[data-testid="notices-awaiting"]`)
	oid := app.Int(t, `SELECT id FROM notice_objections WHERE body = '建议进一步核实该同志的群众意见。'`)

	s := newBrowser(t, "zh-CN,zh")
	signIn(s, app, "secretary")
	s.Do(chromedp.Navigate(app.URL+"/notices"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notices-unanswered"]`)))
	s.ShootBoth("notices-list")
	s.Do(chromedp.Navigate(fmt.Sprintf("%s/notices/%d", app.URL, up)), chromedp.WaitVisible(chromedp.ID(fmt.Sprintf("f-answer-%d", oid))))
	s.set(fmt.Sprintf("f-answer-%d", oid), "已组织核实，群众反映良好，符合发展对象条件。")
	s.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`form[action="/notices/%d/objections/%d/answer"] button`, up, oid))), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
	s.ShootBoth("notices-answered")

	m.Do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notices-answer"]`)))
	m.ShootBoth("notices-member")
}
