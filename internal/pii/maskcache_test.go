package pii

import "testing"

func TestMaskCache(t *testing.T) {
	t.Parallel()
	s, err := New(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	other, err := New(append([]byte{1}, make([]byte, KeySize-1)...))
	if err != nil {
		t.Fatal(err)
	}
	c := NewMaskCache(MaskIDNumber, 2)
	a, b := s.Seal("11010519491231002X"), s.Seal("110105194912310037")
	for range 2 { // the second time from the cache
		if got := c.Masked(s, a); got != "110***********002X" {
			t.Errorf("a: %q", got)
		}
	}
	if got := c.Masked(s, nil); got != "" {
		t.Errorf("nil: %q", got)
	}
	// A value that opens under none of the keys shows nothing and is not
	// kept: under the right key it opens.
	foreign := other.Seal("13800138000")
	if got := c.Masked(s, foreign); got != "" {
		t.Errorf("foreign: %q", got)
	}
	if got := c.Masked(other, foreign); got != "138****8000" {
		t.Errorf("foreign under its key: %q", got)
	}
	// Bounded: a third entry starts the cache again.
	if got := c.Masked(s, b); got != "110***********0037" {
		t.Errorf("b: %q", got)
	}
	c.mu.RLock()
	n := len(c.m)
	c.mu.RUnlock()
	if n > 2 {
		t.Errorf("%d entries kept, at most 2", n)
	}
}
