package benchdata

import "time"

// The review rollups are generated with the rows they add up, from the
// same meetings, attendees and credits, instead of being computed by
// PostgreSQL from the loaded tables afterwards (which read the 31 M
// attendance and 25 M credit rows of the full preset again, about six
// minutes). They hold what the rollup triggers would: the load test
// compares them with the triggers' own refresh.

// monthOf is the first day of t's month; meetings start on their day in
// China time, so a meeting's day is its rollup month's day.
func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

// monthIndex numbers the data set's months from its first.
func (g *gen) monthIndex(t time.Time) int {
	return monthsSince(g.start, t)
}

// months is how many months the data set spans.
func (g *gen) months() int { return g.monthIndex(g.cfg.Until) + 1 }

// branchMonths is branch_month_stats: per branch (a group's meetings
// count for its branch; a committee's democratic-life meeting for the
// committee), month and kind, the meetings held, those with a quorum
// (more than half of those due present), and the attendees due and
// present. Meetings arrive branch by branch and month by month, so one
// month is added up at a time.
func (g *gen) branchMonths() table {
	type sums struct{ held, quorate, due, present int }
	return table{"branch_month_stats", []string{"branch_id", "month", "kind", "held", "quorate", "due", "present"}, func(e *emitter) {
		var (
			org   int64
			month time.Time
			kinds []string
			by    = map[string]*sums{}
		)
		flush := func() bool {
			for _, k := range kinds {
				s := by[k]
				if !e.row(org, month, k, s.held, s.quorate, s.due, s.present) {
					return false
				}
				delete(by, k)
			}
			kinds = kinds[:0]
			return true
		}
		ok := true
		g.eachMeeting(func(m *meeting) bool {
			key := m.org
			if m.b != nil {
				key = m.b.id
			}
			mon := monthOf(m.day.time())
			if key != org || !mon.Equal(month) {
				if ok = flush(); !ok {
					return false
				}
				org, month = key, mon
			}
			s := by[m.kind]
			if s == nil {
				s = &sums{}
				by[m.kind] = s
				kinds = append(kinds, m.kind)
			}
			due, present := 0, 0
			g.eachAttendee(m, func(_ int64, status int, _ string) bool {
				due++
				if status == 0 {
					present++
				}
				return true
			})
			s.held++
			s.due += due
			s.present += present
			if due > 0 && present*2 > due {
				s.quorate++
			}
			return true
		})
		if ok {
			flush()
		}
	}}
}

// memberMonths is member_month_stats: per member and month with any, the
// study hours credited (a meeting's hours to each member present, and the
// yearly online course) and the last day present at a meeting. A branch's
// members are contiguous and attend only its meetings, which arrive
// branch by branch, so one branch's months are added up at a time and
// written when the meetings of a later branch begin (a branch that held
// none still has its online courses).
func (g *gen) memberMonths() table {
	return table{"member_month_stats", []string{"member_id", "month", "hours", "last_present"}, func(e *emitter) {
		n := g.months()
		var (
			tenths []int  // hours in tenths, [member offset*n + month index]
			last   []days // last day present, likewise; 0 for none
			cur    = -1   // index of the branch being added up
		)
		finish := func(b *branch) bool {
			for i := range b.size {
				id := b.first + int64(i)
				// The online course, drawn as the credits table draws it.
				r := g.rng(rCredit, id-1)
				for y := g.start.Year(); y <= g.cfg.Until.Year(); y++ {
					on := time.Date(y, 6, 15, 0, 0, 0, 0, time.UTC)
					if on.Before(g.start) || on.After(g.cfg.Until) {
						continue
					}
					tenths[i*n+g.monthIndex(on)] += 40 + 10*r.IntN(9)
				}
				for mi := range n {
					t, d := tenths[i*n+mi], last[i*n+mi]
					if t == 0 && d == 0 {
						continue
					}
					var lastPresent any
					if d != 0 {
						lastPresent = d.time()
					}
					if !e.row(id, g.start.AddDate(0, mi, 0), numeric(t), lastPresent) {
						return false
					}
				}
			}
			return true
		}
		// advance writes the branches before index k and starts k.
		advance := func(k int) bool {
			for cur < k {
				if cur >= 0 && !finish(g.branches[cur]) {
					return false
				}
				cur++
				if cur < len(g.branches) {
					size := g.branches[cur].size * n
					if cap(tenths) < size {
						tenths, last = make([]int, size), make([]days, size)
					}
					tenths, last = tenths[:size], last[:size]
					clear(tenths)
					clear(last)
				}
			}
			return true
		}
		ok := true
		g.eachMeeting(func(m *meeting) bool {
			if m.b == nil {
				return true // a committee's meeting: no attendance generated
			}
			if ok = advance(m.b.idx); !ok {
				return false
			}
			mi := g.monthIndex(m.day.time())
			g.eachAttendee(m, func(id int64, status int, _ string) bool {
				if status == 0 {
					j := int(id-m.b.first)*n + mi
					tenths[j] += m.tenths
					last[j] = max(last[j], m.day)
				}
				return true
			})
			return true
		})
		if ok {
			advance(len(g.branches))
		}
	}}
}
