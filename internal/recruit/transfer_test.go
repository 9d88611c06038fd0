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

// Thought reports (思想汇报) are recorded from the application on, as
// many as are handed in; not before the application, nor once the file is
// closed.
func TestThoughtReports(t *testing.T) {
	t.Parallel()
	r := rules2014()
	f := file("activist", st("application", "2025-03-15"), st("thought_report", "2025-06-30"))
	for _, c := range []struct {
		name string
		f    File
		on   string
		ok   bool
	}{
		{"a day before the application", f, "2025-03-14", false},
		{"on the application day", f, "2025-03-15", true},
		{"a second one", f, "2025-12-30", true},
		{"a full member's file", file("full", st("application", "2020-03-15")), "2025-12-30", false},
	} {
		_, e := Check(c.f, st("thought_report", c.on), r, false)
		if (e == nil) != c.ok {
			t.Errorf("%s: refusal %+v, want accepted %v", c.name, e, c.ok)
		}
	}
}
