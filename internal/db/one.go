package db

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
)

// One runs a query that reads one row into T, matching columns to fields
// by name; no row is apperr.ErrNotFound (so a handler answers 404). The
// caller wraps the error with what it was reading.
func One[T any](ctx context.Context, q Querier, sql string, args ...any) (T, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[T])
	if errors.Is(err, pgx.ErrNoRows) {
		return v, apperr.ErrNotFound
	}
	return v, err
}
