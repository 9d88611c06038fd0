package failover_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/db"
	"zhibu/internal/notify"
	"zhibu/internal/seed"
)

// TestMain quiets the error pages' log lines (one per failed save during
// the failover); the test logs what they add up to, and the errors of any
// request answered 500 (serverErrors), which the test fails on.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(&serverErrors))
	os.Exit(m.Run())
}

// errorLog keeps the "err" of each log record about a request that
// failed with status 500 and drops every other record.
type errorLog struct {
	mu   sync.Mutex
	errs []string
}

var serverErrors errorLog

func (l *errorLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *errorLog) WithGroup(string) slog.Handler            { return l }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var status int64
	var msg string
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "status":
			status = a.Value.Int64()
		case "err":
			msg = a.Value.String()
		}
		return true
	})
	if status == 500 {
		l.mu.Lock()
		l.errs = append(l.errs, msg)
		l.mu.Unlock()
	}
	return nil
}

func (l *errorLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.errs...)
}

// The cluster's timings (cluster.sh's defaults): the leader key lives
// 10 s, each node wakes every second and gives etcd or PostgreSQL 3 s.
const (
	ttl          = "10"
	loopWait     = "1"
	retryTimeout = "3"
)

// TestFailoverKeepsEverySavedTalk kills the primary (its Patroni and its
// postmaster, as if the machine died) while a secretary saves talks
// through the app, and checks that the app's pool finds the promoted
// standby by itself and that no save answered with success is lost. Then
// it asks Patroni for a planned switchover to the remaining synchronous
// standby, saves still running, and checks the same.
func TestFailoverKeepsEverySavedTalk(t *testing.T) {
	if testing.Short() {
		t.Skip("failover: -short skips the three-node Patroni cluster")
	}
	script := requireTools(t)
	t.Parallel()
	began := time.Now()

	cl := startCluster(t, script)
	t.Logf("cluster up in %s", time.Since(began).Round(100*time.Millisecond))

	// The app as `zhibu serve` brings it up: migrations through the
	// multi-host URL, then the pool of internal/db.
	step := time.Now()
	if err := db.MigrateUp(cl.url); err != nil {
		t.Fatalf("migrate through %s: %v", cl.redacted(), err)
	}
	app := apptest.NewOnURL(t, cl.url)
	if _, err := seed.Demo(t.Context(), app.Pool, app.Sealer); err != nil {
		t.Fatalf("demo data: %v", err)
	}
	t.Logf("migrated and seeded in %s", time.Since(step).Round(100*time.Millisecond))

	branch := app.OrgID(t, "办公室党支部")
	secID := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'secretary'`)
	memberID := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id <> $2 ORDER BY id DESC LIMIT 1`, branch, secID)
	hc := signIn(t, app.URL, "secretary")
	// The job queue (River) as an instance runs it, its periodic scan every
	// second instead of every hour, through the same multi-host pool.
	queue, err := notify.New(app.Pool, app.Sealer, notify.Options{ScanEvery: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	qctx, qcancel := context.WithCancel(context.Background())
	if err := queue.Start(qctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = queue.Stop(sctx)
		qcancel()
	})
	scansAfter := func(at time.Time) int64 {
		return app.Int(t, `SELECT count(*) FROM river_job WHERE kind = 'notify_scan' AND state = 'completed' AND created_at > $1`, at)
	}
	form := func(topic string) url.Values {
		return url.Values{"branch": {strconv.FormatInt(branch, 10)}, "held_on": {time.Now().Format("2006-01-02")},
			"a_id": {strconv.FormatInt(secID, 10)}, "b_id": {strconv.FormatInt(memberID, 10)}, "topic": {topic}}
	}

	// The unplanned failover: the primary dies.
	sv := startSavers(hc, app.URL+"/talks", "切换测试", form)
	t.Cleanup(sv.halt)
	sv.waitOK(t, 10, time.Time{}, "ten saves before the failover")
	// A save failing already means Patroni moved the leader by itself (a
	// machine so loaded that a node missed its ttl): still no save may be
	// lost, but the window is measured from the kill on.
	for _, s := range sv.snapshot() {
		if !s.ok() {
			t.Logf("a save failed before the kill: %s", s)
		}
	}
	old := cl.leader(t)
	killedAt := cl.kill(t, old)
	t.Logf("killed %s (Patroni and postmaster) at +%s", old, killedAt.Sub(began).Round(100*time.Millisecond))
	// Saves fail until the standby is promoted, then succeed again through
	// the same pool. A save already on a backend of the old primary may
	// still commit just after the kill (the backends outlive the
	// postmaster for a moment), so the first success is looked for once
	// another node leads. One more second of saves after it.
	var newLeader string
	waitFor(t, 60*time.Second, "another node leading after the kill", func() bool {
		newLeader = cl.leader(t)
		return newLeader != old
	})
	promotedAt := time.Now()
	backAt := sv.waitOK(t, 1, promotedAt, "a successful save after the promotion")
	time.Sleep(time.Second)
	sv.halt()
	window, failed, statuses := outage(sv.snapshot(), killedAt)
	t.Logf("failover %s → %s: users saw errors for %s (%d of %d saves failed: %v); kill to first success after it %s",
		old, newLeader, window.Round(10*time.Millisecond), failed, len(sv.snapshot()), statuses,
		backAt.Sub(killedAt).Round(10*time.Millisecond))
	checkOutcomes(t, app, sv, statuses)
	// The queue works on across the failover: a periodic scan job is
	// inserted by the queue's (re-elected) leader and completed on the new
	// primary.
	waitFor(t, 60*time.Second, "a scan job completed after the failover", func() bool { return scansAfter(backAt) > 0 })
	t.Logf("job queue: a scan job inserted and completed on the new primary %s after its first successful save", time.Since(backAt).Round(100*time.Millisecond))

	// The planned switchover: the operator moves the primary to the
	// remaining synchronous standby while saves run.
	sv = startSavers(hc, app.URL+"/talks", "计划切换", form)
	t.Cleanup(sv.halt)
	sv.waitOK(t, 10, time.Time{}, "ten saves before the switchover")
	candidate, askedAt := cl.switchover(t, newLeader)
	waitFor(t, 30*time.Second, "the candidate leading", func() bool { return cl.leader(t) == candidate })
	leadAt := time.Now()
	backAt = sv.waitOK(t, 1, leadAt, "a successful save after the switchover")
	time.Sleep(time.Second)
	sv.halt()
	window, failed, statuses = outage(sv.snapshot(), askedAt)
	t.Logf("switchover %s → %s: users saw errors for %s (%d of %d saves failed: %v); request to the new leader seen %s, to a success on it %s",
		newLeader, candidate, window.Round(10*time.Millisecond), failed, len(sv.snapshot()), statuses,
		leadAt.Sub(askedAt).Round(10*time.Millisecond), backAt.Sub(askedAt).Round(10*time.Millisecond))
	checkOutcomes(t, app, sv, statuses)
	for _, e := range serverErrors.list() {
		t.Errorf("answered 500: %s", e)
	}
	t.Logf("whole test %s", time.Since(began).Round(100*time.Millisecond))
}

