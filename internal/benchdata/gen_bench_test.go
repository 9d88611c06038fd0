package benchdata

import (
	"context"
	"testing"
	"time"
)

// BenchmarkGenerateAttendance measures the Go side of the biggest copy
// (generating attendance rows for 100 branches over a year), to show that
// PostgreSQL, not the generator, bounds the load.
func BenchmarkGenerateAttendance(b *testing.B) {
	cfg := Config{Branches: 100, Members: 2000, Years: 1, Seed: 1, Until: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	g := newGen(cfg, nil, "")
	var rows int
	for b.Loop() {
		ch := make(chan [][]any, 4)
		done := make(chan int)
		go func() {
			n := 0
			for batch := range ch {
				n += len(batch)
			}
			done <- n
		}()
		e := &emitter{ctx: context.Background(), out: ch, batch: make([][]any, 0, batchSize)}
		g.attendance().produce(e)
		e.flush()
		close(ch)
		rows = <-done
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
