package auth

import (
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestTOTPCheckAcceptsDriftAndRefusesReplay(t *testing.T) {
	key, err := NewTOTPKey("someone")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	code, _ := totp.GenerateCode(key.Secret(), now)
	step, ok := checkTOTP(key.Secret(), code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("current code: %v step %d", ok, step)
	}
	if _, ok := checkTOTP(key.Secret(), code, now, step); ok {
		t.Error("a code was accepted twice")
	}
	if _, ok := checkTOTP(key.Secret(), code, now.Add(30*time.Second), 0); !ok {
		t.Error("one step of clock drift refused")
	}
	if _, ok := checkTOTP(key.Secret(), code, now.Add(90*time.Second), 0); ok {
		t.Error("a code three steps old accepted")
	}
	if got := TOTPURI("someone", key.Secret()); got != "otpauth://totp/Zhibu:someone?algorithm=SHA1&digits=6&issuer=Zhibu&period=30&secret="+key.Secret() {
		t.Errorf("uri %q", got)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := newRecoveryCodes()
	seen := map[string]bool{}
	for _, c := range codes {
		n, ok := NormalizeRecoveryCode(c)
		if !ok || seen[n] {
			t.Fatalf("code %q: ok %v, seen %v", c, ok, seen[n])
		}
		seen[n] = true
		if string(hashRecoveryCode(n)) == n {
			t.Fatal("recovery code not hashed")
		}
	}
	if len(codes) != RecoveryCodeCount {
		t.Errorf("%d codes", len(codes))
	}
}
