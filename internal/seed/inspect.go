package seed

import (
	"context"
	"fmt"
	"time"
)

// issue23b loads the demo data of issue 23's part B: inspections (one
// finished, one with its findings issued and one overdue, one planned),
// exemplary cases and vanguard posts, and notices made public with their
// objections.
func (g *gen) issue23b(ctx context.Context) error {
	if err := g.inspections(ctx); err != nil {
		return err
	}
	return g.notices(ctx)
}

// inspections: a finished inspection of 办公室 and 人事处 (one item not met,
// rectified and closed); one of 财务处 and 综合规划处 with its findings
// issued, 财务处's notice past its deadline and 综合规划处's answered but
// not yet closed; and a planned one of 信息中心.
func (g *gen) inspections(ctx context.Context) error {
	office, personnel, finance, planning, info := g.branches[0], g.branches[1], g.branches[2], g.branches[4], g.branches[5]
	d := func(days int) time.Time { return g.today.AddDate(0, 0, days) }
	type item struct{ title, source, code string }
	var items []item
	rows, err := g.tx.Query(ctx, `SELECT title, source, code FROM rules WHERE effective_to IS NULL AND enabled AND applies_to = 'branch' ORDER BY id LIMIT 4`)
	if err != nil {
		return fmt.Errorf("inspections: rules: %w", err)
	}
	for rows.Next() {
		var it item
		if err := rows.Scan(&it.title, &it.source, &it.code); err != nil {
			rows.Close()
			return err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	items = append(items, item{title: "党费收缴台账是否完整、按月交纳", source: "", code: ""})
	type unmet struct {
		branch      *branch
		pos         int
		note        string
		deadline    time.Time
		rectStatus  string
		doneOn      *time.Time
		evidence    string
		closedOn    *time.Time
		closingNote string
	}
	specs := []struct {
		title          string
		starts, ends   time.Time
		status         string
		issued, closed *time.Time
		branches       []*branch
		unmet          []unmet
		record         bool
	}{
		{"上半年“三会一课”落实情况督促检查", d(-150), d(-140), "closed", ptr(d(-138)), ptr(d(-100)), []*branch{office, personnel},
			[]unmet{{office, 2, "3月、4月支委会会议记录缺少到会人数。", d(-110), "done", ptr(d(-112)), "已补充完善会议记录并建立签到制度。", ptr(d(-100)), "经复查，已整改到位。"}}, true},
		{"第三季度基层党建工作督促检查", d(-50), d(-40), "findings_issued", ptr(d(-38)), nil, []*branch{finance, planning},
			[]unmet{
				{finance, 1, "本季度未召开支部党员大会。", d(-8), "open", nil, "", nil, ""},
				{planning, 5, "党费台账缺少 8 月记录。", d(20), "done", ptr(d(-2)), "已补记 8 月党费台账并经支委审核。", nil, ""},
			}, true},
		{"年底组织生活会准备情况检查", d(10), d(20), "planned", nil, nil, []*branch{info}, nil, false},
	}
	for _, s := range specs {
		var id int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO inspections (committee_id, title, starts_on, ends_on, status, issued_on, closed_on) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			g.committeeID, s.title, s.starts, s.ends, s.status, s.issued, s.closed).Scan(&id); err != nil {
			return fmt.Errorf("inspection: %w", err)
		}
		itemIDs := make([]int64, len(items))
		for i, it := range items {
			var code *string
			if it.code != "" {
				code = &it.code
			}
			if err := g.tx.QueryRow(ctx, `INSERT INTO inspection_items (inspection_id, position, title, source, rule_code) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				id, i+1, it.title, it.source, code).Scan(&itemIDs[i]); err != nil {
				return fmt.Errorf("inspection item: %w", err)
			}
		}
		for _, b := range s.branches {
			if _, err := g.tx.Exec(ctx, `INSERT INTO inspection_branches (inspection_id, branch_id) VALUES ($1, $2)`, id, b.id); err != nil {
				return fmt.Errorf("inspection branch: %w", err)
			}
			if !s.record {
				continue
			}
			for i, itemID := range itemIDs {
				var u *unmet
				for k := range s.unmet {
					if s.unmet[k].branch == b && s.unmet[k].pos == i+1 {
						u = &s.unmet[k]
					}
				}
				if u == nil {
					if _, err := g.tx.Exec(ctx, `INSERT INTO inspection_findings (inspection_id, branch_id, item_id, met) VALUES ($1, $2, $3, true)`, id, b.id, itemID); err != nil {
						return fmt.Errorf("finding: %w", err)
					}
					continue
				}
				var rid int64
				if err := g.tx.QueryRow(ctx, `INSERT INTO rectification_items (org_id, problem, deadline, status, done_on, evidence, owner_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
					b.id, fmt.Sprintf("【%s】%s：%s", s.title, items[i].title, u.note), u.deadline, u.rectStatus, u.doneOn, u.evidence, b.members[0].id).Scan(&rid); err != nil {
					return fmt.Errorf("finding notice: %w", err)
				}
				if _, err := g.tx.Exec(ctx, `INSERT INTO inspection_findings (inspection_id, branch_id, item_id, met, note, rectification_id, deadline, closed_on, closing_note)
VALUES ($1, $2, $3, false, $4, $5, $6, $7, $8)`, id, b.id, itemID, u.note, rid, u.deadline, u.closedOn, u.closingNote); err != nil {
					return fmt.Errorf("finding: %w", err)
				}
			}
		}
	}
	return nil
}

// notices: 办公室's notices of each kind (one up now, one ended), a public
// notice whose objection was answered and one up now with an objection
// still open (on the secretary's to-do list); one of 财务处.
func (g *gen) notices(ctx context.Context) error {
	office, finance := g.branches[0], g.branches[2]
	d := func(days int) time.Time { return g.today.AddDate(0, 0, days) }
	var secAccount int64
	if err := g.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'secretary'`).Scan(&secAccount); err != nil {
		return fmt.Errorf("notices: secretary: %w", err)
	}
	type objection struct {
		by     *member
		body   string
		raised time.Time
		answer string
	}
	list := []struct {
		branch     *branch
		kind       string
		title      string
		body       string
		from, to   time.Time
		objections []objection
	}{
		{office, "meeting_result", "支部党员大会决定事项公开", "经支部党员大会讨论，决定：一、通过本年度支部工作计划；二、推选 2 名同志为优秀共产党员候选人。", d(-3), d(7), nil},
		{office, "dues", fmt.Sprintf("%d年第三季度党费收缴情况", d(-60).Year()), "本季度应交党费党员 30 名，已全部按月足额交纳，共计 12,345.00 元。", d(-40), d(-30), nil},
		{office, "pre_target", "拟确定发展对象公示（一）", "经支部委员会研究，拟确定王晓明同志为发展对象。公示期间，党员和群众可向支部反映意见。", d(-24), d(-16),
			[]objection{{office.members[4], "建议核实该同志参加入党积极分子培训的学时。", d(-20), "经核实，该同志已参加培训 32 学时，培训合格，符合条件。"}}},
		{office, "pre_target", "拟确定发展对象公示（二）", "经支部委员会研究，拟确定李静同志为发展对象。公示期间，党员和群众可向支部反映意见。", d(-2), d(8),
			[]objection{{office.members[5], "该同志近期工作中有推诿现象，建议支部进一步考察。", d(-1), ""}}},
		{finance, "meeting_result", "支委会决定事项公开", "支委会研究决定，于本月下旬开展主题党日活动。", d(-5), d(5), nil},
	}
	for _, n := range list {
		var id int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO notices (branch_id, kind, title, body, publish_from, publish_to) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			n.branch.id, n.kind, n.title, n.body, n.from, n.to).Scan(&id); err != nil {
			return fmt.Errorf("notice: %w", err)
		}
		for _, o := range n.objections {
			var answer, by any
			var at *time.Time
			if o.answer != "" {
				answer, by, at = o.answer, secAccount, ptr(o.raised.Add(26*time.Hour))
			}
			if _, err := g.tx.Exec(ctx, `INSERT INTO notice_objections (notice_id, member_id, body, raised_on, raised_at, answer, answered_at, answered_by) VALUES ($1, $2, $3, $4::date, $4::date + time '10:00', $5, $6, $7)`,
				id, o.by.id, o.body, o.raised, answer, at, by); err != nil {
				return fmt.Errorf("notice objection: %w", err)
			}
		}
	}
	return nil
}
