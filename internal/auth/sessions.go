package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
)

// SessionPolicy sets how long a session lives.
type SessionPolicy struct {
	Idle     time.Duration // ends after this long without a request
	Absolute time.Duration // ends this long after sign-in, whatever happens
}

// DefaultSessionPolicy is 30 minutes idle and 12 hours absolute.
var DefaultSessionPolicy = SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}

// errNoSession means the token names no live session.
var errNoSession = errors.New("auth: no session")

// Sessions stores sessions in PostgreSQL, keyed by a hash of the token so
// that a copy of the table grants nobody a session.
type Sessions struct {
	pool   *pgxpool.Pool
	policy SessionPolicy
	now    func() time.Time
	cache  *IdentityCache // nil: every request reads the database
}

// NewSessions returns a session store.
func NewSessions(pool *pgxpool.Pool, policy SessionPolicy) *Sessions {
	return &Sessions{pool: pool, policy: policy, now: time.Now}
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// WithCache keeps identities in c (see IdentityCache).
func (s *Sessions) WithCache(c *IdentityCache) *Sessions {
	s.cache = c
	return s
}

// Create starts a new session for the account and returns its token.
func (s *Sessions) Create(ctx context.Context, accountID int64, ip, userAgent string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := s.pool.Exec(ctx, `
INSERT INTO sessions (token_hash, account_id, created_at, last_seen, expires_at, ip, user_agent)
VALUES ($1, $2, $3, $3, $4, $5, $6)`, hashToken(token), accountID, now, now.Add(s.policy.Absolute), ip, userAgent)
	if err != nil {
		return "", fmt.Errorf("auth: create session: %w", err)
	}
	return token, nil
}

// lookupUserSQL reads a live session, its enabled account and the
// account's roles in one statement, in one round trip: on every request,
// or, with an IdentityCache, at most once a second per session and
// instance.
const lookupUserSQL = `
SELECT ` + accountColumns + `, s.last_seen, s.expires_at,
       ARRAY(SELECT r.role FROM account_roles r WHERE r.account_id = accounts.id ORDER BY r.role, r.org_id NULLS FIRST),
       ARRAY(SELECT coalesce(r.org_id, 0) FROM account_roles r WHERE r.account_id = accounts.id ORDER BY r.role, r.org_id NULLS FIRST)
  FROM sessions s
  JOIN accounts ON accounts.id = s.account_id AND accounts.disabled_at IS NULL
 WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen > $3`

// LookupUser returns the signed-in user of a live session, with its
// roles, and refreshes the session's idle timer (at most once a minute).
// A token naming no live session, or a session of a disabled or deleted
// account, is errNoSession.
func (s *Sessions) LookupUser(ctx context.Context, token string) (*User, error) {
	now := s.now()
	key := sha256.Sum256([]byte(token))
	var gen uint64
	if s.cache != nil {
		u, lastSeen, g, ok := s.cache.get(key, now, s.policy.Idle)
		if ok {
			if now.Sub(lastSeen) > time.Minute {
				if err := s.touch(ctx, token, lastSeen, now); err != nil {
					return nil, err
				}
				s.cache.touched(key, now)
			}
			return u, nil
		}
		gen = g
	}
	var a account
	var lastSeen, expiresAt time.Time
	var roles []string
	var orgs []int64
	err := s.pool.QueryRow(ctx, lookupUserSQL, key[:], now, now.Add(-s.policy.Idle)).
		Scan(append(a.dest(), &lastSeen, &expiresAt, &roles, &orgs)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("auth: lookup session: %w", err)
	}
	if len(roles) != len(orgs) {
		return nil, fmt.Errorf("auth: lookup session: %d roles, %d organisations", len(roles), len(orgs))
	}
	if err := s.touch(ctx, token, lastSeen, now); err != nil {
		return nil, err
	}
	if now.Sub(lastSeen) > time.Minute {
		lastSeen = now
	}
	u := a.user()
	u.Grants = make([]Grant, len(roles))
	for i := range roles {
		u.Grants[i] = Grant{Role: Role(roles[i]), OrgID: orgs[i]}
	}
	if s.cache != nil {
		s.cache.put(key, u, lastSeen, expiresAt, now, gen)
	}
	return u, nil
}

// touch refreshes a session's idle timer, at most once a minute, to keep
// reads cheap.
func (s *Sessions) touch(ctx context.Context, token string, lastSeen, now time.Time) error {
	if now.Sub(lastSeen) <= time.Minute {
		return nil
	}
	if _, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen = $2 WHERE token_hash = $1`, hashToken(token), now); err != nil {
		return fmt.Errorf("auth: touch session: %w", err)
	}
	return nil
}

// Delete ends one session.
func (s *Sessions) Delete(ctx context.Context, token string) error {
	if s.cache != nil {
		defer s.cache.forgetToken(sha256.Sum256([]byte(token)))
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token)); err != nil {
		return fmt.Errorf("auth: delete session: %w", err)
	}
	return nil
}

// DeleteAll ends every session of an account.
func (s *Sessions) DeleteAll(ctx context.Context, accountID int64) error {
	if s.cache != nil {
		defer s.cache.InvalidateAccount(accountID)
	}
	return EndSessions(ctx, s.pool, accountID)
}

// EndSessions ends every session of an account, inside q's transaction
// when q is one, so that the change that calls for it commits with it.
func EndSessions(ctx context.Context, q db.Querier, accountID int64) error {
	if _, err := q.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, accountID); err != nil {
		return fmt.Errorf("auth: end sessions of %d: %w", accountID, err)
	}
	return nil
}

// Purge removes expired sessions and login challenges, so that no stale
// credential stays behind in the database.
func (s *Sessions) Purge(ctx context.Context) error {
	now := s.now()
	_, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen <= $2`, now, now.Add(-s.policy.Idle))
	if err != nil {
		return fmt.Errorf("auth: purge sessions: %w", err)
	}
	if _, err := s.pool.Exec(ctx, `DELETE FROM login_challenges WHERE expires_at <= $1`, now); err != nil {
		return fmt.Errorf("auth: purge login challenges: %w", err)
	}
	return nil
}

// PurgeEvery runs Purge at each interval until ctx ends, logging failures.
func (s *Sessions) PurgeEvery(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.Purge(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("purge sessions", "err", err)
			}
		}
	}
}
