// Package app is the zhibu command: it reads configuration from flags and
// the environment, brings up the database, and runs a subcommand (serve,
// migrate, seed, backup, restore, admin, version).
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
	// DirectURL reaches the primary without a transaction pooler, for
	// what needs a session of its own: migrations (an advisory lock held
	// across statements), pg_dump, LISTEN and the job queue. Empty: the
	// DatabaseURL is direct.
	DirectURL string
	// PgBouncer: DatabaseURL goes through PgBouncer in transaction mode.
	PgBouncer bool
	DataDir   string
	LogLevel  string
	LogFormat string
	SeedDemo  bool
	HTTPS     bool
}

// command is one subcommand of zhibu.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error
}

// commands lists the subcommands in the order the help shows them.
var commands = []command{
	{"serve", "serve the web application (the default when no command is given)", serve},
	{"migrate", "apply, roll back or show the database migrations", migrateCmd},
	{"seed", "load the demo data set", seedCmd},
	{"backup", "write a consistent dump of the database with a manifest", backupCmd},
	{"restore", "load a backup into an empty database", restoreCmd},
	{"admin", "create the first administrator of a role (admin create)", adminCmd},
	{"rekey", "rotate the data key: reseal ID and phone numbers and TOTP secrets under a new key", rekeyCmd},
	{"version", "print the version and the commit it was built from", versionCmd},
}

// DataKeyHelp is what every command that reads or writes personal data
// says about the data key.
const DataKeyHelp = `Environment:
  ZHIBU_DATA_KEY   64 hexadecimal digits, the data key that encrypts ID and phone
                   numbers and TOTP secrets (SM4-GCM) and keys their lookup hashes.
                   Required outside demo mode; make one with "openssl rand -hex 32"
                   and keep it out of the database backups.
`

// oldKeyHelp is what serve says about the previous key of a rotation.
const oldKeyHelp = `  ZHIBU_OLD_DATA_KEY  only while the data key is rotated: the key being replaced,
                   still read, never written (see "zhibu rekey -h").
`

