package bench

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/benchdata"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestPercentile(t *testing.T) {
	var s []time.Duration
	for i := 1; i <= 100; i++ {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.95, 95 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(s, c.q); got != c.want {
			t.Errorf("p%v = %v, want %v", c.q*100, got, c.want)
		}
	}
}

func TestFixedRateKeepsTheSchedule(t *testing.T) {
	var calls atomic.Int64
	res := fixedRate(context.Background(), 100, 500*time.Millisecond, 10, func(context.Context) (bool, string) {
		return calls.Add(1)%10 != 0, "every tenth fails"
	})
	if res.Requests != 50 || res.Errors != 5 {
		t.Errorf("requests %d errors %d, want 50 and 5", res.Requests, res.Errors)
	}
	if res.Elapsed < 480*time.Millisecond {
		t.Errorf("50 requests at 100/s took %v, want about 500ms", res.Elapsed)
	}
}

// TestSaturateLetsTheLastRequestsFinish: a request under way when the
// phase ends is neither cancelled nor dropped, so the server is not made
// to abort its work and the next phase starts on warm connections.
func TestSaturateLetsTheLastRequestsFinish(t *testing.T) {
	var cancelled atomic.Int64
	res := saturate(context.Background(), 3, 50*time.Millisecond, func(ctx context.Context) (bool, string) {
		select {
		case <-time.After(200 * time.Millisecond):
			return true, ""
		case <-ctx.Done():
			cancelled.Add(1)
			return false, "cancelled"
		}
	})
	if cancelled.Load() != 0 || res.Requests != 3 || res.Errors != 0 {
		t.Errorf("cancelled %d, requests %d, errors %d; want 0, 3 (one per worker), 0", cancelled.Load(), res.Requests, res.Errors)
	}
}

func TestWriteSectionReplacesItsOwnSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "perf.md")
	if err := os.WriteFile(path, []byte("# Performance\n\nMethod.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sec := func(key, body string) string {
		return "<!-- bench:" + key + ":begin -->\n" + body + "\n<!-- bench:" + key + ":end -->\n"
	}
	for _, s := range []struct{ key, body string }{{"small", "one"}, {"full", "two"}, {"small", "three"}} {
		if err := WriteSection(path, s.key, sec(s.key, s.body)); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	if strings.Contains(got, "one") || !strings.Contains(got, "three") || !strings.Contains(got, "two") || !strings.HasPrefix(got, "# Performance\n\nMethod.\n") {
		t.Errorf("document:\n%s", got)
	}
	if strings.Index(got, "three") > strings.Index(got, "two") {
		t.Errorf("the replaced section moved:\n%s", got)
	}
}

// TestRunOnTinyDataSet drives a few targets for a moment: the floors and
// the home page answer without errors, and a planned page that does not
// exist yet is reported as not built.
func TestRunOnTinyDataSet(t *testing.T) {
	pool := dbtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := benchdata.Presets["tiny"]
	cfg.Until = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	sealer := apptest.Sealer(t)
	if err := benchdata.Load(ctx, pool, sealer, cfg); err != nil {
		t.Fatal(err)
	}
	save := Select(Targets, "save attendance")[2]
	targets := []Target{Targets[0], Targets[1], Targets[3], save,
		{Name: "nowhere", Method: http.MethodGet, Path: "/no-such-page/{branch}", User: Secretary, Want: 200, Planned: true}}
	rep, err := Run(ctx, Options{Pool: pool, Sealer: sealer, Duration: time.Second, Rate: 20, Workers: 2, Targets: targets})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 5 {
		t.Fatalf("%d rows", len(rep.Rows))
	}
	for _, r := range rep.Rows[:4] {
		if r.State != "ok" || r.Fixed.Errors+r.Sat.Errors > 0 || r.Fixed.Requests < 10 || r.Sat.Requests < 1 {
			t.Errorf("%s: %s, fixed %+v, saturation %+v", r.Target.Name, r.State, r.Fixed, r.Sat)
		}
	}
	if rep.Rows[4].State != "not built" {
		t.Errorf("missing page: %q", rep.Rows[4].State)
	}
	// The saves went to the four secretaries' branches in turn.
	var branches int
	if err := pool.QueryRow(ctx, `SELECT count(DISTINCT m.org_id) FROM meetings m WHERE m.topic = $1 AND EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = m.id)`, draftTopic).Scan(&branches); err != nil || branches != 4 {
		t.Errorf("saves reached %d branches (%v), want 4", branches, err)
	}
	md := Markdown("tiny", rep, DescribeMachine(ctx, pool), DescribeData(ctx, pool, "tiny"))
	for _, want := range []string{"| floor: fortunes", "100 %", "not built", "<!-- bench:tiny:end -->"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestSelect(t *testing.T) {
	var names []string
	for _, tg := range Select(Targets, "roster, /review") {
		names = append(names, tg.Name)
	}
	want := "floor: static,floor: fortunes,roster,branch compliance,committee dashboard"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("selected %s, want %s", got, want)
	}
	if len(Select(Targets, "")) != len(Targets) {
		t.Error("an empty selection dropped targets")
	}
}
