package metrics

import (
	"net/http"
	"net/http/httptest"
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
