package plans_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/i18n"
	"zhibu/internal/plans"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// TestPublishAnswerReturnAccept: the reviewer publishes a task to two
// branches; the secretary of one answers; the reviewer returns it (a
// comment is required), the branch answers again, the reviewer accepts.
// The other branch's answer is out of the secretary's reach.
func TestPublishAnswerReturnAccept(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office, finance := app.OrgID(t, "办公室党支部"), app.OrgID(t, "财务处党支部")
	rev, sec := app.Login(t, "reviewer"), app.Login(t, "secretary")
	year := today().Year()
	due := today().AddDate(0, 0, 10)
	if due.Year() != year {
		due = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	form := url.Values{"year": {strconv.Itoa(year)}, "title": {"测试要点：专题报告"}, "due_on": {due.Format(time.DateOnly)},
		"target": {"list"}, "org_id": {fmt.Sprint(office), fmt.Sprint(finance)}, "done_by": {"report"}}
	bad := url.Values{"year": {strconv.Itoa(year)}, "due_on": {"2001-01-01"}, "target": {"list"}, "done_by": {"report"}}
	if r := rev.PostForm("/plans", bad); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-title"]`) || !r.Has(`[data-testid="error-org_id"]`) {
		t.Fatalf("bad task: status %d", r.Status)
	}
	if r := rev.PostForm("/plans", form); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: status %d\n%s", r.Status, r.Body)
	}
	task := app.Int(t, `SELECT id FROM plan_tasks WHERE title = '测试要点：专题报告'`)
	mine := app.Int(t, `SELECT id FROM plan_answers WHERE task_id = $1 AND org_id = $2`, task, office)
	theirs := app.Int(t, `SELECT id FROM plan_answers WHERE task_id = $1 AND org_id = $2`, task, finance)

	// The secretary's to-do list holds the task; the other branch's is not theirs.
	items, err := plans.Todos(ctx, app.Pool, []int64{office}, today())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range items {
		found = found || it.URL == fmt.Sprintf("/plans/answers/%d", mine)
	}
	if !found {
		t.Errorf("to-dos of the office branch lack the task: %+v", items)
	}
	if r := sec.Get(fmt.Sprintf("/plans/answers/%d", theirs)); r.Status != http.StatusNotFound {
		t.Errorf("another branch's answer: status %d, want 404", r.Status)
	}
	if r := rev.PostForm(fmt.Sprintf("/plans/answers/%d", mine), url.Values{"version": {"1"}, "note": {"报告内容报告内容报告内容报告内容报告内容。"}}); r.Status != http.StatusForbidden {
		t.Errorf("the reviewer answers for a branch: status %d, want 403", r.Status)
	}

	answer := func(note string, version int) {
		t.Helper()
		r := sec.PostForm(fmt.Sprintf("/plans/answers/%d", mine), url.Values{"version": {strconv.Itoa(version)}, "note": {note}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("answer: status %d", r.Status)
		}
	}
	if r := sec.PostForm(fmt.Sprintf("/plans/answers/%d", mine), url.Values{"version": {"1"}, "note": {"太短"}}); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-note"]`) {
		t.Fatalf("short report: status %d", r.Status)
	}
	answer("本支部上半年围绕机关党委工作要点开展了三项工作，详见附件。", 1)
	if r := sec.PostForm(fmt.Sprintf("/plans/answers/%d", mine), url.Values{"version": {"2"}, "note": {"再次报送再次报送再次报送再次报送再次报送。"}}); r.Status != http.StatusConflict {
		t.Errorf("answering twice: status %d, want 409", r.Status)
	}
	review := func(decision, comment string, version int) *apptest.Response {
		return rev.PostForm(fmt.Sprintf("/plans/answers/%d/review", mine), url.Values{"version": {strconv.Itoa(version)}, "decision": {decision}, "comment": {comment}})
	}
	if r := sec.PostForm(fmt.Sprintf("/plans/answers/%d/review", mine), url.Values{"version": {"2"}, "decision": {"accept"}}); r.Status != http.StatusForbidden {
		t.Errorf("the branch reviews itself: status %d, want 403", r.Status)
	}
	if r := review("return", "", 2); r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-comment"]`) {
		t.Fatalf("return without a comment: status %d", r.Status)
	}
	if r := review("return", "请补充具体数据。", 2); r.Status != http.StatusSeeOther {
		t.Fatalf("return: status %d", r.Status)
	}
	if r := sec.Get(fmt.Sprintf("/plans/answers/%d", mine)); r.TestID("answer-review") == "" || !r.Has(`[data-testid="answer-form"]`) {
		t.Errorf("the returned answer shows neither the comment nor the form again")
	}
	answer("本支部上半年开展三项工作，参加党员42人次，整改问题5个。", 3)
	if r := review("accept", "", 4); r.Status != http.StatusSeeOther {
		t.Fatalf("accept: status %d", r.Status)
	}
	var state string
	if err := app.Pool.QueryRow(ctx, `SELECT state FROM plan_answers WHERE id = $1`, mine).Scan(&state); err != nil || state != plans.Accepted {
		t.Fatalf("state %q (%v)", state, err)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE entity = 'plan_answer' AND entity_id = $1`, mine); n != 4 {
		t.Errorf("audit rows: %d, want 4 (answer, return, answer, accept)", n)
	}
	// The reviewer's page counts one done of two.
	r := rev.Get(fmt.Sprintf("/plans/%d", task))
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="plan-answer"]`).Length() != 2 {
		t.Errorf("task page: status %d", r.Status)
	}
	// The secretary sees only their own branch's answer.
	if r := sec.Get(fmt.Sprintf("/plans/%d", task)); r.Doc().Find(`[data-testid="plan-answer"]`).Length() != 1 {
		t.Errorf("the secretary sees %d answers, want 1", r.Doc().Find(`[data-testid="plan-answer"]`).Length())
	}
}

