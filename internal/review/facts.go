package review

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
	"zhibu/internal/dues"
	"zhibu/internal/rules"
	"zhibu/internal/talk"
)

// Branch is a branch in the reviewer's subtree.
type Branch struct {
	ID     int64  `db:"id"`
	Name   string `db:"name"`
	Parent string `db:"parent"`
}

const branchesSQL = `
SELECT o.id, o.name, coalesce(p.name, '') AS parent
  FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path && $1::bigint[]
 ORDER BY o.name, o.id`

// Branches lists the live branches inside the subtrees of roots.
func Branches(ctx context.Context, q db.Querier, roots []int64) ([]Branch, error) {
	rows, err := q.Query(ctx, branchesSQL, roots)
	if err != nil {
		return nil, fmt.Errorf("review: branches: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Branch])
	if err != nil {
		return nil, fmt.Errorf("review: branches: %w", err)
	}
	return out, nil
}

const monthStatsSQL = `
SELECT branch_id, month, kind, held, quorate, due, present
  FROM branch_month_stats
 WHERE branch_id = ANY ($1) AND month >= $2 AND month < $3`

const groupsSQL = `
SELECT parent_id, count(*) FROM organisations
 WHERE kind = 'group' AND dissolved_on IS NULL AND parent_id = ANY ($1) GROUP BY parent_id`

// membersSQL: Party members in normal standing, with hours in the year (up
// to $3) and their self-study part, the last day present at any meeting,
// whether they sit on the branch's current committee, and the day they
// arrived (admission or the latest transfer in before the year's end $4).
const membersSQL = `
SELECT m.id, m.branch_id, m.name, m.category,
       coalesce(m.admitted_on, m.created_at::date) AS since,
       CASE WHEN m.category = 'probationary' THEN coalesce(m.probation_extended_to, (m.admitted_on + interval '1 year')::date) END AS conversion_due,
       EXISTS (SELECT 1 FROM committee_posts cp JOIN terms_on(current_date) ct ON ct.id = cp.term_id
                WHERE cp.member_id = m.id AND ct.org_id = m.branch_id) AS committee,
       st.hours, st.last_present,
       (SELECT coalesce(sum(sc.hours), 0)::float8 FROM study_credits sc
         WHERE sc.member_id = m.id AND sc.kind = 'self' AND sc.earned_on >= $2 AND sc.earned_on < $3) AS self_hours,
       greatest(m.admitted_on,
                (SELECT max(e.occurred_on) FROM member_events e
                  WHERE e.member_id = m.id AND e.kind = 'transferred_in' AND e.occurred_on < $4)) AS arrived
  FROM members m
  -- One pass over each member's monthly rows for both figures.
  CROSS JOIN LATERAL (
        SELECT coalesce(sum(s.hours) FILTER (WHERE s.month >= $2 AND s.month < $3), 0)::float8 AS hours,
               max(s.last_present) AS last_present
          FROM member_month_stats s WHERE s.member_id = m.id) st
 WHERE m.branch_id = ANY ($1) AND in_good_standing(m.category, m.party_status)
 ORDER BY m.branch_id, m.id`

// accountedSQL: for the six-month count (党章 第九条), per Party member of
// the branches, from the meetings held up to $2 that the member was due at
// (an attendance row other than observer): the last day excused with an
// approved reason (attendance recorded as leave, or an approved leave
// request), and the months after the last day accounted for (present or
// excused; $3 carries each member's last present day from the rollup) in
// which the member was due at a meeting.
const accountedSQL = `
WITH due AS (
    SELECT at.member_id, (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day,
           (at.status = 'leave' OR EXISTS (SELECT 1 FROM leave_requests l
                                             WHERE l.meeting_id = mt.id AND l.member_id = at.member_id AND l.status = 'approved')) AS excused
      FROM attendance at JOIN meetings mt ON mt.id = at.meeting_id
     WHERE at.member_id = ANY ($1) AND at.status <> 'observer' AND mt.status IN ('draft', 'submitted')
       AND mt.starts_at < (($2::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')),
last AS (
    SELECT k.member_id, k.present, max(d.day) FILTER (WHERE d.excused AND d.day <= $2) AS excused
      FROM unnest($1::bigint[], $3::date[]) AS k(member_id, present)
      LEFT JOIN due d ON d.member_id = k.member_id
     GROUP BY k.member_id, k.present)
SELECT l.member_id, l.excused,
       coalesce((SELECT array_agg(DISTINCT date_trunc('month', d.day)::date) FROM due d
                  WHERE d.member_id = l.member_id
                    AND d.day >= coalesce(date_trunc('month', greatest(l.present, l.excused)) + interval '1 month', '-infinity')), '{}')
  FROM last l`

const termsSQL = `
SELECT org_id, due_on FROM terms_on(current_date) WHERE org_id = ANY ($1)`

const itemsSQL = `
SELECT id, org_id, problem, deadline, status = 'done' AS done FROM rectification_items
 WHERE org_id = ANY ($1) AND (status <> 'done' OR (deadline >= $2 AND deadline < $3))
 ORDER BY deadline, id`

const yearlySQL = `
SELECT branch_id, 'appraisal' FROM appraisals
 WHERE branch_id = ANY ($1) AND year = $2 AND (held_on IS NOT NULL OR status = 'closed')
UNION
SELECT org_id, 'org_life' FROM life_meetings
 WHERE org_id = ANY ($1) AND kind = 'org_life' AND year = $2 AND status IN ('held', 'submitted')`

// LoadFacts gathers the facts of the given branches for a calendar year,
// from the monthly rollups and the record tables. Study hours count up to
// and including today.
func LoadFacts(ctx context.Context, q db.Querier, ids []int64, year int, today time.Time) (map[int64]*rules.Facts, error) {
	out := make(map[int64]*rules.Facts, len(ids))
	for _, id := range ids {
		out[id] = &rules.Facts{BranchID: id, Year: year}
	}
	start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	hoursEnd := end
	if t := rules.Day(today).AddDate(0, 0, 1); t.Before(hoursEnd) {
		hoursEnd = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	}
	wrap := func(what string, err error) error { return fmt.Errorf("review: facts %s: %w", what, err) }

	rows, err := q.Query(ctx, monthStatsSQL, ids, start, end)
	if err != nil {
		return nil, wrap("months", err)
	}
	var (
		bid                         int64
		month                       time.Time
		kind                        string
		held, quorate, due, present int
	)
	_, err = pgx.ForEachRow(rows, []any{&bid, &month, &kind, &held, &quorate, &due, &present}, func() error {
		f := out[bid]
		mf := &f.Months[month.Month()-1]
		if mf.Held == nil {
			mf.Held = map[string]int{}
		}
		mf.Held[kind] += held
		if kind == "committee" {
			mf.Quorate += quorate
		}
		mf.Due += due
		mf.Present += present
		return nil
	})
	if err != nil {
		return nil, wrap("months", err)
	}

	rows, err = q.Query(ctx, groupsSQL, ids)
	if err != nil {
		return nil, wrap("groups", err)
	}
	var n int
	if _, err = pgx.ForEachRow(rows, []any{&bid, &n}, func() error { out[bid].Groups = n; return nil }); err != nil {
		return nil, wrap("groups", err)
	}

	var selfCounts bool
	if err := q.QueryRow(ctx, `SELECT self_study_counts FROM review_settings WHERE id = 1`).Scan(&selfCounts); err != nil {
		return nil, wrap("settings", err)
	}
	for _, f := range out {
		f.SelfStudyCounts = selfCounts
	}
	rows, err = q.Query(ctx, membersSQL, ids, start, hoursEnd, end)
	if err != nil {
		return nil, wrap("members", err)
	}
	var (
		m        rules.MemberFacts
		since    time.Time
		convDue  *time.Time
		lastSeen *time.Time
		arrived  *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&m.ID, &bid, &m.Name, &m.Category, &since, &convDue, &m.Committee, &m.Hours, &lastSeen, &m.SelfHours, &arrived}, func() error {
		mm := m
		mm.Since = since
		mm.Arrived = time.Time{}
		if arrived != nil {
			mm.Arrived = *arrived
		}
		if convDue != nil {
			mm.ConversionDue = *convDue
		}
		if lastSeen != nil {
			mm.LastPresent = *lastSeen
		}
		out[bid].Members = append(out[bid].Members, mm)
		return nil
	})
	if err != nil {
		return nil, wrap("members", err)
	}

	if err := loadAccounted(ctx, q, out, today); err != nil {
		return nil, wrap("accounted", err)
	}

	// Dues arrears (the six-month rule watches dues too), from the dues
	// area's store.
	arrears, err := dues.Arrears(ctx, q, ids, today)
	if err != nil {
		return nil, wrap("dues", err)
	}
	for _, f := range out {
		for i := range f.Members {
			if a, ok := arrears[f.Members[i].ID]; ok {
				f.Members[i].DuesTracked, f.Members[i].DuesUnpaid, f.Members[i].DuesSince = true, a.Months, a.Since
			}
		}
	}

	// Heart-to-heart talks of the year (支部工作条例 第十九条), from the
	// talk area's store.
	talks, err := talk.HeartTalks(ctx, q, ids, year)
	if err != nil {
		return nil, wrap("talks", err)
	}
	for bid, f := range out {
		f.HeartTalks = talks[bid]
	}

	rows, err = q.Query(ctx, termsSQL, ids)
	if err != nil {
		return nil, wrap("terms", err)
	}
	var dueOn time.Time
	if _, err = pgx.ForEachRow(rows, []any{&bid, &dueOn}, func() error { d := dueOn; out[bid].TermDueOn = &d; return nil }); err != nil {
		return nil, wrap("terms", err)
	}

	rows, err = q.Query(ctx, itemsSQL, ids, start, end)
	if err != nil {
		return nil, wrap("items", err)
	}
	var it rules.ItemFacts
	if _, err = pgx.ForEachRow(rows, []any{&it.ID, &bid, &it.Problem, &it.Deadline, &it.Done}, func() error {
		out[bid].Items = append(out[bid].Items, it)
		return nil
	}); err != nil {
		return nil, wrap("items", err)
	}

	rows, err = q.Query(ctx, yearlySQL, ids, year)
	if err != nil {
		return nil, wrap("yearly", err)
	}
	if _, err = pgx.ForEachRow(rows, []any{&bid, &kind}, func() error {
		if kind == "appraisal" {
			out[bid].AppraisalHeld = true
		} else {
			out[bid].OrgLifeHeld = true
		}
		return nil
	}); err != nil {
		return nil, wrap("yearly", err)
	}
	// An organisational-life meeting recorded as a meeting counts too.
	for _, f := range out {
		for _, mf := range f.Months {
			if mf.Held["org_life"] > 0 {
				f.OrgLifeHeld = true
			}
			if mf.Held["appraisal"] > 0 {
				f.AppraisalHeld = true
			}
		}
	}
	return out, nil
}

// loadAccounted fills in each member's excused days and the months without
// a meeting due for the six-month count: the months from the one after the
// last day accounted for (or admission) to the last month ended by today
// in which the member was due at no meeting.
func loadAccounted(ctx context.Context, q db.Querier, out map[int64]*rules.Facts, today time.Time) error {
	var ids []int64
	var present []*time.Time
	byID := map[int64]*rules.MemberFacts{}
	for _, f := range out {
		for i := range f.Members {
			m := &f.Members[i]
			byID[m.ID] = m
			ids = append(ids, m.ID)
			var p *time.Time
			if !m.LastPresent.IsZero() {
				lp := m.LastPresent
				p = &lp
			}
			present = append(present, p)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	today = rules.Day(today)
	rows, err := q.Query(ctx, accountedSQL, ids, today, present)
	if err != nil {
		return err
	}
	var (
		id      int64
		excused *time.Time
		due     []time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &excused, &due}, func() error {
		m := byID[id]
		if excused != nil {
			m.LastExcused = *excused
		}
		from := m.Accounted()
		if from.IsZero() {
			return nil
		}
		dueSet := make(map[time.Time]bool, len(due))
		for _, d := range due {
			dueSet[time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)] = true
		}
		for mo := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0); !mo.AddDate(0, 1, 0).After(today); mo = mo.AddDate(0, 1, 0) {
			if !dueSet[mo] {
				m.IdleMonths = append(m.IdleMonths, mo)
			}
		}
		return nil
	})
	return err
}
