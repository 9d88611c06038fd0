package db

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Rows runs a query and collects its rows into T, matching columns to
// fields by name. The caller wraps the error with what it was reading.
func Rows[T any](ctx context.Context, q Querier, sql string, args ...any) ([]T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[T])
}
