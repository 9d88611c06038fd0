package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
)

// TestRuleScope: the reviewer gives 第一党总支 a Party-day rule of its own
// (two a month, from the 1st of this month, on a local document); the
// settings show where each rule comes from, and the year view of a branch
// under it shows the override for this month and the default before.
// Screenshots in both languages at both widths.
func TestRuleScope(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	gen := app.OrgID(t, "第一党总支")
	office := app.OrgID(t, "办公室党支部")
	now := time.Now().In(i18n.Shanghai)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(
		chromedp.Navigate(fmt.Sprintf("%s/review/orgs/%d/rules/party_day", app.URL, gen)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="override-form"]`)),
		chromedp.SetValue(chromedp.ID("f-minimum"), "2"),
		chromedp.SetValue(chromedp.ID("f-effective_from"), first),
		chromedp.SetValue(chromedp.ID("f-source"), "示范市直机关工委〔2026〕15号 第四条"),
	)
	b.submit(`[data-testid="override-save"]`)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="scope-rules"]`)))
	if got := b.Text(`[data-testid="scope-from-party_day"]`); got != "第一党总支" {
		t.Errorf("party day set by %q", got)
	}
	if got := b.Text(`[data-testid="scope-from-committee_meeting"]`); got != "全机关默认" {
		t.Errorf("committee meeting set by %q", got)
	}
	b.ShootBoth("rulescope-settings")

	b.Do(
		chromedp.Navigate(fmt.Sprintf("%s/review/branches/%d/year", app.URL, office)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="applied-rules"]`)),
	)
	got := b.Text(`[data-testid="applied-party_day"][data-scoped="true"]`)
	if !strings.Contains(got, "第一党总支") || !strings.Contains(got, "〔2026〕15号") {
		t.Errorf("this month's party-day rule reads %q", got)
	}
	if now.Month() > time.January {
		if got := b.Text(`[data-testid="applied-party_day"][data-scoped="false"]`); !strings.Contains(got, "全机关默认") {
			t.Errorf("earlier months' party-day rule reads %q", got)
		}
	}
	b.ShootBoth("rulescope-year")

	// The demo's branch under 第二党总支 that missed the local lecture rule
	// in an ended quarter of this year (if any has yet): its year view
	// cites the local document in force then, with the figures.
	var lecture int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT branch_id FROM breaches WHERE rule_code = 'party_lecture' ORDER BY period DESC LIMIT 1`).Scan(&lecture); err == nil {
		sel := `[data-testid="breach"][data-code="party_lecture"]`
		b.Do(
			chromedp.Navigate(fmt.Sprintf("%s/review/branches/%d/year", app.URL, lecture)),
			chromedp.WaitVisible(chromedp.CSS(sel)),
		)
		if got := b.Text(sel); !strings.Contains(got, "示范机工") || !strings.Contains(got, "应开2次") {
			t.Errorf("the lecture breach reads %q", got)
		}
	} else {
		t.Logf("no ended quarter of this year missed the local lecture rule in the demo: %v", err)
	}
}
