// Package app is the zhibu command: it reads configuration from flags and
// the environment, brings up the database, and runs a subcommand (serve,
// migrate, seed, backup, restore, bench).
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/pgcluster"
)

// Env looks up an environment variable; os.LookupEnv in production.
type Env func(string) (string, bool)

// Config is the configuration shared by every subcommand.
type Config struct {
	Addr        string
	DatabaseURL string
	DataDir     string
	LogLevel    string
	LogFormat   string
	SeedDemo    bool
	HTTPS       bool
}

const usage = `zhibu: Party branch work for government agencies.

Usage:
  zhibu [serve] [flags]        serve the web application (default)
  zhibu migrate up|down N|version [flags]
  zhibu seed demo [flags]      load the demo data set (idempotent)
  zhibu seed bench [flags]     generate the large benchmark data set into an empty database
  zhibu bench [flags]          load the benchmark data set if needed and measure every page under load
  zhibu backup [--out DIR]     write a consistent dump with a manifest
  zhibu restore DIR            load a backup into an empty database
  zhibu admin create --role R --username U --name N
                               create the first administrator of a role; prints a one-time password

Run "zhibu COMMAND -h" for the flags of a command.
`

// Run runs the zhibu command with args (without the program name).
func Run(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, env, stdout, stderr)
	case "migrate":
		return migrateCmd(ctx, args, env, stdout, stderr)
	case "seed":
		return seedCmd(ctx, args, env, stdout, stderr)
	case "backup":
		return backupCmd(ctx, args, env, stdout, stderr)
	case "restore":
		return restoreCmd(ctx, args, env, stdout, stderr)
	case "bench":
		return benchCmd(ctx, args, env, stdout, stderr)
	case "admin":
		return adminCmd(ctx, args, env, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// flags declares the flags every subcommand shares, with defaults from env.
func flags(name string, env Env, stderr io.Writer, cfg *Config) *flag.FlagSet {
	get := func(k, def string) string {
		if v, ok := env(k); ok && v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("zhibu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", get("ZHIBU_ADDR", "127.0.0.1:8080"), "listen address (env ZHIBU_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", get("DATABASE_URL", ""), "PostgreSQL URL; empty starts a private cluster under the data dir (env DATABASE_URL)")
	fs.StringVar(&cfg.DataDir, "data-dir", get("ZHIBU_DATA_DIR", "./.data"), "folder for the private PostgreSQL cluster (env ZHIBU_DATA_DIR)")
	fs.StringVar(&cfg.LogLevel, "log-level", get("ZHIBU_LOG_LEVEL", "info"), "debug, info, warn or error (env ZHIBU_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", get("ZHIBU_LOG_FORMAT", "text"), "text or json (env ZHIBU_LOG_FORMAT)")
	return fs
}

func newLogger(cfg Config, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch cfg.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", cfg.LogFormat)
}

// database returns the URL to use, starting the private cluster when no
// DATABASE_URL is set. stop shuts the cluster down again (a no-op when the
// cluster was already running or an external database is used).
func database(ctx context.Context, cfg Config, logger *slog.Logger) (url string, stop func(), err error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, func() {}, nil
	}
	dir, err := filepath.Abs(filepath.Join(cfg.DataDir, "pg"))
	if err != nil {
		return "", nil, fmt.Errorf("data dir: %w", err)
	}
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: logger})
	if errors.Is(err, pgcluster.ErrNoBinaries) {
		return "", nil, err
	}
	if err != nil {
		return "", nil, fmt.Errorf("private database: %w", err)
	}
	if err := c.EnsureDatabase(ctx, "zhibu"); err != nil {
		return "", nil, err
	}
	logger.Info("private PostgreSQL cluster up", "dir", dir, "port", c.Port())
	return c.URL("zhibu"), func() {
		if err := c.Stop(context.Background()); err != nil {
			logger.Warn("stop private cluster", "err", err)
		}
	}, nil
}

// openMigrated brings up the database (the private cluster when no URL is
// set), applies the migrations and opens a pool; close releases both.
func openMigrated(ctx context.Context, cfg Config, logger *slog.Logger) (pool *pgxpool.Pool, close func(), err error) {
	url, stop, err := database(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := db.MigrateUp(url); err != nil {
		stop()
		return nil, nil, err
	}
	pool, err = db.Open(ctx, url)
	if err != nil {
		stop()
		return nil, nil, err
	}
	return pool, func() { pool.Close(); stop() }, nil
}

// migrateCmd runs "zhibu migrate up|down N|version".
func migrateCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flags("migrate", env, stderr, &cfg)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: zhibu migrate up | down N | version [flags]\n\nup applies every pending migration; down N rolls back N (down all: every one); version prints the schema version.")
		fs.PrintDefaults()
	}
	if len(args) == 0 {
		fs.Usage()
		return errors.New("migrate: say up, down N or version")
	}
	sub, rest := args[0], args[1:]
	if sub == "-h" || sub == "--help" {
		fs.Usage()
		return nil
	}
	n := 0
	if sub == "down" {
		if len(rest) == 0 {
			return errors.New("migrate down: say how many steps, or all")
		}
		if rest[0] != "all" {
			if _, err := fmt.Sscanf(rest[0], "%d", &n); err != nil || n <= 0 {
				return fmt.Errorf("migrate down: %q is not a positive number", rest[0])
			}
		}
		rest = rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	logger, err := newLogger(cfg, stderr)
	if err != nil {
		return err
	}
	url, stop, err := database(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer stop()
	switch sub {
	case "up":
		if err := db.MigrateUp(url); err != nil {
			return err
		}
	case "down":
		if err := db.MigrateDown(url, n); err != nil {
			return err
		}
	case "version":
	default:
		return fmt.Errorf("migrate: unknown step %q", sub)
	}
	v, dirty, err := db.Version(url)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d", v)
	if dirty {
		fmt.Fprint(stdout, " (dirty)")
	}
	fmt.Fprintln(stdout)
	return nil
}

// Main is the process entry point used by cmd/zhibu.
func Main(ctx context.Context) int {
	if err := Run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "zhibu:", err)
		}
		return 1
	}
	return 0
}
