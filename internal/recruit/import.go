package recruit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apperr"
	"zhibu/internal/dates"
	"zhibu/internal/db"
	"zhibu/internal/dues"
	"zhibu/internal/export"
	"zhibu/internal/member"
	"zhibu/internal/pii"
)

// The recruitment import (issue 20): people in the pipeline with the
// dates of every step they have done, from the application to full
// membership. A row finds its person on the branch's roster (by ID number
// or staff number); a row with an ID number found nowhere on the roster is
// a new applicant, put on the branch's roster by the member package
// (member.AddApplicant, checked by the member form) in the import's
// transaction. Each step is checked by the step form (StepForm.Validate)
// and its clock (Check, as records brought in from the past: a broken time
// limit is kept flagged and shown in the preview; an impossible record
// refuses the whole file, naming row, column and article); nothing is
// written unless every row is good, and then all in one transaction.

// Limits of an import file.
const (
	MaxImportBytes    = 2 << 20
	MaxImportRows     = 500
	maxImportUnzipped = 20 << 20
)

// importCol is a column of the import template: its field, its header in
// Chinese (the template's) and the other headers accepted.
type importCol struct {
	Field  string
	Header string
	Also   []string
}

// ImportCols are the template's columns in order: who, then each step's
// date (the field named as the step's kind) with its details, then what a
// new applicant needs on the roster.
var ImportCols = []importCol{
	{"name", "姓名", []string{"name"}},
	{"id_number", "身份证号", []string{"身份证号码", "公民身份号码", "id number", "id_number"}},
	{"staff_no", "工号", []string{"职工号", "人员编号", "staff number", "staff_no"}},
	{"stage", "阶段", []string{"stage"}},
	{"application", "申请入党日期", []string{"application"}},
	{"talk", "谈话日期", []string{"talk"}},
	{"talker", "谈话人", []string{"talker"}},
	{"activist", "确定积极分子日期", []string{"activist"}},
	{"contacts", "培养联系人", []string{"contacts"}},
	{"recommendation", "推荐日期", []string{"recommendation"}},
	{"recommenders", "推荐方", []string{"recommenders"}},
	{"activist_filed", "积极分子备案日期", []string{"activist_filed"}},
	{"assessment", "积极分子考察日期", []string{"assessment"}},
	{"thought_report", "思想汇报日期", []string{"思想汇报", "thought_report"}},
	{"target", "确定发展对象日期", []string{"target"}},
	{"target_filed", "发展对象备案日期", []string{"target_filed"}},
	{"introducers", "确定入党介绍人日期", []string{"introducers"}},
	{"introducer_names", "入党介绍人", []string{"introducer_names"}},
	{"political_review", "政治审查日期", []string{"political_review"}},
	{"training", "培训结业日期", []string{"training"}},
	{"training_hours", "培训学时", []string{"training_hours"}},
	{"training_days", "培训天数", []string{"training_days"}},
	{"training_cert", "结业证书编号", []string{"training_cert"}},
	{"branch_review", "支委会审查日期", []string{"branch_review"}},
	{"pre_review", "上级预审日期", []string{"pre_review"}},
	{"notice", "公示开始日期", []string{"notice"}},
	{"notice_end", "公示结束日期", []string{"notice_end"}},
	{"notice_outcome", "公示结果", []string{"notice_outcome"}},
	{"form_issued", "志愿书发放日期", []string{"form_issued"}},
	{"form_no", "志愿书编号", []string{"form_no"}},
	{"admission_meeting", "支部大会日期", []string{"admission_meeting"}},
	{"due_count", "应到人数", []string{"due_count"}},
	{"present", "实到人数", []string{"present"}},
	{"in_favour", "赞成人数", []string{"in_favour"}},
	{"higher_talk", "上级谈话日期", []string{"higher_talk"}},
	{"higher_talker", "上级谈话人", []string{"higher_talker"}},
	{"approval", "上级批准日期", []string{"approval"}},
	{"approval_reason", "批准逾期原因", []string{"approval_reason"}},
	{"oath", "入党宣誓日期", []string{"oath"}},
	{"probation_assessment", "预备期考察日期", []string{"probation_assessment"}},
	{"conversion_application", "转正申请日期", []string{"conversion_application"}},
	{"conversion_meeting", "转正支部大会日期", []string{"conversion_meeting"}},
	{"conversion_outcome", "转正结果", []string{"conversion_outcome"}},
	{"extended_to", "延长预备期至", []string{"extended_to"}},
	{"extension_months", "延长预备期月数", []string{"extension_months"}},
	{"conversion_due", "转正应到人数", []string{"conversion_due"}},
	{"conversion_present", "转正实到人数", []string{"conversion_present"}},
	{"conversion_in_favour", "转正赞成人数", []string{"conversion_in_favour"}},
	{"conversion_meeting_2", "第二次转正支部大会日期", []string{"conversion_meeting_2"}},
	{"conversion_outcome_2", "第二次转正结果", []string{"conversion_outcome_2"}},
	{"conversion_due_2", "第二次转正应到人数", []string{"conversion_due_2"}},
	{"conversion_present_2", "第二次转正实到人数", []string{"conversion_present_2"}},
	{"conversion_in_favour_2", "第二次转正赞成人数", []string{"conversion_in_favour_2"}},
	{"conversion_approval", "转正批准日期", []string{"conversion_approval"}},
	{"conversion_reason", "转正批准逾期原因", []string{"conversion_reason"}},
	{"converted_on", "转为正式党员日期", []string{"converted_on"}},
	{"gender", "性别", []string{"gender"}},
	{"birth_date", "出生日期", []string{"birth_date"}},
	{"department", "部门", []string{"department"}},
}

