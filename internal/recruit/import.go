package recruit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/db"
	"zhibu/internal/dues"
	"zhibu/internal/export"
	"zhibu/internal/pii"
)

// The recruitment import (issue 20): people already in the pipeline (on
// the branch's roster, brought there by the roster import or the form)
// with the dates of the steps they have done. Each row is checked by the
// step form's clock (Check, as records brought in from the past: a broken
// time limit is kept flagged and shown in the preview; an impossible
// record refuses the whole file); nothing is written unless every row is
// good, and then all in one transaction.

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

// ImportCols are the template's columns in order.
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
	{"target", "确定发展对象日期", []string{"target"}},
	{"political_review", "政治审查日期", []string{"political_review"}},
	{"training", "培训结业日期", []string{"training"}},
	{"training_hours", "培训学时", []string{"training_hours"}},
	{"admission_meeting", "支部大会日期", []string{"admission_meeting"}},
	{"due_count", "应到人数", []string{"due_count"}},
	{"present", "实到人数", []string{"present"}},
	{"in_favour", "赞成人数", []string{"in_favour"}},
	{"approval", "上级批准日期", []string{"approval"}},
}

// stageWords are the stage column's words.
var stageWords = map[string]string{
	"申请人": "applicant", "入党申请人": "applicant", "applicant": "applicant",
	"积极分子": "activist", "入党积极分子": "activist", "activist": "activist",
	"发展对象": "target", "target": "target",
	"预备党员": "probationary", "probationary": "probationary",
}

// importKinds are the steps a row can carry, in the order they are done.
var importKinds = []string{"application", "talk", "activist", "target", "political_review", "training", "admission_meeting", "approval"}

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

// ImportRow is a good row: the person, the steps to record and the time
// limits they break (kept flagged, as the step form keeps history).
type ImportRow struct {
	Line     int
	Name     string
	MemberID int64
	Stage    string
	Steps    []Step
	Flags    []ImportProblem
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
// import is all or nothing).
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
	var good []ImportRow
	var problems []ImportProblem
	seen := map[int64]bool{}
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
		if v := strings.ToUpper(rec["id_number"]); v != "" {
			var id int64
			if err := q.QueryRow(ctx, `SELECT id FROM members WHERE id = ANY ($1) AND id_number_hash = ANY ($2) LIMIT 1`, ids, sealer.Hashes(v)).Scan(&id); err == nil {
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
		switch {
		case rec["id_number"] == "" && rec["staff_no"] == "":
			bad("id_number", "duesroll.rimport.no_key", "")
			continue
		case !found:
			bad("id_number", "duesroll.rimport.unknown", "")
			continue
		case name != "" && p.Name != name:
			bad("name", "duesroll.rimport.name", "")
			continue
		case seen[p.ID]:
			bad("id_number", "duesroll.rimport.twice", "")
			continue
		}
		seen[p.ID] = true
		stage, ok := stageWords[strings.ToLower(rec["stage"])]
		if !ok {
			bad("stage", "duesroll.rimport.stage", "")
		}
		f, err := GetFile(ctx, q, p.ID)
		if err != nil {
			return nil, nil, err
		}
		row := ImportRow{Line: line, Name: p.Name, MemberID: p.ID, Stage: stage}
		num := func(field string) *int {
			v := rec[field]
			if v == "" {
				return nil
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 10000 {
				bad(field, "recruit.error.number", "")
				return nil
			}
			return &n
		}
		member := func(field, v string) *int64 {
			if v == "" {
				return nil
			}
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
					return &ms[0]
				}
			} else if ms := fullByName[v]; len(ms) == 1 {
				return &ms[0]
			}
			bad(field, "duesroll.rimport.no_person", "")
			return nil
		}
		for _, kind := range importKinds {
			raw := rec[kind]
			if raw == "" {
				continue
			}
			d, ok := importDate(raw)
			if !ok {
				bad(kind, "form.bad_date", "")
				continue
			}
			if d.After(today) {
				bad(kind, "recruit.error.future", "")
				continue
			}
			if kind == "application" && p.Applied != nil && !p.Applied.Equal(d) {
				bad(kind, "duesroll.rimport.applied_on", "")
				continue
			}
			s := Step{Kind: kind, DoneOn: d, Details: "导入"}
			switch kind {
			case "talk":
				s.PersonA = member("talker", rec["talker"])
			case "activist":
				names := strings.FieldsFunc(rec["contacts"], func(r rune) bool { return r == '、' || r == ',' || r == '，' || r == ' ' })
				if len(names) > 0 {
					s.PersonA = member("contacts", names[0])
				}
				if len(names) > 1 {
					s.PersonB = member("contacts", names[1])
				}
			case "political_review", "approval":
				s.Outcome = "passed"
			case "training":
				s.Hours = num("training_hours")
			case "admission_meeting":
				s.DueCount, s.Present, s.InFavour = num("due_count"), num("present"), num("in_favour")
			}
			if (kind == "talk" || kind == "activist") && s.PersonA == nil {
				if (kind == "talk" && rec["talker"] == "") || (kind == "activist" && rec["contacts"] == "") {
					bad(map[string]string{"talk": "talker", "activist": "contacts"}[kind], "form.required", "")
				}
				continue
			}
			r, ok := rulesOn[d]
			if !ok {
				if r, err = LoadRules(ctx, q, d); err != nil {
					return nil, nil, err
				}
				rulesOn[d] = r
			}
			checked, refusal := Check(f, s, r, true)
			if refusal != nil {
				field := kind
				if refusal.Field != "kind" && refusal.Field != "done_on" {
					field = map[string]string{"due_count": "due_count", "present": "present", "in_favour": "in_favour", "hours": "training_hours", "person_a": "contacts", "person_b": "contacts"}[refusal.Field]
					if field == "" {
						field = kind
					}
				}
				bad(field, refusal.Key, refusal.Cite)
				continue
			}
			if checked.FlagRule != "" {
				row.Flags = append(row.Flags, ImportProblem{Line: line, Name: p.Name, Field: kind, Key: "duesroll.rimport.flagged", Cite: r.Cite(checked.FlagRule)})
			}
			f.Steps = append(f.Steps, checked)
			row.Steps = append(row.Steps, checked)
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

// importStage is the stage a file's steps reach (the roster's stage when
// they reach less).
func importStage(f File, category string) string {
	stage := "applicant"
	switch {
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

// Import records every good row's steps in one transaction (all or
// nothing), each as a record brought in from the past (Record with
// history), with its audit row.
func (st *Store) Import(ctx context.Context, rows []ImportRow) (int, error) {
	return db.InTx(ctx, st.pool, func(tx pgx.Tx) (int, error) {
		n := 0
		for _, row := range rows {
			for _, s := range row.Steps {
				s.ID, s.LateRule, s.FlagRule = 0, "", ""
				if _, err := Record(ctx, tx, row.MemberID, s, true); err != nil {
					return 0, fmt.Errorf("recruit: import line %d %s: %w", row.Line, s.Kind, err)
				}
				n++
			}
		}
		return n, nil
	})
}

// ImportTemplate is the template workbook: the header and one example row.
func ImportTemplate() *export.Book {
	b := export.NewBook()
	headers := make([]string, len(ImportCols))
	for i, c := range ImportCols {
		headers[i] = c.Header
	}
	sh := b.Sheet("发展党员导入", headers...)
	sh.Row("张三", "110101199001011234", "", "积极分子", "2024-03-01", "2024-03-20", "李四", "2024-06-10", "王五、赵六", "", "", "", "", "", "", "", "", "")
	return b
}
