package seed

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/dues"
)

// duesSpec is a demo member's dues: category, base in fen, special case,
// and how many months that have ended are left unpaid.
type duesSpec struct {
	category string
	baseFen  int64
	special  string
	unpaid   int
}

// duesSpecs cover every category and band (salaried ≤3000, ≤5000,
// ≤10000, above; retired ≤5000, above; no fixed income), a voluntary
// amount, a committee-approved reduction and exemption, and members
// three and six months behind.
var duesSpecs = []duesSpec{
	{dues.Salaried, 280000, dues.SpecialNone, 0},
	{dues.Salaried, 420000, dues.SpecialNone, 3},
	{dues.Salaried, 860000, dues.SpecialNone, 6},
	{dues.Salaried, 1250000, dues.SpecialNone, 0},
	{dues.Retired, 450000, dues.SpecialNone, 0},
	{dues.Retired, 620000, dues.SpecialNone, 1},
	{dues.NoIncome, 0, dues.SpecialNone, 0},
	{dues.Salaried, 650000, dues.SpecialVoluntary, 0},
	{dues.Salaried, 380000, dues.SpecialExempt, 0},
	{dues.Retired, 300000, dues.SpecialReduced, 0},
}

// dues loads a year and more of dues in two branches: 人事处党支部 with
// every band and special case, months handed in and confirmed, the last
// month handed in and awaiting confirmation, members three and six months
// behind; 财务处党支部 with bases set and last month not yet handed in.
// 办公室党支部 is left without bases: its secretary imports the payroll.
func (g *gen) dues(ctx context.Context) error {
	table, err := dues.Bands(ctx, g.tx)
	if err != nil {
		return err
	}
	var secretary, reviewer int64
	if err := g.tx.QueryRow(ctx, `SELECT (SELECT id FROM accounts WHERE username = 'secretary'), (SELECT id FROM accounts WHERE username = 'reviewer')`).Scan(&secretary, &reviewer); err != nil {
		return fmt.Errorf("dues accounts: %w", err)
	}
	thisMonth := dues.FirstOfMonth(g.today)
	start := time.Date(g.today.Year()-1, 1, 1, 0, 0, 0, 0, time.UTC)
	last := thisMonth.AddDate(0, -1, 0)
	for bi, name := range []string{"人事处党支部", "财务处党支部"} {
		var branchID int64
		if err := g.tx.QueryRow(ctx, `SELECT id FROM organisations WHERE name = $1 AND kind = 'branch'`, name).Scan(&branchID); err != nil {
			return fmt.Errorf("dues branch %s: %w", name, err)
		}
		type mrow struct {
			id  int64
			adm time.Time
		}
		rows, err := g.tx.Query(ctx, `SELECT id, admitted_on FROM members WHERE branch_id = $1 AND in_good_standing(category, party_status) ORDER BY id`, branchID)
		if err != nil {
			return err
		}
		var ms []mrow
		for rows.Next() {
			var m mrow
			if err := rows.Scan(&m.id, &m.adm); err != nil {
				rows.Close()
				return err
			}
			ms = append(ms, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for i, m := range ms {
			spec := duesSpecs[i%len(duesSpecs)]
			if bi == 1 {
				spec = duesSpec{dues.Salaried, int64(300000 + 25000*i), dues.SpecialNone, 0}
			}
			var monthly [2]int64
			for y := 0; y < 2; y++ {
				year := start.Year() + y
				band, ok := dues.Pick(table, spec.category, year, spec.baseFen)
				if !ok {
					return fmt.Errorf("dues: no band %s %d", spec.category, year)
				}
				std := dues.Monthly(band, spec.baseFen)
				amount, reason, approved := std, "", (*time.Time)(nil)
				switch spec.special {
				case dues.SpecialVoluntary:
					amount, reason = 10000, "本人自愿每月多交"
				case dues.SpecialExempt:
					amount, reason = 0, "身患重病、生活困难，经支部讨论、机关党委批准免交"
					d := time.Date(year, 1, 15, 0, 0, 0, 0, time.UTC)
					approved = &d
				case dues.SpecialReduced:
					amount, reason = std/2, "家庭困难，经支部讨论、机关党委批准减半交纳"
					d := time.Date(year, 1, 15, 0, 0, 0, 0, time.UTC)
					approved = &d
				}
				monthly[y] = amount
				if _, err := g.tx.Exec(ctx, `INSERT INTO dues_bases (member_id, year, category, base_fen, staff_no, rate_bp, band_id, standard_fen, special, special_reason, approved_on, monthly_fen, source, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'import', $13, $13)`,
					m.id, year, spec.category, spec.baseFen, fmt.Sprintf("G%04d", m.id), band.RateBP, band.ID, std, spec.special, reason, approved, amount,
					time.Date(year-1, 12, 20, 0, 0, 0, 0, time.UTC)); err != nil {
					return fmt.Errorf("dues base: %w", err)
				}
			}
			// Payments: each month in its own ledger month, from admission,
			// up to the month before the member's run of unpaid months.
			payUntil := last.AddDate(0, -spec.unpaid, 0)
			if bi == 1 {
				payUntil = last.AddDate(0, -1, 0)
			}
			for mo := start; !mo.After(payUntil); mo = mo.AddDate(0, 1, 0) {
				if mo.Before(dues.FirstOfMonth(m.adm)) {
					continue
				}
				amount := monthly[mo.Year()-start.Year()]
				if _, err := g.tx.Exec(ctx, `INSERT INTO dues_payments (branch_id, member_id, for_month, ledger_month, amount_fen, paid_on, method, receipt_no, recorded_by)
VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)`, branchID, m.id, mo, amount, mo.AddDate(0, 0, 4+i%10), []string{"cash", "transfer", "wechat"}[i%3], fmt.Sprintf("DF%s-%03d", mo.Format("200601"), i+1), secretary); err != nil {
					return fmt.Errorf("dues payment: %w", err)
				}
			}
		}
		// Hand in and confirm: 人事处 every month before the last (the last
		// awaits confirmation); 财务处 up to two months ago.
		for mo := start; mo.Before(thisMonth); mo = mo.AddDate(0, 1, 0) {
			if bi == 1 && !mo.Before(last) {
				break
			}
			status := "confirmed"
			if bi == 0 && mo.Equal(last) {
				status = "closed"
			}
			if _, err := g.tx.Exec(ctx, `INSERT INTO dues_months (branch_id, month, status, total_fen, closed_by, closed_at, confirmed_by, confirmed_at)
SELECT $1, $2, $3, coalesce(sum(amount_fen), 0), $4, $5, CASE WHEN $3 = 'confirmed' THEN $6::bigint END, CASE WHEN $3 = 'confirmed' THEN $7::timestamptz END
  FROM dues_payments WHERE branch_id = $1 AND ledger_month = $2`,
				branchID, mo, status, secretary, mo.AddDate(0, 1, 2), reviewer, mo.AddDate(0, 1, 6)); err != nil {
				return fmt.Errorf("dues month: %w", err)
			}
		}
	}
	return nil
}
