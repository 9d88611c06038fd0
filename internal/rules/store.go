package rules

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Store reads and changes the rule set.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the rule store.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const ruleCols = `id, code, kind, meeting_kind, applies_to, period, minimum::float8 AS minimum, maximum::float8 AS maximum,
       title, source, enabled, builtin, effective_from, effective_to, org_id, counted_kinds`

// All returns every version of every rule, the newest version of a code first.
func (s *Store) All(ctx context.Context) ([]Rule, error) {
	return LoadAll(ctx, s.pool)
}

// LoadAll returns every version of every agency-wide rule (the defaults,
// without the overrides of subtrees), the newest first per code.
func LoadAll(ctx context.Context, q db.Querier) ([]Rule, error) {
	return load(ctx, q, allSQL)
}

// LoadScoped returns every version of every rule, the overrides of
// subtrees included, for a Resolver: one query for every branch and period.
func LoadScoped(ctx context.Context, q db.Querier) ([]Rule, error) {
	return load(ctx, q, scopedSQL)
}

func load(ctx context.Context, q db.Querier, sql string) ([]Rule, error) {
	rows, err := q.Query(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("rules: load: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Rule])
	if err != nil {
		return nil, fmt.Errorf("rules: load: %w", err)
	}
	return out, nil
}

const currentSQL = `SELECT ` + ruleCols + ` FROM rules WHERE code = $1 AND org_id IS NULL AND effective_to IS NULL`

// Current returns the open-ended (latest) version of a code.
func (s *Store) Current(ctx context.Context, code string) (Rule, error) {
	return current(ctx, s.pool, code)
}

func current(ctx context.Context, q db.Querier, code string) (Rule, error) {
	r, err := db.One[Rule](ctx, q, currentSQL, code)
	if err != nil {
		return Rule{}, fmt.Errorf("rules: current %s: %w", code, err)
	}
	return r, nil
}

// Change is a new version of a rule: its numbers, switch and texts,
// effective from a day.
type Change struct {
	Code          string
	BaseID        int64 // the version the editor started from
	Minimum       float64
	Maximum       *float64
	Enabled       bool
	Title         string
	Source        string
	EffectiveFrom time.Time
}

const allSQL = `SELECT ` + ruleCols + ` FROM rules WHERE org_id IS NULL ORDER BY (SELECT min(id) FROM rules r2 WHERE r2.code = rules.code), effective_from DESC`

const scopedSQL = `SELECT ` + ruleCols + ` FROM rules ORDER BY (SELECT min(id) FROM rules r2 WHERE r2.code = rules.code), org_id NULLS FIRST, effective_from DESC`

const closeSQL = `UPDATE rules SET effective_to = $2 WHERE id = $1 AND effective_to IS NULL`

const insertSQL = `
INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, maximum, title, source, enabled, builtin, effective_from, created_by, org_id, counted_kinds)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULLIF($13, 0), $14, $15) RETURNING id`

// ErrTooEarly is returned when a change would start on or before the
// current version's first day (it would rewrite that version).
var ErrTooEarly = errors.New("rules: change must start after the current version")

// Apply ends the current version where c.EffectiveFrom begins and
// inserts the new one. ErrConflict when someone changed the rule since
// c.BaseID was read.
func (s *Store) Apply(ctx context.Context, c Change) (Rule, error) {
	var out Rule
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7410040)`); err != nil {
			return err
		}
		cur, err := current(ctx, tx, c.Code)
		if err != nil {
			return err
		}
		if cur.ID != c.BaseID {
			return fmt.Errorf("rules: change %s: %w", c.Code, apperr.ErrConflict)
		}
		if !c.EffectiveFrom.After(cur.EffectiveFrom) {
			return ErrTooEarly
		}
		if _, err := tx.Exec(ctx, closeSQL, cur.ID, c.EffectiveFrom); err != nil {
			return fmt.Errorf("rules: close %d: %w", cur.ID, err)
		}
		next := cur
		next.Minimum, next.Maximum, next.Enabled, next.Title, next.Source, next.EffectiveFrom, next.EffectiveTo = c.Minimum, c.Maximum, c.Enabled, c.Title, c.Source, c.EffectiveFrom, nil
		if err := tx.QueryRow(ctx, insertSQL, next.Code, next.Kind, next.MeetingKind, next.AppliesTo, next.Period, next.Minimum, next.Maximum,
			next.Title, next.Source, next.Enabled, next.Builtin, next.EffectiveFrom, audit.ActorOf(ctx).ID, nil, next.CountedKinds).Scan(&next.ID); err != nil {
			return fmt.Errorf("rules: insert %s: %w", c.Code, err)
		}
		out = next
		return audit.Record(ctx, tx, audit.Event{Action: "rule.change", Entity: "rule", EntityID: next.ID, Before: cur, After: next})
	})
	return out, err
}

// Add inserts a new rule of the agency's own.
func (s *Store) Add(ctx context.Context, r Rule) (Rule, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, insertSQL, r.Code, r.Kind, r.MeetingKind, r.AppliesTo, r.Period, r.Minimum, r.Maximum,
			r.Title, r.Source, r.Enabled, false, r.EffectiveFrom, audit.ActorOf(ctx).ID, nil, nil).Scan(&r.ID)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" {
			return fmt.Errorf("rules: add %s: %w", r.Code, apperr.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("rules: add %s: %w", r.Code, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "rule.add", Entity: "rule", EntityID: r.ID, After: r})
	})
	return r, err
}

// RatingScale returns how ratings are given: "grades" or "stars".
func RatingScale(ctx context.Context, q db.Querier) (string, error) {
	var s string
	if err := q.QueryRow(ctx, `SELECT rating_scale FROM review_settings WHERE id = 1`).Scan(&s); err != nil {
		return "", fmt.Errorf("rules: rating scale: %w", err)
	}
	return s, nil
}

// SetRatingScale changes how ratings are given.
func (s *Store) SetRatingScale(ctx context.Context, scale string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := RatingScale(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE review_settings SET rating_scale = $1 WHERE id = 1`, scale); err != nil {
			return fmt.Errorf("rules: set rating scale: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "review.rating_scale", Entity: "review_settings", EntityID: 1, Before: old, After: scale})
	})
}

// SelfStudyCounts reports whether the agency counts self-study toward the
// yearly study minimum (by default it does not: 《中国共产党党员教育管理
// 工作条例》第二十条 sets hours of concentrated study and training).
func SelfStudyCounts(ctx context.Context, q db.Querier) (bool, error) {
	var v bool
	if err := q.QueryRow(ctx, `SELECT self_study_counts FROM review_settings WHERE id = 1`).Scan(&v); err != nil {
		return false, fmt.Errorf("rules: self-study setting: %w", err)
	}
	return v, nil
}

// SetSelfStudyCounts changes whether self-study counts toward the yearly
// study minimum. The committee's branch figures follow at once: the
// change is part of the rules stamp (internal/review).
func (s *Store) SetSelfStudyCounts(ctx context.Context, counts bool) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := SelfStudyCounts(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE review_settings SET self_study_counts = $1 WHERE id = 1`, counts); err != nil {
			return fmt.Errorf("rules: set self-study setting: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "review.self_study", Entity: "review_settings", EntityID: 1, Before: old, After: counts})
	})
}
