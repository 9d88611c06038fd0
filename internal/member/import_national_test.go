package member_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/member"
	"zhibu/internal/pii"
)

// nationalCSV is a roster as the national system exports it: its headers
// (转为正式党员日期, 工作岗位, 所在党支部), education as written there, and
// the given admission dates.
func nationalCSV(rows [][2]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"姓名", "性别", "出生日期", "公民身份号码", "人员类别", "学历", "入党时间", "转为正式党员日期", "工作岗位", "所在党支部"})
	for i, r := range rows {
		birth := time.Date(1980+i, 3, 9, 0, 0, 0, 0, time.UTC)
		id := pii.MakeIDNumber("110101", birth, 700+i)
		_ = w.Write([]string{"全国" + []string{"甲", "乙", "丙", "丁", "戊"}[i], "男", birth.Format("2006-01-02"), id, "正式党员", r[0], r[1], "2006-07-01", "科员", "中共示范机关办公室支部委员会"})
	}
	w.Flush()
	return b.Bytes()
}

func TestImportNationalSystemExport(t *testing.T) {
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	data := nationalCSV([][2]string{{"硕士研究生", "2005-07-01"}, {"博士研究生", "2005.07.01"}, {"初中", "2005/7/1"}, {"14", "2005年7月1日"}, {"普通高中", "2005-07-01"}})
	r := upload(t, sec, branch, "national.csv", data)
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s %s", r.Status, r.TestID("import-bad"), r.TestID("import-file-error"))
	}
	// The preview shows labels, not codes.
	if ok := r.Doc().Find(`[data-testid="import-row-ok"]`); ok.Length() != 5 || !strings.Contains(ok.First().Text(), "正式党员") || strings.Contains(ok.First().Text(), "full") {
		t.Errorf("preview rows: %d, first %q", ok.Length(), ok.First().Text())
	}
	if res := confirm(t, sec, r); res.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.Status)
	}
	got := map[string]string{}
	rows, err := app.Pool.Query(context.Background(), `SELECT name, education || '|' || converted_on::text || '|' || job_title || '|' || notes FROM members WHERE name LIKE '全国%'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name, v string
		if err := rows.Scan(&name, &v); err != nil {
			t.Fatal(err)
		}
		got[name] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"全国甲": "postgraduate", "全国乙": "postgraduate", "全国丙": "junior", "全国丁": "postgraduate", "全国戊": "high_school",
	}
	for name, edu := range want {
		v := got[name]
		if v != edu+"|2006-07-01|科员|所在党支部：中共示范机关办公室支部委员会" {
			t.Errorf("%s: %q, want education %s, 转正 2006-07-01, 工作岗位 and 所在党支部 kept", name, v, edu)
		}
	}
}

// TestImportMonthOnlyDates: 2001.07 is a year and a month, not spreadsheet
// day number 2001 (23 June 1905): refused with a date-format message, and
// nothing is written.
func TestImportMonthOnlyDates(t *testing.T) {
	for _, v := range []string{"2005.07", "2005-07", "2005/7", "2005年7月", "200507"} {
		roster, err := member.ParseRoster(nationalCSV([][2]string{{"大学本科", v}}))
		if err != nil {
			t.Fatal(err)
		}
		if row := roster.Rows[0]; len(row.MonthOnly) != 1 || row.MonthOnly[0] != "admitted_on" || row.Form.AdmittedOn != v {
			t.Errorf("%s: month-only %v, admitted %q", v, row.MonthOnly, row.Form.AdmittedOn)
		}
	}
	// A whole day in the same spellings is still a day.
	roster, err := member.ParseRoster(nationalCSV([][2]string{{"大学本科", "2005.07.01"}}))
	if err != nil {
		t.Fatal(err)
	}
	if row := roster.Rows[0]; len(row.MonthOnly) != 0 || row.Form.AdmittedOn != "2005-07-01" {
		t.Errorf("a full day: month-only %v, admitted %q", row.MonthOnly, row.Form.AdmittedOn)
	}

	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	before := count(t, app, `SELECT count(*) FROM members`)
	r := upload(t, sec, app.OrgID(t, "办公室党支部"), "national.csv", nationalCSV([][2]string{{"大学本科", "2005-07-01"}, {"大学本科", "2001.07"}}))
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", r.Status)
	}
	bad := r.Doc().Find(`[data-testid="import-row-bad"]`)
	if bad.Length() != 1 || !strings.Contains(bad.Text(), "只有年月") || strings.Contains(bad.Text(), "出生") {
		t.Errorf("bad rows %d: %q", bad.Length(), bad.Text())
	}
	if count(t, app, `SELECT count(*) FROM members`) != before {
		t.Error("a refused file wrote members")
	}
}
