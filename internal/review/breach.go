package review

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/rules"
)

// The breach ledger (table breaches). The background computation of
// branch_status records each rule it finds missed for a branch and period
// (per member for member rules); a later computation that finds the same
// period met keeps the row and marks it corrected late. A breach is never
// deleted: what a past month looked like stays, except for the late mark.

// breachKey is one breach as a computation finds it.
type breachKey struct {
	Branch  int64
	Code    string
	Period  string    // the rule's period (2026-07, 2026-Q3, 2026), or the month it fell due
	Month   time.Time // first day of the month the breach belongs to
	Member  int64     // 0: the branch
	Subject string
	Level   int
}

// breachCover is what a computation settled: the rule's period for a branch
// (Period "": every open breach of the rule, for rules checked on the day).
type breachCover struct {
	Branch int64
	Code   string
	Period string
}

func monthOf(d time.Time) time.Time { return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC) }

// subPeriod is the period of kind k (month, quarter, year) containing d.
func subPeriod(k string, d time.Time) rules.Period {
	switch k {
	case rules.PeriodMonth:
		return rules.Month(d.Year(), d.Month())
	case rules.PeriodQuarter:
		return rules.Quarter(d.Year(), (int(d.Month())-1)/3+1)
	}
	return rules.Year(d.Year())
}

