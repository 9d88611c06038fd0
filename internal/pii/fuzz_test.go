package pii

import (
	"testing"
	"time"
)

func FuzzCheckIDNumber(f *testing.F) {
	for _, s := range []string{MakeIDNumber("110101", time.Date(1985, 3, 7, 0, 0, 0, 0, time.UTC), 12), "11010119850307001x", "", "123", "11010119851307001X", "１１０１０１１９８５０３０７００１X"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		birth, problem := CheckIDNumber(s)
		if problem != "" {
			return
		}
		if len(s) != 18 {
			t.Fatalf("accepted %q", s)
		}
		want, ok := IDCheckDigit(s[:17])
		check := s[17]
		if check == 'x' {
			check = 'X'
		}
		if !ok || want != check {
			t.Fatalf("accepted a bad check character in %q", s)
		}
		if birth.Format("20060102") != s[6:14] {
			t.Fatalf("birth %v from %q", birth, s)
		}
	})
}

func FuzzSealRoundTrip(f *testing.F) {
	key, _ := ParseKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	s, err := New(key)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("110101198503070012")
	f.Add("13800138000")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := s.Open(s.Seal(v))
		if err != nil || got != v {
			t.Fatalf("round trip of %q: %q %v", v, got, err)
		}
		if sealed := s.Seal(v); v != "" && len(sealed) > 0 {
			sealed[len(sealed)-1] ^= 1
			if _, err := s.Open(sealed); err == nil {
				t.Fatal("a tampered ciphertext opened")
			}
		}
	})
}
