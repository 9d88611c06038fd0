package bench

import (
	"context"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Result is what one run of one target measured.
type Result struct {
	Requests int
	Errors   int
	Elapsed  time.Duration
	P50      time.Duration
	P95      time.Duration
	P99      time.Duration
	Max      time.Duration
	// FirstError describes the first failure, for the report.
	FirstError string
}

// RPS is the completed requests per second.
func (r Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// do sends one request and reports whether it got the wanted status.
type do func(ctx context.Context) (ok bool, detail string)

// recorder collects latencies; every sample is kept (a run has at most a
// few hundred thousand), so the percentiles are exact.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	first     string
}

func (r *recorder) add(d time.Duration, ok bool, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, d)
	if !ok {
		r.errors++
		if r.first == "" {
			r.first = detail
		}
	}
}

func (r *recorder) result(elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	res := Result{Requests: len(s), Errors: r.errors, Elapsed: elapsed, FirstError: r.first}
	if len(s) > 0 {
		res.P50, res.P95, res.P99, res.Max = percentile(s, 0.50), percentile(s, 0.95), percentile(s, 0.99), s[len(s)-1]
	}
	return res
}

// percentile reads the q-th quantile of sorted samples (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// fixedRate sends requests on a fixed schedule (open loop) for d. Each
// latency counts from the moment the request was due, not from when it
// was sent, so a slow server cannot hide its queue (no coordinated
// omission). At most maxInFlight requests are outstanding; a request due
// while that many are still out counts as an error.
func fixedRate(ctx context.Context, rate float64, d time.Duration, maxInFlight int, send do) Result {
	rec := &recorder{}
	interval := time.Duration(float64(time.Second) / rate)
	n := int(d.Seconds() * rate)
	slots := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		due := start.Add(time.Duration(i) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		select {
		case slots <- struct{}{}:
		default:
			rec.add(time.Since(due), false, "too many requests in flight")
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			ok, detail := send(ctx)
			rec.add(time.Since(due), ok, detail)
		}()
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// saturate runs workers closed loops (each sends its next request when
// the last one answers) for d: the throughput the server can sustain.
func saturate(ctx context.Context, workers int, d time.Duration, send do) Result {
	rec := &recorder{}
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A request under way at the end is let finish (and counted):
			// cutting it off would make the server abort its transaction
			// and drop its database connection, and the next phase would
			// pay for new connections.
			for ctx.Err() == nil && time.Now().Before(end) {
				t := time.Now()
				ok, detail := send(ctx)
				if ctx.Err() != nil && !ok {
					return // the run was cancelled
				}
				rec.add(time.Since(t), ok, detail)
			}
		}()
	}
	wg.Wait()
	return rec.result(time.Since(start))
}

// drain reads and closes a response body so the connection is reused.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}
