package member

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"zhibu/internal/i18n"
)

// Import limits.
const (
	MaxImportRows  = 5000
	MaxImportBytes = 2 << 20
	// MaxUnzippedBytes caps what an .xlsx file may unpack to (a roster of
	// MaxImportRows rows unpacks to a few MB; the library's default is
	// 16 GB), so that a small zip bomb is refused before it is unpacked.
	MaxUnzippedBytes = 32 << 20
	// maxUnzippedXMLBytes is how much of one worksheet or the shared
	// strings is unpacked into memory; beyond, into a temporary file.
	maxUnzippedXMLBytes = 16 << 20
)

// FileError is a problem with a roster file as a whole, as a message key
// with an optional argument (a column name).
type FileError struct {
	Key string
	Arg string
}

func (e *FileError) Error() string { return "member: roster file: " + e.Key + " " + e.Arg }

// RosterRow is one data row of a roster file, as typed.
type RosterRow struct {
	Line      int // 1-based line (row) number in the file
	Form      Form
	GroupName string
	Status    string
	// BranchName is the file's 所在党支部: the branch is the one chosen on
	// the upload form, and the file's name for it is kept in the notes.
	BranchName string
	// MonthOnly lists the date fields given to the month only (2001.07, as
	// national-system exports write them): refused with their own message,
	// never read as a spreadsheet day number.
	MonthOnly []string
}

// Roster is a parsed roster file.
type Roster struct {
	Columns []string // the fields recognised, in file order
	Unknown []string // headers that name no field
	Rows    []RosterRow
}

// columnAliases maps a normalised header (lower case, no spaces,
// underscores or brackets) to a field.
var columnAliases = map[string]string{
	"姓名": "name", "name": "name",
	"性别": "gender", "gender": "gender", "sex": "gender",
	"民族": "ethnicity", "ethnicity": "ethnicity",
	"出生日期": "birth_date", "出生年月": "birth_date", "出生年月日": "birth_date", "birthdate": "birth_date", "dateofbirth": "birth_date",
	"籍贯": "native_place", "nativeplace": "native_place",
	"学历": "education", "最高学历": "education", "全日制学历": "education", "education": "education",
	"身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number", "idnumber": "id_number", "idno": "id_number", "id": "id_number",
	"手机号": "phone", "手机号码": "phone", "手机": "phone", "联系电话": "phone", "电话": "phone", "phone": "phone", "mobile": "phone",
	"部门": "department", "工作部门": "department", "所在部门": "department", "department": "department",
	"职务": "job_title", "职务职级": "job_title", "工作岗位": "job_title", "岗位": "job_title", "jobtitle": "job_title", "title": "job_title",
	"人员类别": "category", "类别": "category", "党员类别": "category", "category": "category",
	"申请入党日期": "applied_on", "入党申请日期": "applied_on", "appliedon": "applied_on", "applied": "applied_on",
	"确定积极分子日期": "activist_on", "列为积极分子日期": "activist_on", "积极分子日期": "activist_on", "activiston": "activist_on", "activist": "activist_on",
	"确定发展对象日期": "target_on", "列为发展对象日期": "target_on", "发展对象日期": "target_on", "targeton": "target_on", "target": "target_on",
	"入党日期": "admitted_on", "入党时间": "admitted_on", "加入党组织日期": "admitted_on", "接收预备党员日期": "admitted_on", "admittedon": "admitted_on", "admitted": "admitted_on",
	"转正日期": "converted_on", "转为正式党员日期": "converted_on", "转正时间": "converted_on", "convertedon": "converted_on", "converted": "converted_on",
	"党小组": "group", "group": "group", "partygroup": "group",
	// The national system's 所在党支部 (the export's own branch column, 所在支部,
	// stays unknown: the branch is chosen on the upload form).
	"所在党支部": "branch_name",
	"党籍状态":  "status", "状态": "status", "status": "status", "partystatus": "status",
	"备注": "notes", "notes": "notes", "note": "notes",
}

// requiredColumns must be in every roster file.
var requiredColumns = []string{"name", "gender", "birth_date", "id_number", "category"}

var dateColumns = map[string]bool{"birth_date": true, "applied_on": true, "activist_on": true, "target_on": true, "admitted_on": true, "converted_on": true}

