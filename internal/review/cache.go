package review

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/rules"
)

// The dashboard of a subtree reads branch_status, one row per branch and
// period holding the branch's evaluated results. Before reading, the rows
// that are missing or out of date (stale: a record behind them changed,
// which the database triggers note; computed on an earlier day; or
// computed under an older rule set) are recomputed with the evaluation
// engine and written back. Summary, chart, urgent items, sorting, the
// problem filter and paging are then SQL over those rows.

// Options choose the page of branches the dashboard returns.
type Options struct {
	Sort     string // one of sortKeys; "" = status
	Desc     bool
	Problems bool // only branches with a rule due soon or missed
	Offset   int
	Limit    int // 0: every branch
	Urgent   int // how many urgent items; 0: 10
	// Jobs, when set, recomputes out-of-date rows in the background: a
	// dashboard then never waits for a whole subtree's recompute (the
	// first of a day, after a rule change) but shows the rows of the day
	// they were computed on, with Dashboard.Behind set.
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

const stampSQL = `SELECT coalesce(max(id), 0) * 100000 + count(*), clock_timestamp() FROM rules`

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

func lookupScope(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time, stamp int64) (scope, error) {
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

func rulesStamp(ctx context.Context, q *pgxpool.Pool) (stamp int64, started time.Time, err error) {
	if err := q.QueryRow(ctx, stampSQL).Scan(&stamp, &started); err != nil {
		return 0, time.Time{}, fmt.Errorf("review: rules stamp: %w", err)
	}
	return stamp, started, nil
}

// Refresh recomputes the out-of-date branch_status rows of a subtree and
// period, checking every branch of it, and records the subtree as
// computed today (branch_status_scopes). It returns how many rows it
// wrote. It costs a recompute of every branch on the first call of a day.
func Refresh(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time) (int, error) {
	today = rules.Day(today)
	stamp, started, err := rulesStamp(ctx, q)
	if err != nil {
		return 0, err
	}
	rows, err := q.Query(ctx, staleSQL, roots, p.Key(), today, stamp)
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
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

// refreshStale recomputes only the rows of a subtree marked stale.
func refreshStale(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time, stamp int64, started time.Time) (int, error) {
	rows, err := q.Query(ctx, staleOnlySQL, roots, p.Key())
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("review: stale rows: %w", err)
	}
	return len(stale), recompute(ctx, q, stale, p, today, stamp, started)
}

// scopeKey is roots sorted, without duplicates.
func scopeKey(roots []int64) []int64 {
	key := slices.Clone(roots)
	slices.Sort(key)
	return slices.Compact(key)
}

// recompute evaluates the given branches and writes their rows.
func recompute(ctx context.Context, q *pgxpool.Pool, ids []int64, p rules.Period, today time.Time, stamp int64, started time.Time) error {
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
		batch := &pgx.Batch{}
		for _, row := range d.Rows {
			if err := queueUpsert(batch, row, p, today, stamp, started); err != nil {
				return err
			}
		}
		// A summary kept from before this batch is out of date after it.
		batch.Queue(bumpVersionSQL)
		if err := q.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("review: write branch status: %w", err)
		}
	}
	return nil
}

// ensure brings a subtree's rows up to date for a dashboard. When they
// are from an earlier day or rule set (or branches changed since they
// were checked) and a background job is given, it recomputes only the
// rows records changed, asks the job for the rest and reports the day
// the others were computed on (behind); otherwise it refreshes them all.
func ensure(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time, jobs *Jobs) (asOf time.Time, behind bool, err error) {
	stamp, started, err := rulesStamp(ctx, q)
	if err != nil {
		return today, false, err
	}
	sc, err := lookupScope(ctx, q, roots, p, today, stamp)
	if err != nil {
		return today, false, err
	}
	switch {
	case sc.fresh(today, stamp):
		_, err = refreshStale(ctx, q, roots, p, today, stamp, started)
		return today, false, err
	case sc.found && jobs != nil:
		if _, err = refreshStale(ctx, q, roots, p, today, stamp, started); err != nil {
			return today, false, err
		}
		jobs.Kick()
		return sc.day, true, nil
	}
	_, err = Refresh(ctx, q, roots, p, today)
	return today, false, err
}

