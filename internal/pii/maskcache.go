package pii

import "sync"

// MaskCache keeps the masked display forms of sealed values, keyed by the
// sealed bytes themselves, so that a page listing many members does not
// open (decrypt) every number on every request: a roster page of 50
// members opened 100 numbers, about 110 µs of CPU a page
// (docs/performance.md). A sealed value never changes (a new number is
// sealed with a fresh nonce into new bytes), so an entry needs no
// invalidation; what it holds is only what every page shows (the masked
// form), never a number in clear. The cache is bounded: once it holds
// max entries it starts again empty. The zero value is not usable; make
// one with NewMaskCache.
type MaskCache struct {
	mask func(string) string
	max  int
	mu   sync.RWMutex
	m    map[string]string
}

// NewMaskCache returns a cache of mask applied to opened values, holding
// at most max entries.
func NewMaskCache(mask func(string) string, max int) *MaskCache {
	return &MaskCache{mask: mask, max: max, m: make(map[string]string)}
}

// Masked returns mask of the opened value: "" for nil or a value that
// opens under none of the sealer's keys (which is not kept, so that it
// opens once the key is configured).
func (c *MaskCache) Masked(s *Sealer, sealed []byte) string {
	if len(sealed) == 0 {
		return ""
	}
	c.mu.RLock()
	v, ok := c.m[string(sealed)]
	c.mu.RUnlock()
	if ok {
		return v
	}
	opened, err := s.Open(sealed)
	if err != nil || opened == "" {
		return ""
	}
	v = c.mask(opened)
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = make(map[string]string)
	}
	c.m[string(sealed)] = v
	c.mu.Unlock()
	return v
}
