package commend_test

import (
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/commend"
	"zhibu/internal/dbtest"
)

// TestSearchIsLiteral: %, _ and a backslash typed in the search box match
// themselves in a commendation's title.
func TestSearchIsLiteral(t *testing.T) {
	app := apptest.New(t)
	dbtest.LiteralSearch(t, app.Pool, `UPDATE commendations SET title = $1 WHERE id = (SELECT min(id) FROM commendations WHERE status = 'granted')`,
		func(roots []int64, typed string) (int, error) {
			_, n, err := commend.List(t.Context(), app.Pool, commend.Filter{Roots: roots, Status: "granted", Search: typed})
			return n, err
		})
}
