package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/pquerna/otp/totp"

	"zhibu/internal/apptest"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
	"zhibu/internal/server"
)

// tempPassword is the password administrators give new accounts in tests.
const tempPassword = "Temp-Pass-2026x"

// createAccount has the system administrator create an account and
// returns its id.
func createAccount(t *testing.T, app *apptest.App, username string) int64 {
	t.Helper()
	r := app.Login(t, "admin").PostForm("/admin/accounts", url.Values{"username": {username}, "display_name": {"测试 " + username}, "password": {tempPassword}})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/admin/accounts/") {
		t.Fatalf("create %s: %d %q", username, r.Status, r.Location)
	}
	var id int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT id FROM accounts WHERE username = $1`, username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// lastAudit returns the newest audit row of an action on an account.
func lastAudit(t *testing.T, app *apptest.App, action string, id int64) (before, after map[string]any, actor string) {
	t.Helper()
	var b, a []byte
	err := app.Pool.QueryRow(t.Context(), `
SELECT coalesce(before, 'null'), coalesce(after, 'null'), actor FROM audit_events
 WHERE action = $1 AND entity_id = $2 ORDER BY id DESC LIMIT 1`, action, id).Scan(&b, &a, &actor)
	if err != nil {
		t.Fatalf("audit %s of %d: %v", action, id, err)
	}
	_ = json.Unmarshal(b, &before)
	_ = json.Unmarshal(a, &after)
	return before, after, actor
}

func changePassword(t *testing.T, c *apptest.Client, current, next string) *apptest.Response {
	t.Helper()
	return c.PostForm("/password", url.Values{"current": {current}, "new": {next}, "confirm": {next}})
}

func TestFirstLoginForcesPasswordChangeAndRotatesTheSession(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	id := createAccount(t, app, "zhangsan")
	if _, after, actor := lastAudit(t, app, "account.created", id); after["username"] != "zhangsan" || actor != "admin" {
		t.Errorf("account.created audit: %v by %q", after, actor)
	}
	c := app.LoginWith(t, "zhangsan", tempPassword)
	other := app.LoginWith(t, "zhangsan", tempPassword)
	if r := c.Get("/"); r.Status != http.StatusSeeOther || r.Location != "/password" {
		t.Fatalf("home before the change: %d %q, want 303 to /password", r.Status, r.Location)
	}
	if r := c.PostForm("/lang", url.Values{"lang": {"en"}}); r.Status != http.StatusSeeOther {
		t.Errorf("language switch before the change: %d", r.Status)
	}
	if r := c.Get("/password"); r.TestID("password-reason") == "" {
		t.Error("the password page does not say why the change is needed")
	}
	for _, tc := range []struct{ current, next, field string }{
		{tempPassword, tempPassword, "error-new"},            // reuse
		{"Wrong-Pass-1", "Brand-New-Pass9", "error-current"}, // wrong current
		{tempPassword, "password", "error-new"},              // weak
	} {
		r := changePassword(t, c, tc.current, tc.next)
		if r.Status != http.StatusUnprocessableEntity || r.TestID(tc.field) == "" {
			t.Errorf("change %q→%q: %d, %s %q", tc.current, tc.next, r.Status, tc.field, r.TestID(tc.field))
		}
	}
	r := changePassword(t, c, tempPassword, "Brand-New-Pass9")
	if r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("change: %d %q", r.Status, r.Location)
	}
	if r := c.Get("/"); r.Status != http.StatusOK {
		t.Errorf("home after the change: %d", r.Status)
	}
	if r := other.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("another session after the change: %d %q, want it ended", r.Status, r.Location)
	}
	before, after, _ := lastAudit(t, app, "account.password_changed", id)
	if before["must_change_password"] != true || after["must_change_password"] != false || strings.Contains(r.Body, "Brand-New-Pass9") {
		t.Errorf("password change audit: %v → %v", before, after)
	}
	app.LoginWith(t, "zhangsan", "Brand-New-Pass9")
}

func TestExpiredPasswordMustBeChangedExceptOnDemoAccounts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	createAccount(t, app, "lisi")
	c := app.LoginWith(t, "lisi", tempPassword)
	changePassword(t, c, tempPassword, "Brand-New-Pass9")
	if _, err := app.Pool.Exec(t.Context(), `UPDATE accounts SET password_changed_at = now() - interval '91 days' WHERE username IN ('lisi', 'secretary')`); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther || r.Location != "/password" {
		t.Errorf("expired password: %d %q, want 303 to /password", r.Status, r.Location)
	}
	if r := app.Login(t, "secretary").Get("/"); r.Status != http.StatusOK {
		t.Errorf("demo account with an old password: %d, want 200", r.Status)
	}
}

func grant(t *testing.T, c *apptest.Client, id int64, role, org string) *apptest.Response {
	t.Helper()
	return c.PostForm("/admin/security/accounts/"+itoa(id)+"/roles", url.Values{"role": {role}, "org_id": {org}})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestTOTPEnrolmentAndSignIn(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	id := createAccount(t, app, "wangwu")
	sec := app.Login(t, "security")
	if r := grant(t, sec, id, "sysadmin", ""); r.Status != http.StatusSeeOther {
		t.Fatalf("grant sysadmin: %d %s", r.Status, r.TestID("error-role"))
	}
	c := app.LoginWith(t, "wangwu", tempPassword)
	if r := changePassword(t, c, tempPassword, "Brand-New-Pass9"); r.Location != "/account/totp" {
		t.Fatalf("after the password an administrator goes to TOTP enrolment, got %q", r.Location)
	}
	if r := c.Get("/admin/accounts"); r.Status != http.StatusSeeOther || r.Location != "/account/totp" {
		t.Errorf("before enrolment: %d %q, want 303 to /account/totp", r.Status, r.Location)
	}
	if r := c.PostForm("/account/totp/start", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("start: %d", r.Status)
	}
	page := c.Get("/account/totp")
	secret := page.TestID("totp-secret")
	if secret == "" || !strings.Contains(page.TestID("totp-uri"), "secret="+secret) {
		t.Fatalf("enrolment page shows no secret: %q %q", secret, page.TestID("totp-uri"))
	}
	var stored string
	if err := app.Pool.QueryRow(t.Context(), `SELECT totp_pending FROM accounts WHERE id = $1`, id).Scan(&stored); err != nil || strings.Contains(stored, secret) {
		t.Errorf("the pending secret is stored in clear: %q (%v)", stored, err)
	}
	if qr := c.Get("/account/totp/qr.png"); qr.Status != 200 || qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Errorf("qr: %d %q", qr.Status, qr.Header.Get("Content-Type"))
	}
	if r := c.PostForm("/account/totp/confirm", url.Values{"code": {"000000"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("wrong code: %d", r.Status)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	r := c.PostForm("/account/totp/confirm", url.Values{"code": {code}})
	codes := r.Doc().Find(`[data-testid="recovery-codes"] code`)
	if r.Status != http.StatusOK || codes.Length() != 10 {
		t.Fatalf("confirm: %d, %d recovery codes", r.Status, codes.Length())
	}
	recovery := codes.First().Text()
	if home := c.Get("/admin/accounts"); home.Status != http.StatusOK {
		t.Errorf("after enrolment: %d", home.Status)
	}
	if _, after, _ := lastAudit(t, app, "account.totp_enabled", id); after["totp"] != true {
		t.Errorf("totp audit: %v", after)
	}

	// Sign in: the password alone opens no session.
	signIn := func() *apptest.Client {
		c := app.Anon(t)
		r := c.PostForm("/login", url.Values{"username": {"wangwu"}, "password": {"Brand-New-Pass9"}})
		if r.Status != http.StatusSeeOther || r.Location != "/login/totp" {
			t.Fatalf("password step: %d %q", r.Status, r.Location)
		}
		if h := c.Get("/"); h.Status != http.StatusSeeOther || !strings.HasPrefix(h.Location, "/login") {
			t.Fatalf("half signed in reaches home: %d", h.Status)
		}
		return c
	}
	c1 := signIn()
	if r := c1.PostForm("/login/totp", url.Values{"code": {code}}); r.Status != http.StatusUnauthorized {
		t.Errorf("replayed code: %d, want 401", r.Status)
	}
	if r := c1.PostForm("/login/totp", url.Values{"code": {strings.ToLower(recovery)}}); r.Status != http.StatusSeeOther || r.Location != "/" {
		t.Fatalf("recovery code: %d %q", r.Status, r.Location)
	}
	if h := c1.Get("/admin/accounts"); h.Status != http.StatusOK {
		t.Errorf("after the recovery code: %d", h.Status)
	}
	c2 := signIn()
	if r := c2.PostForm("/login/totp", url.Values{"code": {recovery}}); r.Status != http.StatusUnauthorized {
		t.Errorf("a recovery code used twice: %d, want 401", r.Status)
	}
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	if r := c2.PostForm("/login/totp", url.Values{"code": {next}}); r.Status != http.StatusSeeOther {
		t.Errorf("next code: %d", r.Status)
	}
	var unused int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL`, id).Scan(&unused); err != nil || unused != 9 {
		t.Errorf("unused recovery codes: %d (%v), want 9", unused, err)
	}

	// Lost device and codes: the security administrator resets the factor,
	// which ends the sessions; the administrator must enrol again.
	reset := "/admin/security/accounts/" + itoa(id) + "/totp/reset"
	if r := sec.PostForm(reset, nil); r.Status != http.StatusUnprocessableEntity || r.TestID("error-totp") == "" {
		t.Errorf("reset without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(reset, url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if r := c2.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("a session survived the TOTP reset: %d %q", r.Status, r.Location)
	}
	if b, a, actor := lastAudit(t, app, "account.totp_reset", id); b["totp"] != true || a["totp"] != false || actor != "security" {
		t.Errorf("reset audit: %v → %v by %q", b, a, actor)
	}
	if r := app.LoginWith(t, "wangwu", "Brand-New-Pass9").Get("/"); r.Location != "/account/totp" {
		t.Errorf("after the reset: %d %q, want enrolment", r.Status, r.Location)
	}
}

