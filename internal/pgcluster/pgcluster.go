// Package pgcluster runs a private PostgreSQL cluster from the system's
// PostgreSQL server binaries (initdb, pg_ctl).
//
// It serves two purposes: the app's development/demo database kept under a
// folder such as ./.data/pg, and throwaway ("ephemeral") clusters for tests.
// A cluster listens on 127.0.0.1 only, on a TCP port chosen once and reused
// on restart, and has no Unix socket.
//
// Folder layout (Options.Dir):
//
//	pgdata/          the PostgreSQL data directory (PGDATA)
//	port             the TCP port, one number
//	zhibu-password   the postgres user's password (non-ephemeral only, 0600)
//	postgres.log     the server log
//
// When the process runs as root, initdb and pg_ctl run as the "postgres"
// system user, which then owns the folder.
package pgcluster

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoBinaries reports that the PostgreSQL server binaries were not found.
var ErrNoBinaries = errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: " +
	"install the PostgreSQL server package (e.g. `apt-get install postgresql`) or set DATABASE_URL")

// Superuser is the name of the cluster's superuser role.
const Superuser = "postgres"

// File names inside Options.Dir.
const (
	dataDirName  = "pgdata"
	portFile     = "port"
	passwordFile = "zhibu-password"
	logFileName  = "postgres.log"
)

