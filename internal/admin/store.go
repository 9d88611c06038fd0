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
		id, err := auth.CreateAccount(ctx, tx, in.Username, in.DisplayName, hash, member)
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
		if err := auth.DisableAccount(ctx, tx, id); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// EnableAccount enables a disabled account again.
func (s *Store) EnableAccount(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.enabled", func(tx pgx.Tx, _ Account) error {
		return auth.EnableAccount(ctx, tx, id)
	})
}

// ResetPassword sets a temporary password (its hash) the user must change
// at the next sign-in, and ends the account's sessions.
func (s *Store) ResetPassword(ctx context.Context, id int64, hash string) error {
	return s.change(ctx, id, "account.password_reset", func(tx pgx.Tx, _ Account) error {
		if err := auth.SetTemporaryPassword(ctx, tx, id, hash); err != nil {
			return fmt.Errorf("admin: reset password: %w", err)
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
		if err := auth.GrantRole(ctx, tx, id, in.Role, org); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// RevokeRole takes a role away and ends the account's sessions.
func (s *Store) RevokeRole(ctx context.Context, id int64, role string) error {
	return s.change(ctx, id, "role.revoked", func(tx pgx.Tx, _ Account) error {
		if err := auth.RevokeRole(ctx, tx, id, role); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

// Unlock ends an account's lock-out and clears its failure count.
func (s *Store) Unlock(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.unlocked", func(tx pgx.Tx, _ Account) error {
		return auth.Unlock(ctx, tx, id)
	})
}

// ResetTOTP turns off an account's second factor, its recovery codes and
// pending sign-in challenges, and ends its sessions.
func (s *Store) ResetTOTP(ctx context.Context, id int64) error {
	return s.change(ctx, id, "account.totp_reset", func(tx pgx.Tx, _ Account) error {
		if err := auth.ResetTOTP(ctx, tx, id); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
}

const serverFactsSQL = `SELECT pg_current_wal_insert_lsn()::text, current_setting('server_version')`

// serverFacts reads the primary's WAL position and server version for the
// status page.
func serverFacts(ctx context.Context, q db.Querier) (wal, version string, err error) {
	if err := q.QueryRow(ctx, serverFactsSQL).Scan(&wal, &version); err != nil {
		return "", "", fmt.Errorf("admin: status: %w", err)
	}
	return wal, version, nil
}
