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

// TestDataSurvivesEveryMigrationForward loads the demo data at each older
// schema version (from the first that holds all its tables) and migrates
// to the newest: no row of the data may be lost.
func TestDataSurvivesEveryMigrationForward(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sealer := apptest.Sealer(t)
	for _, v := range versions(t) {
		if v < 3 {
			continue
		}
		t.Run(strconv.Itoa(int(v)), func(t *testing.T) {
			url := dbtest.EmptyURL(t)
			if err := db.MigrateTo(url, v); err != nil {
				t.Fatal(err)
			}
			pool, err := db.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer pool.Close()
			if _, err := seed.Core(ctx, pool, sealer); err != nil {
				t.Fatalf("load at version %d: %v", v, err)
			}
			before, err := backup.Counts(ctx, pool)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.MigrateUp(url); err != nil {
				t.Fatalf("migrate forward from %d: %v", v, err)
			}
			after, err := backup.Counts(ctx, pool)
			if err != nil {
				t.Fatal(err)
			}
			for table, n := range before {
				if table == "schema_migrations" {
					continue
				}
				if after[table] < n {
					t.Errorf("%s: %d rows at version %d, %d after migrating forward", table, n, v, after[table])
				}
			}
		})
	}
}
