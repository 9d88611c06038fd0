package talk

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
)

// Store makes the talk changes, each in its own transaction: the store
// owns its transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of talks on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create records a talk of the organisation and returns its id.
func (s *Store) Create(ctx context.Context, orgID int64, in Input) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Create(ctx, tx, orgID, in) })
}

// FollowUp records the second look at reminder id.
func (s *Store) FollowUp(ctx context.Context, id int64, version int, f FollowUp) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		return struct{}{}, RecordFollowUp(ctx, tx, id, version, f)
	})
	return err
}
