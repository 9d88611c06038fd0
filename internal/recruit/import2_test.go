package recruit_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apperr"
	"zhibu/internal/apptest"
	"zhibu/internal/pii"
	"zhibu/internal/recruit"
)

// rowOf is a line of the import with the cells named by field.
func rowOf(cells map[string]string) []any {
	r := make([]any, len(recruit.ImportCols))
	for i, c := range recruit.ImportCols {
		r[i] = cells[c.Field]
	}
	return r
}

// with is cells with some changed ("" removes a cell).
func with(cells map[string]string, change map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range cells {
		out[k] = v
	}
	for k, v := range change {
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

// header is the template's header of a field, as problems name it.
func header(field string) string {
	for _, c := range recruit.ImportCols {
		if c.Field == field {
			return c.Header
		}
	}
	return field
}

// The import carries every step, from the application to full membership,
// of someone not yet on the roster: the person is created on the branch's
// roster (ID number sealed), every step recorded through the clock; each
// step column refuses an impossible record naming the row, the column and
// the article and writes nothing; broken time limits import flagged or
// late; the date of full membership must be the day probation ends (a day
// short, on the day, a day over).
func TestRecruitImportEveryStep(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	var full []string
	if err := app.Pool.QueryRow(t.Context(), `SELECT array_agg(name ORDER BY id) FROM (SELECT min(id) AS id, name FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal'
  GROUP BY name HAVING count(*) = 1 ORDER BY 1 LIMIT 2) x`, branch).Scan(&full); err != nil || len(full) < 2 {
		t.Fatalf("two full members: %v %v", full, err)
	}
	idNumber := pii.MakeIDNumber("110105", time.Date(1995, 5, 5, 0, 0, 0, 0, time.UTC), 123)
	base := map[string]string{
		"name": "导入甲", "id_number": idNumber, "gender": "女", "department": "办公室", "stage": "正式党员",
		"application": "2019-03-01", "talk": "2019-03-20", "talker": full[0],
		"recommendation": "2019-05-20", "recommenders": "机关团委推优",
		"activist": "2019-06-01", "contacts": full[0] + "、" + full[1], "activist_filed": "2019-06-10",
		"assessment": "2019-12-01、2020-06-01",
		"target":     "2020-06-15", "target_filed": "2020-06-20",
		"introducers": "2020-06-20", "introducer_names": full[0] + "、" + full[1],
		"political_review": "2020-07-15",
		"training":         "2020-07-20", "training_hours": "24", "training_days": "3", "training_cert": "PX-2020-01",
		"branch_review": "2020-08-01", "pre_review": "2020-08-10",
		"notice": "2020-08-12", "notice_end": "2020-08-18", "notice_outcome": "通过",
		"form_issued": "2020-08-20", "form_no": "ZY-2020-001",
		"admission_meeting": "2020-09-01", "due_count": "10", "present": "8", "in_favour": "7",
		"higher_talk": "2020-09-15", "higher_talker": "机关党委组织员 刘明",
		"approval": "2020-10-15", "oath": "2020-10-20",
		"probation_assessment":   "2021-03-01、2021-08-20",
		"conversion_application": "2021-08-25",
		"conversion_meeting":     "2021-09-01", "conversion_outcome": "按期转正", "conversion_due": "10", "conversion_present": "9", "conversion_in_favour": "8",
		"conversion_approval": "2021-10-10", "converted_on": "2021-09-01",
	}
	sec := app.Login(t, "secretary")
	path := "/recruitment/import?branch=" + strconv.FormatInt(branch, 10)
	counts := func() [2]int64 {
		return [2]int64{app.Int(t, `SELECT count(*) FROM recruit_steps`), app.Int(t, `SELECT count(*) FROM members`)}
	}
	before := counts()

	refused := []struct {
		name   string
		change map[string]string
		field  string
		cite   string
	}{
		{"training short", map[string]string{"training_hours": "10", "training_days": "1"}, "training_hours", "第十七条"},
		{"pre-review before the committee's review", map[string]string{"pre_review": "2020-07-25"}, "pre_review", ""},
		{"notice ends before it starts", map[string]string{"notice_end": "2020-08-10"}, "notice_end", ""},
		{"notice outcome unknown", map[string]string{"notice_outcome": "待定"}, "notice_outcome", ""},
		{"form number too long", map[string]string{"form_no": strings.Repeat("号", 51)}, "form_no", ""},
		{"admission without a majority", map[string]string{"in_favour": "5"}, "in_favour", "第二十一条"},
		{"higher talk before the meeting", map[string]string{"higher_talk": "2020-08-25"}, "higher_talk", ""},
		{"approval late without a reason", map[string]string{"approval": "2021-01-15", "oath": "2021-01-20", "probation_assessment": "2021-03-01"}, "approval_reason", "第二十四条"},
		{"oath before approval", map[string]string{"oath": "2020-10-01"}, "oath", ""},
		{"probation assessment before admission", map[string]string{"probation_assessment": "2020-08-30"}, "probation_assessment", ""},
		{"conversion a day before probation ends", map[string]string{"conversion_meeting": "2021-08-31"}, "conversion_meeting", "第三十二条"},
		{"conversion without quorum", map[string]string{"conversion_present": "5"}, "conversion_present", "第二十条"},
		{"extension over a year", map[string]string{"conversion_outcome": "延长预备期", "extended_to": "2022-09-02", "conversion_approval": "", "converted_on": "", "stage": "预备党员"}, "extended_to", "第三十二条"},
		{"full membership a day short", map[string]string{"converted_on": "2021-08-31"}, "converted_on", "第三十四条"},
		{"full membership a day over", map[string]string{"converted_on": "2021-09-02"}, "converted_on", "第三十四条"},
		{"one introducer", map[string]string{"introducer_names": full[0]}, "introducer_names", ""},
		{"the same contact twice", map[string]string{"contacts": full[0] + "、" + full[0]}, "contacts", ""},
		{"a new applicant without gender", map[string]string{"gender": ""}, "gender", ""},
		{"a new applicant's ID number wrong", map[string]string{"id_number": idNumber[:17] + "0"}, "id_number", ""},
	}
	for _, c := range refused {
		r := upload(t, sec, path, importFile(t, rowOf(with(base, c.change))))
		var problems []string
		r.Doc().Find(`[data-testid="rimport-problem"]`).Each(func(_ int, s *goquery.Selection) { problems = append(problems, s.Text()) })
		want := "第 2 行（导入甲）" + header(c.field)
		if r.Status != http.StatusUnprocessableEntity || len(problems) == 0 || !strings.Contains(problems[0], want) || !strings.Contains(problems[0], c.cite) {
			t.Errorf("%s: %d %q, want a problem %q citing %q", c.name, r.Status, problems, want, c.cite)
		}
		if got := counts(); got != before {
			t.Errorf("%s: rows written: %v, before %v", c.name, got, before)
		}
	}

	// The good file, on the day probation ends: previewed (nothing
	// written), then imported whole.
	r := upload(t, sec, path, importFile(t, rowOf(base)))
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="rimport-new"]`).Length() != 1 || !strings.Contains(r.Doc().Find(`[data-testid="rimport-full-on"]`).Text(), "2021-09-01") {
		t.Fatalf("preview: %d %s", r.Status, r.Doc().Find(`[data-testid="rimport-problems"]`).Text())
	}
	if counts() != before {
		t.Fatal("the preview wrote rows")
	}
	data, _ := r.Doc().Find(`input[name="data"]`).Attr("value")
	commit := "/recruitment/import/commit?branch=" + strconv.FormatInt(branch, 10)
	if r := sec.PostForm(commit, url.Values{"data": {data}}); r.Status != http.StatusSeeOther {
		t.Fatalf("commit: %d", r.Status)
	}
	var id int64
	var category, tail string
	var sealed []byte
	var admitted, converted time.Time
	if err := app.Pool.QueryRow(t.Context(), `SELECT id, category, admitted_on, converted_on, id_number_enc, id_number_tail FROM members
 WHERE branch_id = $1 AND id_number_hash = $2`, branch, apptest.Sealer(t).Hash(idNumber)).Scan(&id, &category, &admitted, &converted, &sealed, &tail); err != nil {
		t.Fatalf("the new person: %v", err)
	}
	if category != "full" || admitted.Format("2006-01-02") != "2020-09-01" || converted.Format("2006-01-02") != "2021-09-01" {
		t.Errorf("roster: %s admitted %s converted %s", category, admitted, converted)
	}
	if strings.Contains(string(sealed), idNumber) || tail != idNumber[14:] {
		t.Error("the ID number is not sealed as the roster's")
	}
	if n := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE member_id = $1`, id); n != 25 {
		t.Errorf("%d steps, want 25", n)
	}
	for kind, want := range map[string]string{"notice": "2020-08-18 passed ", "form_issued": "  ZY-2020-001", "higher_talk": "  机关党委组织员 刘明", "conversion_meeting": " on_time 10/9/8"} {
		var got string
		if err := app.Pool.QueryRow(t.Context(), `SELECT coalesce(end_on::text, '') || ' ' || outcome || ' ' ||
  CASE WHEN due_count IS NULL THEN doc_no || people ELSE due_count || '/' || present || '/' || in_favour END
  FROM recruit_steps WHERE member_id = $1 AND kind = $2`, id, kind).Scan(&got); err != nil || got != want {
			t.Errorf("%s: %q, want %q (%v)", kind, got, want, err)
		}
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'member.create' AND entity_id = $1`, id); n != 1 {
		t.Errorf("%d audit rows of the new person", n)
	}

	// Broken time limits import kept and marked: a development target named
	// a month short of the year (flagged, 第十三条), an approval past three
	// months with its reason and a probation assessment a day over six
	// months (late).
	second := pii.MakeIDNumber("110105", time.Date(1996, 6, 6, 0, 0, 0, 0, time.UTC), 124)
	late := with(base, map[string]string{"name": "导入乙", "id_number": second, "target": "2020-05-01",
		"approval": "2020-12-15", "approval_reason": "上级党委会议推迟", "oath": "2020-12-20", "probation_assessment": "2021-03-02、2021-08-20"})
	r = upload(t, sec, path, importFile(t, rowOf(late)))
	if r.Status != http.StatusOK || r.Doc().Find(`[data-testid="rimport-flag"]`).Length() != 3 {
		t.Fatalf("flagged preview: %d, %d flags %s", r.Status, r.Doc().Find(`[data-testid="rimport-flag"]`).Length(), r.Doc().Find(`[data-testid="rimport-problems"]`).Text())
	}
	data, _ = r.Doc().Find(`input[name="data"]`).Attr("value")
	if r := sec.PostForm(commit, url.Values{"data": {data}}); r.Status != http.StatusSeeOther {
		t.Fatalf("flagged commit: %d", r.Status)
	}
	marks := app.Int(t, `SELECT count(*) FROM recruit_steps s JOIN members m ON m.id = s.member_id WHERE m.name = '导入乙'
  AND ((s.kind = 'target' AND s.flag_rule = 'activist_months') OR (s.kind = 'approval' AND s.late_rule = 'approval_months')
    OR (s.kind = 'probation_assessment' AND s.done_on = '2021-03-02' AND s.late_rule = 'assessment_months'))`)
	if marks != 3 {
		t.Errorf("%d marked steps, want 3", marks)
	}
	// The same person again is on the roster now: their ID number is not a
	// new applicant's.
	if r := upload(t, sec, path, importFile(t, rowOf(with(base, map[string]string{"stage": "申请人"})))); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("the imported person again: %d", r.Status)
	}
	// The template holds every column, its examples readable by the import.
	r = sec.Get("/recruitment/import/template.xlsx")
	recs, err := recruit.ParseImport([]byte(r.Body))
	if r.Status != http.StatusOK || err != nil || len(recs) != 3 || recs[0]["assessment"] == "" || recs[1]["gender"] != "女" || recs[2]["conversion_meeting_2"] == "" || recs[2]["extension_months"] != "6" {
		t.Errorf("template: %d %v %v", r.Status, err, recs)
	}
}

// A new applicant whose ID number reaches the roster between the preview
// and the commit: the commit fails as a conflict and writes nothing, not
// even the rows before it (all or nothing).
func TestRecruitImportConflictWritesNothing(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	sealer := apptest.Sealer(t)
	first := pii.MakeIDNumber("110105", time.Date(1997, 7, 7, 0, 0, 0, 0, time.UTC), 125)
	second := pii.MakeIDNumber("110105", time.Date(1998, 8, 8, 0, 0, 0, 0, time.UTC), 126)
	recs := []map[string]string{
		{"_line": "2", "name": "导入丙", "id_number": first, "gender": "男", "stage": "申请人", "application": "2026-01-05"},
		{"_line": "3", "name": "导入丁", "id_number": second, "gender": "女", "stage": "申请人", "application": "2026-02-05"},
	}
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	rows, problems, err := recruit.CheckImport(ctx, app.Pool, sealer, branch, recs, today)
	if err != nil || len(problems) > 0 || len(rows) != 2 || rows[0].New == nil || rows[1].New == nil {
		t.Fatalf("check: %v %v %d rows", err, problems, len(rows))
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO members (branch_id, name, gender, birth_date, category, id_number_hash)
VALUES ($1, '抢先', 'female', '1998-08-08', 'applicant', $2)`, branch, sealer.Hash(second)); err != nil {
		t.Fatal(err)
	}
	members := app.Int(t, `SELECT count(*) FROM members`)
	steps := app.Int(t, `SELECT count(*) FROM recruit_steps`)
	if _, err := recruit.NewStore(app.Pool).Import(ctx, sealer, rows, today); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("import: %v, want a conflict", err)
	}
	if app.Int(t, `SELECT count(*) FROM members`) != members || app.Int(t, `SELECT count(*) FROM recruit_steps`) != steps {
		t.Error("a failed import wrote rows")
	}
}
