package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/auth"
	"zhibu/internal/home"
	"zhibu/internal/member"
	"zhibu/internal/org"
	"zhibu/internal/ui"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool)
	memberH := member.New(d.Pool, d.Sealer)
	orgH := org.New(d.Pool)

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
		r.Use(auth.Language, ui.Flash, authSvc.LoadUser)
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
		})

		// --- organisations ---
		// Reviewers, secretaries and committee members read their subtree;
		// system administrators keep the tree and the committee terms.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleSysAdmin))
			r.Method(http.MethodGet, "/orgs", ui.Handler(orgH.Tree))
			r.Method(http.MethodGet, "/orgs/{id}", ui.Handler(orgH.Show))
		})
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleSysAdmin))
			r.Method(http.MethodGet, "/orgs/new", ui.Handler(orgH.NewForm))
			r.Method(http.MethodPost, "/orgs/new", ui.Handler(orgH.Create))
			r.Method(http.MethodGet, "/orgs/{id}/edit", ui.Handler(orgH.EditForm))
			r.Method(http.MethodPost, "/orgs/{id}/edit", ui.Handler(orgH.Update))
			r.Method(http.MethodGet, "/orgs/{id}/dissolve", ui.Handler(orgH.DissolveForm))
			r.Method(http.MethodPost, "/orgs/{id}/dissolve", ui.Handler(orgH.Dissolve))
			r.Method(http.MethodGet, "/orgs/{id}/terms/new", ui.Handler(orgH.TermForm))
			r.Method(http.MethodPost, "/orgs/{id}/terms/new", ui.Handler(orgH.CreateTerm))
		})

		// --- members ---
		// Reviewers read their committee's rosters; secretaries and branch
		// committee members keep their branch's (each handler checks scope).
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee))
			r.Method(http.MethodGet, "/members", ui.Handler(memberH.List))
			r.Method(http.MethodGet, "/members/export.xlsx", ui.Handler(memberH.Export))
			r.Method(http.MethodGet, "/members/export.csv", ui.Handler(memberH.Export))
			r.Method(http.MethodGet, "/members/new", ui.Handler(memberH.NewForm))
			r.Method(http.MethodPost, "/members/new", ui.Handler(memberH.Create))
			r.Method(http.MethodGet, "/members/import", ui.Handler(memberH.ImportForm))
			r.Method(http.MethodGet, "/members/import/template.csv", ui.Handler(memberH.Template))
			r.Method(http.MethodPost, "/members/import", ui.Handler(memberH.Preview))
			r.Method(http.MethodPost, "/members/import/{id}", ui.Handler(memberH.Confirm))
			r.Method(http.MethodGet, "/members/{id}", ui.Handler(memberH.Show))
			r.Method(http.MethodPost, "/members/{id}/reveal", ui.Handler(memberH.Reveal))
			r.Method(http.MethodGet, "/members/{id}/edit", ui.Handler(memberH.EditForm))
			r.Method(http.MethodPost, "/members/{id}/edit", ui.Handler(memberH.Update))
			r.Method(http.MethodGet, "/members/{id}/act/{action}", ui.Handler(memberH.ActionFormPage))
			r.Method(http.MethodPost, "/members/{id}/act/{action}", ui.Handler(memberH.Act))
		})
	})
	return r
}
