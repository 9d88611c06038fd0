package dues

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
	"zhibu/internal/todo"
)

// Mine is what /me shows of a member's own dues: the year's base, rate and
// monthly amount, the months of the year so far paid and outstanding, and
// the run of unpaid months with its level.
type Mine struct {
	Base           *Base
	Months         []MonthCell
	PaidMonths     int
	OutstandingFen int64
	Arrear         int
	Level          string
	Thresholds     Thresholds
}

// ForMember gathers a member's own dues for /me (the member sees their own
// base; nobody else's), in one round trip.
func ForMember(ctx context.Context, pool *pgxpool.Pool, memberID int64, today time.Time) (Mine, error) {
	var m Mine
	b := &pgx.Batch{}
	QueueMine(b, memberID, today, &m)
	if err := pool.SendBatch(ctx, b).Close(); err != nil {
		return m, fmt.Errorf("dues: own dues of %d: %w", memberID, err)
	}
	return m, nil
}

// mineWindow is how many months back /me counts a member's arrears.
const mineWindow = 25

// mineRuleSQL is the dues rule in force on $1 for the member $2's branch:
// the deepest override of the branch's subtrees first, else the agency's
// default (the choice rules.Resolver makes, in the batch's one round trip).
const mineRuleSQL = `SELECT r.id, r.code, r.kind, r.meeting_kind, r.applies_to, r.period, r.minimum::float8 AS minimum, r.maximum::float8 AS maximum,
       r.title, r.source, r.enabled, r.builtin, r.effective_from, r.effective_to, r.org_id, r.counted_kinds
  FROM rules r,
       (SELECT coalesce((SELECT o.path FROM members m JOIN organisations o ON o.id = m.branch_id WHERE m.id = $2), '{}') AS path) c
 WHERE r.kind = 'dues' AND r.effective_from <= $1 AND (r.effective_to IS NULL OR r.effective_to > $1)
   AND (r.org_id IS NULL OR r.org_id = ANY (c.path))
 ORDER BY array_position(c.path, r.org_id) DESC NULLS LAST, r.code LIMIT 1`

// QueueMine adds the statements of a member's own dues to a batch, for
// pages that read many things in one round trip (/me); dst is filled when
// the batch runs.
func QueueMine(b *pgx.Batch, memberID int64, today time.Time, dst *Mine) {
	b.Queue(`SELECT id, member_id, year, category, base_fen, staff_no, rate_bp, standard_fen, special, special_reason, approved_on, monthly_fen, source, version, capped
  FROM dues_bases WHERE member_id = $1 AND year <= $2 ORDER BY year DESC LIMIT 1`, memberID, today.Year()).Query(func(rows pgx.Rows) error {
		bs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Base])
		if err == nil && len(bs) == 1 {
			dst.Base = &bs[0]
		}
		return err
	})
	var months []time.Time
	for m := time.Date(today.Year(), 1, 1, 0, 0, 0, 0, time.UTC); !m.After(FirstOfMonth(today)); m = m.AddDate(0, 1, 0) {
		months = append(months, m)
	}
	b.Queue(ownMonthsSQL, memberID, months).Query(func(rows pgx.Rows) error {
		var c MonthCell
		var due *int64
		_, err := pgx.ForEachRow(rows, []any{&c.Month, &due, &c.PaidFen, &c.Excused}, func() error {
			cell := MonthCell{Month: c.Month, PaidFen: c.PaidFen, Excused: c.Excused, NoBase: due == nil}
			if due != nil {
				cell.DueFen = *due
			}
			cell.Paid = due != nil && c.PaidFen >= cell.DueFen
			cell.Outstand = max(0, cell.DueFen-c.PaidFen)
			dst.Months = append(dst.Months, cell)
			if cell.Paid {
				dst.PaidMonths++
			}
			dst.OutstandingFen += cell.Outstand
			return nil
		})
		return err
	})
	last := LastEnded(today)
	window := make([]time.Time, mineWindow)
	for i := range window {
		window[i] = last.AddDate(0, i+1-mineWindow, 0)
	}
	b.Queue(arrearsSQL, []int64{}, window, []int64{memberID}).Query(func(rows pgx.Rows) error {
		var id, branch int64
		var n int
		var since *time.Time
		_, err := pgx.ForEachRow(rows, []any{&id, &branch, &n, &since}, func() error { dst.Arrear = n; return nil })
		return err
	})
	b.Queue(mineRuleSQL, today, memberID).Query(func(rows pgx.Rows) error {
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[rules.Rule])
		if err != nil {
			return err
		}
		if len(rs) == 1 && rs[0].Enabled {
			dst.Thresholds = thresholdsOf(rs[0])
		}
		dst.Level = dst.Thresholds.Level(dst.Arrear)
		return nil
	})
}

