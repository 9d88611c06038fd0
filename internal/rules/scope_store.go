package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Override is a reviewer's version of a default rule for the subtree of
// an organisation: its thresholds, switch and (meetings rules) the meeting
// kinds that count, effective from a day, with the local document it
// comes from (Source, required).
type Override struct {
	Code          string
	OrgID         int64
	BaseID        int64 // the organisation's own current override the form started from; 0: none
	Minimum       float64
	Maximum       *float64
	Enabled       bool
	CountedKinds  []string
	Source        string
	EffectiveFrom time.Time
}

// ErrBeforeMonth is returned for an override or a removal effective
// before the first day of the current month: the months already judged
// keep the versions of their days.
var ErrBeforeMonth = errors.New("rules: a subtree's change starts in the current month or later")

// FirstChangeDay is the earliest day a subtree's change may take effect:
// the first of today's month.
func FirstChangeDay(today time.Time) time.Time {
	return date(today.Year(), today.Month(), 1)
}

const ownSQL = `SELECT ` + ruleCols + ` FROM rules WHERE code = $1 AND org_id = $2 ORDER BY effective_from DESC LIMIT 1`

// latestOwn is the organisation's latest override of a code (current,
// closed or starting later), if any.
func latestOwn(ctx context.Context, q db.Querier, code string, org int64) (*Rule, error) {
	rows, err := q.Query(ctx, ownSQL, code, org)
	if err != nil {
		return nil, fmt.Errorf("rules: override %s: %w", code, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Rule])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("rules: override %s: %w", code, err)
	}
	return &r, nil
}

// SetOverride closes the organisation's current override of the code, if
// any, where o.EffectiveFrom begins and inserts the new version, with its
// audit row; a current override not yet in force that the new version
// would start on or before is replaced (deleted, see RemoveOverride). ErrConflict when the override changed since o.BaseID was
// read; ErrBeforeMonth or ErrTooEarly when it would reach into the past or
// rewrite a version.
func (s *Store) SetOverride(ctx context.Context, o Override, today time.Time) (Rule, error) {
	var out Rule
	if o.EffectiveFrom.Before(FirstChangeDay(today)) {
		return out, ErrBeforeMonth
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7410040)`); err != nil {
			return err
		}
		def, err := current(ctx, tx, o.Code)
		if err != nil {
			return err
		}
		own, err := latestOwn(ctx, tx, o.Code, o.OrgID)
		if err != nil {
			return err
		}
		// A version not yet in force, changed to start on or before its
		// own first day, is replaced: deleted as if never set, and the
		// new one follows the version before it.
		if own != nil && own.EffectiveTo == nil && own.ID == o.BaseID && own.Pending(today) && !o.EffectiveFrom.After(own.EffectiveFrom) {
			if err := deleteOverride(ctx, tx, *own, ""); err != nil {
				return err
			}
			if own, err = latestOwn(ctx, tx, o.Code, o.OrgID); err != nil {
				return err
			}
			o.BaseID = 0
			if own != nil && own.EffectiveTo == nil {
				o.BaseID = own.ID
			}
		}
		var before any
		switch {
		case own != nil && own.EffectiveTo == nil:
			if own.ID != o.BaseID {
				return fmt.Errorf("rules: override %s: %w", o.Code, apperr.ErrConflict)
			}
			if !o.EffectiveFrom.After(own.EffectiveFrom) {
				return ErrTooEarly
			}
			if _, err := tx.Exec(ctx, closeSQL, own.ID, o.EffectiveFrom); err != nil {
				return fmt.Errorf("rules: close %d: %w", own.ID, err)
			}
			before = *own
		case own != nil && own.EffectiveTo.After(o.EffectiveFrom):
			return ErrTooEarly // it would overlap a removed override's last days
		case o.BaseID != 0:
			return fmt.Errorf("rules: override %s: %w", o.Code, apperr.ErrConflict)
		}
		next := def
		next.ID, next.EffectiveTo = 0, nil // a version of the default: a built-in's title stays translated
		next.Minimum, next.Maximum, next.Enabled, next.Source, next.EffectiveFrom = o.Minimum, o.Maximum, o.Enabled, o.Source, o.EffectiveFrom
		next.OrgID, next.CountedKinds = &o.OrgID, nil
		if def.Kind == KindMeetings && len(o.CountedKinds) > 0 && !slices.Equal(o.CountedKinds, []string{def.MeetingKindOf()}) {
			next.CountedKinds = o.CountedKinds
		}
		if err := tx.QueryRow(ctx, insertSQL, next.Code, next.Kind, next.MeetingKind, next.AppliesTo, next.Period, next.Minimum, next.Maximum,
			next.Title, next.Source, next.Enabled, next.Builtin, next.EffectiveFrom, audit.ActorOf(ctx).ID, next.OrgID, next.CountedKinds).Scan(&next.ID); err != nil {
			return fmt.Errorf("rules: insert override %s: %w", o.Code, err)
		}
		out = next
		return audit.Record(ctx, tx, audit.Event{Action: "rule.override", Entity: "rule", EntityID: next.ID, Before: before, After: next})
	})
	return out, err
}

// Pending reports whether a version is not yet in force on day today: it
// starts today or later (a removal deletes it rather than ending it).
func (r Rule) Pending(today time.Time) bool { return !r.EffectiveFrom.Before(Day(today)) }

// RemoveOverride removes the organisation's current override of the code,
// so the parent's version applies; the reason (the document behind the
// removal) goes into the audit row. An override already in force (begun
// before today) is closed on the day from, which must follow its first
// day and not precede the current month: its months keep it. One not yet
// in force (starting today or later) is deleted outright whatever from
// says, as if never set: the organisation's previous override that it
// ended, if any, runs on again. It reports whether the override was
// deleted.
func (s *Store) RemoveOverride(ctx context.Context, code string, org, baseID int64, from time.Time, reason string, today time.Time) (bool, error) {
	deleted := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7410040)`); err != nil {
			return err
		}
		own, err := latestOwn(ctx, tx, code, org)
		if err != nil {
			return err
		}
		if own == nil || own.EffectiveTo != nil || own.ID != baseID {
			return fmt.Errorf("rules: remove override %s: %w", code, apperr.ErrConflict)
		}
		if own.Pending(today) {
			deleted = true
			return deleteOverride(ctx, tx, *own, reason)
		}
		if from.Before(FirstChangeDay(today)) {
			return ErrBeforeMonth
		}
		if !from.After(own.EffectiveFrom) {
			return ErrTooEarly
		}
		if _, err := tx.Exec(ctx, closeSQL, own.ID, from); err != nil {
			return fmt.Errorf("rules: close %d: %w", own.ID, err)
		}
		after := *own
		after.EffectiveTo = &from
		return audit.Record(ctx, tx, audit.Event{Action: "rule.override_remove", Entity: "rule", EntityID: own.ID, Before: *own,
			After: map[string]any{"rule": after, "reason": reason}})
	})
	return deleted, err
}

