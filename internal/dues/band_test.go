package dues

import (
	"testing"
	"time"
)

func i64(v int64) *int64 { return &v }
func i32(v int32) *int32 { return &v }

// table2008 is the band table of migration 000220, as data.
var table2008 = []Band{
	{ID: 1, Category: Salaried, EffectiveFrom: d(2008, 4, 1), UpperFen: i64(300000), RateBP: i32(50)},
	{ID: 2, Category: Salaried, EffectiveFrom: d(2008, 4, 1), UpperFen: i64(500000), RateBP: i32(100)},
	{ID: 3, Category: Salaried, EffectiveFrom: d(2008, 4, 1), UpperFen: i64(1000000), RateBP: i32(150)},
	{ID: 4, Category: Salaried, EffectiveFrom: d(2008, 4, 1), RateBP: i32(200)},
	{ID: 5, Category: Retired, EffectiveFrom: d(2008, 4, 1), UpperFen: i64(500000), RateBP: i32(50)},
	{ID: 6, Category: Retired, EffectiveFrom: d(2008, 4, 1), RateBP: i32(100)},
	{ID: 7, Category: NoIncome, EffectiveFrom: d(2008, 4, 1), FixedFen: i64(20)},
}

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// Every boundary of the table: a fen below, exactly on, a fen above.
func TestBandsAtEveryBoundary(t *testing.T) {
	cases := []struct {
		cat     string
		base    int64
		rate    int32
		monthly int64
	}{
		{Salaried, 0, 50, 0},
		{Salaried, 299999, 50, 1500},    // 2999.99 × 0.5% = 14.99995 → 15.00
		{Salaried, 300000, 50, 1500},    // 3000.00 is in the first band
		{Salaried, 300001, 100, 3000},   // 3000.01 × 1% = 30.0001 → 30.00
		{Salaried, 499999, 100, 5000},   // 4999.99 × 1% = 49.9999 → 50.00
		{Salaried, 500000, 100, 5000},   // 5000.00 stays at 1%
		{Salaried, 500001, 150, 7500},   // 5000.01 × 1.5% = 75.00015 → 75.00
		{Salaried, 999999, 150, 15000},  // 9999.99 × 1.5% = 149.99985 → 150.00
		{Salaried, 1000000, 150, 15000}, // 10000.00 stays at 1.5%
		{Salaried, 1000001, 200, 20000}, // 10000.01 × 2% = 200.0002 → 200.00
		{Retired, 499999, 50, 2500},
		{Retired, 500000, 50, 2500},
		{Retired, 500001, 100, 5000},
	}
	for _, c := range cases {
		b, ok := Pick(table2008, c.cat, 2026, c.base)
		if !ok || b.RateBP == nil || *b.RateBP != c.rate {
			t.Errorf("%s %s: band %+v, want rate %d", c.cat, Yuan(c.base), b, c.rate)
			continue
		}
		if got := Monthly(b, c.base); got != c.monthly {
			t.Errorf("%s %s: monthly %d, want %d", c.cat, Yuan(c.base), got, c.monthly)
		}
	}
	b, ok := Pick(table2008, NoIncome, 2026, 123456)
	if !ok || Monthly(b, 123456) != 20 {
		t.Errorf("no income: %+v", b)
	}
}

func TestRoundingHalfFenUp(t *testing.T) {
	b := Band{RateBP: i32(100)}
	for base, want := range map[int64]int64{333350: 3334, 333349: 3333, 333450: 3335, 50: 1, 49: 0, 150: 2} {
		if got := Monthly(b, base); got != want {
			t.Errorf("%s at 1%%: %d, want %d", Yuan(base), got, want)
		}
	}
	b = Band{RateBP: i32(50)}
	if got := Monthly(b, 100); got != 1 { // 1.00 元 × 0.5% = 0.005 元 → 0.01
		t.Errorf("half fen: %d", got)
	}
}

// A new version applies from the first year whose 1 January it covers.
func TestBandVersions(t *testing.T) {
	table := append([]Band{}, table2008...)
	table = append(table, Band{ID: 9, Category: Retired, EffectiveFrom: d(2027, 1, 1), RateBP: i32(70)})
	if b, _ := Pick(table, Retired, 2026, 100); *b.RateBP != 50 {
		t.Errorf("2026 took the 2027 version: %+v", b)
	}
	if b, _ := Pick(table, Retired, 2027, 100); *b.RateBP != 70 {
		t.Errorf("2027 kept the old version: %+v", b)
	}
	if _, ok := Pick(table, Salaried, 2007, 100); ok {
		t.Error("a year before any version has a band")
	}
}

func TestAmountSpecialCases(t *testing.T) {
	cases := []struct {
		special string
		amount  int64
		want    int64
		ok      bool
	}{
		{SpecialNone, 999, 1500, true},
		{SpecialVoluntary, 10000, 10000, true},
		{SpecialVoluntary, 1500, 1500, false},
		{SpecialReduced, 500, 500, true},
		{SpecialReduced, 1500, 1500, false},
		{SpecialExempt, 700, 0, true},
		{"other", 0, 0, false},
	}
	for _, c := range cases {
		got, ok := Amount(1500, c.special, c.amount)
		if got != c.want || ok != c.ok {
			t.Errorf("%s %d: %d %v, want %d %v", c.special, c.amount, got, ok, c.want, c.ok)
		}
	}
}

func TestYuan(t *testing.T) {
	for in, want := range map[string]int64{"3000": 300000, "3000.5": 300050, "3,000.05": 300005, "0.01": 1, "12元": 1200} {
		if got, ok := ParseYuan(in); !ok || got != want {
			t.Errorf("ParseYuan(%q) = %d %v", in, got, ok)
		}
	}
	for _, bad := range []string{"", "-1", "1.234", "1.", "abc", "1e3", "1.x", "99999999"} {
		if _, ok := ParseYuan(bad); ok {
			t.Errorf("ParseYuan(%q) accepted", bad)
		}
	}
	if Yuan(123456) != "1234.56" || Yuan(-5) != "-0.05" || Yuan(0) != "0.00" {
		t.Error("Yuan")
	}
	if RateText(50) != "0.5%" || RateText(150) != "1.5%" || RateText(200) != "2%" {
		t.Error("RateText")
	}
}
