// Package db opens the PostgreSQL connection pool and applies the embedded
// schema migrations.
package db

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/migrations"
)

// PoolOption adjusts a pool's configuration before it connects (tests
// use it to install a query tracer).
type PoolOption func(*pgxpool.Config)

// ConnectTimeout bounds one connection attempt to one host when the URL
// sets no connect_timeout.
const ConnectTimeout = 5 * time.Second

// Open connects a pool to databaseURL and checks that the database answers.
func Open(ctx context.Context, databaseURL string, opts ...PoolOption) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(databaseURL, opts...)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("db: connect: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: ping: %w", err)
	}
	return pool, nil
}

// poolConfig is the configuration of every pool Zhibu opens.
func poolConfig(databaseURL string, opts ...PoolOption) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("db: parse url: %w", err)
	}
	if cfg.MaxConns < 8 {
		cfg.MaxConns = 8
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	// Failover (docs/deploy.md): with several hosts in the URL and
	// target_session_attrs=read-write, a new connection tries each host in
	// turn until one takes writes. A host that is down but does not refuse
	// (a dead machine drops the packets) would hold every attempt for the
	// kernel's TCP timeout, minutes; each host gets this long instead,
	// unless the URL says connect_timeout. Broken connections are dropped by
	// the pool: on the error they return, and by a ping when one idle for
	// over a second is taken (pgxpool's default).
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = ConnectTimeout
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "zhibu"
	cfg.ConnConfig.RuntimeParams["timezone"] = "Asia/Shanghai"
	for _, o := range opts {
		o(cfg)
	}
	return cfg, nil
}

// migrator builds a golang-migrate instance over the embedded files.
func migrator(databaseURL string) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("db: migrations source: %w", err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, migrateURL(databaseURL))
	if err != nil {
		return nil, fmt.Errorf("db: migrate init: %w", err)
	}
	return m, nil
}

// migrateURL rewrites a postgres:// URL (or a key=value DSN) into the
// pgx5:// form golang-migrate expects.
func migrateURL(databaseURL string) string {
	for _, p := range []string{"postgres://", "postgresql://"} {
		if strings.HasPrefix(databaseURL, p) {
			return "pgx5://" + strings.TrimPrefix(databaseURL, p)
		}
	}
	if strings.HasPrefix(databaseURL, "pgx5://") {
		return databaseURL
	}
	// key=value form: translate the common keys.
	kv := map[string]string{}
	for _, f := range strings.Fields(databaseURL) {
		k, v, ok := strings.Cut(f, "=")
		if ok {
			kv[k] = strings.Trim(v, "'")
		}
	}
	u := url.URL{Scheme: "pgx5", Host: kv["host"], Path: "/" + kv["dbname"]}
	if p := kv["port"]; p != "" {
		u.Host += ":" + p
	}
	if kv["user"] != "" {
		u.User = url.UserPassword(kv["user"], kv["password"])
	}
	q := url.Values{}
	if kv["sslmode"] != "" {
		q.Set("sslmode", kv["sslmode"])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// MigrateUp applies every pending migration. No change is success.
func MigrateUp(databaseURL string) error {
	m, err := migrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("db: migrate up: %w", err)
	}
	return nil
}

// MigrateDown rolls back n migrations; n <= 0 rolls back all of them.
func MigrateDown(databaseURL string, n int) error {
	m, err := migrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if n <= 0 {
		err = m.Down()
	} else {
		err = m.Steps(-n)
	}
	if err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("db: migrate down: %w", err)
	}
	return nil
}

// MigrateTo moves the schema to exactly the given version.
func MigrateTo(databaseURL string, version uint) error {
	m, err := migrator(databaseURL)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := m.Migrate(version); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("db: migrate to %d: %w", version, err)
	}
	return nil
}

// Version reports the current schema version and whether it is dirty.
// A database with no migrations applied reports version 0.
func Version(databaseURL string) (uint, bool, error) {
	m, err := migrator(databaseURL)
	if err != nil {
		return 0, false, err
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("db: version: %w", err)
	}
	return v, dirty, nil
}

// Querier is what both a pool and a transaction offer; store methods that
// must run inside a caller's transaction take one.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
