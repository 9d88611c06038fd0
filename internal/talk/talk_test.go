package talk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestSummariesOnlyForTheBranchCommittee(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	var total int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM talks WHERE branch_id = $1`, branch).Scan(&total); err != nil || total == 0 {
		t.Fatalf("demo talks: %d %v", total, err)
	}
	path := fmt.Sprintf("/talks?branch=%d", branch)
	cases := []struct {
		user            string
		status          int
		summaries, hide int
	}{
		{"secretary", http.StatusOK, total, 0},
		{"reviewer", http.StatusOK, 0, total},
		{"member", http.StatusForbidden, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			r := app.Login(t, tc.user).Get(path)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if got := r.Doc().Find(`[data-testid="talk-summary"]`).Length(); got != tc.summaries {
				t.Errorf("summaries shown: %d, want %d", got, tc.summaries)
			}
			if got := r.Doc().Find(`[data-testid="talk-summary-hidden"]`).Length(); got != tc.hide {
				t.Errorf("summaries hidden: %d, want %d", got, tc.hide)
			}
			if tc.summaries == 0 && strings.Contains(r.Body, "交流了思想和工作情况") {
				t.Error("the summary text is in the page")
			}
		})
	}
}

func TestRecordTalkAndMatrix(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	other := app.OrgID(t, "财务处党支部")
	var secID, memberID, outsider int64
	ctx := t.Context()
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'secretary'`).Scan(&secID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id <> $2 ORDER BY id DESC LIMIT 1`, branch, secID).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM members WHERE branch_id = $1 LIMIT 1`, other).Scan(&outsider); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	today := time.Now().Format("2006-01-02")
	year := time.Now().Year()
	matrix := fmt.Sprintf("/talks/matrix?branch=%d&year=%d", branch, year)
	before := sec.Get(matrix)
	if before.Status != http.StatusOK || before.Doc().Find(`[data-testid="matrix-row"]`).Length() != 5 {
		t.Fatalf("matrix: %d, %d committee rows", before.Status, before.Doc().Find(`[data-testid="matrix-row"]`).Length())
	}
	done := before.Doc().Find(`[data-testid="cell-done"]`).Length()
	missing := before.Doc().Find(`[data-testid="cell-missing"]`).Length()

	cases := []struct {
		name   string
		form   url.Values
		status int
		errID  string
	}{
		{"same person", url.Values{"held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(secID)}, "topic": {"x"}}, 422, "error-b_id"},
		{"outsider", url.Values{"held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(outsider)}, "topic": {"x"}}, 422, "error-b_id"},
		{"no topic", url.Values{"held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(memberID)}}, 422, "error-topic"},
		{"future", url.Values{"held_on": {"2999-01-01"}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(memberID)}, "topic": {"x"}}, 422, "error-held_on"},
		{"ok", url.Values{"held_on": {today}, "a_id": {fmt.Sprint(secID)}, "b_id": {fmt.Sprint(memberID)}, "topic": {"思想交流"}, "summary": {"私密纪要内容"}}, 303, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("branch", fmt.Sprint(branch))
			r := sec.PostForm("/talks", tc.form)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			if tc.errID != "" && r.TestID(tc.errID) == "" {
				t.Errorf("no message %s", tc.errID)
			}
		})
	}
	after := sec.Get(matrix)
	if got := after.Doc().Find(`[data-testid="cell-done"]`).Length(); got != done+1 {
		t.Errorf("talked cells: %d, want %d", got, done+1)
	}
	if got := after.Doc().Find(`[data-testid="cell-missing"]`).Length(); got != missing-1 {
		t.Errorf("missing cells: %d, want %d", got, missing-1)
	}
	if after.TestID("talk-missing") == "" {
		t.Error("no list of committee members who have not talked with members")
	}
	if after.Has(`[data-testid="person-overdue"]`) {
		t.Error("a person is flagged overdue before any item is overdue")
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO rectification_items (org_id, problem, owner_id, deadline) VALUES ($1, '逾期事项', $2, '2020-01-01')`, branch, secID); err != nil {
		t.Fatal(err)
	}
	if got := sec.Get(matrix).Doc().Find(`[data-testid="person-overdue"]`).Length(); got != 2 {
		t.Errorf("the owner of an overdue item is flagged %d times, want in the row and the column", got)
	}
	// The reviewer sees the talk but not its summary; the audit trail
	// does not keep the summary either.
	rev := app.Login(t, "reviewer").Get(fmt.Sprintf("/talks?branch=%d", branch))
	if strings.Contains(rev.Body, "私密纪要内容") || !strings.Contains(rev.Body, "思想交流") {
		t.Error("reviewer: summary shown or talk missing")
	}
	var leaked int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action = 'talk.create' AND after::text LIKE '%私密纪要内容%'`).Scan(&leaked); err != nil || leaked != 0 {
		t.Errorf("summary in the audit trail: %d %v", leaked, err)
	}
	// A secretary may not record talks of another branch or read its matrix.
	if r := sec.PostForm("/talks", url.Values{"branch": {fmt.Sprint(other)}, "held_on": {today}, "a_id": {"1"}, "b_id": {"2"}, "topic": {"x"}}); r.Status != http.StatusNotFound {
		t.Errorf("other branch's talk: %d", r.Status)
	}
	if r := sec.Get(fmt.Sprintf("/talks/matrix?branch=%d", other)); r.Status != http.StatusNotFound {
		t.Errorf("other branch's matrix: %d", r.Status)
	}
	// The reviewer reads a branch's matrix but may not record its talks.
	if r := app.Login(t, "reviewer").PostForm("/talks", url.Values{"branch": {fmt.Sprint(branch)}, "held_on": {today}, "a_id": {"1"}, "b_id": {"2"}, "topic": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer records a branch talk: %d", r.Status)
	}
}
