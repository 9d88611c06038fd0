package recruit

import "testing"

// A letter's receipt is due receipt_days (a setting) after the letter's
// validity ends: missing on the due day it is not late yet, the day after
// it is; across a month end and February; a receipt back is never late.
func TestReceiptLateBoundaries(t *testing.T) {
	t.Parallel()
	r := rules2014()
	r.By["receipt_days"] = Rule{Code: "receipt_days", Amount: 30}
	for _, c := range []struct {
		valid, today string
		late         bool
	}{
		{"2026-01-31", "2026-03-01", false}, // a day short
		{"2026-01-31", "2026-03-02", false}, // the due day (31 Jan + 30 days)
		{"2026-01-31", "2026-03-03", true},  // a day over
		{"2028-01-31", "2028-03-01", false}, // leap year: 31 Jan + 30 days = 1 Mar
		{"2028-01-31", "2028-03-02", true},
	} {
		l := Letter{ValidUntil: day(c.valid)}
		if got := l.ReceiptLate(r, day(c.today)); got != c.late {
			t.Errorf("valid until %s, on %s: late %v, want %v", c.valid, c.today, got, c.late)
		}
		l.ReceiptOn = ptr(day(c.valid))
		if l.ReceiptLate(r, day(c.today)) {
			t.Errorf("valid until %s: a receipt back is late", c.valid)
		}
	}
}
