package server_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	"zhibu/internal/apptest"
)

// TestTextResponsesAreCompressed: a page of more than 1 KiB goes out gzipped
// to a client that accepts it and decodes to the same HTML; a client that
// does not ask gets it plain; a tiny response and the hashed static assets'
// binary siblings stay as they are.
func TestTextResponsesAreCompressed(t *testing.T) {
	t.Parallel()
	app := apptest.NewEmpty(t)
	c := app.Anon(t)

	plain := c.Get("/login")
	if plain.Status != http.StatusOK || plain.Header.Get("Content-Encoding") != "" {
		t.Fatalf("plain /login: %d, encoding %q", plain.Status, plain.Header.Get("Content-Encoding"))
	}

	get := func(path, enc string) (*http.Response, []byte) {
		req := mustRequest(t, http.MethodGet, app.URL+path)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		// A bare transport: http.Client would decode gzip by itself and
		// hide the header this test is about.
		res, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = res.Body.Close() }()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, b
	}

	res, body := get("/login", "gzip, deflate, br")
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("/login with Accept-Encoding gzip: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", res.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	html, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<form") || len(body) >= len(html) {
		t.Errorf("decoded page: %d bytes from %d compressed; has form: %v", len(html), len(body), strings.Contains(string(html), "<form"))
	}

	if res, _ := get("/healthz", "gzip"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("/healthz (a few bytes) compressed: %q", res.Header.Get("Content-Encoding"))
	}
	if res, _ := get("/login", ""); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("/login without Accept-Encoding: %q", res.Header.Get("Content-Encoding"))
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q, want no-store", res.Header.Get("Cache-Control"))
	}
}