// valueAliases maps typed values (Chinese or English) to stored ones.
var valueAliases = map[string]map[string]string{
	"gender": {"男": "male", "女": "female", "male": "male", "female": "female", "m": "male", "f": "female"},
	"category": {"入党申请人": "applicant", "申请人": "applicant", "入党积极分子": "activist", "积极分子": "activist",
		"发展对象": "target", "预备党员": "probationary", "正式党员": "full", "党员": "full", "applicant": "applicant",
		"activist": "activist", "target": "target", "developmenttarget": "target", "probationary": "probationary", "full": "full"},
	"education": {"研究生": "postgraduate", "研究生教育": "postgraduate", "博士": "postgraduate", "博士研究生": "postgraduate",
		"硕士": "postgraduate", "硕士研究生": "postgraduate", "研究生毕业": "postgraduate", "大学": "university", "本科": "university",
		"大学本科": "university", "大学本科教育": "university", "大学本科毕业": "university", "大专": "college", "专科": "college",
		"大学专科": "college", "大学专科教育": "college", "大学专科毕业": "college", "中专": "secondary", "中技": "secondary",
		"职高": "secondary", "技工学校": "secondary", "中等专科": "secondary", "中等职业教育": "secondary", "中专及以下": "secondary",
		"高中": "high_school", "普通高中": "high_school", "普通高级中学教育": "high_school", "初中": "junior", "初级中学教育": "junior",
		"小学": "primary", "小学教育": "primary", "其他": "other", "postgraduate": "postgraduate", "university": "university",
		"college": "college", "secondary": "secondary", "vocational": "secondary", "highschool": "high_school",
		"juniorhigh": "junior", "junior": "junior", "primary": "primary", "other": "other"},
	"status": {"正常": "normal", "停止党籍": "suspended", "除名": "struck_off", "开除": "expelled", "开除党籍": "expelled",
		"死亡": "deceased", "去世": "deceased", "normal": "normal", "suspended": "suspended", "struckoff": "struck_off",
		"expelled": "expelled", "deceased": "deceased"},
}

// eduCodes are the codes of GB/T 4658-2006, top level and detail, by the
// level they belong to.
var eduCodes = map[string][]string{
	"postgraduate": {"10", "11", "12", "13", "14", "15", "16", "17", "18", "19"},
	"university":   {"20", "21", "22", "23", "24", "25", "26", "27", "28"},
	"college":      {"30", "31", "32", "33", "34", "35", "36", "37", "38"},
	"secondary":    {"40", "41", "42", "43", "44", "45", "46", "47", "48", "49"},
	"high_school":  {"60", "61", "62", "63"},
	"junior":       {"70", "71", "72", "73"},
	"primary":      {"80", "81", "82", "83"},
	"other":        {"90"},
}

// importField maps the form's field names (member.field.*, the export's
// headers) to the importer's; the branch is chosen on the upload form.
var importField = map[string]string{"name": "name", "gender": "gender", "ethnicity": "ethnicity", "birth_date": "birth_date",
	"native_place": "native_place", "education": "education", "id_number": "id_number", "phone": "phone",
	"department": "department", "job_title": "job_title", "category": "category", "applied_on": "applied_on",
	"activist_on": "activist_on", "target_on": "target_on", "admitted_on": "admitted_on", "converted_on": "converted_on",
	"group_id": "group", "party_status": "status", "notes": "notes"}

// codedValues lists the stored values of each coded column and the
// prefix of their labels.
var codedValues = map[string]struct {
	prefix string
	values []string
}{
	"gender":    {"member.gender.", []string{"male", "female"}},
	"category":  {"member.category.", []string{"applicant", "activist", "target", "probationary", "full"}},
	"education": {"member.education.", Educations},
	"status":    {"member.status.", []string{"normal", "suspended", "struck_off", "expelled", "deceased"}},
}

// The labels an export writes, in every language, read back: headers and
// coded values round-trip whatever the exporting user's language was.
func init() {
	for level, codes := range eduCodes {
		for _, c := range codes {
			valueAliases["education"][c] = level
		}
	}
	for _, l := range i18n.Supported {
		for field, to := range importField {
			columnAliases[normaliseHeader(i18n.TL(l, "member.field."+field))] = to
		}
		for field, c := range codedValues {
			for _, v := range c.values {
				valueAliases[field][normaliseHeader(i18n.TL(l, c.prefix+v))] = v
			}
		}
	}
}

