package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/rules"
)

// The dashboard of a subtree reads branch_status, one row per branch and
// period holding the branch's evaluated results. A dashboard never writes
// (a GET reads): the rows that are missing or out of date (stale: a record
// behind them changed, which the database triggers note; computed on an
// earlier day; or computed under an older rule set) are evaluated with the
// engine for the request and take the place of the stored ones in its
// queries, while the background job (Jobs) or an explicit Refresh writes
// them back. Summary, chart, urgent items, sorting, the problem filter and
// paging are SQL over the rows so overlaid.

// Options choose the page of branches the dashboard returns.
type Options struct {
	Sort     string // one of sortKeys; "" = status
	Desc     bool
	Problems bool // only branches with a rule due soon or missed
	Offset   int
	Limit    int // 0: every branch
	Urgent   int // how many urgent items; 0: 10
	// Jobs, when set, recomputes out-of-date rows in the background and
	// keeps the summaries: a dashboard then never waits for a whole
	// subtree's evaluation (the first of a day, after a rule change) but
	// shows the rows of the day they were computed on, with
	// Dashboard.Behind set. Without it (tests, the CLI) a dashboard
	// evaluates every out-of-date row itself, every time.
	Jobs *Jobs
}

// cellJSON is a cached Cell.
type cellJSON struct {
	Code     string  `json:"c"`
	Status   string  `json:"s"`
	Actual   float64 `json:"a"`
	Required float64 `json:"r"`
	Flagged  int     `json:"f,omitempty"`
}

// urgentJSON is a cached Urgent item.
type urgentJSON struct {
	Code    string `json:"c"`
	Status  string `json:"s"`
	Rank    int    `json:"rank"`
	Level   int    `json:"lvl"`
	DueOn   string `json:"due"`
	Subject string `json:"subj"`
	Href    string `json:"href"`
}

// urgentPerBranch caps the urgent items kept per branch.
const urgentPerBranch = 10

// stampSQL: a number that changes with every rule change (a new version
// adds a row) and with the self-study setting (which changes the study
// figures), so branch rows computed before either are recomputed.
const stampSQL = `
SELECT (coalesce(max(id), 0) * 100000 + count(*)) * 2
       + (SELECT self_study_counts::int FROM review_settings WHERE id = 1),
       clock_timestamp()
  FROM rules WHERE org_id IS NULL`

const staleSQL = `
SELECT o.id
  FROM organisations o
  LEFT JOIN branch_status s ON s.branch_id = o.id AND s.period = $2
 WHERE o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]
   AND (s.branch_id IS NULL OR s.stale OR s.computed_on <> $3 OR s.rules_stamp <> $4)`

const branchesByIDSQL = `
SELECT o.id, o.name, coalesce(p.name, '') AS parent
  FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE o.id = ANY ($1) ORDER BY o.id`

const upsertSQL = `
INSERT INTO branch_status (branch_id, period, computed_on, rules_stamp, stale, worst, n_met, n_pending, n_due_soon, n_missed,
       att_num, att_den, study_num, study_den, open_items, overdue_items, chart_met, chart_checked, cells)
VALUES ($1, $2, $3, $4, false, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
ON CONFLICT (branch_id, period) DO UPDATE SET
       computed_on = EXCLUDED.computed_on, rules_stamp = EXCLUDED.rules_stamp,
       stale = branch_status.touched_at > $19,
       worst = EXCLUDED.worst, n_met = EXCLUDED.n_met, n_pending = EXCLUDED.n_pending,
       n_due_soon = EXCLUDED.n_due_soon, n_missed = EXCLUDED.n_missed,
       att_num = EXCLUDED.att_num, att_den = EXCLUDED.att_den, study_num = EXCLUDED.study_num, study_den = EXCLUDED.study_den,
       open_items = EXCLUDED.open_items, overdue_items = EXCLUDED.overdue_items,
       chart_met = EXCLUDED.chart_met, chart_checked = EXCLUDED.chart_checked, cells = EXCLUDED.cells`

const urgentDeleteSQL = `DELETE FROM branch_status_urgent WHERE branch_id = $1 AND period = $2`

const urgentInsertSQL = `
INSERT INTO branch_status_urgent (branch_id, period, n, rank, lvl, due_on, code, status, subject, href)
SELECT $1, $2, u.n, u.rank, u.lvl, u.due_on, u.code, u.status, u.subject, u.href
  FROM unnest($3::int[], $4::int[], $5::date[], $6::text[], $7::text[], $8::text[], $9::text[])
       WITH ORDINALITY AS u(rank, lvl, due_on, code, status, subject, href, n)`

const bumpVersionSQL = `UPDATE branch_status_marks SET version = version + 1 WHERE id = 1`

