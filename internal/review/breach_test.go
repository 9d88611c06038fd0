package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// A breach the background computation finds is recorded once; entering the
// missing meeting later keeps the breach and marks it corrected late, and
// computing again adds no row.
func TestBreachLedgerKeepsLateCorrections(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	root := app.Int(t, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '台账机关党委', '2015-01-01') RETURNING id`)
	branch := app.Int(t, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '台账党支部', '2015-01-01') RETURNING id`, root)
	day1 := time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	year := rules.Year(2026)
	if _, err := review.Refresh(ctx, app.Pool, []int64{root}, year, day1); err != nil {
		t.Fatal(err)
	}
	ledger := func() map[string]review.Breach {
		t.Helper()
		list, err := review.BreachesOfYear(ctx, app.Pool, branch, 2026)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]review.Breach{}
		for _, b := range list {
			k := b.Code + " " + b.Period
			if _, dup := out[k]; dup {
				t.Errorf("breach %s recorded twice", k)
			}
			out[k] = b
		}
		return out
	}
	got := ledger()
	for _, k := range []string{"committee_meeting 2026-01", "committee_meeting 2026-02", "party_day 2026-01", "party_day 2026-02"} {
		b, ok := got[k]
		if !ok {
			t.Fatalf("breach %s not recorded: %v", k, got)
		}
		if !b.FirstSeen.Equal(day1) || b.CorrectedOn != nil {
			t.Errorf("%s: first seen %v corrected %v", k, b.FirstSeen, b.CorrectedOn)
		}
	}
	if _, ok := got["committee_meeting 2026-03"]; ok {
		t.Error("March recorded before it ended")
	}
	if b := got["committee_meeting 2026-02"]; !b.Month.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("February's breach in month %v", b.Month)
	}
	first := got

	// The January committee meeting entered late, a week on.
	at := time.Date(2026, 1, 20, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	if _, err := app.Pool.Exec(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status, submitted_at, late_entry) VALUES ($1, 'committee', '补录', $2, $3, 'submitted', now(), true)`, branch, at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	day2 := day1.AddDate(0, 0, 7)
	for range 2 { // computing twice changes nothing more
		if _, err := review.Refresh(ctx, app.Pool, []int64{root}, year, day2); err != nil {
			t.Fatal(err)
		}
	}
	got = ledger()
	for k := range first {
		if _, ok := got[k]; !ok {
			t.Errorf("breach %s gone after the late entry", k)
		}
	}
	n := len(got) // the late meeting, held without a quorum on record, is a breach of its own
	jan := got["committee_meeting 2026-01"]
	if jan.CorrectedOn == nil || !jan.CorrectedOn.Equal(day2) || !jan.FirstSeen.Equal(day1) {
		t.Errorf("January: first seen %v, corrected %v; want %v, late on %v", jan.FirstSeen, jan.CorrectedOn, day1, day2)
	}
	if feb := got["committee_meeting 2026-02"]; feb.CorrectedOn != nil {
		t.Errorf("February corrected on %v, but no meeting was entered", feb.CorrectedOn)
	}
	// The next day's computation (every row recomputed) adds nothing either.
	if _, err := review.Refresh(ctx, app.Pool, []int64{root}, year, day2.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if again := ledger(); len(again) != n || again["committee_meeting 2026-01"].CorrectedOn == nil || !again["committee_meeting 2026-01"].CorrectedOn.Equal(day2) {
		t.Errorf("after a day's recompute: %d rows, January %+v", len(again), again["committee_meeting 2026-01"])
	}
}

// The year view lists the demo ledger month by month: the open breach and
// the one corrected late, each with its state; a bad year falls back.
func TestBreachYearPage(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	finance := app.OrgID(t, "财务处党支部")
	var openYear, openMonth, lateYear int64
	openYear = app.Int(t, `SELECT extract(year FROM month)::bigint FROM breaches WHERE branch_id = $1 AND corrected_on IS NULL ORDER BY month DESC LIMIT 1`, finance)
	openMonth = app.Int(t, `SELECT extract(month FROM month)::bigint FROM breaches WHERE branch_id = $1 AND corrected_on IS NULL ORDER BY month DESC LIMIT 1`, finance)
	lateYear = app.Int(t, `SELECT extract(year FROM month)::bigint FROM breaches WHERE branch_id = $1 AND corrected_on IS NOT NULL LIMIT 1`, finance)
	rv := app.Login(t, "reviewer")
	r := rv.Get("/review/branches/" + itoa(finance) + "/year?year=" + itoa(openYear))
	if r.Status != 200 {
		t.Fatalf("year page: %d", r.Status)
	}
	sel := `[data-testid="breach-month-` + itoa(openMonth) + `"] [data-testid="breach"][data-code="committee_meeting"][data-corrected="false"]`
	if !r.Has(sel) {
		t.Errorf("open breach not shown in month %d", openMonth)
	}
	if !strings.Contains(r.Doc().Find(sel).Text(), "尚未整改") {
		t.Errorf("open breach text: %q", r.Doc().Find(sel).Text())
	}
	if lateYear != openYear {
		r = rv.Get("/review/branches/" + itoa(finance) + "/year?year=" + itoa(lateYear))
	}
	late := r.Doc().Find(`[data-testid="breach"][data-corrected="true"] [data-testid="breach-state"]`)
	if late.Length() == 0 || !strings.Contains(late.Text(), "逾期整改") {
		t.Errorf("late correction not shown: %q", late.Text())
	}
	if r := rv.Get("/review/branches/" + itoa(finance) + "/year?year=abc"); r.Status != 200 || !r.Has(`[data-testid="breach-year"]`) {
		t.Errorf("bad year: %d", r.Status)
	}
	if r := rv.Get("/review/branches/" + itoa(finance)); !r.Has(`[data-testid="breach-year-link"]`) || !r.Has(`[data-testid="six-months-basis"]`) {
		t.Error("the branch page links no year view or states no six-month basis")
	}
}
