package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"zhibu/internal/auth"
	"zhibu/internal/home"
	"zhibu/internal/notify"
	"zhibu/internal/review"
	"zhibu/internal/seed"
	"zhibu/internal/server"
)

// serve runs the web application until ctx is cancelled (SIGINT/SIGTERM),
// then lets in-flight requests finish.
func serve(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("serve", env, stderr, &cfg)
	fs.StringVar(&cfg.Addr, "addr", envOr(env, "ZHIBU_ADDR", "127.0.0.1:8080"), "listen address (env ZHIBU_ADDR)")
	seedDefault := false
	if v, ok := env("ZHIBU_SEED_DEMO"); ok && (v == "1" || v == "true") {
		seedDefault = true
	}
	fs.BoolVar(&cfg.SeedDemo, "seed-demo", seedDefault, "load the demo data when the database is empty (env ZHIBU_SEED_DEMO=1)")
	httpsDefault := false
	if v, ok := env("ZHIBU_HTTPS"); ok && (v == "1" || v == "true") {
		httpsDefault = true
	}
	fs.BoolVar(&cfg.HTTPS, "https", httpsDefault, "served over HTTPS (by a TLS proxy): Secure cookies and HSTS (env ZHIBU_HTTPS=1)")
	fs.Usage = UsageFunc(fs, "Usage: zhibu serve [flags]\n\nMigrates the database and serves the web application until SIGINT or SIGTERM, then lets requests in flight finish.", DataKeyHelp+
		"                   With --seed-demo and no key, one is generated into the data dir.\n"+oldKeyHelp)
	var scale scaleSettings
	scaleFlags(fs, env, &scale)
	var limits limitSettings
	if err := limitFlags(fs, env, &limits); err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	var deps server.Deps
	if err := limits.apply(&deps); err != nil {
		return err
	}
	logger, err := NewLogger(cfg, stderr)
	if err != nil {
		return err
	}
	slog.SetDefault(logger)
	seal, err := Sealer(cfg, env, cfg.SeedDemo)
	if err != nil {
		return err
	}

	pool, closeDB, err := OpenMigrated(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()

	if cfg.SeedDemo {
		loaded, err := seed.DemoIfEmpty(ctx, pool, seal)
		if err != nil {
			return err
		}
		if loaded {
			logger.Info("demo data loaded")
		}
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Addr, err)
	}
	reviewJobs := review.NewJobs(pool, logger)
	mailCfg, err := notify.MailFromEnv(env)
	if err != nil {
		return err
	}
	out, err := scale.open(ctx, cfg, pool, logger)
	if err != nil {
		return err
	}
	defer out.close()
	notifier, err := notify.New(pool, seal, notify.Options{Mail: mailCfg, Logger: logger, Todos: home.BranchTodos, QueuePool: out.queuePool, PollOnly: out.pollOnly})
	if err != nil {
		return err
	}
	deps.Pool, deps.Logger, deps.HTTPS, deps.Sealer, deps.ReviewJobs, deps.Notify = pool, logger, cfg.HTTPS, seal, reviewJobs, notifier
	deps.Reads, deps.Identity = out.reads, out.identity
	if out.direct != "" {
		// Unread counts read on another instance are dropped at once.
		go notifier.ListenUnread(ctx, out.direct, logger)
	}
	srv := &http.Server{
		Handler:           server.New(deps),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 16,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "Zhibu is serving at http://%s/\n", ln.Addr())
	if demo, err := seed.HasDemo(ctx, pool); err == nil && demo {
		fmt.Fprintf(stdout, "Demo logins (password %s): %s\n", seed.DemoPassword, seed.DemoLoginsText())
	}

	go auth.NewSessions(pool, auth.DefaultSessionPolicy).PurgeEvery(ctx, 10*time.Minute, logger)
	// The review dashboards' statuses: recomputed now if behind, then
	// after each midnight China time, off the request path.
	go reviewJobs.Run(ctx)
	if mailCfg.On() {
		logger.Info("mail on", "smtp", mailCfg.Host, "port", mailCfg.Port, "starttls", mailCfg.StartTLS)
	} else {
		logger.Info("mail off: ZHIBU_SMTP_HOST not set; notices stay in the inbox")
	}

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	// The notification queue (River): mail with retries, reminders and
	// digests; every instance works jobs, the leader schedules the scans.
	// Started once the server serves, and stopped after it (not by the
	// signal), so jobs in hand finish.
	if err := notifier.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("notify: start: %w", err)
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down; finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := notifier.Stop(sctx); err != nil {
		return fmt.Errorf("notify: stop: %w", err)
	}
	return nil
}

// seedCmd runs "zhibu seed demo".
func seedCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("seed", env, stderr, &cfg)
	fs.Usage = UsageFunc(fs, "Usage: zhibu seed demo [flags]\n\nLoads the demo agency, members, a year of meetings and the demo accounts; running it again changes nothing.\n(The benchmark data set is zhibu-bench's: zhibu-bench seed -h.)",
		DataKeyHelp+"                   Without it, one is generated into the data dir (demo data only).\n")
	set, rest, err := firstArg(fs, args, "seed: say which data set (demo)")
	if err != nil {
		return err
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if set != "demo" {
		return fmt.Errorf("seed: unknown data set %q", set)
	}
	seal, err := Sealer(cfg, env, true)
	if err != nil {
		return err
	}
	pool, closeDB, err := OpenPool(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	loaded, err := seed.Demo(ctx, pool, seal)
	if err != nil {
		return err
	}
	if loaded {
		fmt.Fprintln(stdout, "demo data loaded")
	} else {
		fmt.Fprintln(stdout, "demo data already present; nothing changed")
	}
	fmt.Fprintf(stdout, "Demo logins (password %s): %s\n", seed.DemoPassword, seed.DemoLoginsText())
	return nil
}
