package server_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apptest"
)

// textFields are form and query names the application's forms and search
// boxes use; every one is sent with the bad text, so each route's own
// fields are among them.
var textFields = []string{"q", "name", "username", "password", "display_name", "topic", "title", "location", "notes",
	"summary", "content", "reason", "text", "comment", "response", "opinion", "measure", "problem", "description",
	"department", "job_title", "ethnicity", "native_place", "id_number", "phone", "code", "citation", "lang",
	"status", "kind", "level", "year", "org", "org_id", "branch_id", "member_id", "sort", "page", "from", "to",
	"code_or_password", "current", "new", "confirm", "partner", "member", "award", "body", "note", "item", "self"}

// fileUploads are the upload routes (besides meetings' attachments) whose
// own body limit and text check come after sign-in. --- files ---
var fileUploads = map[string]bool{"POST /me/credits/new": true, "POST /plans/answers/{id}": true, "POST /cases/{id}/photos": true}

// TestNoRouteAnswers500ToInvalidText walks every route of the access matrix
// as every role, posting and querying a NUL byte and a byte that is not
// UTF-8 in every field: each is refused with the invalid-text page (400),
// never a 500.
func TestNoRouteAnswers500ToInvalidText(t *testing.T) {
	app := apptest.New(t)
	routes := app.Server.Config.Handler.(chi.Routes)
	var keys []string
	if err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodHead || (method != get && strings.HasPrefix(route, "/static/")) {
			return nil
		}
		keys = append(keys, method+" "+route)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	fx := fixtures(t, app.Pool)
	clients := map[string]*apptest.Client{}
	for _, u := range users {
		if u == "anon" {
			clients[u] = app.Anon(t)
		} else {
			clients[u] = app.Login(t, u)
		}
	}
	bad := map[string]string{"NUL": "a\x00b", "not UTF-8": "a\xffb"}
	for _, k := range keys {
		method, pattern, _ := strings.Cut(k, " ")
		tc, ok := accessTable[k]
		if !ok {
			t.Errorf("route %q has no row in the access matrix", k)
			continue
		}
		path := tc.Path
		if path == "" {
			path = pattern
		}
		path = fill(path, fx)
		upload := strings.HasSuffix(pattern, "/attachments") || fileUploads[k]
		for what, v := range bad {
			form := url.Values{}
			for _, f := range textFields {
				form.Set(f, v)
			}
			for _, u := range users {
				c := clients[u]
				var r *apptest.Response
				if method == get {
					r = c.Get(path + "?" + form.Encode())
				} else {
					r = c.PostForm(path, form)
				}
				switch {
				case r.Status >= 500:
					t.Errorf("%s %s with %s as %s: %d", method, path, what, u, r.Status)
				case r.Status != http.StatusBadRequest && !(upload && r.Status < 500):
					t.Errorf("%s %s with %s as %s: %d, want 400", method, path, what, u, r.Status)
				case r.Status == http.StatusBadRequest && !r.Has(`[data-testid="invalid-text"]`):
					t.Errorf("%s %s with %s as %s: 400 without the invalid-text message", method, path, what, u)
				}
			}
		}
	}
}

func TestInvalidTextInMultipartAndAddressesIsRefused(t *testing.T) {
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	if r := sec.PostFile("/members/import", "roster.csv", []byte("姓名\n"), url.Values{"branch_id": {"1\x00"}}); r.Status != http.StatusBadRequest {
		t.Errorf("multipart field with NUL: %d, want 400", r.Status)
	}
	if r := sec.PostFile("/members/import", "roster\xff.csv", []byte("姓名\n"), nil); r.Status != http.StatusBadRequest {
		t.Errorf("file name not UTF-8: %d, want 400", r.Status)
	}
	admin := app.Login(t, "admin")
	for _, p := range []string{"/admin/rules/%00", "/admin/rules/%FF"} {
		if r := admin.Get(p); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: %d, want 400", p, r.Status)
		}
	}
	// The sign-in form, before any session, in English.
	anon := app.Anon(t)
	anon.Lang = "en"
	r := anon.PostForm("/login", url.Values{"username": {"member\x00"}, "password": {"x"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.TestID("invalid-text"), "NUL") {
		t.Errorf("sign-in with NUL: %d %q", r.Status, r.TestID("invalid-text"))
	}
	// Ordinary text, Chinese included, passes.
	if r := sec.Get("/members?q=" + url.QueryEscape("张三")); r.Status != http.StatusOK {
		t.Errorf("a Chinese search: %d", r.Status)
	}
}

func TestMalformedFormBodyIs400NotInvalidText(t *testing.T) {
	app := apptest.New(t)
	r := app.Anon(t).Post("/login", "application/x-www-form-urlencoded", strings.NewReader("username=%zz&password=x"))
	if r.Status != http.StatusBadRequest || r.Has(`[data-testid="invalid-text"]`) {
		t.Errorf("malformed escapes: %d, invalid-text page %v", r.Status, r.Has(`[data-testid="invalid-text"]`))
	}
}
