package ratelimit

import (
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestLimitAndWindowFollowTheSettings(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		limit  int
		window time.Duration
	}{{2, time.Minute}, {5, time.Hour}} {
		l := New(pool, "t"+strconv.Itoa(tc.limit), tc.limit, tc.window)
		now := clock
		l.now = func() time.Time { return now }
		for i := 1; i <= tc.limit+1; i++ {
			ok, err := l.Allow(ctx, "1.2.3.4")
			if err != nil {
				t.Fatal(err)
			}
			if ok != (i <= tc.limit) {
				t.Errorf("limit %d: attempt %d allowed=%v", tc.limit, i, ok)
			}
		}
		now = clock.Add(tc.window - time.Second)
		if ok, _ := l.Allow(ctx, "1.2.3.4"); ok {
			t.Errorf("limit %d: allowed again inside the %v window", tc.limit, tc.window)
		}
		now = clock.Add(tc.window)
		if ok, _ := l.Allow(ctx, "1.2.3.4"); !ok {
			t.Errorf("limit %d: still refused in the next %v window", tc.limit, tc.window)
		}
	}
}

// On a clock of microsecond resolution every reading ends in 000, so a
// clean-up keyed on the clock's digits ran on every call.
func TestCleanUpIsARareDrawWhateverTheClock(t *testing.T) {
	pool := dbtest.New(t)
	ctx := context.Background()
	l := New(pool, "sweep", 10, time.Minute)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	l.now = func() time.Time { now = now.Add(time.Microsecond); return now }
	rng := rand.New(rand.NewPCG(1, 2))
	l.sweep = func() bool { return rng.IntN(sweepOneIn) == 0 }
	if New(pool, "x", 1, time.Minute).sweep == nil {
		t.Fatal("New leaves the clean-up draw unset")
	}
	const calls = 1000
	sweeps := 0
	for i := range calls {
		if _, err := pool.Exec(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES ('old', $1, 1) ON CONFLICT DO NOTHING`, now.Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Allow(ctx, "k"+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM rate_limits WHERE key = 'old'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			sweeps++
		}
	}
	if sweeps == 0 || sweeps > calls/20 {
		t.Errorf("clean-up ran %d times in %d calls; want about 1 in %d", sweeps, calls, sweepOneIn)
	}
}

func TestClientIPBehindTrustedProxies(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8, 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseProxies("10.0.0.0/8,nonsense"); err == nil {
		t.Error("a bad proxy address is accepted")
	}
	for _, tc := range []struct {
		name, remote, xff, realIP, want string
		p                               Proxies
	}{
		{"no proxy configured: header ignored", "10.1.1.1:5000", "203.0.113.9", "", "10.1.1.1", nil},
		{"untrusted peer: spoofed header ignored", "198.51.100.7:5000", "203.0.113.9", "203.0.113.10", "198.51.100.7", proxies},
		{"trusted proxy: the forwarded client", "10.1.1.1:5000", "203.0.113.9", "", "203.0.113.9", proxies},
		{"client-written hops left of the real one are ignored", "10.1.1.1:5000", "1.1.1.1, 203.0.113.9", "", "203.0.113.9", proxies},
		{"chain of trusted proxies", "10.1.1.1:5000", "203.0.113.9, 192.168.1.5, 10.2.2.2", "", "203.0.113.9", proxies},
		{"X-Real-IP when there is no X-Forwarded-For", "192.168.1.5:5000", "", "203.0.113.11", "203.0.113.11", proxies},
		{"garbage header: the connection", "10.1.1.1:5000", "not-an-ip", "", "10.1.1.1", proxies},
		{"IPv6 client", "10.1.1.1:5000", "2001:db8::1", "", "2001:db8::1", proxies},
	} {
		r := httptest.NewRequest("POST", "/login", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if tc.realIP != "" {
			r.Header.Set("X-Real-IP", tc.realIP)
		}
		if got := tc.p.ClientIP(r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
