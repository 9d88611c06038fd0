package e2e

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestPlannedMeetingHeldAndCorrected: a secretary opens a planned meeting
// that has taken place, follows its main action "会议已召开：登记出勤和记录"
// through the record (minutes, attendance), submits it, then corrects one
// person's attendance after locking with a reason, which the meeting page
// keeps in its trail. Screenshots: the held-meeting form and the trail.
func TestPlannedMeetingHeldAndCorrected(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	id := app.Int(t, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, agenda, status)
SELECT r.org_id, 'general', '学习贯彻年度工作要点', now() - interval '3 hours', now() - interval '2 hours', '三楼会议室', '一、传达文件；二、研究部署', 'planned'
  FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary'
RETURNING id`)
	page := app.URL + "/meetings/" + strconv.FormatInt(id, 10)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")

	// The planned meeting's main action leads to the record of the held meeting.
	b.Do(chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS(`[data-testid="held-link"]`)))
	if got := b.Text(`[data-testid="held-link"]`); got != "会议已召开：登记出勤和记录" {
		t.Errorf("main action %q", got)
	}
	b.submit(`[data-testid="held-link"]`)
	b.Do(chromedp.WaitVisible(chromedp.ID("f-minutes")))
	b.ShootBoth("planned-held-form")
	b.set("f-minutes", "传达了年度工作要点，研究了支部落实措施。")
	b.submit(`[data-testid="meeting-form"] [data-testid="save"]`)

	// Attendance: the second person due is absent.
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="attendance-form"]`)))
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid=attendance-form] tbody tr:nth-child(2) input[value=absent]`)))
	b.submit(`[data-testid="attendance-form"] [data-testid="save"]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-link"]`)))
	if got := b.Text(`[data-testid="absent"]`); got != "1" {
		t.Errorf("absent after the attendance: %q", got)
	}

	// Submit: locked.
	b.submit(`[data-testid="submit-link"]`)
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="submit-form"] input[name=confirm]`)))
	b.submit(`[data-testid="submit-form"] button[type=submit]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="fix-attendance-link"]`)))

	// Correct the absent person after locking: on leave, with a reason.
	member := app.Int(t, `SELECT member_id FROM attendance WHERE meeting_id = $1 AND status = 'absent'`, id)
	b.submit(`[data-testid="fix-attendance-link"]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="fix-attendance-form"]`)))
	b.set("f-member", strconv.FormatInt(member, 10))
	b.set("f-status", "leave")
	b.set("f-reason", "外出参加培训")
	b.set("f-why", "核对签到表：事前已请假")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="fix-confirm"]`)))
	b.submit(`[data-testid="fix-save"]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="fixes"]`)))
	if got := b.Text(`[data-testid="fix-after"]`); !strings.Contains(got, "请假") || !strings.Contains(got, "外出参加培训") {
		t.Errorf("trail after: %q", got)
	}
	if got := b.Text(`[data-testid="fix-reason"]`); got != "核对签到表：事前已请假" {
		t.Errorf("trail reason: %q", got)
	}
	b.Do(chromedp.ScrollIntoView(chromedp.CSS(`[data-testid="fixes"]`)))
	b.ShootBoth("planned-correction-trail")
}