func TestLockOutFollowsTheSecuritySettings(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "security")
	version := sec.Get("/admin/security").Doc().Find(`input[name="version"]`).AttrOr("value", "")
	form := url.Values{"lock_after": {"3"}, "lock_minutes": {"10"}, "password_min_length": {"10"}, "password_max_age_days": {"60"}, "version": {version}}
	if r := sec.PostForm("/admin/security/settings", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d", r.Status)
	}
	if r := sec.PostForm("/admin/security/settings", form); r.Status != http.StatusConflict || r.TestID("conflict") == "" {
		t.Errorf("stale settings form: %d, want 409 with the newer values", r.Status)
	}
	if b, a, _ := lastAudit(t, app, "security.settings_changed", 1); b["LockAfter"] != 5.0 || a["LockAfter"] != 3.0 {
		t.Errorf("settings audit: %v → %v", b, a)
	}
	anon := app.Anon(t)
	for range 3 {
		anon.PostForm("/login", url.Values{"username": {"member"}, "password": {"Wrong-Pass-1"}})
	}
	r := anon.PostForm("/login", url.Values{"username": {"member"}, "password": {"Zhibu@2026"}})
	if r.Status != http.StatusUnauthorized || r.TestID("login-error") != "用户名或密码错误，或账户暂时无法登录。" {
		t.Fatalf("locked account with the right password: %d", r.Status)
	}
	var minutes float64
	if err := app.Pool.QueryRow(t.Context(), `SELECT extract(epoch FROM locked_until - now()) / 60 FROM accounts WHERE username = 'member'`).Scan(&minutes); err != nil || minutes < 9 || minutes > 10.1 {
		t.Errorf("locked for %.1f minutes (%v), want 10", minutes, err)
	}
	var locks int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'account.locked'`).Scan(&locks); err != nil || locks != 1 {
		t.Errorf("lock-outs audited: %d (%v)", locks, err)
	}
	page := sec.Get("/admin/security")
	if !strings.Contains(page.TestID("locked-accounts"), "member") {
		t.Fatalf("locked list: %q", page.TestID("locked-accounts"))
	}
	var id int64
	_ = app.Pool.QueryRow(t.Context(), `SELECT id FROM accounts WHERE username = 'member'`).Scan(&id)
	if r := sec.PostForm("/admin/security/accounts/"+itoa(id)+"/unlock", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("unlock: %d", r.Status)
	}
	app.Login(t, "member")
	// The new minimum length applies to new passwords.
	if r := app.Login(t, "admin").PostForm("/admin/accounts", url.Values{"username": {"zhaoliu"}, "display_name": {"赵六"}, "password": {"Ab1!xyzq9"}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-password") == "" {
		t.Errorf("a 9-character password under a 10-character policy: %d", r.Status)
	}
}

func TestSessionsExpireAndRotate(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	ctx := t.Context()
	if _, err := app.Pool.Exec(ctx, `UPDATE sessions SET last_seen = now() - interval '31 minutes'`); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("idle 31 minutes: %d %q", r.Status, r.Location)
	}
	// Logging out ends the account's sessions on every device.
	c, other := app.Login(t, "member"), app.Login(t, "member")
	c.PostForm("/logout", nil)
	if r := other.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("a session survived the logout of another: %d", r.Status)
	}
	c = app.Login(t, "member")
	if _, err := app.Pool.Exec(ctx, `UPDATE sessions SET created_at = now() - interval '13 hours', expires_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}
	if r := c.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("after 12 hours: %d", r.Status)
	}
	// Each sign-in gets a new token, even when the browser sends an old one.
	c = app.Login(t, "member")
	first := c.Get("/")
	r := c.PostForm("/login", url.Values{"username": {"member"}, "password": {"Zhibu@2026"}})
	if first.Status != 200 || r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Set-Cookie"), "zhibu_session=") {
		t.Fatalf("second sign-in: %d %q", r.Status, r.Header.Get("Set-Cookie"))
	}
	var n int
	if err := app.Pool.QueryRow(ctx, `SELECT count(DISTINCT token_hash) FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE a.username = 'member' AND s.expires_at > now() AND s.last_seen > now() - interval '30 minutes'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("distinct session tokens: %d (%v), want 2", n, err)
	}
	var raw int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM sessions WHERE length(token_hash) <> 32`).Scan(&raw); err != nil || raw != 0 {
		t.Errorf("sessions not keyed by a SHA-256 of the token: %d", raw)
	}
}

