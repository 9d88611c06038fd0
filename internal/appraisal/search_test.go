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
	dbtest.LiteralSearch(t, app.Pool, `UPDATE organisations SET name = $1 WHERE id = (SELECT min(branch_id) FROM appraisals)`,
		func(roots []int64, typed string) (int, error) {
			_, n, err := appraisal.List(t.Context(), app.Pool, roots, 0, typed, "", false, 100, 0)
			return n, err
		})
}
