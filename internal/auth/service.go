package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
)

// Policy holds the deployment's sign-in settings. The lock-out and
// password-age rules live in the database (Settings), edited by the
// security administrator.
type Policy struct {
	SecureCookies bool // served over HTTPS: Secure, __Host- prefix
	Session       SessionPolicy
}

// DefaultPolicy: sessions of 30 minutes idle and 12 hours at most.
var DefaultPolicy = Policy{Session: DefaultSessionPolicy}

// Service signs people in and out and loads the signed-in user of each request.
type Service struct {
	pool     *pgxpool.Pool
	sessions *Sessions
	policy   Policy
	sealer   *pii.Sealer
	now      func() time.Time
}

// NewService returns the sign-in service. The sealer encrypts TOTP secrets.
func NewService(pool *pgxpool.Pool, policy Policy, sealer *pii.Sealer) *Service {
	return &Service{pool: pool, sessions: NewSessions(pool, policy.Session), policy: policy, sealer: sealer, now: time.Now}
}

// WithIdentityCache keeps each session's identity in c for up to a
// second per instance (see IdentityCache); nil reads it on every request.
func (s *Service) WithIdentityCache(c *IdentityCache) *Service {
	if c != nil {
		s.sessions.WithCache(c)
	}
	return s
}

// Sessions returns the session store, for administrators ending sessions.
func (s *Service) Sessions() *Sessions { return s.sessions }

func (s *Service) cookieName() string {
	if s.policy.SecureCookies {
		return "__Host-zhibu_session"
	}
	return "zhibu_session"
}

func (s *Service) setCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(), Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.policy.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

