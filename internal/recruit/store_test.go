package recruit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/audit"
	"zhibu/internal/dbtest"
	"zhibu/internal/recruit"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func d(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func ip(n int) *int { return &n }

// newApplicant adds a person to the branch's roster as an applicant.
func newApplicant(t *testing.T, app *apptest.App, branch int64, name string) int64 {
	t.Helper()
	return app.Int(t, `INSERT INTO members (branch_id, name, gender, birth_date, category)
VALUES ($1, $2, 'female', '1996-05-04', 'applicant') RETURNING id`, branch, name)
}

func TestApplicantToFullMember(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	id := newApplicant(t, app, branch, "测试申请人")
	secAccount := app.Int(t, `SELECT id FROM accounts WHERE username = 'secretary'`)
	ctx := audit.WithActor(t.Context(), audit.Actor{ID: secAccount, Name: "secretary", Role: "secretary"})
	full, err := recruit.FullMembers(ctx, app.Pool, branch)
	if err != nil || len(full) < 3 {
		t.Fatalf("full members: %d %v", len(full), err)
	}
	a, b := full[0].ID, full[1].ID
	st := recruit.NewStore(app.Pool)
	voters, err := recruit.VotingMembers(ctx, app.Pool, branch, d("2022-09-01"))
	if err != nil || voters == 0 {
		t.Fatalf("voting members: %d %v", voters, err)
	}
	steps := []recruit.Step{
		{Kind: "application", DoneOn: d("2021-03-01")},
		{Kind: "talk", DoneOn: d("2021-03-20"), PersonA: &a},
		{Kind: "activist", DoneOn: d("2021-06-01"), PersonA: &a, PersonB: &b},
		{Kind: "assessment", DoneOn: d("2021-12-01")},
		{Kind: "target", DoneOn: d("2022-06-01")},
		{Kind: "introducers", DoneOn: d("2022-06-05"), PersonA: &a, PersonB: &b},
		{Kind: "political_review", DoneOn: d("2022-07-01"), Outcome: "passed"},
		{Kind: "training", DoneOn: d("2022-07-10"), Hours: ip(24), DocNo: "PX-1"},
		{Kind: "branch_review", DoneOn: d("2022-08-01")},
		{Kind: "pre_review", DoneOn: d("2022-08-10")},
		{Kind: "form_issued", DoneOn: d("2022-08-15"), DocNo: "ZY-0001"},
		{Kind: "admission_meeting", DoneOn: d("2022-09-01"), DueCount: ip(voters), Present: ip(voters), InFavour: ip(voters)},
		{Kind: "higher_talk", DoneOn: d("2022-09-20"), People: "组织员 王"},
		{Kind: "approval", DoneOn: d("2022-10-10"), Outcome: "passed"},
		{Kind: "oath", DoneOn: d("2022-10-12")},
		{Kind: "probation_assessment", DoneOn: d("2023-03-01")},
		{Kind: "conversion_application", DoneOn: d("2023-08-01")},
		{Kind: "conversion_meeting", DoneOn: d("2023-09-05"), Outcome: "on_time", DueCount: ip(voters), Present: ip(voters), InFavour: ip(voters)},
		{Kind: "conversion_approval", DoneOn: d("2023-10-01"), Outcome: "passed"},
	}
	for _, s := range steps {
		if _, err := st.Record(ctx, id, s); err != nil {
			t.Fatalf("%s: %v", s.Kind, err)
		}
		if s.Kind == "approval" {
			var cat string
			var admitted time.Time
			if err := app.Pool.QueryRow(ctx, `SELECT category, admitted_on FROM members WHERE id = $1`, id).Scan(&cat, &admitted); err != nil || cat != "probationary" || !admitted.Equal(d("2022-09-01")) {
				t.Fatalf("after approval: %s %v %v", cat, admitted, err)
			}
		}
	}
	var cat string
	var converted time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT category, converted_on FROM members WHERE id = $1`, id).Scan(&cat, &converted); err != nil {
		t.Fatal(err)
	}
	// Full membership dates from the day probation ends, not the meeting.
	if cat != "full" || !converted.Equal(d("2023-09-01")) {
		t.Errorf("roster: %s from %v", cat, converted)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'recruit.step' AND entity_id = $1`, id); n != int64(len(steps)) {
		t.Errorf("audit rows %d, want %d", n, len(steps))
	}
	if n := app.Int(t, `SELECT count(*) FROM member_events WHERE member_id = $1 AND kind IN ('activist', 'target', 'admitted', 'converted')`, id); n != 4 {
		t.Errorf("member events %d", n)
	}
	f, err := recruit.GetFile(ctx, app.Pool, id)
	if err != nil || len(f.Steps) != len(steps) || f.Steps[1].PersonAName == "" || f.Steps[1].RecordedBy != "secretary" {
		t.Fatalf("file: %d steps %+v %v", len(f.Steps), f.Steps[1], err)
	}
	// A closed file takes no more steps.
	if _, err := st.Record(ctx, id, recruit.Step{Kind: "probation_assessment", DoneOn: d("2023-11-01")}); err == nil {
		t.Error("a step after full membership was recorded")
	}
}

