package seed_test

import (
	"context"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/backup"
	"zhibu/internal/db"
	"zhibu/internal/dbtest"
	"zhibu/internal/seed"
	"zhibu/migrations"
)

// versions lists the schema versions of the embedded migrations.
func versions(t *testing.T) []uint {
	t.Helper()
	seen := map[uint]bool{}
	entries, err := fs.ReadDir(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		n, err := strconv.ParseUint(strings.SplitN(e.Name(), "_", 2)[0], 10, 32)
		if err == nil {
			seen[uint(n)] = true
		}
	}
	var out []uint
	for v := range seen {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestDataSurvivesEveryMigrationForward loads the demo data at the first
// schema version that holds all its tables and then applies the later
// migrations one at a time: after each, no table may hold fewer rows than
// before it, so the migration that loses data is named. (Loading the data
// anew at every version, as this test once did, costs a full migration per
// version and checks nothing more: Core writes only the tables of the first
// schema.)
func TestDataSurvivesEveryMigrationForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all := versions(t)
	const first = 3
	url := dbtest.EmptyURL(t)
	if err := db.MigrateTo(url, first); err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if loaded, err := seed.Core(ctx, pool, apptest.Sealer(t)); err != nil || !loaded {
		t.Fatalf("load at version %d: loaded %v, %v", first, loaded, err)
	}
	before, err := backup.Counts(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if before["members"] == 0 || before["meetings"] == 0 {
		t.Fatalf("the data loaded at version %d holds no members or meetings: %v", first, before)
	}
	steps := 0
	for _, v := range all {
		if v <= first {
			continue
		}
		if err := db.MigrateTo(url, v); err != nil {
			t.Fatalf("migrate forward to %d: %v", v, err)
		}
		// A migration may rewrite functions the open connections cached.
		pool.Reset()
		after, err := backup.Counts(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range before {
			if table == "schema_migrations" {
				continue
			}
			if after[table] < n {
				t.Errorf("migration %d: %s held %d rows, %d after it", v, table, n, after[table])
			}
		}
		before = after
		steps++
	}
	if steps < 10 {
		t.Fatalf("only %d migrations after version %d were applied", steps, first)
	}
}