// stageWords are the stage column's words.
var stageWords = map[string]string{
	"申请人": "applicant", "入党申请人": "applicant", "applicant": "applicant",
	"积极分子": "activist", "入党积极分子": "activist", "activist": "activist",
	"发展对象": "target", "target": "target",
	"预备党员": "probationary", "probationary": "probationary",
	"正式党员": "full", "党员": "full", "full": "full",
	"取消预备党员资格": "cancelled", "已取消预备党员资格": "cancelled", "cancelled": "cancelled",
}

// importFields names, for a step, the column of each field of its form
// other than the date (which is the column named as the step's kind).
var importFields = map[string]map[string]string{
	"talk":                {"person_a": "talker"},
	"recommendation":      {"people": "recommenders"},
	"activist":            {"person_a": "contacts", "person_b": "contacts"},
	"introducers":         {"person_a": "introducer_names", "person_b": "introducer_names"},
	"training":            {"hours": "training_hours", "days": "training_days", "doc_no": "training_cert"},
	"notice":              {"end_on": "notice_end", "outcome": "notice_outcome"},
	"form_issued":         {"doc_no": "form_no"},
	"admission_meeting":   {"due_count": "due_count", "present": "present", "in_favour": "in_favour"},
	"higher_talk":         {"people": "higher_talker"},
	"approval":            {"reason": "approval_reason"},
	"conversion_meeting":  {"outcome": "conversion_outcome", "end_on": "extended_to", "due_count": "conversion_due", "present": "conversion_present", "in_favour": "conversion_in_favour"},
	"conversion_approval": {"reason": "conversion_reason"},
}

// importSecond names the columns of the second 支部大会 on full
// membership, held at the end of a probation the first one extended
// (第三十二条): its date is the column conversion_meeting_2, its outcome
// (full membership or cancellation) and votes these; the approval that
// follows is in the conversion_approval columns as after a first meeting.
var importSecond = map[string]string{"outcome": "conversion_outcome_2", "due_count": "conversion_due_2", "present": "conversion_present_2", "in_favour": "conversion_in_favour_2"}

// importOutcomes are the outcome columns' words; steps whose outcome has
// no column import as passed (a record of a review, an approval).
var importOutcomes = map[string]string{
	"通过": "passed", "不通过": "failed", "passed": "passed", "failed": "failed",
	"按期转正": "on_time", "延长预备期": "extend", "取消预备党员资格": "cancel", "on_time": "on_time", "extend": "extend", "cancel": "cancel",
}

// manyDates are the steps done again and again (the half-yearly
// assessments, the thought reports): their cell holds several
// dates, separated by 、 , ， ; or spaces.
var manyDates = map[string]bool{"assessment": true, "probation_assessment": true, "thought_report": true}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ';' || r == '；' || r == ' ' })
}

