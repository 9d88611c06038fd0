package export

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func TestCellsAreNotFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+x": "'+x", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\t=cmd": "'\t=cmd", "\r=cmd": "'\r=cmd", "=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"admin": "admin", "": "", "张三": "张三", "2026-01-02": "2026-01-02", "a=b": "a=b", "'=x": "'=x",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRowAndValues(t *testing.T) {
	in := []string{"=a", "b", "-c"}
	if got := Row(in); !slices.Equal(got, []string{"'=a", "b", "'-c"}) || in[0] != "=a" {
		t.Errorf("Row: %q (input now %q)", got, in)
	}
	vals := []any{"@x", -5, 2.5, "ok"}
	got := Values(vals)
	if got[0] != "'@x" || got[1] != -5 || got[2] != 2.5 || got[3] != "ok" || vals[0] != "@x" {
		t.Errorf("Values: %v (input now %v)", got, vals)
	}
}

func TestBookTypesCells(t *testing.T) {
	b := NewBook()
	defer func() { _ = b.Close() }()
	s := b.Sheet("S", "name", "day", "rate", "n")
	s.Row("=cmd", time.Date(2024, 2, 29, 15, 0, 0, 0, time.UTC), Percent(0.925), 3)
	s.Row("x", time.Time{}, NoValue{}, 0)
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	get := func(cell string, raw bool) string {
		v, err := f.GetCellValue("S", cell, excelize.Options{RawCellValue: raw})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for cell, want := range map[string]string{"A2": "'=cmd", "B2": "2024-02-29", "C2": "93%", "D2": "3", "B3": "", "C3": ""} {
		if got := get(cell, false); got != want {
			t.Errorf("%s shows %q, want %q", cell, got, want)
		}
	}
	if raw := get("B2", true); raw != "45351" {
		t.Errorf("B2 raw %q, want the date serial 45351", raw)
	}
	if raw := get("C2", true); raw != "0.925" {
		t.Errorf("C2 raw %q, want 0.925", raw)
	}
	if p, err := f.GetPanes("S"); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("panes %+v %v", p, err)
	}
}

// Amounts in fen are numbers of yuan shown with two decimals; the title
// is the workbook's, and the sheet still starts with its header row.
func TestBookFenAndTitle(t *testing.T) {
	t.Parallel()
	b := NewBook()
	defer func() { _ = b.Close() }()
	b.SetTitle("办公室党支部 2026年12月")
	s := b.Sheet("S", "name", "amount")
	s.Row("a", Fen(4005))
	s.Row("b", Fen(0))
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for cell, want := range map[string]string{"A1": "name", "B2": "40.05", "B3": "0.00"} {
		if got, _ := f.GetCellValue("S", cell); got != want {
			t.Errorf("%s shows %q, want %q", cell, got, want)
		}
	}
	if typ, _ := f.GetCellType("S", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("B2 is not a number: %v", typ)
	}
	if p, err := f.GetDocProps(); err != nil || p.Title != "办公室党支部 2026年12月" {
		t.Errorf("title %+v %v", p, err)
	}
}
