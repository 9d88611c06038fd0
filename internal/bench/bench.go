// Package bench is the load benchmark: it serves Zhibu in-process on a
// database holding a benchdata data set, signs in as each role, and
// drives each page of a data-driven target list at a fixed rate (open
// loop) and at saturation (closed loop), beside two floors (a static
// answer and a TechEmpower-style "fortunes" page). It reports latency
// percentiles, throughput, errors and peak memory as a markdown table.
package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/benchdata"
	"zhibu/internal/pii"
	"zhibu/internal/review"
	"zhibu/internal/server"
)

// Options configure a run.
type Options struct {
	Pool     *pgxpool.Pool
	Sealer   *pii.Sealer
	Duration time.Duration // of each phase of each target
	Rate     float64       // default fixed rate, requests per second
	Workers  int           // closed-loop workers at saturation
	Targets  []Target      // nil: Targets
	Progress io.Writer     // one line per phase; nil is silent
}

// Row is one target's outcome.
type Row struct {
	Target Target
	// State is "ok", "not built" or why the target was not measured.
	State      string
	Fixed, Sat Result
	FixedRate  float64
	// PeakHeap is the highest heap in use while the target ran.
	PeakHeap uint64
}

// Report is a whole run.
type Report struct {
	Started  time.Time
	Elapsed  time.Duration
	Rows     []Row
	Workers  int
	Duration time.Duration
	// PeakRSS is the process's peak resident memory (VmHWM): the server,
	// and the load generator living in the same process.
	PeakRSS  uint64
	PeakHeap uint64
}

