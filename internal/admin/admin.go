// Package admin holds the pages of the system administrator (accounts)
// and the security administrator (security settings, lock-outs, role
// grants), kept apart so that neither can do the other's work (三员分立).
package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/ui"
)

// PageSize is the number of accounts a list page shows.
const PageSize = 50

// Handler serves the administrators' pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
	// The instance's read router and identity cache, for the status page.
	reads    *db.Router
	identity *auth.IdentityCache
}

// New returns the administrators' handler. Sessions of accounts that are
// disabled or whose roles change are ended in the same transaction.
func New(pool *pgxpool.Pool) *Handler {
	return &Handler{pool: pool, store: NewStore(pool)}
}

// AccountRow is an account as lists show it.
type AccountRow struct {
	ID          int64
	Username    string
	DisplayName string
	Roles       []string
	Disabled    bool
	Locked      bool
}

// Account is one account with everything the administrators see of it.
type Account struct {
	ID                 int64
	Username           string
	DisplayName        string
	MemberID           *int64
	MemberName         string
	Grants             []GrantRow
	DisabledAt         *time.Time
	LockedUntil        *time.Time
	MustChangePassword bool
	TOTP               bool
	Demo               bool
	Sessions           int
	CreatedAt          time.Time
}

// GrantRow is a role an account holds, with its organisation's name.
type GrantRow struct {
	Role    string
	OrgID   int64
	OrgName string
}

// Locked reports whether the account is locked out now.
func (a Account) Locked() bool { return a.LockedUntil != nil && a.LockedUntil.After(time.Now()) }

// IsAdmin reports whether the account holds an administrator role.
func (a Account) IsAdmin() bool {
	for _, g := range a.Grants {
		if isAdminRole(g.Role) {
			return true
		}
	}
	return false
}

func isAdminRole(r string) bool {
	return r == string(auth.RoleSysAdmin) || r == string(auth.RoleSecAdmin) || r == string(auth.RoleAuditAdmin)
}

func isScopedRole(r string) bool {
	return r == string(auth.RoleSecretary) || r == string(auth.RoleBranchCommittee) || r == string(auth.RoleReviewer)
}

const listSQL = `
SELECT a.id, a.username, a.display_name,
       coalesce(array_agg(r.role ORDER BY r.role) FILTER (WHERE r.role IS NOT NULL), '{}') AS roles,
       a.disabled_at IS NOT NULL AS disabled,
       coalesce(a.locked_until > now(), false) AS locked,
       count(*) OVER () AS total
  FROM accounts a LEFT JOIN account_roles r ON r.account_id = a.id
 WHERE ($1 = '' OR a.username ILIKE '%' || $1 || '%' OR a.display_name ILIKE '%' || $1 || '%')
   AND (NOT $2 OR coalesce(a.locked_until > now(), false))
 GROUP BY a.id
 ORDER BY `

// accountSorts are the account list's sort keys and their ORDER BY terms;
// the username breaks ties.
var accountSorts = map[string]string{
	"username": "a.username",
	"name":     "a.display_name",
	"state":    "(a.disabled_at IS NOT NULL)::int * 2 + coalesce(a.locked_until > now(), false)::int",
}

// listAccounts returns a page of accounts matching q (username or name),
// only the locked ones when lockedOnly, sorted by one of accountSorts
// (username when unknown), with the total count.
func listAccounts(ctx context.Context, q db.Querier, search string, lockedOnly bool, sort string, desc bool, page int) ([]AccountRow, int, error) {
	search = db.EscapeLike(search)
	order, ok := accountSorts[sort]
	if !ok {
		order = accountSorts["username"]
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	rows, err := q.Query(ctx, listSQL+order+dir+", a.username LIMIT $3 OFFSET $4", search, lockedOnly, PageSize, (page-1)*PageSize)
	if err != nil {
		return nil, 0, fmt.Errorf("admin: list accounts: %w", err)
	}
	total := 0
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (AccountRow, error) {
		var a AccountRow
		err := r.Scan(&a.ID, &a.Username, &a.DisplayName, &a.Roles, &a.Disabled, &a.Locked, &total)
		return a, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("admin: list accounts: %w", err)
	}
	return list, total, nil
}

const accountSQL = `
SELECT a.id, a.username, a.display_name, a.member_id, coalesce(m.name, ''), a.disabled_at, a.locked_until,
       a.must_change_password, a.totp_secret IS NOT NULL, a.demo,
       (SELECT count(*) FROM sessions s WHERE s.account_id = a.id AND s.expires_at > now()), a.created_at
  FROM accounts a LEFT JOIN members m ON m.id = a.member_id
 WHERE a.id = $1`

const grantsSQL = `
SELECT r.role, coalesce(r.org_id, 0), coalesce(o.name, '')
  FROM account_roles r LEFT JOIN organisations o ON o.id = r.org_id
 WHERE r.account_id = $1 ORDER BY r.role`

// loadAccount reads one account with its roles; ErrNotFound when missing.
func loadAccount(ctx context.Context, q db.Querier, id int64) (Account, error) {
	var a Account
	err := q.QueryRow(ctx, accountSQL, id).Scan(&a.ID, &a.Username, &a.DisplayName, &a.MemberID, &a.MemberName, &a.DisabledAt,
		&a.LockedUntil, &a.MustChangePassword, &a.TOTP, &a.Demo, &a.Sessions, &a.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, fmt.Errorf("admin: account %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("admin: account %d: %w", id, err)
	}
	rows, err := q.Query(ctx, grantsSQL, id)
	if err != nil {
		return a, fmt.Errorf("admin: roles of %d: %w", id, err)
	}
	a.Grants, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (GrantRow, error) {
		var g GrantRow
		err := r.Scan(&g.Role, &g.OrgID, &g.OrgName)
		return g, err
	})
	if err != nil {
		return a, fmt.Errorf("admin: roles of %d: %w", id, err)
	}
	return a, nil
}

// accountID reads the {id} of the address; a malformed one is not found.
func accountID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("admin: account id %q: %w", chi.URLParam(r, "id"), apperr.ErrNotFound)
	}
	return id, nil
}

// auditState is what the audit trail records of an account's state.
func auditState(a Account) map[string]any {
	roles := make([]string, 0, len(a.Grants))
	for _, g := range a.Grants {
		if g.OrgID != 0 {
			roles = append(roles, g.Role+"@"+strconv.FormatInt(g.OrgID, 10))
		} else {
			roles = append(roles, g.Role)
		}
	}
	return map[string]any{"username": a.Username, "display_name": a.DisplayName, "member_id": a.MemberID,
		"disabled": a.DisabledAt != nil, "locked": a.Locked(), "must_change_password": a.MustChangePassword, "totp": a.TOTP, "roles": roles}
}

// redirectAfter goes to the address to with a flash message once err, the
// outcome of a change, is nil; otherwise it returns err.
func redirectAfter(w http.ResponseWriter, r *http.Request, err error, to, flash string) error {
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, to, flash)
}

// accountURL is the system administrator's page of an account.
func accountURL(id int64) string { return "/admin/accounts/" + strconv.FormatInt(id, 10) }

// grantsURL is the security administrator's page of an account.
func grantsURL(id int64) string { return "/admin/security/accounts/" + strconv.FormatInt(id, 10) }
