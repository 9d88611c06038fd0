package server

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/klauspost/compress/gzhttp"

	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// accessLog writes one structured line per request.
func accessLog(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			next.ServeHTTP(ww, r)
			route := chi.RouteContext(r.Context()).RoutePattern()
			level := slog.LevelInfo
			if ww.Status() >= 500 {
				level = slog.LevelError
			}
			logger.LogAttrs(r.Context(), level, "request",
				slog.String("id", middleware.GetReqID(r.Context())),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", route),
				slog.Int("status", ww.Status()),
				slog.Int("bytes", ww.BytesWritten()),
				slog.Duration("dur", time.Since(start)),
				slog.String("ip", r.RemoteAddr),
			)
		})
	}
}

// securityHeaders sets the headers every response carries. Pages that may
// show personal data are never cached.
func securityHeaders(https bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("X-Frame-Options", "DENY")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
			if https {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			if !strings.HasPrefix(r.URL.Path, "/static/") {
				h.Set("Cache-Control", "no-store")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// limitBody caps request bodies. Requests that exempt reports true for
// (the upload routes) pass through untouched here and get their own, larger
// limit on their route.
func limitBody(maxBytes int64, exempt func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if exempt != nil && exempt(r) {
				next.ServeHTTP(w, r)
				return
			}
			if r.ContentLength > maxBytes {
				ui.ErrorStatus(w, r, http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxBytes)
			next.ServeHTTP(w, r)
		})
	}
}

// uploadPaths are the routes that take files; each sets its own body limit.
var uploadPaths = []*regexp.Regexp{
	regexp.MustCompile(`^/meetings/[0-9]+/attachments$`),
	// --- files: evidence of credit claims and plan answers, photos of cases ---
	regexp.MustCompile(`^/me/credits/new$`),
	regexp.MustCompile(`^/plans/answers/[0-9]+$`),
	regexp.MustCompile(`^/cases/[0-9]+/photos$`),
}

// uploadRoutes reports whether the request posts to an upload route.
func uploadRoutes(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	for _, re := range uploadPaths {
		if re.MatchString(r.URL.Path) {
			return true
		}
	}
	return false
}

// crossOrigin refuses cross-site form posts (CSRF) with a 403 page.
func crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ui.ErrorStatus(w, r, http.StatusForbidden)
	}))
	return cop.Handler(next)
}

// notText reports whether s cannot be stored or searched as text: it holds
// a NUL byte (PostgreSQL's text refuses it) or bytes that are not UTF-8.
func notText(s string) bool {
	return strings.IndexByte(s, 0) >= 0 || !utf8.ValidString(s)
}

// badValues reports whether any name or value in vs is not text.
func badValues(vs map[string][]string) bool {
	for k, list := range vs {
		if notText(k) {
			return true
		}
		for _, v := range list {
			if notText(v) {
				return true
			}
		}
	}
	return false
}

// validText is the one place every address, query parameter and form
// field passes through before a handler reads it: a request carrying a
// NUL byte or bytes that are not UTF-8 in any of them is answered 400 with
// a page that says so, instead of reaching the database (a 500). Form
// bodies (urlencoded and multipart, with the file names of uploads) are
// parsed here, under the body limit already set; the handler's own
// ParseForm then finds them parsed. Requests that exempt reports true for
// (the upload routes, whose larger body limit is set on their route) are
// checked for their address only; their route adds validText(nil) after
// its limit.
func validText(exempt func(*http.Request) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// refuse answers with the invalid-text page (status 0) or the
			// error page of status.
			refuse := func(status int) {
				auth.Language(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if status != 0 {
						ui.ErrorStatus(w, r, status)
						return
					}
					status = http.StatusBadRequest
					w.Header().Set("Cache-Control", "no-store")
					_ = ui.Render(w, r, status, ui.InvalidTextPage())
				})).ServeHTTP(w, r)
			}
			q, _ := url.ParseQuery(r.URL.RawQuery)
			if notText(r.URL.Path) || badValues(q) {
				refuse(0)
				return
			}
			if r.Body == nil || r.Body == http.NoBody || (exempt != nil && exempt(r)) {
				next.ServeHTTP(w, r)
				return
			}
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			var err error
			switch {
			case r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch:
				next.ServeHTTP(w, r)
				return
			case ct == "application/x-www-form-urlencoded":
				err = r.ParseForm()
			case ct == "multipart/form-data":
				err = r.ParseMultipartForm(MaxBodyBytes)
			default:
				next.ServeHTTP(w, r)
				return
			}
			var tooBig *http.MaxBytesError
			switch {
			case errors.As(err, &tooBig):
				refuse(http.StatusRequestEntityTooLarge)
				return
			case err != nil: // not a form: malformed escapes or parts
				refuse(http.StatusBadRequest)
				return
			}
			if badValues(r.PostForm) {
				refuse(0)
				return
			}
			if r.MultipartForm != nil {
				if badValues(r.MultipartForm.Value) {
					refuse(0)
					return
				}
				for k, files := range r.MultipartForm.File {
					for _, f := range files {
						if notText(k) || notText(f.Filename) {
							refuse(0)
							return
						}
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// compressTypes are the text responses worth compressing; spreadsheets,
// images and attachments are compressed already or stored as sent, and
// event streams must not be buffered.
var compressTypes = []string{
	"text/html", "text/css", "text/plain", "text/csv", "text/calendar",
	"application/json", "image/svg+xml", "application/javascript", "text/javascript",
}

// compress gzips text responses of 1 KiB or more for clients that accept
// it (klauspost/compress gzhttp: pooled writers, a size threshold, Vary and
// ETag handled). A few random bytes of padding, chosen from the page's own
// checksum, keep the compressed length from revealing page content to a
// BREACH-style attacker who can inject text into a page.
func compress() func(http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(1024),
		gzhttp.ContentTypes(compressTypes),
		gzhttp.RandomJitter(32, 0, false),
	)
	if err != nil {
		panic(fmt.Sprintf("server: gzip options: %v", err)) // fixed options: a programming error
	}
	return func(next http.Handler) http.Handler { return wrap(next) }
}
