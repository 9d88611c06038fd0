package recruit

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// RuleRow is one stored rule of a set, for the settings page.
type RuleRow struct {
	RuleSet       string
	EffectiveFrom time.Time
	Code          string
	Amount        int
	Document      string
	Article       string
	Uncertain     bool
}

// AllRules lists every rule set's rows, newest set first.
func AllRules(ctx context.Context, q db.Querier) ([]RuleRow, error) {
	out, err := db.Rows[RuleRow](ctx, q, `SELECT rule_set, effective_from, code, amount, document, article, uncertain
  FROM recruit_rules ORDER BY effective_from DESC, rule_set, id`)
	if err != nil {
		return nil, fmt.Errorf("recruit: all rules: %w", err)
	}
	return out, nil
}

// ChangeRule sets rule code to amount from the day from (today or later,
// never back-dated): a new version of the set in force that day, a copy
// with the one value changed, so steps before it keep being judged by the
// set of their day. A second change for the same day edits that version.
func (st *Store) ChangeRule(ctx context.Context, code string, amount int, from time.Time) error {
	return pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE recruit_rules IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		cur, err := LoadRules(ctx, tx, from)
		if err != nil {
			return err
		}
		old, ok := cur.By[code]
		if !ok {
			return fmt.Errorf("recruit: rule %q: %w", code, apperr.ErrNotFound)
		}
		var curFrom time.Time
		if err := tx.QueryRow(ctx, `SELECT effective_from FROM recruit_rules WHERE rule_set = $1 LIMIT 1`, cur.Set).Scan(&curFrom); err != nil {
			return err
		}
		set := cur.Set
		if !curFrom.Equal(from) {
			base := cur.Set
			if len(base) > 9 {
				base = base[:9]
			}
			set = base + "@" + from.Format(dateLayout)
			if _, err := tx.Exec(ctx, `INSERT INTO recruit_rules (rule_set, effective_from, code, amount, document, article, uncertain)
SELECT $2, $3, code, amount, document, article, uncertain FROM recruit_rules WHERE rule_set = $1`, cur.Set, set, from); err != nil {
				return fmt.Errorf("recruit: new rule set: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE recruit_rules SET amount = $3 WHERE rule_set = $1 AND code = $2`, set, code, amount); err != nil {
			return fmt.Errorf("recruit: change rule: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "recruit.rule_change", Entity: "recruit_rule_set", Before: map[string]any{"rule_set": cur.Set, "code": code, "amount": old.Amount},
			After: map[string]any{"rule_set": set, "code": code, "amount": amount, "from": from.Format(dateLayout)}})
	})
}
