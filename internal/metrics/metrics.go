// Package metrics counts requests and their latencies by route and status
// and exposes them, with the database pool's figures, in the Prometheus
// text format at /metrics. No dependency: the format is a few lines.
package metrics

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgxpool"
)

// buckets are the latency histogram's upper bounds in seconds.
var buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type key struct {
	route, method string
	status        int
}

type series struct {
	count  uint64
	sum    float64
	bucket []uint64 // cumulative counts are computed at exposition
}

// Registry holds the request figures of one process.
type Registry struct {
	mu     sync.Mutex
	series map[key]*series
	start  time.Time
	// collectors write figures kept elsewhere (the read replicas, the
	// identity cache), by name so that adding one twice keeps one.
	collectors map[string]func(io.Writer)
}

// Collect adds figures kept by another package to the exposition: f
// writes them in the text format. A second Collect of the same name
// replaces the first.
func (r *Registry) Collect(name string, f func(io.Writer)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.collectors == nil {
		r.collectors = map[string]func(io.Writer){}
	}
	r.collectors[name] = f
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{series: map[key]*series{}, start: time.Now()}
}

// knownMethods are the methods a label may name; every other method is
// counted as "other", so that no request can create a series of its own.
var knownMethods = map[string]bool{
	http.MethodGet: true, http.MethodHead: true, http.MethodPost: true, http.MethodPut: true,
	http.MethodPatch: true, http.MethodDelete: true, http.MethodOptions: true,
	http.MethodConnect: true, http.MethodTrace: true,
}

// boundMethod maps a request's method to a label value from a fixed set.
func boundMethod(m string) string {
	if knownMethods[m] {
		return m
	}
	return "other"
}

// boundStatus maps a status to itself when it is a registered HTTP status,
// else to 0 (shown as "other").
func boundStatus(s int) int {
	if http.StatusText(s) == "" {
		return 0
	}
	return s
}

// Observe records one finished request. route must be a route pattern
// (a value from a fixed set), never a raw path; "" counts as "unmatched".
// The method and status are bounded to known values here.
func (r *Registry) Observe(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	k := key{route, boundMethod(method), boundStatus(status)}
	secs := d.Seconds()
	r.mu.Lock()
	s, ok := r.series[k]
	if !ok {
		s = &series{bucket: make([]uint64, len(buckets))}
		r.series[k] = s
	}
	s.count++
	s.sum += secs
	for i, b := range buckets {
		if secs <= b {
			s.bucket[i]++
			break
		}
	}
	r.mu.Unlock()
}

// Middleware records every request under its chi route pattern (never the
// raw path, so ids do not explode the series); a request that matched no
// route is "unmatched", whatever its path.
func (r *Registry) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, req.ProtoMajor)
		next.ServeHTTP(ww, req)
		route := ""
		if rc := chi.RouteContext(req.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		r.Observe(route, req.Method, status, time.Since(start))
	})
}

// Handler serves the figures, with the pool's when pool is not nil.
func (r *Registry) Handler(pool *pgxpool.Pool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		r.Write(w, pool)
	})
}

// Write writes the exposition text.
func (r *Registry) Write(w io.Writer, pool *pgxpool.Pool) {
	r.mu.Lock()
	keys := make([]key, 0, len(r.series))
	for k := range r.series {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.route != b.route {
			return a.route < b.route
		}
		if a.method != b.method {
			return a.method < b.method
		}
		return a.status < b.status
	})
	snap := make([]series, len(keys))
	for i, k := range keys {
		s := r.series[k]
		snap[i] = series{count: s.count, sum: s.sum, bucket: append([]uint64(nil), s.bucket...)}
	}
	names := make([]string, 0, len(r.collectors))
	for n := range r.collectors {
		names = append(names, n)
	}
	sort.Strings(names)
	collect := make([]func(io.Writer), len(names))
	for i, n := range names {
		collect[i] = r.collectors[n]
	}
	r.mu.Unlock()

	fmt.Fprintln(w, "# HELP zhibu_http_requests_total HTTP requests by route, method and status.")
	fmt.Fprintln(w, "# TYPE zhibu_http_requests_total counter")
	for i, k := range keys {
		fmt.Fprintf(w, "zhibu_http_requests_total{%s} %d\n", labels(k), snap[i].count)
	}
	fmt.Fprintln(w, "# HELP zhibu_http_request_duration_seconds HTTP request latency by route, method and status.")
	fmt.Fprintln(w, "# TYPE zhibu_http_request_duration_seconds histogram")
	for i, k := range keys {
		var cum uint64
		for j, b := range buckets {
			cum += snap[i].bucket[j]
			fmt.Fprintf(w, "zhibu_http_request_duration_seconds_bucket{%s,le=\"%s\"} %d\n", labels(k), strconv.FormatFloat(b, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "zhibu_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %d\n", labels(k), snap[i].count)
		fmt.Fprintf(w, "zhibu_http_request_duration_seconds_sum{%s} %g\n", labels(k), snap[i].sum)
		fmt.Fprintf(w, "zhibu_http_request_duration_seconds_count{%s} %d\n", labels(k), snap[i].count)
	}
	if pool != nil {
		st := pool.Stat()
		gauge(w, "zhibu_db_pool_acquired_conns", "Connections in use.", float64(st.AcquiredConns()))
		gauge(w, "zhibu_db_pool_idle_conns", "Idle connections.", float64(st.IdleConns()))
		gauge(w, "zhibu_db_pool_total_conns", "Open connections.", float64(st.TotalConns()))
		gauge(w, "zhibu_db_pool_max_conns", "The pool's size limit.", float64(st.MaxConns()))
		counter(w, "zhibu_db_pool_acquire_total", "Connections acquired from the pool.", float64(st.AcquireCount()))
		counter(w, "zhibu_db_pool_empty_acquire_total", "Acquires that had to wait for a connection.", float64(st.EmptyAcquireCount()))
		counter(w, "zhibu_db_pool_acquire_wait_seconds_total", "Time spent waiting for connections.", st.AcquireDuration().Seconds())
	}
	for _, f := range collect {
		f(w)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauge(w, "zhibu_go_goroutines", "Goroutines.", float64(runtime.NumGoroutine()))
	gauge(w, "zhibu_go_heap_alloc_bytes", "Heap bytes in use.", float64(ms.HeapAlloc))
	gauge(w, "zhibu_go_sys_bytes", "Bytes obtained from the system.", float64(ms.Sys))
	gauge(w, "zhibu_uptime_seconds", "Seconds since the process started serving.", time.Since(r.start).Seconds())
}

func labels(k key) string {
	status := "other"
	if k.status != 0 {
		status = strconv.Itoa(k.status)
	}
	return fmt.Sprintf("route=%q,method=%q,status=%q", k.route, k.method, status)
}

func gauge(w io.Writer, name, help string, v float64) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s gauge\n%s %g\n", name, help, name, name, v)
}

func counter(w io.Writer, name, help string, v float64) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s counter\n%s %g\n", name, help, name, name, v)
}