// refreshChunk is how many branches are evaluated per round trip.
const refreshChunk = 500

const scopeUpsertSQL = `
INSERT INTO branch_status_scopes (period, roots, computed_on, rules_stamp, verified_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (period, roots) DO UPDATE SET computed_on = EXCLUDED.computed_on, rules_stamp = EXCLUDED.rules_stamp,
       verified_at = EXCLUDED.verified_at
 WHERE branch_status_scopes.verified_at <= EXCLUDED.verified_at`

// scopeSQL finds the best record of a refresh covering every root: one
// from today under the current rules whose branches have not changed
// since, if there is one, else the latest. complete is false when
// branches appeared, went or moved after it.
const scopeSQL = `
SELECT s.computed_on, s.rules_stamp, s.verified_at > m.branches_changed_at AS complete
  FROM branch_status_scopes s CROSS JOIN branch_status_marks m
 WHERE s.period = $1
   AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = ANY ($2) AND NOT (o.path && s.roots))
 ORDER BY (s.computed_on = $3 AND s.rules_stamp = $4 AND s.verified_at > m.branches_changed_at) DESC, s.computed_on DESC
 LIMIT 1`

// staleOnlySQL lists the rows of a subtree marked stale, through the
// partial index on stale rows: its cost follows the changes, not the
// size of the subtree.
const staleOnlySQL = `
SELECT s.branch_id
  FROM branch_status s
  JOIN organisations o ON o.id = s.branch_id
 WHERE s.period = $2 AND s.stale AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]`

// scope is what branch_status_scopes says about a subtree and period.
type scope struct {
	found    bool
	day      time.Time
	stamp    int64
	complete bool
}

// fresh reports whether every row of the subtree is from today under the
// current rules, so only rows marked stale need a recompute.
func (s scope) fresh(today time.Time, stamp int64) bool {
	return s.found && s.complete && s.day.Equal(today) && s.stamp == stamp
}

func lookupScope(ctx context.Context, q db.Querier, roots []int64, p rules.Period, today time.Time, stamp int64) (scope, error) {
	var s scope
	err := q.QueryRow(ctx, scopeSQL, p.Key(), roots, today, stamp).Scan(&s.day, &s.stamp, &s.complete)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("review: status scope: %w", err)
	}
	s.found = true
	return s, nil
}

func rulesStamp(ctx context.Context, q db.Querier) (stamp int64, started time.Time, err error) {
	if err := q.QueryRow(ctx, stampSQL).Scan(&stamp, &started); err != nil {
		return 0, time.Time{}, fmt.Errorf("review: rules stamp: %w", err)
	}
	return stamp, started, nil
}

// idsOf runs a query listing branch ids.
func idsOf(ctx context.Context, q db.Querier, sql string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("review: stale rows: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("review: stale rows: %w", err)
	}
	return ids, nil
}

// Refresh recomputes the out-of-date branch_status rows of a subtree and
// period, checking every branch of it, and records the subtree as
// computed today (branch_status_scopes). It returns how many rows it
// wrote. It costs a recompute of every branch on the first call of a day.
// The background job calls it; so do tests that want the rows stored.
func Refresh(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time) (int, error) {
	today = rules.Day(today)
	stamp, started, err := rulesStamp(ctx, q)
	if err != nil {
		return 0, err
	}
	stale, err := idsOf(ctx, q, staleSQL, roots, p.Key(), today, stamp)
	if err != nil {
		return 0, err
	}
	if err := recompute(ctx, q, stale, p, today, stamp, started); err != nil {
		return 0, err
	}
	if key := scopeKey(roots); len(key) > 0 {
		if _, err := q.Exec(ctx, scopeUpsertSQL, p.Key(), key, today, stamp, started); err != nil {
			return 0, fmt.Errorf("review: status scope: %w", err)
		}
	}
	return len(stale), nil
}

// scopeKey is roots sorted, without duplicates.
func scopeKey(roots []int64) []int64 {
	key := slices.Clone(roots)
	slices.Sort(key)
	return slices.Compact(key)
}

// evaluateRows evaluates the given branches, refreshChunk at a time, and
// hands each chunk's rows, as stored, to use.
func evaluateRows(ctx context.Context, q db.Querier, ids []int64, p rules.Period, today time.Time, use func([]statusRow, []Row) error) error {
	for from := 0; from < len(ids); from += refreshChunk {
		rows, err := q.Query(ctx, branchesByIDSQL, ids[from:min(from+refreshChunk, len(ids))])
		if err != nil {
			return fmt.Errorf("review: stale branches: %w", err)
		}
		chunk, err := pgx.CollectRows(rows, pgx.RowToStructByName[Branch])
		if err != nil {
			return fmt.Errorf("review: stale branches: %w", err)
		}
		d, err := Evaluate(ctx, q, chunk, p, today, true)
		if err != nil {
			return err
		}
		out := make([]statusRow, len(d.Rows))
		for i, row := range d.Rows {
			out[i] = statusRowOf(row)
		}
		if err := use(out, d.Rows); err != nil {
			return err
		}
	}
	return nil
}

