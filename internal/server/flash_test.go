package server_test

import (
	"net/http"
	"testing"

	"zhibu/internal/apptest"
)

// TestRefusalIsNotShownAsSuccess: a refusal carried over a redirect shows
// in the warning style with role=alert, not in the green success style.
func TestRefusalIsNotShownAsSuccess(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	id := app.Int(t, `SELECT m.id FROM meetings m JOIN account_roles ar ON ar.org_id = m.org_id JOIN accounts a ON a.id = ar.account_id
	                   WHERE a.username = 'secretary' AND ar.role = 'secretary' AND m.status = 'submitted' ORDER BY m.id LIMIT 1`)
	r := sec.Get("/meetings/" + itoa(id) + "/attendance")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("attendance of a submitted meeting: %d, want 303", r.Status)
	}
	page := sec.Get(r.Location)
	flash := page.Doc().Find(`[data-testid="flash"]`)
	if flash.Length() != 1 || !flash.HasClass("refused") || flash.AttrOr("role", "") != "alert" {
		t.Errorf("refusal flash: %d, class %q, role %q", flash.Length(), flash.AttrOr("class", ""), flash.AttrOr("role", ""))
	}
	// Shown once.
	if again := sec.Get(r.Location); again.Has(`[data-testid="flash"]`) {
		t.Error("the flash message shows twice")
	}
}

// TestBadgeOnAFormShownAgain: the alert count is in the header of a form
// re-shown after an error, as on any page.
func TestBadgeOnAFormShownAgain(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	want := sec.Get("/").TestID("alert-count")
	if want == "" {
		t.Fatal("the demo secretary has no alerts to count")
	}
	r := sec.PostForm("/meetings/new", nil)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty meeting form: %d, want 422", r.Status)
	}
	if got := r.TestID("alert-count"); got != want {
		t.Errorf("alert count on the form shown again: %q, want %q", got, want)
	}
}
