package cases_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/upload"
)

// The branch adds captioned photos to a case awaiting review: a text file
// named .png, a PDF, a file over 10 MB, no file and no caption are
// refused beside their field with the caption kept and nothing written;
// a PNG is stored and shown, at most four; a removal needs its
// confirmation; an approved case's photos no longer change; a photo of a
// case outside the reader's scope is a 404; the library shows a featured
// case's first photo.
func TestCasePhotos(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	sec, mem := app.Login(t, "secretary"), app.Login(t, "member")
	id := app.Int(t, `INSERT INTO cases (branch_id, title, body) VALUES ($1, '照片测试案例', '做法与成效') RETURNING id`, office)
	path := fmt.Sprintf("/cases/%d/photos", id)
	count := func() int64 { return app.Int(t, `SELECT count(*) FROM case_photos WHERE case_id = $1`, id) }
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	caption := url.Values{"caption": {"窗口服务现场"}}

	if r := sec.Get(fmt.Sprintf("/cases/%d", id)); !r.Has(`[data-testid="photo-form"][enctype="multipart/form-data"] input[type="file"][name="file"]`) {
		t.Fatal("the case page has no photo form for its branch")
	}
	for _, c := range []struct {
		name, file string
		data       []byte
		fields     url.Values
		status     int
		field      string
	}{
		{"text named .png", "a.png", []byte("not a picture"), caption, http.StatusUnprocessableEntity, "file"},
		{"a PDF", "a.pdf", []byte("%PDF-1.4\n"), caption, http.StatusUnprocessableEntity, "file"},
		{"over 10 MB", "big.png", append(png, bytes.Repeat([]byte{0}, upload.MaxBytes)...), caption, http.StatusRequestEntityTooLarge, "file"},
		{"no file", "", nil, caption, http.StatusUnprocessableEntity, "file"},
		{"no caption", "a.png", png, nil, http.StatusUnprocessableEntity, "caption"},
	} {
		r := sec.PostFile(path, c.file, c.data, c.fields)
		if r.Status != c.status || !r.Has(`[data-testid="error-`+c.field+`"]`) || (c.fields != nil && !strings.Contains(r.Body, `value="窗口服务现场"`)) {
			t.Errorf("%s: %d, want %d with an error beside %s", c.name, r.Status, c.status, c.field)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("refused photos wrote %d rows", n)
	}
	for i := range 4 {
		if r := sec.PostFile(path, fmt.Sprintf("%d.png", i), png, caption); r.Status != http.StatusSeeOther {
			t.Fatalf("photo %d: %d\n%s", i, r.Status, r.Body)
		}
	}
	page := sec.Get(fmt.Sprintf("/cases/%d", id))
	if n := len(page.Doc().Find(`[data-testid="case-photo"] img`).Nodes); n != 4 || page.Has(`[data-testid="photo-form"]`) {
		t.Fatalf("the page shows %d photos (and the form: %v)", n, page.Has(`[data-testid="photo-form"]`))
	}
	if r := sec.PostFile(path, "5.png", png, caption); r.Status != http.StatusUnprocessableEntity || count() != 4 {
		t.Fatalf("a fifth photo: %d, %d rows", r.Status, count())
	}
	src, _ := page.Doc().Find(`[data-testid="case-photo"] img`).First().Attr("src")
	d := sec.Get(src)
	if d.Status != http.StatusOK || d.Body != string(png) || d.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(d.Header.Get("Content-Disposition"), "inline") || d.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", d.Status, d.Header)
	}
	if r := sec.PostForm(src+"/delete", nil); r.Status != http.StatusUnprocessableEntity || count() != 4 {
		t.Fatalf("delete without confirmation: %d", r.Status)
	}
	if r := sec.PostForm(src+"/delete", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther || count() != 3 {
		t.Fatalf("delete: %d", r.Status)
	}
	// Approved, the case's photos are fixed.
	app.Int(t, `UPDATE cases SET status = 'approved', decided_at = now() WHERE id = $1 RETURNING id`, id)
	if r := sec.PostFile(path, "6.png", png, caption); r.Status != http.StatusConflict || count() != 3 {
		t.Fatalf("a photo of an approved case: %d", r.Status)
	}
	// Another branch's case awaiting review, and its photo, are not the secretary's.
	other := app.Int(t, `SELECT p.id FROM case_photos p JOIN cases c ON c.id = p.case_id WHERE c.status = 'submitted' AND c.branch_id <> $1 LIMIT 1`, office)
	otherCase := app.Int(t, `SELECT case_id FROM case_photos WHERE id = $1`, other)
	if r := sec.Get(fmt.Sprintf("/cases/%d/photos/%d", otherCase, other)); r.Status != http.StatusNotFound {
		t.Fatalf("another branch's photo: %d, want 404", r.Status)
	}
	if r := sec.Get(fmt.Sprintf("/cases/%d/photos/%d", id, other)); r.Status != http.StatusNotFound {
		t.Fatalf("a photo under the wrong case: %d, want 404", r.Status)
	}
	// The library shows a featured case's first photo to every member.
	lib := mem.Get("/cases?featured=1")
	thumb, ok := lib.Doc().Find(`[data-testid="cases-thumb"]`).First().Attr("src")
	if !ok {
		t.Fatal("the library shows no photo of a featured case")
	}
	if r := mem.Get(thumb); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("the featured case's photo for a member: %d", r.Status)
	}
}
