package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestWorkbenches: each role's home shows its real to-dos from the demo
// data. Screenshots in both languages at desktop and phone width.
func TestWorkbenches(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	for _, c := range []struct{ user, bench string }{
		{"secretary", "branch-bench"},
		{"member", "member-upcoming"},
		{"reviewer", "reviewer-bench"},
	} {
		b := newBrowser(t, "zh-CN,zh")
		signIn(b, app, c.user)
		b.Do(chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="`+c.bench+`"]`)))
		if c.user == "secretary" && !strings.Contains(b.Text(`[data-testid="branch-bench"]`), "请假") {
			t.Errorf("the secretary's to-dos do not list the demo leave request")
		}
		b.ShootBoth("home-" + c.user)
	}
}

// TestLeaveAndCreditThroughApproval: a member asks for leave and claims
// study hours in the browser, the secretary approves both, and the member
// reads the decisions in the inbox.
func TestLeaveAndCreditThroughApproval(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	mem := newBrowser(t, "zh-CN,zh")
	signIn(mem, app, "member")
	// The member's next meeting without a request.
	mem.Do(chromedp.Navigate(app.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="ask-leave"]`)))
	mem.Do(chromedp.Click(chromedp.CSS(`[data-testid="ask-leave"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="leave-form"]`)))
	mem.ShootBoth("leave-request")
	mem.set("f-reason", "参加上级机关组织的业务培训")
	mem.submit(`[data-testid="leave-form"] button[type="submit"]`)
	mem.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="leave-requests"]`)))

	mem.Do(chromedp.Navigate(app.URL+"/me/credits/new"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="claim-form"]`)))
	mem.ShootBoth("credit-claim")
	mem.set("f-title", "网络学院：基层党建工作专题")
	mem.set("f-hours", "4")
	mem.set("f-certificate_no", "WLXY-2026-12001")
	mem.submit(`[data-testid="claim-form"] button[type="submit"]`)
	mem.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="credit-requests"]`)))

	sec := newBrowser(t, "zh-CN,zh")
	signIn(sec, app, "secretary")
	sec.Do(chromedp.Navigate(app.URL+"/meetings/requests"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="decide-form"]`)))
	sec.ShootBoth("requests-to-decide")
	for _, c := range []struct{ item, text string }{
		{"leave-request", "参加上级机关组织的业务培训"},
		{"credit-request", "基层党建工作专题"},
	} {
		js := `(() => { const li = Array.from(document.querySelectorAll('[data-testid="` + c.item + `"]')).find(e => e.textContent.includes("` + c.text + `"));
  if (!li) return false; li.querySelector('[data-testid="approve"]').click(); return true; })()`
		clicked, err := chromedp.Run(sec.ctx, chromedp.Evaluate[bool](js))
		if err != nil || !clicked {
			t.Fatalf("approve %s: %v %v", c.item, clicked, err)
		}
		sec.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
		sec.Do(chromedp.Navigate(app.URL+"/meetings/requests"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="leave-requests"]`)))
	}
	var approved int64
	if err := app.Pool.QueryRow(context.Background(), `
SELECT (SELECT count(*) FROM leave_requests WHERE reason = '参加上级机关组织的业务培训' AND status = 'approved')
     + (SELECT count(*) FROM credit_requests WHERE certificate_no = 'WLXY-2026-12001' AND status = 'approved')`).Scan(&approved); err != nil || approved != 2 {
		t.Fatalf("approved %d of 2 (%v)", approved, err)
	}
	mem.Do(chromedp.Navigate(app.URL+"/inbox"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox"]`)))
	if txt := mem.Text(`[data-testid="inbox"]`); !strings.Contains(txt, "请假已批准") || !strings.Contains(txt, "学时申请已批准") {
		t.Errorf("inbox lacks the decisions: %q", txt)
	}
	mem.ShootBoth("inbox")
}

// TestQRSignIn: the secretary's sign-in screen shows the code; the test
// reads it from the page and posts it as the member's phone would; the
// arrival appears on the screen without a reload.
func TestQRSignIn(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	var id int64
	if err := app.Pool.QueryRow(context.Background(), `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, status)
SELECT m.branch_id, 'general', '支部党员大会', now() - interval '5 minutes', now() + interval '85 minutes', '三楼会议室', 'planned'
  FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member' RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	sec := newBrowser(t, "zh-CN,zh")
	signIn(sec, app, "secretary")
	screen := app.URL + "/meetings/" + strconv.FormatInt(id, 10) + "/checkin"
	sec.Do(chromedp.Navigate(screen), chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkin-qr"]`)))
	sec.ShootBoth("checkin-screen")
	sec.Do(chromedp.Navigate(screen), chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkin-qr"]`)))
	code := strings.TrimSpace(sec.Text(`[data-testid="checkin-code"]`))
	if len(code) != 6 {
		t.Fatalf("code on the screen: %q", code)
	}

	phone := newBrowser(t, "zh-CN,zh")
	phone.Do(chromedp.EmulateViewport(390, 844))
	// The QR code's address: not signed in yet, the phone signs in first
	// and comes back to the page with the code.
	phone.Do(chromedp.Navigate(app.URL+"/checkin/"+strconv.FormatInt(id, 10)+"?code="+code), chromedp.WaitVisible(chromedp.ID("f-username")))
	phone.Do(
		chromedp.SendKeys(chromedp.ID("f-username"), "member"),
		chromedp.SendKeys(chromedp.ID("f-password"), "Zhibu@2026"),
		chromedp.Click(chromedp.CSS(`[data-testid="login-submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkin-form"]`)),
	)
	phone.ShootBoth("checkin-phone")
	// The code may have moved on while the phone signed in; the page
	// carries the one read, which stays good for one more window.
	phone.Do(chromedp.Click(chromedp.CSS(`[data-testid="checkin-submit"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="checkin-done"]`)))
	phone.Shoot("checkin-done-zh")

	ctx, cancel := context.WithTimeout(sec.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`[data-testid="arrival"]`))); err != nil {
		t.Fatalf("the arrival did not appear on the screen without a reload: %v", err)
	}
	sec.Shoot("checkin-arrival-zh")
}
