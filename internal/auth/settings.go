package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
)

// Settings are the sign-in rules the security administrator tunes: the
// single row of security_settings.
type Settings struct {
	LockAfter          int // failed attempts before a lock-out
	LockMinutes        int // how long a lock-out lasts
	PasswordMinLength  int // at least 8
	PasswordMaxAgeDays int // a password older than this must be changed
	Version            int
}

// DefaultSettings are the rules before anyone changes them: 5 failures
// lock for 30 minutes; passwords of at least 8 characters last 90 days.
var DefaultSettings = Settings{LockAfter: 5, LockMinutes: 30, PasswordMinLength: 8, PasswordMaxAgeDays: 90, Version: 1}

// LockFor is how long a lock-out lasts.
func (s Settings) LockFor() time.Duration { return time.Duration(s.LockMinutes) * time.Minute }

// PasswordProblem applies the policy's minimum length on top of the fixed
// rules of PasswordProblem; "" when the password is acceptable.
func (s Settings) PasswordProblem(password, username string) string {
	if p := PasswordProblem(password, username); p != "" {
		return p
	}
	if len([]rune(password)) < s.PasswordMinLength {
		return "password.below_policy"
	}
	return ""
}

const settingsSQL = `
SELECT lock_after, lock_minutes, password_min_length, password_max_age_days, version
  FROM security_settings WHERE id = 1`

// LoadSettings reads the security settings; the defaults when the row is missing.
func LoadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	err := q.QueryRow(ctx, settingsSQL).Scan(&s.LockAfter, &s.LockMinutes, &s.PasswordMinLength, &s.PasswordMaxAgeDays, &s.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultSettings, nil
	}
	if err != nil {
		return s, fmt.Errorf("auth: security settings: %w", err)
	}
	return s, nil
}