// ownMonthsSQL lists the months $2 a member owes (from admission and from
// when their dues are kept), wherever they belonged on each first day.
const ownMonthsSQL = `
SELECT gs, b.monthly_fen, coalesce(p.paid, 0)::bigint,
       EXISTS (SELECT 1 FROM dues_excuses x WHERE x.member_id = m.id AND gs BETWEEN x.from_month AND x.to_month)
  FROM members m CROSS JOIN unnest($2::date[]) gs
  LEFT JOIN LATERAL (SELECT monthly_fen FROM dues_bases b WHERE b.member_id = m.id AND b.year <= extract(year FROM gs)::int ORDER BY b.year DESC LIMIT 1) b ON true
  LEFT JOIN LATERAL (SELECT sum(amount_fen) AS paid FROM dues_payments p WHERE p.member_id = m.id AND p.for_month = gs) p ON true
 CROSS JOIN LATERAL (SELECT greatest(make_date(min(year), 1, 1), date_trunc('month', min(created_at) AT TIME ZONE 'Asia/Shanghai')::date) AS start
                      FROM dues_bases b WHERE b.member_id = m.id) fb
 WHERE m.id = $1 AND m.admitted_on IS NOT NULL AND gs >= date_trunc('month', m.admitted_on)::date
   AND (fb.start IS NULL OR gs >= fb.start)
 ORDER BY 1`

// Todos lists the dues work of the organisations' branches for the
// workbench: ledger months that have ended and are not yet handed in (the
// last three), months handed in and awaiting the committee's confirmation,
// and members whose arrears reached the reminder or the six-month rule.
// Titles are translated for ctx's language.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	type br struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	branches, err := db.Rows[br](ctx, q, `SELECT id, name FROM organisations WHERE kind = 'branch' AND dissolved_on IS NULL AND path && $1::bigint[] ORDER BY path`, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("dues: todo branches: %w", err)
	}
	if len(branches) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(branches))
	names := map[int64]string{}
	for i, b := range branches {
		ids[i], names[b.ID] = b.ID, b.Name
	}
	last := LastEnded(today)
	type st struct {
		BranchID int64     `db:"branch_id"`
		Month    time.Time `db:"month"`
		Status   string    `db:"status"`
	}
	states, err := db.Rows[st](ctx, q, `SELECT branch_id, month, status FROM dues_months WHERE branch_id = ANY ($1) AND month BETWEEN $2 AND $3`, ids, last.AddDate(0, -2, 0), last)
	if err != nil {
		return nil, fmt.Errorf("dues: todo months: %w", err)
	}
	known := map[[2]int64]string{}
	for _, s := range states {
		known[[2]int64{s.BranchID, s.Month.Unix()}] = s.Status
	}
	var out []todo.Item
	for _, b := range branches {
		for m := last.AddDate(0, -2, 0); !m.After(last); m = m.AddDate(0, 1, 0) {
			due := m.AddDate(0, 1, 0) // handed in in the month after
			due = time.Date(due.Year(), due.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, -1)
			switch known[[2]int64{b.ID, m.Unix()}] {
			case "":
				out = append(out, todo.Item{Area: "dues", Title: i18n.T(ctx, "dues.todo.close", b.Name, monthLabel(ctx, m)), URL: ledgerURL(b.ID, m), Due: due, Overdue: today.After(due)})
			case MonthClosed:
				out = append(out, todo.Item{Area: "dues", Title: i18n.T(ctx, "dues.todo.confirm", b.Name, monthLabel(ctx, m)), URL: ledgerURL(b.ID, m)})
			}
		}
	}
	th, err := ThresholdsFor(ctx, q, ids, today)
	if err != nil {
		return nil, err
	}
	arrears, err := Arrears(ctx, q, ids, today)
	if err != nil {
		return nil, err
	}
	if len(arrears) > 0 {
		var mids []int64
		for id := range arrears {
			mids = append(mids, id)
		}
		type mn struct {
			ID   int64  `db:"id"`
			Name string `db:"name"`
		}
		ms, err := db.Rows[mn](ctx, q, `SELECT id, name FROM members WHERE id = ANY ($1)`, mids)
		if err != nil {
			return nil, fmt.Errorf("dues: todo members: %w", err)
		}
		for _, m := range ms {
			a := arrears[m.ID]
			t := th[a.BranchID]
			lvl := t.Level(a.Months)
			if lvl == "" {
				continue
			}
			due := a.Since.AddDate(0, t.Breach, -1)
			out = append(out, todo.Item{Area: "dues", Title: i18n.T(ctx, "dues.todo.arrears", m.Name, a.Months), Detail: names[a.BranchID],
				URL: ledgerURL(a.BranchID, FirstOfMonth(today)), Due: due, Overdue: lvl == "breach", Cite: t.Rule.SourceText(ctx)})
		}
	}
	todo.Sort(out)
	return out, nil
}
