package metrics

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
)

func TestCountsByRoutePatternAndStatus(t *testing.T) {
	reg := New()
	r := chi.NewRouter()
	r.Use(reg.Middleware)
	r.Get("/members/{id}", func(w http.ResponseWriter, r *http.Request) {
		if chi.URLParam(r, "id") == "0" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	for _, p := range []string{"/members/1", "/members/2", "/members/0", "/nowhere"} {
		r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", p, nil))
	}
	var b strings.Builder
	reg.Write(&b, nil)
	out := b.String()
	for _, want := range []string{
		`zhibu_http_requests_total{route="/members/{id}",method="GET",status="200"} 2`,
		`zhibu_http_requests_total{route="/members/{id}",method="GET",status="404"} 1`,
		`zhibu_http_request_duration_seconds_count{route="/members/{id}",method="GET",status="200"} 2`,
		`zhibu_http_request_duration_seconds_bucket{route="/members/{id}",method="GET",status="200",le="+Inf"} 2`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, `route="/members/1"`) {
		t.Error("raw paths leak into labels")
	}
}

func TestHistogramIsCumulative(t *testing.T) {
	reg := New()
	reg.Observe("/x", "GET", 200, 3*time.Millisecond)
	reg.Observe("/x", "GET", 200, 30*time.Millisecond)
	reg.Observe("/x", "GET", 200, 20*time.Second)
	var b strings.Builder
	reg.Write(&b, nil)
	out := b.String()
	for _, want := range []string{`le="0.005"} 1`, `le="0.05"} 2`, `le="10"} 2`, `le="+Inf"} 3`} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
}

// seriesCount counts the request counter's series in the exposition.
func seriesCount(reg *Registry) int {
	var b strings.Builder
	reg.Write(&b, nil)
	return strings.Count(b.String(), "zhibu_http_requests_total{")
}

func TestRequestsCannotCreateSeries(t *testing.T) {
	reg := New()
	r := chi.NewRouter()
	r.Use(reg.Middleware)
	r.Group(func(r chi.Router) {
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
		r.Get("/members/{id}", func(w http.ResponseWriter, r *http.Request) {})
		r.Route("/meetings", func(r chi.Router) {
			r.Get("/", func(w http.ResponseWriter, r *http.Request) {})
		})
	})
	// A first round sets up every series a stranger can reach: unmatched
	// paths, a made-up method on a route and elsewhere, an odd status.
	serve := func(method, path string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Method = method
		r.ServeHTTP(httptest.NewRecorder(), req)
	}
	first := func() {
		serve("GET", "/members/1")
		serve("GET", "/nowhere")
		serve("FOO", "/members/1")
		serve("FOO", "/nowhere")
		serve("GET", "/meetings/x/y")
		serve("FOO", "/meetings/x/y")
	}
	first()
	reg.Observe("/members/{id}", "GET", 799, time.Millisecond)
	reg.Observe("/members/{id}", "FOO", 799, time.Millisecond)
	before := seriesCount(reg)
	for i := range 300 {
		m := "M" + strconv.Itoa(i)
		serve(m, "/members/"+strconv.Itoa(i))
		serve(m, "/made/up/"+strconv.Itoa(i))
		serve(m, "/meetings/"+strconv.Itoa(i)+"/x")
		serve("GET", "/x"+strconv.Itoa(i))
		reg.Observe("/members/{id}", m, 600+i, time.Millisecond)
	}
	if after := seriesCount(reg); after != before {
		var b strings.Builder
		reg.Write(&b, nil)
		t.Fatalf("invented methods and paths grew the series from %d to %d:\n%s", before, after, b.String())
	}
	var b strings.Builder
	reg.Write(&b, nil)
	if !strings.Contains(b.String(), `method="other"`) || !strings.Contains(b.String(), `status="other"`) {
		t.Errorf("made-up methods and statuses are not counted as other:\n%s", b.String())
	}
}
