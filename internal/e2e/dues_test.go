package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/dues"
)

// TestDuesJourney: the secretary sets the branch's bases by importing the
// payroll, records a month's payment that makes up two past months,
// hands the month in (上缴), and the reviewer confirms it. Screenshots in
// both languages at desktop and phone width.
func TestDuesJourney(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		t.Run(l.code, func(t *testing.T) {
			app := apptest.New(t)
			ctx := t.Context()
			branch := app.OrgID(t, "办公室党支部")
			now := time.Now()
			cur := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
			if cur.Month() < 3 {
				t.Skip("the journey makes up two months of the same year")
			}

			// The finance office's payroll: name, ID number, base.
			x := excelize.NewFile()
			head := []any{"姓名", "身份证号", "基数"}
			if err := x.SetSheetRow("Sheet1", "A1", &head); err != nil {
				t.Fatal(err)
			}
			rows, err := app.Pool.Query(ctx, `SELECT id, name, id_number_enc FROM members WHERE branch_id = $1 AND in_good_standing(category, party_status) AND id_number_enc IS NOT NULL ORDER BY id`, branch)
			if err != nil {
				t.Fatal(err)
			}
			var first int64
			var firstName string
			n := 1
			for rows.Next() {
				var id int64
				var name string
				var enc []byte
				if err := rows.Scan(&id, &name, &enc); err != nil {
					t.Fatal(err)
				}
				idno, err := app.Sealer.Open(enc)
				if err != nil {
					t.Fatal(err)
				}
				if first == 0 {
					first, firstName = id, name
				}
				n++
				row := []any{name, idno, fmt.Sprintf("%d.50", 2800+n*350)}
				if err := x.SetSheetRow("Sheet1", fmt.Sprintf("A%d", n), &row); err != nil {
					t.Fatal(err)
				}
			}
			rows.Close()
			file := filepath.Join(t.TempDir(), "payroll.xlsx")
			if err := x.SaveAs(file); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.Remove(file) }()

			b := newBrowser(t, l.accept)
			signIn(b, app, "secretary")
			b.Do(chromedp.Navigate(fmt.Sprintf("%s/dues/branches/%d/bases?year=%d", app.URL, branch, cur.Year())), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-import-form"]`)))
			b.Do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{file}))
			b.submit(`[data-testid="dues-import"]`)
			b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
			var nb int
			if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM dues_bases b JOIN members m ON m.id = b.member_id WHERE m.branch_id = $1 AND b.year = $2`, branch, cur.Year()).Scan(&nb); err != nil || nb != n-1 {
				t.Fatalf("bases imported: %d (%v), want %d", nb, err, n-1)
			}
			b.Shoot("dues-bases-imported-" + l.code)

			// A payment for this month that makes up the two before it.
			b.Do(chromedp.Navigate(fmt.Sprintf("%s/dues/branches/%d?month=%s", app.URL, branch, dues.MonthKey(cur))), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-pay-form"]`)))
			b.set("f-member_id", fmt.Sprint(first))
			b.set("f-receipt_no", "DF-0001")
			for _, m := range []time.Time{cur.AddDate(0, -2, 0), cur.AddDate(0, -1, 0), cur} {
				b.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`[data-testid="dues-month-%s"]`, dues.MonthKey(m)))))
			}
			b.Shoot("dues-pay-form-" + l.code)
			b.submit(`[data-testid="dues-pay"]`)
			b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
			var paid int
			if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM dues_payments WHERE member_id = $1 AND ledger_month = $2`, first, cur).Scan(&paid); err != nil || paid != 3 {
				t.Fatalf("%s: %d months recorded (%v), want 3", firstName, paid, err)
			}
			b.Shoot("dues-ledger-paid-" + l.code)

			// Hand the month in.
			b.Do(chromedp.Click(chromedp.CSS(`[data-testid="dues-close-form"] input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`[data-testid="dues-close"]`)))
			b.Do(chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="dues-close-form"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-state"]`)))
			b.Shoot("dues-ledger-closed-" + l.code)

			// The reviewer sees the roll-up and confirms the month.
			r := newBrowser(t, l.accept)
			signIn(r, app, "reviewer")
			r.Do(chromedp.Navigate(app.URL+"/dues?month="+dues.MonthKey(cur)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-rollup"]`)))
			r.Shoot("dues-rollup-" + l.code)
			r.Do(chromedp.Navigate(fmt.Sprintf("%s/dues/branches/%d?month=%s", app.URL, branch, dues.MonthKey(cur))), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-confirm-form"]`)))
			r.submit(`[data-testid="dues-confirm"]`)
			r.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
			var status string
			if err := app.Pool.QueryRow(ctx, `SELECT status FROM dues_months WHERE branch_id = $1 AND month = $2`, branch, cur).Scan(&status); err != nil || status != "confirmed" {
				t.Fatalf("month status %q (%v), want confirmed", status, err)
			}
			r.Shoot("dues-confirmed-" + l.code)

			// The demo branch with members three and six months behind: the
			// reminder and the six-month rule, with the rule's source.
			hr := app.OrgID(t, "人事处党支部")
			r.Do(chromedp.Navigate(fmt.Sprintf("%s/dues/branches/%d", app.URL, hr)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-level-breach"]`)))
			r.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-level-remind"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="dues-rule"]`)))
			r.Shoot("dues-arrears-" + l.code)
		})
	}
}
