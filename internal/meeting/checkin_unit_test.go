package meeting

import (
	"crypto/sha256"
	"testing"
	"time"
)

type testHasher struct{}

func (testHasher) Hash(v string) []byte { s := sha256.Sum256([]byte("k" + v)); return s[:] }

func TestCheckinOpenBoundaries(t *testing.T) {
	start := time.Date(2028, 2, 29, 9, 0, 0, 0, time.UTC) // a leap day
	end := start.Add(90 * time.Minute)
	open := 30 * time.Minute
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{start.Add(-open - time.Second), false}, // a second before it opens
		{start.Add(-open), true},                // exactly when it opens
		{start, true},
		{end, true},                      // exactly at the end
		{end.Add(time.Second), false},    // a second after
		{start.AddDate(0, 0, -1), false}, // the day before
	} {
		if got := CheckinOpen(start, end, c.at, open); got != c.want {
			t.Errorf("CheckinOpen at %v = %v, want %v", c.at, got, c.want)
		}
	}
}

func TestCodeChangesEveryPeriodAndOldCodesFail(t *testing.T) {
	h := testHasher{}
	t0 := time.Unix(1_900_000_040, 0) // 20 s into a window (windows start at multiples of 30 s)
	w := Window(t0)
	code := Code(h, 7, w)
	if len(code) != 6 {
		t.Fatalf("code %q is not six digits", code)
	}
	if Code(h, 8, w) == code && Code(h, 7, w+1) == code {
		t.Fatalf("codes do not depend on the meeting and the window")
	}
	for _, c := range []struct {
		at   time.Time
		want bool
	}{
		{t0, true},
		{t0.Add(10 * time.Second), true},   // next window: the one before still counts
		{t0.Add(39 * time.Second), true},   // still the next window
		{t0.Add(40 * time.Second), false},  // two windows on: old
		{t0.Add(-21 * time.Second), false}, // the window before it was made
	} {
		if got := CodeValid(h, 7, code, c.at); got != c.want {
			t.Errorf("CodeValid at +%v = %v, want %v", c.at.Sub(t0), got, c.want)
		}
	}
	if CodeValid(h, 8, code, t0) && Code(h, 8, w) != code {
		t.Errorf("a code of meeting 7 signs in at meeting 8")
	}
	if CodeValid(h, 7, "", t0) || CodeValid(h, 7, "12345", t0) {
		t.Errorf("short codes accepted")
	}
}

func TestQRSVG(t *testing.T) {
	svg, err := QRSVG("https://zhibu.example/checkin/1?code=123456")
	if err != nil || len(svg) < 200 || svg[:4] != "<svg" {
		t.Fatalf("QRSVG: %v %q", err, svg[:min(len(svg), 40)])
	}
}
