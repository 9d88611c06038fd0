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
	if err := g.casesAndPosts(ctx); err != nil {
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
	rows, err := g.tx.Query(ctx, `SELECT title, source, code FROM rules WHERE org_id IS NULL AND effective_to IS NULL AND enabled AND applies_to = 'branch' ORDER BY id LIMIT 4`)
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

// casesAndPosts: vanguard posts, a model post and a task force with
// members' commitments (some delivered, some not yet); three featured
// cases (one grown from a post), one awaiting review, one returned.
func (g *gen) casesAndPosts(ctx context.Context) error {
	office, personnel, finance, planning, info := g.branches[0], g.branches[1], g.branches[2], g.branches[4], g.branches[5]
	d := func(days int) time.Time { return g.today.AddDate(0, 0, days) }
	type pledge struct {
		m                     *member
		commitment, delivered string
	}
	posts := []struct {
		b          *branch
		kind, name string
		task       string
		started    time.Time
		ended      *time.Time
		pledges    []pledge
		id         int64
	}{
		{b: office, kind: "vanguard_post", name: "政务服务窗口党员先锋岗", task: "机关政务服务“一网通办”改革，窗口业务办理提速。", started: d(-200), pledges: []pledge{
			{office.members[1], "推行容缺受理，材料齐全的事项当日办结。", "推行容缺受理 126 件，当日办结率 98%。"},
			{office.members[2], "主动靠前服务，每周上门走访 2 家企业。", "走访企业 40 家，解决问题 23 个。"},
			{office.members[3], "做好窗口咨询“首问负责”。", ""},
		}},
		{b: finance, kind: "task_force", name: "预算编制党员突击队", task: "年度部门预算编制和绩效目标审核攻坚。", started: d(-120), ended: ptr(d(-60)), pledges: []pledge{
			{finance.members[0], "带头加班加点，按期完成预算编制。", "提前 3 天完成预算编报，零退回。"},
			{finance.members[2], "负责绩效目标逐项审核。", "审核绩效目标 312 项，提出修改意见 45 条。"},
		}},
		{b: planning, kind: "model_post", name: "规划编制党员示范岗", task: "“十五五”专项规划前期研究。", started: d(-90), pledges: []pledge{
			{planning.members[1], "牵头完成两个专题研究报告。", ""},
		}},
	}
	for i := range posts {
		p := &posts[i]
		if err := g.tx.QueryRow(ctx, `INSERT INTO vanguard_posts (branch_id, kind, name, task, started_on, ended_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			p.b.id, p.kind, p.name, p.task, p.started, p.ended).Scan(&p.id); err != nil {
			return fmt.Errorf("vanguard post: %w", err)
		}
		for _, pl := range p.pledges {
			if _, err := g.tx.Exec(ctx, `INSERT INTO vanguard_members (post_id, member_id, commitment, delivered) VALUES ($1, $2, $3, $4)`,
				p.id, pl.m.id, pl.commitment, pl.delivered); err != nil {
				return fmt.Errorf("vanguard pledge: %w", err)
			}
		}
	}
	list := []struct {
		b         *branch
		post      *int64
		title     string
		body      string
		status    string
		tags      []string
		featured  bool
		note      string
		submitted time.Time
	}{
		{office, &posts[0].id, "窗口党员先锋岗推动政务服务提速", "办公室党支部在政务服务窗口设立党员先锋岗，党员公开承诺、亮明身份。通过推行容缺受理、首问负责和延时服务，窗口事项当日办结率由 85% 提高到 98%。\n支部每月在主题党日点评承诺践诺情况，把服务成效作为民主评议党员的重要依据。", "approved", []string{"服务中心", "先锋岗"}, true, "", d(-60)},
		{personnel, nil, "“三会一课”与业务工作深度融合", "人事处党支部坚持把支部委员会会议和业务例会衔接起来，每次支委会研究一项业务难题，党课结合干部监督管理案例讲授，推动党建和业务同频共振。", "approved", []string{"三会一课", "融合"}, true, "", d(-100)},
		{info, nil, "主题党日“数字赋能”系列活动", "信息中心党支部围绕机关数字化转型，组织党员开展“数字赋能”主题党日，党员带头攻关系统整合项目，形成 12 项技术改进成果，并在机关范围推广。", "approved", []string{"主题党日", "服务中心"}, true, "", d(-30)},
		{finance, &posts[1].id, "预算编制突击队攻坚纪实", "财务处党支部组建党员突击队，集中攻坚年度预算编制，党员分工负责、挂图作战，预算编报质量明显提升。", "submitted", nil, false, "", d(-3)},
		{planning, nil, "专项规划研究中的党员示范作用", "综合规划处党支部发挥党员示范岗作用，推进专项规划研究。", "returned", nil, false, "内容较为简略，请补充具体做法、成效和依据的会议记录。", d(-20)},
	}
	for _, c := range list {
		var decided *time.Time
		if c.status != "submitted" {
			decided = ptr(c.submitted.AddDate(0, 0, 5))
		}
		tags := c.tags
		if tags == nil {
			tags = []string{}
		}
		var id int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO cases (branch_id, post_id, title, body, status, tags, featured, review_note, submitted_at, decided_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			c.b.id, c.post, c.title, c.body, c.status, tags, c.featured, c.note, c.submitted, decided).Scan(&id); err != nil {
			return fmt.Errorf("case: %w", err)
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO case_meetings (case_id, meeting_id)
SELECT $1, m.id FROM meetings m WHERE m.org_id = $2 AND m.status = 'submitted' ORDER BY m.starts_at DESC LIMIT 2`, id, c.b.id); err != nil {
			return fmt.Errorf("case meetings: %w", err)
		}
	}
	return nil
}
