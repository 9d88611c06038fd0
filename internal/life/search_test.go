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
	t.Run("life meetings", func(t *testing.T) {
		dbtest.LiteralSearch(t, app.Pool, `UPDATE life_meetings SET theme = $1 WHERE id = (SELECT min(id) FROM life_meetings)`,
			func(roots []int64, typed string) (int, error) {
				_, n, err := life.List(t.Context(), app.Pool, life.ListFilter{Roots: roots, Search: typed, Limit: 100})
				return n, err
			})
	})
	t.Run("rectification items", func(t *testing.T) {
		dbtest.LiteralSearch(t, app.Pool, `UPDATE rectification_items SET problem = $1 WHERE id = (SELECT min(id) FROM rectification_items)`,
			func(roots []int64, typed string) (int, error) {
				_, n, err := life.ListItems(t.Context(), app.Pool, life.ItemFilter{Roots: roots, Search: typed, Limit: 100})
				return n, err
			})
	})
}
