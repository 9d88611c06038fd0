// Package ratelimit counts requests per key in fixed time windows kept in
// PostgreSQL, so that every Zhibu process behind a load balancer shares
// the same limits.
package ratelimit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/ui"
)

// Limiter allows at most Limit requests per key in each Window.
type Limiter struct {
	pool   *pgxpool.Pool
	Name   string
	Limit  int
	Window time.Duration
	now    func() time.Time
	// sweep reports whether this call should also drop old windows: true
	// about once in sweepOneIn calls, whatever the clock's resolution.
	sweep func() bool
}

// sweepOneIn is how many calls, on average, go by between two clean-ups
// of windows long past.
const sweepOneIn = 100

// New returns a limiter; name separates its keys from other limiters'.
func New(pool *pgxpool.Pool, name string, limit int, window time.Duration) *Limiter {
	return &Limiter{pool: pool, Name: name, Limit: limit, Window: window, now: time.Now,
		sweep: func() bool { return rand.IntN(sweepOneIn) == 0 }}
}

const hitSQL = `
INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
RETURNING count`

// Allow counts one request for key and reports whether it is within the limit.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, error) {
	now := l.now()
	window := now.Truncate(l.Window)
	k := l.Name + ":" + key
	if len(k) > 200 {
		k = k[:200]
	}
	var n int
	if err := l.pool.QueryRow(ctx, hitSQL, k, window).Scan(&n); err != nil {
		return false, fmt.Errorf("ratelimit: %s: %w", l.Name, err)
	}
	// Now and then (a random draw: the clock's digits are no dice, as
	// clocks of microsecond resolution end every reading in 000), drop
	// windows long past.
	if l.sweep() {
		_, _ = l.pool.Exec(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, now.Add(-24*time.Hour))
	}
	return n <= l.Limit, nil
}

// Middleware refuses requests over the limit with a 429 page; keyOf picks
// the key (e.g. the client IP).
func (l *Limiter) Middleware(keyOf func(*http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ok, err := l.Allow(r.Context(), keyOf(r))
			if err != nil {
				ui.RenderError(w, r, err)
				return
			}
			if !ok {
				w.Header().Set("Retry-After", fmt.Sprint(int(l.Window.Seconds())))
				ui.ErrorStatus(w, r, http.StatusTooManyRequests)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
