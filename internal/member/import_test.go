package member_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zhibu/internal/apptest"
	"zhibu/internal/member"
	"zhibu/internal/pii"
)

// rosterCSV builds a roster of n valid rows with IDs from base; bad lists
// the data rows (1-based) to spoil with a wrong check digit.
func rosterCSV(n, base int, bad ...int) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"姓名", "性别", "民族", "出生日期", "身份证号", "手机号", "部门", "人员类别", "申请入党日期", "入党日期", "转正日期", "党小组"})
	for i := 1; i <= n; i++ {
		birth := time.Date(1970+i%30, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
		id := pii.MakeIDNumber(fmt.Sprintf("3701%02d", i/1000%100), birth, base+i%1000)
		for _, x := range bad {
			if x == i {
				c := id[17]
				if c == '0' {
					c = '1'
				} else {
					c = '0'
				}
				id = id[:17] + string(c)
			}
		}
		group := ""
		if i%3 == 0 {
			group = "第一党小组"
		}
		_ = w.Write([]string{"导入" + strconv.Itoa(i), []string{"男", "女"}[i%2], "汉族", birth.Format("2006/1/2"), id,
			"139" + fmt.Sprintf("%08d", i), "办公室", "正式党员", birth.AddDate(22, 0, 0).Format("2006-01-02"),
			birth.AddDate(24, 0, 0).Format("2006-01-02"), birth.AddDate(25, 0, 0).Format("2006-01-02"), group})
	}
	w.Flush()
	return b.String()
}

func upload(t testing.TB, c *apptest.Client, branchID int64, filename string, data []byte) *apptest.Response {
	t.Helper()
	return c.PostFile("/members/import", filename, data, url.Values{"branch_id": {strconv.FormatInt(branchID, 10)}})
}

func confirm(t testing.TB, c *apptest.Client, preview *apptest.Response) *apptest.Response {
	t.Helper()
	action, ok := preview.Doc().Find(`[data-testid="import-ready"] form`).Attr("action")
	if !ok {
		t.Fatalf("no confirm form on the preview (status %d): %s %s", preview.Status, preview.TestID("import-bad"), preview.TestID("import-file-error"))
	}
	return c.PostForm(action, map[string][]string{"confirm": {"1"}})
}

func TestImportWithOneBadRowWritesNothing(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	before := count(t, app, `SELECT count(*) FROM members`)
	r := upload(t, sec, branch, "roster.csv", []byte(rosterCSV(500, 0, 317)))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.Status)
	}
	badRows := r.Doc().Find(`[data-testid="import-row-bad"]`)
	if badRows.Length() != 1 || badRows.AttrOr("data-line", "") != "318" {
		t.Errorf("bad rows %d, line %q; want 1 at line 318", badRows.Length(), badRows.AttrOr("data-line", ""))
	}
	if !strings.Contains(badRows.Text(), "校验位") {
		t.Errorf("the bad row does not say why: %q", badRows.Text())
	}
	if n := r.Doc().Find(`[data-testid="import-row-ok"]`).Length(); n != 499 {
		t.Errorf("preview shows %d good rows, want 499", n)
	}
	if r.Has(`[data-testid="import-ready"]`) {
		t.Error("a file with a bad row can be confirmed")
	}
	if count(t, app, `SELECT count(*) FROM members`) != before || count(t, app, `SELECT count(*) FROM member_imports`) != 0 {
		t.Error("a file with a bad row wrote something")
	}
}

