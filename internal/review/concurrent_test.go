package review_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
)

// TestRollupsSurviveConcurrentWriters: two transactions that credit hours
// to the same member at once both commit, and the rollup then holds the
// sum of both (the refresh functions take turns instead of colliding on
// the rollup's primary key).
func TestRollupsSurviveConcurrentWriters(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var memberID int64
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	day := time.Now().AddDate(0, 0, -3)
	var before float64
	month := time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	if err := app.Pool.QueryRow(ctx, `SELECT coalesce(sum(hours), 0)::float8 FROM member_month_stats WHERE member_id = $1 AND month = $2`, memberID, month).Scan(&before); err != nil {
		t.Fatal(err)
	}
	// The first transaction inserts and holds its transaction open while
	// the second inserts; then the first commits, then the second.
	inserted := make(chan struct{})
	errs := make(chan error, 2)
	go func() {
		errs <- pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence) VALUES ($1, 3, 'online', $2, 'first')`, memberID, day)
			close(inserted)
			time.Sleep(300 * time.Millisecond)
			return err
		})
	}()
	<-inserted
	go func() {
		errs <- pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence) VALUES ($1, 3, 'online', $2, 'second')`, memberID, day)
			return err
		})
	}()
	for i := 0; i < 2; i++ {
		if err := <-errs; err != nil {
			t.Fatalf("a concurrent writer failed: %v", err)
		}
	}
	var after float64
	if err := app.Pool.QueryRow(ctx, `SELECT coalesce(sum(hours), 0)::float8 FROM member_month_stats WHERE member_id = $1 AND month = $2`, memberID, month).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before+6 {
		t.Errorf("rollup hours %v → %v, want +6", before, after)
	}
}
