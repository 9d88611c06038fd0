package dues

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Store makes the dues changes, each in its own transaction with its
// audit row: the store owns its transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the dues store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Month statuses of a branch's ledger month.
const (
	MonthOpen      = "open"
	MonthClosed    = "closed"    // handed in (上缴) by the secretary
	MonthConfirmed = "confirmed" // confirmed by the committee
)

// Payment methods.
var Methods = []string{"cash", "transfer", "wechat", "alipay", "other"}

// ErrClosed refuses a payment in a ledger month already handed in.
var ErrClosed = errors.New("dues: the month is closed")

// FirstOfMonth returns the first day of t's month as a date.
func FirstOfMonth(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Bands returns the whole band table.
func Bands(ctx context.Context, q db.Querier) ([]Band, error) {
	out, err := db.Rows[Band](ctx, q, `SELECT id, category, effective_from, upper_fen, rate_bp, fixed_fen, source FROM dues_bands ORDER BY category, effective_from, upper_fen NULLS LAST`)
	if err != nil {
		return nil, fmt.Errorf("dues: bands: %w", err)
	}
	return out, nil
}

// Base is a member's base for a year with what follows from it.
type Base struct {
	ID            int64      `db:"id"`
	MemberID      int64      `db:"member_id"`
	Year          int        `db:"year"`
	Category      string     `db:"category"`
	BaseFen       int64      `db:"base_fen"`
	StaffNo       string     `db:"staff_no"`
	RateBP        *int32     `db:"rate_bp"`
	StandardFen   int64      `db:"standard_fen"`
	Special       string     `db:"special"`
	SpecialReason string     `db:"special_reason"`
	ApprovedOn    *time.Time `db:"approved_on"`
	MonthlyFen    int64      `db:"monthly_fen"`
	Source        string     `db:"source"`
	Version       int        `db:"version"`
	Capped        bool       `db:"capped"` // the standard amount is the threshold (CapMonthly)
}

// BaseInput is a base to set for a member and year.
type BaseInput struct {
	MemberID      int64
	Year          int
	Category      string
	BaseFen       int64
	StaffNo       string
	Special       string
	SpecialFen    int64 // the voluntary or reduced amount
	SpecialReason string
	ApprovedOn    *time.Time
	Source        string // form or import
	Version       int    // the version edited; 0 for a new base
}

// ErrNoBand means the band table has no version for the category and year.
var ErrNoBand = errors.New("dues: no band for the category and year")

// ErrAmount means the special amount does not fit its case.
var ErrAmount = errors.New("dues: the special amount does not fit its case")

const upsertBaseSQL = `
INSERT INTO dues_bases (member_id, year, category, base_fen, staff_no, rate_bp, band_id, standard_fen, special, special_reason, approved_on, monthly_fen, source, updated_by, capped)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULLIF($14, 0), $16)
ON CONFLICT (member_id, year) DO UPDATE SET category = EXCLUDED.category, base_fen = EXCLUDED.base_fen,
       staff_no = EXCLUDED.staff_no, rate_bp = EXCLUDED.rate_bp, band_id = EXCLUDED.band_id, standard_fen = EXCLUDED.standard_fen,
       special = EXCLUDED.special, special_reason = EXCLUDED.special_reason, approved_on = EXCLUDED.approved_on,
       monthly_fen = EXCLUDED.monthly_fen, source = EXCLUDED.source, updated_by = EXCLUDED.updated_by, capped = EXCLUDED.capped,
       updated_at = now(), version = dues_bases.version + 1
 WHERE $15 = 0 OR dues_bases.version = $15
RETURNING id`

// SetBase sets (or replaces) a member's base for a year in tx, computing
// the band, the standard amount and the monthly amount, with its audit
// row. A stale version is apperr.ErrConflict.
func SetBase(ctx context.Context, tx pgx.Tx, table []Band, in BaseInput) (int64, error) {
	band, ok := Pick(table, in.Category, in.Year, in.BaseFen)
	if !ok {
		return 0, ErrNoBand
	}
	set, err := LoadSettings(ctx, tx)
	if err != nil {
		return 0, err
	}
	standard, capped := CapMonthly(Monthly(band, in.BaseFen), set.MonthlyCapFen)
	monthly, ok := Amount(standard, in.Special, in.SpecialFen)
	if !ok {
		return 0, ErrAmount
	}
	if in.Special == SpecialNone {
		in.SpecialReason, in.ApprovedOn = "", nil
	}
	if in.Special == SpecialVoluntary {
		in.ApprovedOn = nil
	}
	var before *Base
	if rows, err := db.Rows[Base](ctx, tx, baseSelect+` WHERE member_id = $1 AND year = $2 FOR UPDATE`, in.MemberID, in.Year); err != nil {
		return 0, fmt.Errorf("dues: base of %d: %w", in.MemberID, err)
	} else if len(rows) == 1 {
		before = &rows[0]
	}
	if before != nil && in.Version == 0 && in.Source == "form" {
		return 0, fmt.Errorf("dues: base of %d %d exists: %w", in.MemberID, in.Year, apperr.ErrConflict)
	}
	var id int64
	err = tx.QueryRow(ctx, upsertBaseSQL, in.MemberID, in.Year, in.Category, in.BaseFen, in.StaffNo, band.RateBP, band.ID, standard,
		in.Special, in.SpecialReason, in.ApprovedOn, monthly, in.Source, audit.ActorOf(ctx).ID, in.Version, capped).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("dues: base of %d %d changed: %w", in.MemberID, in.Year, apperr.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("dues: set base of %d: %w", in.MemberID, err)
	}
	after := map[string]any{"member_id": in.MemberID, "year": in.Year, "category": in.Category, "base_fen": in.BaseFen, "rate_bp": band.RateBP,
		"standard_fen": standard, "special": in.Special, "special_reason": in.SpecialReason, "approved_on": in.ApprovedOn, "monthly_fen": monthly, "source": in.Source, "capped": capped}
	var b any
	if before != nil {
		b = before
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "dues.base", Entity: "dues_base", EntityID: id, Before: b, After: after})
}

