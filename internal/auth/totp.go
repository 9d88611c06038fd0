package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: the RFC 6238 defaults every authenticator app knows.
const (
	totpPeriod = 30
	totpIssuer = "Zhibu"
	// RecoveryCodeCount is how many single-use recovery codes an account gets.
	RecoveryCodeCount = 10
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPKey generates a fresh TOTP secret for an account.
func NewTOTPKey(username string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: username, Period: totpPeriod, SecretSize: 20, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// TOTPURI is the otpauth:// address of a secret, for authenticator apps.
func TOTPURI(username, secret string) string {
	return "otpauth://totp/" + totpIssuer + ":" + username + "?algorithm=SHA1&digits=6&issuer=" + totpIssuer + "&period=30&secret=" + secret
}

// ParseTOTPCode normalises a typed code: spaces removed, exactly 6 digits.
func ParseTOTPCode(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if len(s) != 6 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return "", false
		}
	}
	return s, true
}

// checkTOTP returns the time step a code matches (the current one or one
// either side, for clock drift) when that step is newer than lastStep, so
// that a code is never accepted twice.
func checkTOTP(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	step := now.Unix() / totpPeriod
	for _, d := range []int64{-1, 0, 1} {
		s := step + d
		if s <= lastStep {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newRecoveryCodes returns fresh recovery codes like "ABCDE-FGHIJ".
func newRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		s := recoveryEncoding.EncodeToString(b)[:10]
		out[i] = s[:5] + "-" + s[5:]
	}
	return out
}

// NormalizeRecoveryCode upper-cases a typed recovery code and drops
// spaces and dashes; ok is false unless 10 base32 characters remain.
func NormalizeRecoveryCode(s string) (string, bool) {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s)))
	if len(s) != 10 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '2' || c > '7') {
			return "", false
		}
	}
	return s, true
}

// hashRecoveryCode hashes a normalised recovery code. The codes carry 50
// random bits, so a plain SHA-256 is enough; no slow hash is needed.
func hashRecoveryCode(normalised string) []byte {
	h := sha256.Sum256([]byte("zhibu-recovery:" + normalised))
	return h[:]
}
