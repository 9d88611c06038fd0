package grades_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/grades"
	"zhibu/internal/i18n"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestMeasureOverdueBoundaries: a measure not done is late from the day
// after its deadline; a done one never is.
func TestMeasureOverdueBoundaries(t *testing.T) {
	t.Parallel()
	done := day("2026-03-01")
	cases := []struct {
		due, today string
		done       *time.Time
		want       bool
	}{
		{"2026-04-30", "2026-04-29", nil, false},
		{"2026-04-30", "2026-04-30", nil, false},
		{"2026-04-30", "2026-05-01", nil, true},
		{"2026-04-30", "2026-05-01", &done, false},
		{"2027-01-31", "2027-02-01", nil, true},
		{"2028-02-29", "2028-02-29", nil, false},
		{"2028-02-29", "2028-03-01", nil, true},
	}
	for _, c := range cases {
		if got := grades.MeasureOverdue(day(c.due), c.done, day(c.today)); got != c.want {
			t.Errorf("due %s today %s done %v: %v, want %v", c.due, c.today, c.done != nil, got, c.want)
		}
	}
}

// TestReviewDateBoundaries: the review meeting is on or after the report
// and not after today.
func TestReviewDateBoundaries(t *testing.T) {
	t.Parallel()
	submitted, today := day("2028-02-28"), day("2028-02-29")
	for _, c := range []struct {
		on string
		ok bool
	}{{"2028-02-27", false}, {"2028-02-28", true}, {"2028-02-29", true}, {"2028-03-01", false}} {
		f := grades.ReviewForm{On: c.on, Rating: "good", Comments: "认真履职。"}
		f.Validate(submitted, today)
		if got := !f.Errors.Any(); got != c.ok {
			t.Errorf("review on %s: ok %v, want %v (%v)", c.on, got, c.ok, f.Errors)
		}
	}
}

