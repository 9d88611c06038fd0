package rules_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
)

// The reviewer's rule settings of an organisation: a bad form comes back
// with its input and the message beside the field, a good one saves an
// override the page then shows as the organisation's own; removing asks
// for a confirmation; the secretary has no access, and an organisation
// outside the committee's subtree does not exist for the reviewer.
func TestReviewerOverridesARuleForASubtree(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	gen := app.OrgID(t, "第一党总支")
	base := "/review/orgs/" + itoa(gen) + "/rules"
	rev := app.Login(t, "reviewer")
	now := time.Now().In(i18n.Shanghai)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	form := url.Values{"minimum": {"2"}, "effective_from": {first.AddDate(0, 0, -1).Format(time.DateOnly)}, "source": {"某市委组织部〔2026〕9号"},
		"enabled": {"on"}, "kinds": {"party_day", "lecture"}, "base": {"0"}}
	r := rev.PostForm(base+"/party_day", form)
	if r.Status != http.StatusUnprocessableEntity || r.TestID("error-effective_from") == "" {
		t.Fatalf("last month: %d %q", r.Status, r.TestID("error-effective_from"))
	}
	if v := r.Doc().Find(`#f-source`).Text(); v != "某市委组织部〔2026〕9号" {
		t.Errorf("source not kept: %q", v)
	}
	if r.Doc().Find(`input[name="kinds"][value="lecture"][checked]`).Length() != 1 {
		t.Error("kinds not kept")
	}
	bad := url.Values{"minimum": {"x"}, "effective_from": {first.Format(time.DateOnly)}, "source": {" "}, "base": {"0"}}
	r = rev.PostForm(base+"/party_day", bad)
	for _, f := range []string{"minimum", "source", "kinds"} {
		if r.Status != http.StatusUnprocessableEntity || r.TestID("error-"+f) == "" {
			t.Errorf("%s: %d, no message", f, r.Status)
		}
	}
	// Saved from tomorrow, it is not yet in force: removing it deletes it,
	// without a date, once confirmed.
	tomorrow := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	form.Set("effective_from", tomorrow.Format(time.DateOnly))
	if r := rev.PostForm(base+"/party_day", form); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	pending := app.Int(t, `SELECT id FROM rules WHERE org_id = $1 AND effective_to IS NULL`, gen)
	if r := rev.Get(base + "/party_day"); r.TestID("remove-pending") == "" || r.Has(`input[name="remove_from"]`) {
		t.Error("the removal of a version not yet in force asks for a date")
	}
	drop := url.Values{"reason": {"某市委组织部〔2026〕11号"}, "base": {itoa(pending)}}
	if r := rev.PostForm(base+"/party_day/remove", drop); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("unconfirmed deletion: %d", r.Status)
	}
	drop.Set("confirm", "yes")
	if r := rev.PostForm(base+"/party_day/remove", drop); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM rules WHERE id = $1`, pending); n != 0 {
		t.Error("the version not yet in force was kept")
	}
	// One in force since last month: the page shows it as the general
	// branch's, a branch under it inherits it with its source.
	id := app.Int(t, `INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, title, source, enabled, builtin, effective_from, org_id)
SELECT code, kind, meeting_kind, applies_to, period, 2, title, '某市委组织部〔2026〕9号', true, builtin, $2, $1
  FROM rules WHERE code = 'party_day' AND org_id IS NULL AND effective_to IS NULL RETURNING id`, gen, first.AddDate(0, -1, 0))
	page := rev.Get(base)
	if got := page.TestID("scope-from-party_day"); got != "第一党总支" {
		t.Errorf("set by %q", got)
	}
	office := app.OrgID(t, "办公室党支部")
	page = rev.Get("/review/orgs/" + itoa(office) + "/rules/party_day")
	if got := page.TestID("scope-applied"); !strings.Contains(got, "第一党总支") || !strings.Contains(got, "〔2026〕9号") {
		t.Errorf("inherited: %q", got)
	}
	// Its removal needs the confirmation, then ends it from a later day.
	remove := url.Values{"remove_from": {first.AddDate(0, 1, 0).Format(time.DateOnly)}, "reason": {"某市委组织部〔2026〕10号"}, "base": {itoa(id)}}
	if r := rev.PostForm(base+"/party_day/remove", remove); r.Status != http.StatusUnprocessableEntity || r.TestID("error-confirm") == "" {
		t.Errorf("unconfirmed removal: %d", r.Status)
	}
	remove.Set("confirm", "yes")
	if r := rev.PostForm(base+"/party_day/remove", remove); r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d", r.Status)
	}
	var to time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT effective_to FROM rules WHERE id = $1`, id).Scan(&to); err != nil || !to.Equal(first.AddDate(0, 1, 0)) {
		t.Errorf("closed on %v (%v)", to, err)
	}
	// The secretary has no access; a group has no rules of its own.
	if r := app.Login(t, "secretary").Get(base); r.Status != http.StatusForbidden {
		t.Errorf("secretary: %d", r.Status)
	}
	group := app.Int(t, `SELECT id FROM organisations WHERE kind = 'group' ORDER BY id LIMIT 1`)
	if r := rev.Get("/review/orgs/" + itoa(group) + "/rules"); r.Status != http.StatusNotFound {
		t.Errorf("group: %d", r.Status)
	}
	// An organisation outside the reviewer's committee.
	other := app.Int(t, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '另一机关党委', '2020-01-01') RETURNING id`)
	if r := rev.Get("/review/orgs/" + itoa(other) + "/rules"); r.Status != http.StatusNotFound {
		t.Errorf("outside: %d", r.Status)
	}
	if r := rev.PostForm("/review/orgs/"+itoa(other)+"/rules/party_day", form); r.Status != http.StatusNotFound {
		t.Errorf("outside, save: %d", r.Status)
	}
}
