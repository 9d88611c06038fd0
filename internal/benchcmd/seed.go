package benchcmd

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"zhibu/internal/app"
	"zhibu/internal/benchdata"
	"zhibu/internal/pii"
)

// flags are the flags "seed" and "measure" share: the database's and the
// data set's.
type flags struct {
	*flag.FlagSet
	db     app.Config
	preset string
	until  string
	given  benchdata.Config // the sizes and seed given, zero where not
}

// newFlags declares the shared flags of the command name, whose usage
// starts with text.
func newFlags(name, text string, env app.Env, stderr io.Writer) *flags {
	f := &flags{}
	f.FlagSet = app.DBFlags(name, env, stderr, &f.db)
	f.StringVar(&f.preset, "preset", "small", "tiny, small (1,000 branches, 20,000 members, 2 years) or full (10,000 branches, 200,000 members, 5 years)")
	f.IntVar(&f.given.Branches, "branches", 0, "branches (overrides the preset)")
	f.IntVar(&f.given.Members, "members", 0, "members (overrides the preset)")
	f.IntVar(&f.given.Years, "years", 0, "years of meetings (overrides the preset)")
	f.Uint64Var(&f.given.Seed, "seed", 0, "random seed (overrides the preset's 1)")
	f.StringVar(&f.until, "until", "", "last day with meetings, YYYY-MM-DD (default today); fix it to reproduce a data set")
	f.Usage = app.UsageFunc(f.FlagSet, text, app.DataKeyHelp+"                   Without it, one is generated into the data dir.\n")
	return f
}

// parseDataSet parses args and returns the data set they ask for (loading
// progress to stderr) and the sealer of its personal data.
func (f *flags) parseDataSet(args []string, env app.Env, stderr io.Writer) (benchdata.Config, *pii.Sealer, error) {
	if err := f.Parse(args); err != nil {
		return benchdata.Config{}, nil, err
	}
	dc, err := benchConfig(f.preset, f.given, f.until)
	if err != nil {
		return dc, nil, err
	}
	dc.Progress = stderr
	seal, err := app.Sealer(f.db, env, true)
	return dc, seal, err
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
	f := newFlags("seed", "Usage: zhibu-bench seed [flags]\n\nGenerates a synthetic agency for benchmarks into an EMPTY migrated database (it refuses one that holds organisations).\nThe same flags and seed give the same data. Benchmark accounts: "+
		benchdata.ReviewerUser+", "+benchdata.SecretaryPrefix+"1…, "+benchdata.MemberPrefix+"1…, password "+benchdata.Password+".", env, stderr)
	dc, seal, err := f.parseDataSet(args, env, stderr)
	if err != nil {
		return err
	}
	pool, closeDB, err := app.OpenPool(ctx, f.db, stderr)
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
