// Package dues keeps Party dues (党费): each member's yearly income base
// and the rate band that follows from it, special cases with their
// reasons, the branch's monthly ledger of payments, the month handed in to
// the committee (上缴) and its confirmation, arrears (欠缴) and the
// six-month rule, and the monthly and yearly reports with their .xlsx
// export. Rules: 中组发〔2008〕3号 and 组电明字〔2017〕5号
// (../shared/guide/rules.md §2). Every amount is integer fen (分).
package dues

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Categories of dues payer (2008 第二、五、六条).
const (
	Salaried = "salaried"  // in service: a rate of the monthly salary base
	Retired  = "retired"   // retired: a rate of the pension
	NoIncome = "no_income" // students, unemployed, relief: a fixed amount
)

// Categories lists the payer categories.
var Categories = []string{Salaried, Retired, NoIncome}

// Special cases of a member's amount.
const (
	SpecialNone      = "none"
	SpecialVoluntary = "voluntary" // a larger amount paid of one's own will
	SpecialReduced   = "reduced"   // less, approved by the committee (2008 第七条)
	SpecialExempt    = "exempt"    // nothing, approved by the committee (2008 第七条)
)

// Specials lists the special cases.
var Specials = []string{SpecialNone, SpecialVoluntary, SpecialReduced, SpecialExempt}

// Band is one row of the band table: bases up to and including UpperFen
// (nil: no upper bound) pay RateBP basis points (50 = 0.5 %) of the base,
// or the fixed amount FixedFen.
type Band struct {
	ID            int64     `db:"id"`
	Category      string    `db:"category"`
	EffectiveFrom time.Time `db:"effective_from"`
	UpperFen      *int64    `db:"upper_fen"`
	RateBP        *int32    `db:"rate_bp"`
	FixedFen      *int64    `db:"fixed_fen"`
	Source        string    `db:"source"`
}

// Pick returns the band of the table that applies to a base of a category
// in a year: of the versions of that category, the newest in force on
// 1 January of the year (the base is set once a year, 2017 notice); in it,
// the band with the lowest upper bound at or above the base (each band
// includes its upper bound: 3000.00 元 pays 0.5 %).
func Pick(table []Band, category string, year int, baseFen int64) (Band, bool) {
	jan1 := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	var version time.Time
	for _, b := range table {
		if b.Category == category && !b.EffectiveFrom.After(jan1) && b.EffectiveFrom.After(version) {
			version = b.EffectiveFrom
		}
	}
	if version.IsZero() {
		return Band{}, false
	}
	var best Band
	found := false
	for _, b := range table {
		if b.Category != category || !b.EffectiveFrom.Equal(version) {
			continue
		}
		if b.UpperFen != nil && baseFen > *b.UpperFen {
			continue
		}
		if !found || upper(b) < upper(best) {
			best, found = b, true
		}
	}
	return best, found
}

func upper(b Band) int64 {
	if b.UpperFen == nil {
		return 1<<63 - 1
	}
	return *b.UpperFen
}

// Monthly is the standard monthly amount of a base under a band.
//
// The rounding rule: base × rate is rounded to the nearest fen, a half fen
// rounding up (四舍五入到分). With the rate in basis points that is
// (base_fen × rate_bp + 5000) / 10000 in integer arithmetic; a base of
// 3000.01 元 at 1 % is 30.0001 元 → 30.00 元, 3333.50 元 at 1 % is
// 33.335 元 → 33.34 元. A fixed-amount band ignores the base.
func Monthly(b Band, baseFen int64) int64 {
	if b.FixedFen != nil {
		return *b.FixedFen
	}
	if b.RateBP == nil || baseFen <= 0 {
		return 0
	}
	return (baseFen*int64(*b.RateBP) + 5000) / 10000
}

// CapMonthly applies the threshold to a standard monthly amount: the
// amount a member is asked for is normally at most capFen (1000 元,
// 组电明字〔2017〕5号; the dues_settings row), more only when paid
// voluntarily (a voluntary special case). It reports whether it capped.
func CapMonthly(amount, capFen int64) (int64, bool) {
	if capFen > 0 && amount > capFen {
		return capFen, true
	}
	return amount, false
}

// Amount is what a member pays a month given the standard amount and the
// special case; special is the amount written for a voluntary or reduced
// case. It reports false when the special amount does not fit its case
// (a voluntary amount must exceed the standard one, a reduced one be
// below it).
func Amount(standard int64, case_ string, special int64) (int64, bool) {
	switch case_ {
	case SpecialNone:
		return standard, true
	case SpecialVoluntary:
		return special, special > standard
	case SpecialReduced:
		return special, special >= 0 && special < standard
	case SpecialExempt:
		return 0, true
	}
	return 0, false
}

// Yuan formats fen as yuan with two decimals: 123456 → "1234.56".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}

// ParseYuan reads an amount in yuan with at most two decimals ("3000",
// "3000.5", "3,000.50") as fen, without floating point.
func ParseYuan(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.TrimSuffix(strings.TrimSuffix(s, "元"), " ")
	if s == "" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		return 0, false
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (dot && frac == "") {
		return 0, false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > 1_000_000 {
		return 0, false
	}
	var f int64
	if frac != "" {
		for _, c := range frac {
			if c < '0' || c > '9' {
				return 0, false
			}
		}
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	return w*100 + f, true
}

// RateText shows a rate in basis points as a percentage: 50 → "0.5%".
func RateText(bp int32) string {
	s := strconv.FormatFloat(float64(bp)/100, 'f', -1, 64)
	return s + "%"
}
