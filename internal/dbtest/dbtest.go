// Package dbtest gives every test its own fresh, fully migrated PostgreSQL
// database.
//
// The server is the one named by TEST_DATABASE_URL (an admin-capable URL,
// e.g. postgres://postgres@127.0.0.1:5432/postgres) or, when that is unset,
// a private ephemeral cluster the test process starts in a temporary folder
// (see pgcluster.MkdirTemp). Packages using dbtest must remove that cluster
// at the end by calling Main:
//
//	func TestMain(m *testing.M) { dbtest.Main(m) }
//
// Migrations are applied once per schema version into a template database
// named after a hash of the embedded migration files; each test database is
// a quick copy of it (CREATE DATABASE ... TEMPLATE) dropped when the test
// ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/pgcluster"
	"zhibu/migrations"
)

// EnvURL names the environment variable with the admin URL of a test server.
const EnvURL = "TEST_DATABASE_URL"

// templatePrefix starts the names of the migrated template databases.
const templatePrefix = "zhibu_tmpl_"

// lockKey is the pg_advisory_lock key guarding template creation.
const lockKey = 0x7a686962 // "zhib"

var (
	mainUsed atomic.Bool

	setupOnce sync.Once
	setupErr  error
	adminURL  string
	cluster   *pgcluster.Cluster
	admin     *pgxpool.Pool

	templateOnce sync.Once
	templateErr  error
	templateName string

	teardownOnce sync.Once
)

// Main runs the package's tests and then removes the private cluster if one
// was started. Call it from TestMain. It also cleans up on SIGINT/SIGTERM.
func Main(m *testing.M) {
	mainUsed.Store(true)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sig
		teardown()
		fmt.Fprintf(os.Stderr, "dbtest: interrupted by %v\n", s)
		os.Exit(1)
	}()
	code := m.Run()
	signal.Stop(sig)
	teardown()
	os.Exit(code)
}

// exitHooks run first at teardown (AtExit).
var (
	exitMu    sync.Mutex
	exitHooks []func()
)

// AtExit registers f to run when Main ends (or is interrupted), before the
// private cluster is removed: for what a package shares between its tests,
// such as one browser process for all browser tests.
func AtExit(f func()) {
	exitMu.Lock()
	defer exitMu.Unlock()
	exitHooks = append(exitHooks, f)
}

// teardown runs the exit hooks, closes the admin pool and removes the
// private cluster.
func teardown() {
	teardownOnce.Do(func() {
		exitMu.Lock()
		hooks := exitHooks
		exitMu.Unlock()
		for _, f := range hooks {
			f()
		}
		dropSeeded()
		if admin != nil {
			admin.Close()
		}
		if cluster != nil {
			if err := cluster.Remove(); err != nil {
				fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
			}
		}
	})
}

// setup finds or starts the server once per process.
func setup() error {
	setupOnce.Do(func() {
		setupErr = doSetup()
	})
	return setupErr
}

func doSetup() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL = os.Getenv(EnvURL)
	if adminURL == "" {
		if !mainUsed.Load() {
			return fmt.Errorf("dbtest: %s is unset, so a private cluster would be started; "+
				"add `func TestMain(m *testing.M) { dbtest.Main(m) }` so it is removed afterwards", EnvURL)
		}
		dir, err := pgcluster.MkdirTemp()
		if err != nil {
			return fmt.Errorf("dbtest: %w", err)
		}
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
		if err != nil {
			os.RemoveAll(dir)
			return fmt.Errorf("dbtest: %w", err)
		}
		cluster = c
		adminURL = c.URL("postgres")
	}
	cfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		return fmt.Errorf("dbtest: parse %s: %w", EnvURL, err)
	}
	cfg.MaxConns = 4
	admin, err = pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("dbtest: connect admin: %w", err)
	}
	if err := admin.Ping(ctx); err != nil {
		return fmt.Errorf("dbtest: connect admin: %w", err)
	}
	return nil
}

// AdminURL returns the URL of the server's admin database.
func AdminURL(t testing.TB) string {
	t.Helper()
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	return adminURL
}

// Cluster returns the private cluster this process started, or nil when
// TEST_DATABASE_URL names the server (or the server could not be set up).
// Stopping it affects every test of the process: a fault test is better
// off with its own cluster from NewCluster.
func Cluster() *pgcluster.Cluster {
	if setup() != nil {
		return nil
	}
	return cluster
}

// NewCluster starts a private ephemeral cluster for one test (about 1.3 s)
// and removes it when the test ends. Fault tests stop and restart it with
// StopNow and StartAgain without disturbing other tests.
func NewCluster(t testing.TB) *pgcluster.Cluster {
	t.Helper()
	dir, err := pgcluster.MkdirTemp()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Ephemeral: true})
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Remove(); err != nil {
			t.Error(err)
		}
	})
	return c
}

// New returns a pool on a fresh migrated database of the test's own.
// The pool is closed and the database dropped when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	u := NewURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close) // runs before the database is dropped
	return pool
}

// NewURL returns the URL of a fresh migrated database of the test's own,
// dropped when the test ends.
func NewURL(t testing.TB) string {
	t.Helper()
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	tmpl, err := templateDB()
	if err != nil {
		t.Fatal(err)
	}
	return createDB(t, "TEMPLATE "+pgx.Identifier{tmpl}.Sanitize())
}