const baseSelect = `SELECT id, member_id, year, category, base_fen, staff_no, rate_bp, standard_fen, special, special_reason, approved_on, monthly_fen, source, version, capped FROM dues_bases`

// SetBase sets one base in its own transaction.
func (s *Store) SetBase(ctx context.Context, in BaseInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		table, err := Bands(ctx, tx)
		if err != nil {
			return 0, err
		}
		return SetBase(ctx, tx, table, in)
	})
}

// SetBases sets many bases in one transaction: all or none.
func (s *Store) SetBases(ctx context.Context, ins []BaseInput) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (int, error) {
		table, err := Bands(ctx, tx)
		if err != nil {
			return 0, err
		}
		for _, in := range ins {
			if _, err := SetBase(ctx, tx, table, in); err != nil {
				return 0, err
			}
		}
		return len(ins), nil
	})
	return err
}

// BaseOf returns a member's base row for a year, or ErrNotFound.
func BaseOf(ctx context.Context, q db.Querier, memberID int64, year int) (Base, error) {
	out, err := db.One[Base](ctx, q, baseSelect+` WHERE member_id = $1 AND year = $2`, memberID, year)
	if err != nil {
		return Base{}, fmt.Errorf("dues: base of %d: %w", memberID, err)
	}
	return out, nil
}

// MonthState is a branch's ledger month: open, closed or confirmed.
type MonthState struct {
	Status      string     `db:"status"`
	TotalFen    int64      `db:"total_fen"`
	ClosedBy    string     `db:"closed_by"`
	ClosedAt    *time.Time `db:"closed_at"`
	ConfirmedBy string     `db:"confirmed_by"`
	ConfirmedAt *time.Time `db:"confirmed_at"`
}

// MonthOf returns a branch's ledger month state.
func MonthOf(ctx context.Context, q db.Querier, branchID int64, month time.Time) (MonthState, error) {
	rows, err := db.Rows[MonthState](ctx, q, `
SELECT dm.status, dm.total_fen, coalesce(nullif(a.display_name, ''), a.username) AS closed_by, dm.closed_at,
       coalesce(nullif(c.display_name, ''), c.username, '') AS confirmed_by, dm.confirmed_at
  FROM dues_months dm JOIN accounts a ON a.id = dm.closed_by LEFT JOIN accounts c ON c.id = dm.confirmed_by
 WHERE dm.branch_id = $1 AND dm.month = $2`, branchID, month)
	if err != nil {
		return MonthState{}, fmt.Errorf("dues: month %d: %w", branchID, err)
	}
	if len(rows) == 0 {
		return MonthState{Status: MonthOpen}, nil
	}
	return rows[0], nil
}

// PaymentInput is one payment for one member covering one or more months.
type PaymentInput struct {
	MemberID  int64
	Months    []time.Time // the months paid for (first days)
	PaidOn    time.Time
	Method    string
	ReceiptNo string
}

// PaymentError is a payment refused for a reason the form shows.
type PaymentError struct {
	Field string
	Key   string
}

