// Package pii protects personal data at rest: ID and phone numbers are
// sealed with SM4-GCM, looked up by a keyed SM3 hash, and shown masked.
package pii

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// KeySize is the length of a data key: 16 bytes for SM4, 16 for the hash.
const KeySize = 32

// Sealer encrypts, decrypts and hashes personal data with one data key.
type Sealer struct {
	aead    cipher.AEAD
	hashKey []byte
}

// ErrBadKey means the configured key is not 64 hex digits.
var ErrBadKey = errors.New("pii: the data key must be 64 hexadecimal digits (32 bytes)")

// ParseKey decodes a hex data key.
func ParseKey(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != KeySize {
		return nil, ErrBadKey
	}
	return b, nil
}

// NewKey returns a fresh random data key in hex.
func NewKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, ErrBadKey
	}
	block, err := sm4.NewCipher(key[:16])
	if err != nil {
		return nil, fmt.Errorf("pii: sm4: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("pii: gcm: %w", err)
	}
	return &Sealer{aead: aead, hashKey: append([]byte(nil), key[16:]...)}, nil
}

// Seal encrypts plaintext; an empty string seals to nil.
func (s *Sealer) Seal(plaintext string) []byte {
	if plaintext == "" {
		return nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	return s.aead.Seal(nonce, nonce, []byte(plaintext), nil)
}

// Open decrypts what Seal produced; nil opens to "".
func (s *Sealer) Open(sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", errors.New("pii: sealed value too short")
	}
	b, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return "", fmt.Errorf("pii: open: %w", err)
	}
	return string(b), nil
}

// Hash is the keyed SM3 hash used to find a record by an exact value
// without storing the value; nil for "".
func (s *Sealer) Hash(value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sm3.New, s.hashKey)
	m.Write([]byte(strings.ToUpper(value)))
	return m.Sum(nil)
}

// MaskIDNumber shows the first 3 and last 4 characters of an ID number.
func MaskIDNumber(v string) string {
	r := []rune(v)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskPhone shows the first 3 and last 4 digits of a phone number.
func MaskPhone(v string) string {
	r := []rune(v)
	if len(r) <= 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// Tail returns the last n characters, kept in clear for suffix search.
func Tail(v string, n int) string {
	r := []rune(v)
	if len(r) <= n {
		return string(r)
	}
	return string(r[len(r)-n:])
}
