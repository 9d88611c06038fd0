package dues

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/db"
	"zhibu/internal/export"
	"zhibu/internal/pii"
)

// Limits of a payroll file.
const (
	MaxPayrollBytes    = 2 << 20
	MaxPayrollRows     = 2000
	maxPayrollUnzipped = 20 << 20
)

// PayrollRow is one line of the finance office's payroll spreadsheet.
type PayrollRow struct {
	Line     int
	Name     string
	IDNumber string
	StaffNo  string
	Base     string
	Category string
}

// payrollColumns maps the header texts the finance office uses to fields.
var payrollColumns = map[string]string{
	"姓名": "name", "name": "name",
	"身份证号": "id", "身份证号码": "id", "公民身份号码": "id", "id number": "id", "id_number": "id",
	"工号": "staff", "职工号": "staff", "人员编号": "staff", "staff number": "staff", "staff_no": "staff",
	"基数": "base", "党费基数": "base", "月工资基数": "base", "缴费基数": "base", "base": "base",
	"类别": "category", "category": "category",
}

// categoryWords maps the category column's words to categories.
var categoryWords = map[string]string{
	"": "", "在职": Salaried, "salaried": Salaried, "in service": Salaried,
	"离退休": Retired, "退休": Retired, "retired": Retired,
	"无固定收入": NoIncome, "no income": NoIncome, "no_income": NoIncome,
}

// readErrorKeys are the messages of export.ReadSheet's reasons.
var readErrorKeys = map[string]string{"too_big": "dues.import.too_big", "not_xlsx": "dues.import.not_xlsx", "empty": "dues.import.empty", "too_many": "dues.import.too_many"}

// FileError is a payroll file that cannot be read at all.
type FileError struct{ Key string }

func (e *FileError) Error() string { return "dues: payroll file: " + e.Key }

