package bench

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/benchdata"
)

// DataSet is the size of the loaded data, from the planner's statistics.
type DataSet struct {
	Label string // e.g. "small preset: 1,000 branches, 20,000 members, 2 years, seed 1"
	Rows  []TableRows
}

// TableRows is one table's estimated row count.
type TableRows struct {
	Table string
	Rows  int64
}

var reportTables = []string{"organisations", "members", "meetings", "attendance", "study_credits", "appraisal_results", "rectification_items"}

// DescribeData reads the row counts of the main tables (estimates kept
// by ANALYZE, exact right after a load).
func DescribeData(ctx context.Context, pool *pgxpool.Pool, label string) DataSet {
	d := DataSet{Label: label}
	for _, t := range reportTables {
		var n int64
		if err := pool.QueryRow(ctx, `SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = $1 AND relkind = 'r'`, t).Scan(&n); err == nil {
			d.Rows = append(d.Rows, TableRows{t, n})
		}
	}
	return d
}

func mb(b uint64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }

func thousands(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func mark(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

// Markdown renders a run as a section of docs/performance.md.
func Markdown(key string, rep *Report, m Machine, d DataSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- bench:%s:begin -->\n", key)
	fmt.Fprintf(&b, "### %s\n\n", d.Label)
	fmt.Fprintf(&b, "Run %s UTC, %s in all. Machine: %d CPUs (%s), %.1f GiB memory, %s, PostgreSQL %s (shared_buffers %s), server and database on the same machine; load average before / after the run: %s / %s (the machine is shared, so other work competes for the same cores).\n\n",
		rep.Started.UTC().Format("2006-01-02 15:04"), rep.Elapsed.Round(time.Second), m.CPUs, m.CPUModel, m.MemoryGiB, m.Go, m.PostgreSQL, m.SharedBuffers, m.LoadBefore, m.LoadAfter)
	var parts []string
	for _, r := range d.Rows {
		parts = append(parts, fmt.Sprintf("%s %s", r.Table, thousands(r.Rows)))
	}
	fmt.Fprintf(&b, "Data set: %s.\n\n", strings.Join(parts, ", "))
	fmt.Fprintf(&b, "Each phase runs %s: first at a fixed rate (open loop; latency counted from when each request was due), then at saturation (%d closed-loop workers). \"÷ fortunes\" is the saturation throughput as a share of the fortunes floor's.\n\n", rep.Duration, rep.Workers)
	b.WriteString("| target | user | fixed rate | p50 | p95 | p99 | errors | saturation | p50 | p95 | p99 | errors | ÷ fortunes | goal |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	var fortunes float64
	for _, r := range rep.Rows {
		if r.Target.Path == floorFortunesPath && r.State == "ok" {
			fortunes = r.Sat.RPS()
		}
	}
	for _, r := range rep.Rows {
		t := r.Target
		user := string(t.User)
		if user == "" {
			user = "—"
		}
		if t.Spread {
			user = benchdata.SecretaryPrefix + "1…4 in turn"
		}
		name := fmt.Sprintf("%s `%s %s`", t.Name, t.Method, t.Path)
		if r.State != "ok" {
			fmt.Fprintf(&b, "| %s | %s | %s |  |  |  |  |  |  |  |  |  |  | %s |\n", name, user, r.State, goal(t, r, fortunes))
			continue
		}
		ratio := "—"
		if fortunes > 0 {
			ratio = fmt.Sprintf("%.0f %%", 100*r.Sat.RPS()/fortunes)
		}
		fmt.Fprintf(&b, "| %s | %s | %.0f/s | %s | %s | %s | %d | %.0f/s | %s | %s | %s | %d | %s | %s |\n",
			name, user, r.FixedRate, ms(r.Fixed.P50), ms(r.Fixed.P95), ms(r.Fixed.P99), r.Fixed.Errors,
			r.Sat.RPS(), ms(r.Sat.P50), ms(r.Sat.P95), ms(r.Sat.P99), r.Sat.Errors, ratio, goal(t, r, fortunes))
	}
	fmt.Fprintf(&b, "\nPeak memory of the Zhibu process (server and the in-process load generator together): resident %s, Go heap in use %s. PostgreSQL runs in its own processes and is not counted.\n", mb(rep.PeakRSS), mb(rep.PeakHeap))
	var errs []string
	for _, r := range rep.Rows {
		if r.Fixed.FirstError != "" || r.Sat.FirstError != "" {
			errs = append(errs, fmt.Sprintf("%s: %s", r.Target.Name, strings.TrimSpace(r.Fixed.FirstError+" "+r.Sat.FirstError)))
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(&b, "\nFirst errors: %s.\n", strings.Join(errs, "; "))
	}
	fmt.Fprintf(&b, "<!-- bench:%s:end -->\n", key)
	return b.String()
}

// goal states the target for a row and whether the run met it.
func goal(t Target, r Row, fortunes float64) string {
	var g []string
	if t.TargetP95 > 0 {
		s := fmt.Sprintf("p95 < %s", t.TargetP95)
		if r.State == "ok" {
			s += " " + mark(r.Fixed.P95 < t.TargetP95 && r.Fixed.Errors == 0)
		}
		g = append(g, s)
	}
	if t.TargetRatio > 0 {
		s := fmt.Sprintf("≥ %.0f %% of fortunes", 100*t.TargetRatio)
		if r.State == "ok" && fortunes > 0 {
			s += " " + mark(r.Sat.RPS() >= t.TargetRatio*fortunes)
		}
		g = append(g, s)
	}
	return strings.Join(g, ", ")
}

// WriteSection puts a rendered section into the markdown file at path,
// replacing the section with the same key or appending it.
func WriteSection(path, key, section string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		b = []byte("# Performance\n\n")
	} else if err != nil {
		return fmt.Errorf("bench: read %s: %w", path, err)
	}
	doc := string(b)
	begin, end := fmt.Sprintf("<!-- bench:%s:begin -->", key), fmt.Sprintf("<!-- bench:%s:end -->\n", key)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i >= 0 && j > i {
		doc = doc[:i] + section + doc[j+len(end):]
	} else {
		if !strings.HasSuffix(doc, "\n\n") {
			doc += "\n"
		}
		doc += section
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return fmt.Errorf("bench: write %s: %w", path, err)
	}
	return nil
}
