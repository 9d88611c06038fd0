package benchdata

import (
	"time"

	"zhibu/internal/i18n"
)

// The kept dues roll-up (dues_rollup, migration 000380) is written by the
// load from the generator's own figures, as the meeting roll-ups are,
// instead of by dues_rollup_rebuild() afterwards: the rebuild looks up each
// of the full preset's ~14 million member-months one by one (its base, its
// payments, its branch on the day), which took over half an hour on the
// shared machine. TestLoadedDuesRollupMatchesTheRebuild holds these rows
// against the rebuild's, row for row, and the span against its span.

// duesSpan is the months dues_rollup_rebuild would keep (dues_rollup_span):
// from January of the first base's year (no payment or ledger month lies
// earlier: a payment needs its year's base) or the current month if
// earlier, to a year past the current month (no payment lies later unless
// --until is more than a year ahead). The current month is China's today,
// as the database's now() gives it. ok is false when no member has a base.
func (g *gen) duesSpan(now time.Time) (from, to time.Time, ok bool) {
	first := 0
	for id := int64(1); id <= int64(len(g.members)); id++ {
		start, has := g.duesFrom(id)
		if !has {
			continue
		}
		if y, has := g.firstBaseYear(id, start); has && (first == 0 || y < first) {
			first = y
		}
	}
	if first == 0 {
		return time.Time{}, time.Time{}, false
	}
	n := now.In(i18n.Shanghai)
	cur := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
	from = time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC)
	if cur.Before(from) {
		from = cur
	}
	to = cur.AddDate(0, 12, 0)
	if u := monthOf(g.cfg.Until); u.After(to) {
		to = u
	}
	return from, to, true
}

// firstBaseYear is the first year from start's on that has a base.
func (g *gen) firstBaseYear(id int64, start time.Time) (int, bool) {
	for y := start.Year(); y <= g.cfg.Until.Year(); y++ {
		if _, _, _, _, ok := g.duesMonthly(id, y); ok {
			return y, true
		}
	}
	return 0, false
}

// duesRollupMonth is one branch month of the roll-up.
type duesRollupMonth struct {
	members, noBase                          int
	expected, collected, outstanding, ledger int64
	owed, booked                             bool // a member owes in it; the ledger has a row in it
}

// duesRollup streams dues_rollup for the span: per branch and month, the
// members owing (in good standing, admitted, from the later of their
// admission month and the start of their first base: dues_member_months),
// those without a base, the amounts expected, collected and outstanding
// (per member max(0, due − paid)) and what the ledger received in the
// month. Members of the data set never move, so a member's branch is the
// branch on every day.
func (g *gen) duesRollup(from, to time.Time) table {
	cols := []string{"branch_id", "month", "members", "no_base", "expected_fen", "collected_fen", "outstanding_fen", "ledger_fen"}
	months := monthsSince(from, to) + 1
	index := func(t time.Time) int { return monthsSince(from, t) }
	return table{"dues_rollup", cols, func(e *emitter) {
		agg := make([]duesRollupMonth, months)
		for _, b := range g.branches {
			clear(agg)
			for i := range b.size {
				g.addMemberDues(b.first+int64(i), from, to, agg, index)
			}
			for i := range agg {
				a := &agg[i]
				if !a.owed && !a.booked {
					continue
				}
				if !e.row(b.id, from.AddDate(0, i, 0), a.members, a.noBase, a.expected, a.collected, a.outstanding, a.ledger) {
					return
				}
			}
		}
	}}
}

// addMemberDues adds one member's months from..to to the branch's months.
func (g *gen) addMemberDues(id int64, from, to time.Time, agg []duesRollupMonth, index func(time.Time) int) {
	start, ok := g.duesFrom(id) // a Party member in good standing, admitted
	if !ok {
		return
	}
	// The first month owed: the admission month, and with a base no
	// earlier than January of its first year nor the month the bases
	// were recorded (created_at: the data set's start).
	adm := monthOf(g.members[id-1].admit.time())
	monthly := map[int]int64{}
	first, hasBase := g.firstBaseYear(id, start)
	if hasBase {
		for y := first; y <= g.cfg.Until.Year(); y++ {
			if _, _, _, amount, ok := g.duesMonthly(id, y); ok {
				monthly[y] = amount
			}
		}
		adm = later(adm, time.Date(first, 1, 1, 0, 0, 0, 0, time.UTC), monthOf(g.start))
	}
	paid := map[time.Time]int64{}
	g.memberDuesPayments(id, func(_ int64, mo time.Time, amount int64, on time.Time) bool {
		paid[mo] += amount
		if l := monthOf(on); !l.Before(from) && !l.After(to) {
			a := &agg[index(l)]
			a.booked = true
			a.ledger += amount
		}
		return true
	})
	for mo := later(adm, from); !mo.After(to); mo = mo.AddDate(0, 1, 0) {
		a := &agg[index(mo)]
		a.owed = true
		a.members++
		p := paid[mo]
		a.collected += p
		due, ok := baseFor(monthly, first, mo.Year())
		if !ok {
			a.noBase++
			continue
		}
		a.expected += due
		a.outstanding += max(0, due-p)
	}
}

// baseFor is the monthly amount of the latest base of a year up to y.
func baseFor(monthly map[int]int64, first, y int) (int64, bool) {
	for ; y >= first && len(monthly) > 0; y-- {
		if v, ok := monthly[y]; ok {
			return v, true
		}
	}
	return 0, false
}

func later(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.After(t) {
			t = o
		}
	}
	return t
}

// monthsSince counts the months from from's month to t's.
func monthsSince(from, t time.Time) int {
	return (t.Year()-from.Year())*12 + int(t.Month()) - int(from.Month())
}
