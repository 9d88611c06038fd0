// Package benchcmd is the zhibu-bench command: it generates the large
// synthetic agency (package benchdata) and measures every page of Zhibu
// under load (package bench). It is a binary of its own so that the
// benchmark's code is not linked into the zhibu binary agencies run.
package benchcmd

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"zhibu/internal/app"
)

const usage = `zhibu-bench: the load benchmark of Zhibu (make bench runs it).

Usage:
  zhibu-bench [measure] [flags]  load the benchmark data set if needed, serve Zhibu in-process
                                 and measure every page under load (the default)
  zhibu-bench seed [flags]       generate the benchmark data set into an empty database

Run "zhibu-bench measure -h" or "zhibu-bench seed -h" for the flags.
`

// Run runs zhibu-bench with args (without the program name).
func Run(ctx context.Context, args []string, env app.Env, stdout, stderr io.Writer) error {
	name := "measure"
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help", "help":
			fmt.Fprint(stdout, usage)
			return nil
		case "measure", "seed":
			name, args = args[0], args[1:]
		default:
			if len(args[0]) > 0 && args[0][0] != '-' {
				fmt.Fprint(stderr, usage)
				return fmt.Errorf("unknown command %q", args[0])
			}
		}
	}
	run := measureCmd
	if name == "seed" {
		run = seedCmd
	}
	err := run(ctx, args, env, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the command has printed its usage
	}
	return err
}

// Main is the process entry point used by cmd/zhibu-bench.
func Main(ctx context.Context) int {
	if err := Run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "zhibu-bench:", err)
		return 1
	}
	return 0
}
