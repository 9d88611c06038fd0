package benchdata

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// bigTables are the tables whose foreign keys and unique constraints
// (other than primary keys) are set aside while they load: COPY checks
// each key of each row with a query of its own (about 10 µs each), and
// updates a unique index row by row in random order, while adding the
// constraint back checks all rows at once with one join or one sort.
var bigTables = []string{"members", "meetings", "attendance", "study_credits", "appraisal_results", "member_month_stats", "branch_month_stats",
	"dues_bases", "dues_payments", "dues_months", "dues_rollup"}

// foreignKey is a foreign key or unique constraint as
// pg_get_constraintdef writes it; unique ones are listed first, so they
// are restored first.
type foreignKey struct {
	table, name, def string
}

const fkQuery = `
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
  FROM pg_constraint
 WHERE (contype IN ('f', 'u') AND conrelid::regclass::text = ANY ($1))
    OR (contype = 'f' AND confrelid::regclass::text = ANY ($2))
 ORDER BY contype DESC, conrelid::regclass::text, conname`

// dropForeignKeys removes the big tables' foreign keys, and those of other
// tables that refer to a table loaded UNLOGGED (PostgreSQL refuses the
// switch while a logged table refers to it), and returns them so
// that restoreForeignKeys can add exactly the same constraints back.
func dropForeignKeys(ctx context.Context, pool *pgxpool.Pool) ([]foreignKey, error) {
	rows, err := pool.Query(ctx, fkQuery, bigTables, unloggedTables)
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

// index is a secondary index as pg_get_indexdef writes it.
type index struct {
	name, def string
}

// Secondary indexes of the big tables (those not behind a primary key or
// unique constraint) are dropped for the load and built afterwards:
// building an index from sorted data is several times cheaper than
// updating it row by row in random order.
const indexQuery = `
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
 WHERE t.relname = ANY ($1) AND t.relnamespace = 'public'::regnamespace
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
 ORDER BY 1`

func dropIndexes(ctx context.Context, pool *pgxpool.Pool) ([]index, error) {
	rows, err := pool.Query(ctx, indexQuery, bigTables)
	if err != nil {
		return nil, fmt.Errorf("benchdata: list indexes: %w", err)
	}
	idx, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (index, error) {
		var i index
		err := r.Scan(&i.name, &i.def)
		return i, err
	})
	if err != nil {
		return nil, fmt.Errorf("benchdata: list indexes: %w", err)
	}
	for _, i := range idx {
		if _, err := pool.Exec(ctx, `DROP INDEX `+pgx.Identifier{i.name}.Sanitize()); err != nil {
			return nil, fmt.Errorf("benchdata: drop index %s: %w", i.name, err)
		}
	}
	return idx, nil
}

// restoreIndexes builds the indexes again, two at a time.
func restoreIndexes(ctx context.Context, pool *pgxpool.Pool, idx []index, p *progress) error {
	work := make(chan index)
	errs := make(chan error, len(idx))
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				began := time.Now()
				err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					if _, err := tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`); err != nil {
						return err
					}
					_, err := tx.Exec(ctx, i.def)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("benchdata: restore index %s (%s): %w", i.name, i.def, err)
					continue
				}
				p.printf("index %-36s built in %.1fs", i.name, time.Since(began).Seconds())
			}
		}()
	}
	for _, i := range idx {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// unloggedTables are loaded UNLOGGED and made LOGGED again afterwards:
// switching writes the table to the write-ahead log in whole pages, which
// costs less than logging tens of millions of rows one by one. No other
// table refers to them, and their foreign keys are set aside during the
// load (with those of tables that refer to them, such as credit_requests),
// so the switch is allowed both ways.
var unloggedTables = []string{"attendance", "study_credits", "member_month_stats"}

func setLogged(ctx context.Context, pool *pgxpool.Pool, logged bool) error {
	mode := "UNLOGGED"
	if logged {
		mode = "LOGGED"
	}
	for _, t := range unloggedTables {
		if _, err := pool.Exec(ctx, fmt.Sprintf(`ALTER TABLE %s SET %s`, pgx.Identifier{t}.Sanitize(), mode)); err != nil {
			return fmt.Errorf("benchdata: set %s %s: %w", t, mode, err)
		}
	}
	return nil
}