// ClientIP is the address of the request's client, without the port.
func ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Language picks the request language: the signed-in user's choice, else
// the lang cookie, else Accept-Language.
func Language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := i18n.FromRequest(r)
		if c, err := r.Cookie("zhibu_lang"); err == nil {
			if l, ok := i18n.Parse(c.Value); ok {
				lang = l
			}
		}
		ctx := i18n.WithLang(r.Context(), lang)
		ctx = ui.WithPath(ctx, r.URL.RequestURI())
		ctx = audit.WithActor(ctx, audit.Actor{IP: ClientIP(r)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// LoadUser is middleware that finds the request's session, if any, and
// puts the signed-in user, the layout's viewer and the audit actor into
// the context.
func (s *Service) LoadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName())
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		u, err := s.sessions.LookupUser(ctx, c.Value)
		if errors.Is(err, errNoSession) {
			s.setCookie(w, "", -1)
			next.ServeHTTP(w, r)
			return
		}
		if err != nil {
			ui.RenderError(w, r, err)
			return
		}
		if l, ok := i18n.Parse(u.Language); ok {
			ctx = i18n.WithLang(ctx, l)
		}
		ctx = WithUser(ctx, u)
		ctx = WithScope(ctx, NewScope(u))
		ctx = audit.WithActor(ctx, audit.Actor{ID: u.AccountID, Name: u.Username, Role: string(u.MainRole()), IP: ClientIP(r)})
		ctx = ui.WithViewer(ctx, &ui.Viewer{Name: u.DisplayName, Role: "role." + string(u.MainRole()), Nav: NavFor(u), Demo: u.Demo, Active: activeSection(r.URL.Path)})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func activeSection(path string) string {
	if path == "/" {
		return "/"
	}
	parts := strings.SplitN(strings.TrimPrefix(path, "/"), "/", 3)
	if parts[0] == "admin" && len(parts) > 1 {
		return "/admin/" + parts[1]
	}
	return "/" + parts[0]
}

// navGroups gathers the areas into the menus of the navigation bar (a
// committee reviewer has some twenty): the first prefix that matches an
// entry's address names its menu.
var navGroups = []struct{ prefix, group string }{
	{"/review/branches/", "nav.group.meetings"}, // a branch's own compliance page
	{"/review", "nav.group.work"},
	{"/plans", "nav.group.work"},
	{"/grades", "nav.group.work"},
	{"/inspections", "nav.group.work"},
	{"/orgs", "nav.group.people"},
	{"/members", "nav.group.people"},
	{"/recruitment", "nav.group.people"},
	{"/dues", "nav.group.people"},
	{"/meetings", "nav.group.meetings"},
	{"/life", "nav.group.meetings"},
	{"/leadership-groups", "nav.group.meetings"}, // --- leadgroup ---
	{"/talks/", "nav.group.meetings"},
	{"/discipline", "nav.group.discipline"},
	{"/disposals", "nav.group.discipline"},
	{"/elections", "nav.group.discipline"},
	{"/commendations", "nav.group.publicity"},
	{"/notices", "nav.group.publicity"},
	{"/cases", "nav.group.publicity"},
	{"/admin/", "nav.group.admin"},
	{"/audit", "nav.group.admin"},
}

func navGroupOf(href string) string {
	for _, g := range navGroups {
		if strings.HasPrefix(href, g.prefix) {
			return g.group
		}
	}
	return ""
}

// NavFor lists the navigation entries the user's roles open.
func NavFor(u *User) []ui.NavItem {
	nav := []ui.NavItem{{Href: "/", Label: "nav.home"}}
	add := func(href, label string) {
		for _, n := range nav {
			if n.Href == href {
				return
			}
		}
		nav = append(nav, ui.NavItem{Href: href, Label: label, Group: navGroupOf(href)})
	}
	pin := func(href, label string) {
		nav = append(nav, ui.NavItem{Href: href, Label: label, Pinned: true})
	}
	if u.Has(RoleReviewer) {
		add("/review", "nav.review")
	}
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) || u.Has(RoleSysAdmin) {
		add("/orgs", "nav.orgs")
	}
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) {
		add("/members", "nav.members")
		add("/recruitment", "nav.recruitment")
		add("/meetings", "nav.meetings")
		add("/life", "nav.life")
		add("/commendations", "nav.commendations")
		add("/dues", "nav.dues")
	}
	if b := u.BranchID(); b != 0 && !u.Has(RoleReviewer) {
		// A branch's own compliance page: the rules it is held to, month by month.
		add(fmt.Sprintf("/review/branches/%d", b), "nav.compliance")
	}
	// --- discipline (issue 19): reminder talks, sanctions, disposals, elections ---
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) {
		add("/elections", "nav.elections")
		add("/disposals", "nav.disposals")
	}
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) {
		add("/discipline", "nav.discipline")
	}
	// --- plans (issue 23): the year's work plan, grades and secretaries' reports ---
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) {
		add("/plans", "nav.plans")
		add("/grades", "nav.grades")
	}
	if u.MemberID != 0 && !(u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee)) {
		add("/plans", "nav.plans") // --- selfadmin: a member reads the branch's plan (issue 23) ---
	}
	if u.MemberID != 0 {
		add("/talks/mine", "nav.my_talks")
	}
	// --- inspect, cases, notices (issue 23, part B) ---
	if u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) {
		add("/inspections", "nav.inspections")
	}
	if u.MemberID != 0 || u.Has(RoleReviewer) || u.Has(RoleSecretary) || u.Has(RoleBranchCommittee) {
		add("/notices", "nav.notices")
		add("/cases", "nav.cases")
	}
	if u.Has(RoleReviewer) {
		add("/leadership-groups", "leadgroup.nav") // --- leadgroup ---
	}
	if u.Has(RoleSysAdmin) {
		add("/admin/discipline-settings", "nav.discipline_settings")
	}
	if u.Has(RoleSysAdmin) {
		add("/admin/dues-settings", "nav.dues_settings")
	}
	if u.Has(RoleSysAdmin) {
		add("/admin/accounts", "nav.accounts")
		add("/admin/rules", "nav.rules")
		add("/admin/recruit-rules", "nav.recruit_rules")
		add("/admin/grade-levels", "selfadmin.nav.grade_levels") // --- selfadmin (issue 23) ---
	}
	if u.Has(RoleSecAdmin) {
		add("/admin/security", "nav.security")
	}
	if u.Has(RoleAuditAdmin) {
		add("/audit", "nav.audit")
	}
	if u.MemberID != 0 {
		pin("/me", "nav.me")
	}
	if !u.Has(RoleSysAdmin) && !u.Has(RoleSecAdmin) && !u.Has(RoleAuditAdmin) {
		pin("/alerts", "nav.alerts")
	}
	pin("/inbox", "nav.inbox")
	if u.Has(RoleSysAdmin) {
		add("/admin/jobs", "nav.jobs")
		add("/admin/status", "nav.status") // --- scale-out (issue 24) ---
	}
	return nav
}

// RequireUser sends anonymous visitors to the sign-in page.
func RequireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if UserOf(r.Context()) == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			ui.ErrorStatus(w, r, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// RequireRole lets through only users holding at least one of roles; the
// others get 403.
func RequireRole(roles ...Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u := UserOf(r.Context())
			for _, role := range roles {
				if u.Has(role) {
					next.ServeHTTP(w, r)
					return
				}
			}
			ui.ErrorStatus(w, r, http.StatusForbidden)
		})
	}
}

