package dbtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// seeded holds the per-process templates built by NewSeededURL, by key.
var (
	seededMu   sync.Mutex
	seededTmpl = map[string]*seededEntry{}
)

type seededEntry struct {
	once sync.Once
	name string
	err  error
}

// NewSeededURL returns the URL of a fresh database of the test's own that
// holds the migrated schema plus whatever build loaded into it. build runs
// once per process and key, into a template that later tests clone in
// milliseconds; the template is dropped when the process ends.
func NewSeededURL(t testing.TB, key string, build func(ctx context.Context, url string) error) string {
	t.Helper()
	if err := setup(); err != nil {
		t.Fatal(err)
	}
	seededMu.Lock()
	e, ok := seededTmpl[key]
	if !ok {
		e = &seededEntry{}
		seededTmpl[key] = e
	}
	seededMu.Unlock()
	e.once.Do(func() {
		base, err := templateDB()
		if err != nil {
			e.err = err
			return
		}
		name := "zhibu_seed_" + randomHex(6)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+base); err != nil {
			e.err = fmt.Errorf("dbtest: create seeded template: %w", err)
			return
		}
		u, err := withDatabase(adminURL, name)
		if err != nil {
			e.err = err
			return
		}
		if err := build(ctx, u); err != nil {
			e.err = fmt.Errorf("dbtest: seed %s: %w", key, err)
			return
		}
		// Connections left by build would block cloning: end them.
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name); err != nil {
			e.err = err
			return
		}
		e.name = name
	})
	if e.err != nil {
		t.Fatal(e.err)
	}
	return createDB(t, "TEMPLATE "+e.name)
}

// dropSeeded removes the seeded templates of this process.
func dropSeeded() {
	seededMu.Lock()
	defer seededMu.Unlock()
	if admin == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, e := range seededTmpl {
		if e.name != "" {
			_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+e.name+" WITH (FORCE)")
		}
	}
}
