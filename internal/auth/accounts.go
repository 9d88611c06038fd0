package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/db"
)

// account is a row of accounts as the sign-in needs it.
type account struct {
	ID                 int64
	Username           string
	DisplayName        string
	PasswordHash       string
	MemberID           *int64
	Language           string
	MustChangePassword bool
	PasswordChangedAt  time.Time
	FailedLogins       int
	LockedUntil        *time.Time
	Demo               bool
	DisabledAt         *time.Time
	TOTPSecret         *string // sealed, base64
	TOTPLastStep       int64
	PasswordExpired    bool
}

const accountColumns = `id, username, display_name, password_hash, member_id, language, must_change_password,
       password_changed_at, failed_logins, locked_until, demo, disabled_at, totp_secret, totp_last_step,
       password_changed_at < now() - make_interval(days => coalesce((SELECT password_max_age_days FROM security_settings WHERE id = 1), 90))`

// dest lists where a row of accountColumns scans to, in order.
func (a *account) dest() []any {
	return []any{&a.ID, &a.Username, &a.DisplayName, &a.PasswordHash, &a.MemberID, &a.Language, &a.MustChangePassword,
		&a.PasswordChangedAt, &a.FailedLogins, &a.LockedUntil, &a.Demo, &a.DisabledAt, &a.TOTPSecret, &a.TOTPLastStep, &a.PasswordExpired}
}

func scanAccount(row pgx.Row) (account, error) {
	var a account
	err := row.Scan(a.dest()...)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, apperr.ErrNotFound
	}
	return a, err
}

func accountByID(ctx context.Context, q db.Querier, id int64) (account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if err != nil {
		return a, fmt.Errorf("auth: account %d: %w", id, err)
	}
	return a, nil
}

func accountByUsername(ctx context.Context, q db.Querier, username string) (account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE lower(username) = lower($1)`, username))
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return a, fmt.Errorf("auth: account %q: %w", username, err)
	}
	return a, err
}

// LoadUser reads the account and its roles into a User. A disabled or
// missing account is ErrNotFound.
func LoadUser(ctx context.Context, q db.Querier, accountID int64) (*User, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1 AND disabled_at IS NULL`, accountID))
	if err != nil {
		return nil, fmt.Errorf("auth: load account %d: %w", accountID, err)
	}
	u := a.user()
	rows, err := q.Query(ctx, `SELECT role, coalesce(org_id, 0) FROM account_roles WHERE account_id = $1 ORDER BY role`, accountID)
	if err != nil {
		return nil, fmt.Errorf("auth: roles of %d: %w", accountID, err)
	}
	grants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Grant, error) {
		var g Grant
		err := r.Scan(&g.Role, &g.OrgID)
		return g, err
	})
	if err != nil {
		return nil, fmt.Errorf("auth: roles of %d: %w", accountID, err)
	}
	u.Grants = grants
	return u, nil
}

// user is the signed-in person of an account, without the grants.
func (a *account) user() *User {
	u := &User{AccountID: a.ID, Username: a.Username, DisplayName: a.DisplayName, Demo: a.Demo, Language: a.Language,
		MustChangePassword: a.MustChangePassword || (a.PasswordExpired && !a.Demo), TOTPEnabled: a.TOTPSecret != nil}
	if a.MemberID != nil {
		u.MemberID = *a.MemberID
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	return u
}

// SetLanguage remembers the account's chosen interface language.
func SetLanguage(ctx context.Context, q db.Querier, accountID int64, lang string) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET language = $2 WHERE id = $1`, accountID, lang); err != nil {
		return fmt.Errorf("auth: set language of %d: %w", accountID, err)
	}
	return nil
}

// SetCalendarToken gives the account a new calendar secret (the account's
// own page resets it); the old address stops working.
func SetCalendarToken(ctx context.Context, q db.Querier, accountID int64, token string) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET calendar_token = $2 WHERE id = $1`, accountID, token); err != nil {
		return fmt.Errorf("auth: set calendar token of %d: %w", accountID, err)
	}
	return nil
}

// mainRoleOf names an account's most senior role for the audit trail of
// its sign-in, before there is a User; "" when it holds none.
func mainRoleOf(ctx context.Context, q db.Querier, accountID int64) string {
	rows, err := q.Query(ctx, `SELECT role FROM account_roles WHERE account_id = $1`, accountID)
	if err != nil {
		return ""
	}
	roles, err := pgx.CollectRows(rows, pgx.RowTo[Role])
	if err != nil || len(roles) == 0 {
		return ""
	}
	u := &User{}
	for _, r := range roles {
		u.Grants = append(u.Grants, Grant{Role: r})
	}
	return string(u.MainRole())
}
