package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/alerts"
	"zhibu/internal/auth"
	"zhibu/internal/home"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool)
	rulesH := rules.NewHandler(rules.NewStore(d.Pool))
	reviewH := review.New(d.Pool)
	alertsSvc := alerts.New(d.Pool)

	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(accessLog(d.Logger))
	r.Use(ui.Recoverer)
	r.Use(securityHeaders(d.HTTPS))
	r.Use(crossOrigin)
	r.Use(limitBody(MaxBodyBytes))

	r.Get("/healthz", healthz)
	r.Get("/readyz", readyz(d.Pool))
	r.Handle("/static/*", ui.StaticHandler())

	r.Group(func(r chi.Router) {
		r.Use(auth.Language, ui.Flash, authSvc.LoadUser, alertsSvc.Badge)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusNotFound) })
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusMethodNotAllowed) })

		// Public.
		r.Method(http.MethodGet, "/login", ui.Handler(authSvc.LoginPage))
		r.Method(http.MethodPost, "/login", ui.Handler(authSvc.Login))
		r.Method(http.MethodPost, "/lang", ui.Handler(authSvc.SwitchLanguage))

		// Everyone signed in.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser)
			r.Method(http.MethodPost, "/logout", ui.Handler(authSvc.Logout))
			r.Method(http.MethodGet, "/", ui.Handler(homeH.Home))

			// --- alerts ---
			r.Method(http.MethodGet, "/alerts", ui.Handler(alertsSvc.List))
		})

		// --- review ---
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleReviewer))
			r.Method(http.MethodGet, "/review", ui.Handler(reviewH.Dashboard))
			r.Method(http.MethodGet, "/review/export.xlsx", ui.Handler(reviewH.Export))
			r.Method(http.MethodPost, "/review/branches/{id}/reviews", ui.Handler(reviewH.Rate))
		})
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee))
			r.Method(http.MethodGet, "/review/branches/{id}", ui.Handler(reviewH.Branch))
			r.Method(http.MethodGet, "/review/branches/{id}/report", ui.Handler(reviewH.Report))
			r.Method(http.MethodPost, "/review/branches/{id}/reviews/{rid}/response", ui.Handler(reviewH.Respond))
		})

		// --- rules ---
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleSysAdmin))
			r.Method(http.MethodGet, "/admin/rules", ui.Handler(rulesH.List))
			r.Method(http.MethodGet, "/admin/rules/new", ui.Handler(rulesH.New))
			r.Method(http.MethodPost, "/admin/rules/new", ui.Handler(rulesH.Create))
			r.Method(http.MethodPost, "/admin/rules/scale", ui.Handler(rulesH.SetScale))
			r.Method(http.MethodGet, "/admin/rules/{code}", ui.Handler(rulesH.Edit))
			r.Method(http.MethodPost, "/admin/rules/{code}", ui.Handler(rulesH.Update))
		})
	})
	return r
}
