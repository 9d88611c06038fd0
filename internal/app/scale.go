package app

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/db"
)

// scaleSettings are serve's settings for running beside other instances,
// behind a pooler and with read replicas (issue 24).
type scaleSettings struct {
	readURLs      string
	maxLag        time.Duration
	identityCache bool
}

func scaleFlags(fs *flag.FlagSet, env Env, s *scaleSettings) {
	fs.StringVar(&s.readURLs, "read-url", envOr(env, "DATABASE_READ_URL", ""),
		"streaming replicas for the committee's dashboards, compliance pages, reports and exports: one PostgreSQL URL or several, comma-separated (env DATABASE_READ_URL)")
	lag := 30 * time.Second
	if v, ok := env("ZHIBU_REPLICA_MAX_LAG"); ok && v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			lag = d
		}
	}
	fs.DurationVar(&s.maxLag, "replica-max-lag", lag, "a replica further behind than this is not read from (env ZHIBU_REPLICA_MAX_LAG)")
	on := true
	if v, ok := env("ZHIBU_IDENTITY_CACHE"); ok && (v == "0" || v == "false") {
		on = false
	}
	fs.BoolVar(&s.identityCache, "identity-cache", on,
		"keep each session's identity in memory for up to a second, kept in step by LISTEN/NOTIFY (env ZHIBU_IDENTITY_CACHE=0 turns it off)")
}

// scaleOut is what scaleSettings opened; close releases it.
type scaleOut struct {
	// direct is a direct URL of the primary for LISTEN ("" behind
	// PgBouncer without DATABASE_DIRECT_URL).
	direct    string
	reads     *db.Router
	identity  *auth.IdentityCache
	queuePool *pgxpool.Pool
	pollOnly  bool
	close     func()
}

// open connects the replicas, the identity cache's listener and the job
// queue's direct pool, each running until ctx ends.
func (s scaleSettings) open(ctx context.Context, cfg Config, pool *pgxpool.Pool, logger *slog.Logger) (scaleOut, error) {
	var out scaleOut
	var closers []func()
	out.close = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	// A direct connection to the primary: the direct URL, or the main one
	// when no pooler stands between.
	direct := cfg.DirectURL
	if direct == "" && !cfg.PgBouncer {
		direct = pool.Config().ConnString()
	}
	out.direct = direct
	if urls := db.SplitURLs(s.readURLs); len(urls) > 0 {
		reps, err := db.OpenReplicas(ctx, urls, db.ForPgBouncer(cfg.PgBouncer))
		if err != nil {
			return out, err
		}
		r := db.NewRouter(pool, reps...)
		r.MaxLag, r.Secure, r.Logger = s.maxLag, cfg.HTTPS, logger
		closers = append(closers, r.Close)
		go r.Run(ctx)
		out.reads = r
		for _, rep := range reps {
			logger.Info("read replica", "name", rep.Name, "host", rep.Host)
		}
	}
	if s.identityCache {
		out.identity = auth.NewIdentityCache()
		if direct != "" {
			go auth.ListenIdentity(ctx, direct, out.identity, nil, logger)
		} else {
			// Behind PgBouncer with no direct URL: no LISTEN, so an
			// identity is kept for its second and no longer.
			out.identity.Trust()
			logger.Info("identity cache without LISTEN (set DATABASE_DIRECT_URL): changes show within a second")
		}
	}
	switch {
	case cfg.PgBouncer && cfg.DirectURL != "":
		qp, err := db.Open(ctx, cfg.DirectURL, db.Named("zhibu-queue"))
		if err != nil {
			out.close()
			return out, fmt.Errorf("job queue: %w", err)
		}
		closers = append(closers, qp.Close)
		out.queuePool = qp
	case cfg.PgBouncer:
		out.pollOnly = true
		logger.Info("job queue polls (behind PgBouncer without DATABASE_DIRECT_URL)")
	}
	return out, nil
}