// recompute evaluates the given branches and writes their rows.
func recompute(ctx context.Context, q *pgxpool.Pool, ids []int64, p rules.Period, today time.Time, stamp int64, started time.Time) error {
	return evaluateRows(ctx, q, ids, p, today, func(rows []statusRow, evaluated []Row) error {
		// The breach ledger first: a failure leaves the rows stale, to be
		// computed (and the ledger written) again.
		if err := recordBreaches(ctx, q, evaluated, p, today); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for _, row := range rows {
			if err := queueUpsert(batch, row, p, today, stamp, started); err != nil {
				return err
			}
		}
		// A summary kept from before this batch is out of date after it.
		batch.Queue(bumpVersionSQL)
		if err := q.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("review: write branch status: %w", err)
		}
		return nil
	})
}

// evaluateLive evaluates the given branches for one request: a jsonb
// array of their rows, which take the place of the stored ones in the
// dashboard's queries (nil when there are none). Nothing is written.
func evaluateLive(ctx context.Context, q db.Querier, ids []int64, p rules.Period, today time.Time) ([]byte, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var live []statusRow
	err := evaluateRows(ctx, q, ids, p, today, func(rows []statusRow, _ []Row) error {
		live = append(live, rows...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(live)
	if err != nil {
		return nil, fmt.Errorf("review: live rows: %w", err)
	}
	return b, nil
}

// outOfDate finds the rows of a subtree a dashboard must evaluate itself,
// reading only. When the subtree was recorded as computed today under the
// current rules, those are the rows marked stale (found through a partial
// index: the cost follows the changes). When it was computed on an
// earlier day or under older rules and a background job is given, they are
// the stale ones still: the others are shown as of the day they were
// computed on (behind) and the job is asked to recompute them. Otherwise
// every missing or out-of-date row is (and a job, if any, is asked to
// compute and record the subtree).
func outOfDate(ctx context.Context, q db.Querier, roots []int64, p rules.Period, today time.Time, jobs *Jobs) (ids []int64, asOf time.Time, behind bool, err error) {
	stamp, _, err := rulesStamp(ctx, q)
	if err != nil {
		return nil, today, false, err
	}
	sc, err := lookupScope(ctx, q, roots, p, today, stamp)
	if err != nil {
		return nil, today, false, err
	}
	switch {
	case sc.fresh(today, stamp):
		ids, err = idsOf(ctx, q, staleOnlySQL, roots, p.Key())
		return ids, today, false, err
	case sc.found && jobs != nil:
		ids, err = idsOf(ctx, q, staleOnlySQL, roots, p.Key())
		jobs.Kick()
		return ids, sc.day, true, err
	}
	jobs.want(roots, p)
	ids, err = idsOf(ctx, q, staleSQL, roots, p.Key(), today, stamp)
	return ids, today, false, err
}

// statusRow is a branch's branch_status row: as written by a recompute,
// and as a dashboard passes a row it evaluated itself to its queries
// (JSON, read back by jsonb_to_recordset under the column names).
type statusRow struct {
	BranchID     int64        `json:"branch_id"`
	Worst        int          `json:"worst"`
	NMet         int          `json:"n_met"`
	NPending     int          `json:"n_pending"`
	NDueSoon     int          `json:"n_due_soon"`
	NMissed      int          `json:"n_missed"`
	AttNum       float64      `json:"att_num"`
	AttDen       float64      `json:"att_den"`
	StudyNum     float64      `json:"study_num"`
	StudyDen     float64      `json:"study_den"`
	OpenItems    int          `json:"open_items"`
	OverdueItems int          `json:"overdue_items"`
	ChartMet     [12]int      `json:"chart_met"`
	ChartChecked [12]int      `json:"chart_checked"`
	Cells        []cellJSON   `json:"cells"`
	Urgent       []urgentJSON `json:"urgent"` // at most urgentPerBranch
}

// statusRowOf is an evaluated row as stored.
func statusRowOf(row Row) statusRow {
	c := row.Summary.Counts
	s := statusRow{BranchID: row.Branch.ID, Worst: row.Summary.Worst.Rank(),
		NMet: c[rules.Met], NPending: c[rules.Pending], NDueSoon: c[rules.DueSoon], NMissed: c[rules.Missed],
		AttNum: row.Attendance.Num, AttDen: row.Attendance.Den, StudyNum: row.Study.Num, StudyDen: row.Study.Den,
		OpenItems: row.OpenItems, OverdueItems: row.OverdueItems, ChartMet: row.ChartMet, ChartChecked: row.ChartChecked,
		Cells: make([]cellJSON, len(row.Cells)), Urgent: []urgentJSON{}}
	for i, c := range row.Cells {
		s.Cells[i] = cellJSON{Code: c.Rule.Code, Status: string(c.Status), Actual: c.Actual, Required: c.Required, Flagged: c.Flagged}
	}
	for _, u := range row.Urgent {
		if len(s.Urgent) == urgentPerBranch {
			break
		}
		due := ""
		if !u.DueOn.IsZero() {
			due = u.DueOn.Format(time.DateOnly)
		}
		s.Urgent = append(s.Urgent, urgentJSON{Code: u.Rule.Code, Status: string(u.Status), Rank: u.Status.Rank(), Level: u.Level, DueOn: due, Subject: u.Subject, Href: u.Href})
	}
	return s
}

func queueUpsert(b *pgx.Batch, row statusRow, p rules.Period, today time.Time, stamp int64, started time.Time) error {
	cj, err := json.Marshal(row.Cells)
	if err != nil {
		return fmt.Errorf("review: cells: %w", err)
	}
	b.Queue(upsertSQL, row.BranchID, p.Key(), today, stamp, row.Worst,
		row.NMet, row.NPending, row.NDueSoon, row.NMissed,
		row.AttNum, row.AttDen, row.StudyNum, row.StudyDen, row.OpenItems, row.OverdueItems,
		row.ChartMet[:], row.ChartChecked[:], cj, started)
	b.Queue(urgentDeleteSQL, row.BranchID, p.Key())
	if len(row.Urgent) > 0 {
		var ranks, lvls []int
		var dues []*time.Time
		var codes, sts, subjects, hrefs []string
		for _, u := range row.Urgent {
			ranks, lvls, codes, sts, subjects, hrefs = append(ranks, u.Rank), append(lvls, u.Level), append(codes, u.Code), append(sts, u.Status), append(subjects, u.Subject), append(hrefs, u.Href)
			var due *time.Time
			if t, err := time.Parse(time.DateOnly, u.DueOn); err == nil {
				due = &t
			}
			dues = append(dues, due)
		}
		b.Queue(urgentInsertSQL, row.BranchID, p.Key(), ranks, lvls, dues, codes, sts, subjects, hrefs)
	}
	return nil
}

// liveIDs is the set of branches evaluated for the request, as a
// subquery over the jsonb array of their rows, parameter $n.
const liveIDs = `SELECT l.branch_id FROM jsonb_to_recordset($%[1]d::jsonb) AS l(branch_id bigint)`

// statusSource is branch_status as a dashboard sees it: with live rows
// (parameter $n, from evaluateLive; n = 0: none) in the place of the
// stored ones of the same branches. Every query using it has the period
// as $2.
func statusSource(n int) string {
	if n == 0 {
		return "branch_status"
	}
	return fmt.Sprintf(`(SELECT b.branch_id, b.period, b.worst, b.n_met, b.n_pending, b.n_due_soon, b.n_missed, b.att_num, b.att_den,
        b.study_num, b.study_den, b.open_items, b.overdue_items, b.chart_met, b.chart_checked, b.cells
   FROM branch_status b WHERE b.branch_id NOT IN (`+liveIDs+`)
 UNION ALL
 SELECT l.branch_id, $2::text, l.worst, l.n_met, l.n_pending, l.n_due_soon, l.n_missed, l.att_num, l.att_den,
        l.study_num, l.study_den, l.open_items, l.overdue_items, l.chart_met, l.chart_checked, l.cells
   FROM jsonb_to_recordset($%[1]d::jsonb) AS l(branch_id bigint, worst smallint, n_met int, n_pending int, n_due_soon int, n_missed int,
        att_num float8, att_den float8, study_num float8, study_den float8, open_items int, overdue_items int,
        chart_met int[], chart_checked int[], cells jsonb))`, n)
}

// urgentSource is branch_status_urgent as a dashboard sees it, like
// statusSource.
func urgentSource(n int) string {
	if n == 0 {
		return "branch_status_urgent"
	}
	return fmt.Sprintf(`(SELECT b.branch_id, b.period, b.rank, b.lvl, b.due_on, b.code, b.status, b.subject, b.href
   FROM branch_status_urgent b WHERE b.branch_id NOT IN (`+liveIDs+`)
 UNION ALL
 SELECT l.branch_id, $2::text, x.rank::smallint, x.lvl::smallint, nullif(x.due, '')::date, x.c, x.s, x.subj, x.href
   FROM jsonb_to_recordset($%[1]d::jsonb) AS l(branch_id bigint, urgent jsonb)
  CROSS JOIN LATERAL jsonb_to_recordset(l.urgent) AS x(rank int, lvl int, due text, c text, s text, subj text, href text))`, n)
}

// summarySQL computes a subtree's summary in one pass over its rows,
// with the version of branch_status_marks it saw (same snapshot); live
// rows, if any, are $3.
func summarySQL(live bool) string {
	n := 0
	if live {
		n = 3
	}
	return `
SELECT (SELECT m.version FROM branch_status_marks m WHERE m.id = 1), ` + summaryCols + `::int[]
  FROM ` + statusSource(n) + ` s
  JOIN organisations o ON o.id = s.branch_id
 WHERE s.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]`
}

// cachedSummarySQL is the summary kept by the background job, if no
// row was written and no branch changed since.
const cachedSummarySQL = `
SELECT s.figures FROM branch_status_summaries s JOIN branch_status_marks m ON m.version = s.version
 WHERE s.period = $2 AND s.roots = $1`

const keepSummarySQL = `
INSERT INTO branch_status_summaries (period, roots, version, figures) VALUES ($2, $1, $3, $4)
ON CONFLICT (period, roots) DO UPDATE SET version = EXCLUDED.version, figures = EXCLUDED.figures
 WHERE branch_status_summaries.version < EXCLUDED.version`

// summaryCols: branches by worst status (0–4), results per status (met,
// pending, due soon, missed), then per month the meeting rules met and
// checked. They travel as one array; summaryIdx* name the positions.
var summaryCols = func() string {
	var sb strings.Builder
	sb.WriteString("ARRAY[")
	for w := 0; w <= 4; w++ {
		fmt.Fprintf(&sb, "count(s.branch_id) FILTER (WHERE s.worst = %d), ", w)
	}
	sb.WriteString("coalesce(sum(s.n_met), 0), coalesce(sum(s.n_pending), 0), coalesce(sum(s.n_due_soon), 0), coalesce(sum(s.n_missed), 0)")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&sb, ", coalesce(sum(s.chart_met[%d]), 0), coalesce(sum(s.chart_checked[%d]), 0)", i, i)
	}
	// Branches with at least one rule missed, and with at least one due
	// soon (a branch may count in both), then branches by score decile
	// (0–9 %, …, 90–100 %; a branch with nothing judged yet in none).
	sb.WriteString(", count(s.branch_id) FILTER (WHERE s.n_missed > 0), count(s.branch_id) FILTER (WHERE s.n_due_soon > 0)")
	for k := 0; k < scoreBuckets; k++ {
		fmt.Fprintf(&sb, ", count(s.branch_id) FILTER (WHERE least(floor((%s) * 10), 9) = %d)", scoreSQL, k)
	}
	sb.WriteString("]")
	return sb.String()
}()

const (
	summaryIdxCounts  = 5  // results per status start here
	summaryIdxChart   = 9  // the chart's month pairs start here
	summaryIdxMissed  = 33 // branches with a rule missed
	summaryIdxDueSoon = 34 // branches with a rule due soon
	summaryIdxBuckets = 35 // branches per score decile
	scoreBuckets      = 10
	summaryLen        = summaryIdxBuckets + scoreBuckets
)

// scoreSQL is a branch's score as a fraction: the rules met of those
// settled or due soon in the period (NULL while nothing is); Row.Score is
// the same in Go.
const scoreSQL = `s.n_met::float8 / nullif(s.n_met + s.n_due_soon + s.n_missed, 0)`

// subtreeSummary returns a subtree's summary figures, reading only: the
// one the background job kept, while no row was written and no branch
// changed since and no row is evaluated live (the common case: one
// indexed read), else computed in one pass (kept false).
func subtreeSummary(ctx context.Context, q db.Querier, roots []int64, key string, live []byte) (figures []int32, kept bool, err error) {
	roots = scopeKey(roots)
	if live == nil {
		err := q.QueryRow(ctx, cachedSummarySQL, roots, key).Scan(&figures)
		if err == nil && len(figures) == summaryLen {
			return figures, true, nil
		}
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, fmt.Errorf("review: summary: %w", err)
		}
	}
	args := []any{roots, key}
	if live != nil {
		args = append(args, live)
	}
	var version int64
	if err := q.QueryRow(ctx, summarySQL(live != nil), args...).Scan(&version, &figures); err != nil {
		return nil, false, fmt.Errorf("review: summary: %w", err)
	}
	return figures, false, nil
}