// savers are three of the secretary's browser tabs saving talks, each one
// at a time, a save every 50 ms; after a failure a tab waits 100 ms.
type savers struct {
	mu      sync.Mutex
	results []save
	stop    chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

func startSavers(hc *http.Client, target, prefix string, form func(topic string) url.Values) *savers {
	sv := &savers{stop: make(chan struct{})}
	for w := range 3 {
		sv.wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-sv.stop:
					return
				default:
				}
				s := save{topic: fmt.Sprintf("%s %d-%d", prefix, w, n), start: time.Now()}
				s.status, s.err = post(hc, target, form(s.topic))
				s.end = time.Now()
				sv.mu.Lock()
				sv.results = append(sv.results, s)
				sv.mu.Unlock()
				if s.ok() {
					time.Sleep(50 * time.Millisecond)
				} else {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	return sv
}

func (sv *savers) snapshot() []save {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return append([]save(nil), sv.results...)
}

func (sv *savers) halt() {
	sv.once.Do(func() { close(sv.stop) })
	sv.wg.Wait()
}

// waitOK waits up to a minute for n successful saves started after from,
// and returns when the first of them was answered.
func (sv *savers) waitOK(t *testing.T, n int, from time.Time, what string) time.Time {
	t.Helper()
	var first time.Time
	waitFor(t, 60*time.Second, what, func() bool {
		k := 0
		first = time.Time{}
		for _, s := range sv.snapshot() {
			if s.ok() && s.start.After(from) {
				k++
				if first.IsZero() || s.end.Before(first) {
					first = s.end
				}
			}
		}
		return k >= n
	})
	return first
}

// outage is what the users saw from the event on: the time from the first
// failed save's answer to the first successful answer after it, how many
// saves failed, and what they were answered.
func outage(all []save, from time.Time) (time.Duration, int, map[string]int) {
	var firstFail, recovered time.Time
	failed := 0
	statuses := map[string]int{}
	sort.Slice(all, func(i, j int) bool { return all[i].end.Before(all[j].end) })
	for _, s := range all {
		if !s.ok() {
			failed++
			statuses[s.outcome()]++
			if firstFail.IsZero() && s.end.After(from) {
				firstFail = s.end
			}
			continue
		}
		if !firstFail.IsZero() && recovered.IsZero() {
			recovered = s.end
		}
	}
	if firstFail.IsZero() || recovered.IsZero() {
		return 0, failed, statuses
	}
	return recovered.Sub(firstFail), failed, statuses
}

// checkOutcomes fails the test for a failed save answered other than 503
// and for a save answered 303 that is not in the database.
func checkOutcomes(t *testing.T, app *apptest.App, sv *savers, statuses map[string]int) {
	t.Helper()
	for status, n := range statuses {
		if status != "503" {
			t.Errorf("%d failed saves answered %s; a database outage must answer 503 (try again)", n, status)
		}
	}
	all := sv.snapshot()
	if len(all) == 0 {
		t.Fatal("no save was made")
	}
	prefix, _, _ := strings.Cut(all[0].topic, " ")
	saved := map[string]bool{}
	rows, err := app.Pool.Query(t.Context(), `SELECT topic FROM talks WHERE topic LIKE $1 || ' %'`, prefix)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var topic string
		if err := rows.Scan(&topic); err != nil {
			t.Fatal(err)
		}
		saved[topic] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	ok, committedButFailed := 0, 0
	for _, s := range all {
		switch {
		case s.ok() && !saved[s.topic]:
			t.Errorf("lost: %s was answered 303 but is not in the database afterwards", s)
		case s.ok():
			ok++
		case saved[s.topic]:
			committedButFailed++ // the commit reached the standby, the answer did not reach the user
		}
	}
	t.Logf("%s: %d saves answered with success, all present; %d failed saves were committed nonetheless", prefix, ok, committedButFailed)
}

// save is one POST of the talk form and what it answered.
type save struct {
	topic      string
	start, end time.Time
	status     int
	err        error
}

func (s save) ok() bool { return s.err == nil && s.status == http.StatusSeeOther }

func (s save) outcome() string {
	if s.err != nil {
		return "transport error"
	}
	return strconv.Itoa(s.status)
}

func (s save) String() string {
	return fmt.Sprintf("%q (%s after %s)", s.topic, s.outcome(), s.end.Sub(s.start).Round(time.Millisecond))
}

// post sends a form as a same-origin browser would and reads the answer.
func post(hc *http.Client, target string, form url.Values) (int, error) {
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, err
	}
	u, _ := url.Parse(target)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return 0, err
	}
	return res.StatusCode, nil
}

