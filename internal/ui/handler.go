package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"

	"github.com/a-h/templ"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/jackc/pgx/v5/pgconn"

	"zhibu/internal/apperr"
)

// Handler is an HTTP handler that returns an error instead of writing one.
// ServeHTTP renders the error as a page; see RenderError.
type Handler func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP runs the handler and renders any error it returns.
func (h Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		RenderError(w, r, err)
	}
}

// StatusOf maps an error to the HTTP status it stands for.
func StatusOf(err error) int {
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, apperr.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, apperr.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, apperr.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF),
		errors.Is(err, pgconn.ErrConnClosed):
		// The database went away (a failover, a restart) or a connection
		// broke under the request: try again.
		return http.StatusServiceUnavailable
	case errors.As(err, &pgErr) && unavailableCode(pgErr.Code):
		return http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled):
		return 499
	}
	return http.StatusInternalServerError
}

// unavailableCode reports whether a PostgreSQL error code means the
// database cannot serve the request now, though it may in a moment:
// connection exceptions (class 08), an administrator's or a crash's
// shutdown (57P01, 57P02), a server starting up or shutting down (57P03),
// too many connections (53300), and a write reaching a server that is no
// longer the primary (25006, during a switchover).
func unavailableCode(code string) bool {
	switch code {
	case "57P01", "57P02", "57P03", "53300", "25006":
		return true
	}
	return len(code) == 5 && code[:2] == "08"
}

// RenderError writes the error page for err. Internal details are logged
// with the request id and never shown.
//
// When the client has gone (its request's context is done), whatever the
// error says — a cancelled query, a broken pipe — it is not the server's
// failure: it is logged at debug level and nothing is written.
func RenderError(w http.ResponseWriter, r *http.Request, err error) {
	status := StatusOf(err)
	reqID := middleware.GetReqID(r.Context())
	if r.Context().Err() != nil {
		slog.DebugContext(r.Context(), "client went away", "err", err, "request_id", reqID, "path", r.URL.Path)
		return
	}
	if status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "err", err, "status", status, "request_id", reqID, "path", r.URL.Path)
	}
	if status == 499 {
		return
	}
	ErrorStatus(w, r, status)
}

// ErrorStatus renders the error page for an HTTP status.
func ErrorStatus(w http.ResponseWriter, r *http.Request, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "10")
	}
	w.WriteHeader(status)
	_ = ErrorPage(status, middleware.GetReqID(r.Context())).Render(r.Context(), w)
}

// renderBuffers holds page buffers for reuse.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render writes a component as a full HTML response with the given status.
// The page is rendered into a buffer first and sent in one write with its
// length (instead of many small chunked writes), and a component that
// fails part way leaves the error page to the caller rather than half a page.
func Render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			renderBuffers.Put(buf)
		}
	}()
	if err := c.Render(r.Context(), buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return nil
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Recoverer turns a panic into a 500 page showing only the request id.
func Recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if rec := recover(); rec != nil {
				if err, ok := rec.(error); ok && errors.Is(err, http.ErrAbortHandler) {
					panic(rec)
				}
				slog.ErrorContext(r.Context(), "panic", "panic", rec, "request_id", middleware.GetReqID(r.Context()), "path", r.URL.Path)
				ErrorStatus(w, r, http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}
