package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"zhibu/internal/admin"
	"zhibu/internal/alerts"
	"zhibu/internal/appraisal"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/cases"
	"zhibu/internal/commend"
	"zhibu/internal/discipline"
	"zhibu/internal/disposal"
	"zhibu/internal/dues"
	"zhibu/internal/grades"
	"zhibu/internal/home"
	"zhibu/internal/inspect"
	"zhibu/internal/leadgroup"
	"zhibu/internal/life"
	"zhibu/internal/me"
	"zhibu/internal/meeting"
	"zhibu/internal/member"
	"zhibu/internal/notices"
	"zhibu/internal/notify"
	"zhibu/internal/org"
	"zhibu/internal/plans"
	"zhibu/internal/ratelimit"
	"zhibu/internal/recruit"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/talk"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
)

// routes declares every route of the application, grouped by who may use it.
func routes(d Deps, authSvc *auth.Service) http.Handler {
	homeH := home.New(d.Pool).WithReviewJobs(d.ReviewJobs)
	loginLimit := ratelimit.New(d.Pool, "login-ip", d.LoginLimit, d.LoginWindow)
	notifySvc := d.Notify
	if notifySvc == nil {
		var err error
		if notifySvc, err = notify.New(d.Pool, d.Sealer, notify.Options{Logger: d.Logger, Todos: home.BranchTodos}); err != nil {
			panic(err) // only a bad configuration of the queue: a programming error
		}
	}
	meetingH := meeting.New(d.Pool).WithPlannedHook(notifySvc.MeetingNotice).WithDecisionHook(notifySvc.Decided)
	if d.Sealer != nil {
		meetingH.WithCheckinKey(d.Sealer) // sign-in codes are keyed hashes under the data key
	}
	meH := me.New(d.Pool).WithSealer(d.Sealer)
	adminH := admin.New(d.Pool).WithStatus(d.Reads, d.Identity)
	auditH := audit.NewHandler(d.Pool)
	memberH := member.New(d.Pool, d.Sealer)
	orgH := org.New(d.Pool)
	lifeH := life.New(d.Pool)
	appraisalH := appraisal.New(d.Pool)
	talkH := talk.New(d.Pool)
	recruitH := recruit.New(d.Pool)
	commendH := commend.New(d.Pool)
	disciplineH := discipline.New(d.Pool)
	disposalH := disposal.New(d.Pool)
	electionH := org.NewElections(d.Pool)
	duesH := dues.New(d.Pool, d.Sealer)
	recruitImportH := recruit.NewImport(d.Pool, d.Sealer) // --- duesroll ---
	rulesH := rules.NewHandler(rules.NewStore(d.Pool))
	reviewH := review.New(d.Pool, d.ReviewJobs)
	alertsSvc := alerts.New(d.Pool).WithReviewJobs(d.ReviewJobs)

	r := chi.NewRouter()
	r.Use(middleware.RequestID)
	r.Use(d.TrustedProxies.RealIP)
	r.Use(accessLog(d.Logger))
	r.Use(d.Metrics.Middleware)
	// --- scale-out (issue 24): each request's read pool (a replica, or the primary) ---
	r.Use(d.Reads.Middleware)
	r.Use(ui.Recoverer)
	r.Use(securityHeaders(d.HTTPS))
	r.Use(compress())
	r.Use(crossOrigin)
	r.Use(limitBody(MaxBodyBytes, uploadRoutes))
	r.Use(validText(uploadRoutes))

	r.Get("/healthz", healthz)
	r.Get("/readyz", readyz(d.Pool))
	r.Method(http.MethodGet, "/metrics", d.Metrics.Handler(d.Pool))
	r.Handle("/static/*", ui.StaticHandler())

	r.Group(func(r chi.Router) {
		r.Use(auth.Language, ui.Flash, authSvc.LoadUser, alertsSvc.Badge, notifySvc.Badge)
		r.NotFound(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusNotFound) })
		r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) { ui.ErrorStatus(w, r, http.StatusMethodNotAllowed) })

		// Public.
		r.Method(http.MethodGet, "/login", ui.Handler(authSvc.LoginPage))
		r.With(loginLimit.Middleware(auth.ClientIP)).Method(http.MethodPost, "/login", ui.Handler(authSvc.Login))
		r.Method(http.MethodPost, "/lang", ui.Handler(authSvc.SwitchLanguage))
		r.Method(http.MethodGet, "/login/totp", ui.Handler(authSvc.SecondFactorPage))
		r.Method(http.MethodPost, "/login/totp", ui.Handler(authSvc.SecondFactor))
		// --- meetings: the iCalendar feed, behind each user's secret address ---
		r.Method(http.MethodGet, "/calendar/{token}.ics", ui.Handler(meetingH.ICal))

		// --- account --- signed in, also before the required password
		// change and TOTP enrolment.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser)
			r.Method(http.MethodPost, "/logout", ui.Handler(authSvc.Logout))
			r.Method(http.MethodGet, "/password", ui.Handler(authSvc.PasswordPage))
			r.Method(http.MethodPost, "/password", ui.Handler(authSvc.ChangePassword))
			r.Method(http.MethodGet, "/account/totp", ui.Handler(authSvc.TOTPSettings))
			r.Method(http.MethodGet, "/account/totp/qr.png", ui.Handler(authSvc.TOTPQRCode))
			r.Method(http.MethodPost, "/account/totp/start", ui.Handler(authSvc.StartTOTP))
			r.Method(http.MethodPost, "/account/totp/confirm", ui.Handler(authSvc.ConfirmTOTP))
			r.Method(http.MethodPost, "/account/totp/recovery", ui.Handler(authSvc.NewRecoveryCodes))
		})

		// Everyone signed in, with the password changed and TOTP enrolled
		// where required.
		r.Group(func(r chi.Router) {
			r.Use(auth.RequireUser, auth.RequireReady)
			r.Method(http.MethodGet, "/", ui.Handler(homeH.Home))

			// --- me: the member's own record ---
			r.Method(http.MethodGet, "/me", ui.Handler(meH.Me))
			r.Method(http.MethodGet, "/me/transcript", ui.Handler(meH.Transcript))
			r.Method(http.MethodPost, "/me/calendar", ui.Handler(meH.ResetCalendar))
			// --- selfadmin: a member's own phone and e-mail (issue 22) ---
			r.Method(http.MethodGet, "/me/contact", ui.Handler(meH.ContactForm))
			r.Method(http.MethodPost, "/me/contact", ui.Handler(meH.SaveContact))
			// --- discipline: a member's own talks (issue 19) ---
			r.Method(http.MethodGet, "/talks/mine", ui.Handler(talkH.Mine))
			// --- recruit2: a person's file, read by the branch's secretary and
			// committee and the reviewers above (scope), and by the person in the
			// pipeline themselves (read only); the handler checks which ---
			r.Method(http.MethodGet, "/recruitment/{id}", ui.Handler(recruitH.Show))
			r.Method(http.MethodGet, "/recruitment/{id}/print", ui.Handler(recruitH.Print))

			// --- notify: the inbox and mail preferences ---
			r.Method(http.MethodGet, "/inbox", ui.Handler(notifySvc.InboxHandler))
			r.Method(http.MethodPost, "/inbox/read-all", ui.Handler(notifySvc.ReadAll))
			r.Method(http.MethodPost, "/inbox/prefs", ui.Handler(notifySvc.SavePrefsHandler))
			r.Method(http.MethodPost, "/inbox/{id}/open", ui.Handler(notifySvc.Open))
			r.With(auth.RequireRole(auth.RoleSysAdmin)).Method(http.MethodGet, "/admin/jobs", ui.Handler(notifySvc.Jobs))
			r.With(auth.RequireRole(auth.RoleSysAdmin)).Method(http.MethodPost, "/admin/jobs/{id}/retry", ui.Handler(notifySvc.RetryJob))
			// --- selfadmin: the reminder-days setting (issue 22) ---
			r.With(auth.RequireRole(auth.RoleSysAdmin)).Method(http.MethodPost, "/admin/jobs/settings", ui.Handler(notifySvc.SaveReminderDays))
			// --- scale-out (issue 24): this instance's database connections, replicas and lag ---
			r.With(auth.RequireRole(auth.RoleSysAdmin)).Method(http.MethodGet, "/admin/status", ui.Handler(adminH.Status))

			// --- meeting: a member signs in with the QR code or the six-digit code ---
			r.Method(http.MethodGet, "/checkin", ui.Handler(meetingH.SignInForm))
			r.Method(http.MethodGet, "/checkin/{id}", ui.Handler(meetingH.SignInForm))
			r.Method(http.MethodPost, "/checkin/{id}", ui.Handler(meetingH.SignIn))

			// --- workbench: members act for themselves (leave, credits, minutes read) ---
			r.Method(http.MethodGet, "/me/leave/{id}", ui.Handler(meetingH.LeaveForm))
			r.Method(http.MethodPost, "/me/leave/{id}", ui.Handler(meetingH.RequestLeave))
			r.Method(http.MethodGet, "/me/credits/new", ui.Handler(meetingH.NewClaim))
			r.With(limitBody(upload.MaxBody, nil), validText(nil)).Method(http.MethodPost, "/me/credits/new", ui.Handler(meetingH.CreateClaim)) // --- files ---
			r.Method(http.MethodGet, "/me/requests", ui.Handler(meetingH.MyRequests))
			r.Method(http.MethodGet, "/me/credits/{rid}/file", ui.Handler(meetingH.OwnCreditFile))
			r.Method(http.MethodGet, "/me/meetings/{id}", ui.Handler(meetingH.MissedMinutes))
			r.Method(http.MethodPost, "/me/meetings/{id}/read", ui.Handler(meetingH.ConfirmRead))

			// --- admin: accounts --- the system administrator.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/admin/accounts", ui.Handler(adminH.Accounts))
				r.Method(http.MethodGet, "/admin/accounts/new", ui.Handler(adminH.NewAccount))
				r.Method(http.MethodPost, "/admin/accounts", ui.Handler(adminH.CreateAccount))
				r.Method(http.MethodGet, "/admin/accounts/{id}", ui.Handler(adminH.Account))
				r.Method(http.MethodPost, "/admin/accounts/{id}/disable", ui.Handler(adminH.DisableAccount))
				r.Method(http.MethodPost, "/admin/accounts/{id}/enable", ui.Handler(adminH.EnableAccount))
				r.Method(http.MethodPost, "/admin/accounts/{id}/password", ui.Handler(adminH.ResetPassword))
				r.Method(http.MethodPost, "/admin/accounts/{id}/sessions/end", ui.Handler(adminH.EndSessions))
			})

			// --- admin: security --- the security administrator.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecAdmin))
				r.Method(http.MethodGet, "/admin/security", ui.Handler(adminH.Security))
				r.Method(http.MethodPost, "/admin/security/settings", ui.Handler(adminH.SaveSettings))
				r.Method(http.MethodGet, "/admin/security/accounts/{id}", ui.Handler(adminH.Grants))
				r.Method(http.MethodPost, "/admin/security/accounts/{id}/unlock", ui.Handler(adminH.Unlock))
				r.Method(http.MethodPost, "/admin/security/accounts/{id}/roles", ui.Handler(adminH.Grant))
				r.Method(http.MethodPost, "/admin/security/accounts/{id}/roles/revoke", ui.Handler(adminH.Revoke))
				r.Method(http.MethodPost, "/admin/security/accounts/{id}/totp/reset", ui.Handler(adminH.ResetTOTP))
			})

			// --- audit --- the audit administrator only.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleAuditAdmin))
				r.Method(http.MethodGet, "/audit", ui.Handler(auditH.Search))
				r.Method(http.MethodGet, "/audit/export.csv", ui.Handler(auditH.Export))
			})

			// --- meetings: secretaries and committee members log their branch's
			// meetings; reviewers read those in their subtree ---
			r.Route("/meetings", func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				r.Method(http.MethodGet, "/", ui.Handler(meetingH.List))
				r.Method(http.MethodGet, "/new", ui.Handler(meetingH.NewForm))
				r.Method(http.MethodPost, "/new", ui.Handler(meetingH.Create))
				r.Method(http.MethodGet, "/calendar", ui.Handler(meetingH.Calendar))
				r.Method(http.MethodGet, "/credits/new", ui.Handler(meetingH.NewCredit))
				r.Method(http.MethodPost, "/credits/new", ui.Handler(meetingH.CreateCredit))
				// --- workbench: the secretary decides members' requests ---
				r.Method(http.MethodGet, "/requests", ui.Handler(meetingH.Requests))
				r.Method(http.MethodPost, "/requests/leave/{rid}", ui.Handler(meetingH.DecideLeave))
				r.Method(http.MethodPost, "/requests/credit/{rid}", ui.Handler(meetingH.DecideCredit))
				r.Method(http.MethodGet, "/requests/credit/{rid}/file", ui.Handler(meetingH.CreditFile)) // --- files ---
				// --- meeting: the sign-in screen at the door ---
				r.Method(http.MethodGet, "/{id}/checkin", ui.Handler(meetingH.Checkin))
				r.Method(http.MethodGet, "/{id}/checkin/qr.svg", ui.Handler(meetingH.CheckinQR))
				r.Method(http.MethodGet, "/{id}/checkin/state", ui.Handler(meetingH.CheckinState))
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
				r.With(limitBody(meeting.MaxUploadBody, nil), validText(nil)).Method(http.MethodPost, "/{id}/attachments", ui.Handler(meetingH.Upload))
				r.Method(http.MethodGet, "/{id}/attachments/{aid}", ui.Handler(meetingH.Download))
				r.Method(http.MethodPost, "/{id}/attachments/{aid}/delete", ui.Handler(meetingH.DeleteAttachment))
				// --- correct: attendance, time and place of a submitted meeting, and its signed sheet ---
				r.Method(http.MethodGet, "/{id}/correct/attendance", ui.Handler(meetingH.CorrectAttendanceForm))
				r.Method(http.MethodPost, "/{id}/correct/attendance", ui.Handler(meetingH.CorrectAttendance))
				r.Method(http.MethodGet, "/{id}/correct/details", ui.Handler(meetingH.CorrectDetailsForm))
				r.Method(http.MethodPost, "/{id}/correct/details", ui.Handler(meetingH.CorrectDetails))
				r.With(limitBody(meeting.MaxUploadBody, nil), validText(nil)).Method(http.MethodPost, "/{id}/sheet", ui.Handler(meetingH.UploadSheet))
			})

			// --- organisations ---
			// Reviewers, secretaries and committee members read their subtree;
			// system administrators keep the tree and the committee terms.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/orgs", ui.Handler(orgH.Tree))
				r.Method(http.MethodGet, "/orgs/{id}", ui.Handler(orgH.Show))
			})
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
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
				r.Use(auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee))
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

			// Secretaries, branch committee members and reviewers.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))

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
				// --- discipline: purposeful talks (issue 19) ---
				r.Method(http.MethodGet, "/talks/reminders", ui.Handler(talkH.Reminders))
				r.Method(http.MethodGet, "/talks/{id}", ui.Handler(talkH.Show))
				r.Method(http.MethodPost, "/talks/{id}/follow-up", ui.Handler(talkH.FollowUp))
				r.Method(http.MethodGet, "/discipline", ui.Handler(disciplineH.List))
				r.Method(http.MethodGet, "/discipline/new", ui.Handler(disciplineH.NewPage))
				r.Method(http.MethodPost, "/discipline", ui.Handler(disciplineH.Create))
				r.Method(http.MethodGet, "/discipline/{id}", ui.Handler(disciplineH.Show))
				r.Method(http.MethodPost, "/discipline/{id}/close", ui.Handler(disciplineH.Close))
				r.Method(http.MethodGet, "/disposals", ui.Handler(disposalH.List))
				r.Method(http.MethodGet, "/disposals/new", ui.Handler(disposalH.NewPage))
				r.Method(http.MethodPost, "/disposals", ui.Handler(disposalH.Create))
				r.Method(http.MethodGet, "/disposals/{id}", ui.Handler(disposalH.Show))
				r.Method(http.MethodPost, "/disposals/{id}/steps", ui.Handler(disposalH.AddStep))
				r.Method(http.MethodGet, "/elections", ui.Handler(electionH.List))
				r.Method(http.MethodGet, "/elections/new", ui.Handler(electionH.NewPage))
				r.Method(http.MethodPost, "/elections", ui.Handler(electionH.Create))
				r.Method(http.MethodGet, "/elections/{id}", ui.Handler(electionH.Show))
				r.Method(http.MethodPost, "/elections/{id}/decide", ui.Handler(electionH.Decide))

				// --- recruit ---
				// The pipeline: the secretary's branch board, the reviewer's
				// subtree; each handler checks the person's branch in scope.
				r.Method(http.MethodGet, "/recruitment", ui.Handler(recruitH.Board))
				r.Method(http.MethodGet, "/recruitment/transfers", ui.Handler(recruitH.Transfers))
				r.Method(http.MethodPost, "/recruitment/transfers", ui.Handler(recruitH.IssueLetter))
				r.Method(http.MethodPost, "/recruitment/transfers/{id}/receipt", ui.Handler(recruitH.Receipt))
				r.Method(http.MethodGet, "/recruitment/transfers/{id}/print", ui.Handler(recruitH.LetterPrint))
				r.Method(http.MethodPost, "/recruitment/{id}/steps", ui.Handler(recruitH.Record))

				// --- commend ---
				r.Method(http.MethodGet, "/commendations", ui.Handler(commendH.List))
				r.Method(http.MethodGet, "/commendations/export.xlsx", ui.Handler(commendH.Export))
				r.Method(http.MethodGet, "/commendations/new", ui.Handler(commendH.NewPage))
				r.Method(http.MethodPost, "/commendations", ui.Handler(commendH.Create))
				r.Method(http.MethodGet, "/commendations/nominees", ui.Handler(commendH.Nominees))
				r.Method(http.MethodPost, "/commendations/nominees/approve", ui.Handler(commendH.Approve))
			})

			// --- dues --- secretaries and branch committee members keep their
			// branch's ledger; reviewers read the subtree and confirm months.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				r.Method(http.MethodGet, "/dues", ui.Handler(duesH.Index))
				r.Method(http.MethodGet, "/dues/branches/{id}", ui.Handler(duesH.Branch))
				r.Method(http.MethodPost, "/dues/branches/{id}/payments", ui.Handler(duesH.Pay))
				r.Method(http.MethodPost, "/dues/branches/{id}/close", ui.Handler(duesH.Close))
				r.Method(http.MethodPost, "/dues/branches/{id}/confirm", ui.Handler(duesH.Confirm))
				r.Method(http.MethodPost, "/dues/branches/{id}/corrections", ui.Handler(duesH.Correct))
				r.Method(http.MethodPost, "/dues/branches/{id}/excuses", ui.Handler(duesH.Excuse))
				r.Method(http.MethodGet, "/dues/branches/{id}/bases", ui.Handler(duesH.Bases))
				r.Method(http.MethodPost, "/dues/branches/{id}/bases/import", ui.Handler(duesH.Import))
				r.Method(http.MethodGet, "/dues/branches/{id}/bases/{member}", ui.Handler(duesH.BasePage))
				r.Method(http.MethodPost, "/dues/branches/{id}/bases/{member}", ui.Handler(duesH.SaveBase))
				r.Method(http.MethodGet, "/dues/branches/{id}/report", ui.Handler(duesH.ReportPage))
				r.Method(http.MethodGet, "/dues/branches/{id}/report.xlsx", ui.Handler(duesH.ReportExport))
			})

			// --- selfadmin: /plans read by every member, a plain member their branch's plan only (issue 23) ---
			r.Group(func(r chi.Router) {
				plansReadH := plans.New(d.Pool)
				r.Method(http.MethodGet, "/plans", ui.Handler(plansReadH.List))
				r.Method(http.MethodGet, "/plans/{id}", ui.Handler(plansReadH.Show))
			})

			// --- plans --- the year's work plan (issue 23): the committee
			// publishes and reviews; a branch answers and adds its own items.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				plansH := plans.New(d.Pool).WithNotifier(notifySvc.NotifyBranch, notify.KindReminder)
				r.Method(http.MethodGet, "/plans/matrix", ui.Handler(plansH.Matrix))
				r.Method(http.MethodGet, "/plans/new", ui.Handler(plansH.NewPage))
				r.Method(http.MethodPost, "/plans", ui.Handler(plansH.Create))
				r.Method(http.MethodPost, "/plans/remind", ui.Handler(plansH.Remind))
				r.Method(http.MethodGet, "/plans/answers/{id}", ui.Handler(plansH.ShowAnswer))
				r.With(limitBody(upload.MaxBody, nil), validText(nil)).Method(http.MethodPost, "/plans/answers/{id}", ui.Handler(plansH.Respond)) // --- files ---
				r.Method(http.MethodGet, "/plans/answers/{id}/files/{fid}", ui.Handler(plansH.AnswerFile))                                        // --- files ---
				r.Method(http.MethodPost, "/plans/answers/{id}/review", ui.Handler(plansH.ReviewAnswer))
				// grading branches, consolidation plans, secretaries' reports
				gradesH := grades.New(d.Pool)
				r.Method(http.MethodGet, "/grades", ui.Handler(gradesH.Index))
				r.Method(http.MethodGet, "/grades/branches/{id}", ui.Handler(gradesH.Branch))
				r.Method(http.MethodPost, "/grades/branches/{id}", ui.Handler(gradesH.Grade))
				r.Method(http.MethodGet, "/grades/plans/{id}", ui.Handler(gradesH.Plan))
				r.Method(http.MethodPost, "/grades/plans/{id}/measures", ui.Handler(gradesH.AddMeasure))
				r.Method(http.MethodPost, "/grades/plans/{id}/measures/{mid}/done", ui.Handler(gradesH.MeasureDone))
				r.Method(http.MethodPost, "/grades/plans/{id}/notes", ui.Handler(gradesH.AddNote))
				r.Method(http.MethodPost, "/grades/plans/{id}/close", ui.Handler(gradesH.ClosePlan)) // --- consolidation: ending a plan ---
				r.Method(http.MethodGet, "/grades/reports", ui.Handler(gradesH.ReportsList))
				r.Method(http.MethodPost, "/grades/reports", ui.Handler(gradesH.SubmitReport))
				r.Method(http.MethodGet, "/grades/reports/{id}", ui.Handler(gradesH.Report))
				r.Method(http.MethodPost, "/grades/reports/{id}/review", ui.Handler(gradesH.ReviewReport))
			})

			// --- alerts ---
			r.Method(http.MethodGet, "/alerts", ui.Handler(alertsSvc.List))

			// --- review ---
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleReviewer))
				r.Method(http.MethodGet, "/review", ui.Handler(reviewH.Dashboard))
				r.Method(http.MethodGet, "/review/export.xlsx", ui.Handler(reviewH.Export))
				r.Method(http.MethodPost, "/review/branches/{id}/reviews", ui.Handler(reviewH.Rate))
			})
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee))
				r.Method(http.MethodGet, "/review/branches/{id}", ui.Handler(reviewH.Branch))
				r.Method(http.MethodGet, "/review/branches/{id}/report", ui.Handler(reviewH.Report))
				r.Method(http.MethodPost, "/review/branches/{id}/reviews/{rid}/response", ui.Handler(reviewH.Respond))
			})

			// --- breach ---
			// The breach record of a branch's year, read by whoever reads
			// its compliance page.
			r.With(auth.RequireRole(auth.RoleReviewer, auth.RoleSecretary, auth.RoleBranchCommittee)).
				Method(http.MethodGet, "/review/branches/{id}/year", ui.Handler(reviewH.Year))

			// --- rulescope ---
			// A reviewer's rule settings of the organisations in the
			// committee's subtree (rules per subtree, issue 18); the
			// handlers answer 404 outside it.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleReviewer))
				r.Method(http.MethodGet, "/review/orgs/{id}/rules", ui.Handler(rulesH.Scope))
				r.Method(http.MethodGet, "/review/orgs/{id}/rules/{code}", ui.Handler(rulesH.Override))
				r.Method(http.MethodPost, "/review/orgs/{id}/rules/{code}", ui.Handler(rulesH.SaveOverride))
				r.Method(http.MethodPost, "/review/orgs/{id}/rules/{code}/remove", ui.Handler(rulesH.RemoveOverride))
			})

			// --- inspect, cases, notices (issue 23, part B) ---
			// Notices: every member reads their branch's; the handlers check.
			noticesH := notices.New(d.Pool)
			r.Method(http.MethodGet, "/notices", ui.Handler(noticesH.List))
			r.Method(http.MethodGet, "/notices/new", ui.Handler(noticesH.NewPage))
			r.Method(http.MethodPost, "/notices", ui.Handler(noticesH.Create))
			r.Method(http.MethodGet, "/notices/{id}", ui.Handler(noticesH.Show))
			r.Method(http.MethodPost, "/notices/{id}/objections", ui.Handler(noticesH.Object))
			r.Method(http.MethodPost, "/notices/{id}/objections/{oid}/answer", ui.Handler(noticesH.Answer))
			// Cases: every member reads the library; branches submit,
			// the committee decides; vanguard posts for branches and reviewers.
			casesH := cases.New(d.Pool)
			r.Method(http.MethodGet, "/cases", ui.Handler(casesH.List))
			r.Method(http.MethodGet, "/cases/new", ui.Handler(casesH.NewPage))
			r.Method(http.MethodPost, "/cases", ui.Handler(casesH.Create))
			r.Method(http.MethodGet, "/cases/{id}", ui.Handler(casesH.Show))
			r.Method(http.MethodPost, "/cases/{id}/decide", ui.Handler(casesH.Decide))
			r.Method(http.MethodGet, "/cases/{id}/edit", ui.Handler(casesH.EditPage))
			r.Method(http.MethodPost, "/cases/{id}/edit", ui.Handler(casesH.Resubmit))
			// --- files: photos of a case (the branch until approved; readers of the case see them) ---
			r.With(limitBody(upload.MaxBody, nil), validText(nil)).Method(http.MethodPost, "/cases/{id}/photos", ui.Handler(casesH.AddPhoto))
			r.Method(http.MethodGet, "/cases/{id}/photos/{pid}", ui.Handler(casesH.ShowPhoto))
			r.Method(http.MethodPost, "/cases/{id}/photos/{pid}/delete", ui.Handler(casesH.DeletePhoto))
			r.Group(func(r chi.Router) {
				inspectH := inspect.New(d.Pool)
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				r.Method(http.MethodGet, "/inspections", ui.Handler(inspectH.List))
				r.Method(http.MethodGet, "/inspections/new", ui.Handler(inspectH.NewPage))
				r.Method(http.MethodPost, "/inspections", ui.Handler(inspectH.Create))
				r.Method(http.MethodGet, "/inspections/{id}", ui.Handler(inspectH.Show))
				r.Method(http.MethodGet, "/inspections/{id}/branches/{branch}", ui.Handler(inspectH.BranchPage))
				r.Method(http.MethodPost, "/inspections/{id}/branches/{branch}", ui.Handler(inspectH.SaveBranch))
				r.Method(http.MethodPost, "/inspections/{id}/issue", ui.Handler(inspectH.Issue))
				r.Method(http.MethodPost, "/inspections/{id}/findings/{fid}/close", ui.Handler(inspectH.CloseFinding))
				r.Method(http.MethodGet, "/vanguard", ui.Handler(casesH.Posts))
				r.Method(http.MethodGet, "/vanguard/new", ui.Handler(casesH.NewPost))
				r.Method(http.MethodPost, "/vanguard", ui.Handler(casesH.CreatePost))
				r.Method(http.MethodGet, "/vanguard/{id}", ui.Handler(casesH.ShowPost))
				r.Method(http.MethodPost, "/vanguard/{id}/pledges", ui.Handler(casesH.SavePledge))
			})

			// --- leadgroup ---
			// Leadership groups and their members (issue 18): the
			// committee's reviewers; the handlers check the subtree.
			r.Group(func(r chi.Router) {
				leadgroupH := leadgroup.New(d.Pool)
				r.Use(auth.RequireRole(auth.RoleReviewer))
				r.Method(http.MethodGet, "/leadership-groups", ui.Handler(leadgroupH.List))
				r.Method(http.MethodGet, "/leadership-groups/new", ui.Handler(leadgroupH.NewPage))
				r.Method(http.MethodPost, "/leadership-groups", ui.Handler(leadgroupH.Create))
				r.Method(http.MethodGet, "/leadership-groups/{id}", ui.Handler(leadgroupH.Show))
				r.Method(http.MethodGet, "/leadership-groups/{id}/print", ui.Handler(leadgroupH.Print))
				r.Method(http.MethodGet, "/leadership-groups/{id}/edit", ui.Handler(leadgroupH.EditPage))
				r.Method(http.MethodPost, "/leadership-groups/{id}/edit", ui.Handler(leadgroupH.Edit))
				r.Method(http.MethodPost, "/leadership-groups/{id}/members", ui.Handler(leadgroupH.AddMember))
				r.Method(http.MethodGet, "/leadership-groups/{id}/members/{mid}/edit", ui.Handler(leadgroupH.MemberEditPage))
				r.Method(http.MethodPost, "/leadership-groups/{id}/members/{mid}/edit", ui.Handler(leadgroupH.MemberEdit))
				r.Method(http.MethodGet, "/leadership-groups/{id}/members/{mid}/remove", ui.Handler(leadgroupH.ConfirmRemove))
				r.Method(http.MethodPost, "/leadership-groups/{id}/members/{mid}/remove", ui.Handler(leadgroupH.RemoveMember))
			})

			// --- rules ---
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/admin/rules", ui.Handler(rulesH.List))
				r.Method(http.MethodGet, "/admin/rules/new", ui.Handler(rulesH.New))
				r.Method(http.MethodPost, "/admin/rules/new", ui.Handler(rulesH.Create))
				r.Method(http.MethodPost, "/admin/rules/scale", ui.Handler(rulesH.SetScale))
				r.Method(http.MethodPost, "/admin/rules/self-study", ui.Handler(rulesH.SetSelfStudy))
				r.Method(http.MethodGet, "/admin/rules/{code}", ui.Handler(rulesH.Edit))
				r.Method(http.MethodPost, "/admin/rules/{code}", ui.Handler(rulesH.Update))
				// --- discipline: the settings of issue 19 ---
				r.Method(http.MethodGet, "/admin/discipline-settings", ui.Handler(disciplineH.SettingsForm))
				r.Method(http.MethodPost, "/admin/discipline-settings", ui.Handler(disciplineH.SaveSettings))
			})

			// --- selfadmin: the grades of branches (grade_levels, issue 23) --- (system administrators, like /admin/rules)
			r.Group(func(r chi.Router) {
				levelsH := grades.New(d.Pool)
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/admin/grade-levels", ui.Handler(levelsH.LevelsAdmin))
				r.Method(http.MethodPost, "/admin/grade-levels", ui.Handler(levelsH.AddLevel))
				r.Method(http.MethodGet, "/admin/grade-levels/{code}", ui.Handler(levelsH.LevelEdit))
				r.Method(http.MethodPost, "/admin/grade-levels/{code}", ui.Handler(levelsH.RenameLevel))
				r.Method(http.MethodPost, "/admin/grade-levels/{code}/move", ui.Handler(levelsH.MoveLevel))
				r.Method(http.MethodPost, "/admin/grade-levels/{code}/retire", ui.Handler(levelsH.RetireLevel))
				r.Method(http.MethodPost, "/admin/grade-levels/{code}/reinstate", ui.Handler(levelsH.ReinstateLevel))
			})

			// --- recruit: rule settings --- (system administrators, like /admin/rules)
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/admin/recruit-rules", ui.Handler(recruitH.Rules))
				r.Method(http.MethodPost, "/admin/recruit-rules", ui.Handler(recruitH.ChangeRule))
			})

			// --- duesroll --- the committee's dues roll-up export; the
			// recruitment import; the dues settings (system administrators).
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				r.Method(http.MethodGet, "/dues/rollup.xlsx", ui.Handler(duesH.RollupExport))
			})
			// The recruitment import (issue 20): secretaries and committee
			// members write their branch's pipeline.
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSecretary, auth.RoleBranchCommittee, auth.RoleReviewer))
				r.Method(http.MethodGet, "/recruitment/import", ui.Handler(recruitImportH.ImportForm))
				r.Method(http.MethodPost, "/recruitment/import", ui.Handler(recruitImportH.Preview))
				r.Method(http.MethodPost, "/recruitment/import/commit", ui.Handler(recruitImportH.Commit))
				r.Method(http.MethodGet, "/recruitment/import/template.xlsx", ui.Handler(recruitImportH.Template))
			})
			r.Group(func(r chi.Router) {
				r.Use(auth.RequireRole(auth.RoleSysAdmin))
				r.Method(http.MethodGet, "/admin/dues-settings", ui.Handler(duesH.SettingsForm))
				r.Method(http.MethodPost, "/admin/dues-settings", ui.Handler(duesH.SaveSettings))
			})
		})
	})
	return r
}
