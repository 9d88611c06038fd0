package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestRecruitOwnFile: a person in the pipeline (the demo's probationary
// member) signs in, follows the link on /me to their own recruitment file
// and reads it, with no step form; screenshots in both languages at
// desktop and phone width.
func TestRecruitOwnFile(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	own := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'probationer'`)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "probationer")
	b.Do(chromedp.Navigate(app.URL+"/me"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="me-recruit-link"]`)))
	b.submit(`[data-testid="me-recruit-link"]`)
	if got, want := b.Location(), fmt.Sprintf("%s/recruitment/%d", app.URL, own); got != want {
		t.Fatalf("the link leads to %s, want %s", got, want)
	}
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="recruit-own-note"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recruit-steps"]`)))
	if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="step-form"], form[action$="/steps"]').length`)); err != nil || n != 0 {
		t.Fatalf("the own file shows a step form (%d, %v)", n, err)
	}
	b.ShootBoth("recruit2-own-file")
}
