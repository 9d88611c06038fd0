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

// Scope is what the signed-in user of a request may read and change, by
// organisation: every record belongs to an organisation, and a user reaches
// the records of whole subtrees. It is computed once per request from the
// user's grants (LoadUser puts it into the context) and every handler asks
// it; no package decides access on its own.
//
// List queries filter by it in SQL with one shape: the organisation's path
// (organisations.path, its ancestors and itself) overlaps the roots,
//
//	o.path && $1::bigint[]   -- with ReadRoots() (or WriteRoots()) as $1
type Scope struct {
	read      []int64
	write     []int64
	committee int64
	wholeTree bool
}

// NewScope computes the scope of u: a secretary or branch committee member
// reads and changes their branch (with its groups); a reviewer reads their
// committee's subtree and, as its Party office, changes the committee's own
// records. A system administrator sees every organisation of the tree (to
// keep it) but no organisation's records. A nil user, a plain member and
// the other administrators reach no organisation's records through it.
func NewScope(u *User) Scope {
	var s Scope
	if u == nil {
		return s
	}
	s.wholeTree = u.Has(RoleSysAdmin)
	for _, g := range u.Grants {
		if (g.Role == RoleSecretary || g.Role == RoleBranchCommittee) && g.OrgID != 0 {
			s.write = append(s.write, g.OrgID)
		}
	}
	s.read = slices.Clone(s.write)
	for _, g := range u.Grants {
		if g.Role == RoleReviewer && g.OrgID != 0 {
			if !slices.Contains(s.read, g.OrgID) {
				s.read = append(s.read, g.OrgID)
			}
			if s.committee == 0 {
				s.committee = g.OrgID
			}
		}
	}
	return s
}

type scopeKey struct{}

// WithScope returns a context carrying the request's scope.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeOf returns the scope of the request; the zero Scope (nothing
// readable) when none was set.
func ScopeOf(ctx context.Context) Scope {
	s, _ := ctx.Value(scopeKey{}).(Scope)
	return s
}

// ReadRoots lists the organisations whose subtrees the user may read: the
// parameter of a list query's scope filter.
func (s Scope) ReadRoots() []int64 { return slices.Clone(s.read) }

// WriteRoots lists the organisations whose subtrees the user may change:
// a secretary's or branch committee member's branch.
func (s Scope) WriteRoots() []int64 { return slices.Clone(s.write) }

// Writes reports whether the user may change any organisation's records.
func (s Scope) Writes() bool { return len(s.write) > 0 }

// Committee is the committee a reviewer reviews and whose own records
// (democratic life, committee talks, commendations) they keep; 0 if none.
func (s Scope) Committee() int64 { return s.committee }

// CanRead reports whether an organisation with the given path (its
// ancestors and itself, organisations.path) is inside the read scope.
func (s Scope) CanRead(path []int64) bool { return overlaps(s.read, path) }

// CanWrite reports whether the organisation with the given path is inside
// the write scope.
func (s Scope) CanWrite(path []int64) bool { return overlaps(s.write, path) }

// CanWriteCommittee reports whether the organisation with the given path
// is inside the subtree of the committee the user reviews.
func (s Scope) CanWriteCommittee(path []int64) bool {
	return s.committee != 0 && slices.Contains(path, s.committee)
}

// SeesWholeTree reports whether the user sees every organisation of the
// tree, not only those in the read scope: a system administrator keeps it.
func (s Scope) SeesWholeTree() bool { return s.wholeTree }

// CanSeeOrg reports whether the organisation with the given path appears
// to the user in the organisation tree and its page.
func (s Scope) CanSeeOrg(path []int64) bool { return s.wholeTree || s.CanRead(path) }

func overlaps(roots, path []int64) bool {
	return slices.ContainsFunc(roots, func(id int64) bool { return slices.Contains(path, id) })
}

// CheckRead returns nil when the organisation with the given path is
// readable, and ErrNotFound otherwise: a record outside one's scope does
// not exist.
func (s Scope) CheckRead(path []int64) error {
	if !s.CanRead(path) {
		return fmt.Errorf("outside the read scope: %w", apperr.ErrNotFound)
	}
	return nil
}

// CheckWrite returns nil when the organisation with the given path is
// writable; ErrNotFound when it is not even readable; ErrForbidden when it
// is readable only.
func (s Scope) CheckWrite(path []int64) error {
	if err := s.CheckRead(path); err != nil {
		return err
	}
	if !s.CanWrite(path) {
		return fmt.Errorf("read-only for the user: %w", apperr.ErrForbidden)
	}
	return nil
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

// CheckRead returns nil when the request's user may read the
// organisation's records and ErrNotFound otherwise.
func CheckRead(ctx context.Context, q db.Querier, orgID int64) error {
	return checkOrg(ctx, q, orgID, Scope.CheckRead)
}

// CheckWrite returns nil when the request's user may change the
// organisation's records; ErrNotFound when they may not even read them;
// ErrForbidden when they may read but not change them.
func CheckWrite(ctx context.Context, q db.Querier, orgID int64) error {
	return checkOrg(ctx, q, orgID, Scope.CheckWrite)
}

// checkOrg runs check (Scope.CheckRead or CheckWrite) on the path of the
// organisation orgID with the request's scope.
func checkOrg(ctx context.Context, q db.Querier, orgID int64, check func(Scope, []int64) error) error {
	path, err := OrgPath(ctx, q, orgID)
	if err != nil {
		return err
	}
	if err := check(ScopeOf(ctx), path); err != nil {
		return fmt.Errorf("auth: organisation %d: %w", orgID, err)
	}
	return nil
}