// Options configures Start.
type Options struct {
	// Dir is the folder holding the cluster; it is created when missing.
	Dir string
	// Ephemeral marks a throwaway test cluster: trust authentication and
	// no durability (fsync, synchronous_commit and full_page_writes off).
	// Otherwise the cluster uses scram-sha-256 with a generated password.
	Ephemeral bool
	// Settings are server settings passed on every start as -c name=value
	// (e.g. "shared_buffers=2GB", no spaces), on top of postgresql.conf.
	Settings []string
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// Cluster is a running (or stopped) private PostgreSQL cluster.
type Cluster struct {
	opt      Options
	log      *slog.Logger
	initdb   string // path of initdb
	pgctl    string // path of pg_ctl
	dir      string // absolute Options.Dir
	data     string // PGDATA
	password string // empty with trust authentication
	cred     *syscall.Credential
	env      []string

	mu      sync.Mutex
	port    int
	started bool // this process started the server, so Stop stops it
}

// Start initialises the cluster in opt.Dir when there is none, starts it
// unless it is already running, and waits until it accepts connections.
// A non-ephemeral cluster also gets the database "zhibu".
func Start(ctx context.Context, opt Options) (*Cluster, error) {
	if opt.Dir == "" {
		return nil, errors.New("pgcluster: Options.Dir is empty")
	}
	initdb, pgctl, err := findBinaries()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	dir, err := filepath.Abs(opt.Dir)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	c := &Cluster{
		opt:    opt,
		log:    opt.Logger,
		initdb: initdb,
		pgctl:  pgctl,
		dir:    dir,
		data:   filepath.Join(dir, dataDirName),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if err := c.prepareDir(); err != nil {
		return nil, err
	}
	if err := c.initIfNeeded(ctx); err != nil {
		return nil, err
	}
	if err := c.startIfNeeded(ctx); err != nil {
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, err
	}
	if !opt.Ephemeral {
		if err := c.EnsureDatabase(ctx, "zhibu"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// MkdirTemp creates a new folder "zhibu-pg-*" for an ephemeral cluster,
// on the /dev/shm memory file system when it is usable (creating a database
// there is about ten times faster than on a disk) and under /tmp otherwise.
// Both are reachable by the postgres user when running as root.
func MkdirTemp() (string, error) {
	for _, base := range []string{"/dev/shm", "/tmp"} {
		var st syscall.Statfs_t
		if base == "/dev/shm" && (syscall.Statfs(base, &st) != nil || st.Bavail*uint64(st.Bsize) < 1<<30) {
			continue // missing or small (e.g. Docker's 64 MB default)
		}
		if dir, err := os.MkdirTemp(base, "zhibu-pg-"); err == nil {
			return dir, nil
		}
	}
	dir, err := os.MkdirTemp("", "zhibu-pg-")
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	return dir, nil
}

// findBinaries locates initdb and pg_ctl: on PATH first, else in the newest
// /usr/lib/postgresql/*/bin. Symlinks are resolved so that pg_ctl finds the
// postgres binary next to itself.
func findBinaries() (initdb, pgctl string, err error) {
	i, err1 := exec.LookPath("initdb")
	p, err2 := exec.LookPath("pg_ctl")
	if err1 == nil && err2 == nil {
		return resolve(i), resolve(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(a, b int) bool { return versionOf(dirs[a]) > versionOf(dirs[b]) })
	for _, d := range dirs {
		i, p := filepath.Join(d, "initdb"), filepath.Join(d, "pg_ctl")
		if isExecutable(i) && isExecutable(p) {
			return i, p, nil
		}
	}
	return "", "", ErrNoBinaries
}

// resolve follows symlinks, keeping the path as is when that fails.
func resolve(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	return path
}

// versionOf turns /usr/lib/postgresql/15/bin into 15 (0 when unknown).
func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// prepareDir creates the folder, and when running as root switches the
// server tools to the postgres system user, who must own and reach it.
func (c *Cluster) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: create folder: %w", err)
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("pgcluster: create folder: %w", err)
	}
	env := []string{"LC_ALL=C"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" {
			continue // PGDATA, PGPORT, ... would change what the tools do
		}
		if os.Geteuid() == 0 && k == "HOME" {
			continue
		}
		env = append(env, kv)
	}
	c.env = env
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup(Superuser)
	if err != nil {
		return fmt.Errorf("pgcluster: running as root needs the %q system user: %w", Superuser, err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	var groups []uint32
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.ParseUint(g, 10, 32); err == nil {
				groups = append(groups, uint32(n))
			}
		}
	}
	c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: groups}
	c.env = append(c.env, "HOME="+u.HomeDir)
	for _, p := range []string{c.dir, c.data} {
		if err := os.Chown(p, int(uid), int(gid)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("pgcluster: chown %s to %s: %w", p, Superuser, err)
		}
	}
	return c.checkReachable(uint32(uid), append([]uint32{uint32(gid)}, groups...))
}

// checkReachable makes sure every parent of the folder is searchable by
// the given user, since the server runs as that user.
func (c *Cluster) checkReachable(uid uint32, gids []uint32) error {
	for p := filepath.Dir(c.dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			mode := fi.Mode().Perm()
			var bit fs.FileMode = 0o001
			if st.Uid == uid {
				bit = 0o100
			} else {
				for _, g := range gids {
					if st.Gid == g {
						bit = 0o010
						break
					}
				}
			}
			if mode&bit == 0 {
				return fmt.Errorf("pgcluster: the %q user cannot reach %s because %s is not searchable by it "+
					"(use a folder elsewhere, `chmod o+x %s`, or set DATABASE_URL)", Superuser, c.dir, p, p)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// initIfNeeded runs initdb when the folder holds no cluster yet.
func (c *Cluster) initIfNeeded(ctx context.Context) error {
	pwPath := filepath.Join(c.dir, passwordFile)
	if _, err := os.Stat(filepath.Join(c.data, "PG_VERSION")); err == nil {
		if !c.opt.Ephemeral {
			b, err := os.ReadFile(pwPath)
			if err != nil {
				return fmt.Errorf("pgcluster: read password (remove %s to start afresh): %w", c.dir, err)
			}
			c.password = strings.TrimSpace(string(b))
		}
		port, err := c.readPort()
		if err != nil {
			return err
		}
		c.port = port
		return nil
	}

	args := []string{"-D", c.data, "-U", Superuser, "-E", "UTF8", "--no-locale", "--no-instructions"}
	if c.opt.Ephemeral {
		args = append(args, "-A", "trust", "-N")
	} else {
		pw, err := c.ensurePassword(pwPath)
		if err != nil {
			return err
		}
		c.password = pw
		args = append(args, "-A", "scram-sha-256", "--pwfile", pwPath)
	}
	c.log.Info("pgcluster: initdb", "dir", c.data)
	start := time.Now()
	if out, err := c.run(ctx, c.initdb, args...); err != nil {
		return fmt.Errorf("pgcluster: initdb: %w: %s", err, strings.TrimSpace(string(out)))
	}
	conf := "\n# Added by zhibu pgcluster.\n" +
		"listen_addresses = '127.0.0.1'\n" +
		"unix_socket_directories = ''\n"
	if err := appendFile(filepath.Join(c.data, "postgresql.conf"), conf); err != nil {
		return fmt.Errorf("pgcluster: initdb: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pgcluster: initdb: %w", err)
	}
	if err := c.savePort(port); err != nil {
		return err
	}
	c.log.Info("pgcluster: initdb done", "port", port, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// ensurePassword returns the saved password, generating and saving a new
// random one when there is none.
func (c *Cluster) ensurePassword(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil && len(bytes.TrimSpace(b)) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	buf := make([]byte, 18)
	if _, err := rand.Read(buf); err != nil {
		return "", fmt.Errorf("pgcluster: password: %w", err)
	}
	pw := hex.EncodeToString(buf)
	if err := os.WriteFile(path, []byte(pw+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("pgcluster: password: %w", err)
	}
	if err := c.chown(path); err != nil { // initdb reads it as that user
		return "", fmt.Errorf("pgcluster: password: %w", err)
	}
	return pw, nil
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
}

func (c *Cluster) readPort() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, portFile))
	if errors.Is(err, fs.ErrNotExist) {
		return freePort()
	}
	if err != nil {
		return 0, fmt.Errorf("pgcluster: read port: %w", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 || n > 65535 {
		return freePort()
	}
	return n, nil
}

func (c *Cluster) savePort(port int) error {
	c.port = port
	if err := os.WriteFile(filepath.Join(c.dir, portFile), []byte(strconv.Itoa(port)+"\n"), 0o644); err != nil {
		return fmt.Errorf("pgcluster: save port: %w", err)
	}
	return nil
}

// freePort asks the kernel for an unused TCP port on 127.0.0.1.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree reports whether nothing listens on 127.0.0.1:port.
func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// startIfNeeded starts the server unless it already runs, in which case
// the running server is reused (and Stop will leave it running).
func (c *Cluster) startIfNeeded(ctx context.Context) error {
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	if running {
		if p := c.pidFilePort(); p > 0 {
			c.port = p
		}
		c.log.Info("pgcluster: reusing running server", "dir", c.data, "port", c.port)
		return nil
	}
	for attempt := 0; ; attempt++ {
		if !portFree(c.port) {
			port, err := freePort()
			if err != nil {
				return fmt.Errorf("pgcluster: start: %w", err)
			}
			c.log.Info("pgcluster: port taken, moving", "old", c.port, "new", port)
			if err := c.savePort(port); err != nil {
				return err
			}
		}
		err := c.pgStart(ctx)
		if err == nil {
			return nil
		}
		// Someone may have grabbed the port between the check and the start.
		if attempt < 2 && !portFree(c.port) {
			continue
		}
		return err
	}
}

// pgStart runs pg_ctl start on the current port and waits for it.
func (c *Cluster) pgStart(ctx context.Context) error {
	opts := "-p " + strconv.Itoa(c.port)
	if c.opt.Ephemeral {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
	}
	for _, set := range c.opt.Settings {
		opts += " -c " + set
	}
	logFile := filepath.Join(c.dir, logFileName)
	start := time.Now()
	out, err := c.run(ctx, c.pgctl, "start", "-D", c.data, "-w", "-t", "120", "-l", logFile, "-o", opts)
	if err != nil {
		return fmt.Errorf("pgcluster: pg_ctl start: %w: %s\n%s", err, strings.TrimSpace(string(out)), tail(logFile, 15))
	}
	c.mu.Lock()
	c.started = true
	c.mu.Unlock()
	c.log.Info("pgcluster: started", "dir", c.data, "port", c.port, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// tail returns the last n lines of a file, for error messages.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "log " + path + ":\n" + strings.Join(lines, "\n")
}

// running asks pg_ctl status whether the server runs.
func (c *Cluster) running(ctx context.Context) (bool, error) {
	out, err := c.run(ctx, c.pgctl, "status", "-D", c.data)
	if err == nil {
		return true, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && (ee.ExitCode() == 3 || ee.ExitCode() == 4) {
		return false, nil
	}
	return false, fmt.Errorf("pgcluster: pg_ctl status: %w: %s", err, strings.TrimSpace(string(out)))
}

// pidFilePort reads the port of the running server from postmaster.pid.
func (c *Cluster) pidFilePort() int {
	b, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 4 {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(lines[3]))
	return n
}

// run executes a server tool, as the postgres user when we are root.
func (c *Cluster) run(ctx context.Context, bin string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.dir
	cmd.Env = c.env
	// Own process group: a Ctrl-C meant for the caller's terminal must not
	// kill pg_ctl half way through starting or stopping the server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: c.cred}
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// waitReady connects until the server answers or 60 s pass.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		if err == nil {
			err = conn.Ping(ctx)
			conn.Close(context.Background())
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("pgcluster: wait for server on port %d: %w", c.Port(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// EnsureDatabase creates the database name unless it exists.
func (c *Cluster) EnsureDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return fmt.Errorf("pgcluster: ensure database: %w", err)
	}
	defer conn.Close(context.Background())
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return fmt.Errorf("pgcluster: ensure database: %w", err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // duplicate_database: created meanwhile
		return nil
	}
	if err != nil {
		return fmt.Errorf("pgcluster: create database %s: %w", name, err)
	}
	c.log.Info("pgcluster: created database", "name", name)
	return nil
}

// URL returns a connection URL for database dbname as the superuser.
func (c *Cluster) URL(dbname string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(Superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.Port())),
		Path:     "/" + dbname,
		RawQuery: "sslmode=disable",
	}
	if c.password != "" {
		u.User = url.UserPassword(Superuser, c.password)
	}
	return u.String()
}

// Port returns the TCP port the server listens on (127.0.0.1).
func (c *Cluster) Port() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.port
}

// Dir returns the absolute folder holding the cluster.
func (c *Cluster) Dir() string { return c.dir }

// stopMode is immediate for throwaway clusters and fast otherwise.
func (c *Cluster) stopMode() string {
	if c.opt.Ephemeral {
		return "immediate"
	}
	return "fast"
}

// Stop stops the server if this Cluster started it; a server that was
// already running when Start was called is left running.
func (c *Cluster) Stop(ctx context.Context) error {
	c.mu.Lock()
	started := c.started
	c.mu.Unlock()
	if !started {
		return nil
	}
	return c.stop(ctx, c.stopMode())
}

// stop runs pg_ctl stop when the server runs.
func (c *Cluster) stop(ctx context.Context, mode string) error {
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	if running {
		if out, err := c.run(ctx, c.pgctl, "stop", "-D", c.data, "-m", mode, "-w", "-t", "60"); err != nil {
			return fmt.Errorf("pgcluster: pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out)))
		}
	}
	c.mu.Lock()
	c.started = false
	c.mu.Unlock()
	c.log.Info("pgcluster: stopped", "dir", c.data, "mode", mode)
	return nil
}

// StopNow stops the server whoever started it (fast mode, or immediate for
// an ephemeral cluster). Fault tests use it together with StartAgain.
func (c *Cluster) StopNow() error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	return c.stop(ctx, c.stopMode())
}

// StartAgain starts a stopped server on the same port and waits until it
// accepts connections. Afterwards Stop stops it.
func (c *Cluster) StartAgain(ctx context.Context) error {
	running, err := c.running(ctx)
	if err != nil {
		return err
	}
	if !running {
		if err := c.pgStart(ctx); err != nil {
			return err
		}
	}
	return c.waitReady(ctx)
}

// Remove stops an ephemeral cluster and deletes its folder. It refuses to
// delete a non-ephemeral cluster.
func (c *Cluster) Remove() error {
	if !c.opt.Ephemeral {
		return fmt.Errorf("pgcluster: remove: refusing to delete non-ephemeral cluster %s", c.dir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	stopErr := c.stop(ctx, "immediate")
	if err := os.RemoveAll(c.dir); err != nil {
		return fmt.Errorf("pgcluster: remove: %w", err)
	}
	return stopErr
}
