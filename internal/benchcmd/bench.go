package benchcmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/app"
	"zhibu/internal/bench"
	"zhibu/internal/benchdata"
	"zhibu/internal/db"
	"zhibu/internal/pgcluster"
	"zhibu/internal/pii"
)

// measureCmd runs "zhibu-bench [measure]": it finds or loads the benchmark
// data set, serves Zhibu in-process and measures every page under load
// (see package bench). It is what `make bench` runs.
func measureCmd(ctx context.Context, args []string, env app.Env, stdout, stderr io.Writer) error {
	f := newFlags("measure", "Usage: zhibu-bench [measure] [flags]\n\nLoads the benchmark data set (once per preset, into a private cluster under the data dir, or into the empty database at DATABASE_URL),\nserves Zhibu in-process and drives each page at a fixed rate and at saturation. Writes the table into --out.", env, stderr)
	duration := f.Duration("duration", 10*time.Second, "length of each phase (fixed rate, then saturation) of each target")
	rate := f.Float64("rate", 200, "fixed request rate, per second, for targets without their own")
	workers := f.Int("workers", 16, "closed-loop workers at saturation")
	out := f.String("out", "docs/performance.md", "markdown file that receives the results table (empty: print only)")
	only := f.String("only", "", "comma-separated parts of target names or paths to run (e.g. \"roster,/review\"); the floors always run")
	cpuProfile := f.String("cpuprofile", "", "write a CPU profile of the measured run (server and load generator) to this file")
	dc, seal, err := f.parseDataSet(args, env, stderr)
	if err != nil {
		return err
	}
	if dc.Until.IsZero() {
		dc.Until = benchdata.Today()
	}
	logger, err := app.NewLogger(f.db, stderr)
	if err != nil {
		return err
	}
	url := f.db.DatabaseURL
	if url == "" {
		dir, err := filepath.Abs(filepath.Join(f.db.DataDir, "bench-pg"))
		if err != nil {
			return err
		}
		c, err := pgcluster.Start(ctx, pgcluster.Options{Dir: dir, Logger: logger, Settings: bench.ServerSettings()})
		if err != nil {
			return fmt.Errorf("bench database: %w", err)
		}
		defer func() { _ = c.Stop(context.Background()) }()
		name := benchDatabase(dc)
		if f.until == "" {
			// Reuse the newest database of this data set from an earlier
			// day rather than load the full preset again.
			if older, day, ok := newestBenchDatabase(ctx, c.URL("postgres"), dc); ok && !day.Equal(dc.Until) {
				name, dc.Until = older, day
				fmt.Fprintf(stdout, "reusing the data set up to %s (pass --until to make a new one)\n", day.Format(time.DateOnly))
			}
		}
		if err := c.EnsureDatabase(ctx, name); err != nil {
			return err
		}
		url = c.URL(name)
	}
	if err := db.MigrateUp(url); err != nil {
		return err
	}
	pool, err := db.Open(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := ensureBenchData(ctx, pool, seal, dc, stdout); err != nil {
		return err
	}
	if err := vacuumIfLoaded(ctx, pool, stdout); err != nil {
		return err
	}
	label := fmt.Sprintf("%s preset: %s branches, %s members, %d years, seed %d", f.preset,
		groupDigits(dc.Branches), groupDigits(dc.Members), dc.Years, dc.Seed)
	if f.preset != "tiny" && f.preset != "small" && f.preset != "full" || f.given != (benchdata.Config{}) {
		label = fmt.Sprintf("custom: %s branches, %s members, %d years, seed %d", groupDigits(dc.Branches), groupDigits(dc.Members), dc.Years, dc.Seed)
	}
	machine := bench.DescribeMachine(ctx, pool)
	data := bench.DescribeData(ctx, pool, label)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	rep, err := bench.Run(ctx, bench.Options{Pool: pool, Sealer: seal, Duration: *duration, Rate: *rate, Workers: *workers,
		Targets: bench.Select(bench.Targets, *only), Progress: stderr})
	if err != nil {
		return err
	}
	machine.LoadAfter = bench.LoadAvg()
	key := f.preset
	if strings.HasPrefix(label, "custom") {
		key = "custom"
	}
	section := bench.Markdown(key, rep, machine, data)
	fmt.Fprint(stdout, section)
	if *out != "" {
		if err := bench.WriteSection(*out, key, section); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "written to %s\n", *out)
	}
	return nil
}

// ensureBenchData loads the data set into an empty database, accepts one
// that already holds the same data set, and refuses anything else.
func ensureBenchData(ctx context.Context, pool *pgxpool.Pool, seal *pii.Sealer, dc benchdata.Config, stdout io.Writer) error {
	var code *string
	var orgs int
	if err := pool.QueryRow(ctx, `SELECT count(*), (SELECT code FROM organisations WHERE parent_id IS NULL AND code LIKE $1 LIMIT 1) FROM organisations`, benchdata.RootCodePrefix+"%").Scan(&orgs, &code); err != nil {
		return fmt.Errorf("bench: inspect database: %w", err)
	}
	switch {
	case code != nil && *code == dc.Key():
		fmt.Fprintf(stdout, "benchmark data set %s already loaded\n", dc.Key())
		return nil
	case orgs > 0:
		return fmt.Errorf("bench: the database holds other data or an interrupted load (%d organisations, no complete data set %s); use an empty database, or drop this one", orgs, dc.Key())
	}
	began := time.Now()
	if err := benchdata.Load(ctx, pool, seal, dc); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "benchmark data set %s loaded in %s\n", dc.Key(), time.Since(began).Round(100*time.Millisecond))
	return nil
}

// groupDigits writes 20000 as 20,000.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// benchDatabase names the private database of a data set.
func benchDatabase(dc benchdata.Config) string {
	return "bench_" + strings.NewReplacer(":", "_", "-", "_").Replace(strings.TrimPrefix(dc.Key(), benchdata.RootCodePrefix))
}

// newestBenchDatabase finds the newest database holding the same data set
// for another last day.
func newestBenchDatabase(ctx context.Context, adminURL string, dc benchdata.Config) (string, time.Time, bool) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", time.Time{}, false
	}
	defer conn.Close(context.Background())
	name := benchDatabase(dc)
	prefix := name[:len(name)-len("20060102")]
	var found string
	if err := conn.QueryRow(ctx, `SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname DESC LIMIT 1`, prefix).Scan(&found); err != nil {
		return "", time.Time{}, false
	}
	day, err := time.Parse("20060102", strings.TrimPrefix(found, prefix))
	if err != nil {
		return "", time.Time{}, false
	}
	return found, day, true
}

// vacuumIfLoaded vacuums a freshly loaded database once, as autovacuum
// would soon after a bulk load: otherwise that work (setting hint bits and
// the visibility map over tens of millions of rows) lands in the middle of
// the measurements.
func vacuumIfLoaded(ctx context.Context, pool *pgxpool.Pool, stdout io.Writer) error {
	var pending int64
	if err := pool.QueryRow(ctx, `SELECT coalesce(sum(n_ins_since_vacuum), 0)::bigint FROM pg_stat_user_tables`).Scan(&pending); err != nil {
		return fmt.Errorf("bench: vacuum statistics: %w", err)
	}
	if pending < 100_000 {
		return nil
	}
	began := time.Now()
	fmt.Fprintf(stdout, "vacuuming %d rows inserted since the last vacuum ...\n", pending)
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("bench: vacuum: %w", err)
	}
	fmt.Fprintf(stdout, "vacuumed in %s\n", time.Since(began).Round(time.Second))
	return nil
}
