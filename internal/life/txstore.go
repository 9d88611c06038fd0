package life

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
)

// Store makes the life package's changes, each in its own transaction:
// the store owns its transactions and a handler never opens one. The
// functions it runs (write.go) take the transaction.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of life meetings on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// Create sets up a year's life meeting with its audit row and returns its id.
func (s *Store) Create(ctx context.Context, in NewLife) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		id, err := Create(ctx, tx, in)
		if err != nil {
			return 0, err
		}
		return id, auditCreate(ctx, tx, id, in)
	})
}

// AddStep records a preparation step.
func (s *Store) AddStep(ctx context.Context, lifeID int64, in StepInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return AddStep(ctx, tx, lifeID, in) })
}

// AddOpinion records an opinion gathered beforehand.
func (s *Store) AddOpinion(ctx context.Context, lifeID int64, in OpinionInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return AddOpinion(ctx, tx, lifeID, in) })
}

// AddCriticism records a criticism between two participants.
func (s *Store) AddCriticism(ctx context.Context, lifeID int64, in CriticismInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return AddCriticism(ctx, tx, lifeID, in) })
}

// AddItem adds a rectification item.
func (s *Store) AddItem(ctx context.Context, l Life, in ItemInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return AddItem(ctx, tx, l, in) })
}

// AddParticipant adds a member to those due at the meeting.
func (s *Store) AddParticipant(ctx context.Context, lifeID, memberID int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return AddParticipant(ctx, tx, lifeID, memberID) })
}

// SaveParticipant saves a participant's own material.
func (s *Store) SaveParticipant(ctx context.Context, lifeID int64, version int, in ParticipantInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return SaveParticipant(ctx, tx, lifeID, version, in) })
}

// Hold records the meeting as held, with its attendance.
func (s *Store) Hold(ctx context.Context, l Life, in HoldInput) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return Hold(ctx, tx, l, in) })
}

// Submit locks the record.
func (s *Store) Submit(ctx context.Context, lifeID int64, version int) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return Submit(ctx, tx, lifeID, version) })
}

// UpdateItem records progress on a rectification item.
func (s *Store) UpdateItem(ctx context.Context, it Item, version int, in ItemUpdate) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return UpdateItem(ctx, tx, it, version, in) })
}

// RemoveParticipant removes a member from those due at the meeting.
func (s *Store) RemoveParticipant(ctx context.Context, l Life, memberID int64) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return RemoveParticipant(ctx, tx, l, memberID) })
}

// UpdateTheme changes the meeting's theme.
func (s *Store) UpdateTheme(ctx context.Context, l Life, version int, theme string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error { return UpdateTheme(ctx, tx, l, version, theme) })
}
