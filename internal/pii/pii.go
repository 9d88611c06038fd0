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

// Sealer encrypts, decrypts and hashes personal data with the current
// data key; while a key rotation runs (zhibu rekey) it also opens what the
// previous key sealed.
type Sealer struct {
	keySet
	previous []keySet
}

// keySet is what one data key gives: the SM4-GCM cipher and the hash key.
type keySet struct {
	aead    cipher.AEAD
	hashKey []byte
	id      string
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

// New returns a Sealer for a 32-byte key and, during a key rotation, the
// previous keys whose sealed values it still opens (and whose hashes
// Hashes still returns).
func New(key []byte, previous ...[]byte) (*Sealer, error) {
	cur, err := newKeySet(key)
	if err != nil {
		return nil, err
	}
	s := &Sealer{keySet: cur}
	for _, k := range previous {
		ks, err := newKeySet(k)
		if err != nil {
			return nil, err
		}
		if ks.id == cur.id {
			return nil, errors.New("pii: the previous data key is the current one")
		}
		s.previous = append(s.previous, ks)
	}
	return s, nil
}

func newKeySet(key []byte) (keySet, error) {
	if len(key) != KeySize {
		return keySet{}, ErrBadKey
	}
	block, err := sm4.NewCipher(key[:16])
	if err != nil {
		return keySet{}, fmt.Errorf("pii: sm4: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keySet{}, fmt.Errorf("pii: gcm: %w", err)
	}
	return keySet{aead: aead, hashKey: append([]byte(nil), key[16:]...), id: keyID(key)}, nil
}

// keyID names a key without revealing it: the first 8 bytes of its SM3
// digest under a fixed label, in hex.
func keyID(key []byte) string {
	m := hmac.New(sm3.New, []byte("zhibu data key id"))
	m.Write(key)
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// KeyID names the current key (for logs and the audit trail; it reveals
// nothing of the key).
func (s *Sealer) KeyID() string { return s.id }

// Rotating reports whether the sealer also holds previous keys.
func (s *Sealer) Rotating() bool { return len(s.previous) > 0 }

// Current returns a sealer with the current key alone: what remains once
// a rotation has finished.
func (s *Sealer) Current() *Sealer { return &Sealer{keySet: s.keySet} }

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

// ErrNoKeyOpens means a sealed value opens under none of the sealer's keys:
// it was sealed under a key that is not configured.
var ErrNoKeyOpens = errors.New("pii: open: the value opens under none of the configured data keys")

// Open decrypts what Seal produced, under the current key or a previous
// one; nil opens to "".
func (s *Sealer) Open(sealed []byte) (string, error) {
	v, _, err := s.OpenKey(sealed)
	return v, err
}

// OpenKey is Open that also reports whether the value was sealed under the
// current key (false: under a previous one, so a rotation must reseal it).
// nil opens to "" under the current key.
func (s *Sealer) OpenKey(sealed []byte) (value string, current bool, err error) {
	if len(sealed) == 0 {
		return "", true, nil
	}
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return "", false, errors.New("pii: sealed value too short")
	}
	if b, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil); err == nil {
		return string(b), true, nil
	}
	for _, p := range s.previous {
		if b, err := p.aead.Open(nil, sealed[:n], sealed[n:], nil); err == nil {
			return string(b), false, nil
		}
	}
	return "", false, ErrNoKeyOpens
}

// Hash is the keyed SM3 hash used to find a record by an exact value
// without storing the value; nil for "". It is the current key's.
func (s *Sealer) Hash(value string) []byte {
	return s.keySet.hash(value)
}

// Hashes returns the value's hash under the current key, then under each
// previous key: during a rotation a record not yet resealed still carries
// the previous key's hash, so lookups match any of these. nil for "".
func (s *Sealer) Hashes(value string) [][]byte {
	if value == "" {
		return nil
	}
	out := [][]byte{s.Hash(value)}
	for _, p := range s.previous {
		out = append(out, p.hash(value))
	}
	return out
}

func (k keySet) hash(value string) []byte {
	if value == "" {
		return nil
	}
	m := hmac.New(sm3.New, k.hashKey)
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
