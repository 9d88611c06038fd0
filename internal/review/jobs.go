package review

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

// Jobs writes branch_status and the kept summaries in the background: a
// dashboard (a GET) only reads, so that no request writes and none waits
// for a whole subtree's recompute. The statuses depend on the day (a
// meeting not yet held becomes due soon, then missed), so on the first
// dashboard of a day, or after a rule change, every branch is evaluated
// again (about 50 s for 10,000 branches). Run does that at start-up,
// shortly after each midnight China time, and whenever a dashboard found
// rows out of date or no kept summary (Kick); meanwhile dashboards show
// the earlier rows, marked as such, with every changed record evaluated
// for the request.
type Jobs struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	now  func() time.Time
	kick chan struct{}
	// done receives the number of subtrees refreshed after each run (tests).
	done chan int

	mu     sync.Mutex
	wanted map[string]work // subtrees and periods dashboards asked for since the last run
}

// work is a subtree and period to refresh.
type work struct {
	Period string
	Roots  []int64
}

// NewJobs returns the background recompute of the review dashboards.
func NewJobs(pool *pgxpool.Pool, log *slog.Logger) *Jobs {
	return &Jobs{pool: pool, log: log, now: time.Now, kick: make(chan struct{}, 1)}
}

// Kick asks for a run soon; it never blocks. A nil Jobs does nothing.
func (j *Jobs) Kick() {
	if j == nil {
		return
	}
	select {
	case j.kick <- struct{}{}:
	default:
	}
}

// want asks the next run to refresh a subtree and period and keep its
// summary, and kicks it; a nil Jobs does nothing.
func (j *Jobs) want(roots []int64, p rules.Period) {
	if j == nil || len(roots) == 0 {
		return
	}
	w := work{p.Key(), scopeKey(roots)}
	j.mu.Lock()
	if j.wanted == nil {
		j.wanted = map[string]work{}
	}
	j.wanted[fmt.Sprint(w.Period, w.Roots)] = w
	j.mu.Unlock()
	j.Kick()
}

// takeWanted returns and forgets what dashboards asked for.
func (j *Jobs) takeWanted() []work {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]work, 0, len(j.wanted))
	for _, w := range j.wanted {
		out = append(out, w)
	}
	j.wanted = nil
	return out
}

// afterMidnight is how long after midnight China time the daily run starts.
const afterMidnight = 5 * time.Second

// untilNextRun is the time from now to the next daily run.
func untilNextRun(now time.Time) time.Duration {
	t := now.In(i18n.Shanghai)
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, i18n.Shanghai).Add(afterMidnight)
	return next.Sub(now)
}

// Run recomputes what is behind at once, then after each midnight and on
// each Kick, until ctx ends.
func (j *Jobs) Run(ctx context.Context) {
	for {
		start := time.Now()
		n, rows, err := j.RecomputeBehind(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			j.log.Error("review: background recompute", "err", err)
		case rows > 0:
			j.log.Info("review: statuses recomputed", "subtrees", n, "rows", rows, "took", time.Since(start).Round(time.Millisecond))
		}
		if j.done != nil {
			j.done <- n
		}
		timer := time.NewTimer(untilNextRun(j.now()))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-j.kick:
		case <-timer.C:
		}
		timer.Stop()
	}
}

const agencyRootsSQL = `SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM organisations WHERE parent_id IS NULL`

// behindScopesSQL lists the subtrees and periods dashboards showed in the
// last week whose rows are not from today under the current rules.
const behindScopesSQL = `
SELECT s.period, s.roots
  FROM branch_status_scopes s CROSS JOIN branch_status_marks m
 WHERE s.computed_on >= $1::date - 7
   AND NOT (s.computed_on = $1 AND s.rules_stamp = $2 AND s.verified_at > m.branches_changed_at)
 ORDER BY s.computed_on DESC, s.period DESC`

// recomputeLock is the advisory lock key of the background recompute.
const recomputeLock = 7420090

const forgetScopesSQL = `DELETE FROM branch_status_scopes WHERE computed_on < $1::date - 30`

