package recruit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/member"
)

// Letter is a letter of introduction (组织关系介绍信) for a member
// transferred out of the agency, and its receipt (回执).
type Letter struct {
	ID          int64
	MemberID    int64
	MemberName  string
	BranchID    int64
	BranchName  string
	LetterNo    string
	IssuedOn    time.Time
	ValidUntil  time.Time
	Destination string
	ReceiptOn   *time.Time
	Notes       string
	IssuedBy    string
}

// ReceiptDue is the day the receipt should be back: receipt_days after the
// letter's validity ends.
func (l Letter) ReceiptDue(r Rules) time.Time { return l.ValidUntil.AddDate(0, 0, r.N("receipt_days")) }

// ReceiptLate reports whether the receipt is missing past its day.
func (l Letter) ReceiptLate(r Rules, today time.Time) bool {
	return l.ReceiptOn == nil && today.After(l.ReceiptDue(r))
}

const letterCols = `t.id, t.member_id, m.name AS member_name, t.branch_id, o.name AS branch_name, t.letter_no, t.issued_on,
       t.valid_until, t.destination, t.receipt_on, t.notes, coalesce(a.username, '') AS issued_by
  FROM transfer_letters t JOIN members m ON m.id = t.member_id JOIN organisations o ON o.id = t.branch_id
  LEFT JOIN accounts a ON a.id = t.issued_by`

// Letters lists the letters of the branches branchIDs or under roots,
// those awaiting their receipt first, newest first.
func Letters(ctx context.Context, q db.Querier, branchIDs, roots []int64, limit, offset int) ([]Letter, int, error) {
	if branchIDs == nil {
		branchIDs = []int64{}
	}
	if roots == nil {
		roots = []int64{}
	}
	where := ` WHERE (t.branch_id = ANY($1) OR o.path && $2::bigint[])`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM transfer_letters t JOIN organisations o ON o.id = t.branch_id`+where, branchIDs, roots).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("recruit: count letters: %w", err)
	}
	out, err := db.Rows[Letter](ctx, q, `SELECT `+letterCols+where+` ORDER BY (t.receipt_on IS NULL) DESC, t.issued_on DESC, t.id DESC LIMIT $3 OFFSET $4`,
		branchIDs, roots, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("recruit: letters: %w", err)
	}
	return out, total, nil
}

// GetLetter returns letter id.
func GetLetter(ctx context.Context, q db.Querier, id int64) (Letter, []int64, error) {
	out, err := db.Rows[Letter](ctx, q, `SELECT `+letterCols+` WHERE t.id = $1`, id)
	if err != nil {
		return Letter{}, nil, fmt.Errorf("recruit: letter %d: %w", id, err)
	}
	if len(out) == 0 {
		return Letter{}, nil, fmt.Errorf("recruit: letter %d: %w", id, apperr.ErrNotFound)
	}
	var path []int64
	if err := q.QueryRow(ctx, `SELECT path FROM organisations WHERE id = $1`, out[0].BranchID).Scan(&path); err != nil {
		return Letter{}, nil, fmt.Errorf("recruit: letter %d: %w", id, err)
	}
	return out[0], path, nil
}

// Leavers lists the branch's members who may be transferred out (present
// in the branch: status normal or suspended), by name.
func Leavers(ctx context.Context, q db.Querier, branchID int64) ([]FullMember, error) {
	out, err := db.Rows[FullMember](ctx, q, `SELECT id, name FROM members
 WHERE branch_id = $1 AND party_status IN ('normal', 'suspended') AND category IN ('full', 'probationary') ORDER BY name, id`, branchID)
	if err != nil {
		return nil, fmt.Errorf("recruit: leavers of %d: %w", branchID, err)
	}
	return out, nil
}

// ErrLetterNoTaken: another letter has this number.
var ErrLetterNoTaken = errors.New("recruit: letter number taken")

// IssueLetter records letter l for its member and marks the member
// transferred out in the roster, in tx.
func IssueLetter(ctx context.Context, tx pgx.Tx, l Letter) (int64, error) {
	actor := audit.ActorOf(ctx).ID
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO transfer_letters (member_id, branch_id, letter_no, issued_on, valid_until, destination, receipt_on, notes, issued_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0)) RETURNING id`,
		l.MemberID, l.BranchID, l.LetterNo, l.IssuedOn, l.ValidUntil, l.Destination, l.ReceiptOn, l.Notes, actor).Scan(&id)
	if pgErr := (*pgconn.PgError)(nil); errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == "transfer_letters_letter_no_key" {
		return 0, ErrLetterNoTaken
	}
	if err != nil {
		return 0, fmt.Errorf("recruit: issue letter: %w", err)
	}
	if err := member.TransferOut(ctx, tx, l.MemberID, l.BranchID, l.IssuedOn, l.Destination, l.LetterNo, actor); err != nil {
		return 0, err
	}
	after := map[string]any{"member_id": l.MemberID, "letter_no": l.LetterNo, "issued_on": l.IssuedOn.Format(dateLayout),
		"valid_until": l.ValidUntil.Format(dateLayout), "destination": l.Destination}
	return id, audit.Record(ctx, tx, audit.Event{Action: "recruit.letter_issue", Entity: "transfer_letter", EntityID: id, After: after})
}

// Issue records letter l in its own transaction.
func (st *Store) Issue(ctx context.Context, l Letter) (int64, error) {
	return db.InTx(ctx, st.pool, func(tx pgx.Tx) (int64, error) { return IssueLetter(ctx, tx, l) })
}

// Receipt records the day letter id's receipt came back.
func (st *Store) Receipt(ctx context.Context, id int64, on time.Time) error {
	return pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE transfer_letters SET receipt_on = $2 WHERE id = $1 AND receipt_on IS NULL AND issued_on <= $2`, id, on)
		if err != nil {
			return fmt.Errorf("recruit: receipt of %d: %w", id, err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("recruit: receipt of %d: %w", id, apperr.ErrConflict)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "recruit.letter_receipt", Entity: "transfer_letter", EntityID: id, After: map[string]any{"receipt_on": on.Format(dateLayout)}})
	})
}
