package pii

import (
	"time"
)

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idCheckChars = "10X98765432"

// IDCheckDigit computes the GB 11643 check character of the first 17
// digits of a resident ID number.
func IDCheckDigit(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := first17[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		sum += int(c-'0') * idWeights[i]
	}
	return idCheckChars[sum%11], true
}

// ID number problems, as translation keys.
const (
	IDBadLength   = "member.id_number.length"
	IDBadChars    = "member.id_number.chars"
	IDBadCheck    = "member.id_number.check"
	IDBadBirth    = "member.id_number.birth"
	IDBirthDiffer = "member.id_number.birth_mismatch"
)

// CheckIDNumber validates an 18-character resident ID number: digits, a
// final check character (0-9 or X) per GB 11643, and a real birth date.
// It returns the birth date it encodes, or a problem key.
func CheckIDNumber(v string) (time.Time, string) {
	if len(v) != 18 {
		return time.Time{}, IDBadLength
	}
	check := v[17]
	if check == 'x' {
		check = 'X'
	}
	for i := 0; i < 17; i++ {
		if v[i] < '0' || v[i] > '9' {
			return time.Time{}, IDBadChars
		}
	}
	if (check < '0' || check > '9') && check != 'X' {
		return time.Time{}, IDBadChars
	}
	want, _ := IDCheckDigit(v[:17])
	if want != check {
		return time.Time{}, IDBadCheck
	}
	birth, err := time.Parse("20060102", v[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(time.Now()) {
		return time.Time{}, IDBadBirth
	}
	return birth, ""
}

// MakeIDNumber builds a valid ID number from a 6-digit area code, a birth
// date and a 3-digit sequence (odd for men, even for women); used by the
// demo and benchmark data.
func MakeIDNumber(area string, birth time.Time, seq int) string {
	s := area + birth.Format("20060102") + string(rune('0'+seq/100%10)) + string(rune('0'+seq/10%10)) + string(rune('0'+seq%10))
	c, _ := IDCheckDigit(s)
	return s + string(c)
}
