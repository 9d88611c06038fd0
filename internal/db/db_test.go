package db_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"testing"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/db"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func tableCount(t *testing.T, url string) int {
	t.Helper()
	pool, err := db.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMigrationsUpDownUp(t *testing.T) {
	t.Parallel()
	url := dbtest.EmptyURL(t)
	if err := db.MigrateUp(url); err != nil {
		t.Fatal(err)
	}
	v, dirty, err := db.Version(url)
	if err != nil || dirty || v == 0 {
		t.Fatalf("after up: version %d dirty %v err %v", v, dirty, err)
	}
	tables := tableCount(t, url)
	if tables < 20 {
		t.Fatalf("after up: %d tables, want the whole schema", tables)
	}
	if err := db.MigrateUp(url); err != nil {
		t.Fatalf("second up must be a no-op: %v", err)
	}
	if err := db.MigrateDown(url, 1); err != nil {
		t.Fatal(err)
	}
	if v2, _, _ := db.Version(url); v2 >= v {
		t.Fatalf("down 1: version %d, was %d", v2, v)
	}
	if err := db.MigrateDown(url, 0); err != nil {
		t.Fatal(err)
	}
	if v0, _, _ := db.Version(url); v0 != 0 {
		t.Fatalf("down all: version %d", v0)
	}
	if n := tableCount(t, url); n != 0 {
		t.Fatalf("down all left %d tables", n)
	}
	if err := db.MigrateUp(url); err != nil {
		t.Fatal(err)
	}
	if n := tableCount(t, url); n != tables {
		t.Fatalf("up again: %d tables, want %d", n, tables)
	}
}

func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO audit_events (action) VALUES ('test')`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE audit_events SET action = 'changed'`); err == nil {
		t.Error("UPDATE of audit_events succeeded")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM audit_events`); err == nil {
		t.Error("DELETE from audit_events succeeded")
	}
	if _, err := pool.Exec(ctx, `TRUNCATE audit_events`); err == nil {
		t.Error("TRUNCATE of audit_events succeeded")
	}
}

func TestOrganisationPathFollowsMoves(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	var root, gb1, gb2, br, grp int64
	q := `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, $2, $3, '2020-01-01') RETURNING id`
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(pool.QueryRow(ctx, q, nil, "committee", "root").Scan(&root))
	must(pool.QueryRow(ctx, q, root, "general_branch", "g1").Scan(&gb1))
	must(pool.QueryRow(ctx, q, root, "general_branch", "g2").Scan(&gb2))
	must(pool.QueryRow(ctx, q, gb1, "branch", "b").Scan(&br))
	must(pool.QueryRow(ctx, q, br, "group", "g").Scan(&grp))
	_, err := pool.Exec(ctx, `UPDATE organisations SET parent_id = $1 WHERE id = $2`, gb2, br)
	must(err)
	var path []int64
	must(pool.QueryRow(ctx, `SELECT path FROM organisations WHERE id = $1`, grp).Scan(&path))
	if len(path) != 4 || path[0] != root || path[1] != gb2 || path[2] != br || path[3] != grp {
		t.Errorf("group path after move: %v", path)
	}
	if _, err := pool.Exec(ctx, `UPDATE organisations SET parent_id = $1 WHERE id = $2`, grp, gb2); err == nil {
		t.Error("moving an organisation under its own descendant succeeded")
	}
}

// A host that accepts the connection and then says nothing (a hung
// machine) holds a multi-host URL's attempt only for the connect timeout;
// the next host serves. Without connect_timeout in the URL the pool uses
// db.ConnectTimeout.
func TestHungHostInAMultiHostURLIsPassedOver(t *testing.T) {
	t.Parallel()
	hung, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hung.Close()
	go func() {
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	good, err := url.Parse(dbtest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	multi := *good
	multi.Host = hung.Addr().String() + "," + good.Host
	q := multi.Query()
	q.Set("target_session_attrs", "read-write")
	multi.RawQuery = q.Encode()

	pool, err := db.Open(t.Context(), good.String())
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Config().ConnConfig.ConnectTimeout; got != db.ConnectTimeout {
		t.Errorf("connect timeout %s, want the default %s", got, db.ConnectTimeout)
	}
	pool.Close()

	q.Set("connect_timeout", "1") // the default 5 s would work the same, slower
	multi.RawQuery = q.Encode()
	start := time.Now()
	pool, err = db.Open(t.Context(), multi.String())
	if err != nil {
		t.Fatalf("the second host should have served: %v", err)
	}
	defer pool.Close()
	if took := time.Since(start); took < time.Second || took > 4*time.Second {
		t.Errorf("connected in %s, want about the 1 s spent on the hung host", took)
	}
	var one int
	if err := pool.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Errorf("query through the second host: %d %v", one, err)
	}
}

// One reads one row by name; no row is apperr.ErrNotFound, more than one
// is an error.
func TestOneRow(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	type pair struct {
		N    int
		Name string
	}
	got, err := db.One[pair](t.Context(), pool, `SELECT 7 AS n, '七' AS name`)
	if err != nil || got != (pair{7, "七"}) {
		t.Errorf("one row: %+v, %v", got, err)
	}
	if _, err := db.One[pair](t.Context(), pool, `SELECT 7 AS n, '七' AS name WHERE false`); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("no row: %v, want ErrNotFound", err)
	}
	if _, err := db.One[pair](t.Context(), pool, `SELECT g AS n, 'x' AS name FROM generate_series(1, 2) g`); err == nil || errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("two rows: %v, want an error other than ErrNotFound", err)
	}
}
