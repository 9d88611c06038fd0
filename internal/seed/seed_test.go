package seed_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/member"
	"zhibu/internal/seed"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func counts(t *testing.T, app *apptest.App) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"organisations", "members", "accounts", "meetings", "attendance", "study_credits", "life_meetings", "rectification_items", "commendations"} {
		var n int
		if err := app.Pool.QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func TestDemoSeedIsCompleteAndIdempotent(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	ctx := context.Background()
	loaded, err := seed.Demo(ctx, app.Pool, app.Sealer)
	if err != nil || !loaded {
		t.Fatalf("first load: %v %v", loaded, err)
	}
	first := counts(t, app)
	if first["organisations"] != 1+2+6+4 {
		t.Errorf("organisations: %d, want 13", first["organisations"])
	}
	if first["members"] < 140 || first["members"] > 160 {
		t.Errorf("members: %d, want about 150", first["members"])
	}
	for _, table := range []string{"meetings", "attendance", "study_credits", "life_meetings", "rectification_items", "commendations"} {
		if first[table] == 0 {
			t.Errorf("%s: empty", table)
		}
	}
	var cats int
	if err := app.Pool.QueryRow(ctx, `SELECT count(DISTINCT category) FROM members`).Scan(&cats); err != nil || cats != 5 {
		t.Errorf("member categories: %d (%v), want all 5", cats, err)
	}
	loaded, err = seed.Demo(ctx, app.Pool, app.Sealer)
	if err != nil || loaded {
		t.Fatalf("second load: loaded=%v err=%v, want nothing done", loaded, err)
	}
	if again := counts(t, app); len(again) != len(first) || again["members"] != first["members"] || again["meetings"] != first["meetings"] || again["attendance"] != first["attendance"] {
		t.Errorf("second load changed counts: %v then %v", first, again)
	}
	if loaded, err := seed.DemoIfEmpty(ctx, app.Pool, app.Sealer); err != nil || loaded {
		t.Errorf("DemoIfEmpty on a full database: %v %v", loaded, err)
	}
}

func TestDemoLeavesSomeBranchesBehind(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	// Committee meetings held in the last 12 months, per branch: the
	// diligent branches hold about 12, the struggling ones far fewer.
	rows, err := app.Pool.Query(context.Background(), `
SELECT o.name, count(m.id) FROM organisations o
  LEFT JOIN meetings m ON m.org_id = o.id AND m.kind = 'committee' AND m.status = 'submitted'
 WHERE o.kind = 'branch' GROUP BY o.name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var low, high int
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		if n <= 8 {
			low++
		}
		if n >= 10 {
			high++
		}
	}
	if low == 0 || high == 0 {
		t.Errorf("want some branches behind and some compliant: %d behind, %d compliant", low, high)
	}
}

// TestDemoPhonesAreValid: every demo member's phone is a number the member
// form accepts (the demo data once held 12-digit mobiles).
func TestDemoPhonesAreValid(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rows, err := app.Pool.Query(context.Background(), `SELECT phone_enc FROM members WHERE phone_enc IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	encs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		t.Fatal(err)
	}
	if len(encs) < 100 {
		t.Fatalf("only %d demo phones", len(encs))
	}
	for _, enc := range encs {
		phone, err := app.Sealer.Open(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !member.ValidPhone(phone) {
			t.Errorf("demo phone %q is not a valid number", phone)
		}
	}
}
