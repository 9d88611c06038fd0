package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/benchdata"
)

const fixtureSQL = `
SELECT (SELECT r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = $1 AND r.role = 'reviewer'),
       (SELECT r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = $2 AND r.role = 'secretary'),
       (SELECT member_id FROM accounts WHERE username = $3)`

const fixtureMeetingsSQL = `
SELECT id FROM meetings WHERE org_id = $1 AND kind IN ('party_day', 'study', 'general', 'lecture') ORDER BY starts_at DESC LIMIT 100`

// fixtureMonthSQL is the branch's last dues month handed in (the data
// set's last ended month), else the month before the current one.
const fixtureMonthSQL = `
SELECT to_char(coalesce((SELECT max(month) FROM dues_months WHERE branch_id = $1),
                        date_trunc('month', current_date) - interval '1 month'), 'YYYY-MM')`

const fixtureMembersSQL = `SELECT id FROM members WHERE branch_id = $1 AND category IN ('full', 'probationary') AND party_status = 'normal' ORDER BY id`

// draftTopic marks the draft meetings a run creates for the attendance
// saves; the next run deletes them first.
const draftTopic = "基准测试草稿"

const deleteDraftsSQL = `DELETE FROM meetings WHERE org_id = $1 AND topic = $2 AND status = 'draft'`

const makeDraftsSQL = `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, study_hours, status)
SELECT $1, 'party_day', $2, now() - (1000 + i) * interval '1 day', now() - (1000 + i) * interval '1 day' + interval '1 hour', 2, 'draft'
  FROM generate_series(1, $3) AS i
RETURNING id`

// drafts is how many fresh draft meetings a run prepares: enough for the
// attendance target's fixed-rate and saturation phases to use each once
// (per benchmark secretary's branch).
// They are spread one a day from 1,000 days back (before the small
// preset's two years, inside the full preset's five; about 30 a month),
// so that no month of the branch holds thousands of meetings.
const drafts = 4000

// loadFixture reads the ids the targets need from the data set.
func loadFixture(ctx context.Context, pool *pgxpool.Pool) (*Fixture, error) {
	f := &Fixture{}
	var root, branch, member *int64
	if err := pool.QueryRow(ctx, fixtureSQL, string(Reviewer), string(Secretary), string(Member)).Scan(&root, &branch, &member); err != nil {
		return nil, fmt.Errorf("bench: fixture: %w", err)
	}
	if root == nil || branch == nil || member == nil {
		return nil, fmt.Errorf("bench: the database lacks the benchmark accounts (%s, %s, %s): load it with zhibu-bench seed", Reviewer, Secretary, Member)
	}
	f.Root, f.Branch, f.MemberID = *root, *branch, *member
	if err := pool.QueryRow(ctx, fixtureMonthSQL, f.Branch).Scan(&f.Month); err != nil {
		return nil, fmt.Errorf("bench: fixture: %w", err)
	}
	var err error
	if f.Meetings, err = ids(ctx, pool, fixtureMeetingsSQL, f.Branch); err != nil {
		return nil, err
	}
	if f.Members, err = ids(ctx, pool, fixtureMembersSQL, f.Branch); err != nil {
		return nil, err
	}
	savers, err := collect(ctx, pool, func(r pgx.CollectableRow) (Saver, error) {
		var s Saver
		err := r.Scan(&s.User, &s.Branch)
		return s, err
	}, saversSQL, benchdata.SecretaryPrefix+"%")
	if err != nil {
		return nil, err
	}
	if len(savers) == 0 || savers[0].User != Secretary {
		return nil, fmt.Errorf("bench: fixture: the first benchmark secretary is not %s", Secretary)
	}
	for _, s := range savers {
		if s.Members, err = ids(ctx, pool, fixtureMembersSQL, s.Branch); err != nil {
			return nil, err
		}
		if s.Drafts, err = makeDrafts(ctx, pool, s.Branch); err != nil {
			return nil, err
		}
		f.Savers = append(f.Savers, s)
	}
	f.Drafts = f.Savers[0].Drafts
	if len(f.Meetings) == 0 {
		return nil, fmt.Errorf("bench: branch %d has no meetings", f.Branch)
	}
	f.Meeting = f.Meetings[0]
	return f, nil
}

const saversSQL = `
SELECT a.username, r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id
 WHERE a.username LIKE $1 AND r.role = 'secretary' ORDER BY a.username`

// makeDrafts replaces the branch's benchmark drafts by fresh ones.
func makeDrafts(ctx context.Context, pool *pgxpool.Pool, branch int64) ([]int64, error) {
	if _, err := pool.Exec(ctx, deleteDraftsSQL, branch, draftTopic); err != nil {
		return nil, fmt.Errorf("bench: fixture: %w", err)
	}
	return ids(ctx, pool, makeDraftsSQL, branch, draftTopic, drafts)
}

// ids runs a query that returns one id a row.
func ids(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) ([]int64, error) {
	return collect(ctx, pool, pgx.RowTo[int64], sql, args...)
}

// collect runs a query and turns each row into a T with row.
func collect[T any](ctx context.Context, pool *pgxpool.Pool, row pgx.RowToFunc[T], sql string, args ...any) ([]T, error) {
	var out []T
	rows, err := pool.Query(ctx, sql, args...)
	if err == nil {
		out, err = pgx.CollectRows(rows, row)
	}
	if err != nil {
		return nil, fmt.Errorf("bench: fixture: %w", err)
	}
	return out, nil
}

// Machine describes where a run happened.
type Machine struct {
	CPUs       int
	CPUModel   string
	MemoryGiB  float64
	Go         string
	PostgreSQL string
	// SharedBuffers is the database's shared_buffers setting.
	SharedBuffers string
	LoadBefore    string // /proc/loadavg before the run: other work on the machine
	LoadAfter     string
}

// DescribeMachine reads the CPU, memory and versions.
func DescribeMachine(ctx context.Context, pool *pgxpool.Pool) Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), LoadBefore: LoadAvg()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	m.MemoryGiB = float64(procKB("/proc/meminfo", "MemTotal")) / (1 << 20)
	_ = pool.QueryRow(ctx, `SHOW server_version`).Scan(&m.PostgreSQL)
	_ = pool.QueryRow(ctx, `SHOW shared_buffers`).Scan(&m.SharedBuffers)
	return m
}

// ServerSettings are the settings of the private cluster that zhibu-bench
// starts: shared_buffers at a quarter of the machine's memory (the
// PostgreSQL manual's starting point for a dedicated server), at most
// 2 GB, instead of initdb's 128 MB. With 128 MB the full data set's
// working set (the attendance and credit indexes a save writes into)
// does not fit, so saves evict dirty pages and wait on their writes.
func ServerSettings() []string {
	mb := procKB("/proc/meminfo", "MemTotal") / 4 / 1024
	mb = min(mb, 2048)
	if mb < 128 {
		return nil
	}
	return []string{fmt.Sprintf("shared_buffers=%dMB", mb)}
}

// LoadAvg returns the first three fields of /proc/loadavg.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// procKB reads a "Key: N kB" line of a /proc file.
func procKB(path, key string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && k == key {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// peakRSS is the process's peak resident set in bytes.
func peakRSS() uint64 { return procKB("/proc/self/status", "VmHWM") * 1024 }
