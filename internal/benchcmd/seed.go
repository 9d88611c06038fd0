package benchcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"zhibu/internal/app"
	"zhibu/internal/benchdata"
)

// benchFlags declares the data-set flags shared by "seed" and "measure".
func benchFlags(fs *flag.FlagSet, preset *string, cfg *benchdata.Config, until *string) {
	fs.StringVar(preset, "preset", "small", "tiny, small (1,000 branches, 20,000 members, 2 years) or full (10,000 branches, 200,000 members, 5 years)")
	fs.IntVar(&cfg.Branches, "branches", 0, "branches (overrides the preset)")
	fs.IntVar(&cfg.Members, "members", 0, "members (overrides the preset)")
	fs.IntVar(&cfg.Years, "years", 0, "years of meetings (overrides the preset)")
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed (overrides the preset's 1)")
	fs.StringVar(until, "until", "", "last day with meetings, YYYY-MM-DD (default today); fix it to reproduce a data set")
}

// benchConfig merges the preset with the flags that were given.
func benchConfig(preset string, flags benchdata.Config, until string) (benchdata.Config, error) {
	cfg, ok := benchdata.Presets[preset]
	if !ok {
		return cfg, fmt.Errorf("unknown preset %q: want tiny, small or full", preset)
	}
	if flags.Branches > 0 {
		cfg.Branches = flags.Branches
	}
	if flags.Members > 0 {
		cfg.Members = flags.Members
	}
	if flags.Years > 0 {
		cfg.Years = flags.Years
	}
	if flags.Seed > 0 {
		cfg.Seed = flags.Seed
	}
	if until != "" {
		t, err := time.Parse(time.DateOnly, until)
		if err != nil {
			return cfg, fmt.Errorf("--until %q: want YYYY-MM-DD", until)
		}
		cfg.Until = t
	}
	return cfg, nil
}

// seedCmd runs "zhibu-bench seed": the large synthetic agency, loaded
// with COPY into an empty migrated database, progress on stderr.
func seedCmd(ctx context.Context, args []string, env app.Env, stdout, stderr io.Writer) error {
	var cfg app.Config
	fs := app.DBFlags("seed", env, stderr, &cfg)
	var preset, until string
	var bc benchdata.Config
	benchFlags(fs, &preset, &bc, &until)
	fs.Usage = app.UsageFunc(fs, "Usage: zhibu-bench seed [flags]\n\nGenerates a synthetic agency for benchmarks into an EMPTY migrated database (it refuses one that holds organisations).\nThe same flags and seed give the same data. Benchmark accounts: "+
		benchdata.ReviewerUser+", "+benchdata.SecretaryPrefix+"1…, "+benchdata.MemberPrefix+"1…, password "+benchdata.Password+".",
		app.DataKeyHelp+"                   Without it, one is generated into the data dir.\n")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	dc, err := benchConfig(preset, bc, until)
	if err != nil {
		return err
	}
	dc.Progress = stderr
	logger, err := app.NewLogger(cfg, stderr)
	if err != nil {
		return err
	}
	seal, err := app.Sealer(cfg, env, true)
	if err != nil {
		return err
	}
	pool, closeDB, err := app.OpenMigrated(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeDB()
	began := time.Now()
	if err := benchdata.Load(ctx, pool, seal, dc); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "benchmark data set loaded in %s (%d branches, %d members, %d years, seed %d)\n",
		time.Since(began).Round(100*time.Millisecond), dc.Branches, dc.Members, dc.Years, dc.Seed)
	return nil
}
