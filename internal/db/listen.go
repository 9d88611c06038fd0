package db

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Listen holds one direct connection to the primary (never through a
// transaction pooler: LISTEN is session state) that LISTENs on channels
// and hands each notification to handle, until ctx ends. It calls
// connected each time its LISTENs are in place and lost each time the
// connection is lost (notifications may be missed until the next
// connected: caches keep nothing meanwhile), and connects again, waiting
// up to a few seconds between attempts.
func Listen(ctx context.Context, url string, channels []string, handle func(channel, payload string), connected, lost func(), logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, url, channels, handle, func() {
			wait = 100 * time.Millisecond
			connected()
		})
		if ctx.Err() != nil {
			return
		}
		lost()
		logger.Warn("db: listener lost its connection; reconnecting", "err", err, "in", wait)
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, url string, channels []string, handle func(channel, payload string), listening func()) error {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		cancel()
		return err
	}
	cfg.RuntimeParams["application_name"] = "zhibu-listen"
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for _, ch := range channels {
		if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{ch}.Sanitize()); err != nil {
			return err
		}
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		handle(n.Channel, n.Payload)
	}
}
