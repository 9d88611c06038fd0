package server_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/dbtest"
	"zhibu/internal/ratelimit"
	"zhibu/internal/server"
)

func TestMetricsEndpoint(t *testing.T) {
	app := apptest.New(t)
	c := app.LoginDemo(t, "member")
	c.Get("/")
	c.Get("/no/such/page")
	r := c.Get("/metrics")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("metrics: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`zhibu_http_requests_total{route="/",method="GET",status="200"} 1`,
		`zhibu_http_requests_total{route="/login",method="POST",status="303"} 1`,
		"zhibu_db_pool_total_conns",
		"zhibu_http_request_duration_seconds_bucket",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestLoginRateLimitPerIPIsSharedByInstances(t *testing.T) {
	limit := func(d *server.Deps) { d.LoginLimit = 3; d.LoginWindow = time.Hour }
	app := apptest.New(t, limit)
	second := app.Second(t, limit)
	bad := url.Values{"username": {"nobody"}, "password": {"x"}}
	c1, c2 := app.Anon(t), second.Anon(t)
	statuses := []int{
		c1.PostForm("/login", bad).Status,
		c2.PostForm("/login", bad).Status,
		c1.PostForm("/login", bad).Status,
		c2.PostForm("/login", bad).Status,
	}
	want := []int{401, 401, 401, 429}
	for i := range want {
		if statuses[i] != want[i] {
			t.Errorf("attempt %d: %d, want %d (all: %v)", i+1, statuses[i], want[i], statuses)
		}
	}
	r := c1.PostForm("/login", url.Values{"username": {"member"}, "password": {"Zhibu@2026"}})
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Errorf("a right password over the limit: %d", r.Status)
	}
}

func TestSessionsWorkAcrossInstances(t *testing.T) {
	app := apptest.New(t)
	second := app.Second(t)
	c := app.Login(t, "secretary")
	other := second.Anon(t)
	other.WithCookiesOf(c, app.URL)
	if r := other.Get("/"); r.Status != http.StatusOK || r.TestID("home-role") != "支部书记" {
		t.Fatalf("second instance with the first's session: %d %q", r.Status, r.TestID("home-role"))
	}
	if r := other.PostForm("/logout", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("logout on the second: %d", r.Status)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("session still live on the first after logout on the second: %d", r.Status)
	}
}

func TestOversizedBodyIsRefused(t *testing.T) {
	app := apptest.New(t)
	c := app.Login(t, "secretary")
	big := strings.Repeat("字", 4<<20) // 12 MB of minutes text
	r := c.PostForm("/login", url.Values{"username": {"x"}, "password": {big}})
	if r.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("12 MB post: %d, want 413", r.Status)
	}
	if r := c.Get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("server unhealthy after a large post: %d", r.Status)
	}
}

func TestDatabaseOutageGives503AndRecovers(t *testing.T) {
	cl := dbtest.NewCluster(t)
	ctx := context.Background()
	if err := cl.EnsureDatabase(ctx, "zhibu"); err != nil {
		t.Fatal(err)
	}
	u := cl.URL("zhibu")
	if err := db.MigrateUp(u); err != nil {
		t.Fatal(err)
	}
	app := apptest.NewOnURL(t, u)
	hash, err := auth.HashPassword(ctx, "Outage-Test1!")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := app.Pool.QueryRow(ctx, `INSERT INTO accounts (username, password_hash, must_change_password) VALUES ('ops', $1, false) RETURNING id`, hash).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c := app.LoginWith(t, "ops", "Outage-Test1!")
	if r := c.Get("/"); r.Status != http.StatusOK {
		t.Fatalf("before the outage: %d", r.Status)
	}
	// The test cluster runs with synchronous_commit=off: flush before the crash.
	if _, err := app.Pool.Exec(ctx, "CHECKPOINT"); err != nil {
		t.Fatal(err)
	}
	if err := cl.StopNow(); err != nil {
		t.Fatal(err)
	}
	r := c.Get("/")
	if r.Status != http.StatusServiceUnavailable || r.TestID("error-page") == "" {
		t.Errorf("page during the outage: %d, want the 503 page", r.Status)
	}
	if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz during the outage: %d", r.Status)
	}
	if r := c.Get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("healthz during the outage: %d (the process is up)", r.Status)
	}
	if err := cl.StartAgain(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := c.Get("/")
		if r.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery after the database returned: %d", r.Status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := c.Get("/readyz"); r.Status != http.StatusOK {
		t.Errorf("readyz after recovery: %d", r.Status)
	}
}