func (e *PaymentError) Error() string { return "dues: payment refused: " + e.Key }

// dueSQL returns, for a member and months, the branch the member belonged
// to on each first day, the amount due (the newest base of the year or
// before) and whether the month is before the member's admission.
const dueSQL = `
SELECT mo::date, dues_branch_on(m.id, mo::date) AS branch_id, b.monthly_fen,
       mo::date < date_trunc('month', m.admitted_on)::date AS before_admission
  FROM members m CROSS JOIN unnest($2::date[]) mo
  LEFT JOIN LATERAL (SELECT monthly_fen FROM dues_bases b WHERE b.member_id = m.id AND b.year <= extract(year FROM mo)::int
                      ORDER BY b.year DESC LIMIT 1) b ON true
 WHERE m.id = $1 AND m.admitted_on IS NOT NULL AND in_good_standing(m.category, m.party_status)
 ORDER BY mo`

// RecordPayment records a member's payment into a branch's ledger month
// (the month of PaidOn): one row per month paid for, each of the amount
// due that month. Refused: a closed ledger month (ErrClosed), a month
// already paid, a month more than the six-month rule's months before the
// ledger month (2008 第十二条), a month before admission (2008 第八条: a
// probationary member pays from admission), a month the member belonged elsewhere on
// its first day (2008 第九条), a month without a base.
func RecordPayment(ctx context.Context, tx pgx.Tx, branchID int64, in PaymentInput) ([]int64, error) {
	ledger := FirstOfMonth(in.PaidOn)
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM dues_months WHERE branch_id = $1 AND month = $2 FOR UPDATE`, branchID, ledger).Scan(&status)
	if err == nil {
		return nil, ErrClosed
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("dues: month state: %w", err)
	}
	// Making up is allowed for as many months back as the six-month rule
	// leaves a member (2008 第十二条: up to six months; the dues_arrears
	// rule's maximum, a setting).
	th, err := ThresholdsOf(ctx, tx, branchID, in.PaidOn)
	if err != nil {
		return nil, err
	}
	if th.Found {
		oldest := ledger.AddDate(0, -th.Breach, 0)
		for _, m := range in.Months {
			if m.Before(oldest) {
				return nil, &PaymentError{"months", "dues.error.too_old"}
			}
		}
	}
	rows, err := tx.Query(ctx, dueSQL, in.MemberID, in.Months)
	if err != nil {
		return nil, fmt.Errorf("dues: due: %w", err)
	}
	type due struct {
		month  time.Time
		branch int64
		fen    *int64
		before bool
	}
	var dues []due
	var d due
	if _, err := pgx.ForEachRow(rows, []any{&d.month, &d.branch, &d.fen, &d.before}, func() error { dues = append(dues, d); return nil }); err != nil {
		return nil, fmt.Errorf("dues: due: %w", err)
	}
	if len(dues) == 0 {
		return nil, &PaymentError{"member_id", "dues.error.member"}
	}
	var ids []int64
	for _, d := range dues {
		switch {
		case d.before:
			return nil, &PaymentError{"months", "dues.error.before_admission"}
		case d.branch != branchID:
			return nil, &PaymentError{"months", "dues.error.other_branch"}
		case d.fen == nil:
			return nil, &PaymentError{"months", "dues.error.no_base"}
		}
		var id int64
		err := tx.QueryRow(ctx, `
INSERT INTO dues_payments (branch_id, member_id, for_month, ledger_month, amount_fen, paid_on, method, receipt_no, recorded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0)) RETURNING id`,
			branchID, in.MemberID, d.month, ledger, *d.fen, in.PaidOn, in.Method, in.ReceiptNo, audit.ActorOf(ctx).ID).Scan(&id)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.ConstraintName == "dues_payments_once_uq" {
			return nil, &PaymentError{"months", "dues.error.already_paid"}
		}
		if err != nil {
			return nil, fmt.Errorf("dues: insert payment: %w", err)
		}
		ids = append(ids, id)
		if err := audit.Record(ctx, tx, audit.Event{Action: "dues.pay", Entity: "dues_payment", EntityID: id, After: map[string]any{
			"branch_id": branchID, "member_id": in.MemberID, "for_month": d.month, "ledger_month": ledger, "amount_fen": *d.fen,
			"paid_on": in.PaidOn, "method": in.Method, "receipt_no": in.ReceiptNo}}); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// RecordPayment records a payment in its own transaction.
func (s *Store) RecordPayment(ctx context.Context, branchID int64, in PaymentInput) ([]int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) ([]int64, error) { return RecordPayment(ctx, tx, branchID, in) })
}

// LedgerTotal is the sum of a branch's ledger month: payments and
// corrections recorded in it.
func LedgerTotal(ctx context.Context, q db.Querier, branchID int64, month time.Time) (int64, error) {
	var n int64
	if err := q.QueryRow(ctx, `SELECT coalesce(sum(amount_fen), 0)::bigint FROM dues_payments WHERE branch_id = $1 AND ledger_month = $2`, branchID, month).Scan(&n); err != nil {
		return 0, fmt.Errorf("dues: ledger total: %w", err)
	}
	return n, nil
}

// Close hands a branch's ledger month in to the committee (上缴): the
// total is the ledger's sum. Only an open month that has begun closes.
func (s *Store) Close(ctx context.Context, branchID int64, month, today time.Time, accountID int64) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		if month.After(FirstOfMonth(today)) {
			return 0, fmt.Errorf("dues: close a future month: %w", apperr.ErrInvalid)
		}
		if _, err := tx.Exec(ctx, `SELECT id FROM organisations WHERE id = $1 FOR UPDATE`, branchID); err != nil {
			return 0, fmt.Errorf("dues: lock branch: %w", err)
		}
		total, err := LedgerTotal(ctx, tx, branchID, month)
		if err != nil {
			return 0, err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO dues_months (branch_id, month, status, total_fen, closed_by) VALUES ($1, $2, 'closed', $3, $4) ON CONFLICT DO NOTHING`,
			branchID, month, total, accountID)
		if err != nil {
			return 0, fmt.Errorf("dues: close: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return 0, fmt.Errorf("dues: month already closed: %w", apperr.ErrConflict)
		}
		return total, audit.Record(ctx, tx, audit.Event{Action: "dues.close", Entity: "organisation", EntityID: branchID,
			After: map[string]any{"month": month, "total_fen": total}})
	})
}

