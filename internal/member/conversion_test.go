package member_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/migrations"
)

// TestFullMembershipDatesFromTheEndOfProbation: the 支部大会 may vote on
// the day probation ends or later, never earlier; whatever its day, full
// membership (and 党龄) dates from the day probation ends (细则 第三十四条).
// Admitted on 29 February 2024, probation ends on 28 February 2025, the
// same day PostgreSQL's date + interval '1 year' gives.
func TestFullMembershipDatesFromTheEndOfProbation(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	sec := app.Login(t, "secretary")
	prob := memberIn(t, app, "办公室党支部", "probationary")
	if _, err := app.Pool.Exec(ctx, `UPDATE members SET admitted_on = '2024-02-29', target_on = '2023-06-01', activist_on = '2022-05-01',
		applied_on = '2022-01-10', probation_extended_to = NULL WHERE id = $1`, prob); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(prob, 10)
	convert := func(on string) *apptest.Response {
		return sec.PostForm("/members/"+id+"/act/convert", url.Values{"date": {on}, "version": {version(t, app, prob)}})
	}
	// A day short of the end of probation: refused beside the date.
	if r := convert("2025-02-27"); r.Status != http.StatusUnprocessableEntity || r.TestID("error-date") == "" {
		t.Fatalf("meeting a day before probation ends: %d", r.Status)
	}
	// A meeting a month after: accepted, dated from the end of probation.
	if r := convert("2025-03-28"); r.Status != http.StatusSeeOther {
		t.Fatalf("convert: %d %s", r.Status, r.TestID("form-errors"))
	}
	var converted, meeting time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT m.converted_on, e.occurred_on FROM members m
		JOIN member_events e ON e.member_id = m.id AND e.kind = 'converted' WHERE m.id = $1`, prob).Scan(&converted, &meeting); err != nil {
		t.Fatal(err)
	}
	if got := converted.Format("2006-01-02"); got != "2025-02-28" {
		t.Errorf("converted_on %s, want 2025-02-28 (end of probation)", got)
	}
	if got := meeting.Format("2006-01-02"); got != "2025-03-28" {
		t.Errorf("the event keeps the meeting's day: %s", got)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE id = $1 AND converted_on = (admitted_on + interval '1 year')::date`, prob); n != 1 {
		t.Error("Go and SQL disagree on the end of probation")
	}
}

// TestConversionExactlyOnTheDay: a meeting on the day probation ends is
// accepted; an extended probation ends on its extension's day.
func TestConversionExactlyOnTheDay(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	sec := app.Login(t, "secretary")
	prob := memberIn(t, app, "办公室党支部", "probationary")
	if _, err := app.Pool.Exec(ctx, `UPDATE members SET admitted_on = '2025-01-31', target_on = NULL, probation_extended_to = '2026-07-31' WHERE id = $1`, prob); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(prob, 10)
	if r := sec.PostForm("/members/"+id+"/act/convert", url.Values{"date": {"2026-07-30"}, "version": {version(t, app, prob)}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a day before the extension ends: %d", r.Status)
	}
	if r := sec.PostForm("/members/"+id+"/act/convert", url.Values{"date": {"2026-07-31"}, "version": {version(t, app, prob)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("on the day the extension ends: %d", r.Status)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE id = $1 AND converted_on = '2026-07-31'`, prob); n != 1 {
		t.Error("converted_on is not the end of the extended probation")
	}
}

// TestMigrationMovesRecordedConversions: migration 000161 moves a
// conversion recorded in Zhibu (dated the meeting) to the end of probation
// and leaves an imported date alone.
func TestMigrationMovesRecordedConversions(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	recorded := memberIn(t, app, "办公室党支部", "full")
	var imported int64
	if err := app.Pool.QueryRow(ctx, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
		WHERE o.name = '办公室党支部' AND m.category = 'full' AND m.id <> $1 ORDER BY m.id LIMIT 1`, recorded).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{recorded, imported} {
		if _, err := app.Pool.Exec(ctx, `UPDATE members SET admitted_on = '2020-06-10', target_on = NULL, probation_extended_to = NULL, converted_on = '2021-07-01' WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := app.Pool.Exec(ctx, `DELETE FROM member_events WHERE member_id = $1 AND kind = 'converted'`, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on) VALUES ($1, 'converted', '2021-07-01')`, recorded); err != nil {
		t.Fatal(err)
	}
	up, err := migrations.FS.ReadFile("000161_full_membership_date.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, string(up)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE id = $1 AND converted_on = '2021-06-10'`, recorded); n != 1 {
		t.Error("a recorded conversion was not moved to the end of probation")
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE id = $1 AND converted_on = '2021-07-01'`, imported); n != 1 {
		t.Error("an imported date was changed")
	}
}
