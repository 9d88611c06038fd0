package member_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
)

func version(t *testing.T, app *apptest.App, id int64) string {
	t.Helper()
	return strconv.Itoa(count(t, app, `SELECT version FROM members WHERE id = $1`, id))
}

func TestLifecycleActions(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	today := time.Now().In(i18n.Shanghai).Format("2006-01-02")
	target := memberIn(t, app, "办公室党支部", "target")
	prob := memberIn(t, app, "办公室党支部", "probationary")
	full := memberIn(t, app, "办公室党支部", "full")
	other := app.OrgID(t, "人事处党支部")
	foreign := app.OrgID(t, "办公室党支部") // same branch: refused as a move target

	var probAdmitted time.Time
	if err := app.Pool.QueryRow(context.Background(), `SELECT admitted_on FROM members WHERE id = $1`, prob).Scan(&probAdmitted); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		member int64
		action string
		form   url.Values
		field  string // "" = success
		check  string // SQL that must count 1 afterwards (member id is $1)
	}{
		{"admit needs a date", target, "admit", url.Values{"date": {""}}, "date", ""},
		{"admit", target, "admit", url.Values{"date": {today}}, "", `SELECT count(*) FROM members WHERE id = $1 AND category = 'probationary' AND admitted_on = current_date`},
		{"convert before a year", target, "convert", url.Values{"date": {today}}, "date", ""},
		{"admit twice", target, "admit", url.Values{"date": {today}}, "date", ""},
		{"extend beyond two years", prob, "extend", url.Values{"date": {today}, "until": {probAdmitted.AddDate(2, 1, 0).Format("2006-01-02")}}, "until", ""},
		{"extend", prob, "extend", url.Values{"date": {today}, "until": {probAdmitted.AddDate(1, 6, 0).Format("2006-01-02")}}, "",
			`SELECT count(*) FROM members WHERE id = $1 AND probation_extended_to IS NOT NULL`},
		{"extend twice", prob, "extend", url.Values{"date": {today}, "until": {probAdmitted.AddDate(1, 8, 0).Format("2006-01-02")}}, "until", ""},
		{"transfer out needs letter", full, "transfer_out", url.Values{"date": {today}, "place": {"某省直机关工委"}}, "letter_no", ""},
		{"transfer out", full, "transfer_out", url.Values{"date": {today}, "place": {"某省直机关工委"}, "letter_no": {"组转字〔2026〕12号"}}, "",
			`SELECT count(*) FROM member_events e JOIN members m ON m.id = e.member_id WHERE m.id = $1 AND m.party_status = 'transferred_out' AND e.kind = 'transferred_out' AND e.letter_no = '组转字〔2026〕12号' AND e.actor_id IS NOT NULL`},
		{"transfer out twice", full, "transfer_out", url.Values{"date": {today}, "place": {"x"}, "letter_no": {"y"}}, "date", ""},
		{"transfer in", full, "transfer_in", url.Values{"date": {today}, "place": {"某省直机关工委"}, "letter_no": {"组转字〔2026〕30号"}}, "",
			`SELECT count(*) FROM members WHERE id = $1 AND party_status = 'normal'`},
		{"status needs reason", full, "status", url.Values{"date": {today}, "status": {"suspended"}}, "details", ""},
		{"status same", full, "status", url.Values{"date": {today}, "status": {"normal"}, "details": {"x"}}, "status", ""},
		{"status", full, "status", url.Values{"date": {today}, "status": {"suspended"}, "details": {"失联超过六个月"}}, "",
			`SELECT count(*) FROM members WHERE id = $1 AND party_status = 'suspended'`},
		{"future date", full, "status", url.Values{"date": {"2999-01-01"}, "status": {"normal"}, "details": {"x"}}, "date", ""},
		{"move to same branch", full, "move", url.Values{"date": {today}, "to_branch": {strconv.FormatInt(foreign, 10)}}, "to_branch", ""},
		{"move", full, "move", url.Values{"date": {today}, "to_branch": {strconv.FormatInt(other, 10)}}, "",
			`SELECT count(*) FROM members m JOIN member_events e ON e.member_id = m.id AND e.kind = 'moved' WHERE m.id = $1 AND m.branch_id = ` + strconv.FormatInt(other, 10)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			id := strconv.FormatInt(c.member, 10)
			f := c.form
			f.Set("version", version(t, app, c.member))
			if r := sec.Get("/members/" + id + "/act/" + c.action); r.Status != http.StatusOK && c.name != "move" {
				t.Fatalf("action form: %d", r.Status)
			}
			r := sec.PostForm("/members/"+id+"/act/"+c.action, f)
			if c.field == "" {
				if r.Status != http.StatusSeeOther {
					t.Fatalf("status %d: %s", r.Status, r.TestID("form-errors"))
				}
				if c.action == "move" && r.Location != "/members" {
					t.Errorf("after moving a member out of scope: redirected to %q", r.Location)
				}
				if count(t, app, c.check, c.member) != 1 {
					t.Errorf("not recorded: %s", c.check)
				}
				if count(t, app, `SELECT count(*) FROM audit_events WHERE action = $1 AND entity_id = $2`, "member."+c.action, c.member) == 0 {
					t.Error("no audit row")
				}
				return
			}
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.Status)
			}
			if r.TestID("error-"+c.field) == "" {
				t.Errorf("no message beside %s; page errors: %s", c.field, r.TestID("form-errors"))
			}
		})
	}
	// The moved member is now out of the secretary's scope.
	if r := sec.Get("/members/" + strconv.FormatInt(full, 10)); r.Status != http.StatusNotFound {
		t.Errorf("moved member still visible to the old branch: %d", r.Status)
	}
	// The timeline shows the events with who recorded them.
	page := app.Login(t, "reviewer").Get("/members/" + strconv.FormatInt(full, 10))
	for _, kind := range []string{"transferred_out", "transferred_in", "status_changed", "moved"} {
		if page.TestID("event-"+kind) == "" {
			t.Errorf("timeline lacks %s", kind)
		}
	}
	// A stale version is a 409 on an action too.
	r := sec.PostForm("/members/"+strconv.FormatInt(target, 10)+"/act/status", url.Values{"version": {"1"}, "date": {today}, "status": {"suspended"}, "details": {"x"}})
	if r.Status != http.StatusConflict || r.TestID("conflict") == "" {
		t.Errorf("stale action: %d", r.Status)
	}
}