// RequireReady holds back a signed-in user who must first change their
// password or enrol a second factor: pages redirect to that step, other
// requests get 403.
func RequireReady(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u := UserOf(r.Context())
		dest := ""
		switch {
		case u.MustChangePassword:
			dest = "/password"
		case u.NeedsTOTP():
			dest = "/account/totp"
		}
		if dest == "" {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			http.Redirect(w, r, dest, http.StatusSeeOther)
			return
		}
		ui.ErrorStatus(w, r, http.StatusForbidden)
	})
}

// LoginForm is what the sign-in form holds.
type LoginForm struct {
	Username string
	Next     string
	Error    string // translation key
}

// LoginPage shows the sign-in form.
func (s *Service) LoginPage(w http.ResponseWriter, r *http.Request) error {
	if UserOf(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return ui.Render(w, r, http.StatusOK, LoginView(LoginForm{Next: safeNext(r.URL.Query().Get("next"))}))
}

// safeNext keeps a post-login destination only when it is a local path.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

// errBadLogin is the single answer to every failed sign-in, so the page
// never tells whether an account exists or is locked.
var errBadLogin = errors.New("auth: bad login")

// LoginInput is the parsed sign-in form.
type LoginInput struct {
	Username string
	Password string
	Next     string
}

// ParseLoginForm reads the sign-in form; ok is false when a field is too
// long to be anyone's, which is answered like a wrong password.
func ParseLoginForm(v url.Values) (LoginInput, bool) {
	in := LoginInput{Username: strings.TrimSpace(v.Get("username")), Password: v.Get("password"), Next: safeNext(v.Get("next"))}
	if len(in.Username) > 64 || len(in.Password) > 256 || in.Username == "" || in.Password == "" {
		return in, false
	}
	return in, true
}

// Login checks the posted username and password and starts a session, or,
// for an account with a second factor, a login challenge.
func (s *Service) Login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("auth: login form: %w", apperr.ErrInvalid)
	}
	in, ok := ParseLoginForm(r.PostForm)
	form := LoginForm{Username: in.Username, Next: in.Next}
	if !ok {
		form.Error = "auth.bad_login"
		return ui.Render(w, r, http.StatusUnauthorized, LoginView(form))
	}
	ctx := r.Context()
	a, err := s.authenticate(ctx, in.Username, in.Password)
	if errors.Is(err, errBadLogin) {
		form.Error = "auth.bad_login"
		return ui.Render(w, r, http.StatusUnauthorized, LoginView(form))
	}
	if err != nil {
		return err
	}
	if a.TOTPSecret != nil {
		token, err := s.createChallenge(ctx, a.ID, in.Next)
		if err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: challengeCookie, Value: token, Path: "/login", MaxAge: int(challengeTTL.Seconds()),
			HttpOnly: true, Secure: s.policy.SecureCookies, SameSite: http.SameSiteLaxMode})
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return nil
	}
	if err := s.startSession(w, r, a.ID); err != nil {
		return err
	}
	http.Redirect(w, r, in.Next, http.StatusSeeOther)
	return nil
}

