package seed

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/i18n"
)

// lifeMeetings adds last year's democratic-life meeting of the agency
// committee's leadership group and organisational-life meetings of the
// diligent branches, with criticisms and rectification items.
func (g *gen) lifeMeetings(ctx context.Context) error {
	year := g.today.Year() - 1
	held := time.Date(g.today.Year(), 1, 16, 9, 0, 0, 0, i18n.Shanghai)
	var leaders []*member
	for _, b := range g.branches[:3] {
		leaders = append(leaders, b.members[1])
	}
	leaders = append(leaders, g.branches[3].members[1], g.branches[5].members[1])

	var meetingID int64
	err := g.tx.QueryRow(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, minutes, decisions, status, entered_at, submitted_at)
VALUES ($1, 'democratic_life', $2, $3, $4, '机关第一会议室', $5, $6, 'submitted', $4, $4) RETURNING id`,
		g.committeeID, fmt.Sprintf("%d年度领导班子民主生活会", year), held, held.Add(4*time.Hour),
		"会议通报了上年度民主生活会整改落实情况，班子成员逐一进行对照检查，开展批评和自我批评。", "形成班子整改清单，明确责任人和完成时限。").Scan(&meetingID)
	if err != nil {
		return fmt.Errorf("democratic-life meeting: %w", err)
	}
	var lifeID int64
	// The core data (the first schema) has no leadership groups; migration
	// 000410 gives its meeting one.
	var groupID *int64
	if !g.coreOnly {
		id, err := g.leadershipGroup(ctx, leaders, held)
		if err != nil {
			return err
		}
		groupID = &id
	}
	lifeSQL := `
INSERT INTO life_meetings (org_id, kind, year, theme, meeting_id, status, submitted_at)
VALUES ($1, 'democratic_life', $2, '深入学习贯彻党的创新理论，加强党性锻炼，推动各项工作高质量发展', $3, 'submitted', $4) RETURNING id`
	args := []any{g.committeeID, year, meetingID, held.Add(5 * 24 * time.Hour)}
	if groupID != nil {
		lifeSQL = `
INSERT INTO life_meetings (org_id, kind, year, theme, meeting_id, status, submitted_at, group_id)
VALUES ($1, 'democratic_life', $2, '深入学习贯彻党的创新理论，加强党性锻炼，推动各项工作高质量发展', $3, 'submitted', $4, $5) RETURNING id`
		args = append(args, *groupID)
	}
	err = g.tx.QueryRow(ctx, lifeSQL, args...).Scan(&lifeID)
	if err != nil {
		return fmt.Errorf("life meeting: %w", err)
	}
	for _, m := range leaders {
		if _, err := g.tx.Exec(ctx, `INSERT INTO attendance (meeting_id, member_id, status) VALUES ($1, $2, 'present')`, meetingID, m.id); err != nil {
			return err
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id, self_exam_on, self_criticism) VALUES ($1, $2, $3, $4)`,
			lifeID, m.id, held.AddDate(0, 0, -7), "对照检查发现，理论学习的系统性不够，联系服务群众还不够深入，需在今后工作中切实改进。"); err != nil {
			return err
		}
	}
	for i, from := range leaders {
		to := leaders[(i+1)%len(leaders)]
		if _, err := g.tx.Exec(ctx, `INSERT INTO criticisms (life_id, from_id, to_id, content) VALUES ($1, $2, $3, $4)`, lifeID, from.id, to.id,
			"建议进一步加强调查研究，深入基层了解实际情况，工作中注意统筹兼顾。"); err != nil {
			return err
		}
	}
	steps := []string{"study", "opinions", "talks", "self_exam"}
	for i, k := range steps {
		if _, err := g.tx.Exec(ctx, `INSERT INTO life_steps (life_id, kind, done_on, evidence) VALUES ($1, $2, $3, '会前准备材料已归档')`, lifeID, k, held.AddDate(0, 0, -30+7*i)); err != nil {
			return err
		}
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO life_opinions (life_id, source_type, content, received_on) VALUES ($1, 'members', '希望班子成员多到基层支部调研指导。', $2), ($1, 'masses', '建议进一步精简会议文件。', $2)`, lifeID, held.AddDate(0, 0, -20)); err != nil {
		return err
	}
	items := []struct {
		problem, measure string
		owner            *member
		deadline         time.Time
		status           string
	}{
		{"理论学习不够系统深入", "制定班子年度学习计划，每月开展一次集中学习", leaders[0], g.today.AddDate(0, -5, 0), "done"},
		{"调查研究不够深入", "班子成员每人每季度到联系支部调研不少于一次", leaders[1], g.today.AddDate(0, -1, -10), "in_progress"},
		{"联系服务群众不够经常", "建立班子成员联系基层支部制度", leaders[2], g.today.AddDate(0, 0, -20), "open"},
		{"会议文件仍然偏多", "压缩会议数量，提高文件质量", leaders[3], g.today.AddDate(0, 1, 0), "in_progress"},
		{"基层党建调研成果转化不够", "形成调研报告并推动问题整改", leaders[4], g.today.AddDate(0, 2, 0), "open"},
	}
	for _, it := range items {
		var doneOn *time.Time
		evidence := ""
		if it.status == "done" {
			d := it.deadline.AddDate(0, 0, -3)
			doneOn, evidence = &d, "学习计划已印发并执行"
		}
		if _, err := g.tx.Exec(ctx, `
INSERT INTO rectification_items (org_id, life_id, problem, measure, owner_id, deadline, status, done_on, evidence)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, g.committeeID, lifeID, it.problem, it.measure, it.owner.id, it.deadline, it.status, doneOn, evidence); err != nil {
			return err
		}
	}
	// Organisational-life meetings of last year for the diligent branches.
	for _, b := range g.branches {
		if b.diligence < 0.9 {
			continue
		}
		at := time.Date(year, 12, 18, 14, 30, 0, 0, i18n.Shanghai)
		var mid int64
		if err := g.tx.QueryRow(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, minutes, status, entered_at, submitted_at)
VALUES ($1, 'org_life', $2, $3, $4, '党员活动室', '支部召开年度组织生活会，党员逐一对照检查，开展批评和自我批评，并进行民主评议。', 'submitted', $4, $4) RETURNING id`,
			b.id, fmt.Sprintf("%d年度组织生活会", year), at, at.Add(3*time.Hour)).Scan(&mid); err != nil {
			return err
		}
		var lid int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO life_meetings (org_id, kind, year, theme, meeting_id, status, submitted_at) VALUES ($1, 'org_life', $2, '对照党章党规找差距', $3, 'submitted', $4) RETURNING id`,
			b.id, year, mid, at.AddDate(0, 0, 3)).Scan(&lid); err != nil {
			return err
		}
		for _, m := range b.due(at) {
			if _, err := g.tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id, self_exam_on) VALUES ($1, $2, $3)`, lid, m.id, at.AddDate(0, 0, -5)); err != nil {
				return err
			}
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO rectification_items (org_id, life_id, problem, measure, owner_id, deadline, status) VALUES ($1, $2, '支部学习形式较为单一', '丰富学习形式，开展专题研讨', $3, $4, 'in_progress')`,
			b.id, lid, b.members[0].id, g.today.AddDate(0, 0, 10)); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) appraisals(ctx context.Context) error {
	year := g.today.Year() - 1
	for _, b := range g.branches {
		if b.diligence < 0.9 {
			continue
		}
		var id int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO appraisals (branch_id, year, held_on, status) VALUES ($1, $2, $3, 'closed') RETURNING id`, b.id, year, time.Date(year, 12, 18, 0, 0, 0, 0, time.UTC)).Scan(&id); err != nil {
			return err
		}
		n := len(b.due(time.Date(year, 12, 18, 0, 0, 0, 0, time.UTC)))
		for i, m := range b.due(time.Date(year, 12, 18, 0, 0, 0, 0, time.UTC)) {
			result, ve, vq := "qualified", 1+g.rnd.IntN(3), n-3
			if i%6 == 1 {
				result, ve, vq = "excellent", n-4, 3
			}
			if _, err := g.tx.Exec(ctx, `INSERT INTO appraisal_results (appraisal_id, member_id, self_assessment, result, votes_excellent, votes_qualified) VALUES ($1, $2, '能够认真履行党员义务，完成本职工作。', $3, $4, $5)`,
				id, m.id, result, ve, max(vq, 0)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (g *gen) talks(ctx context.Context) error {
	b := g.branches[0]
	for i := 1; i < 12; i++ {
		a, c := b.members[0], b.members[i]
		if i > 6 {
			a = b.members[1]
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO talks (branch_id, held_on, a_id, b_id, topic, summary) VALUES ($1, $2, $3, $4, '年度谈心谈话', '交流了思想和工作情况，对方提出了改进支部工作的建议。')`,
			b.id, g.today.AddDate(0, -i, 0), a.id, c.id); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) commendations(ctx context.Context) error {
	granted := time.Date(g.today.Year(), 6, 28, 0, 0, 0, 0, time.UTC)
	if granted.After(g.today) {
		granted = granted.AddDate(-1, 0, 0)
	}
	doc := fmt.Sprintf("机党发〔%d〕12号", granted.Year())
	rows := []struct {
		title, level string
		member       *member
		org          int64
		citation     string
	}{
		{"优秀共产党员", "committee", g.branches[0].members[8], 0, "工作勤勉扎实，在急难险重任务中发挥先锋模范作用。"},
		{"优秀共产党员", "committee", g.branches[3].members[6], 0, "立足岗位作贡献，群众评价好。"},
		{"优秀党务工作者", "committee", g.branches[0].members[0], 0, "认真履行支部书记职责，支部工作规范有序。"},
		{"先进基层党组织", "committee", nil, g.branches[0].id, "支部建设标准化规范化水平高，“三会一课”制度落实到位。"},
		{"先进基层党组织", "province", nil, g.branches[3].id, "党建与业务深度融合，成效明显。"},
	}
	for _, r := range rows {
		var memberID, orgID *int64
		if r.member != nil {
			memberID = &r.member.id
		} else {
			orgID = &r.org
		}
		if _, err := g.tx.Exec(ctx, `INSERT INTO commendations (title, level, granted_on, issuer, document_no, citation, member_id, org_id) VALUES ($1, $2, $3, '示范机关党委', $4, $5, $6, $7)`,
			r.title, r.level, granted, doc, r.citation, memberID, orgID); err != nil {
			return err
		}
	}
	return nil
}
