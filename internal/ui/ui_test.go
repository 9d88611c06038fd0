package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgconn"

	"zhibu/internal/apperr"
)

func TestPanicRendersA500WithRequestIDOnly(t *testing.T) {
	h := middleware.RequestID(Recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("secret internal detail")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, "secret internal detail") {
		t.Error("the panic value is shown to the user")
	}
	if !strings.Contains(body, `data-testid="request-id"`) {
		t.Error("no request id on the 500 page")
	}
}

// A client that went away is not a server failure: no error is logged and
// nothing is written, whatever the error the handler met.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logged bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo})))
	defer slog.SetDefault(old)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	broken := &net.OpError{Op: "write", Net: "tcp", Err: errors.New("broken pipe")}
	Handler(func(http.ResponseWriter, *http.Request) error { return broken }).
		ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil).WithContext(ctx))
	if rec.Body.Len() != 0 || logged.Len() != 0 {
		t.Errorf("client gone: wrote %d bytes, logged %q", rec.Body.Len(), logged.String())
	}
	// The same error while the client is still there is a 503, logged.
	rec = httptest.NewRecorder()
	Handler(func(http.ResponseWriter, *http.Request) error { return broken }).ServeHTTP(rec, httptest.NewRequest("GET", "/me", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(logged.String(), "request failed") {
		t.Errorf("client present: status %d, logged %q", rec.Code, logged.String())
	}
}

func TestHandlerMapsErrorsToStatuses(t *testing.T) {
	cases := map[error]int{
		fmt.Errorf("member: get 4: %w", apperr.ErrNotFound): 404,
		apperr.ErrForbidden:                     403,
		fmt.Errorf("x: %w", apperr.ErrConflict): 409,
		apperr.ErrInvalid:                       422,
		errors.New("boom: password=hunter2"):    500,
	}
	for err, want := range cases {
		rec := httptest.NewRecorder()
		Handler(func(http.ResponseWriter, *http.Request) error { return err }).ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != want {
			t.Errorf("%v: status %d, want %d", err, rec.Code, want)
		}
		if strings.Contains(rec.Body.String(), "hunter2") {
			t.Errorf("%v: internal error text shown", err)
		}
	}
}

func TestPagerAndSort(t *testing.T) {
	p := Pager{Page: 2, PageSize: 50, Total: 101, Path: "/members", Query: map[string][]string{"q": {"王"}, "page": {"2"}}}
	if p.Pages() != 3 || p.Offset() != 50 {
		t.Errorf("pages %d offset %d", p.Pages(), p.Offset())
	}
	if got := p.URL(3); got != "/members?page=3&q=%E7%8E%8B" {
		t.Errorf("url %q", got)
	}
	if got := SortURL("/m", map[string][]string{"sort": {"name"}}, "name"); got != "/m?dir=desc&sort=name" {
		t.Errorf("sort flip %q", got)
	}
}

// The zero value of Errors is ready to use: no make, no literal.
func TestErrorsZeroValue(t *testing.T) {
	var e Errors
	if e.Any() || e["name"] != "" {
		t.Fatal("the zero Errors is not empty")
	}
	e.Add("name", "form.required")
	e.Add("name", "form.too_long") // the first message stays
	if !e.Any() || e["name"] != "form.required" {
		t.Fatalf("after Add: %v", e)
	}
	e.Set("name", "form.too_long") // Set replaces it
	if e["name"] != "form.too_long" {
		t.Fatalf("after Set: %v", e)
	}

	// A zero Errors inside a form struct, added to through the field.
	var f struct{ Errors Errors }
	f.Errors.Add("date", "form.bad_date")
	if f.Errors["date"] != "form.bad_date" {
		t.Fatalf("field after Add: %v", f.Errors)
	}
	var g struct{ Errors Errors }
	g.Errors.Set("date", "form.bad_date")
	if !g.Errors.Any() {
		t.Fatal("field after Set is empty")
	}
}

func TestStatusOfDatabaseOutages(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"a connection closed under the request", fmt.Errorf("save: %w", pgconn.ErrConnClosed), 503},
		{"administrator shutdown", &pgconn.PgError{Code: "57P01"}, 503},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, 503},
		{"starting up", &pgconn.PgError{Code: "57P03"}, 503},
		{"too many connections", &pgconn.PgError{Code: "53300"}, 503},
		{"read-only after a switchover", &pgconn.PgError{Code: "25006"}, 503},
		{"connection failure", &pgconn.PgError{Code: "08006"}, 503},
		{"unexpected EOF", fmt.Errorf("receive: %w", io.ErrUnexpectedEOF), 503},
		{"a constraint", &pgconn.PgError{Code: "23505"}, 500},
		{"a syntax error", &pgconn.PgError{Code: "42601"}, 500},
		{"short code", &pgconn.PgError{Code: "0"}, 500},
	} {
		if got := StatusOf(tc.err); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestNavEntriesGroupInOrder(t *testing.T) {
	items := []NavItem{
		{Href: "/", Label: "nav.home"},
		{Href: "/review", Label: "nav.review", Group: "g.work"},
		{Href: "/orgs", Label: "nav.orgs", Group: "g.people"},
		{Href: "/plans", Label: "nav.plans", Group: "g.work"},
		{Href: "/me", Label: "nav.me", Pinned: true, Group: "g.people"},
		{Href: "/audit", Label: "nav.audit", Group: "g.admin"},
	}
	got := NavEntries(items, "/plans")
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4 (home, work, people, audit): %+v", len(got), got)
	}
	if got[0].Item.Href != "/" || len(got[0].Items) != 0 {
		t.Errorf("first entry %+v, want the home link", got[0])
	}
	if got[1].Group != "g.work" || len(got[1].Items) != 2 || got[1].Items[1].Href != "/plans" || !got[1].Active {
		t.Errorf("second entry %+v, want the work menu with /review and /plans, active", got[1])
	}
	// A group of one (the pinned /me leaves people with /orgs alone) is a plain link.
	if got[2].Item.Href != "/orgs" || len(got[2].Items) != 0 {
		t.Errorf("third entry %+v, want /orgs as a plain link", got[2])
	}
	if got[3].Item.Href != "/audit" || got[3].Active {
		t.Errorf("fourth entry %+v, want /audit as a plain link", got[3])
	}
}
