package member

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/export"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
)

// MaxExportRows caps one export.
const MaxExportRows = 20000

// exportFields are the export's columns; their headers are the form's
// labels (member.field.*) in the reader's language, which the importer
// reads back in either language.
var exportFields = []string{"name", "gender", "ethnicity", "birth_date", "native_place", "education", "id_number", "phone",
	"department", "job_title", "category", "applied_on", "activist_on", "target_on", "admitted_on", "converted_on",
	"branch_id", "group_id", "party_status", "notes"}

// exportHeaders are the column headers in language l.
func exportHeaders(l i18n.Lang) []string {
	out := make([]string, len(exportFields))
	for i, f := range exportFields {
		out[i] = i18n.TL(l, "member.field."+f)
	}
	return out
}

func d(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(dateLayout)
}

// MaxExportReason caps the reason given for an export with full numbers.
const MaxExportReason = 200

// exportRecords turns roster rows into export lines. ID and phone numbers
// are masked, unless reveal is set and the row is in the user's write
// scope (the rule of the member page's reveal); revealed lists the members
// whose numbers are in full. Coded values (gender, category, ...) are
// written in language l.
func (s *Store) exportRecords(scope auth.Scope, rows []Row, l i18n.Lang, reveal bool) (out [][]string, revealed []int64) {
	for _, r := range rows {
		id, _ := s.sealer.Open(r.IDNumberEnc)
		phone, _ := s.sealer.Open(r.PhoneEnc)
		if reveal && scope.CanWrite(r.BranchPath) {
			if id != "" || phone != "" {
				revealed = append(revealed, r.ID)
			}
		} else {
			id, phone = maskOrEmpty(id, pii.MaskIDNumber), maskOrEmpty(phone, pii.MaskPhone)
		}
		edu := ""
		if r.Education != "" {
			edu = i18n.TL(l, key("member.education.", r.Education))
		}
		out = append(out, []string{r.Name, i18n.TL(l, key("member.gender.", r.Gender)), r.Ethnicity, r.BirthDate.Format(dateLayout),
			r.NativePlace, edu, id, phone, r.Department, r.JobTitle, i18n.TL(l, key("member.category.", r.Category)),
			d(r.AppliedOn), d(r.ActivistOn), d(r.TargetOn), d(r.AdmittedOn), d(r.ConvertedOn), r.BranchName,
			deref(r.GroupName), i18n.TL(l, key("member.status.", r.PartyStatus)), r.Notes})
	}
	return out, revealed
}

// exportHidden turns the roster's export query ("?q=..&org=..") into the
// hidden fields of the form that asks for full numbers.
func exportHidden(query string) [][2]string {
	v, _ := url.ParseQuery(strings.TrimPrefix(query, "?"))
	var out [][2]string
	for _, k := range slices.Sorted(maps.Keys(v)) {
		if k == "full" || k == "reason" {
			continue
		}
		for _, x := range v[k] {
			out = append(out, [2]string{k, x})
		}
	}
	return out
}

// Export downloads the roster with the current filters as .xlsx or .csv
// (UTF-8 with a byte-order mark, so that spreadsheet programs read it).
// ID and phone numbers are masked; with full=1 and a reason, those of the
// members the user may reveal on their page (its write scope) are in full,
// and the audit trail records the reason and whose numbers were shown.
func (h *Handler) Export(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	format := strings.TrimPrefix(path.Ext(r.URL.Path), ".")
	if format != "xlsx" && format != "csv" {
		return fmt.Errorf("member: export format %q: %w", format, apperr.ErrNotFound)
	}
	scope := auth.ScopeOf(ctx)
	reveal := r.URL.Query().Get("full") == "1"
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if reveal {
		if !scope.Writes() {
			return fmt.Errorf("member: export with full numbers: %w", apperr.ErrForbidden)
		}
		if reason == "" || utf8.RuneCountInString(reason) > MaxExportReason {
			return fmt.Errorf("member: export with full numbers: reason: %w", apperr.ErrInvalid)
		}
	}
	f := filterFrom(r.URL.Query(), scope.ReadRoots())
	if f.OrgID != 0 {
		if err := auth.CheckRead(ctx, h.pool, f.OrgID); err != nil {
			return err
		}
	}
	f.Limit = MaxExportRows
	rows, _, err := h.store.List(ctx, f)
	if err != nil {
		return err
	}
	lang := i18n.LangOf(ctx)
	recs, revealed := h.store.exportRecords(scope, rows, lang, reveal)
	if err := h.store.RecordExport(ctx, format, len(recs), reason, revealed); err != nil {
		return err
	}
	name := "roster-" + h.today().Format("20060102") + "." + format
	var buf bytes.Buffer
	switch format {
	case "csv":
		buf.WriteString("\xef\xbb\xbf")
		cw := csv.NewWriter(&buf)
		cw.UseCRLF = true // RFC 4180, as spreadsheet programs write it
		_ = cw.Write(exportHeaders(lang))
		for _, rec := range recs {
			_ = cw.Write(export.Row(rec))
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("member: export csv: %w", err)
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	case "xlsx":
		if err := writeXLSX(&buf, lang, recs); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func writeXLSX(buf *bytes.Buffer, l i18n.Lang, recs [][]string) error {
	x := excelize.NewFile()
	defer func() { _ = x.Close() }()
	sheet := i18n.TL(l, "member.export.sheet")
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	dateFmt := "yyyy-mm-dd"
	dateStyle, err := x.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	if err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	// The header row stays in view and carries a filter.
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	headers := exportHeaders(l)
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = h
	}
	if err := sw.SetRow("A1", row); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	for n, rec := range recs {
		vals := make([]any, len(rec))
		for i, v := range export.Row(rec) {
			// Dates as date cells; the rest as text, so ID numbers keep
			// every digit.
			if d, err := time.Parse(time.DateOnly, v); err == nil && len(v) == 10 {
				vals[i] = excelize.Cell{StyleID: dateStyle, Value: d}
				continue
			}
			vals[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, n+2)
		if err := sw.SetRow(cell, vals); err != nil {
			return fmt.Errorf("member: export xlsx: %w", err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	last, _ := excelize.CoordinatesToCellName(len(headers), len(recs)+1)
	if err := x.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	if _, err := x.WriteTo(buf); err != nil {
		return fmt.Errorf("member: export xlsx: %w", err)
	}
	return nil
}

// templateExample is the example row of the import template in language
// l (the data are a sample person's; the coded values are in l).
func templateExample(l i18n.Lang) []string {
	return []string{"张三", i18n.TL(l, "member.gender.male"), "汉族", "1990-05-17", "北京市", i18n.TL(l, "member.education.university"),
		"110105199005171233", "13912345678", "办公室", "主任科员", i18n.TL(l, "member.category.full"),
		"2012-03-01", "2012-09-01", "2013-10-01", "2014-02-01", "2015-02-01", "", "", i18n.TL(l, "member.status.normal"), ""}
}

// Template downloads an empty roster in the import's format: the export's
// headers in the reader's language (without the branch column, chosen on
// upload) and an example row to replace.
func (h *Handler) Template(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	buf.WriteString("\xef\xbb\xbf")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true // RFC 4180, as spreadsheet programs write it
	lang := i18n.LangOf(r.Context())
	head := exportHeaders(lang)
	row := templateExample(lang)
	// Drop the branch column: the branch is chosen on the upload form.
	head = append(head[:16], head[17:]...)
	row = append(row[:16], row[17:]...)
	_ = cw.Write(head)
	_ = cw.Write(row)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("member: template: %w", err)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="roster-template.csv"`)
	_, err := w.Write(buf.Bytes())
	return err
}
