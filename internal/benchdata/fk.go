package benchdata

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// bigTables are the tables whose foreign keys are set aside while they
// load: COPY checks each key of each row with a query of its own (about
// 10 µs each), while adding the constraint back checks them all at once
// with a single join.
var bigTables = []string{"members", "meetings", "attendance", "study_credits", "appraisal_results"}

// foreignKey is a constraint as pg_get_constraintdef writes it.
type foreignKey struct {
	table, name, def string
}

const fkQuery = `
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
  FROM pg_constraint
 WHERE contype = 'f' AND conrelid::regclass::text = ANY ($1)
 ORDER BY conrelid::regclass::text, conname`

// dropForeignKeys removes the big tables' foreign keys and returns them so
// that restoreForeignKeys can add exactly the same constraints back.
func dropForeignKeys(ctx context.Context, pool *pgxpool.Pool) ([]foreignKey, error) {
	rows, err := pool.Query(ctx, fkQuery, bigTables)
	if err != nil {
		return nil, fmt.Errorf("benchdata: list foreign keys: %w", err)
	}
	fks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (foreignKey, error) {
		var f foreignKey
		err := r.Scan(&f.table, &f.name, &f.def)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("benchdata: list foreign keys: %w", err)
	}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, f := range fks {
			if _, err := tx.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s DROP CONSTRAINT %s`, pgx.Identifier{f.table}.Sanitize(), pgx.Identifier{f.name}.Sanitize())); err != nil {
				return fmt.Errorf("benchdata: drop %s: %w", f.name, err)
			}
		}
		return nil
	})
	return fks, err
}

// restoreForeignKeys adds the constraints back, which checks every row.
func restoreForeignKeys(ctx context.Context, pool *pgxpool.Pool, fks []foreignKey) error {
	for _, f := range fks {
		if _, err := pool.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s ADD CONSTRAINT %s %s`, pgx.Identifier{f.table}.Sanitize(), pgx.Identifier{f.name}.Sanitize(), f.def)); err != nil {
			return fmt.Errorf("benchdata: restore %s on %s (%s): %w", f.name, f.table, f.def, err)
		}
	}
	return nil
}
