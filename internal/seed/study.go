package seed

import (
	"context"
	"fmt"
	"time"
)

// study loads the study-minimum cases of issue 18: a member of the demo
// branch transferred in during the year (held to a pro rata minimum, the
// member page says so) with self-study hours that do not count by default.
func (g *gen) study(ctx context.Context) error {
	var id int64
	err := g.tx.QueryRow(ctx, `
SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.name = '办公室党支部' AND m.category = 'full' AND in_good_standing(m.category, m.party_status)
   AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.member_id = m.id)
 ORDER BY m.id DESC LIMIT 1`).Scan(&id)
	if err != nil {
		return fmt.Errorf("study: a member of the demo branch: %w", err)
	}
	// Five months ago, or the year's first day early in the year.
	arrived := g.today.AddDate(0, -5, 0)
	if arrived.Year() != g.today.Year() {
		arrived = time.Date(g.today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if _, err := g.tx.Exec(ctx, `
INSERT INTO member_events (member_id, kind, occurred_on, details) VALUES ($1, 'transferred_in', $2, '自市发展改革委机关党委转入')`, id, arrived); err != nil {
		return fmt.Errorf("study: transfer in: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `
INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence) VALUES ($1, 6, 'self', $2, '自学《习近平谈治国理政》第四卷读书笔记')`, id, arrived); err != nil {
		return fmt.Errorf("study: self-study: %w", err)
	}
	return nil
}
