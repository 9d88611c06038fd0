package auth

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"zhibu/internal/db"
)

// IdentityChannel is the NOTIFY channel on which migration 000340's
// triggers name the account whose sign-in state changed (roles, password,
// lock, disabling, language, ended sessions), or '*' for all of them.
const IdentityChannel = "zhibu_identity"

// IdentityTTL is how long an instance keeps a session's identity without
// asking the database: the bound on staleness when a notification is
// missed (the listener reconnecting, a partitioned network).
const IdentityTTL = time.Second

// IdentityCache keeps, per instance, the signed-in identity of each live
// session token (its account, roles and sign-in flags) for at most
// IdentityTTL, so that a signed-in request does not read the session, the
// account and its roles again on every page. Every instance LISTENs to
// IdentityChannel (ListenIdentity) and drops an account's entries as soon
// as its state changes anywhere; when its listener is down it keeps
// nothing, and an entry older than the TTL is read again, so a change is
// seen within a second even if a notification was missed.
//
// An entry is only ever stored by a lookup that began after the last
// invalidation (a generation count): a lookup that raced with a change
// cannot put the old state back.
type IdentityCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[[sha256.Size]byte]*identity
	gen     uint64
	// listening: a listener is connected; without one nothing is kept
	// (ListenIdentity sets it), unless trusted (Trust: the TTL alone).
	listening, trusted bool
	// sweepAt: when the map reaches this size, entries past their second
	// are removed (sessions not seen again would otherwise stay).
	sweepAt int

	hits, misses, flushes atomic.Uint64
}

type identity struct {
	user      User // a copy: every request gets its own copy again
	lastSeen  time.Time
	expiresAt time.Time
	at        time.Time
}

// NewIdentityCache returns an empty cache that keeps nothing until a
// listener is connected (ListenIdentity) or Trust is called.
func NewIdentityCache() *IdentityCache {
	return &IdentityCache{ttl: IdentityTTL, entries: map[[sha256.Size]byte]*identity{}, sweepAt: 1024}
}

// Trust lets the cache keep entries without a listener (their TTL alone
// bounds how stale they get): for benchmarks and tests.
func (c *IdentityCache) Trust() {
	c.mu.Lock()
	c.trusted = true
	c.mu.Unlock()
}

// get returns a copy of the cached identity of a token hash, with the
// session's last-seen time, when it is fresh and the session is live.
// gen is the generation to pass to put after a miss.
func (c *IdentityCache) get(key [sha256.Size]byte, now time.Time, idle time.Duration) (u *User, lastSeen time.Time, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	gen = c.gen
	e := c.entries[key]
	if e == nil || now.Sub(e.at) >= c.ttl || !now.Before(e.expiresAt) || !e.lastSeen.After(now.Add(-idle)) {
		if e != nil {
			delete(c.entries, key)
		}
		c.misses.Add(1)
		return nil, time.Time{}, gen, false
	}
	c.hits.Add(1)
	cp := e.user
	cp.Grants = slices.Clone(e.user.Grants)
	return &cp, e.lastSeen, gen, true
}

// put stores an identity read from the database by a lookup that began
// at generation gen, unless something was invalidated since.
func (c *IdentityCache) put(key [sha256.Size]byte, u *User, lastSeen, expiresAt, at time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !(c.listening || c.trusted) || c.gen != gen {
		return
	}
	if len(c.entries) >= c.sweepAt {
		for k, e := range c.entries {
			if at.Sub(e.at) >= c.ttl {
				delete(c.entries, k)
			}
		}
		c.sweepAt = max(1024, 2*len(c.entries))
	}
	cp := *u
	cp.Grants = slices.Clone(u.Grants)
	c.entries[key] = &identity{user: cp, lastSeen: lastSeen, expiresAt: expiresAt, at: at}
}

// touched records a refreshed idle timer.
func (c *IdentityCache) touched(key [sha256.Size]byte, lastSeen time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		e.lastSeen = lastSeen
	}
}

// forgetToken drops one session's entry (it was ended here).
func (c *IdentityCache) forgetToken(key [sha256.Size]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.entries, key)
}

// InvalidateAccount drops every entry of the account.
func (c *IdentityCache) InvalidateAccount(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k, e := range c.entries {
		if e.user.AccountID == id {
			delete(c.entries, k)
		}
	}
}

// Flush drops every entry.
func (c *IdentityCache) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
	c.flushes.Add(1)
}

// handle applies one notification: an account id, or '*' for all.
func (c *IdentityCache) handle(payload string) {
	if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
		c.InvalidateAccount(id)
		return
	}
	c.Flush()
}

// IdentityStats are the cache's counters, for /metrics and the status page.
type IdentityStats struct {
	Hits, Misses, Flushes uint64
	Entries               int
	Listening             bool
}

// Stats returns the counters.
func (c *IdentityCache) Stats() IdentityStats {
	if c == nil {
		return IdentityStats{}
	}
	c.mu.Lock()
	n, l := len(c.entries), c.listening
	c.mu.Unlock()
	return IdentityStats{Hits: c.hits.Load(), Misses: c.misses.Load(), Flushes: c.flushes.Load(), Entries: n, Listening: l}
}

// ListenIdentity keeps the cache in step with IdentityChannel over a
// direct connection to the primary (url: DATABASE_DIRECT_URL, or
// DATABASE_URL when no pooler stands between), until ctx ends. While the
// connection is down the cache keeps nothing. ready, when not nil, is
// closed once the first LISTEN is in place.
func ListenIdentity(ctx context.Context, url string, c *IdentityCache, ready chan<- struct{}, logger *slog.Logger) {
	setListening := func(on bool) {
		c.mu.Lock()
		c.listening = on
		c.mu.Unlock()
		c.Flush() // whatever was kept may have missed a notification
	}
	connected := func() {
		setListening(true)
		if ready != nil {
			close(ready)
			ready = nil
		}
	}
	db.Listen(ctx, url, []string{IdentityChannel}, func(_, payload string) { c.handle(payload) }, connected, func() { setListening(false) }, logger)
	setListening(false)
}