// ImportProblem is one bad cell of the file: its line, the column (a
// field of ImportCols; "" for the whole row), the message key and the
// rule's citation when a rule refuses.
type ImportProblem struct {
	Line  int
	Name  string
	Field string
	Key   string
	Cite  string
}

// ImportRow is a good row: the person (or, for someone not yet on the
// roster, the member record to create), the steps to record and the time
// limits they break (kept flagged, as the step form keeps history).
type ImportRow struct {
	Line     int
	Name     string
	MemberID int64
	New      *member.Values
	Stage    string
	Steps    []Step
	Flags    []ImportProblem
	// FullOn is the date of full membership of a row that reaches it: the
	// day probation ends (第三十四条), from which 党龄 counts.
	FullOn *time.Time
}

// ImportFileError is a file that cannot be read at all.
type ImportFileError struct{ Key string }

func (e *ImportFileError) Error() string { return "recruit: import file: " + e.Key }

var importReadKeys = map[string]string{"too_big": "duesroll.rimport.too_big", "not_xlsx": "duesroll.rimport.not_xlsx", "empty": "duesroll.rimport.empty", "too_many": "duesroll.rimport.too_many"}

// ParseImport reads the file into records keyed by field, each with its line.
func ParseImport(data []byte) ([]map[string]string, error) {
	records, err := export.ReadSheet(data, export.ReadLimits{MaxBytes: MaxImportBytes, MaxUnzipped: maxImportUnzipped, MaxRows: MaxImportRows})
	var re *export.ReadError
	if errors.As(err, &re) {
		return nil, &ImportFileError{importReadKeys[re.Reason]}
	}
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for i, h := range records[0] {
		h = strings.ToLower(strings.TrimSpace(h))
		for _, c := range ImportCols {
			if h == c.Header || slices.Contains(c.Also, h) {
				cols[c.Field] = i
			}
		}
	}
	_, hasName := cols["name"]
	_, hasStage := cols["stage"]
	_, hasID := cols["id_number"]
	_, hasStaff := cols["staff_no"]
	if !hasName || !hasStage || (!hasID && !hasStaff) {
		return nil, &ImportFileError{"duesroll.rimport.columns"}
	}
	var out []map[string]string
	for i, rec := range records[1:] {
		row := map[string]string{"_line": strconv.Itoa(i + 2)}
		blank := true
		for f, c := range cols {
			if c < len(rec) {
				if v := strings.TrimSpace(rec[c]); v != "" {
					row[f] = v
					blank = false
				}
			}
		}
		if !blank {
			out = append(out, row)
		}
	}
	if len(out) == 0 {
		return nil, &ImportFileError{"duesroll.rimport.empty"}
	}
	return out, nil
}

// importDate reads a date cell: 2024-03-05 or 2024/3/5 as text, or the
// serial number a date cell holds.
func importDate(v string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2"} {
		if d, err := time.Parse(layout, v); err == nil {
			return d, true
		}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n > 1 && n < 100000 {
		if t, err := excelize.ExcelDateToTime(n, false); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
	}
	return time.Time{}, false
}

