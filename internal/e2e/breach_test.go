package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestBreachYear: the reviewer opens 财务处党支部's breach record for the
// year of its open breach from the branch page and sees the open breach
// and the one corrected late. Screenshots in both languages.
func TestBreachYear(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	finance := app.OrgID(t, "财务处党支部")
	year := app.Int(t, `SELECT extract(year FROM month)::bigint FROM breaches WHERE branch_id = $1 AND corrected_on IS NULL ORDER BY month DESC LIMIT 1`, finance)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(
		chromedp.Navigate(fmt.Sprintf("%s/review/branches/%d?period=%d", app.URL, finance, year)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="breach-year-link"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="breach-year-link"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="breach-year"] [data-corrected="false"]`)),
	)
	if got := b.Text(`[data-testid="breach"][data-corrected="false"] [data-testid="breach-state"]`); !strings.Contains(got, "尚未整改") {
		t.Errorf("open breach reads %q", got)
	}
	if !strings.Contains(b.Text(`[data-testid="breach-count"]`), "逾期整改") {
		t.Errorf("count reads %q", b.Text(`[data-testid="breach-count"]`))
	}
	b.ShootBoth("breach-year")
}