// startSession creates a session with a new token and sets its cookie.
func (s *Service) startSession(w http.ResponseWriter, r *http.Request, accountID int64) error {
	token, err := s.sessions.Create(r.Context(), accountID, ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	s.setCookie(w, token, int(s.policy.Session.Absolute.Seconds()))
	return nil
}

// RotateSession ends every session of the signed-in user and starts a new
// one with a new token: after a password change or a change of privilege.
func (s *Service) RotateSession(w http.ResponseWriter, r *http.Request, accountID int64) error {
	if err := s.sessions.DeleteAll(r.Context(), accountID); err != nil {
		return err
	}
	return s.startSession(w, r, accountID)
}

// authenticate checks the credentials, counts failures, locks the account
// after too many, and audits every attempt. It returns errBadLogin for any
// refusal.
func (s *Service) authenticate(ctx context.Context, username, password string) (account, error) {
	username = strings.ToLower(username)
	settings, err := LoadSettings(ctx, s.pool)
	if err != nil {
		return account{}, err
	}
	a, err := accountByUsername(ctx, s.pool, username)
	if errors.Is(err, apperr.ErrNotFound) {
		// Spend the same time as a real check.
		_, _ = CheckPassword(ctx, password, dummyHash)
		actx := audit.WithActor(ctx, withName(audit.ActorOf(ctx), username))
		if err := audit.Record(actx, s.pool, audit.Event{Action: "login", Entity: "account", Outcome: audit.Failed, After: map[string]string{"reason": "unknown_user"}}); err != nil {
			return a, err
		}
		return a, errBadLogin
	}
	if err != nil {
		return a, err
	}
	ok, err := CheckPassword(ctx, password, a.PasswordHash)
	if err != nil {
		return a, fmt.Errorf("auth: check password of %d: %w", a.ID, err)
	}
	now := s.now()
	actx := audit.WithActor(ctx, audit.Actor{ID: a.ID, Name: a.Username, Role: mainRoleOf(ctx, s.pool, a.ID), IP: audit.ActorOf(ctx).IP})
	locked := a.LockedUntil != nil && a.LockedUntil.After(now)
	var result error
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		switch {
		case a.DisabledAt != nil:
			result = errBadLogin
			return audit.Record(actx, tx, audit.Event{Action: "login", Entity: "account", EntityID: a.ID, Outcome: audit.Denied, After: map[string]string{"reason": "disabled"}})
		case locked:
			result = errBadLogin
			return audit.Record(actx, tx, audit.Event{Action: "login", Entity: "account", EntityID: a.ID, Outcome: audit.Denied, After: map[string]string{"reason": "locked"}})
		case !ok:
			result = errBadLogin
			return countFailure(actx, tx, a.ID, settings, now, "bad_password")
		default:
			if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1`, a.ID); err != nil {
				return fmt.Errorf("auth: reset failures of %d: %w", a.ID, err)
			}
			action := "login"
			if a.TOTPSecret != nil {
				action = "login.password"
			}
			return audit.Record(actx, tx, audit.Event{Action: action, Entity: "account", EntityID: a.ID})
		}
	})
	if err != nil {
		return a, err
	}
	if result != nil {
		return a, result
	}
	return a, nil
}

// countFailure counts a failed attempt (a wrong password or second
// factor), audits it, and locks the account when the count reaches the limit.
func countFailure(ctx context.Context, tx pgx.Tx, accountID int64, settings Settings, now time.Time, reason string) error {
	var failed int
	var lockedUntil *time.Time
	err := tx.QueryRow(ctx, `
UPDATE accounts SET failed_logins = failed_logins + 1,
       locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3::timestamptz ELSE locked_until END
 WHERE id = $1 RETURNING failed_logins, locked_until`, accountID, settings.LockAfter, now.Add(settings.LockFor())).Scan(&failed, &lockedUntil)
	if err != nil {
		return fmt.Errorf("auth: count failure of %d: %w", accountID, err)
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "login", Entity: "account", EntityID: accountID, Outcome: audit.Failed, After: map[string]any{"reason": reason, "failed_logins": failed}}); err != nil {
		return err
	}
	if failed >= settings.LockAfter {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET failed_logins = 0 WHERE id = $1`, accountID); err != nil {
			return fmt.Errorf("auth: reset failures of %d: %w", accountID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.locked", Entity: "account", EntityID: accountID, After: map[string]any{"locked_until": lockedUntil}})
	}
	return nil
}

func withName(a audit.Actor, name string) audit.Actor {
	if len(name) > 64 {
		name = name[:64]
	}
	a.Name = name
	return a
}

// Logout ends every session of the account (on every device) and returns
// to the sign-in page.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if c, err := r.Cookie(s.cookieName()); err == nil && c.Value != "" {
		if err := s.sessions.Delete(ctx, c.Value); err != nil {
			return err
		}
	}
	if u := UserOf(ctx); u != nil {
		if err := s.sessions.DeleteAll(ctx, u.AccountID); err != nil {
			return err
		}
		if err := audit.Record(ctx, s.pool, audit.Event{Action: "logout", Entity: "account", EntityID: u.AccountID}); err != nil {
			slog.WarnContext(ctx, "audit logout", "err", err)
		}
	}
	s.setCookie(w, "", -1)
	return ui.Redirect(w, r, "/login", "auth.logged_out")
}

// SwitchLanguage stores the chosen language in a cookie and, for a
// signed-in user, in the account; then goes back to the page.
func (s *Service) SwitchLanguage(w http.ResponseWriter, r *http.Request) error {
	l, ok := i18n.Parse(r.PostFormValue("lang"))
	if !ok {
		return fmt.Errorf("auth: language %q: %w", r.PostFormValue("lang"), apperr.ErrInvalid)
	}
	http.SetCookie(w, &http.Cookie{Name: "zhibu_lang", Value: string(l), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.policy.SecureCookies})
	if u := UserOf(r.Context()); u != nil {
		if err := SetLanguage(r.Context(), s.pool, u.AccountID, string(l)); err != nil {
			return err
		}
		if s.sessions.cache != nil {
			s.sessions.cache.InvalidateAccount(u.AccountID) // the next page is in the new language here at once
		}
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}
