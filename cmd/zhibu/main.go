// Command zhibu serves the Zhibu web application for Party branch work.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // agencies' servers may lack the zone database

	"zhibu/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx)
	stop()
	os.Exit(code)
}
