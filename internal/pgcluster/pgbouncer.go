package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// ErrNoPgBouncer reports that the pgbouncer binary was not found.
var ErrNoPgBouncer = errors.New("pgbouncer not found: install it (Debian: apt-get install pgbouncer)")

// PgBouncer is a PgBouncer in transaction pooling mode in front of a
// cluster, for tests: a server connection is lent to a client for one
// transaction only, as in a production deployment behind a pooler.
type PgBouncer struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
}

// FindPgBouncer returns the path of the pgbouncer binary, or ErrNoPgBouncer.
func FindPgBouncer() (string, error) {
	if p, err := exec.LookPath("pgbouncer"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer", "/usr/local/bin/pgbouncer"} {
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", ErrNoPgBouncer
}

// StartPgBouncer runs PgBouncer in the folder dir (created when missing)
// in front of the server of target (a URL whose user the server trusts:
// an ephemeral cluster's), every database passed through as that user,
// pool_mode = transaction, poolSize server connections per database, and
// waits until it accepts connections. Stop it with Stop.
func StartPgBouncer(ctx context.Context, dir, target string, poolSize int) (*PgBouncer, error) {
	bin, err := FindPgBouncer()
	if err != nil {
		return nil, err
	}
	tu, err := url.Parse(target)
	if err != nil || tu.Hostname() == "" {
		return nil, fmt.Errorf("pgcluster: pgbouncer: target %q is not a postgres:// URL", target)
	}
	tport := tu.Port()
	if tport == "" {
		tport = "5432"
	}
	tuser := Superuser
	if tu.User != nil && tu.User.Username() != "" {
		tuser = tu.User.Username()
	}
	if poolSize <= 0 {
		poolSize = 10
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: pgbouncer: %w", err)
	}
	// The folder is prepared as a cluster's would be: PgBouncer refuses to
	// run as root, so it runs as the postgres user then.
	h := &Cluster{dir: abs, data: filepath.Join(abs, "unused")}
	if err := h.prepareDir(); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: pgbouncer: %w", err)
	}
	conf := fmt.Sprintf(`[databases]
* = host=%s port=%s user=%s

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %d
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = %d
max_client_conn = 500
server_reset_query =
ignore_startup_parameters = extra_float_digits
logfile = %s
pidfile = %s
`, tu.Hostname(), tport, tuser, port, poolSize, filepath.Join(abs, "pgbouncer.log"), filepath.Join(abs, "pgbouncer.pid"))
	confPath := filepath.Join(abs, "pgbouncer.ini")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, fmt.Errorf("pgcluster: pgbouncer: %w", err)
	}
	if err := h.chown(confPath); err != nil {
		return nil, fmt.Errorf("pgcluster: pgbouncer: %w", err)
	}
	cmd := exec.Command(bin, confPath)
	cmd.Dir = abs
	cmd.Env = h.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: h.cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pgcluster: pgbouncer: %w", err)
	}
	b := &PgBouncer{dir: abs, port: port, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(b.done) }()
	deadline := time.Now().Add(15 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
		if err == nil {
			conn.Close()
			return b, nil
		}
		select {
		case <-b.done:
			return nil, fmt.Errorf("pgcluster: pgbouncer exited: %s", tail(filepath.Join(abs, "pgbouncer.log"), 10))
		case <-ctx.Done():
			b.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.Stop()
			return nil, fmt.Errorf("pgcluster: pgbouncer did not listen on %d: %s", port, tail(filepath.Join(abs, "pgbouncer.log"), 10))
		}
	}
}

// URL is a connection URL for database dbname through PgBouncer.
func (b *PgBouncer) URL(dbname string) string {
	u := url.URL{Scheme: "postgres", User: url.User(Superuser), Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(b.port)),
		Path: "/" + dbname, RawQuery: "sslmode=disable"}
	return u.String()
}

// Stop ends PgBouncer and removes its folder.
func (b *PgBouncer) Stop() error {
	if b.cmd.Process != nil {
		_ = b.cmd.Process.Kill() // it keeps nothing worth a clean shutdown
		<-b.done
	}
	return os.RemoveAll(b.dir)
}