// Run measures every target.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Targets == nil {
		o.Targets = Targets
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	if o.Rate <= 0 {
		o.Rate = 200
	}
	if o.Workers <= 0 {
		o.Workers = 16
	}
	say := func(format string, args ...any) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, format+"\n", args...)
		}
	}
	fx, err := loadFixture(ctx, o.Pool)
	if err != nil {
		return nil, err
	}
	// As in zhibu serve, the review dashboards' statuses are recomputed
	// by a background job; its first run (the day's recompute, when the
	// data set was loaded or last measured on an earlier day) finishes
	// before the measuring starts.
	discard := slog.New(slog.NewTextHandler(io.Discard, nil))
	reviewJobs := review.NewJobs(o.Pool, discard)
	jobStart := time.Now()
	if _, n, err := reviewJobs.RecomputeBehind(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		say("review statuses of %d branches recomputed in %v", n, time.Since(jobStart).Round(time.Millisecond))
	}
	// Write out what the preparation dirtied (the drafts of the last run
	// deleted and new ones made, the vacuum, the recompute), so that the
	// measured requests do not pay for it. Needs a superuser or the
	// pg_checkpoint role; without it the run goes on.
	if _, err := o.Pool.Exec(ctx, `CHECKPOINT`); err != nil {
		say("no checkpoint before measuring: %v", err)
	}
	jobCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	go reviewJobs.Run(jobCtx)
	// The identity cache, kept in step by LISTEN, as zhibu serve runs it.
	identity := auth.NewIdentityCache()
	go auth.ListenIdentity(jobCtx, o.Pool.Config().ConnString(), identity, nil, discard)
	app := server.New(server.Deps{
		Pool:       o.Pool,
		Logger:     discard,
		Sealer:     o.Sealer,
		LoginLimit: 1 << 30, // the sign-in target would otherwise trip the per-IP limit
		ReviewJobs: reviewJobs,
		Identity:   identity,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	srv := &http.Server{Handler: floors(app, o.Pool, fx.Branch), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// Wait for requests the last phase cut off, so none of them runs
		// on after the caller closes the pool.
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	base := "http://" + ln.Addr().String()

	transport := &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, DisableCompression: true, IdleConnTimeout: time.Minute}
	defer transport.CloseIdleConnections()
	hc := &http.Client{Transport: transport, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	cookies := map[User]string{}
	for _, t := range o.Targets {
		users := []User{t.User}
		if t.Spread {
			for _, s := range fx.Savers {
				users = append(users, s.User)
			}
		}
		for _, u := range users {
			if u == Anonymous || cookies[u] != "" {
				continue
			}
			c, err := signIn(ctx, hc, base, u)
			if err != nil {
				return nil, err
			}
			cookies[u] = c
		}
	}

	var database string
	_ = o.Pool.QueryRow(ctx, `SELECT current_database()`).Scan(&database)
	mem := startMemory()
	defer mem.stop()
	rep := &Report{Started: time.Now(), Workers: o.Workers, Duration: o.Duration}
	for _, t := range o.Targets {
		row := Row{Target: t, State: "ok", FixedRate: t.Rate}
		if row.FixedRate == 0 {
			row.FixedRate = o.Rate
		}
		send := sender(hc, base, t, fx, cookies)
		status, detail := probe(ctx, hc, base, t, fx, cookies[t.User])
		switch {
		case status == t.Want:
		case t.Planned && (status == http.StatusNotFound || status == http.StatusMethodNotAllowed):
			row.State = "not built"
		default:
			row.State = fmt.Sprintf("probe answered %d, want %d %s", status, t.Want, detail)
		}
		if row.State != "ok" {
			say("%-28s %s", t.Name, row.State)
			rep.Rows = append(rep.Rows, row)
			continue
		}
		// Warm up (connections, caches, the pool) without measuring.
		runtime.GC()
		saturate(ctx, 4, min(2*time.Second, o.Duration/5), send)
		mem.resetHeap()
		row.Fixed = fixedRate(ctx, row.FixedRate, o.Duration, 2000, send)
		say("%-28s fixed %4.0f/s: p50 %v p95 %v p99 %v errors %d", t.Name, row.FixedRate, ms(row.Fixed.P50), ms(row.Fixed.P95), ms(row.Fixed.P99), row.Fixed.Errors)
		cpu0 := sampleCPU(database)
		row.Sat = saturate(ctx, o.Workers, o.Duration, send)
		self, pg := perRequest(cpu0, sampleCPU(database), row.Sat.Requests)
		say("%-28s saturation: %6.0f req/s p50 %v p95 %v p99 %v errors %d", t.Name, row.Sat.RPS(), ms(row.Sat.P50), ms(row.Sat.P95), ms(row.Sat.P99), row.Sat.Errors)
		say("%-28s cpu per request: %4dµs zhibu and load generator + %4dµs postgres = %4dµs", t.Name, self.Microseconds(), pg.Microseconds(), (self + pg).Microseconds())
		row.PeakHeap = mem.heapPeak()
		rep.Rows = append(rep.Rows, row)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	rep.Elapsed = time.Since(rep.Started)
	rep.PeakHeap = mem.allPeak()
	rep.PeakRSS = peakRSS()
	return rep, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000) }

// signIn posts the login form and returns the Cookie header to send.
func signIn(ctx context.Context, hc *http.Client, base string, u User) (string, error) {
	form := url.Values{"username": {string(u)}, "password": {benchdata.Password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("bench: sign in as %s: %w", u, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("bench: sign in as %s: status %d, want 303 (is the benchmark data set loaded?)", u, resp.StatusCode)
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	return strings.Join(parts, "; "), nil
}

// request builds the n-th request of a target.
func request(ctx context.Context, base string, t Target, fx *Fixture, cookie string, body []byte, n int64) (*http.Request, error) {
	path := t.expand(fx)
	if strings.Contains(path, "{draft_meeting}") && len(fx.Drafts) > 0 {
		path = strings.ReplaceAll(path, "{draft_meeting}", fmt.Sprint(fx.Drafts[n%int64(len(fx.Drafts))]))
	}
	if strings.Contains(path, "{any_meeting}") && len(fx.Meetings) > 0 {
		path = strings.ReplaceAll(path, "{any_meeting}", fmt.Sprint(fx.Meetings[n%int64(len(fx.Meetings))]))
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, t.Method, base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	return req, nil
}

func encodeBody(t Target, fx *Fixture) []byte {
	if t.Body == nil {
		return nil
	}
	return []byte(t.Body(fx).Encode())
}

// probe sends one request and returns its status.
func probe(ctx context.Context, hc *http.Client, base string, t Target, fx *Fixture, cookie string) (int, string) {
	req, err := request(ctx, base, t, fx, cookie, encodeBody(t, fx), 0)
	if err != nil {
		return 0, err.Error()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	drain(resp)
	detail := ""
	if loc := resp.Header.Get("Location"); loc != "" {
		detail = "(to " + loc + ")"
	}
	return resp.StatusCode, detail
}

// sender returns the function the load generators call per request. A
// Spread target's n-th request goes to saver n mod len(Savers), as that
// secretary, with that branch's form and drafts.
func sender(hc *http.Client, base string, t Target, fx *Fixture, cookies map[User]string) do {
	type as struct {
		fx     *Fixture
		cookie string
		body   []byte
	}
	who := []as{{fx, cookies[t.User], encodeBody(t, fx)}}
	if t.Spread && len(fx.Savers) > 1 {
		who = who[:0]
		for _, s := range fx.Savers {
			f := *fx
			f.Branch, f.Members, f.Drafts = s.Branch, s.Members, s.Drafts
			who = append(who, as{&f, cookies[s.User], encodeBody(t, &f)})
		}
	}
	var n atomic.Int64
	return func(ctx context.Context) (bool, string) {
		i := n.Add(1)
		w := who[i%int64(len(who))]
		req, err := request(ctx, base, t, w.fx, w.cookie, w.body, i/int64(len(who)))
		if err != nil {
			return false, err.Error()
		}
		resp, err := hc.Do(req)
		if err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return false, "cut off"
			}
			return false, err.Error()
		}
		drain(resp)
		if resp.StatusCode != t.Want {
			return false, fmt.Sprintf("status %d", resp.StatusCode)
		}
		return true, ""
	}
}

// memory samples the Go heap while the run goes on.
type memory struct {
	mu        sync.Mutex
	heap, all uint64
	done      chan struct{}
	wg        sync.WaitGroup
}

func startMemory() *memory {
	m := &memory{done: make(chan struct{})}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		var st runtime.MemStats
		for {
			select {
			case <-m.done:
				return
			case <-tick.C:
				runtime.ReadMemStats(&st)
				m.mu.Lock()
				m.heap = max(m.heap, st.HeapInuse)
				m.all = max(m.all, st.HeapInuse)
				m.mu.Unlock()
			}
		}
	}()
	return m
}

func (m *memory) resetHeap() { m.mu.Lock(); m.heap = 0; m.mu.Unlock() }

func (m *memory) heapPeak() uint64 { m.mu.Lock(); defer m.mu.Unlock(); return m.heap }

func (m *memory) allPeak() uint64 { m.mu.Lock(); defer m.mu.Unlock(); return m.all }

func (m *memory) stop() {
	select {
	case <-m.done:
	default:
		close(m.done)
	}
	m.wg.Wait()
}
