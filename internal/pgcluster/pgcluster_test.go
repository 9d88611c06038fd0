package pgcluster

import (
	"context"
	"errors"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// tempDir makes a folder that the postgres user can use even when the test
// runs as root (t.TempDir's parent is root-only): under /tmp, or where
// MkdirTemp puts it when base is empty.
func tempDir(t *testing.T, base string) string {
	t.Helper()
	var dir string
	var err error
	if base == "" {
		dir, err = MkdirTemp()
	} else {
		dir, err = os.MkdirTemp(base, "zhibu-pg-")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup(Superuser)
		if err != nil {
			t.Fatal(err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func selectOne(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1 = %d, %v", n, err)
	}
}

// show returns a server setting.
func show(t *testing.T, ctx context.Context, url, name string) string {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v string
	if err := conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEphemeralLifecycle(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := tempDir(t, "")

	begin := time.Now()
	c, err := Start(ctx, Options{Dir: dir, Ephemeral: true})
	if errors.Is(err, ErrNoBinaries) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("init+start took %v, port %d", time.Since(begin).Round(time.Millisecond), c.Port())
	defer c.Remove()

	selectOne(t, ctx, c.URL("postgres"))

	port := c.Port()
	if err := c.StopNow(); err != nil {
		t.Fatal(err)
	}
	if conn, err := pgx.Connect(ctx, c.URL("postgres")); err == nil {
		conn.Close(ctx)
		t.Fatal("connected to a stopped server")
	}
	if err := c.StartAgain(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Port() != port {
		t.Fatalf("port changed on restart: %d -> %d", port, c.Port())
	}
	selectOne(t, ctx, c.URL("postgres"))

	// A second Start on the same folder reuses the running server and its
	// Stop leaves that server alone.
	c2, err := Start(ctx, Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Port() != port {
		t.Fatalf("reused cluster port %d, want %d", c2.Port(), port)
	}
	if err := c2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	selectOne(t, ctx, c.URL("postgres"))

	if err := c.EnsureDatabase(ctx, "zhibu_probe"); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureDatabase(ctx, "zhibu_probe"); err != nil {
		t.Fatal(err)
	}
	selectOne(t, ctx, c.URL("zhibu_probe"))

	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// Start on the stopped folder brings it back on the same port.
	c3, err := Start(ctx, Options{Dir: dir, Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	if c3.Port() != port {
		t.Fatalf("restarted cluster port %d, want %d", c3.Port(), port)
	}
	selectOne(t, ctx, c3.URL("zhibu_probe"))

	if err := c3.Remove(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("folder still there after Remove: %v", err)
	}
}

func TestPasswordCluster(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := tempDir(t, "/tmp") + "/pg" // a not yet existing sub folder, like ./.data/pg

	c, err := Start(ctx, Options{Dir: dir, Settings: []string{"work_mem=7MB"}})
	if errors.Is(err, ErrNoBinaries) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.StopNow()
	if got := show(t, ctx, c.URL("zhibu"), "work_mem"); got != "7MB" {
		t.Fatalf("work_mem = %q, want the 7MB passed in Settings", got)
	}

	if c.password == "" {
		t.Fatal("no password for a non-ephemeral cluster")
	}
	fi, err := os.Stat(dir + "/" + passwordFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("password file mode %v, want 0600", fi.Mode().Perm())
	}
	selectOne(t, ctx, c.URL("zhibu"))

	// Wrong password is rejected.
	bad := strings.Replace(c.URL("zhibu"), c.password, "wrong", 1)
	if conn, err := pgx.Connect(ctx, bad); err == nil {
		conn.Close(ctx)
		t.Fatal("connected with a wrong password")
	}

	// Occupy the port while stopped: the next Start must move elsewhere
	// and keep the same password.
	port := c.Port()
	if err := c.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c2, err := Start(ctx, Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Stop(ctx)
	if c2.Port() == port {
		t.Fatal("started on a taken port")
	}
	selectOne(t, ctx, c2.URL("zhibu"))
}
