package db

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Read replicas (DATABASE_READ_URL). The committee's dashboards,
// compliance pages, reports and exports may read from a streaming
// replica; every write, and a person's reads soon after their own write,
// go to the primary. The decision is taken here, once per request, by
// Router.Middleware: it puts the request's read pool into the context,
// and the read-only handlers ask ReadPool for it.
//
// Read-your-writes: after every request with an unsafe method (a form
// post) the middleware asks the primary for its WAL insert position and
// keeps it in the browser's cookie zhibu_wal (the cookie travels with the
// person to every instance). A later GET reads from a replica only once
// that replica has replayed past the position, else from the primary. A
// forged cookie gains nothing: it only moves the person's reads between
// copies of the same data, each read under the same access checks.

// LSN is a PostgreSQL write-ahead log position.
type LSN uint64

// ParseLSN reads the text form of a pg_lsn ("16/B374D848").
func ParseLSN(s string) (LSN, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok {
		return 0, fmt.Errorf("db: bad LSN %q", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("db: bad LSN %q", s)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("db: bad LSN %q", s)
	}
	return LSN(h<<32 | l), nil
}

// String is the pg_lsn text form.
func (l LSN) String() string { return fmt.Sprintf("%X/%X", uint64(l)>>32, uint64(l)&0xFFFFFFFF) }

// WALCookie names the cookie that holds a person's last write position.
const WALCookie = "zhibu_wal"

// Replica is one streaming replica's pool and what its poller last saw.
type Replica struct {
	Name string // "replica-1", … in the order of DATABASE_READ_URL
	Host string // host:port, for the status page (never the password)
	Pool *pgxpool.Pool

	up         atomic.Bool
	replay     atomic.Uint64 // LSN replayed
	lagBytes   atomic.Int64  // the primary's position minus replay
	lagSeconds atomic.Uint64 // float64 bits: how far behind in time
	checked    atomic.Int64  // unix nanoseconds of the last poll
	reads      atomic.Uint64 // requests routed here
}

// ReplicaStatus is a replica as the status page and /metrics show it.
type ReplicaStatus struct {
	Name, Host string
	Up         bool
	Replay     LSN
	LagBytes   int64
	LagSeconds float64
	Checked    time.Time
	Reads      uint64
	InUse      int32 // connections in use
	Conns      int32 // open connections
}

// Router chooses each request's read pool.
type Router struct {
	primary      *pgxpool.Pool
	replicas     []*Replica
	primaryReads atomic.Uint64
	next         atomic.Uint64
	// MaxLag: a replica further behind in time is not read from (also a
	// reader without a cookie, whom nothing forces to the primary, sees
	// data at most this old). Default 30 s.
	MaxLag time.Duration
	// Every: how often each replica's replay position is polled (250 ms).
	Every time.Duration
	// Secure marks the cookie Secure (served over HTTPS).
	Secure bool
	Logger *slog.Logger
}

// NewRouter routes between the primary and the replicas (none: every
// read goes to the primary, and the middleware does nothing).
func NewRouter(primary *pgxpool.Pool, replicas ...*Replica) *Router {
	return &Router{primary: primary, replicas: replicas, MaxLag: 30 * time.Second, Every: 250 * time.Millisecond}
}

// SplitURLs splits DATABASE_READ_URL: URLs separated by commas. A
// multi-host URL (host1:5432,host2:5432) would be cut apart too, so the
// replicas are named one URL each.
func SplitURLs(s string) []string {
	var out []string
	for _, u := range strings.Split(s, ",") {
		if u = strings.TrimSpace(u); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// OpenReplicas opens a pool on each replica URL. A replica that does not
// answer yet is no error: it is opened lazily and its poller marks it down
// until it answers.
func OpenReplicas(ctx context.Context, urls []string, opts ...PoolOption) ([]*Replica, error) {
	var out []*Replica
	for i, u := range urls {
		cfg, err := pgxpool.ParseConfig(u)
		if err != nil {
			for _, r := range out {
				r.Pool.Close()
			}
			return nil, fmt.Errorf("db: replica %d: parse url: %w", i+1, err)
		}
		name := "replica-" + strconv.Itoa(i+1)
		o := append([]PoolOption{Named("zhibu-" + name)}, opts...)
		pool, err := openLazy(ctx, u, o...)
		if err != nil {
			for _, r := range out {
				r.Pool.Close()
			}
			return nil, fmt.Errorf("db: %s: %w", name, err)
		}
		out = append(out, &Replica{Name: name, Host: hostOf(cfg.ConnConfig.Host, cfg.ConnConfig.Port), Pool: pool})
	}
	return out, nil
}

func hostOf(host string, port uint16) string {
	return (&url.URL{Host: host + ":" + strconv.Itoa(int(port))}).Host
}

// openLazy is Open without the first ping.
func openLazy(ctx context.Context, u string, opts ...PoolOption) (*pgxpool.Pool, error) {
	cfg, err := poolConfig(u, opts...)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// Replicas returns the replicas, in the order of DATABASE_READ_URL.
func (r *Router) Replicas() []*Replica {
	if r == nil {
		return nil
	}
	return r.replicas
}

// Close closes the replicas' pools (the primary's is its owner's).
func (r *Router) Close() {
	for _, rep := range r.Replicas() {
		rep.Pool.Close()
	}
}

// Run polls every replica until ctx ends.
func (r *Router) Run(ctx context.Context) {
	if r == nil || len(r.replicas) == 0 {
		return
	}
	t := time.NewTicker(r.Every)
	defer t.Stop()
	for {
		r.Poll(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

const (
	primaryLSNSQL = `SELECT pg_current_wal_insert_lsn()::text`
	// A replica with nothing left to replay is not behind, however long
	// ago the primary last committed.
	replicaSQL = `
SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '0/0'),
       CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END::float8`
)

// Poll asks each replica once how far it has replayed.
func (r *Router) Poll(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var primary LSN
	var s string
	if err := r.primary.QueryRow(pctx, primaryLSNSQL).Scan(&s); err == nil {
		primary, _ = ParseLSN(s)
	}
	for _, rep := range r.replicas {
		var recovering bool
		var replay string
		var lag float64
		err := rep.Pool.QueryRow(pctx, replicaSQL).Scan(&recovering, &replay, &lag)
		rep.checked.Store(time.Now().UnixNano())
		if err != nil || !recovering {
			// Down, or promoted (no longer replaying: its writes are not
			// the primary's). Either way not read from.
			if rep.up.Swap(false) && r.Logger != nil {
				r.Logger.Warn("db: replica not used", "replica", rep.Name, "err", err, "in_recovery", recovering)
			}
			continue
		}
		l, err := ParseLSN(replay)
		if err != nil {
			rep.up.Store(false)
			continue
		}
		rep.replay.Store(uint64(l))
		rep.lagSeconds.Store(math.Float64bits(max(lag, 0)))
		if primary >= l {
			rep.lagBytes.Store(int64(primary - l))
		} else {
			rep.lagBytes.Store(0)
		}
		rep.up.Store(true)
	}
}

// pick returns a replica that has replayed past need and is within
// MaxLag, round robin; nil when none.
func (r *Router) pick(need LSN) *Replica {
	n := len(r.replicas)
	start := int(r.next.Add(1))
	for i := range n {
		rep := r.replicas[(start+i)%n]
		if !rep.up.Load() || LSN(rep.replay.Load()) < need {
			continue
		}
		if time.Duration(math.Float64frombits(rep.lagSeconds.Load())*float64(time.Second)) > r.MaxLag {
			continue
		}
		return rep
	}
	return nil
}

type readKey struct{}

// readChoice is a GET's read pool, chosen on first use: a page that reads
// nothing through ReadPool costs no choice and counts no read.
type readChoice struct {
	r    *Router
	need LSN
	once sync.Once
	pool *pgxpool.Pool
}

func (c *readChoice) get() *pgxpool.Pool {
	c.once.Do(func() {
		if rep := c.r.pick(c.need); rep != nil {
			rep.reads.Add(1)
			c.pool = rep.Pool
			return
		}
		c.r.primaryReads.Add(1)
		c.pool = c.r.primary
	})
	return c.pool
}

// ReadPool returns the pool the request's read-only pages read from: a
// replica chosen by Router.Middleware (once per request, on the first
// call), or fallback (the primary) when there is none. Writes never use it.
func ReadPool(ctx context.Context, fallback *pgxpool.Pool) *pgxpool.Pool {
	switch v := ctx.Value(readKey{}).(type) {
	case *pgxpool.Pool:
		return v
	case *readChoice:
		return v.get()
	}
	return fallback
}

// WithReadPool puts a read pool into the context (tests, and the middleware).
func WithReadPool(ctx context.Context, p *pgxpool.Pool) context.Context {
	return context.WithValue(ctx, readKey{}, p)
}

// Middleware chooses the request's read pool (GET and HEAD) or, after a
// request with another method, records the primary's WAL position in the
// person's cookie. Without replicas it passes requests through.
func (r *Router) Middleware(next http.Handler) http.Handler {
	if r == nil || len(r.replicas) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet || req.Method == http.MethodHead {
			var need LSN
			if c, err := req.Cookie(WALCookie); err == nil {
				need, _ = ParseLSN(c.Value)
			}
			next.ServeHTTP(w, req.WithContext(context.WithValue(req.Context(), readKey{}, &readChoice{r: r, need: need})))
			return
		}
		next.ServeHTTP(&walWriter{ResponseWriter: w, r: r, req: req}, req.WithContext(WithReadPool(req.Context(), r.primary)))
	})
}

// walWriter sets the cookie with the primary's WAL position just before
// the response's header goes out: the handler's transactions have
// committed by then (a store commits before the handler redirects or
// renders).
type walWriter struct {
	http.ResponseWriter
	r    *Router
	req  *http.Request
	done bool
}

func (w *walWriter) mark() {
	if w.done {
		return
	}
	w.done = true
	ctx, cancel := context.WithTimeout(w.req.Context(), 2*time.Second)
	defer cancel()
	var s string
	if err := w.r.primary.QueryRow(ctx, primaryLSNSQL).Scan(&s); err != nil {
		return // the person may read an older copy for a moment; nothing breaks
	}
	http.SetCookie(w.ResponseWriter, &http.Cookie{Name: WALCookie, Value: s, Path: "/", HttpOnly: true,
		Secure: w.r.Secure, SameSite: http.SameSiteLaxMode})
}

func (w *walWriter) WriteHeader(code int) {
	w.mark()
	w.ResponseWriter.WriteHeader(code)
}

func (w *walWriter) Write(b []byte) (int, error) {
	w.mark()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *walWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Status lists the replicas' state now.
func (r *Router) Status() []ReplicaStatus {
	var out []ReplicaStatus
	for _, rep := range r.Replicas() {
		st := rep.Pool.Stat()
		out = append(out, ReplicaStatus{
			Name: rep.Name, Host: rep.Host, Up: rep.up.Load(), Replay: LSN(rep.replay.Load()),
			LagBytes: rep.lagBytes.Load(), LagSeconds: math.Float64frombits(rep.lagSeconds.Load()),
			Checked: time.Unix(0, rep.checked.Load()), Reads: rep.reads.Load(),
			InUse: st.AcquiredConns(), Conns: st.TotalConns(),
		})
	}
	return out
}

// PrimaryReads is how many read-only pages (GETs that asked ReadPool) read
// from the primary.
func (r *Router) PrimaryReads() uint64 {
	if r == nil {
		return 0
	}
	return r.primaryReads.Load()
}

// WriteMetrics writes the replicas' figures in the Prometheus text format.
func (r *Router) WriteMetrics(w io.Writer) {
	if r == nil || len(r.replicas) == 0 {
		return
	}
	st := r.Status()
	fmt.Fprintln(w, "# HELP zhibu_db_reads_total Read-only pages (dashboards, compliance pages, reports, exports) by the pool they read from.")
	fmt.Fprintln(w, "# TYPE zhibu_db_reads_total counter")
	fmt.Fprintf(w, "zhibu_db_reads_total{pool=\"primary\"} %d\n", r.PrimaryReads())
	for _, s := range st {
		fmt.Fprintf(w, "zhibu_db_reads_total{pool=%q} %d\n", s.Name, s.Reads)
	}
	series := []struct {
		name, help string
		v          func(ReplicaStatus) float64
	}{
		{"zhibu_db_replica_up", "1 while the replica answers and replays the primary's WAL.", func(s ReplicaStatus) float64 { return b2f(s.Up) }},
		{"zhibu_db_replica_lag_seconds", "How far the replica's replay is behind in time (0 with nothing left to replay).", func(s ReplicaStatus) float64 { return s.LagSeconds }},
		{"zhibu_db_replica_lag_bytes", "The primary's WAL position minus the replica's replay position.", func(s ReplicaStatus) float64 { return float64(s.LagBytes) }},
	}
	for _, m := range series {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n", m.name, m.help, m.name)
		for _, s := range st {
			fmt.Fprintf(w, "%s{replica=%q} %g\n", m.name, s.Name, m.v(s))
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
