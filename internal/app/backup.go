package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"zhibu/internal/backup"
	"zhibu/internal/db"
)

// backupCmd runs "zhibu backup [--out DIR]".
func backupCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("backup", env, stderr, &cfg)
	out := fs.String("out", "", "folder to create for the backup (default ./backups/zhibu-YYYYMMDD-HHMMSS)")
	fs.Usage = UsageFunc(fs, "Usage: zhibu backup [--out DIR] [flags]\n\nWrites a consistent pg_dump (custom format) and manifest.json (time, schema version, row counts per table) into a new folder.\nThe data key (ZHIBU_DATA_KEY) is not in the backup: keep it apart; a restored database needs the same key.", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		*out = filepath.Join("backups", "zhibu-"+time.Now().Format("20060102-150405"))
	}
	url, stop, err := databaseURL(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer stop()
	m, err := backup.Backup(ctx, url, *out)
	if err != nil {
		return err
	}
	var rows int64
	for _, n := range m.Tables {
		rows += n
	}
	fmt.Fprintf(stdout, "backup written to %s: schema version %d, %d tables, %d rows\n", *out, m.SchemaVersion, len(m.Tables), rows)
	return nil
}

// restoreCmd runs "zhibu restore DIR".
func restoreCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("restore", env, stderr, &cfg)
	fs.Usage = UsageFunc(fs, "Usage: zhibu restore DIR [flags]\n\nLoads a backup folder into an EMPTY database and checks every table's row count against the manifest.\nThe restored data open only with the data key (ZHIBU_DATA_KEY) they were sealed with.", "")
	dir, rest, err := firstArg(fs, args, "restore: name the backup folder")
	if err != nil {
		return err
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	url, stop, err := databaseURL(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer stop()
	m, err := backup.Restore(ctx, dir, url)
	if err != nil {
		return err
	}
	// A backup from an older release is brought up to this release's schema.
	if err := db.MigrateUp(url); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s (schema version %d, %d tables); row counts match the manifest\n", dir, m.SchemaVersion, len(m.Tables))
	return nil
}
