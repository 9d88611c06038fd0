package dues

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
	"zhibu/internal/rules"
)

// arrearsWindow is how many months back the arrears count looks (at least
// one more than the breach threshold): a longer run of unpaid months shows
// as this many. Kept short: every member's months are checked one by one.
const arrearsWindow = 13

// arrearsSQL counts, per member of the branches $1 (their branch now), the
// consecutive months unpaid among the months $2 (the window up to the last
// month that has ended), without a recorded good reason. A month counts from the latest of
// the month of admission, January of the first year with a base, and the
// month that first base was recorded (a member without any base is not
// counted, and a branch that starts keeping dues in the application does
// not put its members in arrears for the months before). A month is in order when what was paid for it
// covers the amount due (nothing is due when exempt) or a good reason is
// recorded for it.
const arrearsSQL = `
WITH mem AS (
  SELECT m.id, m.branch_id,
         greatest(date_trunc('month', m.admitted_on)::date, fb.start) AS start
    FROM members m
    JOIN LATERAL (SELECT greatest(make_date(min(year), 1, 1), date_trunc('month', min(created_at) AT TIME ZONE 'Asia/Shanghai')::date) AS start
                    FROM dues_bases b WHERE b.member_id = m.id) fb ON fb.start IS NOT NULL
   WHERE (m.branch_id = ANY ($1) OR m.id = ANY ($3)) AND in_good_standing(m.category, m.party_status) AND m.admitted_on IS NOT NULL
), mo AS (
  SELECT mem.id, mem.branch_id, gs AS month
    FROM mem CROSS JOIN unnest($2::date[]) gs
   WHERE gs >= mem.start
), ok AS (
  SELECT mo.id, mo.branch_id, mo.month,
         coalesce(p.paid, 0) >= coalesce(b.monthly_fen, 0)
         OR EXISTS (SELECT 1 FROM dues_excuses x WHERE x.member_id = mo.id AND mo.month BETWEEN x.from_month AND x.to_month) AS ok
    FROM mo
    LEFT JOIN LATERAL (SELECT monthly_fen FROM dues_bases b WHERE b.member_id = mo.id AND b.year <= extract(year FROM mo.month)::int
                        ORDER BY b.year DESC LIMIT 1) b ON true
    LEFT JOIN LATERAL (SELECT sum(amount_fen) AS paid FROM dues_payments p WHERE p.member_id = mo.id AND p.for_month = mo.month) p ON true
), last_ok AS (
  SELECT id, branch_id, max(month) FILTER (WHERE ok) AS last_ok FROM ok GROUP BY id, branch_id
)
SELECT l.id, l.branch_id,
       count(*) FILTER (WHERE ok.month > coalesce(l.last_ok, '-infinity'::date))::int AS months,
       min(ok.month) FILTER (WHERE ok.month > coalesce(l.last_ok, '-infinity'::date)) AS since
  FROM last_ok l JOIN ok ON ok.id = l.id
 GROUP BY l.id, l.branch_id`

// Arrear is a member's run of unpaid months: Months consecutive months up
// to the last month that has ended, the first of them Since.
type Arrear struct {
	MemberID int64
	BranchID int64
	Months   int
	Since    time.Time
}

// LastEnded is the last month that has ended on day today: dues for a
// month are paid during it, so the current month is not yet owed.
func LastEnded(today time.Time) time.Time { return FirstOfMonth(today).AddDate(0, -1, 0) }

// Arrears returns the members of the branches (by their branch now) whose
// dues are kept, by member id, with their run of unpaid months (Months 0:
// in order).
func Arrears(ctx context.Context, q db.Querier, branchIDs []int64, today time.Time) (map[int64]Arrear, error) {
	return arrears(ctx, q, branchIDs, nil, today)
}

// ArrearsOf returns the arrears of the given members only (see Arrears).
func ArrearsOf(ctx context.Context, q db.Querier, memberIDs []int64, today time.Time) (map[int64]Arrear, error) {
	return arrears(ctx, q, nil, memberIDs, today)
}

func arrears(ctx context.Context, q db.Querier, branchIDs, memberIDs []int64, today time.Time) (map[int64]Arrear, error) {
	if branchIDs == nil {
		branchIDs = []int64{}
	}
	if memberIDs == nil {
		memberIDs = []int64{}
	}
	// The months as an array parameter, not generate_series: the planner
	// then knows how many there are (an estimate of 1000 a member made it
	// compile the query with JIT, which cost more than running it).
	all, err := rules.LoadScoped(ctx, q)
	if err != nil {
		return nil, err
	}
	window := arrearsWindow
	for _, r := range all { // the longest breach threshold of any subtree in force
		if r.Kind == rules.KindDues && r.Enabled && r.InForce(rules.Day(today)) {
			window = max(window, thresholdsOf(r).Breach+1)
		}
	}
	last := LastEnded(today)
	months := make([]time.Time, window)
	for i := range months {
		months[i] = last.AddDate(0, i+1-window, 0)
	}
	rows, err := q.Query(ctx, arrearsSQL, branchIDs, months, memberIDs)
	if err != nil {
		return nil, fmt.Errorf("dues: arrears: %w", err)
	}
	out := map[int64]Arrear{}
	var a Arrear
	var since *time.Time
	if _, err := pgx.ForEachRow(rows, []any{&a.MemberID, &a.BranchID, &a.Months, &since}, func() error {
		a.Since = time.Time{}
		if since != nil {
			a.Since = *since
		}
		out[a.MemberID] = a
		return nil
	}); err != nil {
		return nil, fmt.Errorf("dues: arrears: %w", err)
	}
	return out, nil
}

// Thresholds are the months of arrears that bring a reminder and a breach
// of the six-month rule, with the rule they come from (the rule set's
// dues_arrears version in force: a setting, not a constant).
type Thresholds struct {
	Remind int
	Breach int
	Rule   rules.Rule
	Found  bool
}

// ThresholdsOf returns the dues rule in force on day d for a branch: its
// subtree's version (an override), else the agency's default.
func ThresholdsOf(ctx context.Context, q db.Querier, branchID int64, d time.Time) (Thresholds, error) {
	th, err := ThresholdsFor(ctx, q, []int64{branchID}, d)
	return th[branchID], err
}

// ThresholdsFor returns, per branch, the dues rule in force on day d for
// it (see ThresholdsOf), with one load of the rule set for every branch.
func ThresholdsFor(ctx context.Context, q db.Querier, branchIDs []int64, d time.Time) (map[int64]Thresholds, error) {
	res, paths, err := rules.LoadFor(ctx, q, branchIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Thresholds, len(branchIDs))
	for _, id := range branchIDs {
		out[id] = thresholdsIn(res.For(paths[id]), d)
	}
	return out, nil
}

// thresholdsIn picks the dues rule in force on day d from a branch's
// versions (rules.Resolver.For); none when switched off.
func thresholdsIn(list []rules.Rule, d time.Time) Thresholds {
	for _, r := range rules.Versions(list, rules.Day(d)) {
		if r.Kind == rules.KindDues {
			return thresholdsOf(r)
		}
	}
	return Thresholds{}
}

func thresholdsOf(r rules.Rule) Thresholds {
	t := Thresholds{Remind: int(r.Minimum), Breach: 6, Rule: r, Found: true}
	if r.Maximum != nil {
		t.Breach = int(*r.Maximum)
	}
	return t
}

// Level is how an arrear stands: "" (none), "remind" or "breach".
func (t Thresholds) Level(months int) string {
	switch {
	case !t.Found || months < t.Remind:
		return ""
	case months >= t.Breach:
		return "breach"
	}
	return "remind"
}
