package leadgroup_test

import (
	"testing"

	"zhibu/internal/apptest"
	"zhibu/migrations"
)

// TestMigrationHangsMeetingsOnAGroup runs migration 000410 down and up
// again on the demo data: down puts the democratic-life meetings back on
// the committee; up gives the committee one group, "<name>党组", and hangs
// every one of its meetings on it with their participants kept.
func TestMigrationHangsMeetingsOnAGroup(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	count := func(sql string) int {
		t.Helper()
		var n int
		if err := app.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return n
	}
	const lives = `SELECT count(*) FROM life_meetings WHERE kind = 'democratic_life'`
	const participants = `SELECT count(*) FROM life_participants p JOIN life_meetings l ON l.id = p.life_id WHERE l.kind = 'democratic_life'`
	nLives, nParts := count(lives), count(participants)
	if nLives < 2 || nParts == 0 {
		t.Fatalf("demo: %d democratic-life meetings, %d participants", nLives, nParts)
	}
	run := func(name string) {
		t.Helper()
		sql, err := migrations.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.Pool.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	run("000410_leadership_groups.down.sql")
	if count(`SELECT count(*) FROM information_schema.columns WHERE table_name = 'life_meetings' AND column_name = 'group_id'`) != 0 {
		t.Error("down left life_meetings.group_id")
	}
	if count(lives) != nLives || count(participants) != nParts {
		t.Errorf("down lost data: %d meetings, %d participants", count(lives), count(participants))
	}
	run("000410_leadership_groups.up.sql")
	if n := count(`SELECT count(*) FROM leadership_groups g JOIN organisations o ON o.id = g.committee_id
 WHERE g.name = o.name || '党组' AND g.kind = 'party_group'`); n != 1 {
		t.Errorf("up made %d groups named after the committee, want 1", n)
	}
	if n := count(`SELECT count(*) FROM life_meetings l JOIN leadership_groups g ON g.id = l.group_id AND g.committee_id = l.org_id WHERE l.kind = 'democratic_life'`); n != nLives {
		t.Errorf("%d of %d democratic-life meetings hang on the committee's group", n, nLives)
	}
	if n := count(`SELECT count(*) FROM life_meetings WHERE kind = 'org_life' AND group_id IS NOT NULL`); n != 0 {
		t.Errorf("%d organisational-life meetings got a group", n)
	}
	if count(participants) != nParts {
		t.Errorf("participants: %d, want %d", count(participants), nParts)
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO life_meetings (org_id, kind, year, theme) SELECT org_id, 'democratic_life', 2001, 'x' FROM life_meetings WHERE kind = 'democratic_life' LIMIT 1`); err == nil {
		t.Error("a democratic-life meeting without a group was accepted")
	}
}