// Confirm records the committee's confirmation of a closed month.
func (s *Store) Confirm(ctx context.Context, branchID int64, month time.Time, accountID int64) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (int, error) {
		tag, err := tx.Exec(ctx, `UPDATE dues_months SET status = 'confirmed', confirmed_by = $3, confirmed_at = now()
 WHERE branch_id = $1 AND month = $2 AND status = 'closed'`, branchID, month, accountID)
		if err != nil {
			return 0, fmt.Errorf("dues: confirm: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return 0, fmt.Errorf("dues: month not closed: %w", apperr.ErrConflict)
		}
		return 1, audit.Record(ctx, tx, audit.Event{Action: "dues.confirm", Entity: "organisation", EntityID: branchID, After: map[string]any{"month": month}})
	})
	return err
}

// Payment is one ledger row.
type Payment struct {
	ID         int64     `db:"id"`
	MemberID   int64     `db:"member_id"`
	MemberName string    `db:"member_name"`
	ForMonth   time.Time `db:"for_month"`
	Kind       string    `db:"kind"`
	AmountFen  int64     `db:"amount_fen"`
	PaidOn     time.Time `db:"paid_on"`
	Method     string    `db:"method"`
	ReceiptNo  string    `db:"receipt_no"`
	Reason     string    `db:"reason"`
	CorrectsID *int64    `db:"corrects_id"`
	RecordedBy string    `db:"recorded_by"`
}

// Payments lists a branch's ledger month, in the order recorded.
func Payments(ctx context.Context, q db.Querier, branchID int64, month time.Time) ([]Payment, error) {
	out, err := db.Rows[Payment](ctx, q, `
SELECT p.id, p.member_id, m.name AS member_name, p.for_month, p.kind, p.amount_fen, p.paid_on, p.method, p.receipt_no, p.reason, p.corrects_id,
       coalesce(nullif(a.display_name, ''), a.username, '') AS recorded_by
  FROM dues_payments p JOIN members m ON m.id = p.member_id LEFT JOIN accounts a ON a.id = p.recorded_by
 WHERE p.branch_id = $1 AND p.ledger_month = $2
 ORDER BY p.id`, branchID, month)
	if err != nil {
		return nil, fmt.Errorf("dues: payments: %w", err)
	}
	return out, nil
}

