package seed

import (
	"context"
	"fmt"
	"time"
)

// discipline loads issue 19's demo data: reminder talks (one due for a
// second look), sanctions (a member under 留党察看, one whose period ends
// this month, an expulsion), two disposal cases at different steps (one
// with its correction deadline missed), and terms ending within 90 days
// and overdue.
func (g *gen) discipline(ctx context.Context) error {
	office, finance, planning := g.branches[0], g.branches[2], g.branches[4]
	sec := office.members[0]
	d := func(days int) time.Time { return g.today.AddDate(0, 0, days) }
	talks := []struct {
		a, b                 *member
		held                 time.Time
		kind, topic, problem string
		agreed, order        string
		lookAgain            *time.Time
		outcome              string
		outcomeOn            *time.Time
	}{
		{sec, office.members[8], d(-40), "reminder", "提醒谈话", "近两个月多次未按时参加主题党日。", "今后按时参加组织生活，确有困难提前请假。", "", ptr(d(-5)), "", nil},
		{sec, office.members[9], d(-10), "reminder", "提醒谈话", "党费连续两个月未按时交纳。", "本月底前补交并按月交纳。", "", ptr(d(20)), "", nil},
		{office.members[1], office.members[10], d(-90), "reminder", "提醒谈话", "工作中存在推诿现象。", "主动担当，按期完成交办任务。", "", ptr(d(-30)), "corrected", ptr(d(-28))},
		{sec, office.members[11], d(-20), "integrity", "节前廉政谈话", "", "", "", nil, "", nil},
		{sec, office.members[12], d(-200), "admonish", "诫勉谈话", "", "", fmt.Sprintf("机关纪委 机纪发〔%d〕3号", d(-200).Year()), nil, "", nil},
	}
	for _, t := range talks {
		var outcome *string
		if t.outcome != "" {
			outcome = &t.outcome
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO talks (branch_id, held_on, a_id, b_id, topic, summary, kind, order_ref, problem, agreed, look_again_on, outcome, outcome_on)
VALUES ($1, $2, $3, $4, $5, '支委内部记录：谈话对象态度端正。', $6, $7, $8, $9, $10, $11, $12)`,
			office.id, t.held, t.a.id, t.b.id, t.topic, t.kind, t.order, t.problem, t.agreed, t.lookAgain, outcome, t.outcomeOn); err != nil {
			return fmt.Errorf("discipline talks: %w", err)
		}
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO talks (branch_id, held_on, a_id, b_id, topic, kind, problem, agreed, look_again_on)
VALUES ($1, $2, $3, $4, '提醒谈话', 'reminder', '多次无故缺席支部党员大会。', '按时参加组织生活。', $5)`,
		finance.id, d(-60), finance.members[0].id, finance.members[9].id, d(-30)); err != nil {
		return fmt.Errorf("discipline talks: %w", err)
	}
	if err := g.sanctions(ctx, office, finance); err != nil {
		return err
	}
	if err := g.disposals(ctx, office, finance); err != nil {
		return err
	}
	if err := g.elections(ctx, office, finance); err != nil {
		return err
	}
	// A term ending within 90 days (综合规划处); 财务处's is already overdue.
	if _, err := g.tx.Exec(ctx, `UPDATE committee_terms SET due_on = $2 WHERE org_id = $1 AND ended_on IS NULL`, planning.id, d(60)); err != nil {
		return fmt.Errorf("discipline terms: %w", err)
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func (g *gen) sanctions(ctx context.Context, office, finance *branch) error {
	monthEnd := time.Date(g.today.Year(), g.today.Month()+1, 0, 0, 0, 0, 0, time.UTC)
	endsThisMonth := g.today.AddDate(0, 0, 10)
	if endsThisMonth.After(monthEnd) {
		endsThisMonth = monthEnd
	}
	probStart := g.today.AddDate(0, -8, 0)
	year := g.today.Year()
	rows := []struct {
		m              *member
		org            int64
		kind, reason   string
		decided, start time.Time
		ends           *time.Time
	}{
		{office.members[12], office.id, "probation", "违反廉洁纪律，收受可能影响公正执行公务的礼品。", probStart.AddDate(0, 0, -3), probStart, ptr(probStart.AddDate(1, 0, 0))},
		{office.members[13], office.id, "warning", "违反工作纪律，造成一定不良影响。", endsThisMonth.AddDate(-1, 0, -2), endsThisMonth.AddDate(-1, 0, 0), &endsThisMonth},
		{finance.members[10], finance.id, "expulsion", "严重违反政治纪律和廉洁纪律。", g.today.AddDate(0, -3, 0), g.today.AddDate(0, -3, 0), nil},
	}
	for i, r := range rows {
		if _, err := g.tx.Exec(ctx, `INSERT INTO sanctions (member_id, branch_id, kind, reason, decided_by, approved_by, document_no, decided_on, starts_on, ends_on)
VALUES ($1, $2, $3, $4, '支部党员大会', '机关纪委', $5, $6, $7, $8)`,
			r.m.id, r.org, r.kind, r.reason, fmt.Sprintf("机纪发〔%d〕%d号", year, 20+i), r.decided, r.start, r.ends); err != nil {
			return fmt.Errorf("sanction: %w", err)
		}
		if r.kind == "expulsion" {
			if _, err := g.tx.Exec(ctx, `UPDATE members SET party_status = 'expelled' WHERE id = $1`, r.m.id); err != nil {
				return err
			}
			if _, err := g.tx.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, details) VALUES ($1, 'status_changed', $2, 'normal → expelled 开除党籍')`, r.m.id, r.start); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *gen) disposals(ctx context.Context, office, finance *branch) error {
	var lost *member
	for _, m := range finance.members {
		if m.lostTouch {
			lost = m
		}
	}
	if lost == nil {
		lost = finance.members[finance.size/2]
	}
	// 财务处: a six-month case whose correction deadline has passed.
	var c1 int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO disposal_cases (member_id, branch_id, ground, opened_on) VALUES ($1, $2, 'six_months', $3) RETURNING id`,
		lost.id, finance.id, g.today.AddDate(0, -8, 0)).Scan(&c1); err != nil {
		return fmt.Errorf("disposal: %w", err)
	}
	steps := []struct {
		step, doc string
		on        time.Time
		deadline  *time.Time
	}{
		{"talk", "支委会谈话记录", g.today.AddDate(0, -8, 5), nil},
		{"correction", "限期改正通知书", g.today.AddDate(0, -7, 0), ptr(g.today.AddDate(0, -1, 0))},
	}
	for _, s := range steps {
		if _, err := g.tx.Exec(ctx, `INSERT INTO disposal_steps (case_id, step, done_on, document, deadline) VALUES ($1, $2, $3, $4, $5)`, c1, s.step, s.on, s.doc, s.deadline); err != nil {
			return fmt.Errorf("disposal step: %w", err)
		}
	}
	// 办公室: an unqualified appraisal, the reminding talk held.
	var c2 int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO disposal_cases (member_id, branch_id, ground, opened_on) VALUES ($1, $2, 'unqualified', $3) RETURNING id`,
		office.members[14].id, office.id, g.today.AddDate(0, 0, -20)).Scan(&c2); err != nil {
		return fmt.Errorf("disposal: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO disposal_steps (case_id, step, done_on, document) VALUES ($1, 'talk', $2, '支委会谈话记录')`, c2, g.today.AddDate(0, 0, -15)); err != nil {
		return fmt.Errorf("disposal step: %w", err)
	}
	return nil
}

// elections: the office branch's current term as an approved election;
// 财务处 (term overdue) has recorded its election, awaiting approval.
func (g *gen) elections(ctx context.Context, office, finance *branch) error {
	var termID, termNo int64
	var elected, due time.Time
	if err := g.tx.QueryRow(ctx, `SELECT id, term_no, elected_on, due_on FROM committee_terms WHERE org_id = $1 AND ended_on IS NULL`, office.id).Scan(&termID, &termNo, &elected, &due); err != nil {
		return fmt.Errorf("elections: %w", err)
	}
	voters := office.size * 3 / 4
	var id int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO elections (org_id, held_on, method, voters_due, voters_present, term_no, due_on, status, decided_on, decision_note, term_id)
VALUES ($1, $2, 'competitive', $3, $4, $5, $6, 'approved', $7, '同意。', $8) RETURNING id`, office.id, elected, voters, voters-2, termNo, due, elected.AddDate(0, 0, 10), termID).Scan(&id); err != nil {
		return fmt.Errorf("elections: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO election_candidates (election_id, member_id, votes, post)
SELECT $1, p.member_id, $2 - row_number() OVER (ORDER BY p.id)::int, p.post FROM committee_posts p WHERE p.term_id = $3`, id, voters-2, termID); err != nil {
		return fmt.Errorf("election candidates: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO election_candidates (election_id, member_id, votes) VALUES ($1, $2, 6)`, id, office.members[6].id); err != nil {
		return fmt.Errorf("election candidates: %w", err)
	}
	// 财务处: the election held ten days ago, awaiting the reviewer.
	var fTerm int
	if err := g.tx.QueryRow(ctx, `SELECT term_no FROM committee_terms WHERE org_id = $1 AND ended_on IS NULL`, finance.id).Scan(&fTerm); err != nil {
		return fmt.Errorf("elections: %w", err)
	}
	held := g.today.AddDate(0, 0, -10)
	var n int
	if err := g.tx.QueryRow(ctx, `SELECT count(*) FROM members WHERE branch_id = $1 AND category = 'full' AND in_good_standing(category, party_status) AND has_vote(id, $2)`, finance.id, held).Scan(&n); err != nil {
		return err
	}
	if err := g.tx.QueryRow(ctx, `INSERT INTO elections (org_id, held_on, method, voters_due, voters_present, term_no, due_on)
VALUES ($1, $2, 'equal', $3, $4, $5, $6) RETURNING id`, finance.id, held, n, n-1, fTerm+1, held.AddDate(3, 0, 0)).Scan(&id); err != nil {
		return fmt.Errorf("elections: %w", err)
	}
	for i, post := range []string{"secretary", "organisation", "discipline"} {
		if _, err := g.tx.Exec(ctx, `INSERT INTO election_candidates (election_id, member_id, votes, post) VALUES ($1, $2, $3, $4)`, id, finance.members[i+1].id, n-1-i, post); err != nil {
			return fmt.Errorf("election candidates: %w", err)
		}
	}
	return nil
}
