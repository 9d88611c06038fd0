package dues

import (
	"testing"
	"time"

	"zhibu/internal/i18n"
)

// A write widens the kept roll-up when the current month plus a year lies
// past the span's end (dues_rollup_must_widen). The scan of a month's last
// hour must already keep the span there for the whole next month, so that
// a write in the next month's first hour, before its first scan, does not
// widen. The months are China's: 23:59:59 on 31 December in Shanghai is
// still December although it is afternoon UTC; the last second of
// February in a leap year; and the first second of a month.
func TestRollupAheadCoversTheNextMonth(t *testing.T) {
	cases := []struct {
		now  time.Time
		want string // the first month the next month's writes need: next month + 12
	}{
		{time.Date(2026, 12, 31, 23, 59, 59, 0, i18n.Shanghai), "2028-01"},
		{time.Date(2028, 2, 29, 23, 59, 59, 0, i18n.Shanghai), "2029-03"},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, i18n.Shanghai), "2028-04"},
		// 16:30 UTC on 30 November is already 1 December in China.
		{time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC), "2028-01"},
	}
	for _, c := range cases {
		n := c.now.In(i18n.Shanghai)
		next := time.Date(n.Year(), n.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		need := next.AddDate(0, 12, 0)
		got := rollupAheadTo(c.now)
		if got.Before(need) {
			t.Errorf("scan at %s keeps the span to %s; a write of %s needs %s", c.now, MonthKey(got), MonthKey(next), MonthKey(need))
		}
		if MonthKey(got) != c.want {
			t.Errorf("scan at %s keeps the span to %s, want %s", c.now, MonthKey(got), c.want)
		}
	}
}
