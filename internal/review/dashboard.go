package review

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
	"zhibu/internal/rules"
)

// Rate is a fraction with its parts, so a page can show both.
type Rate struct {
	Num, Den float64
}

// Percent is the rate in whole percent; ok is false when there is nothing to count.
func (r Rate) Percent() (int, bool) {
	if r.Den <= 0 {
		return 0, false
	}
	return int(r.Num*100/r.Den + 0.5), true
}

// Column is one rule shown as a dashboard column.
type Column struct {
	Rule rules.Rule
}

// Cell is a branch's result for one rule, as the dashboard shows it.
type Cell struct {
	Rule     rules.Rule
	Status   rules.Status
	Actual   float64
	Required float64
	Flagged  int // members or items the rule names
}

// Row is one branch on the dashboard.
type Row struct {
	Branch       Branch
	Facts        *rules.Facts   // only when evaluated live
	Results      []rules.Result // only when evaluated live
	Rules        []rules.Rule   // the versions that may apply to the branch, its subtrees' overrides first (only when evaluated live)
	Cells        []Cell         // one per column, same order
	Urgent       []Urgent       // only when evaluated live
	ChartMet     [12]int        // per month: meeting rules met …
	ChartChecked [12]int        // … of those settled or due soon
	Summary      rules.Summary
	Attendance   Rate
	Study        Rate
	OpenItems    int
	OverdueItems int
	Rating       *Review
	Rank         int // place by score in the subtree's list (1 = best); 0 when not ranked
}

// Score is the branch's score for the period in whole percent: the rules
// met of those settled or due soon (rules not yet due count for nothing
// either way). ok is false while no rule is settled or due soon. The page
// says how it is computed; scoreSQL is the same in SQL.
func (r Row) Score() (int, bool) {
	met, due, missed := r.Summary.Counts[rules.Met], r.Summary.Counts[rules.DueSoon], r.Summary.Counts[rules.Missed]
	if met+due+missed == 0 {
		return 0, false
	}
	return (met*100 + (met+due+missed)/2) / (met + due + missed), true
}

// Trend is the branch's monthly share of meeting rules met, for a
// sparkline: -1 for a month with nothing to judge.
func (r Row) Trend() []int {
	var out []int
	for m := range 12 {
		switch {
		case r.ChartChecked[m] > 0:
			out = append(out, r.ChartMet[m]*100/r.ChartChecked[m])
		default:
			out = append(out, -1)
		}
	}
	return out
}

// Problem reports whether the branch has a rule due soon or missed.
func (r Row) Problem() bool { return r.Summary.Worst.Problem() }

// Urgent is one thing that needs attention now.
type Urgent struct {
	Branch  Branch
	Rule    rules.Rule
	Status  rules.Status
	DueOn   time.Time
	Subject string // member's name or the item's problem; "" for the branch itself
	Level   int    // six-month ladder rung
	Href    string
}

// ChartPoint is one month of the compliance chart.
type ChartPoint struct {
	Month   time.Time
	Percent int
	Checked int // results counted (met + due soon + missed)
}

// Dashboard is everything the review page shows for a subtree and period.
type Dashboard struct {
	Period       rules.Period
	Today        time.Time
	Columns      []Column
	Rows         []Row                // the branches asked for (a page of the subtree)
	Total        int                  // branches in the subtree
	Filtered     int                  // of them, those the filter keeps
	Counts       map[rules.Status]int // results per status over every branch and rule
	BranchCounts map[rules.Status]int // branches by their worst status
	Chart        []ChartPoint
	Urgent       []Urgent
	WithMissed   int   // branches with at least one rule missed
	WithDueSoon  int   // branches with at least one rule due soon
	Scores       []int // branches per score decile (0–9 %, …, 90–100 %)
	// Behind: the rows are being recomputed in the background; those not
	// changed since were computed on ComputedOn (an earlier day, or under
	// the rules before a change).
	Behind     bool
	ComputedOn time.Time
}

