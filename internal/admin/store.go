package admin

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
)

// Store makes the administrators' changes to accounts, roles and security
// settings, each in its own transaction with its audit row: the store owns
// its transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the administrators' store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// SaveSettings saves the security settings over version s.Version:
// ErrConflict when someone saved a newer version meanwhile.
func (s *Store) SaveSettings(ctx context.Context, in auth.Settings) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := auth.LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, updateSettingsSQL, in.Version, in.LockAfter, in.LockMinutes, in.PasswordMinLength, in.PasswordMaxAgeDays)
		if err != nil {
			return fmt.Errorf("admin: save settings: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("admin: settings version %d: %w", in.Version, apperr.ErrConflict)
		}
		in.Version = before.Version + 1
		return audit.Record(ctx, tx, audit.Event{Action: "security.settings_changed", Entity: "security_settings", EntityID: 1, Before: before, After: in})
	})
}

// CreateAccount adds an account that must change its password at first
// sign-in and returns its id.
func (s *Store) CreateAccount(ctx context.Context, in AccountInput, hash string) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var member *int64
		if in.MemberID != 0 {
			member = &in.MemberID
		}
		var id int64
		err := tx.QueryRow(ctx, `
INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password)
VALUES ($1, $2, $3, $4, true) RETURNING id`, in.Username, in.DisplayName, hash, member).Scan(&id)
		if err != nil {
			return 0, err
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "account.created", Entity: "account", EntityID: id,
			After: map[string]any{"username": in.Username, "display_name": in.DisplayName, "member_id": member, "must_change_password": true}})
	})
}

// change runs one audited change of an account in a transaction: do makes
// the change, and the audit row holds the account's state before and after.
func (s *Store) change(ctx context.Context, id int64, action string, do func(tx pgx.Tx, before Account) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := do(tx, before); err != nil {
			return err
		}
		after, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: action, Entity: "account", EntityID: id, Before: auditState(before), After: auditState(after)})
	})
}

// DisableAccount disables an account and ends its sessions.
func (s *Store) DisableAccount(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.disabled", func(tx pgx.Tx, _ Account) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET disabled_at = coalesce(disabled_at, now()) WHERE id = $1`, id); err != nil {
			return fmt.Errorf("admin: disable %d: %w", id, err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// EnableAccount enables a disabled account again.
func (s *Store) EnableAccount(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.enabled", func(tx pgx.Tx, _ Account) error {
		_, err := tx.Exec(ctx, `UPDATE accounts SET disabled_at = NULL WHERE id = $1`, id)
		return err
	})
}

// ResetPassword sets a temporary password (its hash) the user must change
// at the next sign-in, and ends the account's sessions.
func (s *Store) ResetPassword(ctx context.Context, id int64, hash string) error {
	return s.change(ctx, id, "account.password_reset", func(tx pgx.Tx, _ Account) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $2, must_change_password = true, password_changed_at = now() WHERE id = $1`, id, hash); err != nil {
			return fmt.Errorf("admin: reset password of %d: %w", id, err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// EndSessions signs the account out everywhere.
func (s *Store) EndSessions(ctx context.Context, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		a, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.EndSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.sessions_ended", Entity: "account", EntityID: id,
			Before: map[string]int{"sessions": a.Sessions}, After: map[string]int{"sessions": 0}})
	})
}

// GrantRole grants a role (scoped to an organisation when in.OrgID is set)
// and ends the account's sessions.
func (s *Store) GrantRole(ctx context.Context, id int64, in GrantInput) error {
	return s.change(ctx, id, "role.granted", func(tx pgx.Tx, _ Account) error {
		var org *int64
		if in.OrgID != 0 {
			org = &in.OrgID
		}
		if _, err := tx.Exec(ctx, `INSERT INTO account_roles (account_id, role, org_id) VALUES ($1, $2, $3)`, id, in.Role, org); err != nil {
			return fmt.Errorf("admin: grant %s to %d: %w", in.Role, id, err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// RevokeRole takes a role away and ends the account's sessions.
func (s *Store) RevokeRole(ctx context.Context, id int64, role string) error {
	return s.change(ctx, id, "role.revoked", func(tx pgx.Tx, _ Account) error {
		if _, err := tx.Exec(ctx, `DELETE FROM account_roles WHERE account_id = $1 AND role = $2`, id, role); err != nil {
			return fmt.Errorf("admin: revoke %s from %d: %w", role, id, err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// Unlock ends an account's lock-out and clears its failure count.
func (s *Store) Unlock(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.unlocked", func(tx pgx.Tx, _ Account) error {
		_, err := tx.Exec(ctx, `UPDATE accounts SET locked_until = NULL, failed_logins = 0 WHERE id = $1`, id)
		return err
	})
}

// ResetTOTP turns off an account's second factor, its recovery codes and
// pending sign-in challenges, and ends its sessions.
func (s *Store) ResetTOTP(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.totp_reset", func(tx pgx.Tx, _ Account) error {
		for _, q := range []string{
			`UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = $1`,
			`DELETE FROM recovery_codes WHERE account_id = $1`,
			`DELETE FROM login_challenges WHERE account_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, id); err != nil {
				return fmt.Errorf("admin: reset totp of %d: %w", id, err)
			}
		}
		return auth.EndSessions(ctx, tx, id)
	})
}
