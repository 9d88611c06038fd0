// Package server assembles the HTTP application: middleware, the routes
// of every domain package, health checks and static files.
package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/db"
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
	// Reads routes the read-only dashboards, compliance pages, reports
	// and exports to streaming replicas (DATABASE_READ_URL); nil: every
	// read goes to Pool.
	Reads *db.Router
	// Identity keeps each session's identity in memory for up to a second,
	// kept in step by NOTIFY (auth.ListenIdentity); nil: the session,
	// account and roles are read on every request.
	Identity *auth.IdentityCache
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
	d.Metrics.Collect("db_replicas", d.Reads.WriteMetrics)
	if d.Identity != nil {
		d.Metrics.Collect("identity_cache", identityMetrics(d.Identity))
	}
	return routes(d, auth.NewService(d.Pool, policy, d.Sealer).WithIdentityCache(d.Identity))
}

// identityMetrics writes the identity cache's counters.
func identityMetrics(c *auth.IdentityCache) func(io.Writer) {
	return func(w io.Writer) {
		st := c.Stats()
		fmt.Fprintf(w, "# HELP zhibu_identity_cache_hits_total Signed-in requests whose identity came from this instance's cache.\n# TYPE zhibu_identity_cache_hits_total counter\nzhibu_identity_cache_hits_total %d\n", st.Hits)
		fmt.Fprintf(w, "# HELP zhibu_identity_cache_misses_total Signed-in requests that read their identity from the database.\n# TYPE zhibu_identity_cache_misses_total counter\nzhibu_identity_cache_misses_total %d\n", st.Misses)
		fmt.Fprintf(w, "# HELP zhibu_identity_cache_listening 1 while the cache's LISTEN connection is up (without it nothing is kept).\n# TYPE zhibu_identity_cache_listening gauge\nzhibu_identity_cache_listening %d\n", b2i(st.Listening))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
