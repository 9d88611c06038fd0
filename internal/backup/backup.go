// Package backup writes consistent dumps of the Zhibu database with a
// manifest of row counts, and restores them into an empty database,
// checking the counts afterwards.
package backup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
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

// tool finds a PostgreSQL client program (pg_dump, pg_restore): the one of
// the server's major version under /usr/lib/postgresql when there is one
// (Debian installs several side by side), else the one on PATH, else the
// newest under /usr/lib/postgresql.
func tool(name, serverMajor string) (string, error) {
	if serverMajor != "" {
		p := filepath.Join("/usr/lib/postgresql", serverMajor, "bin", name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
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

// connect connects to the database at url and finds the client program
// name (see tool) for the server's major version, which it returns too.
func connect(ctx context.Context, url, name string) (conn *pgx.Conn, program, major string, err error) {
	conn, err = pgx.Connect(ctx, url)
	if err != nil {
		return nil, "", "", fmt.Errorf("backup: connect: %w", err)
	}
	major, err = serverMajor(ctx, conn)
	if err == nil {
		program, err = tool(name, major)
	}
	if err != nil {
		conn.Close(ctx)
		return nil, "", "", err
	}
	return conn, program, major, nil
}

// serverMajor returns the major version of the server conn is connected
// to: "15" for 15.18, "9.6" for 9.6.24.
func serverMajor(ctx context.Context, q db.Querier) (string, error) {
	var num int
	if err := q.QueryRow(ctx, `SELECT current_setting('server_version_num')::int`).Scan(&num); err != nil {
		return "", fmt.Errorf("backup: server version: %w", err)
	}
	return majorOfNum(num), nil
}

// majorOfNum turns server_version_num (150018, 90624) into a major version.
func majorOfNum(num int) string {
	if num >= 100000 {
		return strconv.Itoa(num / 10000)
	}
	return fmt.Sprintf("%d.%d", num/10000, num/100%100)
}

// toolVersionRE reads the version out of "pg_dump (PostgreSQL) 15.18
// (Debian 15.18-0+deb12u1)", "pg_dump (PostgreSQL) 17beta1" or
// "pg_dump (PostgreSQL) 9.6.24".
var toolVersionRE = regexp.MustCompile(`\(PostgreSQL\) ([0-9]+)(?:\.([0-9]+))?`)

// toolMajor returns the major version in a client program's --version output.
func toolMajor(out string) (string, error) {
	m := toolVersionRE.FindStringSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("backup: cannot read a PostgreSQL version in %q", strings.TrimSpace(out))
	}
	if n, _ := strconv.Atoi(m[1]); n < 10 && m[2] != "" {
		return m[1] + "." + m[2], nil
	}
	return m[1], nil
}

// checkMajor refuses a client program of another major version than the
// server's: an older pg_dump cannot read a newer server's catalogue, and a
// newer one writes a dump that this server's pg_restore cannot load.
func checkMajor(name, toolVersion, server string) error {
	got, err := toolMajor(toolVersion)
	if err != nil {
		return err
	}
	if got != server {
		return fmt.Errorf("backup: %s is PostgreSQL %s but the server is PostgreSQL %s; install the client of the server's version (Debian: apt-get install postgresql-client-%s) or put its %s first on PATH",
			name, got, server, server, name)
	}
	return nil
}

// clientCommand builds the command line of a PostgreSQL client program
// for the database at connString. The password never goes on the command
// line, which every user of the machine can read (ps, /proc): it is taken
// out of the connection string and handed to the child in its
// environment (PGPASSWORD), which only the same user can read.
func clientCommand(ctx context.Context, program, connString string, args ...string) (*exec.Cmd, error) {
	safe, password, err := splitPassword(connString)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, program, append([]string{"--dbname=" + safe}, args...)...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	return cmd, nil
}

// splitPassword takes the password out of a connection string, in URL
// form (postgres://user:password@host/db?password=…) or keyword/value form
// (host=… password='…'), and returns the rest.
func splitPassword(connString string) (rest, password string, err error) {
	if strings.HasPrefix(connString, "postgres://") || strings.HasPrefix(connString, "postgresql://") {
		u, err := url.Parse(connString)
		if err != nil {
			return "", "", errors.New("backup: the database URL does not parse")
		}
		if p, ok := u.User.Password(); ok {
			password = p
			u.User = url.User(u.User.Username())
		}
		q := u.Query()
		if q.Has("password") {
			password = q.Get("password")
			q.Del("password")
			u.RawQuery = q.Encode()
		}
		return u.String(), password, nil
	}
	var kept []string
	for s := strings.TrimSpace(connString); s != ""; s = strings.TrimSpace(s) {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return "", "", errors.New("backup: the database connection string does not parse")
		}
		key := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t")
		var raw, value string
		if strings.HasPrefix(s, "'") {
			var b strings.Builder
			i := 1
			for ; i < len(s) && s[i] != '\''; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
			}
			if i >= len(s) {
				return "", "", errors.New("backup: unterminated quote in the database connection string")
			}
			raw, value, s = s[:i+1], b.String(), s[i+1:]
		} else {
			end := strings.IndexAny(s, " \t")
			if end < 0 {
				end = len(s)
			}
			raw, value, s = s[:end], s[:end], s[end:]
		}
		if key == "password" {
			password = value
			continue
		}
		kept = append(kept, key+"="+raw)
	}
	return strings.Join(kept, " "), password, nil
}

