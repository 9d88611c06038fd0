package appraisal_test

import (
	"testing"

	"zhibu/internal/appraisal"
	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

// TestSearchIsLiteral: %, _ and a backslash typed in the search box match
// themselves in the branch's name.
func TestSearchIsLiteral(t *testing.T) {
	app := apptest.New(t)
	ctx := t.Context()
	var root int64
	if err := app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee' ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE organisations SET name = $1 WHERE id = (SELECT min(branch_id) FROM appraisals)`, dbtest.SearchText); err != nil {
		t.Fatal(err)
	}
	dbtest.CheckLiteralSearch(t, func(typed string) int {
		_, total, err := appraisal.List(ctx, app.Pool, []int64{root}, 0, typed, "", false, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		return total
	})
}
