package benchdata

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// batchSize is how many rows a producer hands to COPY at a time.
const batchSize = 2000

// stream is a pgx.CopyFromSource fed by a producer goroutine in batches,
// so that no table's rows are ever all in memory and generating rows
// overlaps with encoding them.
type stream struct {
	batches <-chan [][]any
	cur     [][]any
	i       int
	rows    *atomic.Int64
}

func (s *stream) Next() bool {
	s.i++
	for s.i >= len(s.cur) {
		b, ok := <-s.batches
		if !ok {
			return false
		}
		s.cur, s.i = b, 0
	}
	s.rows.Add(1)
	return true
}

func (s *stream) Values() ([]any, error) { return s.cur[s.i], nil }

func (s *stream) Err() error { return nil }

// emitter collects rows into batches for a stream.
type emitter struct {
	ctx   context.Context
	out   chan<- [][]any
	batch [][]any
}

// row queues one row; it reports false when the copy was abandoned.
func (e *emitter) row(values ...any) bool {
	e.batch = append(e.batch, values)
	if len(e.batch) < batchSize {
		return true
	}
	return e.flush()
}

func (e *emitter) flush() bool {
	if len(e.batch) == 0 {
		return true
	}
	select {
	case e.out <- e.batch:
		e.batch = make([][]any, 0, batchSize)
		return true
	case <-e.ctx.Done():
		return false
	}
}

// table is one COPY: its name, columns, and the producer of its rows.
type table struct {
	name    string
	columns []string
	produce func(e *emitter)
}

// copyTable streams one table into PostgreSQL with COPY.
func copyTable(ctx context.Context, conn *pgx.Conn, t table, p *progress) (int64, error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan [][]any, 4)
	go func() {
		defer close(ch)
		e := &emitter{ctx: cctx, out: ch, batch: make([][]any, 0, batchSize)}
		t.produce(e)
		e.flush()
	}()
	var rows atomic.Int64
	stop := p.watch(t.name, &rows)
	n, err := conn.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, &stream{batches: ch, rows: &rows})
	cancel()
	for range ch { // let the producer finish
	}
	stop(n)
	if err != nil {
		return n, fmt.Errorf("benchdata: copy %s: %w", t.name, err)
	}
	return n, nil
}

// copyAll runs the tables' copies at the same time, one connection each.
// Tables copied together must not reference one another.
func copyAll(ctx context.Context, pool *pgxpool.Pool, p *progress, tables ...table) error {
	var wg sync.WaitGroup
	errs := make([]error, len(tables))
	for i, t := range tables {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pool.Acquire(ctx)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Release()
			_, errs[i] = copyTable(ctx, c.Conn(), t, p)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// progress prints what each copy has done so far to a writer.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
}

func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintf(p.w, "[%6.1fs] %s\n", time.Since(p.start).Seconds(), fmt.Sprintf(format, args...))
}

// watch prints the row count of a running copy every few seconds; the
// returned func stops it and prints the total.
func (p *progress) watch(name string, rows *atomic.Int64) func(total int64) {
	began := time.Now()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(5 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				n := rows.Load()
				p.printf("%-20s %12d rows  %9.0f rows/s", name, n, float64(n)/time.Since(began).Seconds())
			}
		}
	}()
	return func(total int64) {
		close(done)
		wg.Wait()
		el := time.Since(began)
		p.printf("%-20s %12d rows  %9.0f rows/s  done in %.1fs", name, total, float64(total)/el.Seconds(), el.Seconds())
	}
}
