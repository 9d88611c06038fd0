package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestHealthEndpoints(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	c := app.Anon(t)
	if r := c.Get("/healthz"); r.Status != http.StatusOK || strings.TrimSpace(r.Body) != "ok" {
		t.Errorf("healthz: %d %q", r.Status, r.Body)
	}
	if r := c.Get("/readyz"); r.Status != http.StatusOK || strings.TrimSpace(r.Body) != "ready" {
		t.Errorf("readyz: %d %q", r.Status, r.Body)
	}
	app.Pool.Close() // the database is gone for this server
	if r := c.Get("/readyz"); r.Status != http.StatusServiceUnavailable {
		t.Errorf("readyz with the pool closed: %d, want 503", r.Status)
	}
}

func TestLoginSucceedsForEveryDemoUser(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	for _, tc := range []struct{ user, role string }{
		{"admin", "系统管理员"}, {"reviewer", "机关党委督查"}, {"secretary", "支部书记"}, {"member", "党员"},
		{"security", "安全管理员"}, {"auditor", "审计管理员"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			c := app.Anon(t)
			r := c.PostForm("/login", url.Values{"username": {tc.user}, "password": {"Zhibu@2026"}})
			if r.Status != http.StatusSeeOther || r.Location != "/" {
				t.Fatalf("login: %d to %q, want 303 to /", r.Status, r.Location)
			}
			home := c.Get("/")
			if home.Status != http.StatusOK {
				t.Fatalf("home: %d", home.Status)
			}
			if got := home.TestID("home-role"); got != tc.role {
				t.Errorf("home role: %q, want %q", got, tc.role)
			}
			if home.TestID("demo-banner") == "" {
				t.Error("a demo account sees no demo banner")
			}
		})
	}
}

func TestLoginFailsWithTheSameAnswer(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Anon(t)
	wrong := c.PostForm("/login", url.Values{"username": {"secretary"}, "password": {"wrong-Password1!"}})
	unknown := c.PostForm("/login", url.Values{"username": {"nobody"}, "password": {"wrong-Password1!"}})
	for name, r := range map[string]*apptest.Response{"wrong password": wrong, "unknown user": unknown} {
		if r.Status != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401", name, r.Status)
		}
		if r.TestID("login-error") != "用户名或密码错误，或账户暂时无法登录。" {
			t.Errorf("%s: message %q", name, r.TestID("login-error"))
		}
		if r.Header.Get("Set-Cookie") != "" && strings.Contains(r.Header.Get("Set-Cookie"), "zhibu_session=") {
			t.Errorf("%s: a session cookie was set", name)
		}
	}
	if got := wrong.Doc().Find(`input[name="username"]`).AttrOr("value", ""); got != "secretary" {
		t.Errorf("the username typed is not kept: %q", got)
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'login' AND outcome = 'failed'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("failed logins audited: %d (%v), want 2", n, err)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("home after failed login: %d %q, want a redirect to /login", r.Status, r.Location)
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	if r := c.PostForm("/logout", nil); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("logout: %d %q", r.Status, r.Location)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("home after logout: %d, want 303 to the sign-in page", r.Status)
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sessions`).Scan(&n); err != nil || n != 0 {
		t.Errorf("sessions left after logout: %d (%v)", n, err)
	}
}

func TestErrorPages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	r := c.Get("/no/such/page")
	if r.Status != http.StatusNotFound || r.TestID("error-page") == "" {
		t.Fatalf("404: status %d", r.Status)
	}
	if r.TestID("request-id") == "" {
		t.Error("404 page shows no request id")
	}
	// Unauthenticated posts get 401, never a redirect.
	if r := app.Anon(t).PostForm("/logout", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("anonymous post: %d, want 401", r.Status)
	}
	if r := c.Do(mustRequest(t, http.MethodDelete, app.URL+"/")); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("DELETE /: %d, want 405", r.Status)
	}
}

func TestCrossSitePostIsRefused(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Anon(t)
	req := mustRequest(t, http.MethodPost, app.URL+"/login")
	req.Body = http.NoBody
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "http://evil.example")
	if r := c.Do(req); r.Status != http.StatusForbidden {
		t.Errorf("cross-site post: %d, want 403", r.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	r := app.Anon(t).Get("/login")
	want := map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "same-origin",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP: %q", csp)
	}
}

func TestStaticAssetsAreHashedAndCached(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	c := app.Anon(t)
	page := c.Get("/login")
	href, ok := page.Doc().Find(`link[rel="stylesheet"]`).Attr("href")
	if !ok || !strings.HasPrefix(href, "/static/app.") || href == "/static/app.css" {
		t.Fatalf("stylesheet href %q is not content-hashed", href)
	}
	css := c.Get(href)
	if css.Status != http.StatusOK || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("css: %d %q", css.Status, css.Header.Get("Cache-Control"))
	}
	if r := c.Get("/static/app.css"); r.Status != http.StatusNotFound {
		t.Errorf("unhashed asset: %d, want 404", r.Status)
	}
}

func TestLanguageSwitch(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	if got := c.Get("/").Doc().Find("html").AttrOr("lang", ""); got != "zh-Hans" {
		t.Fatalf("default lang %q", got)
	}
	r := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}})
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("switch: %d %q", r.Status, r.Location)
	}
	home := c.Get("/")
	if got := home.Doc().Find("html").AttrOr("lang", ""); got != "en" {
		t.Errorf("after switch lang %q", got)
	}
	if home.TestID("home-role") != "Party member" {
		t.Errorf("role in English: %q", home.TestID("home-role"))
	}
	// Remembered for the account: a new sign-in with a Chinese browser stays English.
	c2 := app.Login(t, "member")
	c2.Lang = "zh-CN"
	if got := c2.Get("/").Doc().Find("html").AttrOr("lang", ""); got != "en" {
		t.Errorf("language not remembered per user: %q", got)
	}
	// An off-site "next" is not followed.
	if r := c.PostForm("/lang", url.Values{"lang": {"zh"}, "next": {"//evil.example/"}}); r.Location != "/" {
		t.Errorf("open redirect: %q", r.Location)
	}
}

func mustRequest(t *testing.T, method, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
