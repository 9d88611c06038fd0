package pii

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckIDNumber(t *testing.T) {
	cases := []struct {
		id, problem string
	}{
		{"11010519491231002X", ""},
		{"11010519491231002x", ""},
		{"110105194912310021", IDBadCheck},
		{"11010519491231002", IDBadLength},
		{"1101051949123100ZX", IDBadChars},
		{"11010519491331002X", IDBadCheck},
	}
	for _, c := range cases {
		_, got := CheckIDNumber(c.id)
		if got != c.problem {
			t.Errorf("%s: got %q, want %q", c.id, got, c.problem)
		}
	}
	birth, _ := CheckIDNumber("11010519491231002X")
	if !birth.Equal(time.Date(1949, 12, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("birth %v", birth)
	}
}

func TestMakeIDNumberIsValid(t *testing.T) {
	for seq := 0; seq < 1000; seq += 37 {
		id := MakeIDNumber("370102", time.Date(1985, 6, 15, 0, 0, 0, 0, time.UTC), seq)
		if _, p := CheckIDNumber(id); p != "" {
			t.Errorf("%s: %s", id, p)
		}
	}
	// An impossible birth date is refused even with a correct check digit.
	s := "370102" + "19850230" + "123"
	c, _ := IDCheckDigit(s)
	if _, p := CheckIDNumber(s + string(c)); p != IDBadBirth {
		t.Errorf("30 February: %q", p)
	}
}

func TestSealRoundTripAndHash(t *testing.T) {
	key, err := ParseKey(NewKey())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal("11010519491231002X")
	if bytes.Contains(sealed, []byte("19491231")) {
		t.Fatal("sealed value contains the plain text")
	}
	if got, err := s.Open(sealed); err != nil || got != "11010519491231002X" {
		t.Fatalf("open: %q %v", got, err)
	}
	if bytes.Equal(s.Seal("x"), s.Seal("x")) {
		t.Error("two seals of one value are equal: nonce reused")
	}
	if !bytes.Equal(s.Hash("11010519491231002x"), s.Hash("11010519491231002X")) {
		t.Error("hash is case-sensitive on the check character")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := s.Open(sealed); err == nil {
		t.Error("a tampered value opened")
	}
	other, _ := New(bytes.Repeat([]byte{7}, KeySize))
	if bytes.Equal(other.Hash("a"), s.Hash("a")) {
		t.Error("hash does not depend on the key")
	}
	if _, err := ParseKey("abc"); err == nil {
		t.Error("short key accepted")
	}
}

func TestMasks(t *testing.T) {
	if got := MaskIDNumber("11010519491231002X"); got != "110***********002X" || strings.Count(got, "*") != 11 {
		t.Errorf("id mask %q", got)
	}
	if got := MaskPhone("13912345678"); got != "139****5678" {
		t.Errorf("phone mask %q", got)
	}
}

func TestRotatingSealer(t *testing.T) {
	oldKey, newKey := bytes.Repeat([]byte{1}, KeySize), bytes.Repeat([]byte{2}, KeySize)
	old, _ := New(oldKey)
	s, err := New(newKey, oldKey)
	if err != nil {
		t.Fatal(err)
	}
	underOld := old.Seal("13912345678")
	if v, current, err := s.OpenKey(underOld); err != nil || current || v != "13912345678" {
		t.Errorf("a value under the previous key: %q current=%v %v", v, current, err)
	}
	if v, current, err := s.OpenKey(s.Seal("x")); err != nil || !current || v != "x" {
		t.Errorf("a value under the current key: %q current=%v %v", v, current, err)
	}
	if _, err := old.Open(s.Seal("x")); err == nil {
		t.Error("a rotating sealer sealed under the previous key")
	}
	if _, err := s.Current().Open(underOld); !errors.Is(err, ErrNoKeyOpens) {
		t.Errorf("the current key alone opened the previous key's value: %v", err)
	}
	if h := s.Hashes("a"); len(h) != 2 || !bytes.Equal(h[0], s.Hash("a")) || !bytes.Equal(h[1], old.Hash("a")) {
		t.Errorf("hashes: %x", h)
	}
	if s.KeyID() == old.KeyID() || s.KeyID() != s.Current().KeyID() || len(s.KeyID()) != 16 {
		t.Errorf("key ids %q %q", s.KeyID(), old.KeyID())
	}
	if _, err := New(newKey, newKey); err == nil {
		t.Error("the same key as current and previous accepted")
	}
}
