// Package apptest runs the whole application in tests: a real server on a
// database of the test's own (cloned from a demo-seeded template), and
// clients that sign in as the demo users and read pages with goquery.
package apptest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/dbtest"
	"zhibu/internal/pii"
	"zhibu/internal/seed"
	"zhibu/internal/server"
)

// TestKey is the data key every test database is sealed with.
const TestKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// Sealer returns the sealer for TestKey.
func Sealer(t testing.TB) *pii.Sealer {
	key, err := pii.ParseKey(TestKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := pii.New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// App is a running Zhibu on a test database.
type App struct {
	URL    string
	DBURL  string
	Pool   *pgxpool.Pool
	Sealer *pii.Sealer
	Server *httptest.Server
}

// Option adjusts the server's dependencies before it starts.
type Option func(*server.Deps)

// New starts Zhibu on a fresh database holding the demo data.
func New(t testing.TB, opts ...Option) *App {
	t.Helper()
	return start(t, SeededURL(t), Sealer(t), nil, opts)
}

// SeededURL returns the URL of a fresh database of the test's own holding
// the demo data (sealed with TestKey).
func SeededURL(t testing.TB) string {
	t.Helper()
	sealer := Sealer(t)
	return dbtest.NewSeededURL(t, "demo", func(ctx context.Context, url string) error {
		pool, err := db.Open(ctx, url)
		if err != nil {
			return err
		}
		defer pool.Close()
		_, err = seed.Demo(ctx, pool, sealer)
		return err
	})
}

// Start starts Zhibu on the given (already migrated) database with pool
// options (db.ForPgBouncer behind a pooler).
func Start(t testing.TB, dbURL string, poolOpts []db.PoolOption, opts ...Option) *App {
	t.Helper()
	return start(t, dbURL, Sealer(t), poolOpts, opts)
}

// NewEmpty starts Zhibu on a fresh migrated database with no data.
func NewEmpty(t testing.TB, opts ...Option) *App {
	t.Helper()
	return start(t, dbtest.NewURL(t), Sealer(t), nil, opts)
}

// NewOnURL starts Zhibu on the given (already migrated) database.
func NewOnURL(t testing.TB, dbURL string, opts ...Option) *App {
	t.Helper()
	return start(t, dbURL, Sealer(t), nil, opts)
}

// Second starts another Zhibu process-like server on the same database,
// as a second instance behind a load balancer would be.
func (a *App) Second(t testing.TB, opts ...Option) *App {
	t.Helper()
	return start(t, a.DBURL, a.Sealer, nil, opts)
}

// Counted starts another server on the same database whose pool counts
// its round trips to PostgreSQL, for tests that pin how many a page costs.
func (a *App) Counted(t testing.TB, opts ...Option) (*App, *RoundTrips) {
	t.Helper()
	rt := &RoundTrips{}
	return start(t, a.DBURL, a.Sealer, []db.PoolOption{func(c *pgxpool.Config) { c.ConnConfig.Tracer = rt }}, opts), rt
}

// RoundTrips is a pgx tracer that counts round trips to the database: one
// for each query or command, one for each batch however many statements
// it pipelines. (Statement preparation, once per connection, is not counted.)
type RoundTrips struct {
	n atomic.Int64
}

// N returns the round trips counted since the last Reset.
func (r *RoundTrips) N() int { return int(r.n.Load()) }

// Reset starts counting from zero.
func (r *RoundTrips) Reset() { r.n.Store(0) }

// TraceQueryStart counts a query.
func (r *RoundTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	r.n.Add(1)
	return ctx
}

// TraceQueryEnd does nothing.
func (r *RoundTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// TraceBatchStart counts a batch.
func (r *RoundTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.n.Add(1)
	return ctx
}

// TraceBatchQuery does nothing: the statements of a batch share its round trip.
func (r *RoundTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

// TraceBatchEnd does nothing.
func (r *RoundTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// WithCookiesOf gives c the cookies another client holds for this app,
// as if the same browser reached another instance.
func (c *Client) WithCookiesOf(other *Client, otherBase string) {
	from, _ := url.Parse(otherBase)
	to, _ := url.Parse(c.base)
	c.hc.Jar.SetCookies(to, other.hc.Jar.Cookies(from))
}

func start(t testing.TB, dbURL string, sealer *pii.Sealer, poolOpts []db.PoolOption, opts []Option) *App {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := db.Open(ctx, dbURL, poolOpts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	// Tests sign in many times from one address: the per-IP login limit
	// is lifted unless a test sets its own.
	deps := server.Deps{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sealer: sealer, LoginLimit: 1_000_000}
	for _, o := range opts {
		o(&deps)
	}
	srv := httptest.NewServer(server.New(deps))
	t.Cleanup(srv.Close)
	return &App{URL: srv.URL, DBURL: dbURL, Pool: pool, Sealer: sealer, Server: srv}
}

// Client is a browser-like HTTP client with its own cookies that does not
// follow redirects, so tests see each 303.
type Client struct {
	t    testing.TB
	base string
	hc   *http.Client
	// Lang, when set, is sent as Accept-Language.
	Lang string
}

// Anon returns a client that is not signed in.
func (a *App) Anon(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{t: t, base: a.URL, hc: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Login returns a client signed in as username. It starts the session in
// the session store, as a sign-in does after the password check, without
// the check's deliberately slow hash (tens of milliseconds of CPU, paid
// thousands of times a run); the tests of signing in use LoginWith, which
// goes through the form.
func (a *App) Login(t testing.TB, username string) *Client {
	t.Helper()
	c := a.Anon(t)
	base, _ := url.Parse(a.URL)
	c.hc.Jar.SetCookies(base, []*http.Cookie{a.Session(t, username)})
	return c
}

// Session starts a session for username in the session store and returns
// its cookie, for a client or a browser to present.
func (a *App) Session(t testing.TB, username string) *http.Cookie {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := a.Pool.QueryRow(ctx, `SELECT id FROM accounts WHERE username = lower($1) AND disabled_at IS NULL`, username).Scan(&id)
	if err != nil {
		t.Fatalf("session for %s: %v", username, err)
	}
	token, err := auth.NewSessions(a.Pool, auth.DefaultSessionPolicy).Create(ctx, id, "127.0.0.1", "apptest")
	if err != nil {
		t.Fatalf("session for %s: %v", username, err)
	}
	return &http.Cookie{Name: "zhibu_session", Value: token, Path: "/"}
}

// LoginDemo signs in through the sign-in form with the demo password.
func (a *App) LoginDemo(t testing.TB, username string) *Client {
	t.Helper()
	return a.LoginWith(t, username, seed.DemoPassword)
}

// LoginWith returns a client signed in with the given credentials; the
// test fails unless the sign-in succeeds.
func (a *App) LoginWith(t testing.TB, username, password string) *Client {
	t.Helper()
	c := a.Anon(t)
	r := c.PostForm("/login", url.Values{"username": {username}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303", username, r.Status)
	}
	return c
}

// Response is a fetched page.
type Response struct {
	Status   int
	Header   http.Header
	Body     string
	Location string
	doc      *goquery.Document
}

// Doc parses the body as HTML.
func (r *Response) Doc() *goquery.Document {
	if r.doc == nil {
		d, err := goquery.NewDocumentFromReader(strings.NewReader(r.Body))
		if err != nil {
			panic(err)
		}
		r.doc = d
	}
	return r.doc
}

// TestID returns the trimmed text of the elements with the data-testid.
func (r *Response) TestID(id string) string {
	return strings.TrimSpace(r.Doc().Find(`[data-testid="` + id + `"]`).Text())
}

// Has reports whether an element matches the CSS selector.
func (r *Response) Has(selector string) bool {
	return r.Doc().Find(selector).Length() > 0
}

// Do sends a request and reads the whole response.
func (c *Client) Do(req *http.Request) *Response {
	c.t.Helper()
	if c.Lang != "" {
		req.Header.Set("Accept-Language", c.Lang)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer func() { _ = res.Body.Close() }()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("%s %s: read: %v", req.Method, req.URL, err)
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: string(b), Location: res.Header.Get("Location")}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.Do(req)
}

// PostForm posts a form as a same-origin browser would.
func (c *Client) PostForm(path string, form url.Values) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// Post sends a body with a content type as a same-origin browser would.
func (c *Client) Post(path, contentType string, body io.Reader) *Response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Origin", c.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// PostFile posts a multipart form, as a browser's upload form does: the
// fields (sorted by name) and one file under "file".
func (c *Client) PostFile(path, filename string, data []byte, fields url.Values) *Response {
	c.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		for _, v := range fields[k] {
			if err := w.WriteField(k, v); err != nil {
				c.t.Fatal(err)
			}
		}
	}
	part, err := w.CreateFormFile("file", filename)
	if err != nil {
		c.t.Fatal(err)
	}
	if _, err := part.Write(data); err != nil {
		c.t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		c.t.Fatal(err)
	}
	return c.Post(path, w.FormDataContentType(), &body)
}

// Int runs a query of one number on the app's database (an id, a count)
// and fails the test on error.
func (a *App) Int(t testing.TB, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := a.Pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// OrgID is the id of the organisation of that name (names in the demo
// data are unique).
func (a *App) OrgID(t testing.TB, name string) int64 {
	t.Helper()
	return a.Int(t, `SELECT id FROM organisations WHERE name = $1`, name)
}
