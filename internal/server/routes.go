package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/appraisal"
	"zhibu/internal/auth"
	"zhibu/internal/commend"
	"zhibu/internal/home"
	"zhibu/internal/life"
	"zhibu/internal/talk"
	"zhibu/internal/ui"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool)
	lifeH := life.New(d.Pool)
	appraisalH := appraisal.New(d.Pool)
	talkH := talk.New(d.Pool)
	commendH := commend.New(d.Pool)

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

		// Secretaries, branch committee members and reviewers.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))

			// --- life ---
			r.Method(http.MethodGet, "/life", ui.Handler(lifeH.List))
			r.Method(http.MethodGet, "/life/new", ui.Handler(lifeH.NewPage))
			r.Method(http.MethodPost, "/life", ui.Handler(lifeH.Create))
			r.Method(http.MethodGet, "/life/{id}", ui.Handler(lifeH.Show))
			r.Method(http.MethodGet, "/life/{id}/print", ui.Handler(lifeH.Print))
			r.Method(http.MethodPost, "/life/{id}/steps", ui.Handler(lifeH.AddStep))
			r.Method(http.MethodPost, "/life/{id}/opinions", ui.Handler(lifeH.AddOpinion))
			r.Method(http.MethodPost, "/life/{id}/criticisms", ui.Handler(lifeH.AddCriticism))
			r.Method(http.MethodPost, "/life/{id}/items", ui.Handler(lifeH.AddItem))
			r.Method(http.MethodGet, "/life/{id}/edit", ui.Handler(lifeH.EditPage))
			r.Method(http.MethodPost, "/life/{id}/edit", ui.Handler(lifeH.Edit))
			r.Method(http.MethodPost, "/life/{id}/participants", ui.Handler(lifeH.AddParticipant))
			r.Method(http.MethodGet, "/life/{id}/participants/{member}/remove", ui.Handler(lifeH.ConfirmRemove))
			r.Method(http.MethodPost, "/life/{id}/participants/{member}/remove", ui.Handler(lifeH.RemoveParticipant))
			r.Method(http.MethodGet, "/life/{id}/participants/{member}", ui.Handler(lifeH.ParticipantPage))
			r.Method(http.MethodPost, "/life/{id}/participants/{member}", ui.Handler(lifeH.SaveParticipant))
			r.Method(http.MethodGet, "/life/{id}/hold", ui.Handler(lifeH.HoldPage))
			r.Method(http.MethodPost, "/life/{id}/hold", ui.Handler(lifeH.Hold))
			r.Method(http.MethodGet, "/life/{id}/submit", ui.Handler(lifeH.ConfirmSubmit))
			r.Method(http.MethodPost, "/life/{id}/submit", ui.Handler(lifeH.Submit))
			r.Method(http.MethodGet, "/rectification", ui.Handler(lifeH.Items))
			r.Method(http.MethodGet, "/rectification/{id}", ui.Handler(lifeH.ItemPage))
			r.Method(http.MethodPost, "/rectification/{id}", ui.Handler(lifeH.UpdateItem))

			// --- appraisal ---
			r.Method(http.MethodGet, "/appraisals", ui.Handler(appraisalH.List))
			r.Method(http.MethodPost, "/appraisals", ui.Handler(appraisalH.Create))
			r.Method(http.MethodGet, "/appraisals/{id}", ui.Handler(appraisalH.Show))
			r.Method(http.MethodGet, "/appraisals/{id}/members/{member}", ui.Handler(appraisalH.ResultPage))
			r.Method(http.MethodPost, "/appraisals/{id}/members/{member}", ui.Handler(appraisalH.SaveResult))
			r.Method(http.MethodPost, "/appraisals/{id}/close", ui.Handler(appraisalH.Close))

			// --- talk ---
			r.Method(http.MethodGet, "/talks", ui.Handler(talkH.List))
			r.Method(http.MethodGet, "/talks/new", ui.Handler(talkH.NewPage))
			r.Method(http.MethodPost, "/talks", ui.Handler(talkH.Create))
			r.Method(http.MethodGet, "/talks/matrix", ui.Handler(talkH.Matrix))

			// --- commend ---
			r.Method(http.MethodGet, "/commendations", ui.Handler(commendH.List))
			r.Method(http.MethodGet, "/commendations/export.xlsx", ui.Handler(commendH.Export))
			r.Method(http.MethodGet, "/commendations/new", ui.Handler(commendH.NewPage))
			r.Method(http.MethodPost, "/commendations", ui.Handler(commendH.Create))
			r.Method(http.MethodGet, "/commendations/nominees", ui.Handler(commendH.Nominees))
			r.Method(http.MethodPost, "/commendations/nominees/approve", ui.Handler(commendH.Approve))
		})
	})
	return r
}
