package benchdata

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The rollup triggers (stats_*) and the branch_status triggers keep the
// review rollups in step with every write. For a bulk load they would run
// their refreshes over tens of millions of rows without the indexes the
// load drops, so the load switches them off and rebuilds the rollups once,
// set-wise, after the indexes are back. branch_status is empty in the
// empty database a load requires, so the touches the load skips mark
// nothing.

// rollupTriggers lists the enabled rollup and status triggers on the
// tables the load writes.
func rollupTriggers(ctx context.Context, pool *pgxpool.Pool) ([][2]string, error) {
	rows, err := pool.Query(ctx, `SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgenabled <> 'D'
		  AND (t.tgname LIKE 'stats\_%' OR t.tgname LIKE 'branch\_status\_%')
		ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("benchdata: list rollup triggers: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]string, error) {
		var tr [2]string
		err := r.Scan(&tr[0], &tr[1])
		return tr, err
	})
}

// enableTriggers switches the given triggers on or off.
func enableTriggers(ctx context.Context, pool *pgxpool.Pool, triggers [][2]string, on bool) error {
	verb := "DISABLE"
	if on {
		verb = "ENABLE"
	}
	for _, tr := range triggers {
		q := fmt.Sprintf(`ALTER TABLE %s %s TRIGGER %s`, pgx.Identifier{tr[0]}.Sanitize(), verb, pgx.Identifier{tr[1]}.Sanitize())
		if _, err := pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("benchdata: %s trigger %s on %s: %w", verb, tr[1], tr[0], err)
		}
	}
	return nil
}

// rollupStatements compute branch_month_stats and member_month_stats
// from the base tables in one pass each: the same figures the triggers'
// stats_refresh_branch_months and stats_refresh_members produce (the
// benchdata test compares them). They run concurrently, one connection
// each, after the tables are emptied.
var rollupStatements = []string{`
INSERT INTO branch_month_stats (branch_id, month, kind, held, quorate, due, present)
SELECT CASE WHEN o.kind = 'group' THEN o.parent_id ELSE o.id END, stats_month(mt.starts_at), mt.kind, count(*),
       count(*) FILTER (WHERE a.due > 0 AND a.present * 2 > a.due),
       coalesce(sum(a.due), 0), coalesce(sum(a.present), 0)
  FROM meetings mt
  JOIN organisations o ON o.id = mt.org_id
  LEFT JOIN (SELECT meeting_id, count(*) FILTER (WHERE status <> 'observer') AS due,
                    count(*) FILTER (WHERE status = 'present') AS present
               FROM attendance GROUP BY meeting_id) a ON a.meeting_id = mt.id
 WHERE mt.status IN ('draft', 'submitted')
 GROUP BY 1, 2, 3`, `
INSERT INTO member_month_stats (member_id, month, hours, last_present)
SELECT member_id, month, sum(hours), max(last_present)
  FROM (SELECT sc.member_id, date_trunc('month', sc.earned_on)::date AS month, sc.hours, NULL::date AS last_present
          FROM study_credits sc
        UNION ALL
        SELECT at.member_id, stats_month(mt.starts_at), 0, (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
          FROM attendance at JOIN meetings mt ON mt.id = at.meeting_id
         WHERE at.status = 'present' AND mt.status IN ('draft', 'submitted')) x
 GROUP BY member_id, month`}

func buildRollups(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `TRUNCATE branch_month_stats, member_month_stats`); err != nil {
		return fmt.Errorf("benchdata: rollups: %w", err)
	}
	errs := make([]error, len(rollupStatements))
	var wg sync.WaitGroup
	for i, q := range rollupStatements {
		wg.Go(func() {
			errs[i] = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SET LOCAL work_mem = '256MB'`); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, q)
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("benchdata: rollups: %w", err)
	}
	return nil
}