var headerCleaner = strings.NewReplacer(" ", "", "_", "", "-", "", "　", "", "*", "", "(", "", ")", "", "（", "", "）", "", "\ufeff", "")

func normaliseHeader(h string) string {
	return strings.ToLower(headerCleaner.Replace(strings.TrimSpace(h)))
}

// ParseRoster reads a roster from an .xlsx workbook (first sheet) or a CSV
// file in UTF-8 or GBK. The first row names the columns, in Chinese or
// English. It returns a *FileError when the file as a whole is unusable.
func ParseRoster(data []byte) (*Roster, error) {
	if len(data) > MaxImportBytes {
		return nil, &FileError{Key: "member.import.too_big"}
	}
	var records [][]string
	var lines []int // the file line of each record
	var err error
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		records, err = readXLSX(data)
		for i := range records {
			lines = append(lines, i+1)
		}
	} else {
		records, lines, err = readCSV(data)
	}
	if err != nil {
		return nil, err
	}
	// Drop trailing blank rows.
	for len(records) > 0 && blank(records[len(records)-1]) {
		records = records[:len(records)-1]
	}
	if len(records) == 0 {
		return nil, &FileError{Key: "member.import.empty"}
	}
	if len(records)-1 > MaxImportRows {
		return nil, &FileError{Key: "member.import.too_many", Arg: strconv.Itoa(MaxImportRows)}
	}
	r := &Roster{}
	fields := make([]string, len(records[0]))
	seen := map[string]bool{}
	for i, h := range records[0] {
		f, ok := columnAliases[normaliseHeader(h)]
		switch {
		case strings.TrimSpace(h) == "":
		case !ok:
			r.Unknown = append(r.Unknown, strings.TrimSpace(h))
		case seen[f]:
			return nil, &FileError{Key: "member.import.duplicate_column", Arg: strings.TrimSpace(h)}
		default:
			fields[i] = f
			seen[f] = true
			r.Columns = append(r.Columns, f)
		}
	}
	for _, f := range requiredColumns {
		if !seen[f] {
			return nil, &FileError{Key: "member.import.missing_column", Arg: f}
		}
	}
	for n, rec := range records[1:] {
		if blank(rec) {
			continue
		}
		row := RosterRow{Line: lines[n+1]}
		for i, v := range rec {
			if i >= len(fields) || fields[i] == "" {
				continue
			}
			row.set(fields[i], strings.TrimSpace(v))
		}
		row.keepBranchName()
		r.Rows = append(r.Rows, row)
	}
	if len(r.Rows) == 0 {
		return nil, &FileError{Key: "member.import.empty"}
	}
	return r, nil
}

func blank(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func (row *RosterRow) set(field, v string) {
	if m, ok := valueAliases[field]; ok {
		if s, ok := m[normaliseHeader(v)]; ok {
			v = s
		}
	}
	if dateColumns[field] {
		if yearMonth.MatchString(v) {
			row.MonthOnly = append(row.MonthOnly, field)
		} else {
			v = normaliseDate(v)
		}
	}
	f := &row.Form
	switch field {
	case "name":
		f.Name = v
	case "gender":
		f.Gender = v
	case "ethnicity":
		f.Ethnicity = v
	case "birth_date":
		f.BirthDate = v
	case "native_place":
		f.NativePlace = v
	case "education":
		f.Education = v
	case "id_number":
		f.IDNumber = v
	case "phone":
		f.Phone = v
	case "department":
		f.Department = v
	case "job_title":
		f.JobTitle = v
	case "category":
		f.Category = v
	case "applied_on":
		f.AppliedOn = v
	case "activist_on":
		f.ActivistOn = v
	case "target_on":
		f.TargetOn = v
	case "admitted_on":
		f.AdmittedOn = v
	case "converted_on":
		f.ConvertedOn = v
	case "group":
		row.GroupName = v
	case "status":
		row.Status = v
	case "notes":
		f.Notes = v
	case "branch_name":
		row.BranchName = v
	}
}

// codedLabel is the label of a coded value of an import column in the
// request language (正式党员 for full); a value that is not one of the
// column's codes is shown as typed.
func codedLabel(ctx context.Context, field, v string) string {
	if c, ok := codedValues[field]; ok && slices.Contains(c.values, v) {
		return i18n.T(ctx, c.prefix+v)
	}
	return v
}

// yearMonth matches a date written to the month only: 2001.07, 2001-7,
// 2001/07, 2001年7月, 200107.
var yearMonth = regexp.MustCompile(`^(19|20)\d\d(([.\-/]|年)(0?[1-9]|1[0-2])月?|(0[1-9]|1[0-2]))$`)

// keepBranchName adds the file's 所在党支部 to the notes.
func (row *RosterRow) keepBranchName() {
	if row.BranchName == "" {
		return
	}
	note := i18n.TL(i18n.ZH, "member.import.branch_note", row.BranchName)
	if row.Form.Notes != "" {
		note = row.Form.Notes + "；" + note
	}
	row.Form.Notes = note
}

var dateLayouts = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "20060102", "2006年1月2日", "2006/01/02 15:04:05", "2006-01-02 15:04:05"}

