package member

import (
	"bytes"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const csvUTF8 = "姓名,性别,出生日期,身份证号,人员类别,入党日期,转正日期,党小组,手机号,备注列\n" +
	"张三,男,1990/5/17,11010519900517123X,正式党员,2014-02-01,2015.2.1,第一党小组,13912345678,x\n" +
	"\n" +
	"李四,女,19880101,110105198801011247,入党申请人,,,,,\n"

func TestParseRosterCSVChineseHeaders(t *testing.T) {
	r, err := ParseRoster([]byte(csvUTF8))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Rows) != 2 {
		t.Fatalf("rows %d", len(r.Rows))
	}
	a := r.Rows[0]
	if a.Line != 2 || a.Form.Name != "张三" || a.Form.Gender != "male" || a.Form.BirthDate != "1990-05-17" ||
		a.Form.Category != "full" || a.Form.ConvertedOn != "2015-02-01" || a.GroupName != "第一党小组" {
		t.Errorf("row 1: %+v", a)
	}
	if r.Rows[1].Line != 4 || r.Rows[1].Form.BirthDate != "1988-01-01" || r.Rows[1].Form.Category != "applicant" {
		t.Errorf("row 2: %+v", r.Rows[1])
	}
	if len(r.Unknown) != 1 || r.Unknown[0] != "备注列" {
		t.Errorf("unknown %v", r.Unknown)
	}
}

func TestParseRosterGBKAndEnglish(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(csvUTF8))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRoster(gbk)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].Form.Name != "张三" || r.Rows[1].Form.Gender != "female" {
		t.Errorf("GBK decoded wrongly: %+v", r.Rows)
	}
	en := "Name,Gender,Birth date,ID number,Category\n王五,female,1990-01-01,x,Full\n"
	r, err = ParseRoster([]byte("\xef\xbb\xbf" + en))
	if err != nil {
		t.Fatal(err)
	}
	if r.Rows[0].Form.Gender != "female" || r.Rows[0].Form.Category != "full" {
		t.Errorf("english: %+v", r.Rows[0])
	}
}

func TestParseRosterFileErrors(t *testing.T) {
	cases := map[string]string{
		"":              "member.import.empty",
		"姓名,性别\n张三,男\n": "member.import.missing_column",
		"姓名,性别,出生日期,身份证号,人员类别\n":                               "member.import.empty",
		"姓名,Name,性别,出生日期,身份证号,人员类别\n甲,乙,男,1990-01-01,1,full\n": "member.import.duplicate_column",
		"PK\x03\x04garbage": "member.import.unreadable",
	}
	var many strings.Builder
	many.WriteString("姓名,性别,出生日期,身份证号,人员类别\n")
	for i := 0; i <= MaxImportRows; i++ {
		many.WriteString("甲,男,1990-01-01,1,full\n")
	}
	cases[many.String()] = "member.import.too_many"
	for in, want := range cases {
		_, err := ParseRoster([]byte(in))
		var fe *FileError
		if !errors.As(err, &fe) || fe.Key != want {
			t.Errorf("%.40q: got %v, want %s", in, err, want)
		}
	}
}

func TestParseRosterXLSX(t *testing.T) {
	x := excelize.NewFile()
	rows := [][]any{
		{"姓名", "性别", "出生日期", "身份证号", "人员类别"},
		{"张三", "男", 32990, "11010519900517123X", "发展对象"}, // 32990 = 1990-04-27 as an Excel serial
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := ParseRoster(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Rows[0].Form; got.Name != "张三" || got.BirthDate != "1990-04-27" || got.Category != "target" || got.IDNumber != "11010519900517123X" {
		t.Errorf("xlsx row: %+v", got)
	}
}

func FuzzParseRoster(f *testing.F) {
	f.Add([]byte(csvUTF8))
	f.Add([]byte("Name,Gender,Birth date,ID number,Category\n\"a,b\",m,1,2,3\n"))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("姓名,性别,出生日期,身份证号,人员类别\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ParseRoster(data)
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("non-file error %T %v", err, err)
			}
			return
		}
		if len(r.Rows) == 0 || len(r.Rows) > MaxImportRows {
			t.Fatalf("rows %d", len(r.Rows))
		}
		for _, row := range r.Rows {
			fm := row.Form
			fm.BranchID = "1"
			fm.Validate(true, today) // must not panic
		}
	})
}

