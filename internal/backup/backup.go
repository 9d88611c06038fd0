// Package backup writes consistent dumps of the Zhibu database with a
// manifest of row counts, and restores them into an empty database,
// checking the counts afterwards.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
)

// Manifest describes one backup.
type Manifest struct {
	CreatedAt     time.Time        `json:"created_at"`
	SchemaVersion uint             `json:"schema_version"`
	Dump          string           `json:"dump"`
	Tables        map[string]int64 `json:"tables"`
}

// File names inside a backup folder.
const (
	DumpFile     = "zhibu.dump"
	ManifestFile = "manifest.json"
)

// tool finds a PostgreSQL client program (pg_dump, pg_restore) on PATH or
// in the newest /usr/lib/postgresql/*/bin.
func tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Strings(dirs)
	if len(dirs) > 0 {
		return dirs[len(dirs)-1], nil
	}
	return "", fmt.Errorf("backup: %s not found: install the PostgreSQL client package (apt-get install postgresql-client)", name)
}

// Backup dumps the database at url into folder dir (created; must not
// exist) in pg_dump's custom format, and writes the manifest. Counts and
// dump come from one snapshot, so they agree.
func Backup(ctx context.Context, url, dir string) (Manifest, error) {
	var m Manifest
	pgDump, err := tool("pg_dump")
	if err != nil {
		return m, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		return m, fmt.Errorf("backup: folder: %w", err)
	}
	version, dirty, err := db.Version(url)
	if err != nil {
		return m, err
	}
	if dirty {
		return m, errors.New("backup: the schema is in a dirty migration state; fix it before backing up")
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return m, fmt.Errorf("backup: connect: %w", err)
	}
	defer conn.Close(ctx)
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return m, fmt.Errorf("backup: begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read-only snapshot
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return m, fmt.Errorf("backup: snapshot: %w", err)
	}
	counts, err := Counts(ctx, tx)
	if err != nil {
		return m, err
	}
	out, err := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--snapshot="+snapshot,
		"--file="+filepath.Join(dir, DumpFile), "--dbname="+url).CombinedOutput()
	if err != nil {
		return m, fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(string(out)))
	}
	m = Manifest{CreatedAt: time.Now().UTC(), SchemaVersion: version, Dump: DumpFile, Tables: counts}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o600); err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	return m, nil
}

// Counts returns the row count of every table in the public schema.
func Counts(ctx context.Context, q db.Querier) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
	if err != nil {
		return nil, fmt.Errorf("backup: tables: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("backup: tables: %w", err)
	}
	out := make(map[string]int64, len(tables))
	for _, t := range tables {
		var n int64
		if err := q.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{t}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("backup: count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// ReadManifest reads a backup folder's manifest.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	return m, nil
}

// ErrNotEmpty means the restore target already holds tables.
var ErrNotEmpty = errors.New("backup: the target database is not empty; restore only into an empty database")

// Restore loads the backup in dir into the empty database at url and
// checks that every table has the row count the manifest records.
func Restore(ctx context.Context, dir, url string) (Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return m, err
	}
	pgRestore, err := tool("pg_restore")
	if err != nil {
		return m, err
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return m, fmt.Errorf("backup: connect: %w", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		return m, fmt.Errorf("backup: inspect target: %w", err)
	}
	if n > 0 {
		return m, ErrNotEmpty
	}
	out, err := exec.CommandContext(ctx, pgRestore, "--no-owner", "--exit-on-error", "--single-transaction",
		"--dbname="+url, filepath.Join(dir, m.Dump)).CombinedOutput()
	if err != nil {
		return m, fmt.Errorf("backup: pg_restore: %w: %s", err, strings.TrimSpace(string(out)))
	}
	got, err := Counts(ctx, conn)
	if err != nil {
		return m, err
	}
	var diffs []string
	for t, want := range m.Tables {
		if got[t] != want {
			diffs = append(diffs, fmt.Sprintf("%s: %d rows, manifest says %d", t, got[t], want))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		return m, fmt.Errorf("backup: restored counts differ: %s", strings.Join(diffs, "; "))
	}
	return m, nil
}
