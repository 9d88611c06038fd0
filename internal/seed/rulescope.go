package seed

import (
	"context"
	"fmt"
	"time"
)

// rulescope seeds a local rule of one subtree (rules per subtree): 第二党总支
// asks its branches for two Party lectures a quarter from 1 January, on a
// municipal document, and from a later month counts concentrated study
// toward them as well, on a newer one. Its branches' year views show the
// two versions across the months, next to the agency defaults the other
// branches keep.
func (g *gen) rulescope(ctx context.Context) error {
	var org int64
	if err := g.tx.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'general_branch' AND name = '第二党总支' AND parent_id = $1`, g.committeeID).Scan(&org); err != nil {
		return fmt.Errorf("rulescope: general branch: %w", err)
	}
	jan := time.Date(g.today.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	change := time.Date(g.today.Year(), max(g.today.Month()-2, time.February), 1, 0, 0, 0, 0, time.UTC)
	const ins = `
INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, maximum, title, source, enabled, builtin, effective_from, effective_to, org_id, counted_kinds)
SELECT code, kind, meeting_kind, applies_to, period, $2, maximum, title, $3, true, builtin, $4, $5, $1, $6
  FROM rules WHERE code = 'party_lecture' AND org_id IS NULL AND effective_to IS NULL`
	if _, err := g.tx.Exec(ctx, ins, org, 2, "示范市直机关工委《关于加强机关党支部党课工作的通知》（示范机工〔2025〕8号）第三条：每季度至少2次", jan, change, nil); err != nil {
		return fmt.Errorf("rulescope: first version: %w", err)
	}
	if _, err := g.tx.Exec(ctx, ins, org, 2, "示范市直机关工委《关于党课与集中学习统筹安排的意见》（示范机工〔2026〕3号）第二条：集中学习计入党课", change, nil, []string{"lecture", "study"}); err != nil {
		return fmt.Errorf("rulescope: second version: %w", err)
	}
	return nil
}