func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// TestGradeWeakWithPlan: a weak grade needs a reason and a follower; it
// opens a consolidation plan where the committee adds a measure and the
// branch adds a progress note. The secretary cannot grade.
func TestGradeWeakWithPlan(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	rev, sec := app.Login(t, "reviewer"), app.Login(t, "secretary")
	year := today().Year()
	follower := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'reviewer'`)
	path := fmt.Sprintf("/grades/branches/%d", office)
	if r := rev.Get(path + "?year=" + strconv.Itoa(year)); r.Status != http.StatusOK || !r.Has(`[data-testid="grade-facts"]`) || !r.Has(`[data-testid="grade-form"]`) {
		t.Fatalf("grade page: status %d", r.Status)
	}
	if _, err := app.Pool.Exec(t.Context(), `DELETE FROM branch_grades WHERE org_id = $1 AND year = $2`, office, year); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"year": {strconv.Itoa(year)}, "grade": {"weak"}}
	r := rev.PostForm(path, form)
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-reason"]`) || !r.Has(`[data-testid="error-follower_id"]`) {
		t.Fatalf("weak without reason and follower: status %d", r.Status)
	}
	if r := sec.PostForm(path, url.Values{"year": {strconv.Itoa(year)}, "grade": {"advanced"}, "reason": {"自评"}}); r.Status != http.StatusForbidden {
		t.Errorf("the secretary grades the own branch: status %d, want 403", r.Status)
	}
	form.Set("reason", "组织生活不经常，整改事项逾期。")
	form.Set("follower_id", fmt.Sprint(follower))
	if r := rev.PostForm(path, form); r.Status != http.StatusSeeOther {
		t.Fatalf("grade: status %d\n%s", r.Status, r.Body)
	}
	plan := app.Int(t, `SELECT p.id FROM consolidation_plans p JOIN branch_grades g ON g.id = p.grade_id WHERE g.org_id = $1 AND g.year = $2`, office, year)
	// A second save without the version is a conflict, not a second row.
	form.Set("grade", "average")
	if r := rev.PostForm(path, form); r.Status != http.StatusConflict {
		t.Errorf("grading twice without the version: status %d, want 409", r.Status)
	}
	pp := fmt.Sprintf("/grades/plans/%d", plan)
	if r := rev.PostForm(pp+"/measures", url.Values{"measure": {"每月召开支委会"}, "owner": {"支部书记"}, "due_on": {today().AddDate(0, 0, -1).Format(time.DateOnly)}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a deadline before the plan: status %d, want 422", r.Status)
	}
	if r := rev.PostForm(pp+"/measures", url.Values{"measure": {"每月召开支委会"}, "owner": {"支部书记"}, "due_on": {today().AddDate(0, 1, 0).Format(time.DateOnly)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("measure: status %d", r.Status)
	}
	if r := sec.PostForm(pp+"/measures", url.Values{"measure": {"x"}, "owner": {"y"}, "due_on": {today().Format(time.DateOnly)}}); r.Status != http.StatusForbidden {
		t.Errorf("the branch adds a measure: status %d, want 403", r.Status)
	}
	if r := sec.PostForm(pp+"/notes", url.Values{"note": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an empty note: status %d, want 422", r.Status)
	}
	if r := sec.PostForm(pp+"/notes", url.Values{"note": {"本月已召开支委会，研究整顿工作。"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("note: status %d", r.Status)
	}
	r = sec.Get(pp)
	if r.Doc().Find(`[data-testid="plan-measure"]`).Length() != 1 || r.Doc().Find(`[data-testid="plan-note"]`).Length() != 1 {
		t.Errorf("plan page: %d measures, %d notes", r.Doc().Find(`[data-testid="plan-measure"]`).Length(), r.Doc().Find(`[data-testid="plan-note"]`).Length())
	}
	// The end (整顿结束): not while a measure is open; the branch cannot
	// end it; the committee ends it once every measure is done, with a
	// closing note and a confirmation, each missing one refused beside its
	// field with the input kept; then the plan is read only.
	closing := url.Values{"closing_note": {"组织生活已规范，整改事项全部销号。"}, "confirm": {"yes"}}
	if r := rev.PostForm(pp+"/close", closing); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="close-error"]`) {
		t.Errorf("closing with a measure open: status %d", r.Status)
	}
	if r := sec.PostForm(pp+"/close", closing); r.Status != http.StatusForbidden {
		t.Errorf("the branch ends its plan: status %d, want 403", r.Status)
	}
	measure := app.Int(t, `SELECT id FROM consolidation_measures WHERE plan_id = $1`, plan)
	if r := sec.PostForm(fmt.Sprintf("%s/measures/%d/done", pp, measure), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("measure done: status %d", r.Status)
	}
	if r := rev.Get(pp); !r.Has(`[data-testid="close-form"]`) {
		t.Error("no closing form once every measure is done")
	}
	if r := rev.PostForm(pp+"/close", url.Values{"closing_note": {"已规范。"}}); r.Status != http.StatusUnprocessableEntity ||
		!r.Has(`#f-confirm-error`) || r.Doc().Find(`#f-closing_note`).Text() != "已规范。" {
		t.Errorf("closing without the confirmation: status %d", r.Status)
	}
	if r := rev.PostForm(pp+"/close", url.Values{"confirm": {"yes"}}); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-closing_note"]`) {
		t.Errorf("closing without a note: status %d", r.Status)
	}
	if r := rev.PostForm(pp+"/close", closing); r.Status != http.StatusSeeOther {
		t.Fatalf("close: status %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM consolidation_plans WHERE id = $1 AND closed_on = $2`, plan, today()); n != 1 {
		t.Error("the plan is not closed today")
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'consolidation.close' AND entity_id = $1`, plan); n != 1 {
		t.Errorf("%d audit rows of the closing", n)
	}
	r = sec.Get(pp)
	if !r.Has(`[data-testid="plan-closed"]`) || r.Has(`[data-testid="note-form"]`) || r.Doc().Find(`[data-testid="plan-note"]`).Length() != 2 {
		t.Errorf("the closed plan: closed %v, note form %v, %d notes", r.Has(`[data-testid="plan-closed"]`), r.Has(`[data-testid="note-form"]`), r.Doc().Find(`[data-testid="plan-note"]`).Length())
	}
	for path, v := range map[string]url.Values{"/close": closing, "/notes": {"note": {"再补一条"}}, "/measures": {"measure": {"x"}, "owner": {"y"}, "due_on": {today().AddDate(0, 1, 0).Format(time.DateOnly)}}} {
		if r := rev.PostForm(pp+path, v); r.Status != http.StatusConflict {
			t.Errorf("%s on a closed plan: status %d, want 409", path, r.Status)
		}
	}
	// Last year's plan of a branch graded weak shows this year's grade
	// beside it (the demo's branch graded weak, then average).
	var lastPlan int64
	var nextLabel string
	if err := app.Pool.QueryRow(t.Context(), `SELECT p.id, l.label_zh FROM consolidation_plans p JOIN branch_grades g ON g.id = p.grade_id
  JOIN branch_grades n ON n.org_id = g.org_id AND n.year = g.year + 1 JOIN grade_levels l ON l.code = n.grade
 WHERE g.year = $1 ORDER BY p.id LIMIT 1`, year-1).Scan(&lastPlan, &nextLabel); err != nil {
		t.Fatalf("the demo's plan of last year with this year's grade: %v", err)
	}
	if got := rev.Get(fmt.Sprintf("/grades/plans/%d", lastPlan)).TestID("plan-next-grade"); got != nextLabel {
		t.Errorf("next year's grade beside the plan: %q, want %q", got, nextLabel)
	}
	other := app.OrgID(t, "财务处党支部")
	if r := sec.Get(fmt.Sprintf("/grades/branches/%d", other)); r.Status != http.StatusNotFound {
		t.Errorf("another branch's grading: status %d, want 404", r.Status)
	}
}

// TestSecretaryReport: the secretary reports, the committee reviews once,
// the secretary sees the rating and the points to improve.
func TestSecretaryReport(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	rev, sec := app.Login(t, "reviewer"), app.Login(t, "secretary")
	year := today().Year()
	if _, err := app.Pool.Exec(t.Context(), `DELETE FROM secretary_reports WHERE org_id = $1 AND year = $2`, office, year); err != nil {
		t.Fatal(err)
	}
	if r := sec.PostForm("/grades/reports", url.Values{"year": {strconv.Itoa(year)}, "report": {"太短"}}); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-report"]`) {
		t.Fatalf("short report: status %d", r.Status)
	}
	text := "本年度支部认真落实三会一课制度，全年召开支部党员大会4次、支委会12次，讲党课4次，党员学习教育扎实开展，存在的不足是理论学习深度不够，明年将加强。"
	if r := sec.PostForm("/grades/reports", url.Values{"year": {strconv.Itoa(year + 1)}, "report": {text}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a report for next year: status %d, want 422", r.Status)
	}
	r := sec.PostForm("/grades/reports", url.Values{"year": {strconv.Itoa(year)}, "report": {text}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("report: status %d\n%s", r.Status, r.Body)
	}
	id := app.Int(t, `SELECT id FROM secretary_reports WHERE org_id = $1 AND year = $2`, office, year)
	if r := sec.PostForm("/grades/reports", url.Values{"year": {strconv.Itoa(year)}, "report": {text}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a second report: status %d, want 422", r.Status)
	}
	rp := fmt.Sprintf("/grades/reports/%d", id)
	if r := sec.PostForm(rp+"/review", url.Values{"reviewed_on": {today().Format(time.DateOnly)}, "rating": {"good"}, "comments": {"好"}}); r.Status != http.StatusForbidden {
		t.Errorf("the secretary reviews: status %d, want 403", r.Status)
	}
	if r := rev.PostForm(rp+"/review", url.Values{"reviewed_on": {today().Format(time.DateOnly)}, "rating": {"excellent"}, "comments": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a bad review: status %d, want 422", r.Status)
	}
	if r := rev.PostForm(rp+"/review", url.Values{"reviewed_on": {today().Format(time.DateOnly)}, "rating": {"fairly_good"}, "comments": {"履职较好。"}, "improvements": {"加强理论学习。"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("review: status %d", r.Status)
	}
	if r := rev.PostForm(rp+"/review", url.Values{"reviewed_on": {today().Format(time.DateOnly)}, "rating": {"good"}, "comments": {"再评"}}); r.Status != http.StatusConflict {
		t.Errorf("a second review: status %d, want 409", r.Status)
	}
	r = sec.Get(rp)
	if r.TestID("report-improvements") != "加强理论学习。" || r.TestID("report-rating") != "较好" {
		t.Errorf("the secretary sees %q / %q", r.TestID("report-rating"), r.TestID("report-improvements"))
	}
	// The branch's results over the years, this one among them.
	years := app.Int(t, `SELECT count(DISTINCT year) FROM secretary_reports WHERE org_id = $1`, office)
	if n := sec.Get("/grades/reports").Doc().Find(`[data-testid="report-row"]`).Length(); years < 2 || int64(n) != years {
		t.Errorf("the branch's reports over the years: %d rows, %d years", n, years)
	}
}
