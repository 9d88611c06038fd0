package seed

import (
	"context"
	"fmt"
)

// selfadmin adds what the administrator's grades-of-branches page would
// otherwise not show: a retired grade (an older list's "差", kept because
// one branch was given it two years ago).
func (g *gen) selfadmin(ctx context.Context) error {
	if _, err := g.tx.Exec(ctx, `
INSERT INTO grade_levels (code, label_zh, label_en, position, weak, active)
VALUES ('poor', '差（旧等次）', 'Poor (former list)', (SELECT max(position) + 1 FROM grade_levels), false, false)`); err != nil {
		return fmt.Errorf("selfadmin: retired grade: %w", err)
	}
	if len(g.branches) == 0 {
		return nil
	}
	if _, err := g.tx.Exec(ctx, `
INSERT INTO branch_grades (org_id, year, grade, assessment, reason, graded_on)
VALUES ($1, $2, 'poor', '', '按原等次划分评定，组织生活长期不正常。', make_date($2::int, 12, 20))
ON CONFLICT (org_id, year) DO NOTHING`, g.branches[len(g.branches)-1].id, g.today.Year()-2); err != nil {
		return fmt.Errorf("selfadmin: grade of the former list: %w", err)
	}
	return nil
}
