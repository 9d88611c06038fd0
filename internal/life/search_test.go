package life_test

import (
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/life"
)

// TestSearchesAreLiteral: %, _ and a backslash typed in the life meeting
// and rectification searches match themselves.
func TestSearchesAreLiteral(t *testing.T) {
	app := apptest.New(t)
	ctx := t.Context()
	var root int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee' ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	t.Run("life meetings", func(t *testing.T) {
		if _, err := app.Pool.Exec(ctx, `UPDATE life_meetings SET theme = $1 WHERE id = (SELECT min(id) FROM life_meetings)`, dbtest.SearchText); err != nil {
			t.Fatal(err)
		}
		dbtest.CheckLiteralSearch(t, func(typed string) int {
			_, total, err := life.List(ctx, app.Pool, life.ListFilter{Roots: []int64{root}, Search: typed, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return total
		})
	})
	t.Run("rectification items", func(t *testing.T) {
		if _, err := app.Pool.Exec(ctx, `UPDATE rectification_items SET problem = $1 WHERE id = (SELECT min(id) FROM rectification_items)`, dbtest.SearchText); err != nil {
			t.Fatal(err)
		}
		dbtest.CheckLiteralSearch(t, func(typed string) int {
			_, total, err := life.ListItems(ctx, app.Pool, life.ItemFilter{Roots: []int64{root}, Search: typed, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			return total
		})
	})
}
