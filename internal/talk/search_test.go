package talk_test

import (
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/auth"
	"zhibu/internal/dbtest"
	"zhibu/internal/talk"
)

// TestSearchIsLiteral: %, _ and a backslash typed in the search box match
// themselves in a talk's topic.
func TestSearchIsLiteral(t *testing.T) {
	app := apptest.New(t)
	ctx := t.Context()
	var root int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee' ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE talks SET topic = $1 WHERE id = (SELECT min(id) FROM talks)`, dbtest.SearchText); err != nil {
		t.Fatal(err)
	}
	u := &auth.User{Grants: []auth.Grant{{Role: auth.RoleReviewer, OrgID: root}}}
	dbtest.CheckLiteralSearch(t, func(typed string) int {
		_, total, err := talk.List(ctx, app.Pool, u, talk.Filter{Search: typed, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return total
	})
}
