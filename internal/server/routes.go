package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/auth"
	"zhibu/internal/home"
	"zhibu/internal/ratelimit"
	"zhibu/internal/ui"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool)
	loginLimit := ratelimit.New(d.Pool, "login-ip", d.LoginLimit, d.LoginWindow)

	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(accessLog(d.Logger))
	r.Use(d.Metrics.Middleware)
	r.Use(ui.Recoverer)
	r.Use(securityHeaders(d.HTTPS))
	r.Use(crossOrigin)
	r.Use(limitBody(MaxBodyBytes))

	r.Get("/healthz", healthz)
	r.Get("/readyz", readyz(d.Pool))
	r.Handle("/metrics", d.Metrics.Handler(d.Pool))
	r.Handle("/static/*", ui.StaticHandler())

	r.Group(func(r chi.Router) {
		r.Use(auth.Language, ui.Flash, authSvc.LoadUser)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusNotFound) })
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusMethodNotAllowed) })

		// Public.
		r.Method(http.MethodGet, "/login", ui.Handler(authSvc.LoginPage))
		r.With(loginLimit.Middleware(auth.ClientIP)).Method(http.MethodPost, "/login", ui.Handler(authSvc.Login))
		r.Method(http.MethodPost, "/lang", ui.Handler(authSvc.SwitchLanguage))

		// Everyone signed in.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser)
			r.Method(http.MethodPost, "/logout", ui.Handler(authSvc.Logout))
			r.Method(http.MethodGet, "/", ui.Handler(homeH.Home))
		})
	})
	return r
}