// ParsePayroll reads the first sheet of an .xlsx payroll file: a header
// row naming the columns (name, ID number or staff number, base, and
// optionally the category), then one member a row.
func ParsePayroll(data []byte) ([]PayrollRow, error) {
	records, err := export.ReadSheet(data, export.ReadLimits{MaxBytes: MaxPayrollBytes, MaxUnzipped: maxPayrollUnzipped, MaxRows: MaxPayrollRows})
	var re *export.ReadError
	if errors.As(err, &re) {
		return nil, &FileError{readErrorKeys[re.Reason]}
	}
	if err != nil {
		return nil, err
	}
	cols := map[string]int{}
	for i, h := range records[0] {
		if f, ok := payrollColumns[strings.ToLower(strings.TrimSpace(h))]; ok {
			cols[f] = i
		}
	}
	_, hasName := cols["name"]
	_, hasBase := cols["base"]
	_, hasID := cols["id"]
	_, hasStaff := cols["staff"]
	if !hasName || !hasBase || (!hasID && !hasStaff) {
		return nil, &FileError{"dues.import.columns"}
	}
	cell := func(rec []string, f string) string {
		i, ok := cols[f]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	var out []PayrollRow
	for i, rec := range records[1:] {
		r := PayrollRow{Line: i + 2, Name: cell(rec, "name"), IDNumber: strings.ToUpper(cell(rec, "id")), StaffNo: cell(rec, "staff"), Base: cell(rec, "base"), Category: cell(rec, "category")}
		if r.Name == "" && r.IDNumber == "" && r.StaffNo == "" && r.Base == "" {
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, &FileError{"dues.import.empty"}
	}
	return out, nil
}

// RowProblem is why a payroll row cannot be taken.
type RowProblem struct {
	Line int
	Name string
	Key  string
}

type branchMember struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	StaffNo  string `db:"staff_no"`
	Category string `db:"category"`
}

// MatchPayroll checks every row against the branch's members for the
// year: the member is found by ID number (its keyed hash) or else by the
// staff number of an earlier base, and the name must agree; the base must
// be an amount in yuan. It returns the bases to set, or the problems of
// every bad row (and no bases: the import is all or nothing).
func MatchPayroll(ctx context.Context, q db.Querier, sealer *pii.Sealer, branchID int64, year int, rows []PayrollRow) ([]BaseInput, []RowProblem, error) {
	members, err := db.Rows[branchMember](ctx, q, `
SELECT m.id, m.name, coalesce(b.staff_no, '') AS staff_no, coalesce(b.category, '') AS category
  FROM members m
  LEFT JOIN LATERAL (SELECT staff_no, category FROM dues_bases b WHERE b.member_id = m.id ORDER BY (b.staff_no <> '') DESC, b.year DESC LIMIT 1) b ON true
 WHERE m.branch_id = $1 AND in_good_standing(m.category, m.party_status)`, branchID)
	if err != nil {
		return nil, nil, fmt.Errorf("dues: payroll members: %w", err)
	}
	byID := map[int64]branchMember{}
	byStaff := map[string]branchMember{}
	ids := make([]int64, 0, len(members))
	for _, m := range members {
		byID[m.ID] = m
		ids = append(ids, m.ID)
		if m.StaffNo != "" {
			byStaff[m.StaffNo] = m
		}
	}
	var ins []BaseInput
	var problems []RowProblem
	seen := map[int64]int{}
	for _, r := range rows {
		bad := func(key string) { problems = append(problems, RowProblem{Line: r.Line, Name: r.Name, Key: key}) }
		var m branchMember
		found := false
		if r.IDNumber != "" {
			var id int64
			err := q.QueryRow(ctx, `SELECT id FROM members WHERE id = ANY ($1) AND id_number_hash = ANY ($2) LIMIT 1`, ids, sealer.Hashes(r.IDNumber)).Scan(&id)
			if err == nil {
				m, found = byID[id], true
			}
		}
		if !found && r.StaffNo != "" {
			m, found = byStaff[r.StaffNo]
		}
		switch {
		case !found:
			bad("dues.import.row.unknown")
			continue
		case m.Name != r.Name:
			bad("dues.import.row.name")
			continue
		case seen[m.ID] != 0:
			bad("dues.import.row.twice")
			continue
		}
		seen[m.ID] = r.Line
		fen, ok := ParseYuan(r.Base)
		if !ok {
			bad("dues.import.row.base")
			continue
		}
		cat, ok := categoryWords[strings.ToLower(r.Category)]
		if !ok {
			bad("dues.import.row.category")
			continue
		}
		if cat == "" {
			cat = m.Category
		}
		if cat == "" {
			cat = Salaried
		}
		staff := r.StaffNo
		if staff == "" {
			staff = m.StaffNo
		}
		if len(staff) > 30 {
			bad("dues.import.row.staff")
			continue
		}
		ins = append(ins, BaseInput{MemberID: m.ID, Year: year, Category: cat, BaseFen: fen, StaffNo: staff, Special: SpecialNone, Source: "import"})
	}
	if len(problems) > 0 {
		return nil, problems, nil
	}
	return ins, nil, nil
}

// lineText is a row's line number for messages.
func lineText(n int) string { return strconv.Itoa(n) }

// StaffNumbers maps the staff numbers of a branch's members (from their
// newest base that has one) to the members, for other areas' imports that
// find a person by staff number (the recruitment import).
func StaffNumbers(ctx context.Context, q db.Querier, branchID int64) (map[string]int64, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (b.member_id) b.staff_no, b.member_id FROM dues_bases b JOIN members m ON m.id = b.member_id
 WHERE m.branch_id = $1 AND b.staff_no <> '' ORDER BY b.member_id, b.year DESC`, branchID)
	if err != nil {
		return nil, fmt.Errorf("dues: staff numbers: %w", err)
	}
	out := map[string]int64{}
	var no string
	var id int64
	if _, err := pgx.ForEachRow(rows, []any{&no, &id}, func() error { out[no] = id; return nil }); err != nil {
		return nil, fmt.Errorf("dues: staff numbers: %w", err)
	}
	return out, nil
}
