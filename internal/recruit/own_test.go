package recruit_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"zhibu/internal/apptest"
)

// A person in the pipeline with an account (the demo's probationer) reads
// their own file and its print, read only, linked from /me; another
// person's file is not found, a step cannot be posted, and the pipeline's
// other pages stay closed.
func TestOwnFile(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	own := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'probationer'`)
	other := app.Int(t, `SELECT id FROM members WHERE in_pipeline(category, party_status) AND id <> $1 ORDER BY id LIMIT 1`, own)
	c := app.Login(t, "probationer")

	me := c.Get("/me")
	if href, _ := me.Doc().Find(`[data-testid="me-recruit-link"]`).Attr("href"); me.Status != http.StatusOK || href != fmt.Sprintf("/recruitment/%d", own) {
		t.Fatalf("/me: %d, link %q", me.Status, href)
	}
	r := c.Get(fmt.Sprintf("/recruitment/%d", own))
	if r.Status != http.StatusOK {
		t.Fatalf("own file: %d", r.Status)
	}
	doc := r.Doc()
	if doc.Find(`[data-testid="step-row"]`).Length() == 0 || doc.Find(`[data-testid="recruit-own-note"]`).Length() != 1 {
		t.Error("the own file shows no steps or no note")
	}
	if doc.Find(`form[action$="/steps"]`).Length() != 0 || doc.Find(`[data-testid="step-form"]`).Length() != 0 {
		t.Error("the own file shows a form")
	}
	if doc.Find(`a[href^="/members/"]`).Length() != 0 || doc.Find(`a[href^="/recruitment?"]`).Length() != 0 {
		t.Error("the own file links into the branch's pages")
	}
	if r := c.Get(fmt.Sprintf("/recruitment/%d/print", own)); r.Status != http.StatusOK || r.Doc().Find(`[data-testid="print-record"]`).Length() != 1 {
		t.Errorf("own print: %d", r.Status)
	}
	for _, path := range []string{fmt.Sprintf("/recruitment/%d", other), fmt.Sprintf("/recruitment/%d/print", other), "/recruitment/999999999"} {
		if r := c.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, r.Status)
		}
	}
	steps := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE member_id = $1`, own)
	if r := c.PostForm(fmt.Sprintf("/recruitment/%d/steps", own), url.Values{"kind": {"conversion_application"}, "done_on": {"2020-01-01"}}); r.Status != http.StatusForbidden {
		t.Errorf("posting a step on the own file: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE member_id = $1`, own); n != steps {
		t.Error("a step was written")
	}
	for _, path := range []string{"/recruitment", "/recruitment/transfers", "/recruitment/import"} {
		if r := c.Get(path); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", path, r.Status)
		}
	}
	// A member with no file of their own finds none at their own address.
	m := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'member'`)
	mc := app.Login(t, "member")
	if r := mc.Get(fmt.Sprintf("/recruitment/%d", m)); r.Status != http.StatusNotFound {
		t.Errorf("member's own address: %d", r.Status)
	}
	if mc.Get("/me").Doc().Find(`[data-testid="me-recruit-link"]`).Length() != 0 {
		t.Error("/me links a file the member does not have")
	}
}
