package meeting_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	upl "zhibu/internal/upload"
)

// A member claims study hours with an evidence file instead of a
// certificate number; a text file named .pdf, a file over 10 MB and a
// claim with neither evidence are refused beside the field with what was
// typed kept and no row written; the secretary opens the file as a
// download, a branch outside their scope does not see it.
func TestCreditClaimWithFile(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	member := app.Login(t, "member")
	sec := app.Login(t, "secretary")
	today := time.Now().In(i18n.Shanghai).Format(time.DateOnly)
	fields := url.Values{"title": {"党校培训班"}, "kind": {"training"}, "hours": {"8"}, "earned_on": {today}}
	count := func() int64 {
		return app.Int(t, `SELECT count(*) FROM credit_requests WHERE title = '党校培训班'`)
	}

	if r := member.Get("/me/credits/new"); !r.Has(`form[enctype="multipart/form-data"] input[type="file"][name="file"]`) {
		t.Fatal("the claim form has no file field")
	}
	r := member.PostFile("/me/credits/new", "certificate.pdf", []byte("just some text, not a PDF"), fields)
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-file"]`) || !strings.Contains(r.Body, "党校培训班") {
		t.Fatalf("text named .pdf: %d", r.Status)
	}
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{'x'}, upl.MaxBytes)...)
	if r := member.PostFile("/me/credits/new", "big.pdf", big, fields); r.Status != http.StatusRequestEntityTooLarge || !r.Has(`[data-testid="error-file"]`) {
		t.Fatalf("file over 10 MB: %d", r.Status)
	}
	r = member.PostFile("/me/credits/new", "", nil, fields)
	if r.Status != http.StatusUnprocessableEntity || !r.Has(`[data-testid="error-certificate_no"], #f-certificate_no[aria-invalid]`) {
		t.Fatalf("no file and no certificate: %d", r.Status)
	}
	if n := count(); n != 0 {
		t.Fatalf("refused claims wrote %d rows", n)
	}

	pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
	if r := member.PostFile("/me/credits/new", `C:\scans\结业证书.pdf`, pdf, fields); r.Status != http.StatusSeeOther {
		t.Fatalf("claim with a file: %d\n%s", r.Status, r.Body)
	}
	rid := app.Int(t, `SELECT id FROM credit_requests WHERE title = '党校培训班' AND file_type = 'application/pdf' AND file_name = '结业证书.pdf' AND certificate_no = ''`)
	file := "/meetings/requests/credit/" + strconv.FormatInt(rid, 10) + "/file"
	if r := sec.Get("/meetings/requests"); !r.Has(`a[href="` + file + `"]`) {
		t.Fatal("the secretary's requests page has no link to the file")
	}
	d := sec.Get(file)
	if d.Status != http.StatusOK || d.Body != string(pdf) || d.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment") || d.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %v", d.Status, d.Header)
	}
	if r := member.Get(file); r.Status != http.StatusForbidden {
		t.Fatalf("a member without a role: %d, want 403", r.Status)
	}
	// The member opens their own file from their requests page; another
	// member gets 404 for it.
	own := "/me/credits/" + strconv.FormatInt(rid, 10) + "/file"
	if r := member.Get("/me/requests"); !r.Has(`a[href="` + own + `"]`) {
		t.Fatal("the member's requests page has no link to their file")
	}
	if d := member.Get(own); d.Status != http.StatusOK || d.Body != string(pdf) || d.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("own download: %d %v", d.Status, d.Header)
	}
	if r := app.Login(t, "probationer").Get(own); r.Status != http.StatusNotFound {
		t.Fatalf("another member's file: %d, want 404", r.Status)
	}
	// A claim of a member of another branch is outside the secretary's scope.
	other := app.Int(t, `
INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, file_name, file_type, file_data)
SELECT m.id, '别的支部', 'online', 2, current_date, 'a.pdf', 'application/pdf', $1
  FROM members m WHERE m.branch_id <> (SELECT branch_id FROM members mb JOIN accounts a ON a.member_id = mb.id WHERE a.username = 'secretary')
 LIMIT 1 RETURNING id`, pdf)
	if r := sec.Get("/meetings/requests/credit/" + strconv.FormatInt(other, 10) + "/file"); r.Status != http.StatusNotFound {
		t.Fatalf("another branch's file: %d, want 404", r.Status)
	}
	if r := sec.PostForm("/meetings/requests/credit/"+strconv.FormatInt(rid, 10), url.Values{"decision": {"approve"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
}