func queueUpsert(b *pgx.Batch, row Row, p rules.Period, today time.Time, stamp int64, started time.Time) error {
	cells := make([]cellJSON, len(row.Cells))
	for i, c := range row.Cells {
		cells[i] = cellJSON{Code: c.Rule.Code, Status: string(c.Status), Actual: c.Actual, Required: c.Required, Flagged: c.Flagged}
	}
	var urgent []urgentJSON
	for _, u := range row.Urgent {
		if len(urgent) == urgentPerBranch {
			break
		}
		due := ""
		if !u.DueOn.IsZero() {
			due = u.DueOn.Format(time.DateOnly)
		}
		urgent = append(urgent, urgentJSON{Code: u.Rule.Code, Status: string(u.Status), Rank: u.Status.Rank(), Level: u.Level, DueOn: due, Subject: u.Subject, Href: u.Href})
	}
	cj, err := json.Marshal(cells)
	if err != nil {
		return fmt.Errorf("review: cells: %w", err)
	}
	c := row.Summary.Counts
	b.Queue(upsertSQL, row.Branch.ID, p.Key(), today, stamp, row.Summary.Worst.Rank(),
		c[rules.Met], c[rules.Pending], c[rules.DueSoon], c[rules.Missed],
		row.Attendance.Num, row.Attendance.Den, row.Study.Num, row.Study.Den, row.OpenItems, row.OverdueItems,
		row.ChartMet[:], row.ChartChecked[:], cj, started)
	b.Queue(urgentDeleteSQL, row.Branch.ID, p.Key())
	if len(urgent) > 0 {
		var ranks, lvls []int
		var dues []*time.Time
		var codes, sts, subjects, hrefs []string
		for _, u := range urgent {
			ranks, lvls, codes, sts, subjects, hrefs = append(ranks, u.Rank), append(lvls, u.Level), append(codes, u.Code), append(sts, u.Status), append(subjects, u.Subject), append(hrefs, u.Href)
			var due *time.Time
			if t, err := time.Parse(time.DateOnly, u.DueOn); err == nil {
				due = &t
			}
			dues = append(dues, due)
		}
		b.Queue(urgentInsertSQL, row.Branch.ID, p.Key(), ranks, lvls, dues, codes, sts, subjects, hrefs)
	}
	return nil
}

// summarySQL computes a subtree's summary in one pass over its rows,
// with the version of branch_status_marks it saw (same snapshot).
var summarySQL = `
SELECT (SELECT m.version FROM branch_status_marks m WHERE m.id = 1), ` + summaryCols + `::int[]
  FROM branch_status s
  JOIN organisations o ON o.id = s.branch_id
 WHERE s.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]`

// cachedSummarySQL is the summary kept from an earlier dashboard, if no
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
	sb.WriteString("]")
	return sb.String()
}()

const (
	summaryIdxCounts = 5  // results per status start here
	summaryIdxChart  = 9  // the chart's month pairs start here
	summaryLen       = 33 // 5 + 4 + 24
)

// subtreeSummary returns a subtree's summary figures: kept from an earlier
// dashboard while no row was written and no branch changed since (the
// common case: one indexed read), else computed in one pass and kept.
func subtreeSummary(ctx context.Context, q *pgxpool.Pool, roots []int64, key string) ([]int32, error) {
	roots = scopeKey(roots)
	var figures []int32
	err := q.QueryRow(ctx, cachedSummarySQL, roots, key).Scan(&figures)
	if err == nil && len(figures) == summaryLen {
		return figures, nil
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("review: summary: %w", err)
	}
	var version int64
	if err := q.QueryRow(ctx, summarySQL, roots, key).Scan(&version, &figures); err != nil {
		return nil, fmt.Errorf("review: summary: %w", err)
	}
	if len(roots) > 0 {
		if _, err := q.Exec(ctx, keepSummarySQL, roots, key, version, figures); err != nil {
			return nil, fmt.Errorf("review: keep summary: %w", err)
		}
	}
	return figures, nil
}

