package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// rulescope seeds a local rule of one subtree (rules per subtree): 第二党总支
// asks its branches for two Party lectures a quarter from 1 January, on a
// municipal document, and from a later month counts concentrated study
// toward them as well, on a newer one. Its branches' year views show the
// two versions across the months, next to the agency defaults the other
// branches keep; the first of them missed the local rule in the latest
// quarter of the year that has ended with fewer lectures than it asks, a
// breach its year view cites with the local document in force then.
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
	return g.rulescopeBreach(ctx, org, change)
}

// rulescopeBreach records the quarter the first branch under org missed
// its two lectures (the kinds the version in force at the quarter's end
// counts), as the background computation finds it.
func (g *gen) rulescopeBreach(ctx context.Context, org int64, change time.Time) error {
	var branch int64
	err := g.tx.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'branch' AND parent_id = $1 AND dissolved_on IS NULL ORDER BY path LIMIT 1`, org).Scan(&branch)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("rulescope: branch: %w", err)
	}
	const heldSQL = `
SELECT count(*) FROM meetings
 WHERE org_id = $1 AND kind = ANY ($2) AND status IN ('draft', 'submitted')
   AND starts_at >= ($3::date::timestamp AT TIME ZONE 'Asia/Shanghai') AND starts_at < ($4::date::timestamp AT TIME ZONE 'Asia/Shanghai')`
	for q := (int(g.today.Month())-1)/3 - 1; q >= 0; q-- { // the ended quarters, latest first
		start := time.Date(g.today.Year(), time.Month(3*q+1), 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, 3, 0)
		kinds := []string{"lecture"}
		if !end.AddDate(0, 0, -1).Before(change) {
			kinds = []string{"lecture", "study"}
		}
		var held int
		if err := g.tx.QueryRow(ctx, heldSQL, branch, kinds, start, end).Scan(&held); err != nil {
			return fmt.Errorf("rulescope: lectures held: %w", err)
		}
		if held >= 2 {
			continue
		}
		period := fmt.Sprintf("%d-Q%d", start.Year(), q+1)
		_, err := g.tx.Exec(ctx, `INSERT INTO breaches (branch_id, rule_code, period, month, level, first_seen) VALUES ($1, 'party_lecture', $2, $3, $4, $5)
ON CONFLICT DO NOTHING`, branch, period, end.AddDate(0, -1, 0), held, end)
		if err != nil {
			return fmt.Errorf("rulescope: breach: %w", err)
		}
		return nil
	}
	return nil
}