// EmptyURL returns the URL of a fresh database with no migrations applied,
// dropped when the test ends.
func EmptyURL(t testing.TB) string {
	t.Helper()
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	return createDB(t, "TEMPLATE template0 ENCODING 'UTF8'")
}

// createDB creates a randomly named database and schedules its drop.
func createDB(t testing.TB, with string) string {
	t.Helper()
	name := "t_" + randomHex(8)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" "+with); err != nil {
		t.Fatalf("dbtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("dbtest: drop database %s: %v", name, err)
		}
	})
	u, err := withDatabase(adminURL, name)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// withDatabase points a URL (or key=value DSN) at another database.
func withDatabase(base, name string) (string, error) {
	if !strings.Contains(base, "://") {
		return base + " dbname=" + name, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("dbtest: parse %s: %w", EnvURL, err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

// templateDB returns the name of the migrated template database, creating it
// on first use.
func templateDB() (string, error) {
	templateOnce.Do(func() {
		templateName, templateErr = makeTemplate()
	})
	return templateName, templateErr
}

// migrationsHash hashes the names and contents of the embedded migrations.
func migrationsHash() (string, error) {
	var names []string
	err := fs.WalkDir(migrations.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:16], nil
}

// makeTemplate creates and migrates the template database unless another
// process already has, holding an advisory lock so that concurrent test
// processes do not race. Templates of other migration hashes are dropped.
func makeTemplate() (string, error) {
	hash, err := migrationsHash()
	if err != nil {
		return "", fmt.Errorf("dbtest: hash migrations: %w", err)
	}
	name := templatePrefix + hash
	ident := pgx.Identifier{name}.Sanitize()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	conn, err := admin.Acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("dbtest: template: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return "", fmt.Errorf("dbtest: template lock: %w", err)
	}
	defer func() { _, _ = conn.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", lockKey) }()

	var exists, ready bool
	err = conn.QueryRow(ctx, "SELECT count(*) > 0, coalesce(bool_or(datistemplate), false) FROM pg_database WHERE datname = $1", name).
		Scan(&exists, &ready)
	if err != nil {
		return "", fmt.Errorf("dbtest: template: %w", err)
	}
	if ready {
		return name, nil
	}
	if exists { // left half-migrated by a crashed process
		if _, err := conn.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)"); err != nil {
			return "", fmt.Errorf("dbtest: template: %w", err)
		}
	}
	dropOldTemplates(ctx, conn.Conn(), name)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		return "", fmt.Errorf("dbtest: template: %w", err)
	}
	u, err := withDatabase(adminURL, name)
	if err != nil {
		return "", err
	}
	if err := db.MigrateUp(u); err != nil {
		return "", fmt.Errorf("dbtest: template: %w", err)
	}
	if _, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false"); err != nil {
		return "", fmt.Errorf("dbtest: template: %w", err)
	}
	return name, nil
}

// dropOldTemplates drops template databases of other migration versions.
// Failures are ignored: the templates are only a cache.
func dropOldTemplates(ctx context.Context, conn *pgx.Conn, keep string) {
	rows, err := conn.Query(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1) AND datname <> $2`,
		templatePrefix, keep)
	if err != nil {
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return
	}
	for _, n := range names {
		ident := pgx.Identifier{n}.Sanitize()
		_, err := conn.Exec(ctx, "ALTER DATABASE "+ident+" WITH IS_TEMPLATE false")
		if err == nil {
			_, err = conn.Exec(ctx, "DROP DATABASE "+ident+" WITH (FORCE)")
		}
		if err != nil && !errors.Is(err, context.Canceled) {
			fmt.Fprintf(os.Stderr, "dbtest: drop old template %s: %v\n", n, err)
		}
	}
}

// NewReplica starts a streaming replica of c (pg_basebackup, hot standby)
// for one test and removes it when the test ends.
func NewReplica(t testing.TB, c *pgcluster.Cluster) *pgcluster.Cluster {
	t.Helper()
	dir, err := pgcluster.MkdirTemp()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := c.StartReplica(ctx, dir)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Remove(); err != nil {
			t.Error(err)
		}
	})
	return r
}

// RequireEnv names the variable that, set to 1 (as E2E=1 in CI), turns
// a missing pgbouncer from a skipped test into a failed one.
const RequireEnv = "E2E"

// PgBouncer starts PgBouncer in transaction mode in front of the test
// server (poolSize server connections per database) for one test. Without
// the pgbouncer binary the test is skipped, or fails under E2E=1.
func PgBouncer(t testing.TB, poolSize int) *pgcluster.PgBouncer {
	t.Helper()
	if _, err := pgcluster.FindPgBouncer(); err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatal("E2E=1 but pgbouncer is not installed (apt-get install pgbouncer)")
		}
		t.Skip("pgbouncer not found: the pooler tests are skipped (apt-get install pgbouncer, or set E2E=1 to require them)")
	}
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	dir, err := pgcluster.MkdirTemp()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := pgcluster.StartPgBouncer(ctx, dir, adminURL, poolSize)
	if err != nil {
		os.RemoveAll(dir)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.Stop(); err != nil {
			t.Error(err)
		}
	})
	return b
}

// DatabaseOf returns the database name of a URL made by this package.
func DatabaseOf(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || len(u.Path) < 2 {
		t.Fatalf("dbtest: no database in %q", dbURL)
	}
	return u.Path[1:]
}
