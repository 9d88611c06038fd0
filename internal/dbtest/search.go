package dbtest

import (
	"testing"

	"zhibu/internal/db"
)

// SearchText is stored text holding the three characters LIKE treats
// specially: a percent sign, an underscore and a backslash.
const SearchText = `百分之%下划_反斜\杠`

// CheckLiteralSearch checks a search box against a data set where exactly
// one record holds SearchText in a searched field: typing %, _ or a
// backslash finds that record only, and so does its own text (with the
// backslash), while an empty search finds more. search returns how many
// records match what was typed.
func CheckLiteralSearch(t *testing.T, search func(typed string) int) {
	t.Helper()
	if n := search(""); n < 2 {
		t.Fatalf("an empty search finds %d records; the check needs at least two", n)
	}
	for _, typed := range []string{"%", "_", `\`, `斜\杠`, SearchText} {
		if n := search(typed); n != 1 {
			t.Errorf("searching %q finds %d records, want only the one holding %q", typed, n, SearchText)
		}
	}
}

// LiteralSearch stores SearchText in one record with mark (an UPDATE taking
// the text as $1) and checks a search over the demo data set's committee
// subtree with CheckLiteralSearch; search gets the roots to search under.
func LiteralSearch(t *testing.T, q db.Querier, mark string, search func(roots []int64, typed string) (int, error)) {
	t.Helper()
	ctx := t.Context()
	var root int64
	if err := q.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'committee' ORDER BY id LIMIT 1`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Exec(ctx, mark, SearchText); err != nil {
		t.Fatal(err)
	}
	CheckLiteralSearch(t, func(typed string) int {
		n, err := search([]int64{root}, typed)
		if err != nil {
			t.Fatal(err)
		}
		return n
	})
}