// signIn returns an HTTP client holding a demo user's session; it does
// not follow redirects, so a save's 303 is seen.
func signIn(t *testing.T, base, username string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, err := post(hc, base+"/login", url.Values{"username": {username}, "password": {seed.DemoPassword}})
	if err != nil || status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d %v", username, status, err)
	}
	return hc
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// requireTools returns the path of deploy/patroni/cluster.sh, or skips
// the test when Patroni, etcd or PostgreSQL is missing (fails it under
// E2E=1, as CI sets: there the failover must be proven, not skipped).
func requireTools(t *testing.T) string {
	t.Helper()
	var missing []string
	for _, bin := range []string{"patroni", "etcd", "curl", "python3", "openssl"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if os.Geteuid() == 0 {
		if _, err := exec.LookPath("setpriv"); err != nil {
			missing = append(missing, "setpriv")
		}
	}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres"); len(m) == 0 {
		missing = append(missing, "postgresql")
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("failover test needs %s (apt-get install patroni etcd-server postgresql)", strings.Join(missing, ", "))
		if os.Getenv("E2E") == "1" {
			t.Fatal("E2E=1 but the " + msg)
		}
		t.Skip("SKIPPED: the " + msg + "; E2E=1 makes it required")
	}
	script, err := filepath.Abs("../../deploy/patroni/cluster.sh")
	if err != nil {
		t.Fatal(err)
	}
	return script
}

