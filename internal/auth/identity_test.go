package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// frozen is a clock that moves only when told.
type frozen struct {
	mu sync.Mutex
	t  time.Time
}

func (f *frozen) now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *frozen) add(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// identityFixture is an account with a session, and a session store whose
// clock stands still unless moved.
func identityFixture(t *testing.T) (ctx context.Context, s *Sessions, clock *frozen, token string, id int64, url string) {
	t.Helper()
	ctx = context.Background()
	url = dbtest.NewURL(t)
	pool, err := db.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := pool.QueryRow(ctx, `INSERT INTO accounts (username, display_name, password_hash, must_change_password) VALUES ('cached', '旧名', 'x', false) RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO account_roles (account_id, role) VALUES ($1, 'auditadmin')`, id); err != nil {
		t.Fatal(err)
	}
	clock = &frozen{t: time.Now()}
	s = NewSessions(pool, DefaultSessionPolicy)
	s.now = clock.now
	token, err = s.Create(ctx, id, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return ctx, s, clock, token, id, url
}

// Without a notification (no listener), a change made elsewhere is seen
// once the entry is a second old, not before.
func TestIdentityCacheIsStaleAtMostASecond(t *testing.T) {
	t.Parallel()
	ctx, s, clock, token, id, _ := identityFixture(t)
	c := NewIdentityCache()
	c.Trust()
	s.WithCache(c)
	if u, err := s.LookupUser(ctx, token); err != nil || u.DisplayName != "旧名" || !u.Has(RoleAuditAdmin) {
		t.Fatalf("first lookup: %+v, %v", u, err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE accounts SET display_name = '新名' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	clock.add(IdentityTTL - time.Millisecond)
	if u, err := s.LookupUser(ctx, token); err != nil || u.DisplayName != "旧名" {
		t.Fatalf("within the second: %+v, %v (want the cached name)", u, err)
	}
	clock.add(time.Millisecond)
	if u, err := s.LookupUser(ctx, token); err != nil || u.DisplayName != "新名" {
		t.Fatalf("after a second: %+v, %v (want the new name)", u, err)
	}
	if st := c.Stats(); st.Hits != 1 || st.Misses != 2 {
		t.Errorf("hits %d, misses %d; want 1 and 2", st.Hits, st.Misses)
	}
	// Each request gets its own copy: changing it changes nothing cached.
	u, _ := s.LookupUser(ctx, token)
	u.Grants[0].Role = RoleSysAdmin
	if again, _ := s.LookupUser(ctx, token); !again.Has(RoleAuditAdmin) || again.Has(RoleSysAdmin) {
		t.Errorf("a request's change of its user leaked into the cache: %+v", again.Grants)
	}
}

// With the listener, a change made in SQL by anyone reaches the cache
// through NOTIFY while the clock stands still: roles, disabling, ended
// sessions.
func TestIdentityCacheFollowsNotify(t *testing.T) {
	t.Parallel()
	ctx, s, _, token, id, url := identityFixture(t)
	c := NewIdentityCache()
	lctx, cancel := context.WithCancel(ctx)
	ready, done := make(chan struct{}), make(chan struct{})
	go func() { ListenIdentity(lctx, url, c, ready, slog.New(slog.DiscardHandler)); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	<-ready
	s.WithCache(c)
	// eventually waits (the clock frozen: only a notification can help)
	// until check passes.
	eventually := func(what string, check func(*User, error) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			u, err := s.LookupUser(ctx, token)
			if check(u, err) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not seen after 5 s: %+v, %v", what, u, err)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	if u, err := s.LookupUser(ctx, token); err != nil || !u.Has(RoleAuditAdmin) {
		t.Fatalf("first lookup: %+v, %v", u, err)
	}
	if u, _ := s.LookupUser(ctx, token); u == nil || c.Stats().Hits != 1 {
		t.Fatalf("second lookup not from the cache: %+v", c.Stats())
	}
	if _, err := s.pool.Exec(ctx, `UPDATE account_roles SET role = 'secadmin' WHERE account_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	eventually("a changed role", func(u *User, err error) bool { return err == nil && u.Has(RoleSecAdmin) && !u.Has(RoleAuditAdmin) })
	if _, err := s.pool.Exec(ctx, `UPDATE security_settings SET password_max_age_days = 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE accounts SET password_changed_at = now() - interval '2 days' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	eventually("an expired password", func(u *User, err error) bool { return err == nil && u.MustChangePassword })
	if _, err := s.pool.Exec(ctx, `UPDATE accounts SET disabled_at = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	eventually("a disabled account", func(_ *User, err error) bool { return errors.Is(err, errNoSession) })
	if _, err := s.pool.Exec(ctx, `UPDATE accounts SET disabled_at = NULL WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	eventually("enabled again", func(u *User, err error) bool { return err == nil })
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE account_id = $1`, id); err != nil {
		t.Fatal(err)
	}
	eventually("an ended session", func(_ *User, err error) bool { return errors.Is(err, errNoSession) })
}

// Entries of sessions not seen again do not pile up: once the map is
// large, those past their second are swept.
func TestIdentityCacheSweepsOldEntries(t *testing.T) {
	t.Parallel()
	c := NewIdentityCache()
	c.Trust()
	start := time.Now()
	u := &User{AccountID: 1}
	for i := range 3000 {
		var key [32]byte
		key[0], key[1] = byte(i), byte(i>>8)
		// Every entry is put a second after the one before it.
		c.put(key, u, start, start.Add(time.Hour), start.Add(time.Duration(i)*time.Second), c.gen)
	}
	if n := c.Stats().Entries; n > 2048 {
		t.Errorf("%d entries kept of 3000 sessions each seen once, long ago", n)
	}
}
