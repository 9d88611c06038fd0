package app

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/dbtest"
)

// Issue 24: zhibu serve behind PgBouncer in transaction mode
// (ZHIBU_PGBOUNCER=1) with DATABASE_DIRECT_URL for what needs a session
// (migrations, LISTEN, the job queue) and a read URL: it migrates, loads
// the demo through the pooler, signs a person in, and its identity cache
// listens on the direct connection.
func TestServeBehindPgBouncer(t *testing.T) {
	t.Parallel()
	bouncer := dbtest.PgBouncer(t, 2)
	direct := dbtest.EmptyURL(t)
	env := envOf(map[string]string{
		"DATABASE_URL": bouncer.URL(dbtest.DatabaseOf(t, direct)), "DATABASE_DIRECT_URL": direct, "ZHIBU_PGBOUNCER": "1",
		"DATABASE_READ_URL": direct, "ZHIBU_ADDR": "127.0.0.1:0", "ZHIBU_DATA_DIR": t.TempDir(),
		"ZHIBU_SEED_DEMO": "1", "ZHIBU_LOG_LEVEL": "error",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, env, pw, io.Discard)
		pw.Close()
	}()
	var base string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "Zhibu is serving at "); ok {
			base = strings.TrimSuffix(addr, "/")
			break
		}
	}
	if base == "" {
		t.Fatalf("server did not start: %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {"secretary"}, "password": {"Zhibu@2026"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res, err := c.Do(req)
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in behind pgbouncer: %v %v", res, err)
	}
	res.Body.Close()
	for _, p := range []string{"/", "/meetings", "/members", "/inbox"} {
		res, err := c.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := c.Get(base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := string(b)
		if strings.Contains(m, "zhibu_identity_cache_listening 1") && strings.Contains(m, `zhibu_db_replica_up{replica="replica-1"} 0`) {
			break // the read URL is the primary itself: not replaying, so not read from
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics after 10 s:\n%s", m)
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}
