package export

import (
	"archive/zip"
	"bytes"
	"strings"

	"github.com/xuri/excelize/v2"
)

// ReadLimits bound what ReadSheet accepts from an uploaded file.
type ReadLimits struct {
	MaxBytes    int   // the file as uploaded
	MaxUnzipped int64 // every part of the zip, unpacked, together
	MaxRows     int   // data rows below the header
}

// ReadError is a file that cannot be read at all; Reason is one of
// too_big, not_xlsx, empty, too_many (each importer maps it to its
// message).
type ReadError struct{ Reason string }

func (e *ReadError) Error() string { return "export: read: " + e.Reason }

// ReadSheet reads the first sheet of an uploaded .xlsx file as text rows
// (raw cell values, the header first), refusing before parsing a file
// that is too big, is not a zip of the .xlsx kind, or would unpack past
// the limit (a zip bomb), and after parsing one with no data rows or too
// many. The dues payroll and the recruitment imports share it.
func ReadSheet(data []byte, l ReadLimits) ([][]string, error) {
	if len(data) > l.MaxBytes {
		return nil, &ReadError{"too_big"}
	}
	if !bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, &ReadError{"not_xlsx"}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, &ReadError{"not_xlsx"}
	}
	var unzipped uint64
	for _, zf := range zr.File {
		if unzipped += zf.UncompressedSize64; unzipped > uint64(l.MaxUnzipped) {
			return nil, &ReadError{"too_big"}
		}
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: l.MaxUnzipped, UnzipXMLSizeLimit: l.MaxUnzipped})
	if err != nil {
		return nil, &ReadError{"not_xlsx"}
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, &ReadError{"empty"}
	}
	records, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &ReadError{"not_xlsx"}
	}
	// Trailing blank rows do not count.
	for len(records) > 0 && strings.TrimSpace(strings.Join(records[len(records)-1], "")) == "" {
		records = records[:len(records)-1]
	}
	if len(records) < 2 {
		return nil, &ReadError{"empty"}
	}
	if len(records)-1 > l.MaxRows {
		return nil, &ReadError{"too_many"}
	}
	return records, nil
}