const (
	deleteSQL = `DELETE FROM rules WHERE id = $1 AND org_id IS NOT NULL AND effective_to IS NULL`
	// reopenSQL: the organisation's previous override, ended where the
	// deleted one was to begin, runs on.
	reopenSQL = `UPDATE rules SET effective_to = NULL
 WHERE code = $1 AND org_id = $2 AND effective_to = $3 RETURNING id`
)

// deleteOverride deletes an override not yet in force, with its audit row
// (the version and the reason), and reopens the version it had ended.
func deleteOverride(ctx context.Context, tx pgx.Tx, own Rule, reason string) error {
	tag, err := tx.Exec(ctx, deleteSQL, own.ID)
	if err != nil {
		return fmt.Errorf("rules: delete %d: %w", own.ID, err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("rules: delete %d: %w", own.ID, apperr.ErrConflict)
	}
	var reopened int64
	err = tx.QueryRow(ctx, reopenSQL, own.Code, *own.OrgID, own.EffectiveFrom).Scan(&reopened)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("rules: reopen before %d: %w", own.ID, err)
	}
	after := map[string]any{"deleted": true, "reason": reason}
	if reopened != 0 {
		after["reopened"] = reopened
	}
	return audit.Record(ctx, tx, audit.Event{Action: "rule.override_delete", Entity: "rule", EntityID: own.ID, Before: own, After: after})
}

// ScopeOrg is an organisation of a path, for the names of the scopes.
type ScopeOrg struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
	Kind string `db:"kind"`
}

const pathOrgsSQL = `SELECT id, name, kind FROM organisations WHERE id = ANY ($1)`

// PathOrgs names the organisations of a path.
func PathOrgs(ctx context.Context, q db.Querier, path []int64) (map[int64]ScopeOrg, error) {
	rows, err := q.Query(ctx, pathOrgsSQL, path)
	if err != nil {
		return nil, fmt.Errorf("rules: path: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[ScopeOrg])
	if err != nil {
		return nil, fmt.Errorf("rules: path: %w", err)
	}
	out := make(map[int64]ScopeOrg, len(list))
	for _, o := range list {
		out[o.ID] = o
	}
	return out, nil
}

const orgPathsSQL = `SELECT id, path FROM organisations WHERE id = ANY ($1)`

// LoadFor loads every version of the rule set once, the overrides of
// subtrees included, and, when some organisation has an override, the
// paths of the given organisations: Resolver.For(paths[id]) is then the
// rule set of each, for every day, without a query per organisation (an
// organisation missing from paths gets the defaults).
func LoadFor(ctx context.Context, q db.Querier, ids []int64) (*Resolver, map[int64][]int64, error) {
	all, err := LoadScoped(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	res := NewResolver(all)
	paths := map[int64][]int64{}
	if !res.Scoped() || len(ids) == 0 {
		return res, paths, nil
	}
	paths, err = OrgPaths(ctx, q, ids)
	if err != nil {
		return nil, nil, err
	}
	return res, paths, nil
}

// OrgPaths returns the paths (organisations.path) of the given
// organisations, for Resolver.For.
func OrgPaths(ctx context.Context, q db.Querier, ids []int64) (map[int64][]int64, error) {
	paths := map[int64][]int64{}
	rows, err := q.Query(ctx, orgPathsSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("rules: paths: %w", err)
	}
	var id int64
	var path []int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &path}, func() error {
		paths[id] = path
		path = nil
		return nil
	}); err != nil {
		return nil, fmt.Errorf("rules: paths: %w", err)
	}
	return paths, nil
}
