package recruit_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/recruit"
)

// importFile builds an .xlsx with the template's header and rows.
func importFile(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	head := make([]any, len(recruit.ImportCols))
	for i, c := range recruit.ImportCols {
		head[i] = c.Header
	}
	for i, r := range append([][]any{head}, rows...) {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func upload(t *testing.T, c *apptest.Client, path string, data []byte) *apptest.Response {
	t.Helper()
	return c.PostFile(path, "import.xlsx", data, nil)
}

// row is a line of the import in the template's column order.
func row(name, id, stage, application, talk, talker, activist, contacts string) []any {
	r := make([]any, len(recruit.ImportCols))
	for i := range r {
		r[i] = ""
	}
	r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8] = name, id, stage, application, talk, talker, activist, contacts
	return r
}

// The recruitment import: a bad file writes nothing and names each bad
// row and cell (an unknown person, a bad date, a step before the
// application, as the step form refuses it); a good file is previewed,
// then imported whole; a file that is not an .xlsx, or too big, is refused
// with a 4xx.
func TestRecruitImport(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	person := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'applicant' AND party_status = 'normal' ORDER BY id LIMIT 1`, branch)
	if _, err := app.Pool.Exec(ctx, `DELETE FROM recruit_steps WHERE member_id = $1`, person); err != nil {
		t.Fatal(err)
	}
	const idNumber = "11010119900307663X"
	if _, err := app.Pool.Exec(ctx, `UPDATE members SET id_number_hash = $2, applied_on = '2024-03-01' WHERE id = $1`, person, apptest.Sealer(t).Hash(idNumber)); err != nil {
		t.Fatal(err)
	}
	var name string
	var full []string
	if err := app.Pool.QueryRow(ctx, `SELECT name FROM members WHERE id = $1`, person).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT array_agg(name ORDER BY id) FROM (SELECT min(id) AS id, name FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal'
  GROUP BY name HAVING count(*) = 1 ORDER BY 1 LIMIT 2) x`, branch).Scan(&full); err != nil || len(full) < 2 {
		t.Fatalf("two full members: %v %v", full, err)
	}
	sec := app.Login(t, "secretary")
	path := "/recruitment/import?branch=" + strconv.FormatInt(branch, 10)
	steps := func() int64 { return app.Int(t, `SELECT count(*) FROM recruit_steps`) }
	before := steps()

	bad := importFile(t,
		row("无此人", "110101199001010011", "申请人", "2024-03-01", "", "", "", ""),
		row(name, idNumber, "积极分子", "2024-03-01", "2024-13-01", full[0], "2024-02-10", full[0]+"、"+full[1]),
	)
	r := upload(t, sec, path, bad)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d", r.Status)
	}
	var problems []string
	r.Doc().Find(`[data-testid="rimport-problem"]`).Each(func(_ int, s *goquery.Selection) { problems = append(problems, s.Text()) })
	want := []string{"第 2 行（无此人）身份证号", "第 3 行（" + name + "）谈话日期", "第 3 行（" + name + "）确定积极分子日期"}
	for _, w := range want {
		if !strings.Contains(strings.Join(problems, "\n"), w) {
			t.Errorf("no problem %q in %q", w, problems)
		}
	}
	if steps() != before {
		t.Error("a rejected file wrote steps")
	}

	good := importFile(t, row(name, idNumber, "积极分子", "2024-03-01", "2024-03-20", full[0], "2024-06-10", full[0]+"、"+full[1]))
	r = upload(t, sec, path, good)
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="rimport-row"]`).Length() != 1 {
		t.Fatalf("preview: %d %s", r.Status, r.Doc().Find(`[data-testid="rimport-error"]`).Text())
	}
	if steps() != before {
		t.Error("the preview wrote steps")
	}
	data, _ := r.Doc().Find(`input[name="data"]`).Attr("value")
	r = sec.PostForm("/recruitment/import/commit?branch="+strconv.FormatInt(branch, 10), url.Values{"data": {data}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("commit: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE member_id = $1`, person); n != 3 {
		t.Errorf("%d steps imported, want 3", n)
	}
	if c := app.Int(t, `SELECT count(*) FROM members WHERE id = $1 AND category = 'activist'`, person); c != 1 {
		t.Error("the roster's stage did not follow the steps")
	}

	// Hostile files.
	if r := upload(t, sec, path, []byte("name,id\nx,y\n")); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("not an xlsx: %d", r.Status)
	}
	huge := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0}, recruit.MaxImportBytes+1)...)
	if r := upload(t, sec, path, huge); r.Status < 400 || r.Status >= 500 {
		t.Errorf("huge file: %d", r.Status)
	}
	if r := sec.Get("/recruitment/import/template.xlsx"); r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "PK") {
		t.Errorf("template: %d", r.Status)
	}
}
