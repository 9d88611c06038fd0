package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/ui"
)

// A login challenge is the state between a right password and the second
// factor. It is not a session: it opens only the code form.
const (
	challengeCookie      = "zhibu_challenge"
	challengeTTL         = 5 * time.Minute
	maxChallengeAttempts = 5
)

func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (s *Service) createChallenge(ctx context.Context, accountID int64, next string) (string, error) {
	token, err := newToken()
	if err != nil {
		return "", err
	}
	_, err = s.pool.Exec(ctx, `
INSERT INTO login_challenges (token_hash, account_id, next_path, expires_at) VALUES ($1, $2, $3, $4)`,
		hashToken(token), accountID, next, s.now().Add(challengeTTL))
	if err != nil {
		return "", fmt.Errorf("auth: create challenge: %w", err)
	}
	return token, nil
}

type challenge struct {
	tokenHash []byte
	accountID int64
	next      string
	attempts  int
}

// challengeOf finds the request's live login challenge; ErrNotFound if none.
func (s *Service) challengeOf(r *http.Request) (challenge, error) {
	c, err := r.Cookie(challengeCookie)
	if err != nil || c.Value == "" {
		return challenge{}, apperr.ErrNotFound
	}
	ch := challenge{tokenHash: hashToken(c.Value)}
	err = s.pool.QueryRow(r.Context(), `
SELECT account_id, next_path, attempts FROM login_challenges WHERE token_hash = $1 AND expires_at > $2`,
		ch.tokenHash, s.now()).Scan(&ch.accountID, &ch.next, &ch.attempts)
	if errors.Is(err, pgx.ErrNoRows) {
		return ch, apperr.ErrNotFound
	}
	if err != nil {
		return ch, fmt.Errorf("auth: challenge: %w", err)
	}
	return ch, nil
}

func (s *Service) clearChallengeCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.policy.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// SecondFactorForm is what the second-factor form holds.
type SecondFactorForm struct {
	Error string // translation key
}

// SecondFactorPage asks for the TOTP or recovery code after a right password.
func (s *Service) SecondFactorPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.challengeOf(r); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return nil
		}
		return err
	}
	return ui.Render(w, r, http.StatusOK, SecondFactorView(SecondFactorForm{}))
}

// SecondFactor checks the code of a login challenge and starts the session.
// Wrong codes count as failed sign-ins toward the lock-out.
func (s *Service) SecondFactor(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ch, err := s.challengeOf(r)
	if errors.Is(err, apperr.ErrNotFound) {
		s.clearChallengeCookie(w)
		return ui.RedirectRefused(w, r, "/login", "auth.challenge_expired")
	}
	if err != nil {
		return err
	}
	a, err := accountByID(ctx, s.pool, ch.accountID)
	if err != nil {
		return err
	}
	settings, err := LoadSettings(ctx, s.pool)
	if err != nil {
		return err
	}
	now := s.now()
	actx := audit.WithActor(ctx, audit.Actor{ID: a.ID, Name: a.Username, Role: mainRoleOf(ctx, s.pool, a.ID), IP: audit.ActorOf(ctx).IP})
	input := r.PostFormValue("code")
	blocked := a.DisabledAt != nil || (a.LockedUntil != nil && a.LockedUntil.After(now)) || a.TOTPSecret == nil
	var step int64
	verified, method := false, ""
	if !blocked {
		if code, ok := ParseTOTPCode(input); ok {
			secret, err := s.openSecret(*a.TOTPSecret)
			if err != nil {
				return err
			}
			step, verified = checkTOTP(secret, code, now, a.TOTPLastStep)
			method = "totp"
		}
	}
	verified, exhausted, err := s.settleSecondFactor(ctx, actx, attempt{a: a, ch: ch, settings: settings, input: input, now: now,
		blocked: blocked, verified: verified, method: method, step: step})
	if err != nil {
		return err
	}
	if !verified {
		if exhausted {
			s.clearChallengeCookie(w)
			return ui.RedirectRefused(w, r, "/login", "auth.challenge_expired")
		}
		return ui.Render(w, r, http.StatusUnauthorized, SecondFactorView(SecondFactorForm{Error: "auth.bad_code"}))
	}
	s.clearChallengeCookie(w)
	if err := s.startSession(w, r, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, safeNext(ch.next), http.StatusSeeOther)
	return nil
}

