package recruit_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/pii"
	"zhibu/internal/recruit"
)

// A probation extended at one 支部大会 and decided at a second (第三十二条)
// imports as the step form records it: the same steps, flags and roster;
// the extension is judged by the clock's own rule (six months to a year
// from the end of the original probation: a day short, exactly, a year, a
// day over, given as a date or in months), the full-membership date must
// be the end of the extended probation (a day short, on the day, a day
// over), and impossible second meetings are refused naming row, column
// and article, the refused file writing nothing.
func TestRecruitImportExtendedProbation(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	var full []string
	if err := app.Pool.QueryRow(ctx, `SELECT array_agg(name ORDER BY id) FROM (SELECT min(id) AS id, name FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal'
  GROUP BY name HAVING count(*) = 1 ORDER BY 1 LIMIT 2) x`, branch).Scan(&full); err != nil || len(full) < 2 {
		t.Fatalf("two full members: %v %v", full, err)
	}
	// Admitted 2020-09-01: probation ends 2021-09-01; extended by six
	// months to 2022-03-01 and converted there, the approval late with its
	// reason (kept, marked late).
	probation := map[string]string{
		"name": "延期甲", "id_number": pii.MakeIDNumber("110105", time.Date(1994, 4, 4, 0, 0, 0, 0, time.UTC), 131), "gender": "男", "stage": "预备党员",
		"application": "2019-03-01", "talk": "2019-03-20", "talker": full[0], "thought_report": "2019-04-01、2019-10-01",
		"activist": "2019-06-01", "contacts": full[0] + "、" + full[1], "assessment": "2019-12-01、2020-06-01",
		"target": "2020-06-15", "introducers": "2020-06-20", "introducer_names": full[0] + "、" + full[1],
		"political_review": "2020-07-15", "training": "2020-07-20", "training_hours": "24",
		"branch_review": "2020-08-01", "pre_review": "2020-08-10",
		"admission_meeting": "2020-09-01", "due_count": "10", "present": "8", "in_favour": "7",
		"approval": "2020-10-15", "oath": "2020-10-20",
		"probation_assessment": "2021-03-01、2021-08-20",
	}
	extended := with(probation, map[string]string{"stage": "正式党员", "probation_assessment": "2021-03-01、2021-08-20、2022-02-20",
		"conversion_application": "2021-08-25",
		"conversion_meeting":     "2021-09-01", "conversion_outcome": "延长预备期", "extended_to": "2022-03-01",
		"conversion_due": "10", "conversion_present": "9", "conversion_in_favour": "8",
		"conversion_meeting_2": "2022-03-01", "conversion_outcome_2": "按期转正", "conversion_due_2": "10", "conversion_present_2": "9", "conversion_in_favour_2": "7",
		"conversion_approval": "2022-06-15", "conversion_reason": "上级党委会议推迟", "converted_on": "2022-03-01"})
	sealer := apptest.Sealer(t)
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	check := func(cells map[string]string) ([]recruit.ImportRow, []recruit.ImportProblem) {
		t.Helper()
		rec := map[string]string{"_line": "2"}
		for k, v := range cells {
			rec[k] = v
		}
		rows, problems, err := recruit.CheckImport(ctx, app.Pool, sealer, branch, []map[string]string{rec}, today)
		if err != nil {
			t.Fatal(err)
		}
		return rows, problems
	}

	// The extension's length and the date of full membership at their
	// boundaries; each good case ends with full membership on the day the
	// extended probation ends.
	cases := []struct {
		name   string
		change map[string]string
		field  string // the refused column; "" for a good row
		key    string
		cite   string
	}{
		{"extended a day short of six months", map[string]string{"extended_to": "2022-02-28", "conversion_meeting_2": "2022-02-28", "converted_on": "2022-02-28"}, "extended_to", "recruit.error.extension_short", "第三十二条"},
		{"extended six months exactly", nil, "", "", ""},
		{"extended a year exactly", map[string]string{"extended_to": "2022-09-01", "conversion_meeting_2": "2022-09-01", "converted_on": "2022-09-01", "conversion_approval": "2022-10-01", "conversion_reason": ""}, "", "", ""},
		{"extended a day over a year", map[string]string{"extended_to": "2022-09-02", "conversion_meeting_2": "2022-09-02", "converted_on": "2022-09-02", "conversion_approval": "2022-10-01"}, "extended_to", "recruit.error.extension_long", "第三十二条"},
		{"five months", map[string]string{"extended_to": "", "extension_months": "5", "conversion_meeting_2": "2022-02-01", "converted_on": "2022-02-01"}, "extension_months", "recruit.error.extension_short", "第三十二条"},
		{"six months", map[string]string{"extended_to": "", "extension_months": "6"}, "", "", ""},
		{"twelve months", map[string]string{"extended_to": "", "extension_months": "12", "conversion_meeting_2": "2022-09-01", "converted_on": "2022-09-01", "conversion_approval": "2022-10-01"}, "", "", ""},
		{"thirteen months", map[string]string{"extended_to": "", "extension_months": "13", "conversion_meeting_2": "2022-10-01", "converted_on": "2022-10-01", "conversion_approval": "2022-10-05"}, "extension_months", "recruit.error.extension_long", "第三十二条"},
		{"months and date disagree", map[string]string{"extension_months": "7"}, "extension_months", "recruit3.import.extension_disagrees", "第三十二条"},
		{"months and date agree", map[string]string{"extension_months": "6"}, "", "", ""},
		{"full membership a day short of the extended end", map[string]string{"converted_on": "2022-02-28"}, "converted_on", "recruit2.import.converted_on", "第三十四条"},
		{"full membership at the original end", map[string]string{"converted_on": "2021-09-01"}, "converted_on", "recruit2.import.converted_on", "第三十四条"},
		{"full membership a day over the extended end", map[string]string{"converted_on": "2022-03-02"}, "converted_on", "recruit2.import.converted_on", "第三十四条"},
		{"second meeting before the extension ends", map[string]string{"conversion_meeting_2": "2022-02-28"}, "conversion_meeting_2", "recruit.error.before_probation_end", "第三十二条"},
		{"second meeting without quorum", map[string]string{"conversion_present_2": "5"}, "conversion_present_2", "recruit.error.quorum", "第二十条"},
		{"second meeting without a majority", map[string]string{"conversion_in_favour_2": "5"}, "conversion_in_favour_2", "recruit.error.favour", "第二十一条"},
		{"second meeting extends again", map[string]string{"conversion_outcome_2": "延长预备期", "stage": "预备党员", "conversion_approval": "", "converted_on": ""}, "conversion_outcome_2", "recruit.error.extended_once", "第三十二条"},
		{"second meeting after an on-time first", map[string]string{"conversion_outcome": "按期转正", "extended_to": ""}, "conversion_meeting_2", "recruit3.import.second_needs_extension", "第三十二条"},
		{"second meeting without a first", map[string]string{"conversion_meeting": "", "conversion_outcome": "", "extended_to": "", "conversion_due": "", "conversion_present": "", "conversion_in_favour": ""}, "conversion_meeting_2", "recruit3.import.second_without_first", ""},
		{"second outcome without its date", map[string]string{"conversion_meeting_2": "", "conversion_approval": "", "converted_on": "", "stage": "预备党员"}, "conversion_meeting_2", "form.required", ""},
		{"second outcome unknown", map[string]string{"conversion_outcome_2": "待定"}, "conversion_outcome_2", "recruit2.import.conversion_outcome", ""},
		{"an extension with an on-time outcome", map[string]string{"conversion_outcome": "按期转正", "conversion_meeting_2": "", "conversion_outcome_2": "", "conversion_due_2": "", "conversion_present_2": "", "conversion_in_favour_2": "", "converted_on": "2021-09-01", "conversion_approval": "2021-10-01", "probation_assessment": "2021-03-01、2021-08-20"}, "extended_to", "recruit3.import.extension_not_extend", "第三十二条"},
		{"cancelled at the second meeting", map[string]string{"conversion_outcome_2": "取消预备党员资格", "stage": "取消预备党员资格", "conversion_approval": "", "conversion_reason": "", "converted_on": ""}, "", "", ""},
	}
	for _, c := range cases {
		rows, problems := check(with(extended, c.change))
		if c.field == "" {
			if len(problems) > 0 || len(rows) != 1 {
				t.Errorf("%s: refused %+v", c.name, problems)
				continue
			}
			if want := c.change["converted_on"]; c.change["stage"] == "" && (rows[0].FullOn == nil || want != "" && rows[0].FullOn.Format("2006-01-02") != want) {
				t.Errorf("%s: full on %v, want %s", c.name, rows[0].FullOn, want)
			}
			continue
		}
		if len(problems) == 0 || problems[0].Field != c.field || problems[0].Key != c.key || !strings.Contains(problems[0].Cite, c.cite) {
			t.Errorf("%s: %+v, want %s %s citing %q", c.name, problems, c.field, c.key, c.cite)
		}
	}

	// Through the page: a refused file names row, column and article and
	// writes nothing.
	sec := app.Login(t, "secretary")
	path := "/recruitment/import?branch=" + strconv.FormatInt(branch, 10)
	counts := func() [2]int64 {
		return [2]int64{app.Int(t, `SELECT count(*) FROM recruit_steps`), app.Int(t, `SELECT count(*) FROM members`)}
	}
	before := counts()
	r := upload(t, sec, path, importFile(t, rowOf(with(extended, map[string]string{"extended_to": "2022-09-02"}))))
	problem := r.Doc().Find(`[data-testid="rimport-problem"]`).First().Text()
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(problem, "第 2 行（延期甲）延长预备期至") || !strings.Contains(problem, "第三十二条") {
		t.Errorf("refused file: %d %q", r.Status, problem)
	}
	if counts() != before {
		t.Error("a refused file wrote rows")
	}

	// The good file: the extended person whole, and a second person up to
	// probation, whose remaining steps the secretary then enters in the
	// step form with the same dates.
	formPerson := with(probation, map[string]string{"name": "延期乙", "id_number": pii.MakeIDNumber("110105", time.Date(1994, 5, 5, 0, 0, 0, 0, time.UTC), 132)})
	r = upload(t, sec, path, importFile(t, rowOf(extended), rowOf(formPerson)))
	if r.Status != http.StatusOK || !strings.Contains(r.Doc().Find(`[data-testid="rimport-full-on"]`).Text(), "2022-03-01") ||
		!strings.Contains(r.Doc().Find(`[data-testid="rimport-conversion"]`).First().Text(), "2022-03-01") || r.Doc().Find(`[data-testid="rimport-flag"]`).Length() != 1 {
		t.Fatalf("preview: %d %s", r.Status, r.Doc().Find(`[data-testid="rimport-problems"]`).Text())
	}
	data, _ := r.Doc().Find(`input[name="data"]`).Attr("value")
	if r := sec.PostForm("/recruitment/import/commit?branch="+strconv.FormatInt(branch, 10), url.Values{"data": {data}}); r.Status != http.StatusSeeOther {
		t.Fatalf("commit: %d", r.Status)
	}
	idOf := func(name string) int64 {
		return app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND name = $2`, branch, name)
	}
	imported, entered := idOf("延期甲"), idOf("延期乙")
	post := func(v url.Values) {
		t.Helper()
		if r := sec.PostForm(fmt.Sprintf("/recruitment/%d/steps", entered), v); r.Status != http.StatusSeeOther {
			t.Fatalf("form %s %s: %d %s", v.Get("kind"), v.Get("done_on"), r.Status, r.Doc().Find(`.error`).Text())
		}
	}
	post(url.Values{"kind": {"conversion_application"}, "done_on": {"2021-08-25"}})
	post(url.Values{"kind": {"conversion_meeting"}, "done_on": {"2021-09-01"}, "outcome": {"extend"}, "end_on": {"2022-03-01"}, "due_count": {"10"}, "present": {"9"}, "in_favour": {"8"}})
	post(url.Values{"kind": {"probation_assessment"}, "done_on": {"2022-02-20"}})
	post(url.Values{"kind": {"conversion_meeting"}, "done_on": {"2022-03-01"}, "outcome": {"on_time"}, "due_count": {"10"}, "present": {"9"}, "in_favour": {"7"}})
	post(url.Values{"kind": {"conversion_approval"}, "done_on": {"2022-06-15"}, "outcome": {"passed"}, "reason": {"上级党委会议推迟"}})

	stepsOf := func(id int64) string {
		var s string
		if err := app.Pool.QueryRow(ctx, `SELECT string_agg(concat_ws('|', kind, done_on, end_on, outcome, person_a, person_b, due_count, present, in_favour, reason, late_rule, flag_rule, rule_set), E'\n' ORDER BY done_on, kind)
  FROM recruit_steps WHERE member_id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := stepsOf(imported), stepsOf(entered); a != b || strings.Count(a, "conversion_meeting") != 2 || strings.Count(a, "thought_report") != 2 {
		t.Errorf("imported steps\n%s\nform steps\n%s", a, b)
	}
	rosterOf := func(id int64) string {
		var s string
		if err := app.Pool.QueryRow(ctx, `SELECT concat_ws('|', category, party_status, admitted_on, probation_extended_to, converted_on) FROM members WHERE id = $1`, id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := rosterOf(imported), rosterOf(entered); a != b || a != "full|normal|2020-09-01|2022-03-01|2022-03-01" {
		t.Errorf("roster: imported %s, form %s", a, b)
	}
	// The print shows both meetings, the date of full membership and the
	// signature lines.
	pr := sec.Get(fmt.Sprintf("/recruitment/%d/print", imported))
	if n := pr.Doc().Find(`[data-testid="print-step"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "支部大会讨论转正") }).Length(); n != 2 ||
		pr.TestID("print-full-on") != "2022年3月1日" || !pr.Has(`[data-testid="print-signatures"]`) {
		t.Errorf("print: %d conversion meetings, full on %q", n, pr.TestID("print-full-on"))
	}
	// The file page shows both meetings and the late approval as the form's.
	page := sec.Get(fmt.Sprintf("/recruitment/%d", imported))
	if n := page.Doc().Find(`[data-testid="step-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.Contains(s.Text(), "支部大会讨论转正") }).Length(); page.Status != http.StatusOK || n != 2 {
		t.Errorf("file page: %d, %d conversion meetings", page.Status, n)
	}
}
