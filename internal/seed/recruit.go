package seed

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/audit"
	"zhibu/internal/dates"
	"zhibu/internal/pii"
	"zhibu/internal/recruit"
)

// recruitment gives the secretary's branch people at every step of the
// recruitment pipeline, recorded as history by the branch secretary: an
// applicant whose talk is due soon and one whose talk is overdue, activists,
// a development target named too early (flagged), one ready for the
// 支部大会, one whose approval is overdue, a probationer whose probation
// ends within 30 days, one approved late with a reason, and one who became
// a full member this year. (No demo member is transferred out: the roster's
// export read-back and several tests take the newest full member as present.)
func (g *gen) recruitment(ctx context.Context) error {
	b := g.branches[0]
	var account int64
	if err := g.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'secretary'`).Scan(&account); err != nil {
		return fmt.Errorf("recruitment: secretary: %w", err)
	}
	ctx = audit.WithActor(ctx, audit.Actor{ID: account, Name: "secretary", Role: "secretary"})
	full, err := recruit.FullMembers(ctx, g.tx, b.id)
	if err != nil || len(full) < 4 {
		return fmt.Errorf("recruitment: full members (%d): %w", len(full), err)
	}
	t := g.today
	ago := func(months, days int) time.Time { return dates.AddMonths(t, -months).AddDate(0, 0, -days) }
	n := func(v int) *int { return &v }
	a, c := full[0].ID, full[1].ID
	votes := func(kind string, on time.Time, outcome string) recruit.Step {
		due, err2 := recruit.VotingMembers(ctx, g.tx, b.id, on)
		if err2 != nil || due < 3 {
			due = len(full)
		}
		return recruit.Step{Kind: kind, DoneOn: on, DueCount: n(due), Present: n(due - 1), InFavour: n(due - 2), Outcome: outcome}
	}
	// prepared runs a target through the steps before the 支部大会.
	prepared := func(target time.Time) []recruit.Step {
		notice := target.AddDate(0, 2, 10)
		end := notice.AddDate(0, 0, 6)
		return []recruit.Step{
			{Kind: "target_filed", DoneOn: target.AddDate(0, 0, 7)},
			{Kind: "introducers", DoneOn: target.AddDate(0, 0, 7), PersonA: &a, PersonB: &c},
			{Kind: "political_review", DoneOn: target.AddDate(0, 1, 0), Outcome: "passed", Details: "函调结论：政治合格"},
			{Kind: "training", DoneOn: target.AddDate(0, 1, 10), Hours: n(24), Days: n(3), DocNo: fmt.Sprintf("JG-PX-%s", target.Format("0601"))},
			{Kind: "branch_review", DoneOn: target.AddDate(0, 2, 0)},
			{Kind: "pre_review", DoneOn: target.AddDate(0, 2, 5)},
			{Kind: "notice", DoneOn: notice, EndOn: &end, Outcome: "passed"},
			{Kind: "form_issued", DoneOn: end.AddDate(0, 0, 3), DocNo: fmt.Sprintf("ZY%s", end.Format("20060102"))},
		}
	}
	early := func(app, activist time.Time) []recruit.Step {
		return []recruit.Step{
			{Kind: "application", DoneOn: app},
			{Kind: "talk", DoneOn: app.AddDate(0, 0, 12), PersonA: &a},
			{Kind: "recommendation", DoneOn: activist.AddDate(0, 0, -10), People: "机关团委推优"},
			{Kind: "activist", DoneOn: activist, PersonA: &a, PersonB: &c},
			{Kind: "activist_filed", DoneOn: activist.AddDate(0, 0, 5)},
		}
	}
	admitted := func(meeting time.Time) []recruit.Step {
		return []recruit.Step{
			votes("admission_meeting", meeting, ""),
			{Kind: "higher_talk", DoneOn: meeting.AddDate(0, 0, 20), People: "机关党委组织员 刘明"},
		}
	}
	cat := func(parts ...[]recruit.Step) []recruit.Step {
		var out []recruit.Step
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	people := []struct {
		name, gender string
		steps        []recruit.Step
	}{
		{"孙晓", "female", []recruit.Step{{Kind: "application", DoneOn: ago(0, 10)}}},
		{"周宁", "male", []recruit.Step{{Kind: "application", DoneOn: ago(0, 50)}}},
		{"吴桐", "female", early(ago(8, 0), ago(5, 0))},
		{"郑凯", "male", cat(early(ago(20, 0), ago(14, 0)), []recruit.Step{{Kind: "assessment", DoneOn: ago(8, 0)}, {Kind: "assessment", DoneOn: ago(2, 0)}})},
		// Named a development target ten months after becoming an activist:
		// kept as history, flagged (第十三条).
		{"王悦", "female", cat(early(ago(26, 0), ago(22, 0)), []recruit.Step{{Kind: "assessment", DoneOn: ago(16, 0)}, {Kind: "target", DoneOn: ago(12, 0)}, {Kind: "target_filed", DoneOn: ago(12, -5)}})},
		{"冯雪", "female", cat(early(ago(36, 0), ago(30, 0)), []recruit.Step{{Kind: "assessment", DoneOn: ago(24, 0)}, {Kind: "assessment", DoneOn: ago(18, 0)}, {Kind: "target", DoneOn: ago(6, 0)}}, prepared(ago(6, 0)))},
		// The 支部大会 four months ago and no approval yet: overdue.
		{"陈诺", "male", cat(early(ago(40, 0), ago(34, 0)), []recruit.Step{{Kind: "target", DoneOn: ago(12, 0)}}, prepared(ago(12, 0)), admitted(ago(4, 0)))},
		// Probation ends in twenty days.
		{"褚航", "male", cat(early(ago(48, 0), ago(40, 0)), []recruit.Step{{Kind: "target", DoneOn: ago(22, 0)}}, prepared(ago(22, 0)), admitted(ago(12, -20)),
			[]recruit.Step{{Kind: "approval", DoneOn: ago(11, -20), Outcome: "passed"}, {Kind: "oath", DoneOn: ago(11, -25)},
				{Kind: "probation_assessment", DoneOn: ago(6, -20)}, {Kind: "conversion_application", DoneOn: ago(0, 15)}})},
		// Approved four months after the 支部大会, with the reason recorded: late.
		{"卫岚", "female", cat(early(ago(40, 0), ago(30, 0)), []recruit.Step{{Kind: "target", DoneOn: ago(14, 0)}}, prepared(ago(14, 0)), admitted(ago(5, 0)),
			[]recruit.Step{{Kind: "approval", DoneOn: ago(1, 0), Outcome: "passed", Reason: "上级党委委员会议因集中培训推迟召开"}, {Kind: "oath", DoneOn: ago(0, 20)}})},
		// Full member this year: probation ended two months ago.
		// Full member: probation ended four months ago.
		{"蒋涛", "male", cat(early(ago(52, 0), ago(46, 0)), []recruit.Step{{Kind: "target", DoneOn: ago(28, 0)}}, prepared(ago(28, 0)), admitted(ago(16, 0)),
			[]recruit.Step{{Kind: "approval", DoneOn: ago(15, 0), Outcome: "passed"}, {Kind: "oath", DoneOn: ago(15, -3)},
				{Kind: "probation_assessment", DoneOn: ago(10, 0)}, {Kind: "conversion_application", DoneOn: ago(5, 0)},
				votes("conversion_meeting", ago(4, 0), "on_time"), {Kind: "conversion_approval", DoneOn: ago(3, 0), Outcome: "passed"}})},
	}
	for i, p := range people {
		applied := p.steps[0].DoneOn
		var id int64
		birth := time.Date(1994+i%5, time.Month(1+i), 3+i, 0, 0, 0, 0, time.UTC)
		idNo := pii.MakeIDNumber("110105", birth, 300+2*i+boolInt(p.gender == "male"))
		if err := g.tx.QueryRow(ctx, `INSERT INTO members (branch_id, name, gender, birth_date, department, category, applied_on,
       id_number_enc, id_number_hash, id_number_tail)
VALUES ($1, $2, $3, $4, $5, 'applicant', $6, $7, $8, $9) RETURNING id`, b.id, p.name, p.gender, birth, b.dept, applied,
			g.sealer.Seal(idNo), g.sealer.Hash(idNo), pii.Tail(idNo, 4)).Scan(&id); err != nil {
			return fmt.Errorf("recruitment: %s: %w", p.name, err)
		}
		for _, s := range p.steps {
			if _, err := recruit.Record(ctx, g.tx, id, s, true); err != nil {
				return fmt.Errorf("recruitment: %s %s %s: %w", p.name, s.Kind, s.DoneOn.Format("2006-01-02"), err)
			}
		}
	}
	return nil
}