func TestEditForm(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	id := memberIn(t, app, "办公室党支部", "full")
	path := "/members/" + strconv.FormatInt(id, 10) + "/edit"
	r := sec.Get(path)
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	if v := r.Doc().Find(`input[name="id_number"]`).AttrOr("value", "x"); v != "" {
		t.Errorf("the edit form carries the ID number: %q", v)
	}
	base := url.Values{}
	r.Doc().Find(`form[data-testid="member-form"] input`).Each(func(_ int, s *goquery.Selection) {
		base.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	r.Doc().Find(`form[data-testid="member-form"] select`).Each(func(_ int, s *goquery.Selection) {
		base.Set(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	bad := []struct{ field, value, errField string }{
		{"name", "", "name"},
		{"birth_date", "1950-01-01", "birth_date"}, // no longer matches the stored ID number
		{"converted_on", "", "converted_on"},
		{"phone", "abc", "phone"},
		{"id_number", "12345", "id_number"},
	}
	for _, b := range bad {
		r := sec.PostForm(path, with(base, b.field, b.value))
		if r.Status != http.StatusUnprocessableEntity || r.TestID("error-"+b.errField) == "" {
			t.Errorf("%s=%q: status %d, message %q", b.field, b.value, r.Status, r.TestID("error-"+b.errField))
		}
	}
	r = sec.PostForm(path, with(base, "notes", "新的备注", "phone", "010-66001234"))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("good edit: %d %s", r.Status, r.TestID("form-errors"))
	}
	var notes, tail string
	var idEnc []byte
	if err := app.Pool.QueryRow(context.Background(), `SELECT notes, phone_tail, id_number_enc FROM members WHERE id = $1`, id).Scan(&notes, &tail, &idEnc); err != nil {
		t.Fatal(err)
	}
	if s, _ := app.Sealer.Open(idEnc); notes != "新的备注" || tail != "1234" || s == "" {
		t.Errorf("after edit: notes %q, phone tail %q, id kept %v", notes, tail, s != "")
	}
	if n := count(t, app, `SELECT count(*) FROM audit_events WHERE action = 'member.update' AND entity_id = $1 AND before->>'notes' IS DISTINCT FROM after->>'notes'`, id); n != 1 {
		t.Errorf("update audit rows %d", n)
	}
}