// keepSummary computes a subtree's summary and keeps it for the
// dashboards that follow (the background job).
func keepSummary(ctx context.Context, q db.Querier, roots []int64, key string) error {
	var version int64
	var figures []int32
	if err := q.QueryRow(ctx, summarySQL(false), roots, key).Scan(&version, &figures); err != nil {
		return fmt.Errorf("review: summary: %w", err)
	}
	if _, err := q.Exec(ctx, keepSummarySQL, roots, key, version, figures); err != nil {
		return fmt.Errorf("review: keep summary: %w", err)
	}
	return nil
}

// urgentSQL lists a subtree's most urgent items; live rows, if any, are $4.
func urgentSQL(live bool) string {
	n, today := 0, 4
	if live {
		n, today = 4, 5
	}
	return `
SELECT u.branch_id, o.name, coalesce(p.name, '') AS parent, u.code, u.status, u.lvl, coalesce(u.due_on::text, ''), u.subject, u.href
  FROM ` + urgentSource(n) + ` u
  JOIN organisations o ON o.id = u.branch_id
  LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE u.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]
 ORDER BY u.lvl DESC, abs(coalesce(u.due_on, $` + strconv.Itoa(today) + `::date) - $` + strconv.Itoa(today) + `::date), (u.status <> 'due_soon'), o.name
 LIMIT $3`
}

