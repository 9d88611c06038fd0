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
	dbtest.LiteralSearch(t, app.Pool, `UPDATE talks SET topic = $1 WHERE id = (SELECT min(id) FROM talks)`,
		func(roots []int64, typed string) (int, error) {
			u := &auth.User{Grants: []auth.Grant{{Role: auth.RoleReviewer, OrgID: roots[0]}}}
			_, n, err := talk.List(t.Context(), app.Pool, auth.NewScope(u), talk.Filter{Search: typed, Limit: 100})
			return n, err
		})
}
