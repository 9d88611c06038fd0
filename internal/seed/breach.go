package seed

import (
	"context"
	"fmt"
	"time"
)

// breaches seeds the breach ledger (internal/review's breaches table, kept
// by the background computation) for 财务处党支部: a month without a
// branch committee meeting still open, and an earlier one whose meeting
// was entered late, marked "corrected late". The months are ones the
// demo meetings really left without a committee meeting, so that the
// background computation finds the same.
func (g *gen) breaches(ctx context.Context) error {
	var finance int64
	for _, b := range g.branches {
		if b.name == "财务处党支部" {
			finance = b.id
		}
	}
	if finance == 0 {
		return fmt.Errorf("breaches: no finance branch")
	}
	this := time.Date(g.today.Year(), g.today.Month(), 1, 0, 0, 0, 0, time.UTC)
	rows, err := g.tx.Query(ctx, `
SELECT m::date FROM generate_series($2::date - interval '12 months', $2::date - interval '1 month', interval '1 month') AS m
 WHERE NOT EXISTS (SELECT 1 FROM meetings mt
                    WHERE mt.org_id = $1 AND mt.kind = 'committee' AND mt.status IN ('draft', 'submitted')
                      AND mt.starts_at >= (m::timestamp AT TIME ZONE 'Asia/Shanghai')
                      AND mt.starts_at < ((m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'))
 ORDER BY m DESC LIMIT 2`, finance, this)
	if err != nil {
		return fmt.Errorf("breaches: months: %w", err)
	}
	var missed []time.Time
	for rows.Next() {
		var m time.Time
		if err := rows.Scan(&m); err != nil {
			rows.Close()
			return err
		}
		missed = append(missed, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for len(missed) < 2 { // a diligent year: months three and four back
		missed = append(missed, this.AddDate(0, -3-len(missed), 0))
	}
	open, late := missed[0], missed[1]
	seen := func(m time.Time) time.Time { return m.AddDate(0, 1, 0) } // the day after the month ended
	const ins = `INSERT INTO breaches (branch_id, rule_code, period, month, first_seen, corrected_on) VALUES ($1, 'committee_meeting', $2, $3, $4, $5)`
	if _, err := g.tx.Exec(ctx, ins, finance, open.Format("2006-01"), open, seen(open), nil); err != nil {
		return fmt.Errorf("breaches: open: %w", err)
	}
	fixed := seen(late).AddDate(0, 0, 17)
	if fixed.After(g.today) {
		fixed = g.today
	}
	// The committee meeting of that month, entered on the day of the fix.
	at := time.Date(late.Year(), late.Month(), 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	entered := time.Date(fixed.Year(), fixed.Month(), fixed.Day(), 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if _, err := g.tx.Exec(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at, late_entry, entered_at)
SELECT $1, 'committee', '支部委员会会议（补录）', $2, $3, 'submitted', $4, true, $4
 WHERE NOT EXISTS (SELECT 1 FROM meetings WHERE org_id = $1 AND kind = 'committee' AND starts_at >= $5 AND starts_at < $6)`,
		finance, at, at.Add(90*time.Minute), entered,
		time.Date(late.Year(), late.Month(), 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)),
		time.Date(late.Year(), late.Month()+1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))); err != nil {
		return fmt.Errorf("breaches: late meeting: %w", err)
	}
	if _, err := g.tx.Exec(ctx, ins, finance, late.Format("2006-01"), late, seen(late), fixed); err != nil {
		return fmt.Errorf("breaches: corrected: %w", err)
	}
	return nil
}