// Evaluate evaluates the given branches for the period, live from the
// rollups and records.
func Evaluate(ctx context.Context, q db.Querier, branches []Branch, p rules.Period, today time.Time, chart bool) (*Dashboard, error) {
	today = rules.Day(today)
	d := &Dashboard{Period: p, Today: today, Counts: map[rules.Status]int{}, BranchCounts: map[rules.Status]int{}}
	ids := make([]int64, len(branches))
	for i, b := range branches {
		ids[i] = b.ID
	}
	set, paths, err := BranchRules(ctx, q, ids)
	if err != nil {
		return nil, err
	}
	asOf := p.Last()
	if today.Before(asOf) {
		asOf = today
	}
	for _, r := range rules.Versions(set.Defaults(), asOf) {
		d.Columns = append(d.Columns, Column{Rule: r})
	}
	facts, err := LoadFacts(ctx, q, ids, p.Start.Year(), today)
	if err != nil {
		return nil, err
	}
	ratings, err := latestReviews(ctx, q, ids, p.Key())
	if err != nil {
		return nil, err
	}
	for _, b := range branches {
		f := facts[b.ID]
		all := set.For(paths[b.ID])
		res := rules.Evaluate(*f, all, p, today)
		row := Row{Branch: b, Facts: f, Rules: all, Summary: rules.Summarise(res), Rating: ratings[b.ID]}
		byCode := map[string]rules.Result{}
		for _, r := range res {
			byCode[r.Rule.Code] = r
			d.Counts[r.Status]++
			if r.Rule.Kind == rules.KindStudyHours {
				row.Study.Num += r.Actual
				row.Study.Den += r.Required
			}
		}
		for _, c := range d.Columns {
			r, ok := byCode[c.Rule.Code]
			if !ok {
				r = rules.Result{Rule: c.Rule, Status: rules.NotApplicable}
			}
			row.Results = append(row.Results, r)
			flagged := len(r.Members)
			if r.Rule.Kind == rules.KindRectification {
				flagged = len(r.Items)
			}
			row.Cells = append(row.Cells, Cell{Rule: r.Rule, Status: r.Status, Actual: r.Actual, Required: r.Required, Flagged: flagged}) // the branch's version
		}
		for m := p.Start; m.Before(p.End) && !m.After(today); m = m.AddDate(0, 1, 0) {
			mf := f.Months[m.Month()-1]
			row.Attendance.Num += float64(mf.Present)
			row.Attendance.Den += float64(mf.Due)
		}
		for _, it := range f.Items {
			if !it.Done {
				row.OpenItems++
				if it.Deadline.Before(today) {
					row.OverdueItems++
				}
			}
		}
		d.BranchCounts[row.Summary.Worst]++
		if row.Summary.Counts[rules.Missed] > 0 {
			d.WithMissed++
		}
		if row.Summary.Counts[rules.DueSoon] > 0 {
			d.WithDueSoon++
		}
		if s, ok := row.Score(); ok {
			if d.Scores == nil {
				d.Scores = make([]int, 10)
			}
			d.Scores[min(s/10, 9)]++
		}
		row.Urgent = urgentOf(b, res, p.Start.Year(), today)
		sortUrgent(row.Urgent, today)
		if chart {
			row.ChartMet, row.ChartChecked = chartRow(f, all, p.Start.Year(), today)
		}
		d.Rows = append(d.Rows, row)
		d.Urgent = append(d.Urgent, row.Urgent...)
	}
	sortUrgent(d.Urgent, today)
	if chart {
		d.Chart = chartOf(d.Rows, p.Start.Year(), today)
	}
	d.Total, d.Filtered = len(d.Rows), len(d.Rows)
	return d, nil
}

// BranchRules loads every version of the rule set once, the overrides of
// subtrees included, and, when some organisation has an override, the
// paths of the given branches: Resolver.For(paths[id]) is then the rule
// set of each branch, for every period, without a query per branch.
func BranchRules(ctx context.Context, q db.Querier, ids []int64) (*rules.Resolver, map[int64][]int64, error) {
	return rules.LoadFor(ctx, q, ids)
}