const ratingRankSQL = `coalesce((SELECT CASE r.rating WHEN 'advanced' THEN 3 WHEN 'good' THEN 2 WHEN 'fair' THEN 1 WHEN 'lagging' THEN 0 ELSE r.rating::int - 1 END
   FROM branch_reviews r WHERE r.branch_id = s.branch_id AND r.period = s.period ORDER BY r.reviewed_at DESC, r.id DESC LIMIT 1), -1)`

// orderBy holds each sort key's ORDER BY.
var orderBy = map[string]string{
	"name":       "o.name %[1]s",
	"status":     "s.worst %[1]s, s.n_missed * 100 + s.n_due_soon %[1]s",
	"attendance": "CASE WHEN s.att_den > 0 THEN s.att_num / s.att_den ELSE -1 END %[1]s",
	"study":      "CASE WHEN s.study_den > 0 THEN s.study_num / s.study_den ELSE -1 END %[1]s",
	"overdue":    "s.overdue_items * 1000 + s.open_items %[1]s",
	"rating":     ratingRankSQL + " %[1]s",
	"score":      "(" + scoreSQL + ") %[1]s NULLS LAST",
}

// RuleSortPrefix starts the sort key of a rule's column: "rule:" and the
// rule's code orders the branches by their status under that rule.
const RuleSortPrefix = "rule:"