// sealSecret encrypts a TOTP secret for the database.
func (s *Service) sealSecret(secret string) (string, error) {
	if s.sealer == nil {
		return "", errors.New("auth: no data key to seal TOTP secrets")
	}
	return base64.StdEncoding.EncodeToString(s.sealer.Seal(secret)), nil
}

// openSecret decrypts what sealSecret stored.
func (s *Service) openSecret(stored string) (string, error) {
	if s.sealer == nil {
		return "", errors.New("auth: no data key to open TOTP secrets")
	}
	b, err := base64.StdEncoding.DecodeString(stored)
	if err != nil {
		return "", fmt.Errorf("auth: TOTP secret: %w", err)
	}
	secret, err := s.sealer.Open(b)
	if err != nil {
		return "", fmt.Errorf("auth: TOTP secret: %w", err)
	}
	return secret, nil
}

// attempt is one second-factor attempt as SecondFactor has checked it so
// far: blocked (account locked, disabled or without TOTP), or whether the
// TOTP code verified (method, step).
type attempt struct {
	a        account
	ch       challenge
	settings Settings
	input    string
	now      time.Time
	blocked  bool
	verified bool
	method   string
	step     int64
}

// settleSecondFactor records a second-factor attempt in one transaction:
// a blocked account's challenge ends; a code that did not verify is tried
// as a recovery code, then counted as a failure (the challenge ends after
// too many); a right one ends the challenge and clears the failures. It
// returns whether the attempt verified and whether the challenge is gone.
func (s *Service) settleSecondFactor(ctx, actx context.Context, at attempt) (verified, exhausted bool, err error) {
	a, ch, settings, input, now, blocked, step := at.a, at.ch, at.settings, at.input, at.now, at.blocked, at.step
	verified, method := at.verified, at.method
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if blocked {
			if _, err := tx.Exec(ctx, `DELETE FROM login_challenges WHERE token_hash = $1`, ch.tokenHash); err != nil {
				return fmt.Errorf("auth: end challenge: %w", err)
			}
			exhausted = true
			return audit.Record(actx, tx, audit.Event{Action: "login", Entity: "account", EntityID: a.ID, Outcome: audit.Denied, After: map[string]string{"reason": "locked_or_disabled"}})
		}
		if !verified {
			if rc, ok := NormalizeRecoveryCode(input); ok {
				tag, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL`, a.ID, hashRecoveryCode(rc), now)
				if err != nil {
					return fmt.Errorf("auth: use recovery code of %d: %w", a.ID, err)
				}
				verified, method = tag.RowsAffected() == 1, "recovery_code"
			}
		}
		if !verified {
			tag, err := tx.Exec(ctx, `UPDATE login_challenges SET attempts = attempts + 1 WHERE token_hash = $1 AND attempts + 1 < $2`, ch.tokenHash, maxChallengeAttempts)
			if err != nil {
				return fmt.Errorf("auth: count challenge attempt: %w", err)
			}
			if tag.RowsAffected() == 0 {
				exhausted = true
				if _, err := tx.Exec(ctx, `DELETE FROM login_challenges WHERE token_hash = $1`, ch.tokenHash); err != nil {
					return fmt.Errorf("auth: end challenge: %w", err)
				}
			}
			return countFailure(actx, tx, a.ID, settings, now, "bad_second_factor")
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_challenges WHERE token_hash = $1`, ch.tokenHash); err != nil {
			return fmt.Errorf("auth: end challenge: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_logins = 0, totp_last_step = greatest(totp_last_step, $2) WHERE id = $1`, a.ID, step); err != nil {
			return fmt.Errorf("auth: second factor of %d: %w", a.ID, err)
		}
		return audit.Record(actx, tx, audit.Event{Action: "login", Entity: "account", EntityID: a.ID, After: map[string]string{"second_factor": method}})
	})
	return verified, exhausted, err
}