// PaymentByID returns a payment row and its branch.
func PaymentByID(ctx context.Context, q db.Querier, id int64) (Payment, int64, time.Time, error) {
	var p Payment
	var branchID int64
	var ledger time.Time
	err := q.QueryRow(ctx, `SELECT p.id, p.member_id, p.for_month, p.kind, p.amount_fen, p.paid_on, p.method, p.branch_id, p.ledger_month
  FROM dues_payments p WHERE p.id = $1`, id).Scan(&p.ID, &p.MemberID, &p.ForMonth, &p.Kind, &p.AmountFen, &p.PaidOn, &p.Method, &branchID, &ledger)
	if errors.Is(err, pgx.ErrNoRows) {
		return p, 0, ledger, fmt.Errorf("dues: payment %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return p, 0, ledger, fmt.Errorf("dues: payment %d: %w", id, err)
	}
	return p, branchID, ledger, nil
}

// Correct changes a recorded payment by a signed amount with a reason:
// the only way a closed month changes. The correction sits in the same
// ledger month as the payment, so the month's sum shows it; the total
// handed in stays as it was, beside it.
func (s *Store) Correct(ctx context.Context, paymentID, deltaFen int64, reason string) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		p, branchID, _, err := PaymentByID(ctx, tx, paymentID)
		if err != nil {
			return 0, err
		}
		if p.Kind != "payment" {
			return 0, fmt.Errorf("dues: correct a correction: %w", apperr.ErrInvalid)
		}
		var sum int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(sum(amount_fen), 0)::bigint FROM dues_payments WHERE id = $1 OR corrects_id = $1`, paymentID).Scan(&sum); err != nil {
			return 0, fmt.Errorf("dues: correct: %w", err)
		}
		if sum+deltaFen < 0 {
			return 0, &PaymentError{"amount", "dues.error.below_zero"}
		}
		var id int64
		err = tx.QueryRow(ctx, `
INSERT INTO dues_payments (branch_id, member_id, for_month, ledger_month, kind, amount_fen, paid_on, method, corrects_id, reason, recorded_by)
SELECT branch_id, member_id, for_month, ledger_month, 'correction', $2, paid_on, method, id, $3, NULLIF($4, 0) FROM dues_payments WHERE id = $1
RETURNING id`, paymentID, deltaFen, reason, audit.ActorOf(ctx).ID).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("dues: correct: %w", err)
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "dues.correct", Entity: "dues_payment", EntityID: paymentID,
			Before: map[string]any{"amount_fen": sum}, After: map[string]any{"amount_fen": sum + deltaFen, "delta_fen": deltaFen, "reason": reason, "branch_id": branchID}})
	})
}

// Excuse records a good reason for the months from..to (first days)
// a member did not pay.
func (s *Store) Excuse(ctx context.Context, memberID int64, from, to time.Time, reason string) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO dues_excuses (member_id, from_month, to_month, reason, recorded_by) VALUES ($1, $2, $3, $4, NULLIF($5, 0)) RETURNING id`,
			memberID, from, to, reason, audit.ActorOf(ctx).ID).Scan(&id); err != nil {
			return 0, fmt.Errorf("dues: excuse: %w", err)
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "dues.excuse", Entity: "member", EntityID: memberID,
			After: map[string]any{"from": from, "to": to, "reason": reason}})
	})
}

// AuditExport records that a branch's dues report left the application.
func (s *Store) AuditExport(ctx context.Context, branchID int64, from, to time.Time, own bool) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (int, error) {
		return 0, audit.Record(ctx, tx, audit.Event{Action: "dues.export", Entity: "organisation", EntityID: branchID,
			After: map[string]any{"from": from, "to": to, "own_branch": own}})
	})
	return err
}

// Settings are the dues settings (dues_settings, migration 000381).
type Settings struct {
	MonthlyCapFen int64  `json:"monthly_cap_fen"` // the monthly amount asked for is normally at most this
	CapSource     string `json:"cap_source"`
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	if err := q.QueryRow(ctx, `SELECT monthly_cap_fen, cap_source FROM dues_settings WHERE id = 1`).Scan(&s.MonthlyCapFen, &s.CapSource); err != nil {
		return s, fmt.Errorf("dues: settings: %w", err)
	}
	return s, nil
}

// SaveSettings changes the settings, with its audit row. A base keeps the
// amounts it was computed with; the new threshold applies to bases set
// from now on.
func (s *Store) SaveSettings(ctx context.Context, in Settings) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE dues_settings SET monthly_cap_fen = $1, cap_source = $2, updated_by = NULLIF($3, 0), updated_at = now() WHERE id = 1`,
			in.MonthlyCapFen, in.CapSource, audit.ActorOf(ctx).ID); err != nil {
			return fmt.Errorf("dues: save settings: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "dues.settings", Entity: "dues_settings", EntityID: 1, Before: before, After: in})
	})
}