// ruleRankSQL is the rank of a branch's status under the rule whose code is
// the parameter (na, met, pending, due soon, missed: 0 to 4; na when the
// branch has no cell for it).
const ruleRankSQL = `coalesce((SELECT CASE c->>'s' WHEN 'met' THEN 1 WHEN 'pending' THEN 2 WHEN 'due_soon' THEN 3 WHEN 'missed' THEN 4 ELSE 0 END
   FROM jsonb_array_elements(s.cells) c WHERE c->>'c' = $%[2]d LIMIT 1), 0) %[1]s`

// orderSQL is the ORDER BY of a sort key; a rule's column reads the rule's
// code from parameter n.
func orderSQL(sortKey, dir string, n int) string {
	if strings.HasPrefix(sortKey, RuleSortPrefix) {
		return fmt.Sprintf(ruleRankSQL, dir, n)
	}
	return fmt.Sprintf(orderBy[sortKey], dir)
}

// pageSQL returns the page of rows in order, with their cells: the
// subtree's rows are sorted by their narrow columns (a rule's column by the
// rule's cell), and only the page's rows are then read whole. Live rows, if
// any, are $5; a rule's code to sort by comes after them.
func pageSQL(sortKey string, desc, problems, live bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	src, codeParam := statusSource(0), 5
	if live {
		src, codeParam = statusSource(5), 6
	}
	where := ""
	if problems {
		where = " AND s.worst >= 3"
	}
	return `
SELECT s.branch_id, o.name, coalesce(p.name, ''), s.worst, s.n_met, s.n_pending, s.n_due_soon, s.n_missed,
       s.att_num, s.att_den, s.study_num, s.study_den, s.open_items, s.overdue_items, s.cells,
       s.chart_met, s.chart_checked, ids.rnk
  FROM (SELECT x.id, x.rnk, row_number() OVER () AS n
          FROM (SELECT s.branch_id AS id, rank() OVER (ORDER BY (` + scoreSQL + `) DESC NULLS LAST) AS rnk
                  FROM ` + src + ` s
                  JOIN organisations o ON o.id = s.branch_id
                 WHERE s.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]` + where + `
                 ORDER BY ` + orderSQL(sortKey, dir, codeParam) + `, o.name, o.id
                 LIMIT $3 OFFSET $4) x) ids
  JOIN ` + src + ` s ON s.branch_id = ids.id AND s.period = $2
  JOIN organisations o ON o.id = s.branch_id
  LEFT JOIN organisations p ON p.id = o.parent_id
 ORDER BY ids.n`
}