// breachesOf evaluates a branch's facts for the breach ledger: each month
// of p ended by today, for rules counted over periods (a period is settled
// once it has ended), and, when p includes today, the rules checked on the
// day. Pure: it reads nothing.
func breachesOf(branch int64, f rules.Facts, all []rules.Rule, p rules.Period, today time.Time) (found []breachKey, covered []breachCover) {
	today = rules.Day(today)
	seen := map[breachCover]bool{}
	for m := p.Start; m.Before(p.End) && !m.AddDate(0, 1, 0).After(today); m = m.AddDate(0, 1, 0) {
		if m.Year() != f.Year {
			continue
		}
		for _, r := range rules.Evaluate(f, all, rules.Month(m.Year(), m.Month()), today) {
			if r.Rule.Period != rules.PeriodMonth && r.Rule.Period != rules.PeriodQuarter && r.Rule.Period != rules.PeriodYear {
				continue
			}
			sub := subPeriod(r.Rule.Period, m)
			if sub.End.After(today) || r.Status == rules.NotApplicable {
				continue // not settled yet
			}
			c := breachCover{branch, r.Rule.Code, sub.Key()}
			if seen[c] {
				continue
			}
			seen[c] = true
			covered = append(covered, c)
			if r.Status != rules.Missed {
				continue
			}
			month := monthOf(sub.Last())
			if len(r.Members) == 0 {
				found = append(found, breachKey{Branch: branch, Code: r.Rule.Code, Period: sub.Key(), Month: month, Level: int(r.Actual)})
			}
			for _, mi := range r.Members {
				if mi.Status == rules.Missed {
					found = append(found, breachKey{Branch: branch, Code: r.Rule.Code, Period: sub.Key(), Month: month, Member: mi.ID, Subject: mi.Name, Level: int(mi.Value)})
				}
			}
		}
	}
	if !p.Contains(today) {
		return found, covered
	}
	for _, r := range rules.Evaluate(f, all, p, today) {
		if r.Rule.Period != rules.PeriodNone && r.Rule.Period != "" {
			continue
		}
		covered = append(covered, breachCover{branch, r.Rule.Code, ""})
		if r.Status != rules.Missed {
			continue
		}
		at := func(d time.Time) time.Time {
			if d.IsZero() || d.After(today) {
				return today
			}
			return d
		}
		switch {
		case len(r.Members) > 0:
			for _, mi := range r.Members {
				if mi.Status == rules.Missed {
					d := at(mi.DueOn)
					found = append(found, breachKey{Branch: branch, Code: r.Rule.Code, Period: rules.Month(d.Year(), d.Month()).Key(), Month: monthOf(d), Member: mi.ID, Subject: mi.Name, Level: mi.Level})
				}
			}
		case len(r.Items) > 0:
			for _, it := range r.Items {
				d := at(it.Deadline)
				found = append(found, breachKey{Branch: branch, Code: r.Rule.Code, Period: rules.Month(d.Year(), d.Month()).Key(), Month: monthOf(d), Subject: it.Problem})
			}
		default:
			d := at(r.DueOn)
			found = append(found, breachKey{Branch: branch, Code: r.Rule.Code, Period: rules.Month(d.Year(), d.Month()).Key(), Month: monthOf(d), Level: int(r.Actual)})
		}
	}
	// One row per key (two items due in one month are one breach).
	slices.SortFunc(found, func(a, b breachKey) int {
		if a.Code != b.Code {
			return cmpStr(a.Code, b.Code)
		}
		if a.Period != b.Period {
			return cmpStr(a.Period, b.Period)
		}
		return int(a.Member - b.Member)
	})
	found = slices.CompactFunc(found, func(a, b breachKey) bool {
		return a.Branch == b.Branch && a.Code == b.Code && a.Period == b.Period && a.Member == b.Member
	})
	return found, covered
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// breachCorrectSQL marks late corrections: open breaches of what the
// computation settled that it no longer finds.
const breachCorrectSQL = `
UPDATE breaches b SET corrected_on = $7
  FROM unnest($1::bigint[], $2::text[], $3::text[]) AS c(branch_id, code, period)
 WHERE b.corrected_on IS NULL AND b.branch_id = c.branch_id AND b.rule_code = c.code
   AND (c.period = '' OR b.period = c.period)
   AND NOT EXISTS (SELECT 1 FROM unnest($4::bigint[], $5::text[], $6::text[], $8::bigint[]) AS f(branch_id, code, period, member_id)
                    WHERE f.branch_id = b.branch_id AND f.code = b.rule_code AND f.period = b.period
                      AND f.member_id = coalesce(b.member_id, 0))`

// breachRecordSQL records what the computation found; one found again
// after a correction is open again.
const breachRecordSQL = `
INSERT INTO breaches (branch_id, rule_code, period, month, member_id, subject, level, first_seen)
SELECT f.branch_id, f.code, f.period, f.month, NULLIF(f.member_id, 0), f.subject, f.level, $8
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::date[], $5::bigint[], $6::text[], $7::int[])
       AS f(branch_id, code, period, month, member_id, subject, level)
 WHERE f.member_id = 0 OR EXISTS (SELECT 1 FROM members m WHERE m.id = f.member_id)
 ORDER BY 1, 2, 3, 5
ON CONFLICT (branch_id, rule_code, period, coalesce(member_id, 0)) DO UPDATE
   SET level = greatest(breaches.level, EXCLUDED.level), corrected_on = NULL
 WHERE breaches.corrected_on IS NOT NULL OR breaches.level < EXCLUDED.level`

// recordBreaches writes the ledger for evaluated rows (from Evaluate, with
// their facts), in one transaction. Only the background computation calls
// it (a GET never writes).
func recordBreaches(ctx context.Context, q *pgxpool.Pool, rows []Row, p rules.Period, today time.Time) error {
	if len(rows) == 0 {
		return nil
	}
	var found []breachKey
	var covered []breachCover
	for _, row := range rows {
		if row.Facts == nil {
			continue
		}
		f, c := breachesOf(row.Branch.ID, *row.Facts, row.Rules, p, today)
		found, covered = append(found, f...), append(covered, c...)
	}
	if len(covered) == 0 && len(found) == 0 {
		return nil
	}
	var (
		cb         []int64
		cc, cp     []string
		fb, fm     []int64
		fc, fp, fs []string
		fmon       []time.Time
		flev       []int32
	)
	for _, c := range covered {
		cb, cc, cp = append(cb, c.Branch), append(cc, c.Code), append(cp, c.Period)
	}
	for _, k := range found {
		fb, fc, fp, fmon, fm, fs, flev = append(fb, k.Branch), append(fc, k.Code), append(fp, k.Period), append(fmon, k.Month), append(fm, k.Member), append(fs, k.Subject), append(flev, int32(k.Level))
	}
	return pgx.BeginFunc(ctx, q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, breachCorrectSQL, cb, cc, cp, fb, fc, fp, rules.Day(today), fm); err != nil {
			return fmt.Errorf("review: breaches corrected: %w", err)
		}
		if _, err := tx.Exec(ctx, breachRecordSQL, fb, fc, fp, fmon, fm, fs, flev, rules.Day(today)); err != nil {
			return fmt.Errorf("review: breaches recorded: %w", err)
		}
		return nil
	})
}

// Breach is one row of the ledger, for the year view.
type Breach struct {
	ID          int64      `db:"id"`
	Code        string     `db:"rule_code"`
	Period      string     `db:"period"`
	Month       time.Time  `db:"month"`
	MemberID    *int64     `db:"member_id"`
	Subject     string     `db:"subject"`
	Level       int        `db:"level"`
	FirstSeen   time.Time  `db:"first_seen"`
	CorrectedOn *time.Time `db:"corrected_on"`
}

const breachesOfYearSQL = `
SELECT id, rule_code, period, month, member_id, subject, level, first_seen, corrected_on
  FROM breaches
 WHERE branch_id = $1 AND month >= $2 AND month < $3
 ORDER BY month, rule_code, subject, id`

// BreachesOfYear lists a branch's recorded breaches that belong to the
// months of a year, month by month.
func BreachesOfYear(ctx context.Context, q db.Querier, branch int64, year int) ([]Breach, error) {
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	rows, err := q.Query(ctx, breachesOfYearSQL, branch, start, start.AddDate(1, 0, 0))
	if err != nil {
		return nil, fmt.Errorf("review: breaches: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Breach])
	if err != nil {
		return nil, fmt.Errorf("review: breaches: %w", err)
	}
	return out, nil
}
