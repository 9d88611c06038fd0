package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
)

// TestAuditTrailReadsLikeARecord: actions by name in both languages, the
// record by its name, a change as a field table with the changed fields
// marked, and sign-ins separable from changes.
func TestAuditTrailReadsLikeARecord(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	admin := app.LoginDemo(t, "admin")
	org := app.OrgID(t, "办公室党支部")
	edit := admin.Get("/orgs/" + itoa(org) + "/edit")
	version, _ := edit.Doc().Find(`input[name="version"]`).Attr("value")
	parent, _ := edit.Doc().Find(`select[name="parent_id"] option[selected]`).Attr("value")
	if r := admin.PostForm("/orgs/"+itoa(org)+"/edit", url.Values{"version": {version}, "name": {"综合办公室党支部"}, "parent_id": {parent}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.Status)
	}

	aud := app.LoginDemo(t, "auditor")
	r := aud.Get("/audit?kind=changes&entity=organisation&entity_id=" + itoa(org))
	if r.Status != http.StatusOK {
		t.Fatalf("audit search: %d", r.Status)
	}
	row := r.Doc().Find(`[data-testid="audit-row"]`).First()
	if got := strings.TrimSpace(row.Find(`[data-testid="audit-action"]`).Contents().First().Text()); got != "组织：修改" {
		t.Errorf("action reads %q, want 组织：修改", got)
	}
	if got := row.Find(`[data-testid="audit-record"]`).Text(); !strings.Contains(got, "综合办公室党支部") || !strings.Contains(got, "组织") {
		t.Errorf("record reads %q, want the organisation's name", got)
	}
	changed := row.Find(`[data-testid="audit-diff"] tr.changed`)
	if changed.Length() != 1 || !strings.Contains(changed.Text(), "办公室党支部") || !strings.Contains(changed.Text(), "综合办公室党支部") {
		t.Errorf("changed rows: %d %q, want the name from 办公室党支部 to 综合办公室党支部", changed.Length(), changed.Text())
	}
	if strings.Contains(row.Text(), `{"`) {
		t.Errorf("the change is shown as raw JSON: %q", row.Text())
	}

	aud.Lang = "en"
	if got := aud.Get("/audit?kind=changes&entity=organisation&entity_id=" + itoa(org)).Doc().Find(`[data-testid="audit-action"]`).First().Contents().First().Text(); strings.TrimSpace(got) != "Organisation changed" {
		t.Errorf("English action reads %q", got)
	}

	// Sign-ins alone, and changes without them.
	actions := func(q string) []string {
		var out []string
		aud.Get("/audit?" + q).Doc().Find(`[data-testid="audit-action"] code`).Each(func(_ int, s *goquery.Selection) { out = append(out, s.Text()) })
		return out
	}
	signins, changes := actions("kind=signins"), actions("kind=changes")
	if len(signins) == 0 || len(changes) == 0 {
		t.Fatalf("sign-ins %v, changes %v: want both", signins, changes)
	}
	for _, a := range signins {
		if a != "login" && a != "logout" && !strings.HasPrefix(a, "login.") {
			t.Errorf("kind=signins lists %q", a)
		}
	}
	for _, a := range changes {
		if a == "login" || a == "logout" || strings.HasPrefix(a, "login.") {
			t.Errorf("kind=changes lists %q", a)
		}
	}
	if r := aud.Get("/audit?kind=nonsense"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown kind: %d, want 422", r.Status)
	}
}
