package admin

import (
	"testing"

	"zhibu/internal/auth"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestAccountSearchIsLiteral: %, _ and a backslash typed in the account
// search match themselves.
func TestAccountSearchIsLiteral(t *testing.T) {
	pool := dbtest.New(t)
	ctx := t.Context()
	for _, a := range [][2]string{{"alice", "普通用户"}, {"bob", "另一用户"}, {"carol", dbtest.SearchText}} {
		if _, err := auth.CreateAccount(ctx, pool, a[0], a[1], "x", nil); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.CheckLiteralSearch(t, func(typed string) int {
		_, total, err := listAccounts(ctx, pool, typed, false, "", false, 1)
		if err != nil {
			t.Fatal(err)
		}
		return total
	})
}
