package auth

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/audit"
)

// The account pages' changes, each in its own transaction with its audit
// row: the handlers (account.go) never open one.

// savePassword stores a's new password hash and clears the demand to
// change it.
func (s *Service) savePassword(ctx context.Context, a account, hash string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET password_hash = $2, must_change_password = false, password_changed_at = now() WHERE id = $1`, a.ID, hash); err != nil {
			return fmt.Errorf("auth: change password of %d: %w", a.ID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.password_changed", Entity: "account", EntityID: a.ID,
			Before: map[string]any{"must_change_password": a.MustChangePassword, "password_changed_at": a.PasswordChangedAt},
			After:  map[string]any{"must_change_password": false, "password": "***"}})
	})
}

// enableTOTP turns the pending TOTP secret on, with step as the last code
// used, and replaces the recovery codes.
func (s *Service) enableTOTP(ctx context.Context, accountID, step int64, codes []string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
UPDATE accounts SET totp_secret = totp_pending, totp_pending = NULL, totp_enabled_at = now(), totp_last_step = $2
 WHERE id = $1 AND totp_pending IS NOT NULL`, accountID, step); err != nil {
			return fmt.Errorf("auth: enable totp of %d: %w", accountID, err)
		}
		if err := replaceRecoveryCodes(ctx, tx, accountID, codes); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.totp_enabled", Entity: "account", EntityID: accountID,
			Before: map[string]bool{"totp": false}, After: map[string]any{"totp": true, "recovery_codes": len(codes)}})
	})
}

// renewRecoveryCodes replaces the recovery codes (remaining were unused)
// after a right TOTP code of the given step.
func (s *Service) renewRecoveryCodes(ctx context.Context, accountID, step int64, remaining int, codes []string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET totp_last_step = $2 WHERE id = $1`, accountID, step); err != nil {
			return fmt.Errorf("auth: totp step of %d: %w", accountID, err)
		}
		if err := replaceRecoveryCodes(ctx, tx, accountID, codes); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.recovery_codes", Entity: "account", EntityID: accountID,
			Before: map[string]int{"unused": remaining}, After: map[string]int{"unused": len(codes)}})
	})
}
