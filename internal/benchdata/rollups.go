package benchdata

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The rollup triggers (stats_*) and the branch_status triggers keep the
// review rollups in step with every write. For a bulk load they would run
// their refreshes over tens of millions of rows without the indexes the
// load drops, so the load switches them off and generates the rollup rows
// itself (rollup_rows.go). branch_status is empty in the empty database a
// load requires, so the touches the load skips mark nothing.

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
