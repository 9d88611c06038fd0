package review_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// BenchmarkDashboardAt10000Branches builds 10,000 branches (250,000
// members) with a year of meetings and committee attendance, then measures
// the warm dashboard through HTTP; it reports p50 and p95 as metrics.
// Building the data takes minutes, so it is a benchmark, run on demand:
//
//	go run ./internal/dbtest/withpg -- go test -run '^$' -bench DashboardAt10000 -benchtime 40x ./internal/review/
func BenchmarkDashboardAt10000Branches(b *testing.B) {
	t := b
	app := apptest.New(t)
	ctx := context.Background()
	root := committeeID(t, app)
	start := time.Now()
	steps := []string{
		`INSERT INTO organisations (parent_id, kind, name, established_on) SELECT $1, 'general_branch', '规模总支' || g, '2015-01-01' FROM generate_series(1, 100) g`,
		`INSERT INTO organisations (parent_id, kind, name, established_on)
		 SELECT gb.id, 'branch', gb.name || '支部' || g, '2015-01-01' FROM organisations gb, generate_series(1, 100) g WHERE gb.name LIKE '规模总支%'`,
		`INSERT INTO members (branch_id, name, gender, birth_date, category, applied_on, admitted_on, converted_on)
		 SELECT o.id, '党员' || g, 'male', '1980-01-01', 'full', '2000-01-01', '2001-01-01', '2002-01-01'
		   FROM organisations o, generate_series(1, 25) g WHERE o.kind = 'branch' AND o.name LIKE '规模总支%'`,
		`INSERT INTO committee_terms (org_id, term_no, elected_on, due_on) SELECT id, 1, current_date - 400, current_date + 700 FROM organisations WHERE kind = 'branch' AND name LIKE '规模总支%'`,
		`INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at)
		 SELECT o.id, k, '会议', make_timestamptz(extract(year FROM current_date)::int, m, 10, 9, 0, 0, 'Asia/Shanghai'),
		        make_timestamptz(extract(year FROM current_date)::int, m, 10, 10, 0, 0, 'Asia/Shanghai'), 'submitted', now()
		   FROM organisations o, generate_series(1, extract(month FROM current_date)::int) m, unnest(ARRAY['committee', 'party_day', 'study']) k
		  WHERE o.kind = 'branch' AND o.name LIKE '规模总支%' AND (o.id + m) % 7 <> 0`,
		`INSERT INTO attendance (meeting_id, member_id, status)
		 SELECT mt.id, mb.id, CASE WHEN mb.id % 9 = 0 THEN 'absent' ELSE 'present' END
		   FROM meetings mt JOIN members mb ON mb.branch_id = mt.org_id AND mb.name IN ('党员1', '党员2', '党员3', '党员4', '党员5')
		  WHERE mt.kind = 'committee' AND mt.topic = '会议'`,
		`INSERT INTO study_credits (member_id, meeting_id, hours, kind, earned_on)
		 SELECT a.member_id, a.meeting_id, 3, 'meeting', (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
		   FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id WHERE a.status = 'present' AND mt.topic = '会议'`,
		`ANALYZE`,
	}
	for i, s := range steps {
		st := time.Now()
		var err error
		if i == 0 {
			_, err = app.Pool.Exec(ctx, s, root)
		} else {
			_, err = app.Pool.Exec(ctx, s)
		}
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		t.Logf("step %d: %v", i, time.Since(st))
	}
	t.Logf("data loaded in %v", time.Since(start))
	st := time.Now()
	n, err := review.Refresh(ctx, app.Pool, []int64{root}, rules.Year(time.Now().Year()), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cold refresh of %d branches: %v", n, time.Since(st))
	c := app.Login(t, "reviewer")
	st = time.Now()
	r := c.Get("/review")
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	t.Logf("cold dashboard (recomputes every branch): %v, branches %s", time.Since(st), r.TestID("count-branches"))
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		st := time.Now()
		if r := c.Get("/review"); r.Status != 200 {
			t.Fatal(r.Status)
		}
		times = append(times, time.Since(st))
	}
	b.StopTimer()
	// A change in one branch, then the page again.
	if _, err := app.Pool.Exec(ctx, `UPDATE meetings SET topic = '改' WHERE id = (SELECT max(id) FROM meetings)`); err != nil {
		t.Fatal(err)
	}
	st = time.Now()
	c.Get("/review?sort=attendance&dir=asc&problems=1")
	t.Logf("after one change: %v", time.Since(st))
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(times[len(times)*95/100].Milliseconds()), "p95-ms")
}