func TestAdministratorsEndSessionsAndDisableAccounts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	admin := app.Login(t, "admin")
	var id int64
	_ = app.Pool.QueryRow(t.Context(), `SELECT id FROM accounts WHERE username = 'member'`).Scan(&id)
	base := "/admin/accounts/" + itoa(id)

	m := app.Login(t, "member")
	if r := admin.PostForm(base+"/sessions/end", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("end sessions: %d", r.Status)
	}
	if r := m.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("member after the sessions were ended: %d", r.Status)
	}

	m = app.Login(t, "member")
	if r := admin.PostForm(base+"/disable", nil); r.Status != http.StatusUnprocessableEntity || r.TestID("error-disable") == "" {
		t.Errorf("disable without confirmation: %d", r.Status)
	}
	if r := admin.PostForm(base+"/disable", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.Status)
	}
	if r := m.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("disabled member still signed in: %d", r.Status)
	}
	if r := app.Anon(t).PostForm("/login", url.Values{"username": {"member"}, "password": {"Zhibu@2026"}}); r.Status != http.StatusUnauthorized {
		t.Errorf("disabled member signs in: %d", r.Status)
	}
	before, after, actor := lastAudit(t, app, "account.disabled", id)
	if before["disabled"] != false || after["disabled"] != true || actor != "admin" {
		t.Errorf("disable audit: %v → %v by %q", before, after, actor)
	}
	if r := admin.PostForm(base+"/enable", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("enable: %d", r.Status)
	}
	app.Login(t, "member")

	var adminID int64
	_ = app.Pool.QueryRow(t.Context(), `SELECT id FROM accounts WHERE username = 'admin'`).Scan(&adminID)
	if r := admin.PostForm("/admin/accounts/"+itoa(adminID)+"/password", url.Values{"password": {tempPassword}}); r.Status != http.StatusUnprocessableEntity || r.TestID("error-password") == "" {
		t.Errorf("an administrator resets their own password here: %d", r.Status)
	}
	if r := admin.PostForm(base+"/password", url.Values{"password": {tempPassword}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d", r.Status)
	}
	if r := app.LoginWith(t, "member", tempPassword).Get("/"); r.Location != "/password" {
		t.Errorf("after a reset the password must change: %d %q", r.Status, r.Location)
	}
}

