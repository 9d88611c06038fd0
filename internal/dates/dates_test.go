package dates

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddMonthsAtMonthEnds(t *testing.T) {
	cases := []struct {
		from   string
		months int
		want   string
	}{
		{"2026-01-31", 1, "2026-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2026-01-30", 1, "2026-02-28"},
		{"2026-01-28", 1, "2026-02-28"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-12-31", 1, "2027-01-31"},
		{"2026-11-30", 3, "2027-02-28"},
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-05-15", -6, "2025-11-15"},
		{"2026-01-01", 0, "2026-01-01"},
	}
	for _, c := range cases {
		if got := AddMonths(day(c.from), c.months).Format("2006-01-02"); got != c.want {
			t.Errorf("%s %+d months: %s, want %s", c.from, c.months, got, c.want)
		}
	}
}

func TestAddYearsOn29February(t *testing.T) {
	cases := []struct {
		from  string
		years int
		want  string
	}{
		{"2024-02-29", 1, "2025-02-28"},
		{"2024-02-29", 4, "2028-02-29"},
		{"2024-02-28", 1, "2025-02-28"},
		{"2023-03-01", 1, "2024-03-01"},
		{"2025-02-28", 1, "2026-02-28"},
		{"2028-02-29", -1, "2027-02-28"},
	}
	for _, c := range cases {
		if got := AddYears(day(c.from), c.years).Format("2006-01-02"); got != c.want {
			t.Errorf("%s %+d years: %s, want %s", c.from, c.years, got, c.want)
		}
	}
}

func TestKeepsTimeAndLocation(t *testing.T) {
	sh := time.FixedZone("CST", 8*3600)
	d := time.Date(2024, 2, 29, 9, 30, 0, 0, sh)
	got := AddYears(d, 1)
	if want := time.Date(2025, 2, 28, 9, 30, 0, 0, sh); !got.Equal(want) || got.Location() != sh {
		t.Errorf("%v, want %v", got, want)
	}
}

func TestDaysIn(t *testing.T) {
	for _, c := range []struct {
		y    int
		m    time.Month
		want int
	}{{2024, 2, 29}, {2026, 2, 28}, {1900, 2, 28}, {2000, 2, 29}, {2026, 4, 30}, {2026, 12, 31}} {
		if got := DaysIn(c.y, c.m); got != c.want {
			t.Errorf("%d-%02d: %d, want %d", c.y, c.m, got, c.want)
		}
	}
}
