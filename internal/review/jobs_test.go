package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/server"
)

// withJobs gives the app a background recompute (not running: the test
// runs it) and returns it through j.
func withJobs(j **review.Jobs) apptest.Option {
	return func(d *server.Deps) {
		*j = review.NewJobs(d.Pool, d.Logger)
		d.ReviewJobs = *j
	}
}

func todayCN() time.Time { return rules.Day(time.Now().In(i18n.Shanghai)) }

// countComputedOn counts the year's status rows computed on day.
func countComputedOn(t testing.TB, app *apptest.App, day time.Time) int {
	t.Helper()
	return int(app.Int(t, `SELECT count(*) FROM branch_status WHERE period = $1 AND computed_on = $2`, rules.Year(todayCN().Year()).Key(), day))
}

// stored runs the background job once, which stores what dashboards read
// (a dashboard only reads).
func stored(t testing.TB, jobs *review.Jobs) {
	t.Helper()
	if _, _, err := jobs.RecomputeBehind(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// yesterday makes every status row and scope look computed the day before.
func yesterday(t testing.TB, app *apptest.App) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{`UPDATE branch_status SET computed_on = computed_on - 1`, `UPDATE branch_status_scopes SET computed_on = computed_on - 1`} {
		if _, err := app.Pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDayRolloverWithoutWaiting: on the first dashboard of a day the
// request does not recompute every branch; it shows the earlier rows,
// says so, recomputes only the branch whose records changed, and asks the
// background job, after which the page is current.
func TestDayRolloverWithoutWaiting(t *testing.T) {
	t.Parallel()
	var jobs *review.Jobs
	app := apptest.New(t, withJobs(&jobs))
	ctx := context.Background()
	rev := app.Login(t, "reviewer")
	stored(t, jobs)
	first := rev.Get("/review")
	if first.Status != 200 || first.Has(`[data-testid="recomputing"]`) {
		t.Fatalf("first dashboard: %d, recomputing notice %v", first.Status, first.Has(`[data-testid="recomputing"]`))
	}
	branches := first.TestID("count-branches")
	total := countComputedOn(t, app, todayCN())
	if total == 0 {
		t.Fatal("no status rows computed today")
	}
	jobs.Kicked() // whatever the first load asked for

	yesterday(t, app)
	r := rev.Get("/review")
	if r.Status != 200 || !r.Has(`[data-testid="recomputing"]`) {
		t.Fatalf("after midnight: %d, recomputing notice %v", r.Status, r.Has(`[data-testid="recomputing"]`))
	}
	if r.TestID("count-branches") != branches {
		t.Errorf("branches %s after midnight, %s before", r.TestID("count-branches"), branches)
	}
	if n := countComputedOn(t, app, todayCN()); n != 0 {
		t.Errorf("the request recomputed %d rows itself", n)
	}
	if !jobs.Kicked() {
		t.Error("the background job was not asked to run")
	}

	// A record changes: the next load shows it at once.
	finance := app.OrgID(t, "财务处党支部")
	at := time.Date(todayCN().Year(), 1, 20, 10, 0, 0, 0, i18n.Shanghai)
	if _, err := app.Pool.Exec(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at) VALUES ($1, 'committee', '补开', $2, $3, 'submitted', now())`,
		finance, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if r := rev.Get("/review"); r.Status != 200 || !r.Has(`[data-testid="recomputing"]`) {
		t.Fatalf("after the change: %d, recomputing notice %v", r.Status, r.Has(`[data-testid="recomputing"]`))
	}
	if n := countComputedOn(t, app, todayCN()); n != 0 {
		t.Errorf("the request wrote %d rows itself", n)
	}
	sameAsLiveWith(t, app, committeeID(t, app), rules.Year(todayCN().Year()), review.Options{Jobs: jobs}, "after the change")

	// The job runs: every row is today's and the notice is gone.
	subtrees, rows, err := jobs.RecomputeBehind(ctx)
	if err != nil || subtrees == 0 || rows < total-1 {
		t.Fatalf("background run: %d subtrees, %d rows, %v; want at least %d rows", subtrees, rows, err, total-1)
	}
	r = rev.Get("/review")
	if r.Has(`[data-testid="recomputing"]`) || countComputedOn(t, app, todayCN()) != total {
		t.Errorf("after the job: notice %v, %d of %d rows today", r.Has(`[data-testid="recomputing"]`), countComputedOn(t, app, todayCN()), total)
	}
	sameAsLive(t, app, committeeID(t, app), rules.Year(todayCN().Year()), "after the background run")
	// A second run finds nothing to do.
	if _, rows, err := jobs.RecomputeBehind(ctx); err != nil || rows != 0 {
		t.Errorf("second run recomputed %d rows (%v)", rows, err)
	}
}

// TestRecomputeRunsInOneProcessAtATime: while another server process
// holds the recompute lock, a run returns without recomputing; once it is
// released, the run does the work.
func TestRecomputeRunsInOneProcessAtATime(t *testing.T) {
	t.Parallel()
	var jobs *review.Jobs
	app := apptest.New(t, withJobs(&jobs))
	ctx := context.Background()
	app.Login(t, "reviewer").Get("/review")
	stored(t, jobs)
	total := countComputedOn(t, app, todayCN())
	yesterday(t, app)

	other, err := app.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_lock(7420090)`); err != nil {
		t.Fatal(err)
	}
	if subtrees, rows, err := jobs.RecomputeBehind(ctx); err != nil || subtrees != 0 || rows != 0 {
		t.Errorf("run while another holds the lock: %d subtrees, %d rows, %v; want nothing done", subtrees, rows, err)
	}
	if n := countComputedOn(t, app, todayCN()); n != 0 {
		t.Errorf("%d rows recomputed while another process held the lock", n)
	}
	if _, err := other.Exec(ctx, `SELECT pg_advisory_unlock(7420090)`); err != nil {
		t.Fatal(err)
	}
	other.Release()
	if _, rows, err := jobs.RecomputeBehind(ctx); err != nil || rows < total {
		t.Errorf("run after release: %d rows, %v; want at least %d", rows, err, total)
	}
}

// TestJobsRunAtStartAndOnKick: Run recomputes what is behind as soon as
// it starts, again when kicked, and stops with its context.
func TestJobsRunAtStartAndOnKick(t *testing.T) {
	t.Parallel()
	var jobs *review.Jobs
	app := apptest.New(t, withJobs(&jobs))
	rev := app.Login(t, "reviewer")
	rev.Get("/review")
	stored(t, jobs)
	jobs.Kicked() // whatever the first load asked for: stored did it
	total := countComputedOn(t, app, todayCN())
	yesterday(t, app)

	runs := make(chan int, 4)
	jobs.NotifyRuns(runs)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { jobs.Run(ctx); close(stopped) }()
	wait := func(step string) int {
		t.Helper()
		select {
		case n := <-runs:
			return n
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: no run", step)
		}
		return 0
	}
	if n := wait("start-up"); n == 0 || countComputedOn(t, app, todayCN()) != total {
		t.Errorf("start-up run: %d subtrees, %d of %d rows today", n, countComputedOn(t, app, todayCN()), total)
	}
	yesterday(t, app)
	// A dashboard that finds its rows behind kicks the job.
	if r := rev.Get("/review"); !r.Has(`[data-testid="recomputing"]`) {
		t.Error("no recomputing notice")
	}
	wait("kick")
	if n := countComputedOn(t, app, todayCN()); n != total {
		t.Errorf("after the kick: %d of %d rows today", n, total)
	}
	if r := rev.Get("/review"); r.Has(`[data-testid="recomputing"]`) {
		t.Error("notice still shown after the run")
	}
	cancel()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop with its context")
	}
}

func TestUntilNextRun(t *testing.T) {
	cn := i18n.Shanghai
	tests := []struct {
		now  time.Time
		want time.Duration
	}{
		{time.Date(2026, 3, 1, 23, 59, 0, 0, cn), time.Minute + 5*time.Second},
		{time.Date(2026, 3, 1, 0, 0, 10, 0, cn), 24*time.Hour - 5*time.Second},
		{time.Date(2026, 3, 1, 16, 30, 0, 0, time.UTC), 23*time.Hour + 30*time.Minute + 5*time.Second}, // 00:30 in China
		{time.Date(2026, 12, 31, 12, 0, 0, 0, cn), 12*time.Hour + 5*time.Second},
	}
	for _, tc := range tests {
		if got := review.UntilNextRun(tc.now); got != tc.want {
			t.Errorf("UntilNextRun(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

// TestFreshSubtreeChecksOnlyStaleRows: once a subtree is recorded as
// computed today, a dashboard reads only the rows marked stale (a row
// silently made old is left alone), while a branch added since is found.
func TestFreshSubtreeChecksOnlyStaleRows(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := committeeID(t, app)
	p := rules.Year(todayCN().Year())
	refreshed(t, app, root, p)
	sameAsLive(t, app, root, p, "first load")
	finance := app.OrgID(t, "财务处党支部")
	if _, err := app.Pool.Exec(ctx, `UPDATE branch_status SET computed_on = computed_on - 1 WHERE branch_id = $1`, finance); err != nil {
		t.Fatal(err)
	}
	if _, err := review.Subtree(ctx, app.Pool, []int64{root}, p, todayCN(), review.Options{}); err != nil {
		t.Fatal(err)
	}
	var day time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT computed_on FROM branch_status WHERE branch_id = $1 AND period = $2`, finance, p.Key()).Scan(&day); err != nil {
		t.Fatal(err)
	}
	if !day.Equal(todayCN().AddDate(0, 0, -1)) {
		t.Errorf("a fresh subtree rechecked every row: the untouched row was recomputed (%v)", day)
	}
	// A record change: the next load recomputes the branch and the kept
	// summary (counts, chart) follows.
	at := time.Date(todayCN().Year(), 2, 12, 10, 0, 0, 0, i18n.Shanghai)
	if _, err := app.Pool.Exec(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at) VALUES ($1, 'committee', '补开', $2, $3, 'submitted', now())`,
		finance, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	sameAsLive(t, app, root, p, "meeting added")
	// A new branch changes the set of branches: the next load finds it.
	var n0 int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM branch_status WHERE period = $1`, p.Key()).Scan(&n0); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '新设党支部', '2020-01-01')`, root); err != nil {
		t.Fatal(err)
	}
	d := sameAsLive(t, app, root, p, "branch added")
	if !slices.ContainsFunc(d.Rows, func(r review.Row) bool { return r.Branch.Name == "新设党支部" }) {
		t.Error("the new branch is not on the dashboard")
	}
}

// The background run prepares the current quarter and month of the whole
// agency as well as its year, so a reviewer who switches the dashboard to
// them waits for nothing.
func TestRecomputePreparesTheCurrentQuarterAndMonth(t *testing.T) {
	t.Parallel()
	var jobs *review.Jobs
	app := apptest.New(t, withJobs(&jobs))
	ctx := context.Background()
	if _, _, err := jobs.RecomputeBehind(ctx); err != nil {
		t.Fatal(err)
	}
	today := todayCN()
	periods := []rules.Period{rules.Year(today.Year()), rules.Quarter(today.Year(), (int(today.Month())-1)/3+1), rules.Month(today.Year(), today.Month())}
	var counts []int
	for _, p := range periods {
		var n int
		if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM branch_status WHERE period = $1 AND computed_on = $2 AND NOT stale`, p.Key(), today).Scan(&n); err != nil {
			t.Fatal(err)
		}
		counts = append(counts, n)
	}
	if counts[0] == 0 || counts[1] != counts[0] || counts[2] != counts[0] {
		t.Fatalf("rows computed for year, quarter, month: %v; want the same number for each", counts)
	}
	rev := app.Login(t, "reviewer")
	if r := rev.Get("/review?period=" + periods[2].Key()); r.Status != 200 || r.Has(`[data-testid="recomputing"]`) {
		t.Errorf("month view: %d, recomputing notice %v", r.Status, r.Has(`[data-testid="recomputing"]`))
	}
}
