package auth

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseLoginForm(f *testing.F) {
	f.Add("username=secretary&password=Zhibu%402026&next=%2Fmembers")
	f.Add("username=&password=&next=%2F%2Fevil.example")
	f.Add("username=a&password=b&next=%2F%5Cevil")
	f.Add("next=javascript:alert(1)&username=x&password=y")
	f.Add(strings.Repeat("username=x&", 100))
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, ok := ParseLoginForm(v)
		if !strings.HasPrefix(in.Next, "/") || strings.HasPrefix(in.Next, "//") || strings.HasPrefix(in.Next, "/\\") {
			t.Fatalf("unsafe next %q", in.Next)
		}
		if ok && (in.Username == "" || len(in.Username) > 64 || in.Password == "" || len(in.Password) > 256) {
			t.Fatalf("accepted %q / %d bytes", in.Username, len(in.Password))
		}
	})
}

func FuzzPasswordProblem(f *testing.F) {
	for _, s := range []string{"", "Zhibu@2026", "Tide-Lantern-42", "党建Abc123!", "aaaaaaaa", "\xff\xfeAb1!xxxx", strings.Repeat("Aa1!", 40)} {
		f.Add(s, "wangwei")
	}
	known := map[string]bool{"": true, "password.too_short": true, "password.too_long": true, "password.classes": true, "password.common": true}
	f.Fuzz(func(t *testing.T, password, username string) {
		p := PasswordProblem(password, username)
		if !known[p] {
			t.Fatalf("unknown problem %q", p)
		}
		if p == "" {
			if utf8.RuneCountInString(password) < 8 || len(password) > 128 {
				t.Fatalf("accepted length %d", len(password))
			}
			if commonPasswords[strings.ToLower(password)] {
				t.Fatalf("accepted a common password %q", password)
			}
		}
		s := DefaultSettings
		s.PasswordMinLength = 12
		if s.PasswordProblem(password, username) == "" && utf8.RuneCountInString(password) < 12 {
			t.Fatalf("policy minimum ignored for %q", password)
		}
	})
}

func FuzzParseTOTPCode(f *testing.F) {
	for _, s := range []string{"123456", " 123 456 ", "12345", "1234567", "12a456", "１２３４５６", "123-456"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseTOTPCode(s)
		if !ok {
			return
		}
		if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
			t.Fatalf("%q parsed to %q", s, code)
		}
		if again, ok := ParseTOTPCode(code); !ok || again != code {
			t.Fatalf("not idempotent: %q", code)
		}
	})
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range append(newRecoveryCodes(), "abcde-fghij", "ABCDE FGHIJ", "ABCDE-FGHI1", "") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeRecoveryCode(s)
		if !ok {
			return
		}
		if len(n) != 10 || strings.Trim(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("%q normalised to %q", s, n)
		}
		if again, ok := NormalizeRecoveryCode(n); !ok || again != n {
			t.Fatalf("not idempotent: %q", n)
		}
	})
}

func FuzzParsePasswordForm(f *testing.F) {
	f.Add("current=Old-Pass-1&new=New-Pass-22&confirm=New-Pass-22")
	f.Add("current=x&new=x&confirm=x")
	f.Add("new=%00%01&confirm=")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, errs := ParsePasswordForm(v, "someone", DefaultSettings)
		if errs.Any() {
			return
		}
		if in.New != in.Confirm || in.New == in.Current || PasswordProblem(in.New, "someone") != "" {
			t.Fatalf("accepted %+v", in)
		}
	})
}
