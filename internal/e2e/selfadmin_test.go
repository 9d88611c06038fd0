package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestSelfadminMemberPages: a member's contact form refused for a bad phone
// (the input kept, the message beside the field), then saved; and the
// branch's plan read only. Screenshots in both languages.
func TestSelfadminMemberPages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "member")
	b.Do(chromedp.Navigate(app.URL+"/me/contact"), chromedp.WaitVisible(chromedp.ID("f-phone")))
	b.set("f-phone", "12345")
	b.set("f-email", "wang@example.cn")
	b.clickThen(`[data-testid="contact-save"]`, `#f-phone[aria-invalid="true"]`)
	b.ShootBoth("selfadmin-contact-error") // the language switch reloads the form
	b.set("f-phone", "13912345678")
	b.set("f-email", "wang@example.cn")
	b.clickThen(`[data-testid="contact-save"]`, `[data-testid="contact-card"]`)
	if got := b.Text(`[data-testid="contact-email"]`); got != "wang@example.cn" {
		t.Fatalf("/me shows e-mail %q", got)
	}
	b.Do(chromedp.Navigate(app.URL+"/plans"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	b.ShootBoth("selfadmin-member-plans")
}

// TestSelfadminAdminPages: the administrator's reminder-days form refused
// out of range, and the grades-of-branches list. Screenshots in both
// languages.
func TestSelfadminAdminPages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "admin")
	b.Do(chromedp.Navigate(app.URL+"/admin/jobs"), chromedp.WaitVisible(chromedp.ID("f-reminder_days")))
	b.set("f-reminder_days", "45")
	b.clickThen(`[data-testid="reminder-save"]`, `#f-reminder_days[aria-invalid="true"]`)
	b.ShootBoth("selfadmin-reminder-days")
	b.Do(chromedp.Navigate(app.URL+"/admin/grade-levels"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="grade-levels"]`)))
	b.ShootBoth("selfadmin-grade-levels")
}
