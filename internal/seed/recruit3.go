package seed

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/recruit"
)

// recruit3 adds the thought reports (思想汇报) of the demo branch's people
// in the pipeline (issue 20): one every six months from two months after
// the application, at most three, none in the last ten days; someone who
// applied less than two months ago has none yet (the checklist shows it
// missing).
func (g *gen) recruit3(ctx context.Context) error {
	type applicant struct {
		ID      int64     `db:"id"`
		Applied time.Time `db:"done_on"`
	}
	people, err := db.Rows[applicant](ctx, g.tx, `SELECT m.id, s.done_on FROM members m
  JOIN recruit_steps s ON s.member_id = m.id AND s.kind = 'application'
 WHERE m.branch_id = $1 AND m.category IN ('applicant', 'activist', 'target', 'probationary') AND m.party_status = 'normal'
 ORDER BY m.id`, g.branches[0].id)
	if err != nil {
		return fmt.Errorf("recruit3: people: %w", err)
	}
	for _, p := range people {
		for i := 0; i < 3; i++ {
			on := p.Applied.AddDate(0, 2+6*i, 0)
			if on.After(g.today.AddDate(0, 0, -10)) {
				break
			}
			if _, err := recruit.Record(ctx, g.tx, p.ID, recruit.Step{Kind: "thought_report", DoneOn: on, Details: "思想汇报"}, true); err != nil {
				return fmt.Errorf("recruit3: thought report of %d: %w", p.ID, err)
			}
		}
	}
	return nil
}