// CheckImport checks every row against the branch's roster and the
// clock. It returns the good rows, or the problems of every bad row (the
// import is all or nothing). It writes nothing.
func CheckImport(ctx context.Context, q db.Querier, sealer *pii.Sealer, branchID int64, recs []map[string]string, today time.Time) ([]ImportRow, []ImportProblem, error) {
	type person struct {
		ID       int64      `db:"id"`
		Name     string     `db:"name"`
		Category string     `db:"category"`
		Applied  *time.Time `db:"applied_on"`
	}
	people, err := db.Rows[person](ctx, q, `SELECT id, name, category, applied_on FROM members
 WHERE branch_id = $1 AND in_pipeline(category, party_status)`, branchID)
	if err != nil {
		return nil, nil, fmt.Errorf("recruit: import people: %w", err)
	}
	byID := map[int64]person{}
	ids := make([]int64, 0, len(people))
	for _, p := range people {
		byID[p.ID] = p
		ids = append(ids, p.ID)
	}
	staff, err := dues.StaffNumbers(ctx, q, branchID)
	if err != nil {
		return nil, nil, err
	}
	full, err := FullMembers(ctx, q, branchID)
	if err != nil {
		return nil, nil, err
	}
	fullByName := map[string][]int64{}
	for _, m := range full {
		fullByName[m.Name] = append(fullByName[m.Name], m.ID)
	}
	var branchNames map[string][]int64
	rulesOn := map[time.Time]Rules{}
	rulesFor := func(d time.Time) (Rules, error) {
		r, ok := rulesOn[d]
		if !ok {
			if r, err = LoadRules(ctx, q, d); err != nil {
				return r, err
			}
			rulesOn[d] = r
		}
		return r, nil
	}
	var good []ImportRow
	var problems []ImportProblem
	seen := map[int64]bool{}
	seenNew := map[string]bool{}
	for _, rec := range recs {
		line, _ := strconv.Atoi(rec["_line"])
		name := rec["name"]
		before := len(problems)
		bad := func(field, key, cite string) {
			problems = append(problems, ImportProblem{Line: line, Name: name, Field: field, Key: key, Cite: cite})
		}
		if name == "" {
			bad("name", "form.required", "")
		}
		var p person
		found := false
		idNumber := strings.ToUpper(strings.ReplaceAll(rec["id_number"], " ", ""))
		if idNumber != "" {
			var id int64
			if err := q.QueryRow(ctx, `SELECT id FROM members WHERE id = ANY ($1) AND id_number_hash = ANY ($2) LIMIT 1`, ids, sealer.Hashes(idNumber)).Scan(&id); err == nil {
				p, found = byID[id], true
			} else if !errors.Is(err, pgx.ErrNoRows) {
				return nil, nil, fmt.Errorf("recruit: import match: %w", err)
			}
		}
		if !found && rec["staff_no"] != "" {
			if id, ok := staff[rec["staff_no"]]; ok {
				p, found = byID[id]
			}
		}
		var newPerson *member.Values
		switch {
		case idNumber == "" && rec["staff_no"] == "":
			bad("id_number", "duesroll.rimport.no_key", "")
			continue
		case !found && idNumber == "":
			bad("staff_no", "duesroll.rimport.unknown", "")
			continue
		case !found:
			// Someone not on the branch's pipeline: a new applicant, unless
			// the ID number is already somebody's on the roster.
			var n int
			if err := q.QueryRow(ctx, `SELECT count(*) FROM members WHERE id_number_hash = ANY ($1)`, sealer.Hashes(idNumber)).Scan(&n); err != nil {
				return nil, nil, fmt.Errorf("recruit: import id taken: %w", err)
			}
			if n > 0 {
				bad("id_number", "recruit2.import.elsewhere", "")
				continue
			}
			if seenNew[idNumber] {
				bad("id_number", "duesroll.rimport.twice", "")
				continue
			}
			seenNew[idNumber] = true
			v, ok := newApplicant(rec, idNumber, branchID, today, bad)
			if !ok {
				continue
			}
			newPerson = &v
			p = person{Name: v.Name, Category: "applicant", Applied: v.AppliedOn}
		case name != "" && p.Name != name:
			bad("name", "duesroll.rimport.name", "")
			continue
		case seen[p.ID]:
			bad("id_number", "duesroll.rimport.twice", "")
			continue
		}
		if p.ID != 0 {
			seen[p.ID] = true
		}
		stage, ok := stageWords[strings.ToLower(rec["stage"])]
		if !ok {
			bad("stage", "duesroll.rimport.stage", "")
		}
		var f File
		if newPerson != nil {
			f = File{Person: Person{BranchID: branchID, Name: newPerson.Name, Gender: newPerson.Gender, BirthDate: newPerson.BirthDate,
				Category: "applicant", PartyStatus: "normal", AppliedOn: newPerson.AppliedOn}}
		} else if f, err = GetFile(ctx, q, p.ID); err != nil {
			return nil, nil, err
		}
		row := ImportRow{Line: line, Name: p.Name, MemberID: p.ID, New: newPerson, Stage: stage}
		// who resolves a name to a member of the branch: the talker any
		// member in good standing, the others full members who may foster
		// and introduce (第九、十四条); a name must be unique.
		who := func(field, v string) string {
			if field == "talker" {
				if branchNames == nil {
					branchNames = map[string][]int64{}
					type bm struct {
						ID   int64  `db:"id"`
						Name string `db:"name"`
					}
					all, err := db.Rows[bm](ctx, q, `SELECT id, name FROM members WHERE branch_id = $1 AND in_good_standing(category, party_status)`, branchID)
					if err == nil {
						for _, m := range all {
							branchNames[m.Name] = append(branchNames[m.Name], m.ID)
						}
					}
				}
				if ms := branchNames[v]; len(ms) == 1 {
					return strconv.FormatInt(ms[0], 10)
				}
			} else if ms := fullByName[v]; len(ms) == 1 {
				return strconv.FormatInt(ms[0], 10)
			}
			bad(field, "duesroll.rimport.no_person", "")
			return ""
		}
		// Cells that need a date they lack: the second meeting's outcome
		// and votes, the extension's length.
		if rec["conversion_meeting_2"] == "" && slices.ContainsFunc(slices.Collect(maps.Values(importSecond)), func(c string) bool { return rec[c] != "" }) {
			bad("conversion_meeting_2", "form.required", "")
		}
		if rec["conversion_meeting"] == "" && rec["extension_months"] != "" {
			bad("conversion_meeting", "form.required", "")
		}
		for _, sp := range Specs {
			kind := sp.Kind
			// Where the step's dates are: its own column, and for the 支部大会
			// on full membership the second meeting's after an extension.
			type place struct {
				date string
				cols map[string]string
			}
			places := []place{{kind, importFields[kind]}}
			if kind == "conversion_meeting" {
				places = append(places, place{"conversion_meeting_2", importSecond})
			}
			for _, pl := range places {
				raw := rec[pl.date]
				if raw == "" {
					continue
				}
				cells := []string{raw}
				if manyDates[kind] {
					cells = splitList(raw)
				}
				for _, cell := range cells {
					d, ok := importDate(cell)
					if !ok {
						bad(pl.date, "form.bad_date", "")
						continue
					}
					if kind == "application" && p.Applied != nil && !p.Applied.Equal(d) {
						bad(kind, "duesroll.rimport.applied_on", "")
						continue
					}
					r, err := rulesFor(d)
					if err != nil {
						return nil, nil, err
					}
					cellRec, column, ok := importConversion(rec, pl.date, f, r, bad)
					if !ok {
						continue
					}
					s, ok := importStep(cellRec, kind, pl.date, pl.cols, d, today, p.ID, who, bad)
					if !ok {
						continue
					}
					checked, refusal := Check(f, s, r, true)
					if refusal != nil {
						bad(column(pl.cols, pl.date, refusal.Field), refusal.Key, refusal.Cite)
						continue
					}
					if checked.LateRule != "" {
						row.Flags = append(row.Flags, ImportProblem{Line: line, Name: p.Name, Field: pl.date, Key: "recruit2.import.late", Cite: r.Cite(checked.LateRule)})
					}
					if checked.FlagRule != "" {
						row.Flags = append(row.Flags, ImportProblem{Line: line, Name: p.Name, Field: pl.date, Key: "duesroll.rimport.flagged", Cite: r.Cite(checked.FlagRule)})
					}
					advance(&f, checked)
					row.Steps = append(row.Steps, checked)
				}
			}
		}
		if raw := rec["converted_on"]; raw != "" && len(problems) == before {
			// Full membership dates from the day probation ends (第三十四条).
			d, ok := importDate(raw)
			day := today // probation is judged by the rule set of the 支部大会 that admitted
			if a := f.On("admission_meeting"); a != nil {
				day = *a
			}
			r, err := rulesFor(day)
			if err != nil {
				return nil, nil, err
			}
			end := f.ProbationEnd(r)
			switch {
			case !ok:
				bad("converted_on", "form.bad_date", "")
			case f.Person.Category != "full" || end == nil:
				bad("converted_on", "recruit.error.needs.conversion_meeting", "")
			case !end.Equal(d):
				bad("converted_on", "recruit2.import.converted_on", r.Cite("conversion_approval_months"))
			}
		}
		if f.Person.Category == "full" {
			if a := f.On("admission_meeting"); a != nil {
				r, err := rulesFor(*a)
				if err != nil {
					return nil, nil, err
				}
				row.FullOn = f.ProbationEnd(r)
			}
		}
		if ok && len(problems) == before {
			if got := importStage(f, p.Category); got != stage {
				bad("stage", "duesroll.rimport.stage_dates", "")
			}
		}
		if len(problems) == before {
			good = append(good, row)
		}
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	return good, nil, nil
}

// newApplicant checks a row of someone not yet on the roster with the
// member form's own checks (name, gender, birth date, the ID number and
// its check digit agreeing with the birth date), as a new applicant of the
// branch from the row's application date.
func newApplicant(rec map[string]string, idNumber string, branchID int64, today time.Time, bad func(field, key, cite string)) (member.Values, bool) {
	gender := map[string]string{"男": "male", "女": "female", "male": "male", "female": "female"}[strings.ToLower(rec["gender"])]
	if rec["gender"] != "" && gender == "" {
		bad("gender", "recruit2.import.gender", "")
		return member.Values{}, false
	}
	birth := ""
	if v := rec["birth_date"]; v != "" {
		d, ok := importDate(v)
		if !ok {
			bad("birth_date", "form.bad_date", "")
			return member.Values{}, false
		}
		birth = d.Format(dateLayout)
	} else if d, problem := pii.CheckIDNumber(idNumber); problem == "" {
		birth = d.Format(dateLayout)
	} else {
		bad("id_number", problem, "")
		return member.Values{}, false
	}
	applied := ""
	if v := rec["application"]; v == "" {
		bad("application", "recruit2.import.new_application", "")
		return member.Values{}, false
	} else if d, ok := importDate(v); ok {
		applied = d.Format(dateLayout)
	} else {
		bad("application", "form.bad_date", "")
		return member.Values{}, false
	}
	form := member.Form{BranchID: strconv.FormatInt(branchID, 10), Name: rec["name"], Gender: gender, BirthDate: birth,
		IDNumber: idNumber, Department: rec["department"], Category: "applicant", AppliedOn: applied}
	v, errs := form.Validate(true, today)
	if len(errs) == 0 {
		return v, true
	}
	column := map[string]string{"name": "name", "gender": "gender", "birth_date": "birth_date", "id_number": "id_number",
		"department": "department", "applied_on": "application"}
	for _, field := range slices.Sorted(maps.Keys(errs)) {
		c := column[field]
		if c == "" {
			c = "name"
		}
		bad(c, errs[field], "")
	}
	return member.Values{}, false
}

// importConversion reads what the 支部大会 on full membership needs
// beyond its own columns, before the step form and the clock judge it
// (Check, as the step form does). For the first meeting (date column
// conversion_meeting): an extension's length in months (extension_months)
// is turned into the day the extended probation ends, counted from the
// end of the original probation as the clock counts it; it must agree with
// 延长预备期至 when both are given, and neither may be given unless the
// outcome is an extension. The second meeting (conversion_meeting_2) is
// only possible after a first that extended probation, and cannot extend
// it again (第三十二条). It returns the row's cells to read the step from
// and the column a refusal's field names; ok false when a cell is refused
// here.
func importConversion(rec map[string]string, dateCol string, f File, r Rules, bad func(field, key, cite string)) (map[string]string, func(cols map[string]string, dateCol, field string) string, bool) {
	column := importColumn
	outcome := func(c string) string { return importOutcomes[strings.ToLower(rec[c])] }
	switch dateCol {
	case "conversion_meeting":
		if o := outcome("conversion_outcome"); (rec["extended_to"] != "" || rec["extension_months"] != "") && o != "" && o != "extend" {
			bad(map[bool]string{true: "extended_to", false: "extension_months"}[rec["extended_to"] != ""], "recruit3.import.extension_not_extend", r.Cite("extension_min_months"))
			return nil, nil, false
		}
		raw := rec["extension_months"]
		if raw == "" {
			break
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 || n > 120 {
			bad("extension_months", "recruit.error.number", "")
			return nil, nil, false
		}
		orig := f.OriginalProbationEnd(r)
		if orig == nil {
			break // not admitted: the clock refuses the meeting
		}
		end := dates.AddMonths(*orig, n)
		if v := rec["extended_to"]; v != "" {
			if e, ok := importDate(v); ok && !e.Equal(end) {
				bad("extension_months", "recruit3.import.extension_disagrees", r.Cite("extension_min_months"))
				return nil, nil, false
			}
			break
		}
		rec = maps.Clone(rec)
		rec["extended_to"] = end.Format(dateLayout)
		// The day is the months': a refusal of it names their column.
		column = func(cols map[string]string, dateCol, field string) string {
			if c := importColumn(cols, dateCol, field); c != "extended_to" {
				return c
			}
			return "extension_months"
		}
	case "conversion_meeting_2":
		first := f.Last("conversion_meeting")
		switch {
		case first == nil && rec["conversion_meeting"] == "":
			bad(dateCol, "recruit3.import.second_without_first", "")
			return nil, nil, false
		case first == nil:
			return nil, nil, false // the first meeting was refused: named there
		case first.Outcome != "extend":
			bad(dateCol, "recruit3.import.second_needs_extension", r.Cite("extension_min_months"))
			return nil, nil, false
		case outcome("conversion_outcome_2") == "extend":
			bad("conversion_outcome_2", "recruit.error.extended_once", r.Cite("extension_max_months"))
			return nil, nil, false
		}
	}
	return rec, column, true
}

// importStep reads one step of a row through the step form (Validate):
// the date from column dateCol, and the other fields from their columns
// (cols, by the form's field).
func importStep(rec map[string]string, kind, dateCol string, cols map[string]string, d, today time.Time, self int64, who func(field, v string) string, bad func(field, key, cite string)) (Step, bool) {
	col := func(field string) string { return rec[cols[field]] }
	form := StepForm{Kind: kind, DoneOn: d.Format(dateLayout), Details: "导入", People: col("people"), DocNo: col("doc_no"),
		Hours: col("hours"), Days: col("days"), DueCount: col("due_count"), Present: col("present"), InFavour: col("in_favour"),
		Reason: col("reason")}
	if v := col("end_on"); v != "" {
		if e, ok := importDate(v); ok {
			form.EndOn = e.Format(dateLayout)
		} else {
			form.EndOn = v // refused by Validate as a bad date
		}
	}
	switch {
	case cols["outcome"] != "":
		if v := col("outcome"); v != "" {
			spec, _ := SpecOf(kind)
			if form.Outcome = importOutcomes[strings.ToLower(v)]; !slices.Contains(spec.Outcomes, form.Outcome) {
				bad(cols["outcome"], map[string]string{"notice": "recruit2.import.notice_outcome", "conversion_meeting": "recruit2.import.conversion_outcome"}[kind], "")
				return Step{}, false
			}
		}
	case kind == "political_review" || kind == "approval" || kind == "conversion_approval":
		form.Outcome = "passed"
	}
	if c := cols["person_a"]; c != "" {
		names := splitList(rec[c])
		if len(names) == 0 {
			bad(c, "form.required", "")
			return Step{}, false
		}
		if len(names) > 2 {
			bad(c, "recruit2.import.two_names", "")
			return Step{}, false
		}
		// As Record's checkPeople: two introducers (第十四条), two different
		// people, neither the person themselves.
		if kind == "introducers" && len(names) < 2 {
			bad(c, "recruit.error.two_introducers", "")
			return Step{}, false
		}
		if len(names) == 2 && names[0] == names[1] {
			bad(c, "recruit.error.same_person", "")
			return Step{}, false
		}
		if len(names) > 0 {
			if form.PersonA = who(c, names[0]); form.PersonA == "" {
				return Step{}, false
			}
		}
		if len(names) > 1 {
			if form.PersonB = who(c, names[1]); form.PersonB == "" {
				return Step{}, false
			}
		}
	}
	if self := strconv.FormatInt(self, 10); form.PersonA == self || form.PersonB == self {
		bad(cols["person_a"], "recruit.error.person", "")
		return Step{}, false
	}
	s, errs := form.Validate(today)
	if errs.Any() {
		for _, field := range slices.Sorted(maps.Keys(errs)) {
			bad(importColumn(cols, dateCol, field), errs[field], "")
		}
		return Step{}, false
	}
	return s, true
}

// importColumn is the column of a step's form field: its own column
// (cols, by field), or the step's date column.
func importColumn(cols map[string]string, dateCol, field string) string {
	if c := cols[field]; c != "" {
		return c
	}
	return dateCol
}

// advance adds a checked step to the file as Record would leave it: the
// step, and the roster's stage moved as roster moves it, so that the
// row's next steps are judged as they will be when recorded.
func advance(f *File, s Step) {
	f.Steps = append(f.Steps, s)
	up := func(stage string) {
		if stageRank[stage] > stageRank[f.Person.Category] {
			f.Person.Category = stage
		}
	}
	switch {
	case s.Kind == "activist":
		up("activist")
	case s.Kind == "target":
		up("target")
	case s.Kind == "approval" && s.Outcome == "passed":
		up("probationary")
	case s.Kind == "conversion_meeting" && s.Outcome == "cancel":
		f.Person.PartyStatus = "cancelled"
	case s.Kind == "conversion_approval" && s.Outcome == "passed":
		up("full")
	}
}

// importStage is the stage a file's steps reach (the roster's stage when
// they reach less).
func importStage(f File, category string) string {
	if f.Stage() == "cancelled" {
		return "cancelled"
	}
	stage := "applicant"
	switch {
	case f.passed("conversion_approval"):
		stage = "full"
	case f.passed("approval"):
		stage = "probationary"
	case f.On("target") != nil:
		stage = "target"
	case f.On("activist") != nil:
		stage = "activist"
	}
	if stageRank[category] > stageRank[stage] {
		return category
	}
	return stage
}

// Import records every good row in one transaction (all or nothing): a
// new applicant put on the roster first (member.AddApplicant, the ID
// number sealed), then each step as a record brought in from the past
// (Record with history), with its audit row.
func (st *Store) Import(ctx context.Context, sealer *pii.Sealer, rows []ImportRow, today time.Time) (int, error) {
	return db.InTx(ctx, st.pool, func(tx pgx.Tx) (int, error) {
		n := 0
		for _, row := range rows {
			id := row.MemberID
			if row.New != nil {
				var err error
				if id, err = member.AddApplicant(ctx, tx, sealer, *row.New, today); err != nil {
					if errors.Is(err, member.ErrDuplicateID) {
						return 0, fmt.Errorf("recruit: import line %d: %w", row.Line, apperr.ErrConflict)
					}
					return 0, fmt.Errorf("recruit: import line %d: %w", row.Line, err)
				}
			}
			for _, s := range row.Steps {
				s.ID, s.LateRule, s.FlagRule = 0, "", ""
				if _, err := Record(ctx, tx, id, s, true); err != nil {
					return 0, fmt.Errorf("recruit: import line %d %s: %w", row.Line, s.Kind, err)
				}
				n++
			}
		}
		return n, nil
	})
}

// ImportTemplate is the template workbook: the header and three example
// rows, an activist already on the roster, a new applicant, and a
// probationary member on the roster whose probation was extended and who
// was then converted.
func ImportTemplate() *export.Book {
	b := export.NewBook()
	headers := make([]string, len(ImportCols))
	for i, c := range ImportCols {
		headers[i] = c.Header
	}
	sh := b.Sheet("发展党员导入", headers...)
	example := func(cells map[string]string) {
		row := make([]any, len(ImportCols))
		for i, c := range ImportCols {
			row[i] = cells[c.Field]
		}
		sh.Row(row...)
	}
	example(map[string]string{"name": "张三", "id_number": pii.MakeIDNumber("110101", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 123), "stage": "积极分子", "application": "2024-03-01",
		"talk": "2024-03-20", "talker": "李四", "activist": "2024-06-10", "contacts": "王五、赵六", "assessment": "2024-12-10、2025-06-10"})
	example(map[string]string{"name": "钱七", "id_number": pii.MakeIDNumber("110101", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), 124), "stage": "申请人", "application": "2026-10-08",
		"gender": "女", "department": "办公室"})
	// A probation extended by six months at the first 支部大会 and decided
	// at the second, when the extension ends (第三十二条): full membership
	// dates from that day (第三十四条).
	example(map[string]string{"name": "孙八", "id_number": pii.MakeIDNumber("110101", time.Date(1992, 2, 2, 0, 0, 0, 0, time.UTC), 125), "stage": "正式党员",
		"conversion_application": "2024-06-01", "conversion_meeting": "2024-06-20", "conversion_outcome": "延长预备期", "extension_months": "6",
		"conversion_due": "12", "conversion_present": "11", "conversion_in_favour": "10",
		"conversion_meeting_2": "2024-12-23", "conversion_outcome_2": "按期转正", "conversion_due_2": "12", "conversion_present_2": "10", "conversion_in_favour_2": "9",
		"conversion_approval": "2025-01-15", "converted_on": "2024-12-20"})
	return b
}
