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
	ctx := t.Context()
	var root int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee' ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE commendations SET title = $1 WHERE id = (SELECT min(id) FROM commendations WHERE status = 'granted')`, dbtest.SearchText); err != nil {
		t.Fatal(err)
	}
	dbtest.CheckLiteralSearch(t, func(typed string) int {
		_, total, err := commend.List(ctx, app.Pool, commend.Filter{Roots: []int64{root}, Status: "granted", Search: typed})
		if err != nil {
			t.Fatal(err)
		}
		return total
	})
}