func TestImportGBKThenConfirm(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	data, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(rosterCSV(20, 100)))
	if err != nil {
		t.Fatal(err)
	}
	r := upload(t, sec, branch, "名册.csv", data)
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.Status, r.TestID("import-file-error"))
	}
	if !strings.Contains(r.Body, "导入7") {
		t.Error("GBK names not decoded in the preview")
	}
	action, _ := r.Doc().Find(`[data-testid="import-ready"] form`).Attr("action")
	if u := sec.PostForm(action, nil); u.Status != http.StatusUnprocessableEntity || u.TestID("error-confirm") == "" {
		t.Errorf("confirm without the checkbox: %d", u.Status)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE name LIKE '导入%'`); n != 0 {
		t.Fatalf("unconfirmed import wrote %d rows", n)
	}
	c := confirm(t, sec, r)
	if c.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", c.Status)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE name LIKE '导入%' AND branch_id = $1`, branch); n != 20 {
		t.Errorf("imported %d, want 20", n)
	}
	if n := count(t, app, `SELECT count(*) FROM members m JOIN organisations g ON g.id = m.group_id WHERE m.name LIKE '导入%' AND g.name = '第一党小组'`); n != 6 {
		t.Errorf("group resolved for %d rows, want 6", n)
	}
	if n := count(t, app, `SELECT count(*) FROM member_events e JOIN members m ON m.id = e.member_id WHERE m.name LIKE '导入%' AND e.kind = 'created'`); n != 20 {
		t.Errorf("created events %d", n)
	}
	if n := count(t, app, `SELECT count(*) FROM audit_events WHERE action = 'member.import' AND (after->>'rows')::int = 20`); n != 1 {
		t.Errorf("import audit rows %d", n)
	}
	// Confirming twice writes nothing more.
	if again := confirm(t, sec, r); again.Status != http.StatusConflict {
		t.Errorf("second confirm: %d, want 409", again.Status)
	}
	// The same file again: every row is now a duplicate in the agency.
	r = upload(t, sec, branch, "名册.csv", data)
	if r.Status != http.StatusUnprocessableEntity || r.Doc().Find(`[data-testid="import-row-bad"]`).Length() != 20 {
		t.Errorf("re-import: %d with %d bad rows", r.Status, r.Doc().Find(`[data-testid="import-row-bad"]`).Length())
	}
	// A reviewer cannot import.
	if r := app.Login(t, "reviewer").Get("/members/import"); r.Status != http.StatusForbidden {
		t.Errorf("reviewer import form: %d", r.Status)
	}
}

func TestImportBadFiles(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	cases := map[string]string{
		"姓名,性别\n张三,男\n": "缺少必需的列：",
		"":              "文件中没有数据行。",
		"PK\x03\x04xx":  "无法读取文件",
	}
	for body, want := range cases {
		r := upload(t, sec, branch, "x.csv", []byte(body))
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.TestID("import-file-error"), want) {
			t.Errorf("%q: %d %q", body, r.Status, r.TestID("import-file-error"))
		}
	}
	other := app.OrgID(t, "人事处党支部")
	if r := upload(t, sec, other, "x.csv", []byte(rosterCSV(2, 900))); r.Status != http.StatusUnprocessableEntity || r.TestID("error-branch_id") == "" {
		t.Errorf("import into another branch: %d", r.Status)
	}
}

