package plans_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/upload"
)

// A branch answers a "document" task with files alone: a text file named
// .pdf, a file over 10 MB, more than five files and no evidence at all
// are refused beside their field with the note kept and nothing written;
// a PDF and a PNG together are stored; the reviewer sees them in the
// accept/return view and downloads one; another branch's secretary gets
// a 404 for the files of an answer not theirs.
func TestAnswerWithFiles(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	rev, sec := app.Login(t, "reviewer"), app.Login(t, "secretary")
	year := today().Year()
	due := today().AddDate(0, 0, 10)
	if due.Year() != year {
		due = time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	if r := rev.PostForm("/plans", url.Values{"year": {strconv.Itoa(year)}, "title": {"报送学习制度文件"}, "due_on": {due.Format(time.DateOnly)},
		"target": {"list"}, "org_id": {fmt.Sprint(office)}, "done_by": {"document"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	id := app.Int(t, `SELECT a.id FROM plan_answers a JOIN plan_tasks t ON t.id = a.task_id WHERE t.title = '报送学习制度文件'`)
	path := fmt.Sprintf("/plans/answers/%d", id)
	version := strconv.FormatInt(app.Int(t, `SELECT version FROM plan_answers WHERE id = $1`, id), 10)
	if r := sec.Get(path); !r.Has(`form[enctype="multipart/form-data"] input[type="file"][name="file"][multiple]`) {
		t.Fatal("the answer form has no file field")
	}
	post := func(files map[string][]byte, note string) *apptest.Response {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		_ = w.WriteField("version", version)
		_ = w.WriteField("note", note)
		for name, data := range files {
			part, err := w.CreateFormFile("file", name)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = part.Write(data)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return sec.Post(path, w.FormDataContentType(), &body)
	}
	pdf := []byte("%PDF-1.4\n%%EOF\n")
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")
	for _, c := range []struct {
		name   string
		files  map[string][]byte
		note   string
		status int
		field  string
	}{
		{"text named .pdf", map[string][]byte{"制度.pdf": []byte("plain text")}, "见附件", http.StatusUnprocessableEntity, "file"},
		{"over 10 MB", map[string][]byte{"big.pdf": append(pdf, bytes.Repeat([]byte{'x'}, upload.MaxBytes)...)}, "见附件", http.StatusRequestEntityTooLarge, "file"},
		{"six files", map[string][]byte{"1.pdf": pdf, "2.pdf": pdf, "3.pdf": pdf, "4.pdf": pdf, "5.pdf": pdf, "6.pdf": pdf}, "见附件", http.StatusUnprocessableEntity, "file"},
		{"no evidence", nil, "", http.StatusUnprocessableEntity, "note"},
	} {
		r := post(c.files, c.note)
		if r.Status != c.status || !r.Has(`[data-testid="error-`+c.field+`"]`) || !strings.Contains(r.Body, c.note) {
			t.Errorf("%s: %d, want %d with an error beside %s", c.name, r.Status, c.status, c.field)
		}
	}
	if n := app.Int(t, `SELECT count(*) FROM plan_answer_files WHERE answer_id = $1`, id); n != 0 {
		t.Fatalf("refused answers stored %d files", n)
	}
	if n := app.Int(t, `SELECT count(*) FROM plan_answers WHERE id = $1 AND state = 'open'`, id); n != 1 {
		t.Fatal("a refused answer changed the state")
	}
	if r := post(map[string][]byte{"制度汇编.pdf": pdf, "公示照片.png": png}, ""); r.Status != http.StatusSeeOther {
		t.Fatalf("answer with two files: %d\n%s", r.Status, r.Body)
	}
	if n := app.Int(t, `SELECT count(*) FROM plan_answer_files WHERE answer_id = $1 AND content_type IN ('application/pdf', 'image/png')`, id); n != 2 {
		t.Fatalf("%d files stored, want 2", n)
	}
	page := rev.Get(path)
	if !page.Has(`[data-testid="review-form"]`) || len(page.Doc().Find(`[data-testid="answer-file"]`).Nodes) != 2 {
		t.Fatal("the reviewer's view does not list the two files beside the accept/return form")
	}
	href, _ := page.Doc().Find(`[data-testid="answer-file"]`).First().Attr("href")
	d := rev.Get(href)
	if d.Status != http.StatusOK || d.Body != string(pdf) || !strings.HasPrefix(d.Header.Get("Content-Disposition"), "attachment") || d.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %v", d.Status, d.Header)
	}
	other := app.Int(t, `SELECT f.id FROM plan_answer_files f JOIN plan_answers a ON a.id = f.answer_id JOIN organisations o ON o.id = a.org_id WHERE o.name = '综合规划处党支部' LIMIT 1`)
	otherAnswer := app.Int(t, `SELECT answer_id FROM plan_answer_files WHERE id = $1`, other)
	if r := sec.Get(fmt.Sprintf("/plans/answers/%d/files/%d", otherAnswer, other)); r.Status != http.StatusNotFound {
		t.Fatalf("another branch's file: %d, want 404", r.Status)
	}
	if r := sec.Get(fmt.Sprintf("/plans/answers/%d/files/%d", id, other)); r.Status != http.StatusNotFound {
		t.Fatalf("a file under the wrong answer: %d, want 404", r.Status)
	}
}
