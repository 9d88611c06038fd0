package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"zhibu/internal/apptest"
)

// TestHonoursAndOverdueItemsShowWhereThePersonOrBranchAppears checks the
// pages that gather other areas' records: a member's commendations on the
// member page, a branch's on the branch page, and overdue rectification
// items on the committee's page.
func TestHonoursAndOverdueItemsShowWhereThePersonOrBranchAppears(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var memberID, branchID, committeeID int64
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branchID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee'`).Scan(&committeeID); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	r := sec.Get(fmt.Sprintf("/members/%d", memberID))
	if r.Status != http.StatusOK || !strings.Contains(r.TestID("commendations"), "优秀共产党员") {
		t.Errorf("member page: %d, commendations %q", r.Status, r.TestID("commendations"))
	}
	r = sec.Get(fmt.Sprintf("/orgs/%d", branchID))
	if r.Status != http.StatusOK || !strings.Contains(r.TestID("commendations"), "先进基层党组织") {
		t.Errorf("branch page: %d, commendations %q", r.Status, r.TestID("commendations"))
	}
	rev := app.Login(t, "reviewer")
	r = rev.Get(fmt.Sprintf("/orgs/%d", committeeID))
	var overdue int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM rectification_items WHERE status <> 'done' AND deadline < current_date`).Scan(&overdue); err != nil {
		t.Fatal(err)
	}
	if overdue == 0 {
		t.Fatal("the demo data have no overdue item; the check proves nothing")
	}
	if got := r.Doc().Find(`[data-testid="overdue-notice"] tbody tr`).Length(); got != overdue {
		t.Errorf("committee page lists %d overdue items, the records hold %d", got, overdue)
	}
	// The system administrator sees the tree but not the branches' rectification records.
	if r := app.Login(t, "admin").Get(fmt.Sprintf("/orgs/%d", committeeID)); r.Status != http.StatusOK || r.Has(`[data-testid="overdue-notice"]`) {
		t.Errorf("admin on the committee page: %d, overdue shown %v", r.Status, r.Has(`[data-testid="overdue-notice"]`))
	}
}