func TestRefusedStepWritesNothing(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	id := newApplicant(t, app, branch, "过早对象")
	ctx := t.Context()
	full, _ := recruit.FullMembers(ctx, app.Pool, branch)
	a := full[0].ID
	st := recruit.NewStore(app.Pool)
	for _, s := range []recruit.Step{{Kind: "application", DoneOn: d("2023-01-01")}, {Kind: "activist", DoneOn: d("2023-03-01"), PersonA: &a}} {
		if _, err := st.Record(ctx, id, s); err != nil {
			t.Fatal(err)
		}
	}
	_, err := st.Record(ctx, id, recruit.Step{Kind: "target", DoneOn: d("2024-02-29")})
	var ref *recruit.Refusal
	if !errors.As(err, &ref) || ref.Rule != "activist_months" || ref.Cite != "《中国共产党发展党员工作细则》第十三条" {
		t.Fatalf("refusal: %+v %v", ref, err)
	}
	if n := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE member_id = $1 AND kind = 'target'`, id); n != 0 {
		t.Error("a refused step was written")
	}
	// Brought in as history, it is kept and flagged.
	if err := pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
		_, err := recruit.Record(ctx, tx, id, recruit.Step{Kind: "target", DoneOn: d("2024-02-29")}, true)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var flag, cat string
	if err := app.Pool.QueryRow(ctx, `SELECT s.flag_rule, m.category FROM recruit_steps s JOIN members m ON m.id = s.member_id WHERE s.member_id = $1 AND s.kind = 'target'`, id).Scan(&flag, &cat); err != nil || flag != "activist_months" || cat != "target" {
		t.Errorf("history: %q %q %v", flag, cat, err)
	}
}

func TestSecondRuleSetAppliesFromItsDay(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	if _, err := app.Pool.Exec(ctx, `INSERT INTO recruit_rules (rule_set, effective_from, code, amount, document, article, uncertain)
SELECT '2026', '2026-05-01', code, CASE WHEN code = 'talk_months' THEN 2 ELSE amount END, document, article, uncertain FROM recruit_rules WHERE rule_set = '2014'`); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		on   string
		set  string
		talk int
	}{{"2026-04-30", "2014", 1}, {"2026-05-01", "2026", 2}, {"2010-01-01", "2014", 1}} {
		r, err := recruit.LoadRules(ctx, app.Pool, d(c.on))
		if err != nil || r.Set != c.set || r.N("talk_months") != c.talk {
			t.Errorf("%s: %s %d %v", c.on, r.Set, r.N("talk_months"), err)
		}
	}
}

// probationer takes a new applicant to probation admitted on the day given.
func probationer(t *testing.T, app *apptest.App, st *recruit.Store, name, admitted string) (int64, int) {
	t.Helper()
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	id := newApplicant(t, app, branch, name)
	full, _ := recruit.FullMembers(ctx, app.Pool, branch)
	a, b := full[0].ID, full[1].ID
	m := d(admitted)
	voters, _ := recruit.VotingMembers(ctx, app.Pool, branch, m)
	for _, s := range []recruit.Step{
		{Kind: "application", DoneOn: m.AddDate(-2, 0, 0)},
		{Kind: "activist", DoneOn: m.AddDate(-2, 0, 10), PersonA: &a},
		{Kind: "target", DoneOn: m.AddDate(0, -6, 0)},
		{Kind: "introducers", DoneOn: m.AddDate(0, -6, 1), PersonA: &a, PersonB: &b},
		{Kind: "political_review", DoneOn: m.AddDate(0, -2, 0), Outcome: "passed"},
		{Kind: "training", DoneOn: m.AddDate(0, -2, 0), Days: ip(3)},
		{Kind: "admission_meeting", DoneOn: m, DueCount: ip(voters), Present: ip(voters), InFavour: ip(voters)},
		{Kind: "approval", DoneOn: m.AddDate(0, 1, 0), Outcome: "passed"},
	} {
		if _, err := st.Record(ctx, id, s); err != nil {
			t.Fatalf("%s: %v", s.Kind, err)
		}
	}
	return id, voters
}

func TestExtensionThenCancellation(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	st := recruit.NewStore(app.Pool)
	ctx := t.Context()
	id, voters := probationer(t, app, st, "延长预备期", "2023-02-28")
	ext := recruit.Step{Kind: "conversion_meeting", DoneOn: d("2024-02-28"), Outcome: "extend", EndOn: func() *time.Time { x := d("2024-08-28"); return &x }(),
		DueCount: ip(voters), Present: ip(voters), InFavour: ip(voters)}
	if _, err := st.Record(ctx, id, ext); err != nil {
		t.Fatal(err)
	}
	var until time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT probation_extended_to FROM members WHERE id = $1`, id).Scan(&until); err != nil || !until.Equal(d("2024-08-28")) {
		t.Fatalf("extended to %v %v", until, err)
	}
	early := recruit.Step{Kind: "conversion_meeting", DoneOn: d("2024-08-27"), Outcome: "cancel", DueCount: ip(voters), Present: ip(voters), InFavour: ip(voters)}
	if _, err := st.Record(ctx, id, early); err == nil {
		t.Fatal("a meeting before the extended end was recorded")
	}
	early.DoneOn = d("2024-08-28")
	if _, err := st.Record(ctx, id, early); err != nil {
		t.Fatal(err)
	}
	var status string
	if err := app.Pool.QueryRow(ctx, `SELECT party_status FROM members WHERE id = $1`, id).Scan(&status); err != nil || status != "cancelled" {
		t.Errorf("status %q %v", status, err)
	}
	files, err := recruit.Pipeline(ctx, app.Pool, []int64{app.OrgID(t, "办公室党支部")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Person.ID == id {
			t.Error("a cancelled probationer is still in the pipeline")
		}
	}
}
