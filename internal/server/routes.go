package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/auth"
	"zhibu/internal/home"
	"zhibu/internal/me"
	"zhibu/internal/meeting"
	"zhibu/internal/ratelimit"
	"zhibu/internal/ui"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool)
	loginLimit := ratelimit.New(d.Pool, "login-ip", d.LoginLimit, d.LoginWindow)
	meetingH := meeting.New(d.Pool)
	meH := me.New(d.Pool)

	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(accessLog(d.Logger))
	r.Use(d.Metrics.Middleware)
	r.Use(ui.Recoverer)
	r.Use(securityHeaders(d.HTTPS))
	r.Use(crossOrigin)
	r.Use(limitBody(MaxBodyBytes, uploadRoutes))

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
		// --- meetings: the iCalendar feed, behind each user's secret address ---
		r.Method(http.MethodGet, "/calendar/{token}.ics", ui.Handler(meetingH.ICal))

		// Everyone signed in.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser)
			r.Method(http.MethodPost, "/logout", ui.Handler(authSvc.Logout))
			r.Method(http.MethodGet, "/", ui.Handler(homeH.Home))

			// --- me: the member's own record ---
			r.Method(http.MethodGet, "/me", ui.Handler(meH.Me))
			r.Method(http.MethodGet, "/me/transcript", ui.Handler(meH.Transcript))
			r.Method(http.MethodPost, "/me/calendar", ui.Handler(meH.ResetCalendar))
		})

		// --- meetings: secretaries and committee members log their branch's
		// meetings; reviewers read those in their subtree ---
		r.Route("/meetings", func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
			r.Method(http.MethodGet, "/", ui.Handler(meetingH.List))
			r.Method(http.MethodGet, "/new", ui.Handler(meetingH.NewForm))
			r.Method(http.MethodPost, "/new", ui.Handler(meetingH.Create))
			r.Method(http.MethodGet, "/calendar", ui.Handler(meetingH.Calendar))
			r.Method(http.MethodGet, "/credits/new", ui.Handler(meetingH.NewCredit))
			r.Method(http.MethodPost, "/credits/new", ui.Handler(meetingH.CreateCredit))
			r.Method(http.MethodGet, "/{id}", ui.Handler(meetingH.Show))
			r.Method(http.MethodGet, "/{id}/print", ui.Handler(meetingH.Print))
			r.Method(http.MethodGet, "/{id}/edit", ui.Handler(meetingH.EditForm))
			r.Method(http.MethodPost, "/{id}/edit", ui.Handler(meetingH.Update))
			r.Method(http.MethodGet, "/{id}/attendance", ui.Handler(meetingH.AttendanceForm))
			r.Method(http.MethodPost, "/{id}/attendance", ui.Handler(meetingH.SaveAttendance))
			r.Method(http.MethodGet, "/{id}/submit", ui.Handler(meetingH.SubmitForm))
			r.Method(http.MethodPost, "/{id}/submit", ui.Handler(meetingH.Submit))
			r.Method(http.MethodGet, "/{id}/correct", ui.Handler(meetingH.CorrectForm))
			r.Method(http.MethodPost, "/{id}/correct", ui.Handler(meetingH.Correct))
			r.With(limitBody(meeting.MaxUploadBody, nil)).Method(http.MethodPost, "/{id}/attachments", ui.Handler(meetingH.Upload))
			r.Method(http.MethodGet, "/{id}/attachments/{aid}", ui.Handler(meetingH.Download))
			r.Method(http.MethodPost, "/{id}/attachments/{aid}/delete", ui.Handler(meetingH.DeleteAttachment))
		})
	})
	return r
}