// rosterXLSX builds an .xlsx roster of n new members.
func rosterXLSX(tb testing.TB, n int) []byte {
	tb.Helper()
	recs, err := csv.NewReader(strings.NewReader(rosterCSV(n, 0))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	x := excelize.NewFile()
	for i, rec := range recs {
		row := make([]any, len(rec))
		for j, v := range rec {
			row[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &row); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func TestImportXLSX2000Rows(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	r := upload(t, sec, branch, "roster.xlsx", rosterXLSX(t, 2000))
	if c := confirm(t, sec, r); c.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", c.Status)
	}
	if n := count(t, app, `SELECT count(*) FROM members WHERE name LIKE '导入%'`); n != 2000 {
		t.Fatalf("imported %d, want 2000", n)
	}
	// The roster now pages through the branch and its new members.
	if got := sec.Get("/members").TestID("roster-total"); got != "共 2040 人" {
		t.Errorf("roster after import: %q", got)
	}
}

// BenchmarkImportXLSX2000Rows times a 2,000-row .xlsx import over HTTP,
// preview and confirm (the goal is under 5 s), each run on a fresh
// database.
func BenchmarkImportXLSX2000Rows(b *testing.B) {
	file := rosterXLSX(b, 2000)
	for b.Loop() {
		b.StopTimer()
		app := apptest.New(b)
		sec := app.Login(b, "secretary")
		var branch int64
		if err := app.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = '办公室党支部'`).Scan(&branch); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		r := upload(b, sec, branch, "roster.xlsx", file)
		if c := confirm(b, sec, r); c.Status != http.StatusSeeOther {
			b.Fatalf("confirm: %d", c.Status)
		}
	}
}

func TestExport(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	rev := app.Login(t, "reviewer")
	r := sec.Get("/members/export.csv?category=full&full=1&reason=" + url.QueryEscape("换届审核"))
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "姓名" || recs[0][6] != "身份证号" {
		t.Errorf("headers %v", recs[0])
	}
	want := count(t, app, `SELECT count(*) FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name = '办公室党支部' AND m.category = 'full'`)
	if len(recs)-1 != want {
		t.Errorf("rows %d, want %d", len(recs)-1, want)
	}
	for _, rec := range recs[1:] {
		if rec[10] != "正式党员" {
			t.Errorf("filter not applied: %v", rec[10])
		}
		if _, p := pii.CheckIDNumber(rec[6]); p != "" {
			t.Errorf("the secretary's export lacks the full ID number: %q", rec[6])
		}
	}
	x := rev.Get("/members/export.xlsx")
	if x.Status != http.StatusOK {
		t.Fatalf("xlsx: %d", x.Status)
	}
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 161 || rows[0][0] != "姓名" {
		t.Errorf("xlsx rows %d, header %v", len(rows), rows[0])
	}
	if !strings.Contains(rows[1][6], "*") {
		t.Errorf("the reviewer's export shows a full ID number: %q", rows[1][6])
	}
	if n := count(t, app, `SELECT count(*) FROM audit_events WHERE action = 'member.export'`); n != 2 {
		t.Errorf("export audit rows %d", n)
	}
}

func TestTemplateImportsAsIs(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	tpl := sec.Get("/members/import/template.csv")
	if tpl.Status != http.StatusOK {
		t.Fatal(tpl.Status)
	}
	r := upload(t, sec, app.OrgID(t, "办公室党支部"), "template.csv", []byte(tpl.Body))
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="import-row-ok"]`).Length() != 1 {
		t.Fatalf("template preview: %d, bad rows: %s", r.Status, r.Doc().Find(`[data-testid="import-row-bad"]`).Text())
	}
}

// An export in either language reads back: headers and coded values in
// the reader's language map to the same stored values.
func TestExportReadsBackInBothLanguages(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rows, err := app.Pool.Query(context.Background(), `SELECT name, concat_ws(',', gender, category, coalesce(education, ''), party_status) FROM members`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]map[string]bool{} // name → its members' coded values
	for rows.Next() {
		var name, vals string
		if err := rows.Scan(&name, &vals); err != nil {
			t.Fatal(err)
		}
		if stored[name] == nil {
			stored[name] = map[string]bool{}
		}
		stored[name][vals] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		sec := app.Login(t, "secretary")
		sec.Lang = lang
		r := sec.Get("/members/export.csv")
		if r.Status != http.StatusOK {
			t.Fatalf("%s export: %d", lang, r.Status)
		}
		body := strings.TrimPrefix(r.Body, "\ufeff")
		head, _, _ := strings.Cut(body, "\n")
		if english := !strings.ContainsFunc(head, func(c rune) bool { return c >= 0x2e80 }); english != (lang == "en") {
			t.Errorf("%s export headers: %s", lang, head)
		}
		roster, err := member.ParseRoster([]byte(body))
		if err != nil {
			t.Fatalf("%s export does not read back: %v", lang, err)
		}
		if len(roster.Unknown) != 1 { // the branch column, chosen on upload
			t.Errorf("%s: unknown columns %v", lang, roster.Unknown)
		}
		if len(roster.Rows) < 20 {
			t.Fatalf("%s: %d rows read back", lang, len(roster.Rows))
		}
		for _, row := range roster.Rows {
			f := row.Form
			got := strings.Join([]string{f.Gender, f.Category, f.Education, row.Status}, ",")
			if !stored[f.Name][got] {
				t.Errorf("%s: %s read back as %s, stored %v", lang, f.Name, got, stored[f.Name])
			}
		}
	}
}