// sortUrgent puts people first by their six-month rung (a member near or
// past six months without Party life), then what lies closest to today,
// either side: due in three days or missed last week before a miss from
// January; on the same distance, what can still be done (due soon) first.
// urgentSQL orders the same way.
func sortUrgent(list []Urgent, today time.Time) {
	dist := func(u Urgent) int {
		if u.DueOn.IsZero() {
			return 0
		}
		d := int(u.DueOn.Sub(today).Hours() / 24)
		if d < 0 {
			d = -d
		}
		return d
	}
	slices.SortStableFunc(list, func(a, b Urgent) int {
		if c := cmp.Compare(b.Level, a.Level); c != 0 {
			return c
		}
		if c := cmp.Compare(dist(a), dist(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(urgentClass(a), urgentClass(b)); c != 0 {
			return c
		}
		return cmp.Compare(a.Branch.Name, b.Branch.Name)
	})
}

func urgentClass(u Urgent) int {
	if u.Status == rules.DueSoon {
		return 0
	}
	return 1
}

// urgentOf lists a branch's problems, one per member or item where the
// rule names them.
func urgentOf(b Branch, res []rules.Result, year int, today time.Time) []Urgent {
	var out []Urgent
	for _, r := range res {
		if !r.Status.Problem() {
			continue
		}
		switch {
		case len(r.Members) > 0:
			for _, m := range r.Members {
				if m.Status.Problem() {
					out = append(out, Urgent{Branch: b, Rule: r.Rule, Status: m.Status, DueOn: m.DueOn, Subject: m.Name, Level: m.Level, Href: MemberURL(m.ID)})
				}
			}
		case len(r.Items) > 0:
			for _, it := range r.Items {
				st := rules.DueSoon
				if it.Deadline.Before(today) {
					st = rules.Missed
				}
				out = append(out, Urgent{Branch: b, Rule: r.Rule, Status: st, DueOn: it.Deadline, Subject: it.Problem, Href: ItemsURL(b.ID)})
			}
		default:
			out = append(out, Urgent{Branch: b, Rule: r.Rule, Status: r.Status, DueOn: r.DueOn, Href: RuleURL(r.Rule, b.ID, year)})
		}
	}
	return out
}

// chartRow counts, for each month of the year up to today, the meeting
// rules a branch met and those settled or due soon.
func chartRow(f *rules.Facts, all []rules.Rule, year int, today time.Time) (met, checked [12]int) {
	var meetingRules []rules.Rule
	for _, r := range all {
		if r.Kind == rules.KindMeetings || r.Kind == rules.KindQuorum {
			meetingRules = append(meetingRules, r)
		}
	}
	all = meetingRules
	for m := time.January; m <= time.December; m++ {
		p := rules.Month(year, m)
		if p.Start.After(today) {
			break
		}
		for _, r := range rules.Evaluate(*f, all, p, today) {
			if r.Rule.Kind != rules.KindMeetings && r.Rule.Kind != rules.KindQuorum {
				continue
			}
			switch r.Status {
			case rules.Met:
				met[m-1]++
				checked[m-1]++
			case rules.Missed, rules.DueSoon:
				checked[m-1]++
			}
		}
	}
	return met, checked
}

// chartOf sums the rows' months into the chart.
func chartOf(rows []Row, year int, today time.Time) []ChartPoint {
	var out []ChartPoint
	for m := time.January; m <= time.December; m++ {
		start := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
		if start.After(today) {
			break
		}
		pt := ChartPoint{Month: start}
		met := 0
		for _, row := range rows {
			met += row.ChartMet[m-1]
			pt.Checked += row.ChartChecked[m-1]
		}
		if pt.Checked > 0 {
			pt.Percent = met * 100 / pt.Checked
		}
		out = append(out, pt)
	}
	return out
}

// Sort keys of the dashboard.
var sortKeys = []string{"name", "score", "status", "attendance", "study", "overdue", "rating"}

const latestReviewsSQL = `
SELECT DISTINCT ON (branch_id) ` + reviewCols + `
  FROM branch_reviews r LEFT JOIN accounts a ON a.id = r.reviewer_id LEFT JOIN accounts s ON s.id = r.responder_id
 WHERE r.branch_id = ANY ($1) AND r.period = $2
 ORDER BY branch_id, reviewed_at DESC, r.id DESC`

func latestReviews(ctx context.Context, q db.Querier, ids []int64, period string) (map[int64]*Review, error) {
	rows, err := q.Query(ctx, latestReviewsSQL, ids, period)
	if err != nil {
		return nil, fmt.Errorf("review: latest reviews: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToAddrOfStructByName[Review])
	if err != nil {
		return nil, fmt.Errorf("review: latest reviews: %w", err)
	}
	out := map[int64]*Review{}
	for _, r := range list {
		out[r.BranchID] = r
	}
	return out, nil
}