func TestSeparationOfDutiesInRoleGrants(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "security")
	ids := map[string]int64{}
	rows, _ := app.Pool.Query(t.Context(), `SELECT username, id FROM accounts`)
	for rows.Next() {
		var u string
		var id int64
		_ = rows.Scan(&u, &id)
		ids[u] = id
	}
	rows.Close()
	newID := createAccount(t, app, "zhouqi")
	var branch string
	_ = app.Pool.QueryRow(t.Context(), `SELECT org_id::text FROM account_roles WHERE role = 'secretary'`).Scan(&branch)
	cases := []struct {
		name       string
		account    int64
		role, org  string
		status     int
		errorField string
	}{
		{"a second admin role", ids["admin"], "auditadmin", "", 422, "error-role"},
		{"an admin role to a business user", ids["secretary"], "secadmin", "", 422, "error-role"},
		{"a role to oneself", ids["security"], "reviewer", branch, 422, "error-role"},
		{"a scoped role without organisation", newID, "reviewer", "", 422, "error-org_id"},
		{"an unscoped role with organisation", newID, "auditadmin", branch, 422, "error-org_id"},
		{"a member role without a member", newID, "member", "", 422, "error-role"},
		{"an unknown role", newID, "root", "", 422, "error-role"},
		{"a reviewer", newID, "reviewer", branch, 303, ""},
		{"then an admin role", newID, "auditadmin", "", 422, "error-role"},
	}
	for _, tc := range cases {
		r := grant(t, sec, tc.account, tc.role, tc.org)
		if r.Status != tc.status || (tc.errorField != "" && r.TestID(tc.errorField) == "") {
			t.Errorf("%s: %d %q", tc.name, r.Status, r.TestID(tc.errorField))
		}
	}
	before, after, _ := lastAudit(t, app, "role.granted", newID)
	if len(before["roles"].([]any)) != 0 || len(after["roles"].([]any)) != 1 {
		t.Errorf("grant audit: %v → %v", before, after)
	}
	// The system administrator cannot grant roles at all.
	if r := grant(t, app.Login(t, "admin"), newID, "member", ""); r.Status != http.StatusForbidden {
		t.Errorf("sysadmin grants a role: %d", r.Status)
	}
	// Revoking ends the holder's sessions.
	rev := app.Login(t, "reviewer")
	revoke := "/admin/security/accounts/" + itoa(ids["reviewer"]) + "/roles/revoke"
	if r := sec.PostForm(revoke, url.Values{"role": {"reviewer"}}); r.Status != 422 {
		t.Errorf("revoke without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(revoke, url.Values{"role": {"reviewer"}, "confirm": {"yes"}}); r.Status != 303 {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := rev.Get("/"); r.Status != http.StatusSeeOther {
		t.Errorf("a session survived its role being revoked: %d", r.Status)
	}
	var n int
	_ = app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM account_roles WHERE account_id = $1 AND role = 'reviewer'`, ids["reviewer"]).Scan(&n)
	if n != 0 {
		t.Error("role not revoked")
	}
}

func TestAuditTrailSearchAndExport(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	app.Anon(t).PostForm("/login", url.Values{"username": {"member"}, "password": {"Wrong-Pass-1"}})
	aud := app.LoginDemo(t, "auditor")
	r := aud.Get("/audit?action=login&actor=member")
	if r.Status != http.StatusOK {
		t.Fatalf("search: %d", r.Status)
	}
	outcomes := r.Doc().Find(`[data-testid="audit-outcome"]`)
	if outcomes.Length() != 1 || strings.TrimSpace(outcomes.Text()) != "失败" {
		t.Errorf("failed login of member: %d rows, %q", outcomes.Length(), outcomes.Text())
	}
	// The audit search reads dates as China days.
	today := time.Now().In(i18n.Shanghai).Format("2006-01-02")
	if r := aud.Get("/audit?from=" + today + "&to=" + today + "&action=login"); r.Doc().Find(`[data-testid="audit-row"]`).Length() < 2 {
		t.Errorf("today's sign-ins: %d rows", r.Doc().Find(`[data-testid="audit-row"]`).Length())
	}
	if r := aud.Get("/audit?from=2026-13-01"); r.Status != http.StatusUnprocessableEntity || r.TestID("error-from") == "" {
		t.Errorf("bad date: %d", r.Status)
	}
	csv := aud.Get("/audit/export.csv?action=login")
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.Contains(csv.Body, "id,time,actor_id") || !strings.Contains(csv.Body, "bad_password") {
		t.Errorf("export: %d %q", csv.Status, csv.Header.Get("Content-Type"))
	}
	var n int
	var role string
	if err := app.Pool.QueryRow(t.Context(), `SELECT role FROM audit_events WHERE action = 'login' AND actor = 'auditor' AND outcome = 'ok'`).Scan(&role); err != nil || role != "auditadmin" {
		t.Errorf("the role of a sign-in is not recorded: %q (%v)", role, err)
	}
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_events WHERE action = 'audit.exported' AND actor = 'auditor' AND role = 'auditadmin'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("export audited: %d (%v)", n, err)
	}
	if _, err := app.Pool.Exec(t.Context(), `UPDATE audit_events SET outcome = 'ok' WHERE outcome = 'failed'`); err == nil {
		t.Error("an audit row was changed")
	}
}

func TestNoIDNumberIsStoredInClear(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rows, err := app.Pool.Query(t.Context(), `SELECT id_number_enc, id_number_hash FROM members WHERE id_number_enc IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var enc, hash []byte
		if err := rows.Scan(&enc, &hash); err != nil {
			t.Fatal(err)
		}
		id, err := app.Sealer.Open(enc)
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		if _, problem := pii.CheckIDNumber(id); problem != "" {
			t.Errorf("decrypted ID number %s is not valid: %s", pii.MaskIDNumber(id), problem)
		}
		if string(app.Sealer.Hash(id)) != string(hash) {
			t.Error("the keyed hash does not match the decrypted number")
		}
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) < 50 {
		t.Fatalf("only %d sealed ID numbers in the demo data", len(ids))
	}
	for _, table := range []string{"members", "accounts", "audit_events"} {
		for _, id := range ids[:20] {
			var n int
			if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM `+table+` t WHERE t::text LIKE '%' || $1 || '%'`, id).Scan(&n); err != nil || n != 0 {
				t.Fatalf("%s holds ID number %s in clear (%d rows, %v)", table, pii.MaskIDNumber(id), n, err)
			}
		}
	}
}

func TestHTTPSCookiesAndHeaders(t *testing.T) {
	t.Parallel()
	app := apptest.New(t, func(d *server.Deps) { d.HTTPS = true })
	r := app.Anon(t).PostForm("/login", url.Values{"username": {"member"}, "password": {"Zhibu@2026"}})
	cookie := r.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-zhibu_session=", "Path=/", "HttpOnly", "Secure", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %q", cookie, want)
		}
	}
	if strings.Contains(cookie, "Domain=") {
		t.Errorf("a __Host- cookie with a Domain: %q", cookie)
	}
	page := app.Anon(t).Get("/login")
	if got := page.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS: %q", got)
	}
	plain := apptest.NewEmpty(t).Anon(t).Get("/login")
	if plain.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain HTTP")
	}
}

func TestPurgeRemovesExpiredSessionsAndChallenges(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	app.Login(t, "member")
	app.Login(t, "secretary")
	ctx := t.Context()
	if _, err := app.Pool.Exec(ctx, `
UPDATE sessions SET expires_at = now() - interval '1 minute' WHERE account_id = (SELECT id FROM accounts WHERE username = 'member');
INSERT INTO login_challenges (token_hash, account_id, expires_at) SELECT '\x01', id, now() - interval '1 minute' FROM accounts WHERE username = 'admin'`); err != nil {
		t.Fatal(err)
	}
	if err := auth.NewSessions(app.Pool, auth.DefaultSessionPolicy).Purge(ctx); err != nil {
		t.Fatal(err)
	}
	var sessions, challenges int
	_ = app.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM sessions), (SELECT count(*) FROM login_challenges)`).Scan(&sessions, &challenges)
	if sessions != 1 || challenges != 0 {
		t.Errorf("after purge: %d sessions (want the live one), %d challenges", sessions, challenges)
	}
}

