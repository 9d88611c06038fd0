// Package dates holds the calendar arithmetic of statutory dates: a term
// "one year from" a day, "within three months of" a day. A day that the
// target month lacks (29 February in a common year, 31 April) becomes that
// month's last day, as PostgreSQL's date + interval does, so that Go and SQL
// agree on every boundary. (time.AddDate would roll 29 February 2024 plus
// one year over to 1 March 2025.)
package dates

import "time"

// AddMonths returns the day n months after d (before, for n < 0), clamped
// to the last day of the target month. The time of day and location of d
// are kept.
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := d.Date()
	first := time.Date(y, m+time.Month(n), 1, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), d.Location())
	if last := DaysIn(first.Year(), first.Month()); day > last {
		day = last
	}
	return first.AddDate(0, 0, day-1)
}

// AddYears returns the day n years after d, clamped like AddMonths:
// 29 February 2024 plus one year is 28 February 2025.
func AddYears(d time.Time, n int) time.Time { return AddMonths(d, 12*n) }

// DaysIn returns the number of days of month m of year y.
func DaysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
