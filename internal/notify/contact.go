package notify

import (
	"context"
	"errors"
	"fmt"
	"net/mail"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/pii"
)

// ValidEmail reports whether s is one plain address (no display name), at
// most 254 characters: what the mail preferences and /me accept.
func ValidEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && len(s) <= 254
}

// EmailOf returns the address an account's mail goes to ("" when none),
// the one of its mail preferences.
func EmailOf(ctx context.Context, q db.Querier, sealer *pii.Sealer, accountID int64) (string, error) {
	var sealed []byte
	err := q.QueryRow(ctx, `SELECT email_sealed FROM mail_prefs WHERE account_id = $1`, accountID).Scan(&sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("notify: email of %d: %w", accountID, err)
	}
	e, err := sealer.Open(sealed)
	if err != nil {
		return "", fmt.Errorf("notify: email of %d: %w", accountID, err)
	}
	return e, nil
}

// SetEmail changes the address of an account's mail preferences (sealed),
// inside the caller's transaction, keeping the kinds chosen (the defaults
// when the account has none yet). An empty address stops the mail. The
// caller validates it with ValidEmail and writes the audit row.
func SetEmail(ctx context.Context, tx pgx.Tx, sealer *pii.Sealer, accountID int64, email string) error {
	if email != "" && !ValidEmail(email) {
		return fmt.Errorf("notify: set email of %d: %w", accountID, apperr.ErrInvalid)
	}
	d := DefaultPrefs
	_, err := tx.Exec(ctx, `
INSERT INTO mail_prefs (account_id, email_sealed, meeting_notice, reminder, decision, overdue, digest)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (account_id) DO UPDATE SET email_sealed = EXCLUDED.email_sealed, updated_at = now()`,
		accountID, sealer.Seal(email), d.MeetingNotice, d.Reminder, d.Decision, d.Overdue, d.Digest)
	if err != nil {
		return fmt.Errorf("notify: set email of %d: %w", accountID, err)
	}
	return nil
}

// Reminder days: the range the notify_settings check allows (0: on the
// meeting's day).
const (
	MinReminderDays = 0
	MaxReminderDays = 30
)

// SetReminderDays changes how many days before a meeting its reminder goes
// out, with an audit row of the old and new value.
func (s *Service) SetReminderDays(ctx context.Context, days int) error {
	if days < MinReminderDays || days > MaxReminderDays {
		return fmt.Errorf("notify: reminder days %d: %w", days, apperr.ErrInvalid)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := ReminderDays(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
INSERT INTO notify_settings (key, value) VALUES ('reminder_days', $1)
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, days); err != nil {
			return fmt.Errorf("notify: reminder days: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "notify_settings.update", Entity: "notify_settings",
			Before: map[string]any{"reminder_days": before}, After: map[string]any{"reminder_days": days}})
	})
}

// QueueEmail adds to a batch the read of an account's sealed address,
// which lands in dst when the batch runs (nil when none).
func QueueEmail(b *pgx.Batch, accountID int64, dst *[]byte) {
	b.Queue(`SELECT email_sealed FROM mail_prefs WHERE account_id = $1`, accountID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := rows.Scan(dst); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
