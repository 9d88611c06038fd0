package appraisal_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestAppraisalCycle(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	var branch int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	year := strconv.Itoa(time.Now().Year())
	r := sec.PostForm("/appraisals", url.Values{"branch_id": {fmt.Sprint(branch)}, "year": {year}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d", r.Status)
	}
	base := r.Location
	id, _ := strconv.ParseInt(strings.TrimPrefix(base, "/appraisals/"), 10, 64)
	if r := sec.PostForm("/appraisals", url.Values{"branch_id": {fmt.Sprint(branch)}, "year": {year}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-year") == "" {
		t.Fatalf("duplicate: %d", r.Status)
	}
	var members []int64
	rows, err := app.Pool.Query(ctx, `SELECT member_id FROM appraisal_results WHERE appraisal_id = $1 ORDER BY member_id`, id)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var m int64
		_ = rows.Scan(&m)
		members = append(members, m)
	}
	var due int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE branch_id = $1 AND category IN ('full', 'probationary') AND party_status = 'normal'`, branch).Scan(&due); err != nil || due != len(members) {
		t.Fatalf("members appraised: %d, want %d (%v)", len(members), due, err)
	}
	form := func(result, followup, due string) url.Values {
		return url.Values{"self_assessment": {"认真履行党员义务"}, "mutual_assessment": {"同志们认为工作积极"}, "result": {result},
			"votes_excellent": {"3"}, "votes_qualified": {"20"}, "votes_basic": {"1"}, "votes_unqualified": {"0"},
			"followup": {followup}, "followup_due": {due}, "version": {"1"}}
	}
	first := fmt.Sprintf("%s/members/%d", base, members[0])
	cases := []struct {
		name   string
		form   url.Values
		status int
		errIDs []string
	}{
		{"unqualified without follow-up", form("unqualified", "", ""), 422, []string{"error-followup", "error-followup_due"}},
		{"unqualified without a due date", form("unqualified", "限期改正", ""), 422, []string{"error-followup_due"}},
		{"negative votes", func() url.Values { f := form("qualified", "", ""); f.Set("votes_basic", "-1"); return f }(), 422, []string{"error-votes_basic"}},
		{"unknown result", form("great", "", ""), 422, []string{"error-result"}},
		{"more votes than participants", func() url.Values {
			f := form("qualified", "", "")
			f.Set("votes_excellent", "0")
			f.Set("votes_qualified", strconv.Itoa(len(members)))
			f.Set("votes_basic", "1")
			return f
		}(), 422, []string{"error-votes_excellent"}},
		{"unqualified with a dated follow-up", form("unqualified", "由支部书记谈话提醒，限期三个月改正", "2027-03-31"), 303, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := sec.PostForm(first, tc.form)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d", r.Status, tc.status)
			}
			for _, e := range tc.errIDs {
				if r.TestID(e) == "" {
					t.Errorf("no message %s", e)
				}
			}
		})
	}
	// As many votes as participants, exactly: accepted.
	exact := form("qualified", "", "")
	exact.Set("votes_excellent", "1")
	exact.Set("votes_qualified", strconv.Itoa(len(members)-2))
	exact.Set("votes_basic", "1")
	if r := sec.PostForm(fmt.Sprintf("%s/members/%d", base, members[1]), exact); r.Status != http.StatusSeeOther {
		t.Fatalf("votes equal to the %d participants: %d", len(members), r.Status)
	}
	// A stale version is a conflict that keeps the input.
	stale := sec.PostForm(first, form("qualified", "", ""))
	if stale.Status != http.StatusConflict || stale.TestID("conflict") == "" {
		t.Fatalf("stale: %d", stale.Status)
	}
	// Closing needs every result.
	if r := sec.PostForm(base+"/close", url.Values{"held_on": {"2026-12-20"}, "confirm": {"yes"}, "version": {"1"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("appraisal-error") == "" {
		t.Fatalf("close with pending results: %d", r.Status)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE appraisal_results SET result = 'qualified' WHERE appraisal_id = $1 AND result IS NULL`, id); err != nil {
		t.Fatal(err)
	}
	if r := sec.PostForm(base+"/close", url.Values{"held_on": {"2026-12-20"}, "version": {"1"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("close without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(base+"/close", url.Values{"held_on": {"2026-12-20"}, "confirm": {"yes"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	// Closed: locked.
	if r := sec.PostForm(first, form("qualified", "", "")); r.Status != http.StatusForbidden {
		t.Errorf("edit after closing: %d", r.Status)
	}
	show := sec.Get(base)
	if show.Has(`[data-testid="appraisal-close"]`) || !strings.Contains(show.TestID("appraisal-results"), "2027") {
		t.Error("closed appraisal still editable or follow-up date missing")
	}
	// The owner of an overdue rectification item is highlighted.
	if _, err := app.Pool.Exec(ctx, `INSERT INTO rectification_items (org_id, problem, owner_id, deadline) VALUES ($1, '逾期事项', $2, '2020-01-01')`, branch, members[0]); err != nil {
		t.Fatal(err)
	}
	if got := sec.Get(base).Doc().Find(`tr.overdue [data-testid="person-overdue"]`).Length(); got != 1 {
		t.Errorf("overdue owners highlighted: %d, want 1", got)
	}
	// The reviewer reads it; another branch's secretary would not; the
	// reviewer may not change it.
	rev := app.Login(t, "reviewer")
	if r := rev.Get(base); r.Status != http.StatusOK {
		t.Errorf("reviewer: %d", r.Status)
	}
	if r := rev.PostForm("/appraisals", url.Values{"branch_id": {fmt.Sprint(branch)}, "year": {"2030"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer opens an appraisal: %d", r.Status)
	}
	var other int64
	if err := app.Pool.QueryRow(ctx, `SELECT a.id FROM appraisals a JOIN organisations o ON o.id = a.branch_id WHERE o.name <> '办公室党支部' LIMIT 1`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	if r := sec.Get(fmt.Sprintf("/appraisals/%d", other)); r.Status != http.StatusNotFound {
		t.Errorf("secretary reads another branch's appraisal: %d", r.Status)
	}
	// The schema refuses an unqualified result without a follow-up, too.
	if _, err := app.Pool.Exec(ctx, `UPDATE appraisal_results SET followup = '' WHERE appraisal_id = $1 AND result = 'unqualified'`, id); err == nil {
		t.Error("the database accepted an unqualified result without follow-up")
	}
}
