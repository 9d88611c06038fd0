package backup_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/backup"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// checksums hashes every table's rows, in a stable order.
func checksums(t *testing.T, url string) map[string]string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	counts, err := backup.Counts(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for table := range counts {
		var sum *string
		q := `SELECT md5(string_agg(r::text, '|' ORDER BY r::text)) FROM ` + pgx.Identifier{table}.Sanitize() + ` r`
		if err := conn.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if sum != nil {
			out[table] = *sum
		} else {
			out[table] = "empty"
		}
	}
	return out
}

func TestBackupRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "b1")
	// Even with a umask that lets everyone read new files, the dump and
	// its manifest are readable by their owner only.
	old := syscall.Umask(0o002)
	m, err := backup.Backup(ctx, app.DBURL, dir)
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{backup.DumpFile, backup.ManifestFile} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if m.SchemaVersion == 0 || m.Tables["members"] < 100 || m.Tables["attendance"] == 0 {
		t.Fatalf("manifest: %+v", m)
	}
	target := dbtest.EmptyURL(t)
	if _, err := backup.Restore(ctx, dir, target); err != nil {
		t.Fatal(err)
	}
	before, after := checksums(t, app.DBURL), checksums(t, target)
	if len(before) != len(after) {
		t.Fatalf("tables: %d before, %d after", len(before), len(after))
	}
	for table, sum := range before {
		if after[table] != sum {
			t.Errorf("table %s differs after restore", table)
		}
	}
	// A second dump of the restored database matches the first manifest.
	m2, err := backup.Backup(ctx, target, filepath.Join(t.TempDir(), "b2"))
	if err != nil {
		t.Fatal(err)
	}
	for table, n := range m.Tables {
		if m2.Tables[table] != n {
			t.Errorf("%s: %d rows in the second dump, %d in the first", table, m2.Tables[table], n)
		}
	}
	// Restoring over data is refused and changes nothing.
	if _, err := backup.Restore(ctx, dir, target); !errors.Is(err, backup.ErrNotEmpty) {
		t.Errorf("restore into a full database: %v", err)
	}
}
