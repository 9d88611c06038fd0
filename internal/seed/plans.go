package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// plans loads issue 23's demo data: the year's work plan with tasks
// accepted, answered and waiting, returned, late and reminded, and a
// branch's own item; last year's and this year's grades, a branch graded
// weak last year (its plan with a measure done and one overdue) and
// better this year, one graded weak this year; secretaries' reports
// reviewed last year and one waiting this year.
func (g *gen) plans(ctx context.Context) error {
	var reviewerAcc, reviewerMember, secretaryAcc int64
	if err := g.tx.QueryRow(ctx, `SELECT id, member_id FROM accounts WHERE username = 'reviewer'`).Scan(&reviewerAcc, &reviewerMember); err != nil {
		return fmt.Errorf("plans: reviewer: %w", err)
	}
	if err := g.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'secretary'`).Scan(&secretaryAcc); err != nil {
		return fmt.Errorf("plans: secretary: %w", err)
	}
	if err := g.planTasks(ctx, reviewerAcc, secretaryAcc); err != nil {
		return err
	}
	if err := g.grades(ctx, reviewerAcc, reviewerMember); err != nil {
		return err
	}
	return g.reports(ctx, reviewerAcc)
}

// task inserts a plan task and its answers, one per branch in states.
func (g *gen) task(ctx context.Context, org int64, parent *int64, title, desc string, due time.Time, target string, targetKind *string, doneBy string, kind *string, acc int64) (int64, error) {
	var id int64
	err := g.tx.QueryRow(ctx, `INSERT INTO plan_tasks (org_id, parent_id, year, title, description, due_on, target, target_kind, done_by, meeting_kind, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		org, parent, g.today.Year(), title, desc, due, target, targetKind, doneBy, kind, acc, due.AddDate(0, -2, 0)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("plans: task %s: %w", title, err)
	}
	return id, nil
}

type answerSpec struct {
	state             string
	answered, reviews int // days before today; 0 = none
	note, comment     string
	meeting           bool
	reminded          int // days before today; 0 = none
}

func (g *gen) answer(ctx context.Context, task, org int64, s answerSpec, revAcc, secAcc int64) error {
	d := func(n int) *time.Time {
		if n == 0 {
			return nil
		}
		t := g.today.AddDate(0, 0, -n)
		return &t
	}
	var meeting *int64
	if s.meeting {
		var id int64
		err := g.tx.QueryRow(ctx, `SELECT id FROM meetings WHERE org_id = $1 AND kind = 'lecture' AND status <> 'planned' AND starts_at >= make_date($2, 1, 1) ORDER BY starts_at LIMIT 1`, org, g.today.Year()).Scan(&id)
		switch {
		case err == nil:
			meeting = &id
		case !errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("plans: evidence meeting: %w", err)
		}
	}
	var ans, rev *int64
	if s.answered != 0 && org == g.branches[0].id {
		ans = &secAcc // the demo secretary keeps the office branch
	}
	if s.reviews != 0 {
		rev = &revAcc
	}
	var id int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO plan_answers (task_id, org_id, state, meeting_id, note, answered_on, answered_by, review_comment, reviewed_on, reviewed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		task, org, s.state, meeting, s.note, d(s.answered), ans, s.comment, d(s.reviews), rev).Scan(&id); err != nil {
		return fmt.Errorf("plans: answer: %w", err)
	}
	if s.reminded != 0 {
		if _, err := g.tx.Exec(ctx, `INSERT INTO plan_reminders (answer_id, reminded_on, by_account) VALUES ($1, $2, $3)`, id, d(s.reminded), revAcc); err != nil {
			return fmt.Errorf("plans: reminder: %w", err)
		}
	}
	return nil
}