// Backup dumps the database at url into folder dir (created; must not
// exist) in pg_dump's custom format, and writes the manifest. Counts and
// dump come from one snapshot, so they agree.
func Backup(ctx context.Context, url, dir string) (Manifest, error) {
	var m Manifest
	conn, pgDump, major, err := connect(ctx, url, "pg_dump")
	if err != nil {
		return m, err
	}
	defer conn.Close(ctx)
	out, err := exec.CommandContext(ctx, pgDump, "--version").Output()
	if err != nil {
		return m, fmt.Errorf("backup: %s --version: %w", pgDump, err)
	}
	if err := checkMajor(pgDump, string(out), major); err != nil {
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
	if err := dump(ctx, pgDump, url, snapshot, filepath.Join(dir, DumpFile)); err != nil {
		return m, err
	}
	m = Manifest{CreatedAt: time.Now().UTC(), SchemaVersion: version, Dump: DumpFile, Tables: counts}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	if err := writePrivate(filepath.Join(dir, ManifestFile), func(f *os.File) error { _, err := f.Write(b); return err }); err != nil {
		return m, fmt.Errorf("backup: manifest: %w", err)
	}
	return m, nil
}

// dump runs pg_dump into file, which is created readable by its owner
// only: a dump holds every record (the sealed fields stay sealed, but
// names, meetings and the audit trail are in clear).
func dump(ctx context.Context, pgDump, url, snapshot, file string) error {
	cmd, err := clientCommand(ctx, pgDump, url, "--format=custom", "--no-owner", "--snapshot="+snapshot)
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	return writePrivate(file, func(f *os.File) error {
		cmd.Stdout = f
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("backup: pg_dump: %w: %s", err, strings.TrimSpace(stderr.String()))
		}
		return nil
	})
}

// writePrivate creates file with mode 0600 (it must not exist), lets write
// fill it, and syncs and closes it.
func writePrivate(file string, write func(*os.File) error) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	// The mode given to OpenFile is cut by the umask but never widened;
	// Chmod makes it exactly 0600 whatever the umask.
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return err
	}
	if err := write(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
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
	conn, pgRestore, _, err := connect(ctx, url, "pg_restore")
	if err != nil {
		return m, err
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil {
		return m, fmt.Errorf("backup: inspect target: %w", err)
	}
	if n > 0 {
		return m, ErrNotEmpty
	}
	cmd, err := clientCommand(ctx, pgRestore, url, "--no-owner", "--exit-on-error", "--single-transaction", filepath.Join(dir, m.Dump))
	if err != nil {
		return m, err
	}
	out, err := cmd.CombinedOutput()
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