const urgentSQL = `
SELECT u.branch_id, o.name, coalesce(p.name, '') AS parent, u.code, u.status, u.lvl, coalesce(u.due_on::text, ''), u.subject, u.href
  FROM branch_status_urgent u
  JOIN organisations o ON o.id = u.branch_id
  LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE u.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]
 ORDER BY u.rank DESC, u.lvl DESC, u.due_on
 LIMIT $3`

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
}

// pageSQL returns the page of rows in order, with their cells: the
// subtree's rows are sorted by their narrow columns, and only the page's
// rows are then read whole.
func pageSQL(sortKey string, desc, problems bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	where := ""
	if problems {
		where = " AND s.worst >= 3"
	}
	return `
SELECT s.branch_id, o.name, coalesce(p.name, ''), s.worst, s.n_met, s.n_pending, s.n_due_soon, s.n_missed,
       s.att_num, s.att_den, s.study_num, s.study_den, s.open_items, s.overdue_items, s.cells
  FROM (SELECT x.id, row_number() OVER () AS n
          FROM (SELECT s.branch_id AS id
                  FROM branch_status s
                  JOIN organisations o ON o.id = s.branch_id
                 WHERE s.period = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]` + where + `
                 ORDER BY ` + fmt.Sprintf(orderBy[sortKey], dir) + `, o.name, o.id
                 LIMIT $3 OFFSET $4) x) ids
  JOIN branch_status s ON s.branch_id = ids.id AND s.period = $2
  JOIN organisations o ON o.id = s.branch_id
  LEFT JOIN organisations p ON p.id = o.parent_id
 ORDER BY ids.n`
}

// Subtree is the dashboard of every branch under roots: summary over all
// of them, and the page of rows opt asks for.
func Subtree(ctx context.Context, q *pgxpool.Pool, roots []int64, p rules.Period, today time.Time, opt Options) (*Dashboard, error) {
	today = rules.Day(today)
	asOf, behind, err := ensure(ctx, q, roots, p, today, opt.Jobs)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Period: p, Today: today, Counts: map[rules.Status]int{}, BranchCounts: map[rules.Status]int{}, Behind: behind, ComputedOn: asOf}
	all, err := rules.LoadAll(ctx, q)
	if err != nil {
		return nil, err
	}
	byCode := map[string]rules.Rule{}
	for _, r := range rules.Versions(all, asOfDay(p, today)) {
		d.Columns = append(d.Columns, Column{Rule: r})
		byCode[r.Code] = r
	}
	key := p.Key()

	// The summary (usually kept from the last dashboard), then the page
	// and the urgent items in one round trip.
	sortKey := opt.Sort
	if _, ok := orderBy[sortKey]; !ok {
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
	summary, err := subtreeSummary(ctx, q, roots, key)
	if err != nil {
		return nil, err
	}
	batch := &pgx.Batch{}
	batch.Queue(pageSQL(sortKey, opt.Desc, opt.Problems), roots, key, limit, opt.Offset)
	batch.Queue(urgentSQL, roots, key, urgentN)
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
	)
	var ids []int64
	if _, err := pgx.ForEachRow(rows, []any{&b.ID, &b.Name, &b.Parent, &wRnk, &nMet, &nPend, &nDue, &nMiss,
		&attNum, &attDen, &stNum, &stDen, &open, &overdue, &cellsRaw}, func() error {
		r := Row{Branch: b, OpenItems: open, OverdueItems: overdue,
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
	return d, nil
}

func asOfDay(p rules.Period, today time.Time) time.Time {
	asOf := p.Last()
	if today.Before(asOf) {
		asOf = today
	}
	return asOf
}
