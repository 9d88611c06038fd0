package appraisal

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
)

// Store makes the appraisal changes, each in its own transaction: the
// store owns its transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of appraisals on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create opens a year's appraisal for a branch and returns its id.
func (s *Store) Create(ctx context.Context, branchID int64, year int) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Create(ctx, tx, branchID, year) })
}

// SaveResult saves a member's result.
func (s *Store) SaveResult(ctx context.Context, id int64, before Result, version int, in ResultInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return SaveResult(ctx, tx, id, before, version, in) })
}

// Close closes the appraisal as held on heldOn.
func (s *Store) Close(ctx context.Context, id int64, version int, heldOn time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return Close(ctx, tx, id, version, heldOn) })
}
