// Package server assembles the HTTP application: middleware, the routes
// of every domain package, health checks and static files.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/metrics"
	"zhibu/internal/notify"
	"zhibu/internal/pii"
	"zhibu/internal/ratelimit"
	"zhibu/internal/review"
)

// Deps is what the server needs from the outside.
type Deps struct {
	Pool   *pgxpool.Pool
	Logger *slog.Logger
	// HTTPS marks a deployment served over TLS (directly or by a proxy):
	// cookies become Secure with the __Host- prefix and HSTS is sent.
	HTTPS bool
	// Sealer encrypts and decrypts ID and phone numbers.
	Sealer *pii.Sealer
	// AuthPolicy overrides the default sign-in policy when set.
	AuthPolicy *auth.Policy
	// Metrics collects request figures; a fresh registry when nil.
	Metrics *metrics.Registry
	// LoginLimit is how many sign-in attempts one IP address may make in
	// LoginWindow; 0 means the default (20 in 5 minutes).
	LoginLimit  int
	LoginWindow time.Duration
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and
	// X-Real-IP headers name the client; empty: the connection's address
	// is the client's and those headers are ignored.
	TrustedProxies ratelimit.Proxies
	// ReviewJobs, when set, recomputes the review dashboards' statuses in
	// the background (zhibu serve runs it); nil: a dashboard recomputes
	// what is out of date itself.
	ReviewJobs *review.Jobs
	// Notify writes notifications and queues their mail; when nil the
	// routes make one whose queue is not started (jobs wait in the table).
	Notify *notify.Service
}

// MaxBodyBytes caps an ordinary form post.
const MaxBodyBytes = 2 << 20

// New returns the application's HTTP handler.
func New(d Deps) http.Handler {
	policy := auth.DefaultPolicy
	if d.AuthPolicy != nil {
		policy = *d.AuthPolicy
	}
	policy.SecureCookies = d.HTTPS
	if d.Metrics == nil {
		d.Metrics = metrics.New()
	}
	if d.LoginLimit == 0 {
		d.LoginLimit = 20
	}
	if d.LoginWindow == 0 {
		d.LoginWindow = 5 * time.Minute
	}
	return routes(d, auth.NewService(d.Pool, policy, d.Sealer))
}

// healthz answers while the process runs.
func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

// readyz answers 200 only while the database answers.
func readyz(pool *pgxpool.Pool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := pool.Ping(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	}
}
