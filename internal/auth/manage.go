package auth

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
)

// The auth package is the one writer of accounts, account_roles,
// recovery_codes and login_challenges. The administrators' pages change
// accounts through the functions below, inside their own audited
// transaction.

const createAccountSQL = `
INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password)
VALUES ($1, $2, $3, $4, true) RETURNING id`

// CreateAccount adds an account whose password (already hashed) must be
// changed at first sign-in, and returns its id. A taken username or
// member is the database's unique violation, returned as it is.
func CreateAccount(ctx context.Context, q db.Querier, username, displayName, hash string, memberID *int64) (int64, error) {
	var id int64
	if err := q.QueryRow(ctx, createAccountSQL, username, displayName, hash, memberID).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// DisableAccount stops the account from signing in (its sessions are the
// caller's to end).
func DisableAccount(ctx context.Context, q db.Querier, id int64) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, id); err != nil {
		return fmt.Errorf("auth: disable %d: %w", id, err)
	}
	return nil
}

// EnableAccount lets a disabled account sign in again.
func EnableAccount(ctx context.Context, q db.Querier, id int64) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET disabled_at = NULL WHERE id = $1`, id); err != nil {
		return fmt.Errorf("auth: enable %d: %w", id, err)
	}
	return nil
}

// SetTemporaryPassword gives the account a password (already hashed) that
// must be changed at the next sign-in.
func SetTemporaryPassword(ctx context.Context, q db.Querier, id int64, hash string) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET password_hash = $2, must_change_password = true, password_changed_at = now() WHERE id = $1`, id, hash); err != nil {
		return fmt.Errorf("auth: temporary password of %d: %w", id, err)
	}
	return nil
}

// Unlock ends the account's lock-out and clears its failure count.
func Unlock(ctx context.Context, q db.Querier, id int64) error {
	if _, err := q.Exec(ctx, `UPDATE accounts SET locked_until = NULL, failed_logins = 0 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("auth: unlock %d: %w", id, err)
	}
	return nil
}

// GrantRole gives the account a role, over an organisation's subtree when
// orgID is not nil.
func GrantRole(ctx context.Context, q db.Querier, id int64, role string, orgID *int64) error {
	if _, err := q.Exec(ctx, `INSERT INTO account_roles (account_id, role, org_id) VALUES ($1, $2, $3)`, id, role, orgID); err != nil {
		return fmt.Errorf("auth: grant %s to %d: %w", role, id, err)
	}
	return nil
}

// RevokeRole takes a role away from the account.
func RevokeRole(ctx context.Context, q db.Querier, id int64, role string) error {
	if _, err := q.Exec(ctx, `DELETE FROM account_roles WHERE account_id = $1 AND role = $2`, id, role); err != nil {
		return fmt.Errorf("auth: revoke %s from %d: %w", role, id, err)
	}
	return nil
}

// ResetTOTP turns off the account's second factor with its recovery codes
// and pending sign-in challenges.
func ResetTOTP(ctx context.Context, tx pgx.Tx, id int64) error {
	for _, q := range []string{
		`UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = $1`,
		`DELETE FROM recovery_codes WHERE account_id = $1`,
		`DELETE FROM login_challenges WHERE account_id = $1`,
	} {
		if _, err := tx.Exec(ctx, q, id); err != nil {
			return fmt.Errorf("auth: reset totp of %d: %w", id, err)
		}
	}
	return nil
}
