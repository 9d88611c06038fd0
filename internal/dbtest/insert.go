package dbtest

import (
	"context"
	"testing"

	"zhibu/internal/db"
)

// ID runs a statement that returns one bigint (an INSERT … RETURNING id)
// and returns it, failing the test on an error.
func ID(t testing.TB, q db.Querier, sql string, args ...any) int64 {
	t.Helper()
	var v int64
	if err := q.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return v
}
