package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// StartReplica makes a streaming replica of c in the folder dir (created
// when missing; it must hold no cluster): pg_basebackup copies c's data
// directory with the WAL it needs and writes the standby settings
// (standby.signal and primary_conninfo, -R), then the replica starts on a
// port of its own, read-only (hot standby), replaying c's WAL as it comes.
// It has c's authentication and settings; Stop and Remove work as for c.
func (c *Cluster) StartReplica(ctx context.Context, dir string) (*Cluster, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: replica: %w", err)
	}
	basebackup := filepath.Join(filepath.Dir(c.pgctl), "pg_basebackup")
	if !isExecutable(basebackup) {
		return nil, fmt.Errorf("pgcluster: replica: %s not found next to pg_ctl", basebackup)
	}
	r := &Cluster{
		opt:      Options{Dir: abs, Ephemeral: c.opt.Ephemeral, Settings: c.opt.Settings, Logger: c.opt.Logger},
		log:      c.log,
		initdb:   c.initdb,
		pgctl:    c.pgctl,
		dir:      abs,
		data:     filepath.Join(abs, dataDirName),
		password: c.password,
	}
	if err := r.prepareDir(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(r.data, "PG_VERSION")); err == nil {
		return nil, fmt.Errorf("pgcluster: replica: %s already holds a cluster", r.data)
	}
	start := time.Now()
	// -c fast: an immediate checkpoint on the primary instead of waiting
	// for the next one; -X stream: the WAL written meanwhile comes along.
	out, err := r.run(ctx, basebackup, "-D", r.data, "-d", c.URL("postgres"), "-R", "-X", "stream", "-c", "fast", "--no-sync")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: pg_basebackup: %w: %s", err, strings.TrimSpace(string(out)))
	}
	if !r.opt.Ephemeral {
		if err := os.WriteFile(filepath.Join(abs, passwordFile), []byte(c.password+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("pgcluster: replica: %w", err)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: replica: %w", err)
	}
	if err := r.savePort(port); err != nil {
		return nil, err
	}
	if err := r.startIfNeeded(ctx); err != nil {
		return nil, err
	}
	if err := r.waitReady(ctx); err != nil {
		return nil, err
	}
	r.log.Info("pgcluster: replica started", "of", c.Port(), "port", port, "took", time.Since(start).Round(time.Millisecond))
	return r, nil
}