// cluster is a running deploy/patroni cluster in a folder of its own.
type cluster struct {
	script string
	dir    string
	env    []string
	api    []int // Patroni REST ports
	url    string
	down   sync.Once
}

// startCluster runs `cluster.sh up` on free ports in a new folder (on the
// /dev/shm memory file system when there is room) and tears it down when
// the test ends (`cluster.sh kill`), printing the nodes' logs if it
// failed. A port picked free may be taken by another test before etcd or
// PostgreSQL binds it, so a failed start is tried once more on new ports.
func startCluster(t *testing.T, script string) *cluster {
	t.Helper()
	for attempt := 1; ; attempt++ {
		cl := newCluster(t, script)
		ctx, cancel := context.WithTimeout(t.Context(), 170*time.Second)
		out, err := cl.run(ctx, "up")
		cancel()
		if err != nil {
			cl.logs(t)
			cl.teardown(t)
			if attempt < 2 {
				t.Logf("cluster.sh up failed, trying again on other ports: %v\n%s", err, out)
				continue
			}
			t.Fatalf("cluster.sh up: %v\n%s", err, out)
		}
		b, err := os.ReadFile(filepath.Join(cl.dir, "database-url"))
		if err != nil {
			t.Fatal(err)
		}
		cl.url = strings.TrimSpace(string(b))
		if !strings.Contains(cl.url, "target_session_attrs=read-write") || strings.Count(cl.url, "127.0.0.1:") != 3 {
			t.Fatalf("cluster.sh wrote %s, want three hosts and target_session_attrs=read-write", cl.redacted())
		}
		return cl
	}
}

// newCluster picks the ports and the folder of a cluster and arranges its
// teardown.
func newCluster(t *testing.T, script string) *cluster {
	t.Helper()
	ports := freePorts(t, 8)
	cl := &cluster{script: script, dir: tempDir(t), api: ports[5:8]}
	cl.env = append(os.Environ(),
		"ETCD_PORT="+strconv.Itoa(ports[0]), "ETCD_PEER_PORT="+strconv.Itoa(ports[1]),
		fmt.Sprintf("PG_PORTS=%d %d %d", ports[2], ports[3], ports[4]),
		fmt.Sprintf("API_PORTS=%d %d %d", ports[5], ports[6], ports[7]),
		"PATRONI_TTL="+ttl, "PATRONI_LOOP_WAIT="+loopWait, "PATRONI_RETRY_TIMEOUT="+retryTimeout,
		"UP_TIMEOUT=150")
	t.Cleanup(func() {
		if t.Failed() {
			cl.logs(t)
		}
		cl.teardown(t)
	})
	return cl
}

// logs prints the end of each node's log and etcd's.
func (c *cluster) logs(t *testing.T) {
	for _, f := range []string{"node1/patroni.log", "node2/patroni.log", "node3/patroni.log", "etcd.log"} {
		t.Logf("--- %s (last lines)\n%s", f, tail(filepath.Join(c.dir, f), 25))
	}
}

// teardown kills every process of the cluster and removes its folder
// (once; the data go too, so no clean shutdown is needed).
func (c *cluster) teardown(t *testing.T) {
	c.down.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		if out, err := c.run(ctx, "kill"); err != nil {
			t.Errorf("cluster.sh kill: %v\n%s", err, out)
		}
		if err := os.RemoveAll(c.dir); err != nil {
			t.Errorf("remove %s: %v", c.dir, err)
		}
	})
}

