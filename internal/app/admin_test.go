package app

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

var oneTimeRE = regexp.MustCompile(`one-time password: (\S+)`)

// TestFirstAdministratorsOnAnEmptyInstall is a fresh install's first
// minutes: an empty database, the three administrators created from the
// command line, each signing in with the one-time password, made to change
// it and enrol a second factor, then reaching the role's own page.
func TestFirstAdministratorsOnAnEmptyInstall(t *testing.T) {
	dbURL := dbtest.EmptyURL(t)
	env := envOf(map[string]string{"DATABASE_URL": dbURL, "ZHIBU_DATA_DIR": t.TempDir()})
	create := func(role, username string) (string, error) {
		var out, errb bytes.Buffer
		err := Run(context.Background(), []string{"admin", "create", "--role", role, "--username", username, "--name", "管理员 " + username}, env, &out, &errb)
		m := oneTimeRE.FindStringSubmatch(out.String())
		if err == nil && m == nil {
			t.Fatalf("create %s: no one-time password in %q", role, out.String())
		}
		if m == nil {
			return "", err
		}
		return m[1], err
	}
	admins := []struct{ role, username, page string }{
		{"sysadmin", "sys.admin", "/admin/accounts"},
		{"secadmin", "sec.admin", "/admin/security"},
		{"auditadmin", "audit.admin", "/audit"},
	}
	passwords := map[string]string{}
	for _, a := range admins {
		p, err := create(a.role, a.username)
		if err != nil {
			t.Fatalf("create %s: %v", a.role, err)
		}
		passwords[a.role] = p
	}
	if passwords["sysadmin"] == passwords["secadmin"] {
		t.Error("two accounts got the same one-time password")
	}

	app := apptest.NewOnURL(t, dbURL)
	for _, a := range admins {
		t.Run(a.role, func(t *testing.T) {
			var actor string
			var after []byte
			if err := app.Pool.QueryRow(t.Context(), `
SELECT e.actor, e.after FROM audit_events e JOIN accounts ac ON ac.id = e.entity_id
 WHERE e.action = 'role.granted' AND ac.username = $1`, a.username).Scan(&actor, &after); err != nil {
				t.Fatalf("audit of the grant: %v", err)
			}
			if actor != cliActor || !strings.Contains(string(after), a.role) {
				t.Errorf("audit: actor %q, after %s", actor, after)
			}
			c := app.LoginWith(t, a.username, passwords[a.role])
			if r := c.Get(a.page); r.Status != http.StatusSeeOther || r.Location != "/password" {
				t.Fatalf("%s with the one-time password: %d %q, want 303 to /password", a.page, r.Status, r.Location)
			}
			const next = "Own-Chosen-Pass42"
			r := c.PostForm("/password", url.Values{"current": {passwords[a.role]}, "new": {next}, "confirm": {next}})
			if r.Status != http.StatusSeeOther || r.Location != "/account/totp" {
				t.Fatalf("password change: %d %q, want 303 to /account/totp", r.Status, r.Location)
			}
			if r := c.PostForm("/account/totp/start", nil); r.Status != http.StatusSeeOther {
				t.Fatalf("totp start: %d", r.Status)
			}
			secret := c.Get("/account/totp").TestID("totp-secret")
			code, err := totp.GenerateCode(secret, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if r := c.PostForm("/account/totp/confirm", url.Values{"code": {code}}); r.Status != http.StatusOK {
				t.Fatalf("totp confirm: %d", r.Status)
			}
			if r := c.Get(a.page); r.Status != http.StatusOK {
				t.Errorf("%s after the first sign-in steps: %d", a.page, r.Status)
			}
			// The one-time password no longer opens anything.
			if r := app.Anon(t).PostForm("/login", url.Values{"username": {a.username}, "password": {passwords[a.role]}}); r.Status == http.StatusSeeOther {
				t.Error("the one-time password still signs in")
			}
		})
	}

	// The path is for the first administrators only.
	if _, err := create("sysadmin", "another.admin"); err == nil || !strings.Contains(err.Error(), "already holds the sysadmin role") {
		t.Errorf("a second sysadmin by the command line: %v", err)
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM accounts WHERE username = 'another.admin'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the refused account exists: %d %v", n, err)
	}
	for _, bad := range [][]string{
		{"--role", "secretary", "--username", "sec2", "--name", "x"},
		{"--role", "sysadmin", "--username", "sys.admin", "--name", ""},
		{"--role", "sysadmin", "--username", "Bad Name!", "--name", "x"},
	} {
		var out, errb bytes.Buffer
		if err := Run(context.Background(), append([]string{"admin", "create"}, bad...), env, &out, &errb); err == nil {
			t.Errorf("admin create %v accepted", bad)
		}
	}
}
