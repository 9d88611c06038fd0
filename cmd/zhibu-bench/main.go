// Command zhibu-bench generates the benchmark data set and measures every
// page of Zhibu under load; `make bench` runs it. It is kept apart from
// cmd/zhibu so that the served binary holds no benchmark code.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // the same zone data as the served binary

	"zhibu/internal/benchcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := benchcmd.Main(ctx)
	stop()
	os.Exit(code)
}