// TestRemindOnlyTheLate: a reminder goes to an answer past its due day,
// shows on the branch's to-do; one not yet late is refused.
func TestRemindOnlyTheLate(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	office := app.OrgID(t, "办公室党支部")
	committee := app.Int(t, `SELECT id FROM organisations WHERE kind = 'committee' AND code IS NOT NULL LIMIT 1`)
	store := plans.NewStore(app.Pool)
	d := today()
	mk := func(title string, due time.Time) int64 {
		id, err := store.Publish(ctx, plans.TaskInput{OrgID: committee, Year: due.Year(), Title: title, DueOn: due, Target: "list", List: []int64{office}, DoneBy: "report"})
		if err != nil {
			t.Fatal(err)
		}
		return app.Int(t, `SELECT id FROM plan_answers WHERE task_id = $1`, id)
	}
	late, onDay := mk("逾期一天的要点", d.AddDate(0, 0, -1)), mk("今天到期的要点", d)
	// The to-do list looks 30 days ahead: a task due in 30 days is on it, one due in 31 not yet.
	in30, in31 := mk("三十天后到期的要点", d.AddDate(0, 0, 30)), mk("三十一天后到期的要点", d.AddDate(0, 0, 31))
	if err := store.Remind(ctx, []int64{onDay}, d, 0); err == nil {
		t.Error("a reminder on the due day was accepted")
	}
	rev := app.Login(t, "reviewer")
	if r := rev.PostForm("/plans/remind", url.Values{"answer": {fmt.Sprint(late)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remind: status %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM plan_reminders WHERE answer_id = $1`, late); n != 1 {
		t.Fatalf("reminders: %d", n)
	}
	// The reminder reaches the secretary's inbox, once however often it is sent that day.
	if r := rev.PostForm("/plans/remind", url.Values{"answer": {fmt.Sprint(late)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remind again: status %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id WHERE a.username = 'secretary' AND n.url = $1 AND n.kind = 'reminder'`, fmt.Sprintf("/plans/answers/%d", late)); n != 1 {
		t.Errorf("notes in the secretary's inbox: %d, want 1", n)
	}
	items, err := plans.Todos(ctx, app.Pool, []int64{office}, d)
	if err != nil {
		t.Fatal(err)
	}
	var gotLate, gotOnDay, got30, got31 bool
	for _, it := range items {
		switch it.URL {
		case fmt.Sprintf("/plans/answers/%d", in30):
			got30 = true
		case fmt.Sprintf("/plans/answers/%d", in31):
			got31 = true
		case fmt.Sprintf("/plans/answers/%d", late):
			gotLate = it.Overdue && it.Detail != ""
		case fmt.Sprintf("/plans/answers/%d", onDay):
			gotOnDay = !it.Overdue
		}
	}
	if !gotLate || !gotOnDay {
		t.Errorf("to-dos: late and reminded %v, due today and not late %v", gotLate, gotOnDay)
	}
	if !got30 || got31 {
		t.Errorf("to-dos: due in 30 days listed %v (want true), in 31 days listed %v (want false)", got30, got31)
	}
	if r := rev.Get(fmt.Sprintf("/plans/matrix?year=%d", d.AddDate(0, 0, -1).Year())); r.Status != http.StatusOK || !r.Has(`[data-testid="plans-matrix"]`) {
		t.Errorf("matrix: status %d", r.Status)
	}
}

// TestBranchOwnItem: a secretary adds an item under a committee task; it
// is on the branch's plan, answered by the branch, and not the committee's
// to review.
func TestBranchOwnItem(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	year := today().Year()
	r := sec.PostForm("/plans", url.Values{"year": {strconv.Itoa(year)}, "title": {"本支部自定：读书班"}, "due_on": {fmt.Sprintf("%d-12-31", year)}, "done_by": {"document"}, "parent_id": {"999999999"}})
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-parent_id"]`) {
		t.Fatalf("foreign parent: status %d", r.Status)
	}
	r = sec.PostForm("/plans", url.Values{"year": {strconv.Itoa(year)}, "title": {"本支部自定：读书班"}, "due_on": {fmt.Sprintf("%d-12-31", year)}, "done_by": {"document"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("own item: status %d\n%s", r.Status, r.Body)
	}
	office := app.OrgID(t, "办公室党支部")
	if n := app.Int(t, `SELECT count(*) FROM plan_tasks t JOIN plan_answers a ON a.task_id = t.id WHERE t.title = '本支部自定：读书班' AND t.target = 'self' AND t.org_id = $1 AND a.org_id = $1`, office); n != 1 {
		t.Fatalf("own item rows: %d", n)
	}
	if r := sec.Get(fmt.Sprintf("/plans?year=%d", year)); !r.Has(`[data-testid="plans-list"]`) {
		t.Errorf("the plan page lacks the list")
	}
}