// RecomputeBehind brings up to date the current year (the dashboard's
// default period), quarter and month of the whole agency, and every
// subtree and period shown in the last week that is behind. It returns how many subtrees it refreshed
// and how many rows it recomputed.
//
// Several server processes may share a database: one at a time runs the
// recompute (a session advisory lock); the others return at once.
func (j *Jobs) RecomputeBehind(ctx context.Context) (subtrees, recomputed int, err error) {
	conn, err := j.pool.Acquire(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("review: recompute lock: %w", err)
	}
	defer conn.Release()
	var mine bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, recomputeLock).Scan(&mine); err != nil {
		return 0, 0, fmt.Errorf("review: recompute lock: %w", err)
	}
	if !mine {
		j.log.Info("review: another process is recomputing the statuses")
		return 0, 0, nil
	}
	defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, recomputeLock) }()
	today := rules.Day(j.now().In(i18n.Shanghai))
	if recomputed, err = j.recomputeStale(ctx, today); err != nil {
		return 0, recomputed, err
	}
	var list []work
	var agency []int64
	if err := j.pool.QueryRow(ctx, agencyRootsSQL).Scan(&agency); err != nil {
		return 0, 0, fmt.Errorf("review: agency roots: %w", err)
	}
	if len(agency) > 0 {
		// The current year, quarter and month: the periods a reviewer of
		// the whole agency is most likely to open first.
		q := (int(today.Month())-1)/3 + 1
		for _, p := range []rules.Period{rules.Year(today.Year()), rules.Quarter(today.Year(), q), rules.Month(today.Year(), today.Month())} {
			list = append(list, work{p.Key(), agency})
		}
	}
	stamp, _, err := rulesStamp(ctx, j.pool)
	if err != nil {
		return 0, 0, err
	}
	rows, err := j.pool.Query(ctx, behindScopesSQL, today, stamp)
	if err != nil {
		return 0, 0, fmt.Errorf("review: behind scopes: %w", err)
	}
	behind, err := pgx.CollectRows(rows, pgx.RowToStructByPos[work])
	if err != nil {
		return 0, 0, fmt.Errorf("review: behind scopes: %w", err)
	}
	list = append(list, behind...)
	list = append(list, j.takeWanted()...)
	seen := map[string]bool{}
	for _, w := range list {
		key := fmt.Sprint(w.Period, w.Roots)
		if seen[key] {
			continue
		}
		seen[key] = true
		p, err := rules.ParsePeriod(w.Period)
		if err != nil {
			continue
		}
		n, err := Refresh(ctx, j.pool, w.Roots, p, today)
		if err != nil {
			return subtrees, recomputed, err
		}
		subtrees++
		recomputed += n
	}
	if _, err := j.pool.Exec(ctx, forgetScopesSQL, today); err != nil {
		return subtrees, recomputed, fmt.Errorf("review: forget scopes: %w", err)
	}
	return subtrees, recomputed, j.keepSummaries(ctx, today)
}

// allStaleSQL lists the rows marked stale, of every period, through the
// partial index on stale rows.
const allStaleSQL = `
SELECT s.period, array_agg(s.branch_id ORDER BY s.branch_id)
  FROM branch_status s JOIN organisations o ON o.id = s.branch_id
 WHERE s.stale AND o.kind = 'branch' AND o.dissolved_on IS NULL
 GROUP BY s.period`

// recomputeStale recomputes every row a record change marked stale, so
// that dashboards stop evaluating them for each request.
func (j *Jobs) recomputeStale(ctx context.Context, today time.Time) (int, error) {
	stamp, started, err := rulesStamp(ctx, j.pool)
	if err != nil {
		return 0, err
	}
	rows, err := j.pool.Query(ctx, allStaleSQL)
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowToStructByPos[work])
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
	}
	n := 0
	for _, w := range stale {
		p, err := rules.ParsePeriod(w.Period)
		if err != nil {
			continue
		}
		if err := recompute(ctx, j.pool, w.Roots, p, today, stamp, started); err != nil {
			return n, err
		}
		n += len(w.Roots)
	}
	return n, nil
}

// unkeptSQL lists the subtrees and periods refreshed in the last week
// whose kept summary is missing or older than the rows.
const unkeptSQL = `
SELECT s.period, s.roots
  FROM branch_status_scopes s CROSS JOIN branch_status_marks m
  LEFT JOIN branch_status_summaries k ON k.period = s.period AND k.roots = s.roots
 WHERE s.computed_on >= $1::date - 7 AND (k.version IS NULL OR k.version < m.version)`

// keepSummaries computes and keeps the summaries dashboards will read.
func (j *Jobs) keepSummaries(ctx context.Context, today time.Time) error {
	rows, err := j.pool.Query(ctx, unkeptSQL, today)
	if err != nil {
		return fmt.Errorf("review: summaries: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[work])
	if err != nil {
		return fmt.Errorf("review: summaries: %w", err)
	}
	for _, w := range list {
		if err := keepSummary(ctx, j.pool, w.Roots, w.Period); err != nil {
			return err
		}
	}
	return nil
}
