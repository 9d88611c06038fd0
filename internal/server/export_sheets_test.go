package server_test

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
)

// textDate and textPercent are values a person cannot sort or sum: a date
// or a rate written as text.
var (
	textDate    = regexp.MustCompile(`^\d{4}年\d{1,2}月\d{1,2}日$|^\d{4}-\d{2}-\d{2}$`)
	textPercent = regexp.MustCompile(`^\d+(\.\d+)?%$`)
	mixedCell   = regexp.MustCompile(`\(\d+(\.\d+)? / \d+(\.\d+)?\)`)
)

// TestSpreadsheetsPeopleCanWorkWith: every .xlsx export starts each sheet
// with its header row, frozen, with an autofilter; dates are date cells
// and rates numbers with a format; no cell mixes a status with figures.
func TestSpreadsheetsPeopleCanWorkWith(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rev := app.Login(t, "reviewer")
	sec := app.Login(t, "secretary")
	for _, x := range []struct {
		c       *apptest.Client
		path    string
		undated bool // a report of amounts only
	}{
		{rev, "/review/export.xlsx", false},
		{rev, "/commendations/export.xlsx", false},
		{sec, "/members/export.xlsx", false},
		// --- files: the dues report and roll-up on export.Book (issue 21) ---
		{sec, "/dues/branches/" + strconv.FormatInt(app.OrgID(t, "办公室党支部"), 10) + "/report.xlsx", true},
		{rev, "/dues/rollup.xlsx", true},
	} {
		r := x.c.Get(x.path)
		if r.Status != 200 {
			t.Errorf("%s: %d", x.path, r.Status)
			continue
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Errorf("%s: %v", x.path, err)
			continue
		}
		filters := map[string]bool{}
		for _, d := range f.GetDefinedName() {
			if d.Name == "_xlnm._FilterDatabase" {
				filters[d.Scope] = true
			}
		}
		dates, numbers := 0, 0
		for _, sheet := range f.GetSheetList() {
			panes, err := f.GetPanes(sheet)
			if err != nil || !panes.Freeze || panes.YSplit != 1 {
				t.Errorf("%s %s: header row not frozen (%+v, %v)", x.path, sheet, panes, err)
			}
			if !filters[sheet] {
				t.Errorf("%s %s: no autofilter", x.path, sheet)
			}
			rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			if err != nil || len(rows) == 0 {
				t.Errorf("%s %s: %d rows (%v)", x.path, sheet, len(rows), err)
				continue
			}
			if len(rows[0]) < 2 {
				t.Errorf("%s %s: the first row %q is a title, not a header", x.path, sheet, rows[0])
			}
			for ri, row := range rows[1:] {
				for ci, v := range row {
					cell, _ := excelize.CoordinatesToCellName(ci+1, ri+2)
					switch {
					case textDate.MatchString(v):
						t.Errorf("%s %s %s: date as text %q", x.path, sheet, cell, v)
					case textPercent.MatchString(v):
						t.Errorf("%s %s %s: rate as text %q", x.path, sheet, cell, v)
					case mixedCell.MatchString(v):
						t.Errorf("%s %s %s: status and figures in one cell %q", x.path, sheet, cell, v)
					}
					if _, err := strconv.ParseFloat(v, 64); err == nil {
						numbers++
						if shown, _ := f.GetCellValue(sheet, cell); strings.Count(shown, "-") == 2 && len(shown) == 10 {
							dates++
						}
					}
				}
			}
		}
		if (dates == 0 && !x.undated) || numbers == 0 {
			t.Errorf("%s: %d date cells, %d number cells; want some of each", x.path, dates, numbers)
		}
		_ = f.Close()
	}
}