func (c *cluster) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.script, append(args, c.dir)...)
	cmd.Env = c.env
	cmd.WaitDelay = 5 * time.Second
	// The script starts etcd and Patroni in the background: they must not
	// hold the output pipe open, so the output goes to a file.
	f, err := os.CreateTemp("", "cluster-sh-*.log")
	if err != nil {
		return nil, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	out, _ := os.ReadFile(f.Name())
	return out, err
}

// redacted is the URL without its password, for messages.
func (c *cluster) redacted() string {
	if u, err := url.Parse(c.url); err == nil && u.User != nil {
		u.User = url.UserPassword(u.User.Username(), "xxx")
		return u.String()
	}
	return "the database URL"
}

// member is one node as Patroni's REST API lists it.
type member struct{ Name, Role, State string }

// find asks the nodes' REST APIs (the first that answers) for the member
// that pick chooses, waiting up to 30 s for one.
func (c *cluster) find(t *testing.T, what string, pick func(member) bool) string {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	var name string
	waitFor(t, 30*time.Second, what, func() bool {
		for _, p := range c.api {
			res, err := hc.Get(fmt.Sprintf("http://127.0.0.1:%d/cluster", p))
			if err != nil {
				continue
			}
			var v struct{ Members []member }
			err = json.NewDecoder(res.Body).Decode(&v)
			res.Body.Close()
			if err != nil {
				continue
			}
			for _, m := range v.Members {
				if pick(m) {
					name = m.Name
					return true
				}
			}
		}
		return false
	})
	return name
}

// leader is the member holding the leader key.
func (c *cluster) leader(t *testing.T) string {
	t.Helper()
	return c.find(t, "Patroni leader", func(m member) bool { return m.Role == "leader" && m.State == "running" })
}

// kill SIGKILLs a node's Patroni and then its postmaster: the node is
// gone without a word, its leader key left to expire.
func (c *cluster) kill(t *testing.T, node string) time.Time {
	t.Helper()
	pg := readPID(t, filepath.Join(c.dir, node, "data", "postmaster.pid"))
	pat := readPID(t, filepath.Join(c.dir, node, "patroni.pid"))
	at := time.Now()
	for _, pid := range []int{pat, pg} {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Fatalf("kill %d: %v", pid, err)
		}
	}
	return at
}

// switchover asks Patroni (its REST API) for a planned switchover from
// the leader to its synchronous standby, waiting up to 30 s for one, and
// returns the candidate and when the switchover was asked for.
func (c *cluster) switchover(t *testing.T, leader string) (string, time.Time) {
	t.Helper()
	hc := &http.Client{Timeout: 5 * time.Second}
	candidate := c.find(t, "a synchronous standby", func(m member) bool {
		return m.Role == "sync_standby" && (m.State == "running" || m.State == "streaming")
	})
	body, _ := json.Marshal(map[string]string{"leader": leader, "candidate": candidate})
	at := time.Now()
	for _, p := range c.api {
		res, err := hc.Post(fmt.Sprintf("http://127.0.0.1:%d/switchover", p), "application/json", strings.NewReader(string(body)))
		if err != nil {
			continue // the killed node's API
		}
		msg, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("switchover %s → %s: %d %s", leader, candidate, res.StatusCode, msg)
		}
		return candidate, at
	}
	t.Fatal("no Patroni REST API answered the switchover")
	return "", at
}

// readPID reads the process id on a pid file's first line.
func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 1 {
		t.Fatalf("%s: no pid (%q)", path, line)
	}
	return pid
}

// freePorts asks the kernel for n distinct unused ports on 127.0.0.1.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// tempDir makes the cluster's folder under /dev/shm when it has room (the
// three data directories are small), else under the temporary folder.
// Both are reachable by the postgres user when the test runs as root.
func tempDir(t *testing.T) string {
	t.Helper()
	var st syscall.Statfs_t
	base := os.TempDir()
	if syscall.Statfs("/dev/shm", &st) == nil && st.Bavail*uint64(st.Bsize) >= 1<<30 {
		base = "/dev/shm"
	}
	dir, err := os.MkdirTemp(base, "zhibu-patroni-")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
