package dues_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/benchdata"
	"zhibu/internal/dbtest"
	"zhibu/internal/dues"
)

// BenchmarkRollup measures the committee's roll-up of one month over every
// branch of a generated agency (internal/benchdata; 1,000 branches and
// 20,000 members over 2 years by default, the bench's small preset; set
// DUES_BENCH_BRANCHES and DUES_BENCH_MEMBERS for another size): the kept
// roll-up the page reads, the live computation it replaced, and the
// recount a payment's transaction adds for its branch. Run with
//
//	go run ./internal/dbtest/withpg -- go test -run '^$' -bench Rollup -benchtime 20x ./internal/dues/
func BenchmarkRollup(b *testing.B) {
	cfg := benchdata.Config{Branches: envInt("DUES_BENCH_BRANCHES", 1000), Members: envInt("DUES_BENCH_MEMBERS", 20000), Years: 2, Seed: 1,
		Until: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	pool := dbtest.New(b)
	ctx := context.Background()
	start := time.Now()
	if err := benchdata.Load(ctx, pool, apptest.Sealer(b), cfg); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d branches, %d members in %v", cfg.Branches, cfg.Members, time.Since(start).Round(time.Second))
	var root, branch int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY id LIMIT 1),
	       (SELECT id FROM organisations WHERE kind = 'branch' ORDER BY id LIMIT 1)`).Scan(&root, &branch); err != nil {
		b.Fatal(err)
	}
	month := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	b.Run("kept", func(b *testing.B) {
		for b.Loop() {
			rows, err := dues.Rollup(ctx, pool, []int64{root}, month)
			if err != nil || len(rows) != cfg.Branches {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("live", func(b *testing.B) {
		for b.Loop() {
			rows, err := dues.LiveRollup(ctx, pool, []int64{root}, month)
			if err != nil || len(rows) != cfg.Branches {
				b.Fatalf("%d rows, %v", len(rows), err)
			}
		}
	})
	b.Run("branch_recount", func(b *testing.B) {
		for b.Loop() {
			if _, err := pool.Exec(ctx, `SELECT dues_rollup_refresh(ARRAY[$1::bigint], $2::date, $2::date)`, branch, month); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}