func usage(w io.Writer) {
	fmt.Fprint(w, `zhibu: Party branch work for government agencies.

Usage:
  zhibu <command> [arguments] [flags]
  zhibu [flags]                      the same as "zhibu serve [flags]"

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `  help      show this help, or a command's ("zhibu help backup")

Run "zhibu <command> -h" for a command's arguments and flags; "zhibu --version"
is "zhibu version".

`+DataKeyHelp+oldKeyHelp+`  DATABASE_URL     the PostgreSQL database; empty starts a private cluster under
                   ZHIBU_DATA_DIR (for trying Zhibu out)
`)
}

// Run runs the zhibu command with args (without the program name).
func Run(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	name := "serve"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			if args[0] == "help" && len(args) > 1 {
				return Run(ctx, []string{args[1], "-h"}, env, stdout, stderr)
			}
			usage(stdout)
			return nil
		case "-version", "--version":
			name, args = "version", args[1:]
		default:
			if !strings.HasPrefix(args[0], "-") {
				name, args = args[0], args[1:]
			}
		}
	}
	for _, c := range commands {
		if c.name == name {
			err := c.run(ctx, args, env, stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil // -h: the command has printed its usage
			}
			return err
		}
	}
	usage(stderr)
	return fmt.Errorf("unknown command %q", name)
}

// DBFlags declares the flags of every command that uses the database,
// with defaults from env (also used by zhibu-bench).
func DBFlags(name string, env Env, stderr io.Writer, cfg *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("zhibu "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.DatabaseURL, "database-url", envOr(env, "DATABASE_URL", ""), "PostgreSQL URL; empty starts a private cluster under the data dir (env DATABASE_URL)")
	fs.StringVar(&cfg.DirectURL, "direct-url", envOr(env, "DATABASE_DIRECT_URL", ""), "PostgreSQL URL of the primary without a pooler, for migrations, backups, LISTEN and the job queue; empty: the database URL (env DATABASE_DIRECT_URL)")
	pgb := false
	if v, ok := env("ZHIBU_PGBOUNCER"); ok && (v == "1" || v == "true") {
		pgb = true
	}
	fs.BoolVar(&cfg.PgBouncer, "pgbouncer", pgb, "the database URL goes through PgBouncer in transaction mode: no prepared statements kept per connection (env ZHIBU_PGBOUNCER=1)")
	fs.StringVar(&cfg.DataDir, "data-dir", envOr(env, "ZHIBU_DATA_DIR", "./.data"), "folder for the private PostgreSQL cluster (env ZHIBU_DATA_DIR)")
	fs.StringVar(&cfg.LogLevel, "log-level", envOr(env, "ZHIBU_LOG_LEVEL", "info"), "debug, info, warn or error (env ZHIBU_LOG_LEVEL)")
	fs.StringVar(&cfg.LogFormat, "log-format", envOr(env, "ZHIBU_LOG_FORMAT", "text"), "text or json (env ZHIBU_LOG_FORMAT)")
	return fs
}

// firstArg splits off the argument that comes before a command's flags
// (a step, a folder, a data set). Without one it prints the usage and
// returns missing as the error; -h or --help print the usage.
func firstArg(fs *flag.FlagSet, args []string, missing string) (string, []string, error) {
	if len(args) == 0 {
		fs.Usage()
		return "", nil, errors.New(missing)
	}
	if args[0] == "-h" || args[0] == "--help" {
		fs.Usage()
		return "", nil, flag.ErrHelp
	}
	return args[0], args[1:], nil
}

// envOr returns the environment variable k, or def when it is unset or empty.
func envOr(env Env, k, def string) string {
	if v, ok := env(k); ok && v != "" {
		return v
	}
	return def
}

// UsageFunc is a flag set's usage: the text, the flags, then the footer
// (the environment the command reads; may be empty).
func UsageFunc(fs *flag.FlagSet, text, footer string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintln(w, text)
		fmt.Fprintln(w, "\nFlags:")
		fs.PrintDefaults()
		if footer != "" {
			fmt.Fprintln(w)
			fmt.Fprint(w, footer)
		}
	}
}

// NewLogger returns the logger the configuration asks for, writing to w.
func NewLogger(cfg Config, w io.Writer) (*slog.Logger, error) {
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

// databaseURL makes the logger the configuration asks for and brings up
// the database (see database); stop shuts down what it started.
// The commands that call it (migrate, backup, restore) need a session of
// their own, so it is the direct URL when one is set.
func databaseURL(ctx context.Context, cfg Config, stderr io.Writer) (url string, stop func(), err error) {
	logger, err := NewLogger(cfg, stderr)
	if err != nil {
		return "", nil, err
	}
	if cfg.DirectURL != "" {
		return cfg.DirectURL, func() {}, nil
	}
	return database(ctx, cfg, logger)
}

// sessionURL is the URL of a direct connection to the primary: the
// direct URL when set, else url.
func sessionURL(cfg Config, url string) string {
	if cfg.DirectURL != "" {
		return cfg.DirectURL
	}
	return url
}

// OpenPool makes the logger the configuration asks for and opens the
// migrated database (see OpenMigrated); close releases it.
func OpenPool(ctx context.Context, cfg Config, stderr io.Writer) (pool *pgxpool.Pool, close func(), err error) {
	logger, err := NewLogger(cfg, stderr)
	if err != nil {
		return nil, nil, err
	}
	return OpenMigrated(ctx, cfg, logger)
}

// OpenMigrated brings up the database (the private cluster when no URL is
// set), applies the migrations and opens a pool; close releases both.
func OpenMigrated(ctx context.Context, cfg Config, logger *slog.Logger) (pool *pgxpool.Pool, close func(), err error) {
	url, stop, err := database(ctx, cfg, logger)
	if err != nil {
		return nil, nil, err
	}
	if err := db.MigrateUp(sessionURL(cfg, url)); err != nil {
		stop()
		return nil, nil, err
	}
	pool, err = db.Open(ctx, url, db.ForPgBouncer(cfg.PgBouncer))
	if err != nil {
		stop()
		return nil, nil, err
	}
	return pool, func() { pool.Close(); stop() }, nil
}

// migrateCmd runs "zhibu migrate up|down N|version".
func migrateCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("migrate", env, stderr, &cfg)
	fs.Usage = UsageFunc(fs, "Usage: zhibu migrate up | down N | down all | version [flags]\n\nup applies every pending migration; down N rolls back N (down all: every one); version prints the schema version.", "")
	sub, rest, err := firstArg(fs, args, "migrate: say up, down N or version")
	if err != nil {
		return err
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
		return err
	}
	url, stop, err := databaseURL(ctx, cfg, stderr)
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
		fmt.Fprintln(os.Stderr, "zhibu:", err)
		return 1
	}
	return 0
}
