package auth

import (
	"context"
	"strings"
	"testing"
)

func TestHashAndCheck(t *testing.T) {
	ctx := context.Background()
	h, err := HashPassword(ctx, "Correct-Horse9")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash parameters: %s", h)
	}
	if ok, err := CheckPassword(ctx, "Correct-Horse9", h); err != nil || !ok {
		t.Errorf("right password: %v %v", ok, err)
	}
	if ok, err := CheckPassword(ctx, "correct-Horse9", h); err != nil || ok {
		t.Errorf("wrong password: %v %v", ok, err)
	}
	if _, err := CheckPassword(ctx, "x", "$bcrypt$nope"); err == nil {
		t.Error("malformed hash accepted")
	}
}

func TestPasswordPolicy(t *testing.T) {
	cases := map[string]string{
		"Sh0rt!":                   "password.too_short",
		"alllowercase1!":           "password.classes",
		"NoDigits!!":               "password.classes",
		"NoSymbol123":              "password.classes",
		"P@ssw0rd1":                "password.common",
		"Zhibu@2026":               "password.common",
		"Wangwei#2026x":            "password.common", // contains the username
		"Tide-Lantern-42":          "",
		"党建Abc123!":                "",
		strings.Repeat("Aa1!", 40): "password.too_long",
	}
	for pw, want := range cases {
		if got := PasswordProblem(pw, "wangwei"); got != want {
			t.Errorf("%q: got %q, want %q", pw, got, want)
		}
	}
}