// normaliseDate turns the usual ways of writing a day (and Excel serial
// numbers) into 2006-01-02; anything else is returned as typed, for the
// validation to refuse.
func normaliseDate(v string) string {
	if v == "" {
		return v
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.Format(dateLayout)
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f > 1 && f < 80000 && !strings.ContainsAny(v, "eE") {
		if t, err := excelize.ExcelDateToTime(f, false); err == nil {
			return t.Format(dateLayout)
		}
	}
	return v
}

// readXLSX reads the first sheet's rows. What the file unpacks to is
// checked against MaxUnzippedBytes before anything is unpacked (and the
// library is held to it too), and the rows are read one at a time,
// stopping at the first row past MaxImportRows.
func readXLSX(data []byte) ([][]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &FileError{Key: "member.import.unreadable"}
	}
	var unzipped uint64
	for _, zf := range zr.File {
		unzipped += zf.UncompressedSize64
		if unzipped > MaxUnzippedBytes {
			return nil, &FileError{Key: "member.import.too_big_unzipped", Arg: strconv.Itoa(MaxUnzippedBytes>>20) + " MB"}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: MaxUnzippedBytes, UnzipXMLSizeLimit: maxUnzippedXMLBytes})
	if err != nil {
		return nil, &FileError{Key: "member.import.unreadable"}
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &FileError{Key: "member.import.empty"}
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, &FileError{Key: "member.import.unreadable"}
	}
	defer func() { _ = it.Close() }()
	var rows [][]string
	blanks := 0 // blank rows not yet followed by a row with text
	for it.Next() {
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, &FileError{Key: "member.import.unreadable"}
		}
		if blank(cols) {
			blanks++ // kept only if a row with text follows
			continue
		}
		if len(rows)+blanks+1 > MaxImportRows+1 {
			return nil, &FileError{Key: "member.import.too_many", Arg: strconv.Itoa(MaxImportRows)}
		}
		for ; blanks > 0; blanks-- {
			rows = append(rows, nil)
		}
		rows = append(rows, cols)
	}
	if it.Error() != nil {
		return nil, &FileError{Key: "member.import.unreadable"}
	}
	return rows, nil
}

func readCSV(data []byte) ([][]string, []int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var src io.Reader = bytes.NewReader(data)
	if !utf8.Valid(data) {
		// Not UTF-8: GB18030, a superset of GBK, as spreadsheet programs on
		// Chinese systems save CSV.
		src = transform.NewReader(bytes.NewReader(data), simplifiedchinese.GB18030.NewDecoder())
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	var out [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, &FileError{Key: "member.import.unreadable"}
		}
		line, _ := cr.FieldPos(0)
		out = append(out, rec)
		lines = append(lines, line)
		if len(out) > MaxImportRows+1 {
			return nil, nil, &FileError{Key: "member.import.too_many", Arg: strconv.Itoa(MaxImportRows)}
		}
	}
	return out, lines, nil
}

// ColumnLabel is the translation key of a roster field's column header.
func ColumnLabel(field string) string {
	switch field {
	case "group", "group_id":
		return "member.field.group_id"
	case "status":
		return "member.field.party_status"
	}
	return "member.field." + field
}

// ImportStatus reads a status column value ("" is normal).
func importStatus(v string) (string, bool) {
	if v == "" {
		return "normal", true
	}
	for _, s := range ChangeableStatuses {
		if s == v {
			return s, true
		}
	}
	return "", false
}
