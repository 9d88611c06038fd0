package db

import (
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

func TestParseLSN(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0/0", "16/B374D848", "FFFFFFFF/FFFFFFFF"} {
		l, err := ParseLSN(s)
		if err != nil || l.String() != s {
			t.Errorf("ParseLSN(%q) = %v, %v", s, l, err)
		}
	}
	if a, b := mustLSN(t, "1/0"), mustLSN(t, "0/FFFFFFFF"); a <= b {
		t.Errorf("1/0 must come after 0/FFFFFFFF")
	}
	for _, bad := range []string{"", "12", "x/1", "1/x", "1/100000000"} {
		if _, err := ParseLSN(bad); err == nil {
			t.Errorf("ParseLSN(%q) accepted", bad)
		}
	}
}

func mustLSN(t *testing.T, s string) LSN {
	t.Helper()
	l, err := ParseLSN(s)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// A GET reads a replica only when it is up, has replayed the person's
// last write (the cookie) and is within MaxLag; else the primary. The
// choice is made once, when the page first asks.
func TestRouterChoosesAReplicaThatHasTheWrite(t *testing.T) {
	t.Parallel()
	primary, replica := &pgxpool.Pool{}, &pgxpool.Pool{}
	rep := &Replica{Name: "replica-1", Pool: replica}
	r := NewRouter(primary, rep)
	set := func(up bool, replay string, lag time.Duration) {
		rep.up.Store(up)
		rep.replay.Store(uint64(mustLSN(t, replay)))
		rep.lagSeconds.Store(math.Float64bits(lag.Seconds()))
	}
	var got *pgxpool.Pool
	h := r.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) {
		got = ReadPool(req.Context(), primary)
		if again := ReadPool(req.Context(), primary); again != got {
			t.Error("a second ask chose again")
		}
	}))
	get := func(cookie string) *pgxpool.Pool {
		req := httptest.NewRequest(http.MethodGet, "/review", nil)
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: WALCookie, Value: cookie})
		}
		h.ServeHTTP(httptest.NewRecorder(), req)
		return got
	}
	for _, c := range []struct {
		up     bool
		replay string
		lag    time.Duration
		cookie string
		want   *pgxpool.Pool
		why    string
	}{
		{true, "0/5000", 0, "", replica, "no write of one's own"},
		{true, "0/5000", 0, "0/5000", replica, "replayed exactly to the write"},
		{true, "0/5000", 0, "0/5001", primary, "one byte short of the write"},
		{true, "1/0", 0, "0/FFFFFFFF", replica, "past the write, across the 4 GB boundary"},
		{true, "0/5000", 0, "garbage", replica, "a cookie that is no position"},
		{false, "0/5000", 0, "", primary, "replica down"},
		{true, "0/5000", 31 * time.Second, "", primary, "more than MaxLag behind"},
		{true, "0/5000", 30 * time.Second, "", replica, "exactly MaxLag behind"},
	} {
		set(c.up, c.replay, c.lag)
		if g := get(c.cookie); g != c.want {
			t.Errorf("%s: read from the %s", c.why, map[bool]string{true: "primary", false: "replica"}[g == primary])
		}
	}
	// A POST never reads a replica.
	set(true, "0/5000", 0)
	h2 := r.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, req *http.Request) { got = ReadPool(req.Context(), nil) }))
	h2.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/x", nil))
	if got != primary {
		t.Error("a POST read from the replica")
	}
}
