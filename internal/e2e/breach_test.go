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

// TestTrueFiguresOfTheBreaches: the branch page of 财务处党支部 shows its
// demo breaches with their true figures and their sources: the member
// idle about nine months reads past the six of 党章 第九条 (not stopped at
// "第6个月"), the branch size names what it counts and agrees with the
// roster, and every rule row cites its document. Screenshots in both
// languages.
func TestTrueFiguresOfTheBreaches(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	finance := app.OrgID(t, "财务处党支部")
	full := app.Int(t, `SELECT count(*) FROM members WHERE branch_id = $1 AND category = 'full' AND in_good_standing(category, party_status)`, finance)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(
		chromedp.Navigate(fmt.Sprintf("%s/review/branches/%d", app.URL, finance)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-six_months"]`)),
	)
	six := b.Text(`[data-testid="result-six_months"]`)
	var months int
	if i := strings.Index(six, "已连续"); i < 0 {
		t.Fatalf("six-month row reads %q", six)
	} else if _, err := fmt.Sscanf(six[i+len("已连续"):], "%d", &months); err != nil || months <= 6 {
		t.Errorf("six-month count %d (%v) in %q: the demo member has been idle about nine months", months, err, six)
	}
	if !strings.Contains(six, "未达标") || !strings.Contains(six, "《中国共产党章程》第九条") {
		t.Errorf("six-month row lacks its status or source: %q", six)
	}
	if size := b.Text(`[data-testid="result-branch_size"]`); !strings.Contains(size, fmt.Sprintf("正式党员%d人", full)) {
		t.Errorf("branch size reads %q, want %d full members named as such", size, full)
	}
	count, err := chromedp.Run(b.ctx, chromedp.Evaluate[[2]int](`[document.querySelectorAll('[data-testid="results"] tbody tr [data-testid="source"]').length,
  document.querySelectorAll('[data-testid="results"] tbody tr').length]`))
	if err != nil {
		t.Fatal(err)
	}
	sources, rows := count[0], count[1]
	if rows == 0 || sources != rows {
		t.Errorf("%d of %d rule rows cite their source", sources, rows)
	}
	b.ShootBoth("true-figures")
}
