package benchdata

import (
	"time"

	"zhibu/internal/dues"
)

// Dues (issue 21): every Party member's yearly base and a payment for each
// month from admission (or the start of the data) to the last month that
// has ended, a few members falling behind by three to eight months, and
// each branch's months handed in and confirmed (the last one handed in and
// awaiting confirmation; every fifth branch has not handed it in). At the
// full preset: 200k members × 5 years ≈ 12 M ledger rows.

const (
	rDues uint64 = iota + 100
	rDuesBase
)

// duesBase is a member's category and base in a year, a function of the
// member and the year.
func (g *gen) duesBase(id int64, year int) (string, int64) {
	r := g.rng(rDuesBase, id*64+int64(year%64))
	cat := dues.Salaried
	switch {
	case id%50 == 0:
		cat = dues.NoIncome
	case id%10 == 3:
		cat = dues.Retired
	}
	return cat, 250000 + int64(r.IntN(1200000))
}

// duesMonthly is the monthly amount of a member's base in a year.
func (g *gen) duesMonthly(id int64, year int) (dues.Band, string, int64, int64, bool) {
	cat, base := g.duesBase(id, year)
	band, ok := dues.Pick(g.bands, cat, year, base)
	if !ok {
		return band, cat, base, 0, false
	}
	return band, cat, base, dues.Monthly(band, base), true
}

// duesFrom is the first month a member owes in the data, or false.
func (g *gen) duesFrom(id int64) (time.Time, bool) {
	m := g.members[id-1]
	if (m.cat != catFull && m.cat != catProbationary) || m.admit == 0 {
		return time.Time{}, false
	}
	from := monthOf(m.admit.time())
	if from.Before(g.start) {
		from = g.start
	}
	return from, true
}

// eachDuesPayment calls fn for every payment of the branch's members, in
// member and month order; it stops when fn returns false.
func (g *gen) eachDuesPayment(b *branch, fn func(id int64, month time.Time, amount int64, paid time.Time) bool) bool {
	for i := range b.size {
		if !g.memberDuesPayments(b.first+int64(i), fn) {
			return false
		}
	}
	return true
}

// memberDuesPayments calls fn for every payment of one member, in month
// order; it returns false when fn does.
func (g *gen) memberDuesPayments(id int64, fn func(id int64, month time.Time, amount int64, paid time.Time) bool) bool {
	cur := monthOf(g.cfg.Until)
	last := cur.AddDate(0, -1, 0)
	from, ok := g.duesFrom(id)
	if !ok {
		return true
	}
	r := g.rng(rDues, id)
	stop := 0
	if r.IntN(100) < 4 {
		stop = 3 + r.IntN(6)
	}
	until := last.AddDate(0, -stop, 0)
	if stop == 0 && r.IntN(100) < 40 {
		until = cur
	}
	for mo := from; !mo.After(until); mo = mo.AddDate(0, 1, 0) {
		_, _, _, amount, ok := g.duesMonthly(id, mo.Year())
		if !ok {
			continue
		}
		paid := mo.AddDate(0, 0, r.IntN(20))
		if paid.After(g.cfg.Until) {
			paid = g.cfg.Until
		}
		if !fn(id, mo, amount, paid) {
			return false
		}
	}
	return true
}

func (g *gen) duesBases() table {
	cols := []string{"member_id", "year", "category", "base_fen", "rate_bp", "band_id", "standard_fen", "monthly_fen", "source", "created_at"}
	return table{"dues_bases", cols, func(e *emitter) {
		for id := int64(1); id <= int64(len(g.members)); id++ {
			from, ok := g.duesFrom(id)
			if !ok {
				continue
			}
			for y := from.Year(); y <= g.cfg.Until.Year(); y++ {
				band, cat, base, monthly, ok := g.duesMonthly(id, y)
				if !ok {
					continue
				}
				if !e.row(id, y, cat, base, band.RateBP, band.ID, monthly, monthly, "import", g.start) {
					return
				}
			}
		}
	}}
}

func (g *gen) duesPayments() table {
	cols := []string{"branch_id", "member_id", "for_month", "ledger_month", "amount_fen", "paid_on", "method", "receipt_no"}
	methods := []string{"cash", "transfer", "wechat"}
	return table{"dues_payments", cols, func(e *emitter) {
		for _, b := range g.branches {
			if !g.eachDuesPayment(b, func(id int64, mo time.Time, amount int64, paid time.Time) bool {
				return e.row(b.id, id, mo, monthOf(paid), amount, paid, methods[id%3], "")
			}) {
				return
			}
		}
	}}
}

func (g *gen) duesMonths() table {
	cols := []string{"branch_id", "month", "status", "total_fen", "closed_by", "closed_at", "confirmed_by", "confirmed_at"}
	last := monthOf(g.cfg.Until).AddDate(0, -1, 0)
	return table{"dues_months", cols, func(e *emitter) {
		for _, b := range g.branches {
			totals := map[time.Time]int64{}
			g.eachDuesPayment(b, func(_ int64, _ time.Time, amount int64, paid time.Time) bool {
				totals[monthOf(paid)] += amount
				return true
			})
			for mo := g.start; !mo.After(last); mo = mo.AddDate(0, 1, 0) {
				closed := mo.AddDate(0, 1, 2)
				var status string
				var by, at any
				switch {
				case mo.Equal(last) && b.idx%5 == 0:
					continue
				case mo.Equal(last):
					status = "closed"
				default:
					status, by, at = "confirmed", int64(1), mo.AddDate(0, 1, 6)
				}
				if !e.row(b.id, mo, status, totals[mo], int64(1), closed, by, at) {
					return
				}
			}
		}
	}}
}
