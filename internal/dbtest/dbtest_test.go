package dbtest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestDistinctMigratedDatabases(t *testing.T) {
	ctx := context.Background()
	a := dbtest.New(t)
	start := time.Now()
	b := dbtest.New(t)
	t.Logf("second database (clone + pool) took %v", time.Since(start).Round(time.Millisecond))

	var nameA, nameB string
	if err := a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB {
		t.Fatalf("both tests got database %s", nameA)
	}

	for _, p := range []interface {
		QueryRow(context.Context, string, ...any) pgx.Row
	}{a, b} {
		var version int64
		var dirty bool
		if err := p.QueryRow(ctx, "SELECT version, dirty FROM schema_migrations").Scan(&version, &dirty); err != nil {
			t.Fatal(err)
		}
		if version <= 0 || dirty {
			t.Fatalf("schema version %d dirty=%v, want > 0 and clean", version, dirty)
		}
	}

	if _, err := a.Exec(ctx, "CREATE TABLE probe (v text); INSERT INTO probe VALUES ('only in a')"); err != nil {
		t.Fatal(err)
	}
	var v string
	if err := a.QueryRow(ctx, "SELECT v FROM probe").Scan(&v); err != nil || v != "only in a" {
		t.Fatalf("read back %q, %v", v, err)
	}
	var seen *string
	if err := b.QueryRow(ctx, "SELECT to_regclass('probe')::text").Scan(&seen); err != nil {
		t.Fatal(err)
	}
	if seen != nil {
		t.Fatalf("write in %s is visible in %s", nameA, nameB)
	}
}

func TestDatabaseDroppedAfterTest(t *testing.T) {
	ctx := context.Background()
	var name string
	t.Run("inner", func(t *testing.T) {
		if err := dbtest.New(t).QueryRow(ctx, "SELECT current_database()").Scan(&name); err != nil {
			t.Fatal(err)
		}
	})
	conn, err := pgx.Connect(ctx, dbtest.AdminURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatalf("database %s still exists after its test", name)
	}
}

func TestEmptyURL(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbtest.EmptyURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var table *string
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_migrations')::text").Scan(&table); err != nil {
		t.Fatal(err)
	}
	if table != nil {
		t.Fatal("empty database has schema_migrations")
	}
}

func TestParallelClones(t *testing.T) {
	const n = 8
	var mu sync.Mutex
	names := map[string]bool{}
	start := time.Now()
	t.Run("group", func(t *testing.T) {
		for i := range n {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				begin := time.Now()
				u := dbtest.NewURL(t)
				took := time.Since(begin)
				mu.Lock()
				names[u] = true
				mu.Unlock()
				t.Logf("clone took %v", took.Round(time.Millisecond))
			})
		}
	})
	if len(names) != n {
		t.Fatalf("got %d distinct databases, want %d", len(names), n)
	}
	t.Logf("%d parallel clones (with drops) took %v", n, time.Since(start).Round(time.Millisecond))
}