// The account list sorts by username, name and state, both ways, and keeps
// the sort across pages and searches.
func TestAccountListSorts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	admin := app.Login(t, "admin")
	if _, err := app.Pool.Exec(t.Context(), `UPDATE accounts SET disabled_at = now() WHERE username = 'auditor'`); err != nil {
		t.Fatal(err)
	}
	names := func(r *apptest.Response) []string {
		var out []string
		r.Doc().Find(`[data-testid="account-row"] td:first-child`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.TrimSpace(s.Text()))
		})
		return out
	}
	asc := names(admin.Get("/admin/accounts?sort=username"))
	desc := names(admin.Get("/admin/accounts?sort=username&dir=desc"))
	if len(asc) < 6 || !slices.IsSorted(asc) || asc[0] != desc[len(desc)-1] || asc[len(asc)-1] != desc[0] {
		t.Errorf("by username: %v / %v", asc, desc)
	}
	if got := names(admin.Get("/admin/accounts?sort=state&dir=desc")); len(got) == 0 || got[0] != "auditor" {
		t.Errorf("by state, disabled first: %v", got)
	}
	r := admin.Get("/admin/accounts?sort=state&dir=desc")
	if href, _ := r.Doc().Find(`th[aria-sort="descending"] a`).Attr("href"); !strings.Contains(href, "sort=state") {
		t.Errorf("sorted column's header: %q", href)
	}
	// An unknown key falls back to the username order.
	if got := names(admin.Get("/admin/accounts?sort=password_hash")); !slices.Equal(got, asc) {
		t.Errorf("unknown sort key: %v", got)
	}
}

// The audit trail lists newest first and, on request, oldest first.
func TestAuditTrailSortsByTime(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	for range 3 {
		app.Anon(t).PostForm("/login", url.Values{"username": {"member"}, "password": {"Wrong-Pass-1"}})
		app.LoginDemo(t, "member")
	}
	aud := app.LoginDemo(t, "auditor")
	rows := func(path string) []string {
		var out []string
		aud.Get(path).Doc().Find(`[data-testid="audit-row"]`).Each(func(_ int, s *goquery.Selection) {
			out = append(out, strings.Join(strings.Fields(s.Text()), " "))
		})
		return out
	}
	newest := rows("/audit?action=login&actor=member")
	oldest := rows("/audit?action=login&actor=member&sort=time&dir=asc")
	if len(newest) < 6 || len(newest) != len(oldest) {
		t.Fatalf("%d and %d rows", len(newest), len(oldest))
	}
	slices.Reverse(oldest)
	if !slices.Equal(newest, oldest) {
		t.Errorf("oldest first is not newest first reversed:\n%v\n%v", newest, oldest)
	}
	if h := aud.Get("/audit"); !h.Has(`th[aria-sort="descending"]`) {
		t.Error("the default order is not marked on the time column")
	}
}
