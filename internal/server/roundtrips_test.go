package server_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"zhibu/internal/apptest"
)

// TestReadPagesRoundTrips pins what the three hot read pages cost in
// round trips to PostgreSQL (issue 9): one for the session with the user
// and their roles, one for everything the page shows (a pipelined batch).
// A page that goes back to sequential queries fails here.
func TestReadPagesRoundTrips(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	counted, rt := app.Counted(t)
	ctx := context.Background()
	var branch, meetingID int64
	err := app.Pool.QueryRow(ctx, `
SELECT r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id
 WHERE a.username = 'secretary' AND r.role = 'secretary'`).Scan(&branch)
	if err != nil {
		t.Fatal(err)
	}
	err = app.Pool.QueryRow(ctx, `
SELECT m.id FROM meetings m WHERE m.org_id = $1 AND m.status <> 'planned' AND EXISTS (SELECT 1 FROM attendance a WHERE a.meeting_id = m.id)
 ORDER BY m.starts_at DESC LIMIT 1`, branch).Scan(&meetingID)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, path string
		testID     string // an element the page must show
		max        int
	}{
		{"member", "/me", "activity", 2},
		{"secretary", fmt.Sprintf("/members?org=%d", branch), "roster-row", 2},
		{"secretary", fmt.Sprintf("/meetings/%d", meetingID), "attendance-table", 2},
		// An organisation outside the secretary's scope is still 404.
		{"secretary", "/members?org=1", "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.user+" "+tt.path, func(t *testing.T) {
			c := counted.Login(t, tt.user)
			// The first request fills the navigation badge's cache (a
			// minute) and the statement caches of the connections.
			c.Get(tt.path)
			rt.Reset()
			r := c.Get(tt.path)
			n := rt.N()
			want := http.StatusOK
			if tt.testID == "" {
				want = http.StatusNotFound
			}
			if r.Status != want {
				t.Fatalf("status %d, want %d", r.Status, want)
			}
			if tt.testID != "" && !r.Has(`[data-testid="`+tt.testID+`"]`) {
				t.Errorf("no %s on the page", tt.testID)
			}
			t.Logf("%d round trips", n)
			if n > tt.max {
				t.Errorf("%d round trips to the database, want at most %d", n, tt.max)
			}
		})
	}
}