// xlsxOf writes rows into a workbook.
func xlsxOf(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A small file whose shared strings unpack to far more than a roster ever
// does is refused before it is unpacked, with a message that says so.
func TestParseRosterRefusesXLSXThatUnpacksTooFar(t *testing.T) {
	x := excelize.NewFile()
	if err := x.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "性别", "出生日期", "身份证号", "人员类别"}); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("党", 10000) // 30 kB of UTF-8, squeezed to almost nothing
	for i := range 1200 {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.SetCellStr("Sheet1", cell, long+strconv.Itoa(i)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.Len() > MaxImportBytes {
		t.Fatalf("the test file is %d bytes, over the upload limit", buf.Len())
	}
	_, err := ParseRoster(buf.Bytes())
	var fe *FileError
	if !errors.As(err, &fe) || fe.Key != "member.import.too_big_unzipped" || fe.Arg != "32 MB" {
		t.Errorf("a %d-byte file unpacking to over 32 MB: %v", buf.Len(), err)
	}
}

func TestParseRosterXLSXStopsAtTheRowLimit(t *testing.T) {
	head := []any{"姓名", "性别", "出生日期", "身份证号", "人员类别"}
	rows := [][]any{head}
	for range MaxImportRows {
		rows = append(rows, []any{"甲", "男", "1990-01-01", "1", "正式党员"})
	}
	r, err := ParseRoster(xlsxOf(t, rows))
	if err != nil || len(r.Rows) != MaxImportRows {
		t.Fatalf("%d rows: %v", MaxImportRows, err)
	}
	// Blank rows after the last do not count.
	rows = append(rows, []any{"", ""}, []any{" "})
	if _, err := ParseRoster(xlsxOf(t, rows)); err != nil {
		t.Errorf("%d rows and trailing blank ones: %v", MaxImportRows, err)
	}
	rows = append(rows, []any{"乙", "男", "1990-01-01", "1", "正式党员"})
	_, err = ParseRoster(xlsxOf(t, rows))
	var fe *FileError
	if !errors.As(err, &fe) || fe.Key != "member.import.too_many" {
		t.Errorf("%d rows: %v", MaxImportRows+1, err)
	}
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Reading stops at the first row past the limit: a file with 50,000 rows
// more costs about what one with a single row more costs, instead of
// every row being read first. Not parallel: it measures the process's
// allocations.
func TestParseRosterXLSXDoesNotReadPastTheLimit(t *testing.T) {
	rows := [][]any{{"姓名", "性别", "出生日期", "身份证号", "人员类别"}}
	for range MaxImportRows + 1 {
		rows = append(rows, []any{"甲", "男", "1990-01-01", "1", "正式党员"})
	}
	short := xlsxOf(t, rows)
	for range 50000 {
		rows = append(rows, []any{"乙乙乙乙乙乙乙乙", "女", "1991-02-03", "110105199102031234", "正式党员"})
	}
	long := xlsxOf(t, rows)
	if len(long) > MaxImportBytes {
		t.Fatalf("the long file is %d bytes, over the upload limit", len(long))
	}
	var errShort, errLong error
	a := allocated(func() { _, errShort = ParseRoster(short) })
	b := allocated(func() { _, errLong = ParseRoster(long) })
	var fe *FileError
	if !errors.As(errShort, &fe) || fe.Key != "member.import.too_many" || !errors.As(errLong, &fe) || fe.Key != "member.import.too_many" {
		t.Fatalf("too many rows: %v, %v", errShort, errLong)
	}
	if b > 2*a {
		t.Errorf("50,000 rows past the limit were read: %d bytes allocated against %d for one row past it", b, a)
	}
}