// Subtree is the dashboard of every branch under roots: summary over all
// of them, and the page of rows opt asks for.
func Subtree(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time, opt Options) (*Dashboard, error) {
	today = rules.Day(today)
	stale, asOf, behind, err := outOfDate(ctx, q, roots, p, today, opt.Jobs)
	if err != nil {
		return nil, err
	}
	live, err := evaluateLive(ctx, q, stale, p, today)
	if err != nil {
		return nil, err
	}
	if live != nil {
		opt.Jobs.Kick() // to store them
	}
	d := &Dashboard{Period: p, Today: today, Counts: map[rules.Status]int{}, BranchCounts: map[rules.Status]int{}, Behind: behind, ComputedOn: asOf}
	// The columns are the agency's defaults; a branch under an override
	// shows its own version in its cells and urgent items (branchVersions).
	set, _, err := rules.LoadFor(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	byCode := map[string]rules.Rule{}
	for _, r := range rules.Versions(set.Defaults(), asOfDay(p, today)) {
		d.Columns = append(d.Columns, Column{Rule: r})
		byCode[r.Code] = r
	}
	key := p.Key()

	// The summary (usually kept from the last dashboard), then the page
	// and the urgent items in one round trip.
	sortKey := opt.Sort
	var sortArgs []any // a rule's code, when sorting by its column
	if code, ok := strings.CutPrefix(sortKey, RuleSortPrefix); ok {
		if _, known := byCode[code]; known {
			sortArgs = []any{code}
		} else {
			sortKey, opt.Desc = "status", true
		}
	} else if _, ok := orderBy[sortKey]; !ok {
		sortKey, opt.Desc = "status", true
	}
	var limit *int
	if opt.Limit > 0 {
		limit = &opt.Limit
	}
	urgentN := opt.Urgent
	if urgentN <= 0 {
		urgentN = 10
	}
	summary, kept, err := subtreeSummary(ctx, q, roots, key, live)
	if err != nil {
		return nil, err
	}
	if !kept && live == nil {
		opt.Jobs.want(roots, p) // to keep the summary
	}
	batch := &pgx.Batch{}
	if live != nil {
		batch.Queue(pageSQL(sortKey, opt.Desc, opt.Problems, true), append([]any{roots, key, limit, opt.Offset, live}, sortArgs...)...)
		batch.Queue(urgentSQL(true), roots, key, urgentN, live, today)
	} else {
		batch.Queue(pageSQL(sortKey, opt.Desc, opt.Problems, false), append([]any{roots, key, limit, opt.Offset}, sortArgs...)...)
		batch.Queue(urgentSQL(false), roots, key, urgentN, today)
	}
	br := q.SendBatch(ctx, batch)
	defer func() { _ = br.Close() }() // closed and checked below; this covers the early returns

	rows, err := br.Query()
	if err != nil {
		return nil, fmt.Errorf("review: dashboard: %w", err)
	}
	var (
		b                              Branch
		wRnk, nMet, nPend, nDue, nMiss int
		attNum, attDen, stNum, stDen   float64
		open, overdue                  int
		cellsRaw                       []byte
		chartMet, chartChecked         []int32
		rnk                            int
	)
	var ids []int64
	if _, err := pgx.ForEachRow(rows, []any{&b.ID, &b.Name, &b.Parent, &wRnk, &nMet, &nPend, &nDue, &nMiss,
		&attNum, &attDen, &stNum, &stDen, &open, &overdue, &cellsRaw, &chartMet, &chartChecked, &rnk}, func() error {
		r := Row{Branch: b, OpenItems: open, OverdueItems: overdue, Rank: rnk,
			Attendance: Rate{attNum, attDen}, Study: Rate{stNum, stDen},
			Summary: rules.Summary{Worst: rules.Statuses[wRnk], Counts: map[rules.Status]int{rules.Met: nMet, rules.Pending: nPend, rules.DueSoon: nDue, rules.Missed: nMiss}}}
		var cells []cellJSON
		if err := json.Unmarshal(cellsRaw, &cells); err != nil {
			return err
		}
		got := make(map[string]cellJSON, len(cells))
		for _, c := range cells {
			got[c.Code] = c
		}
		copy(r.ChartMet[:], toInts(chartMet))
		copy(r.ChartChecked[:], toInts(chartChecked))
		for _, col := range d.Columns {
			c, ok := got[col.Rule.Code]
			cell := Cell{Rule: col.Rule, Status: rules.NotApplicable}
			if ok {
				cell.Status, cell.Actual, cell.Required, cell.Flagged = rules.Status(c.Status), c.Actual, c.Required, c.Flagged
			}
			r.Cells = append(r.Cells, cell)
		}
		d.Rows = append(d.Rows, r)
		ids = append(ids, r.Branch.ID)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("review: dashboard: %w", err)
	}
	if len(summary) != summaryLen {
		return nil, fmt.Errorf("review: dashboard: summary of %d figures", len(summary))
	}
	for w, n := range summary[:5] {
		d.BranchCounts[rules.Statuses[w]] += int(n)
		d.Total += int(n)
	}
	d.Filtered = d.Total
	if opt.Problems {
		d.Filtered = int(summary[rules.DueSoon.Rank()] + summary[rules.Missed.Rank()])
	}
	for i, st := range []rules.Status{rules.Met, rules.Pending, rules.DueSoon, rules.Missed} {
		d.Counts[st] += int(summary[summaryIdxCounts+i])
	}
	d.WithMissed, d.WithDueSoon = int(summary[summaryIdxMissed]), int(summary[summaryIdxDueSoon])
	d.Scores = toInts(summary[summaryIdxBuckets : summaryIdxBuckets+scoreBuckets])
	for m := 1; m <= 12; m++ {
		start := time.Date(p.Start.Year(), time.Month(m), 1, 0, 0, 0, 0, time.UTC)
		if start.After(today) {
			break
		}
		pt := ChartPoint{Month: start, Checked: int(summary[summaryIdxChart+2*m-1])}
		if pt.Checked > 0 {
			pt.Percent = int(summary[summaryIdxChart+2*m-2]) * 100 / pt.Checked
		}
		d.Chart = append(d.Chart, pt)
	}

	// Urgent items.
	rows, err = br.Query()
	if err != nil {
		return nil, fmt.Errorf("review: urgent: %w", err)
	}
	var u urgentJSON
	if _, err := pgx.ForEachRow(rows, []any{&b.ID, &b.Name, &b.Parent, &u.Code, &u.Status, &u.Level, &u.DueOn, &u.Subject, &u.Href}, func() error {
		r, ok := byCode[u.Code]
		if !ok {
			return nil
		}
		item := Urgent{Branch: b, Rule: r, Status: rules.Status(u.Status), Level: u.Level, Subject: u.Subject, Href: u.Href}
		item.DueOn, _ = time.Parse(time.DateOnly, u.DueOn)
		d.Urgent = append(d.Urgent, item)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("review: urgent: %w", err)
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("review: dashboard: %w", err)
	}
	ratings, err := latestReviews(ctx, q, ids, key)
	if err != nil {
		return nil, err
	}
	for i := range d.Rows {
		d.Rows[i].Rating = ratings[d.Rows[i].Branch.ID]
	}
	if err := branchVersions(ctx, q, d, set, asOfDay(p, today)); err != nil {
		return nil, err
	}
	return d, nil
}

// branchVersions puts on the cells and urgent items of branches under an
// override the version that applies to each branch on day asOf (its
// figures and its source) in place of the column's default; one query for
// the paths of the branches shown, none when no organisation has one.
func branchVersions(ctx context.Context, q db.Querier, d *Dashboard, set *rules.Resolver, asOf time.Time) error {
	if !set.Scoped() {
		return nil
	}
	var ids []int64
	for _, r := range d.Rows {
		ids = append(ids, r.Branch.ID)
	}
	for _, u := range d.Urgent {
		ids = append(ids, u.Branch.ID)
	}
	if len(ids) == 0 {
		return nil
	}
	paths, err := rules.OrgPaths(ctx, q, ids)
	if err != nil {
		return err
	}
	of := map[int64]map[string]rules.Rule{}
	version := func(branch int64, r rules.Rule) rules.Rule {
		vs, ok := of[branch]
		if !ok {
			vs = map[string]rules.Rule{}
			for _, v := range rules.Versions(set.For(paths[branch]), asOf) {
				vs[v.Code] = v
			}
			of[branch] = vs
		}
		if v, ok := vs[r.Code]; ok {
			return v
		}
		return r
	}
	for i := range d.Rows {
		for j := range d.Rows[i].Cells {
			c := &d.Rows[i].Cells[j]
			c.Rule = version(d.Rows[i].Branch.ID, c.Rule)
		}
	}
	for i := range d.Urgent {
		d.Urgent[i].Rule = version(d.Urgent[i].Branch.ID, d.Urgent[i].Rule)
	}
	return nil
}

func asOfDay(p rules.Period, today time.Time) time.Time {
	asOf := p.Last()
	if today.Before(asOf) {
		asOf = today
	}
	return asOf
}

func toInts(v []int32) []int {
	out := make([]int, len(v))
	for i, n := range v {
		out[i] = int(n)
	}
	return out
}
