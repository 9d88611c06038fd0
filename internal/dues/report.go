package dues

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
)

// memberMonthsSQL lists, for branches $1 and the months $2 (an array), each month
// a member owes to a branch: a Party member in good standing, admitted by
// that month (2008 第八条), who belonged to the branch on its first day
// (2008 第九条), from when the branch keeps their dues (the month of the
// first base, as arrearsSQL; a member without a base is listed with no
// amount); with the amount due (the newest base of the month's year
// or before; NULL: no base set), what was paid for it and whether a good
// reason was recorded for it. The definition is the SQL function
// dues_member_months (migration 000380), which the kept roll-up sums too;
// the planner inlines it.
const memberMonthsSQL = `
SELECT branch_id, member_id, name, month, monthly_fen, paid, excused
  FROM dues_member_months($1::bigint[], $2::date[])
 ORDER BY branch_id, name, member_id, month`

// MonthCell is one month a member owes.
type MonthCell struct {
	Month    time.Time
	DueFen   int64 // 0 when exempt or no base
	PaidFen  int64
	NoBase   bool
	Excused  bool
	Paid     bool // paid in full (or nothing due)
	Outstand int64
}

// MemberRow is a member's line of a report: the months owed in the range.
type MemberRow struct {
	BranchID       int64
	MemberID       int64
	Name           string
	Months         []MonthCell
	ExpectedFen    int64
	CollectedFen   int64
	OutstandingFen int64
	PaidMonths     int
	NoBase         bool
}

// MemberMonths returns, per member, the months they owe to the branches
// in from..to (first days of months), in name order.
func MemberMonths(ctx context.Context, q db.Querier, branchIDs []int64, from, to time.Time) ([]MemberRow, error) {
	var months []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	rows, err := q.Query(ctx, memberMonthsSQL, branchIDs, months)
	if err != nil {
		return nil, fmt.Errorf("dues: member months: %w", err)
	}
	var (
		out      []MemberRow
		bid, mid int64
		name     string
		month    time.Time
		due      *int64
		paid     int64
		excused  bool
	)
	_, err = pgx.ForEachRow(rows, []any{&bid, &mid, &name, &month, &due, &paid, &excused}, func() error {
		if len(out) == 0 || out[len(out)-1].MemberID != mid || out[len(out)-1].BranchID != bid {
			out = append(out, MemberRow{BranchID: bid, MemberID: mid, Name: name})
		}
		r := &out[len(out)-1]
		c := MonthCell{Month: month, PaidFen: paid, Excused: excused, NoBase: due == nil}
		if due != nil {
			c.DueFen = *due
		}
		c.Paid = due != nil && paid >= c.DueFen
		c.Outstand = max(0, c.DueFen-paid)
		r.Months = append(r.Months, c)
		r.ExpectedFen += c.DueFen
		r.CollectedFen += paid
		r.OutstandingFen += c.Outstand
		if c.Paid {
			r.PaidMonths++
		}
		r.NoBase = r.NoBase || c.NoBase
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dues: member months: %w", err)
	}
	return out, nil
}

// Totals sums a report's member rows.
type Totals struct {
	ExpectedFen    int64
	CollectedFen   int64
	OutstandingFen int64
}

// Sum adds up member rows.
func Sum(rows []MemberRow) Totals {
	var t Totals
	for _, r := range rows {
		t.ExpectedFen += r.ExpectedFen
		t.CollectedFen += r.CollectedFen
		t.OutstandingFen += r.OutstandingFen
	}
	return t
}

// Report is a branch's dues report over a range of months: by member, the
// totals, and for a single month its ledger (what was received in it,
// making-up and advance payments included) and whether it was handed in.
type Report struct {
	BranchID   int64
	BranchName string
	From, To   time.Time
	Monthly    bool
	Members    []MemberRow
	Totals     Totals
	LedgerFen  int64 // received in the range's ledger months
	States     map[time.Time]MonthState
}

// BuildReport gathers a branch's report for from..to.
func BuildReport(ctx context.Context, q db.Querier, branchID int64, name string, from, to time.Time) (Report, error) {
	rows, err := MemberMonths(ctx, q, []int64{branchID}, from, to)
	if err != nil {
		return Report{}, err
	}
	r := Report{BranchID: branchID, BranchName: name, From: from, To: to, Monthly: from.Equal(to), Members: rows, Totals: Sum(rows), States: map[time.Time]MonthState{}}
	if err := q.QueryRow(ctx, `SELECT coalesce(sum(amount_fen), 0)::bigint FROM dues_payments WHERE branch_id = $1 AND ledger_month BETWEEN $2 AND $3`,
		branchID, from, to).Scan(&r.LedgerFen); err != nil {
		return Report{}, fmt.Errorf("dues: report ledger: %w", err)
	}
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		st, err := MonthOf(ctx, q, branchID, m)
		if err != nil {
			return Report{}, err
		}
		r.States[m] = st
	}
	return r, nil
}

// RollupRow is one branch's month in the committee's roll-up.
type RollupRow struct {
	BranchID   int64
	BranchName string
	Parent     string
	Totals
	LedgerFen int64
	State     MonthState
	Members   int
	NoBase    int // members without a base
}

