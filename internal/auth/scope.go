package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/db"
)

// WriteRoots lists the organisations whose subtrees the user may change:
// a secretary's or branch committee member's branch (with its groups).
func (u *User) WriteRoots() []int64 {
	var out []int64
	for _, g := range u.Grants {
		if (g.Role == RoleSecretary || g.Role == RoleBranchCommittee) && g.OrgID != 0 {
			out = append(out, g.OrgID)
		}
	}
	return out
}

// ReadRoots lists the organisations whose subtrees the user may read:
// the write roots plus a reviewer's committee.
func (u *User) ReadRoots() []int64 {
	out := u.WriteRoots()
	for _, g := range u.Grants {
		if g.Role == RoleReviewer && g.OrgID != 0 && !slices.Contains(out, g.OrgID) {
			out = append(out, g.OrgID)
		}
	}
	return out
}

// CanRead reports whether an organisation with the given path (its
// ancestors and itself, organisations.path) is inside the user's read scope.
func (u *User) CanRead(path []int64) bool {
	return slices.ContainsFunc(u.ReadRoots(), func(id int64) bool { return slices.Contains(path, id) })
}

// CanWrite reports whether the organisation with the given path is inside
// the user's write scope.
func (u *User) CanWrite(path []int64) bool {
	return slices.ContainsFunc(u.WriteRoots(), func(id int64) bool { return slices.Contains(path, id) })
}

// OrgPath reads organisations.path for an organisation; ErrNotFound when
// there is none.
func OrgPath(ctx context.Context, q db.Querier, orgID int64) ([]int64, error) {
	var path []int64
	err := q.QueryRow(ctx, `SELECT path FROM organisations WHERE id = $1`, orgID).Scan(&path)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("auth: organisation %d: %w", orgID, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: organisation %d: %w", orgID, err)
	}
	return path, nil
}

// CheckRead returns nil when the user may read the organisation's records
// and ErrNotFound otherwise: a record outside one's scope does not exist.
func CheckRead(ctx context.Context, q db.Querier, u *User, orgID int64) error {
	path, err := OrgPath(ctx, q, orgID)
	if err != nil {
		return err
	}
	if !u.CanRead(path) {
		return fmt.Errorf("auth: organisation %d outside read scope: %w", orgID, apperr.ErrNotFound)
	}
	return nil
}

// CheckWrite returns nil when the user may change the organisation's
// records; ErrNotFound when they may not even read them; ErrForbidden when
// they may read but not change them.
func CheckWrite(ctx context.Context, q db.Querier, u *User, orgID int64) error {
	path, err := OrgPath(ctx, q, orgID)
	if err != nil {
		return err
	}
	if u.CanWrite(path) {
		return nil
	}
	if u.CanRead(path) {
		return fmt.Errorf("auth: organisation %d is read-only for the user: %w", orgID, apperr.ErrForbidden)
	}
	return fmt.Errorf("auth: organisation %d outside scope: %w", orgID, apperr.ErrNotFound)
}