// TestHugeImportIsRefusedAndChangesNothing posts a 100,000-row roster: it
// is refused with a clear page, no member is written, and the server goes
// on answering.
func TestHugeImportIsRefusedAndChangesNothing(t *testing.T) {
	app := apptest.New(t)
	ctx := context.Background()
	var before int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	var csv strings.Builder
	csv.WriteString("姓名,性别,出生日期,身份证号,人员类别\n")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&csv, "测试%d,女,1990-01-01,,入党申请人\n", i)
	}
	c := app.Login(t, "secretary")
	r := c.PostFile("/members/import", "roster.csv", []byte(csv.String()), nil)
	if r.Status != http.StatusRequestEntityTooLarge && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("100,000-row import: %d, want 413 or 422", r.Status)
	}
	if r.TestID("error-page") == "" && r.TestID("form-errors") == "" && !r.Has(".form-errors") {
		t.Error("the refusal shows no message")
	}
	var after int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members`).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("members %d → %d after a refused import", before, after)
	}
	if r := c.Get("/members"); r.Status != http.StatusOK {
		t.Errorf("roster after the refused import: %d", r.Status)
	}
}

// postLoginFrom posts a failed sign-in as if it came through a proxy that
// says the client is forwarded.
func postLoginFrom(t *testing.T, app *apptest.App, c *apptest.Client, forwarded string) int {
	t.Helper()
	bad := url.Values{"username": {"nobody"}, "password": {"x"}}
	req, err := http.NewRequest(http.MethodPost, app.URL+"/login", strings.NewReader(bad.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", app.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("X-Forwarded-For", forwarded)
	return c.Do(req).Status
}

func TestLoginRateLimitBehindATrustedProxyIsPerClient(t *testing.T) {
	// The test server listens on 127.0.0.1: that is the proxy.
	proxies, err := ratelimit.ParseProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	app := apptest.New(t, func(d *server.Deps) { d.LoginLimit = 2; d.LoginWindow = time.Hour; d.TrustedProxies = proxies })
	c := app.Anon(t)
	a := []int{postLoginFrom(t, app, c, "203.0.113.1"), postLoginFrom(t, app, c, "203.0.113.1"), postLoginFrom(t, app, c, "203.0.113.1")}
	if a[0] != 401 || a[1] != 401 || a[2] != http.StatusTooManyRequests {
		t.Errorf("client A: %v, want [401 401 429]", a)
	}
	if s := postLoginFrom(t, app, c, "203.0.113.2"); s != 401 {
		t.Errorf("client B behind the same proxy is limited with A: %d", s)
	}
	// The client's own header, left of what the proxy appended, does not
	// make a new client.
	if s := postLoginFrom(t, app, c, "198.51.100.1, 203.0.113.1"); s != http.StatusTooManyRequests {
		t.Errorf("A with a made-up hop in front escapes the limit: %d", s)
	}
	// The audit trail records the forwarded client, not the proxy.
	var ip string
	if err := app.Pool.QueryRow(context.Background(), `SELECT ip FROM audit_events WHERE action = 'login' ORDER BY id DESC LIMIT 1`).Scan(&ip); err != nil {
		t.Fatal(err)
	}
	if ip != "203.0.113.2" {
		t.Errorf("audit IP %q, want the forwarded client 203.0.113.2", ip)
	}
}

func TestSpoofedForwardedHeaderFromAnUntrustedPeerIsIgnored(t *testing.T) {
	// No trusted proxy configured; and then one that is not the peer.
	for _, proxies := range []string{"", "10.0.0.0/8"} {
		p, err := ratelimit.ParseProxies(proxies)
		if err != nil {
			t.Fatal(err)
		}
		app := apptest.New(t, func(d *server.Deps) { d.LoginLimit = 2; d.LoginWindow = time.Hour; d.TrustedProxies = p })
		c := app.Anon(t)
		got := []int{postLoginFrom(t, app, c, "203.0.113.1"), postLoginFrom(t, app, c, "203.0.113.2"), postLoginFrom(t, app, c, "203.0.113.3")}
		if got[2] != http.StatusTooManyRequests {
			t.Errorf("proxies %q: a new X-Forwarded-For each time escapes the limit: %v", proxies, got)
		}
	}
}
