package talk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/talk"
)

// A reminder talk: recorded with its problem, agreed correction and
// look-again day; listed for the second look when due; the look records
// what was found; the subject sees what was agreed, never the notes.
func TestReminderTalkAndFollowUp(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	var secID, memberID int64
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'secretary'`).Scan(&secID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	now := time.Now()
	today := now.Format("2006-01-02")
	base := url.Values{"branch": {fmt.Sprint(branch)}, "kind": {"reminder"}, "held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(memberID)}, "topic": {"提醒谈话"}, "summary": {"委员私下记录XYZ"}}
	bad := url.Values{}
	for k, v := range base {
		bad[k] = v
	}
	bad.Set("look_again_on", today)
	r := sec.PostForm("/talks", bad)
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-problem") == "" || r.TestID("error-agreed") == "" || r.TestID("error-look_again_on") == "" {
		t.Fatalf("reminder without problem, correction and a later look-again day: %d", r.Status)
	}
	adm := url.Values{"branch": {fmt.Sprint(branch)}, "kind": {"admonish"}, "held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(memberID)}, "topic": {"诫勉"}}
	if r := sec.PostForm("/talks", adm); r.Status != http.StatusUnprocessableEntity || r.TestID("error-order_ref") == "" {
		t.Fatalf("admonishment without its order: %d", r.Status)
	}
	ok := url.Values{}
	for k, v := range base {
		ok[k] = v
	}
	ok.Set("problem", "工作纪律松散")
	ok.Set("agreed", "每周报告整改情况")
	ok.Set("look_again_on", now.AddDate(0, 0, 1).Format("2006-01-02"))
	if r := sec.PostForm("/talks", ok); r.Status != http.StatusSeeOther {
		t.Fatalf("reminder: %d", r.Status)
	}
	var id int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM talks WHERE problem = '工作纪律松散'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// Not yet due today; due tomorrow (boundary: a day short, on the day).
	todos := func(day time.Time) (due, overdue bool) {
		items, err := talk.Todos(ctx, app.Pool, []int64{branch}, day)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.URL == fmt.Sprintf("/talks/%d", id) {
				return !it.Due.After(day), it.Overdue
			}
		}
		t.Fatalf("reminder %d not in the to-dos of %s", id, day)
		return
	}
	d0 := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if due, over := todos(d0); due || over {
		t.Errorf("a day short: due %v overdue %v", due, over)
	}
	if due, over := todos(d0.AddDate(0, 0, 1)); !due || over {
		t.Errorf("on the day: due %v overdue %v", due, over)
	}
	if _, over := todos(d0.AddDate(0, 0, 2)); !over {
		t.Error("a day over: not overdue")
	}
	list := sec.Get(fmt.Sprintf("/talks/reminders?branch=%d", branch))
	if !strings.Contains(list.Body, "工作纪律松散") || !list.Has(`[data-testid="reminder-due"]`) {
		t.Error("the reminder list lacks the new reminder or the demo's due one")
	}
	// The subject sees the talk and what was agreed, not the notes.
	mine := app.Login(t, "member").Get("/talks/mine")
	if mine.Status != http.StatusOK || !strings.Contains(mine.Body, "每周报告整改情况") || strings.Contains(mine.Body, "委员私下记录XYZ") {
		t.Errorf("subject's view: %d, agreed shown %v, notes hidden %v", mine.Status, strings.Contains(mine.Body, "每周报告整改情况"), !strings.Contains(mine.Body, "委员私下记录XYZ"))
	}
	if r := app.Login(t, "member").Get(fmt.Sprintf("/talks/%d", id)); r.Status != http.StatusForbidden {
		t.Errorf("member opens the committee's page of the talk: %d", r.Status)
	}
	// The second look: continuing needs a next day; then corrected closes it.
	show := fmt.Sprintf("/talks/%d", id)
	fu := show + "/follow-up"
	if r := sec.PostForm(fu, url.Values{"version": {"1"}, "outcome": {"continuing"}, "outcome_on": {today}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-next") == "" {
		t.Fatalf("continuing without a next day: %d", r.Status)
	}
	next := now.AddDate(0, 0, 30).Format("2006-01-02")
	if r := sec.PostForm(fu, url.Values{"version": {"1"}, "outcome": {"continuing"}, "outcome_on": {today}, "next": {next}}); r.Status != http.StatusSeeOther {
		t.Fatalf("continuing: %d", r.Status)
	}
	if r := sec.PostForm(fu, url.Values{"version": {"1"}, "outcome": {"corrected"}, "outcome_on": {today}}); r.Status != http.StatusConflict {
		t.Errorf("a stale second look: %d, want 409", r.Status)
	}
	if r := sec.PostForm(fu, url.Values{"version": {"2"}, "outcome": {"corrected"}, "outcome_on": {today}, "outcome_note": {"已改正"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("corrected: %d", r.Status)
	}
	page := sec.Get(show)
	if page.TestID("talk-outcome") == "" || page.Has(`[data-testid="follow-up-form"]`) {
		t.Error("a corrected reminder shows no outcome or still offers a look")
	}
	if r := sec.PostForm(fu, url.Values{"version": {"3"}, "outcome": {"corrected"}, "outcome_on": {today}}); r.Status != http.StatusConflict {
		t.Errorf("a closed reminder looked at again: %d, want 409", r.Status)
	}
	// The reviewer reads the talk, not its notes.
	if rv := app.Login(t, "reviewer").Get(show); rv.Status != http.StatusOK || strings.Contains(rv.Body, "委员私下记录XYZ") {
		t.Errorf("reviewer: %d or notes shown", rv.Status)
	}
}

// The matrix counts only heart-to-heart talks and shows the coverage of
// 支部工作条例 第十九条.
func TestMatrixCountsHeartTalksOnly(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	r := app.Login(t, "secretary").Get(fmt.Sprintf("/talks/matrix?branch=%d", branch))
	var heart int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(DISTINCT (least(a_id, b_id), greatest(a_id, b_id))) FROM talks WHERE branch_id = $1 AND kind = 'heart' AND extract(year FROM held_on) = extract(year FROM current_date)`, branch).Scan(&heart); err != nil {
		t.Fatal(err)
	}
	if r.TestID("talk-coverage") == "" || !strings.Contains(r.Body, talk.CiteHeart) || !r.Has(`[data-testid="talk-coverage-short"]`) {
		t.Error("no coverage line with its article")
	}
	if got := r.Doc().Find(`[data-testid="cell-done"]`).Length(); got > 2*heart || got == 0 {
		t.Errorf("talked cells %d with %d heart-to-heart pairs this year", got, heart)
	}
}