// Rollup returns, for every live branch under roots, the month's expected,
// collected and outstanding dues, the ledger's sum and its state. It reads
// the kept roll-up (dues_rollup, migration 000380) when the month is in
// its span, else computes the month live (LiveRollup).
func Rollup(ctx context.Context, q db.Querier, roots []int64, month time.Time) ([]RollupRow, error) {
	var kept bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM dues_rollup_span WHERE $1::date BETWEEN from_month AND to_month)`, month).Scan(&kept); err != nil {
		return nil, fmt.Errorf("dues: rollup span: %w", err)
	}
	if !kept {
		return LiveRollup(ctx, q, roots, month)
	}
	rows, err := q.Query(ctx, `SELECT o.id, o.name, coalesce(p.name, ''), coalesce(r.members, 0), coalesce(r.no_base, 0),
       coalesce(r.expected_fen, 0), coalesce(r.collected_fen, 0), coalesce(r.outstanding_fen, 0), coalesce(r.ledger_fen, 0),
       coalesce(m.status, 'open'), coalesce(m.total_fen, 0)
  FROM organisations o
  LEFT JOIN organisations p ON p.id = o.parent_id
  LEFT JOIN dues_rollup r ON r.branch_id = o.id AND r.month = $2
  LEFT JOIN dues_months m ON m.branch_id = o.id AND m.month = $2
 WHERE o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[] ORDER BY o.path`, roots, month)
	if err != nil {
		return nil, fmt.Errorf("dues: rollup: %w", err)
	}
	var (
		out []RollupRow
		r   RollupRow
	)
	_, err = pgx.ForEachRow(rows, []any{&r.BranchID, &r.BranchName, &r.Parent, &r.Members, &r.NoBase,
		&r.ExpectedFen, &r.CollectedFen, &r.OutstandingFen, &r.LedgerFen, &r.State.Status, &r.State.TotalFen}, func() error {
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dues: rollup: %w", err)
	}
	return out, nil
}

// LiveRollup computes Rollup from the ledger, member by member: the
// definition the kept roll-up must equal, and the months outside its span.
func LiveRollup(ctx context.Context, q db.Querier, roots []int64, month time.Time) ([]RollupRow, error) {
	type br struct {
		ID     int64  `db:"id"`
		Name   string `db:"name"`
		Parent string `db:"parent"`
	}
	branches, err := db.Rows[br](ctx, q, `SELECT o.id, o.name, coalesce(p.name, '') AS parent
  FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[] ORDER BY o.path`, roots)
	if err != nil {
		return nil, fmt.Errorf("dues: rollup branches: %w", err)
	}
	ids := make([]int64, len(branches))
	out := make([]RollupRow, len(branches))
	idx := map[int64]int{}
	for i, b := range branches {
		ids[i] = b.ID
		idx[b.ID] = i
		out[i] = RollupRow{BranchID: b.ID, BranchName: b.Name, Parent: b.Parent, State: MonthState{Status: MonthOpen}}
	}
	rows, err := MemberMonths(ctx, q, ids, month, month)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		o := &out[idx[r.BranchID]]
		o.ExpectedFen += r.ExpectedFen
		o.CollectedFen += r.CollectedFen
		o.OutstandingFen += r.OutstandingFen
		o.Members++
		if r.NoBase {
			o.NoBase++
		}
	}
	lrows, err := q.Query(ctx, `SELECT branch_id, sum(amount_fen)::bigint FROM dues_payments WHERE branch_id = ANY ($1) AND ledger_month = $2 GROUP BY branch_id`, ids, month)
	if err != nil {
		return nil, fmt.Errorf("dues: rollup ledger: %w", err)
	}
	var bid, sum int64
	if _, err := pgx.ForEachRow(lrows, []any{&bid, &sum}, func() error { out[idx[bid]].LedgerFen = sum; return nil }); err != nil {
		return nil, fmt.Errorf("dues: rollup ledger: %w", err)
	}
	srows, err := q.Query(ctx, `SELECT branch_id, status, total_fen FROM dues_months WHERE branch_id = ANY ($1) AND month = $2`, ids, month)
	if err != nil {
		return nil, fmt.Errorf("dues: rollup states: %w", err)
	}
	var st string
	var total int64
	if _, err := pgx.ForEachRow(srows, []any{&bid, &st, &total}, func() error {
		out[idx[bid]].State = MonthState{Status: st, TotalFen: total}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("dues: rollup states: %w", err)
	}
	return out, nil
}

// rollupAheadTo is the month the scan at now keeps the roll-up to.
func rollupAheadTo(now time.Time) time.Time {
	n := now.In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month()+rollupAhead, 1, 0, 0, 0, 0, time.UTC)
}

// rollupAhead is how far past the current month the hourly scan keeps the
// roll-up: a month more than a write widens it to (twelve), so that the
// first dues write of a new month does not count that month for every
// branch inside its own transaction (seconds over a thousand branches).
const rollupAhead = 13

// KeepRollupAhead widens the kept roll-up to rollupAhead months past now's
// month (China time), computing the months it adds for every branch. The
// notification queue's hourly scan calls it (one instance: the leader).
// A database without dues keeps no roll-up and is left as it is.
func KeepRollupAhead(ctx context.Context, pool *pgxpool.Pool, now time.Time) error {
	to := rollupAheadTo(now)
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT dues_rollup_refresh('{}'::bigint[], NULL, $1::date)`, to); err != nil {
			return fmt.Errorf("dues: keep the roll-up ahead: %w", err)
		}
		return nil
	})
}
