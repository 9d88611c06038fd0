package export

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"
)

// Percent is a fraction (0.92) written as a number with a percentage
// format (92%), so a spreadsheet can sort and sum it.
type Percent float64

// Fen is an amount of money in fen, written as a number of yuan with two
// decimals (0.00); the only conversion to a float is here, after every
// sum was made in integer fen.
type Fen int64

// NoValue is an empty cell: a rate with nothing to count, a missing date.
type NoValue struct{}

// Book writes .xlsx workbooks people can work with: each sheet starts
// with its header row, frozen, with an autofilter over the data; dates
// are date cells with a date format, percentages numbers with a
// percentage format, other numbers numbers, and every text goes through
// Cell (no formulas). The first error is kept and returned by Write.
type Book struct {
	f         *excelize.File
	dateStyle int
	pctStyle  int
	headStyle int
	fenStyle  int
	sheets    []*Sheet
	err       error
}

// Sheet is one sheet of a Book.
type Sheet struct {
	b    *Book
	name string
	row  int // last row written
	cols int
}

// NewBook returns an empty workbook.
func NewBook() *Book {
	b := &Book{f: excelize.NewFile()}
	var err error
	dateFmt := "yyyy-mm-dd"
	if b.dateStyle, err = b.f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		b.fail(err)
	}
	if b.pctStyle, err = b.f.NewStyle(&excelize.Style{NumFmt: 9}); err != nil { // 0%
		b.fail(err)
	}
	if b.headStyle, err = b.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		b.fail(err)
	}
	if b.fenStyle, err = b.f.NewStyle(&excelize.Style{NumFmt: 2}); err != nil { // 0.00
		b.fail(err)
	}
	return b
}

// SetTitle gives the workbook its title (the document's properties): the
// line a printed report carries above its table, kept out of the sheets
// so that each starts with its header row.
func (b *Book) SetTitle(title string) {
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Title: title}))
}

func (b *Book) fail(err error) {
	if b.err == nil && err != nil {
		b.err = fmt.Errorf("export: %w", err)
	}
}

// Sheet adds a sheet with its header row.
func (b *Book) Sheet(name string, header ...string) *Sheet {
	if len(b.sheets) == 0 {
		b.fail(b.f.SetSheetName("Sheet1", name))
	} else if _, err := b.f.NewSheet(name); err != nil {
		b.fail(err)
	}
	s := &Sheet{b: b, name: name, cols: len(header)}
	b.sheets = append(b.sheets, s)
	head := make([]any, len(header))
	for i, h := range header {
		head[i] = h
	}
	s.Row(head...)
	if len(header) > 0 {
		last, _ := excelize.CoordinatesToCellName(len(header), 1)
		b.fail(b.f.SetCellStyle(name, "A1", last, b.headStyle))
	}
	return s
}

// Row writes the next row.
func (s *Sheet) Row(vals ...any) {
	s.row++
	s.cols = max(s.cols, len(vals))
	for i, v := range vals {
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			s.b.fail(err)
			return
		}
		style := 0
		switch x := v.(type) {
		case NoValue:
			continue
		case string:
			v = Cell(x)
		case time.Time:
			if x.IsZero() {
				continue
			}
			v, style = time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC), s.b.dateStyle
		case Percent:
			v, style = float64(x), s.b.pctStyle
		case Fen:
			v, style = float64(x)/100, s.b.fenStyle
		}
		s.b.fail(s.b.f.SetCellValue(s.name, cell, v))
		if style != 0 {
			s.b.fail(s.b.f.SetCellStyle(s.name, cell, cell, style))
		}
	}
}

// Write freezes each sheet's header row, puts an autofilter over its
// data and writes the workbook.
func (b *Book) Write(w io.Writer) error {
	for _, s := range b.sheets {
		b.fail(b.f.SetPanes(s.name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
		if s.cols > 0 {
			last, _ := excelize.CoordinatesToCellName(s.cols, max(s.row, 1))
			b.fail(b.f.AutoFilter(s.name, "A1:"+last, nil))
		}
	}
	if b.err != nil {
		return b.err
	}
	return b.f.Write(w)
}

// File is the workbook, for tests and for writers that need more.
func (b *Book) File() *excelize.File { return b.f }

// Close releases the workbook.
func (b *Book) Close() error { return b.f.Close() }
