package db_test

import (
	"testing"
	"time"

	"zhibu/internal/dbtest"
)

// TestInGoodStanding: only full and probationary members whose status is
// normal are in good standing; one transferred out this month, deceased,
// struck off, expelled or suspended is not.
func TestInGoodStanding(t *testing.T) {
	pool := dbtest.New(t)
	for _, c := range []struct {
		category, status string
		want             bool
	}{
		{"full", "normal", true},
		{"probationary", "normal", true},
		{"full", "transferred_out", false},
		{"probationary", "transferred_out", false},
		{"full", "deceased", false},
		{"full", "struck_off", false},
		{"full", "expelled", false},
		{"full", "suspended", false},
		{"applicant", "normal", false},
		{"activist", "normal", false},
		{"target", "normal", false},
	} {
		var got bool
		if err := pool.QueryRow(t.Context(), `SELECT in_good_standing($1, $2)`, c.category, c.status).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("in_good_standing(%s, %s) = %v, want %v", c.category, c.status, got, c.want)
		}
	}
}

// TestTermsOn: the term in office on a day, at the boundaries.
func TestTermsOn(t *testing.T) {
	pool := dbtest.New(t)
	ctx := t.Context()
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	org := func(name string) int64 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', $1, '2015-01-01') RETURNING id`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	term := func(org int64, no int, elected, ended string) int64 {
		var id int64
		var end *time.Time
		if ended != "" {
			e := day(ended)
			end = &e
		}
		if err := pool.QueryRow(ctx, `INSERT INTO committee_terms (org_id, term_no, elected_on, due_on, ended_on) VALUES ($1, $2, $3, $3::date + 1800, $4) RETURNING id`,
			org, no, day(elected), end).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	inOffice := func(org int64, on string) int64 {
		var id int64
		err := pool.QueryRow(ctx, `SELECT coalesce((SELECT id FROM terms_on($2) WHERE org_id = $1), 0)`, org, day(on)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	// A term ending on 30 June is in office that day, not the next.
	ending := org("任期届满")
	first := term(ending, 1, "2021-07-01", "2026-06-30")
	// A new term elected on the day the old one ends takes office that day.
	handover := org("换届")
	old := term(handover, 1, "2021-07-01", "2026-06-30")
	next := term(handover, 2, "2026-06-30", "")
	// A term elected later is not in office before its election.
	future := org("尚未选举")
	later := term(future, 1, "2026-07-01", "")
	for _, c := range []struct {
		name string
		org  int64
		on   string
		want int64
	}{
		{"the day before a term ends", ending, "2026-06-29", first},
		{"the day a term ends", ending, "2026-06-30", first},
		{"the day after a term ended", ending, "2026-07-01", 0},
		{"the day before the handover", handover, "2026-06-29", old},
		{"the handover day", handover, "2026-06-30", next},
		{"after the handover", handover, "2030-01-01", next},
		{"before the first election", future, "2026-06-30", 0},
		{"the election day", future, "2026-07-01", later},
	} {
		if got := inOffice(c.org, c.on); got != c.want {
			t.Errorf("%s (%s): term %d, want %d", c.name, c.on, got, c.want)
		}
	}
}