func (g *gen) planTasks(ctx context.Context, rev, sec int64) error {
	lecture, orgLife, general := "lecture", "org_life", "general_branch"
	b := g.branches // 办公室, 人事处, 财务处, 政策法规处, 综合规划处, 信息中心
	t1, err := g.task(ctx, g.committeeID, nil, "上半年讲一次专题党课", "围绕学习贯彻党的创新理论，支部书记讲专题党课，以党课会议记录为完成依据。",
		g.today.AddDate(0, 0, -120), "all", nil, "meeting", &lecture, rev)
	if err != nil {
		return err
	}
	answers := []answerSpec{
		{state: "accepted", answered: 130, reviews: 125, meeting: true, note: "支部书记讲专题党课，全体党员参加。", comment: "完成较好。"},
		{state: "accepted", answered: 122, reviews: 118, meeting: true, note: "已按要求完成。"},
		{state: "open", reminded: 30},
		{state: "returned", answered: 121, reviews: 110, note: "党课已讲。", comment: "未关联党课会议记录，请补充后重新报送。"},
		{state: "answered", answered: 5, meeting: true, note: "补讲专题党课（逾期完成）。"},
		{state: "accepted", answered: 125, reviews: 119, meeting: true, note: "已完成。"},
	}
	for i, a := range answers {
		if err := g.answer(ctx, t1, b[i].id, a, rev, sec); err != nil {
			return err
		}
	}
	t2, err := g.task(ctx, g.committeeID, nil, "报送年度组织生活会准备情况", "简要报告征求意见、谈心谈话和对照检查材料准备情况。",
		g.today.AddDate(0, 0, -10), "all", nil, "report", nil, rev)
	if err != nil {
		return err
	}
	report := "已通过座谈会、意见箱征求意见23条，支委之间、支委与党员之间开展谈心谈话，对照检查材料已完成初稿。"
	answers = []answerSpec{
		{state: "answered", answered: 12, note: report},
		{state: "accepted", answered: 14, reviews: 11, note: report, comment: "准备充分。"},
		{state: "open", reminded: 3},
		{state: "open"},
		{state: "answered", answered: 11, note: report},
		{state: "accepted", answered: 15, reviews: 12, note: report},
	}
	for i, a := range answers {
		if err := g.answer(ctx, t2, b[i].id, a, rev, sec); err != nil {
			return err
		}
	}
	t3, err := g.task(ctx, g.committeeID, nil, "召开年度组织生活会", "按照党员教育管理工作条例第十七条，年底前召开组织生活会。",
		g.today.AddDate(0, 0, 20), "all", nil, "meeting", &orgLife, rev)
	if err != nil {
		return err
	}
	for _, br := range b {
		if err := g.answer(ctx, t3, br.id, answerSpec{state: "open"}, rev, sec); err != nil {
			return err
		}
	}
	t4, err := g.task(ctx, g.committeeID, nil, "报送党建工作创新案例材料", "各党总支推荐一个党建工作创新案例。",
		g.today.AddDate(0, 0, 45), "kind", &general, "document", nil, rev)
	if err != nil {
		return err
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO plan_answers (task_id, org_id) SELECT $1, id FROM organisations WHERE kind = 'general_branch' AND path @> ARRAY[$2::bigint]`, t4, g.committeeID); err != nil {
		return fmt.Errorf("plans: kind task answers: %w", err)
	}
	// The office branch's own item under the committee's first task.
	own, err := g.task(ctx, b[0].id, &t1, "支部读书班（配合专题党课）", "组织党员围绕党课主题开展两次读书交流。",
		g.today.AddDate(0, 0, -100), "self", nil, "document", nil, sec)
	if err != nil {
		return err
	}
	return g.answer(ctx, own, b[0].id, answerSpec{state: "answered", answered: 101, note: "读书班已举办两期，材料存支部档案。"}, rev, sec)
}

func (g *gen) grades(ctx context.Context, rev, follower int64) error {
	b := g.branches
	last, this := g.today.Year()-1, g.today.Year()
	type spec struct {
		org         int64
		year        int
		grade       string
		reason      string
		gradedDaysA int
	}
	rows := []spec{
		{b[0].id, last, "advanced", "三会一课规范，学时全部达标，整改按期完成。", 320},
		{b[1].id, last, "good", "组织生活基本规范，个别月份主题党日未开展。", 320},
		{b[2].id, last, "weak", "全年仅召开支部党员大会2次，换届逾期，整改事项多项逾期。", 320},
		{b[3].id, last, "advanced", "组织生活规范，创新开展党建与业务融合。", 320},
		{b[4].id, last, "average", "支委会召开不经常，学习深度不够。", 320},
		{b[5].id, last, "good", "组织生活规范，学时达标率较高。", 320},
		{b[0].id, this, "advanced", "全年组织生活规范，工作要点全部按期完成。", 5},
		{b[2].id, this, "average", "整顿后组织生活逐步规范，换届已启动，仍需巩固。", 5},
		{b[4].id, this, "weak", "全年支委会召开不足半数，专题党课逾期，整改事项逾期未完成。", 5},
	}
	plans := map[int64]int64{} // grade id → the branch, for the weak ones
	for _, s := range rows {
		var id int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO branch_grades (org_id, year, grade, assessment, reason, graded_on, graded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, s.org, s.year, s.grade, "结合日常督导和党员评议情况。", s.reason, g.today.AddDate(0, 0, -s.gradedDaysA), rev).Scan(&id); err != nil {
			return fmt.Errorf("plans: grade: %w", err)
		}
		if s.grade == "weak" {
			plans[id] = s.org
		}
	}
	for gradeID := range plans {
		created := g.today.AddDate(0, 0, -300)
		if plans[gradeID] == b[4].id {
			created = g.today.AddDate(0, 0, -4)
		}
		var planID int64
		if err := g.tx.QueryRow(ctx, `INSERT INTO consolidation_plans (grade_id, follower_id, goal, created_on) VALUES ($1, $2, $3, $4) RETURNING id`,
			gradeID, follower, "一年内组织生活规范化，完成换届，整改事项全部销号。", created).Scan(&planID); err != nil {
			return fmt.Errorf("plans: consolidation plan: %w", err)
		}
		type measure struct {
			text, owner string
			due         time.Time
			done        *time.Time
		}
		var ms []measure
		if plans[gradeID] == b[2].id {
			ms = []measure{
				{"完成支部委员会换届选举", "支部书记", created.AddDate(0, 3, 0), ptr(created.AddDate(0, 2, 20))},
				{"每月召开支委会，每季度召开支部党员大会", "支部组织委员", created.AddDate(0, 6, 0), ptr(created.AddDate(0, 5, 25))},
				{"逾期整改事项全部销号", "支部纪检委员", g.today.AddDate(0, 0, -20), nil},
			}
		} else {
			ms = []measure{
				{"制定支委会年度计划，每月固定召开", "支部书记", g.today.AddDate(0, 0, 25), nil},
				{"补讲专题党课并报送党课记录", "支部宣传委员", g.today.AddDate(0, 1, 0), nil},
			}
		}
		for _, m := range ms {
			if _, err := g.tx.Exec(ctx, `INSERT INTO consolidation_measures (plan_id, measure, owner, due_on, done_on) VALUES ($1, $2, $3, $4, $5)`,
				planID, m.text, m.owner, m.due, m.done); err != nil {
				return fmt.Errorf("plans: measure: %w", err)
			}
		}
		notes := []struct {
			days int
			note string
		}{{-250, "党委联系人列席支委会，督促制定换届方案。"}, {-60, "换届已完成，支委会每月召开；两项整改事项仍未销号。"}}
		if plans[gradeID] == b[4].id {
			notes = notes[:0]
		}
		for _, n := range notes {
			if _, err := g.tx.Exec(ctx, `INSERT INTO consolidation_notes (plan_id, noted_on, note, by_account) VALUES ($1, $2, $3, $4)`,
				planID, g.today.AddDate(0, 0, n.days), n.note, rev); err != nil {
				return fmt.Errorf("plans: note: %w", err)
			}
		}
	}
	return nil
}

func (g *gen) reports(ctx context.Context, rev int64) error {
	last := g.today.Year() - 1
	ratings := []struct{ rating, comments, improve string }{
		{"good", "履行党建第一责任人职责到位，三会一课规范。", "进一步加强党建与业务融合。"},
		{"fairly_good", "能够履行职责，组织生活基本规范。", "主题党日形式较单一，需丰富内容。"},
		{"poor", "对支部工作抓得不紧，组织生活不经常，换届逾期。", "尽快完成换届；每月召开支委会；整改事项按期销号。"},
		{"good", "党建工作有创新，成效明显。", ""},
		{"average", "履职一般，支委会召开不经常。", "落实支委会制度，加强理论学习。"},
		{"fairly_good", "组织生活规范，党员教育管理到位。", "加强对年轻党员的教育引导。"},
	}
	text := "一年来，本人认真履行支部书记抓党建第一责任人职责，组织召开支部党员大会、支委会，讲党课，组织党员学习，推动党建与业务工作融合。存在的问题：理论学习深度不够，组织生活形式较单一。下一步将加强学习，创新组织生活方式。"
	for i, br := range g.branches {
		r := ratings[i]
		if _, err := g.tx.Exec(ctx, `INSERT INTO secretary_reports (org_id, year, secretary_id, report, submitted_on, reviewed_on, rating, comments, improvements, reviewed_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, br.id, last, br.members[0].id, text, g.today.AddDate(0, 0, -330), g.today.AddDate(0, 0, -320), r.rating, r.comments, r.improve, rev); err != nil {
			return fmt.Errorf("plans: report: %w", err)
		}
	}
	// This year: 人事处 has reported and waits for the review meeting.
	if _, err := g.tx.Exec(ctx, `INSERT INTO secretary_reports (org_id, year, secretary_id, report, submitted_on) VALUES ($1, $2, $3, $4, $5)`,
		g.branches[1].id, g.today.Year(), g.branches[1].members[0].id, text, g.today.AddDate(0, 0, -2)); err != nil {
		return fmt.Errorf("plans: report: %w", err)
	}
	return nil
}
