package member

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/pii"
)

// CheckedRow is one roster row after validation.
type CheckedRow struct {
	RosterRow
	Values Values
	Status string
	Errors map[string]string // field → message key
}

// CheckRoster validates every row of a roster for a branch with the
// member form's rules, plus: the group named must be one of the branch's,
// and no ID number may repeat in the file or in the agency. It returns the
// rows and how many are bad.
func (s *Store) CheckRoster(ctx context.Context, branchID int64, r *Roster, today time.Time) ([]CheckedRow, int, error) {
	groups := map[string]int64{}
	rows, err := s.pool.Query(ctx, `SELECT name, id FROM organisations WHERE parent_id = $1 AND kind = 'group' AND dissolved_on IS NULL`, branchID)
	if err != nil {
		return nil, 0, fmt.Errorf("member: roster groups: %w", err)
	}
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			rows.Close()
			return nil, 0, fmt.Errorf("member: roster groups: %w", err)
		}
		groups[name] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("member: roster groups: %w", err)
	}

	out := make([]CheckedRow, len(r.Rows))
	branch := strconv.FormatInt(branchID, 10)
	firstLine := map[string]int{}
	var hashes [][]byte
	hashRow := map[string]int{}
	for i, row := range r.Rows {
		c := CheckedRow{RosterRow: row}
		c.Form.BranchID = branch
		c.Form.GroupID = ""
		c.Values, c.Errors = c.Form.Validate(true, today)
		for _, f := range row.MonthOnly {
			c.Errors[f] = "member.import.month_only"
		}
		if row.GroupName != "" {
			if id, ok := groups[row.GroupName]; ok {
				c.Values.GroupID = &id
			} else {
				c.Errors["group_id"] = "member.import.unknown_group"
			}
		}
		st, ok := importStatus(row.Status)
		if !ok {
			c.Errors["party_status"] = "form.invalid"
		}
		c.Status = st
		if _, bad := c.Errors["id_number"]; !bad && c.Values.IDNumber != "" {
			if _, dup := firstLine[c.Values.IDNumber]; dup {
				c.Errors["id_number"] = "member.id_number.duplicate_file"
			} else {
				firstLine[c.Values.IDNumber] = row.Line
				for _, h := range s.sealer.Hashes(c.Values.IDNumber) { // the previous key's too, during a data-key rotation
					hashes = append(hashes, h)
					hashRow[string(h)] = i
				}
			}
		}
		out[i] = c
	}
	if len(hashes) > 0 {
		rows, err := s.pool.Query(ctx, `SELECT id_number_hash FROM members WHERE id_number_hash = ANY($1)`, hashes)
		if err != nil {
			return nil, 0, fmt.Errorf("member: roster duplicates: %w", err)
		}
		taken, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
		if err != nil {
			return nil, 0, fmt.Errorf("member: roster duplicates: %w", err)
		}
		for _, h := range taken {
			out[hashRow[string(h)]].Errors["id_number"] = "member.id_number.duplicate"
		}
	}
	bad := 0
	for _, c := range out {
		if len(c.Errors) > 0 {
			bad++
		}
	}
	return out, bad, nil
}

// Import is a stored roster file awaiting confirmation.
type Import struct {
	ID        int64
	BranchID  int64
	AccountID int64
	Filename  string
	Data      []byte
	RowCount  int
	UsedAt    *time.Time
}

// SaveImport keeps a checked file until the secretary confirms it.
func (s *Store) SaveImport(ctx context.Context, branchID, accountID int64, filename string, data []byte, rows int) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO member_imports (branch_id, account_id, filename, data, row_count) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		branchID, accountID, filename, data, rows).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("member: save import: %w", err)
	}
	return id, nil
}

// GetImport returns a stored file; ErrNotFound when there is none.
func (s *Store) GetImport(ctx context.Context, id int64) (*Import, error) {
	var im Import
	err := s.pool.QueryRow(ctx, `SELECT id, branch_id, account_id, filename, data, row_count, used_at FROM member_imports WHERE id = $1`, id).
		Scan(&im.ID, &im.BranchID, &im.AccountID, &im.Filename, &im.Data, &im.RowCount, &im.UsedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("member: import %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("member: import %d: %w", id, err)
	}
	return &im, nil
}

// importAudit is what the audit trail keeps of an import.
type importAudit struct {
	Import   int64  `json:"import_id"`
	Branch   int64  `json:"branch_id"`
	Filename string `json:"filename"`
	Rows     int    `json:"rows"`
}

var importColumns = []string{"branch_id", "group_id", "name", "gender", "ethnicity", "birth_date", "native_place", "education",
	"id_number_enc", "id_number_hash", "id_number_tail", "phone_enc", "phone_tail", "department", "job_title", "category",
	"applied_on", "activist_on", "target_on", "admitted_on", "converted_on", "party_status", "notes"}

// ErrImportUsed means the stored file was already written.
var ErrImportUsed = errors.New("member: import already written")

// WriteImport writes every row in one transaction: all rows or none. The
// rows must have been checked; a duplicate ID number written meanwhile
// makes the whole import fail with ErrDuplicateID.
func (s *Store) WriteImport(ctx context.Context, im *Import, rows []CheckedRow, today time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE member_imports SET used_at = now() WHERE id = $1 AND used_at IS NULL`, im.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrImportUsed
		}
		src := make([][]any, len(rows))
		hashes := make([][]byte, len(rows))
		for i, r := range rows {
			v := r.Values
			hashes[i] = s.sealer.Hash(v.IDNumber)
			src[i] = []any{im.BranchID, v.GroupID, v.Name, v.Gender, v.Ethnicity, v.BirthDate, v.NativePlace, v.Education,
				s.sealer.Seal(v.IDNumber), hashes[i], pii.Tail(v.IDNumber, 4), s.sealer.Seal(v.Phone), pii.Tail(v.Phone, 4),
				v.Department, v.JobTitle, v.Category, v.AppliedOn, v.ActivistOn, v.TargetOn, v.AdmittedOn, v.ConvertedOn, r.Status, v.Notes}
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"members"}, importColumns, pgx.CopyFromRows(src)); err != nil {
			if isUniqueViolation(err, "members_id_number_hash_uq") {
				return ErrDuplicateID
			}
			return err
		}
		_, err = tx.Exec(ctx, `
INSERT INTO member_events (member_id, kind, occurred_on, to_org_id, details, actor_id)
SELECT id, 'created', $2, branch_id, $3, NULLIF($4, 0) FROM members WHERE id_number_hash = ANY($1)`,
			hashes, today, "import #"+strconv.FormatInt(im.ID, 10), audit.ActorOf(ctx).ID)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "member.import", Entity: "organisation", EntityID: im.BranchID,
			After: importAudit{Import: im.ID, Branch: im.BranchID, Filename: im.Filename, Rows: len(rows)}})
	})
	if err != nil {
		return fmt.Errorf("member: write import %d: %w", im.ID, err)
	}
	return nil
}
