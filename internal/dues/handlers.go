package dues

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
)

// Handler serves the dues pages.
type Handler struct {
	pool   *pgxpool.Pool
	store  *Store
	sealer *pii.Sealer
	now    func() time.Time
}

// New returns the dues handlers; sealer finds members by ID number.
func New(pool *pgxpool.Pool, sealer *pii.Sealer) *Handler {
	return &Handler{pool: pool, store: NewStore(pool), sealer: sealer, now: time.Now}
}

func (h *Handler) today() time.Time {
	n := h.now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Org is a branch whose dues are kept.
type Org struct {
	ID   int64   `db:"id"`
	Name string  `db:"name"`
	Path []int64 `db:"path"`
}

func branchOf(ctx context.Context, q db.Querier, id int64) (Org, error) {
	out, err := db.One[Org](ctx, q, `SELECT id, name, path FROM organisations WHERE id = $1 AND kind = 'branch'`, id)
	if err != nil {
		return Org{}, fmt.Errorf("dues: branch %d: %w", id, err)
	}
	return out, nil
}

// branch loads the route's branch, readable by the user.
func (h *Handler) branch(r *http.Request) (Org, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Org{}, fmt.Errorf("dues: bad branch id: %w", apperr.ErrNotFound)
	}
	o, err := branchOf(r.Context(), h.pool, id)
	if err != nil {
		return Org{}, err
	}
	return o, auth.ScopeOf(r.Context()).CheckRead(o.Path)
}

// writableBranch loads the route's branch, which the user's branch
// committee role lets them change.
func (h *Handler) writableBranch(r *http.Request) (Org, error) {
	o, err := h.branch(r)
	if err != nil {
		return o, err
	}
	return o, auth.ScopeOf(r.Context()).CheckWrite(o.Path)
}

// ParseMonth reads "2026-07" as the month's first day.
func ParseMonth(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return time.Time{}, false
	}
	return t, true
}

// MonthKey is a month's text in forms and addresses: 2026-07.
func MonthKey(t time.Time) string { return t.Format("2006-01") }

func (h *Handler) monthParam(v string) time.Time {
	if m, ok := ParseMonth(v); ok && !m.After(FirstOfMonth(h.today()).AddDate(1, 0, 0)) {
		return m
	}
	return FirstOfMonth(h.today())
}

// Index shows a secretary their branch's ledger and a reviewer the
// roll-up of the committee's subtree.
func (h *Handler) Index(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	month := h.monthParam(r.URL.Query().Get("month"))
	if s.Committee() == 0 {
		u := auth.UserOf(ctx)
		id := u.BranchID()
		if id == 0 && len(s.WriteRoots()) > 0 {
			id = s.WriteRoots()[0]
		}
		if id == 0 {
			return fmt.Errorf("dues: no branch: %w", apperr.ErrNotFound)
		}
		o, err := branchOf(ctx, h.pool, id)
		if err != nil {
			return err
		}
		if err := s.CheckRead(o.Path); err != nil {
			return err
		}
		p, err := h.ledger(ctx, o, month)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusOK, LedgerView(p))
	}
	rows, err := Rollup(ctx, h.pool, s.ReadRoots(), month)
	if err != nil {
		return err
	}
	p := RollupPage{Month: month, Rows: rows}
	for _, r := range rows {
		p.Totals.ExpectedFen += r.ExpectedFen
		p.Totals.CollectedFen += r.CollectedFen
		p.Totals.OutstandingFen += r.OutstandingFen
		p.LedgerFen += r.LedgerFen
		if r.State.Status == MonthClosed {
			p.ToConfirm++
		}
	}
	return ui.Render(w, r, http.StatusOK, RollupView(p))
}

// RollupPage is the committee's view of a month over its subtree.
type RollupPage struct {
	Month     time.Time
	Rows      []RollupRow
	Totals    Totals
	LedgerFen int64
	ToConfirm int
}

// LedgerRow is a member's line of the month's ledger.
type LedgerRow struct {
	MemberRow
	Base   *Base
	Arrear int
	Level  string
}

// LedgerPage is a branch's month: who owes what, what was received, the
// forms of a payment, the month's closing and confirmation and corrections.
type LedgerPage struct {
	Branch     Org
	Month      time.Time
	Today      time.Time
	State      MonthState
	Rows       []LedgerRow
	Payments   []Payment
	LedgerFen  int64
	Totals     Totals
	Thresholds Thresholds
	CanWrite   bool
	CanConfirm bool
	Pay        PayForm
	Close      CloseForm
	Correct    CorrectForm
	Excuse     ExcuseForm
}

// Open reports whether payments may still be recorded in the month.
func (p LedgerPage) Open() bool { return p.State.Status == MonthOpen }

// MonthChoices are the months a payment may be for, newest last: as far
// back as making up reaches (the six-month rule's months, 2008 第十二条) to
// two months ahead (paying a quarter).
func (p LedgerPage) MonthChoices() []time.Time {
	back := 6
	if p.Thresholds.Found {
		back = p.Thresholds.Breach
	}
	var out []time.Time
	for m := p.Month.AddDate(0, -back, 0); !m.After(p.Month.AddDate(0, 2, 0)); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// PayForm is the payment form's input.
type PayForm struct {
	MemberID  string
	Months    []string
	PaidOn    string
	Method    string
	ReceiptNo string
	Errors    ui.Errors
}

// CloseForm is the hand-in form's input.
type CloseForm struct {
	Confirm string
	Errors  ui.Errors
}

// CorrectForm is the correction form's input.
type CorrectForm struct {
	PaymentID string
	Delta     string
	Reason    string
	Errors    ui.Errors
}

// ExcuseForm is the good-reason form's input.
type ExcuseForm struct {
	MemberID string
	From     string
	To       string
	Reason   string
	Errors   ui.Errors
}

func (h *Handler) ledger(ctx context.Context, o Org, month time.Time) (LedgerPage, error) {
	s := auth.ScopeOf(ctx)
	p := LedgerPage{Branch: o, Month: month, Today: h.today(), CanWrite: s.CanWrite(o.Path), CanConfirm: s.CanWriteCommittee(o.Path)}
	var err error
	if p.State, err = MonthOf(ctx, h.pool, o.ID, month); err != nil {
		return p, err
	}
	rows, err := MemberMonths(ctx, h.pool, []int64{o.ID}, month, month)
	if err != nil {
		return p, err
	}
	p.Totals = Sum(rows)
	if p.Payments, err = Payments(ctx, h.pool, o.ID, month); err != nil {
		return p, err
	}
	for _, py := range p.Payments {
		p.LedgerFen += py.AmountFen
	}
	if p.Thresholds, err = ThresholdsOf(ctx, h.pool, o.ID, p.Today); err != nil {
		return p, err
	}
	arrears, err := Arrears(ctx, h.pool, []int64{o.ID}, p.Today)
	if err != nil {
		return p, err
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.MemberID
	}
	bases, err := BasesFor(ctx, h.pool, ids, month.Year())
	if err != nil {
		return p, err
	}
	for _, r := range rows {
		lr := LedgerRow{MemberRow: r}
		if b, ok := bases[r.MemberID]; ok {
			lr.Base = &b
		}
		lr.Arrear = arrears[r.MemberID].Months
		lr.Level = p.Thresholds.Level(lr.Arrear)
		p.Rows = append(p.Rows, lr)
	}
	p.Pay.PaidOn = p.Today.Format("2006-01-02")
	if FirstOfMonth(p.Today) != month {
		p.Pay.PaidOn = month.Format("2006-01-02")
	}
	p.Pay.Method = "cash"
	p.Excuse.From, p.Excuse.To = MonthKey(month), MonthKey(month)
	return p, nil
}

// BasesFor returns, per member, the newest base of the year or before.
func BasesFor(ctx context.Context, q db.Querier, memberIDs []int64, year int) (map[int64]Base, error) {
	rows, err := db.Rows[Base](ctx, q, `SELECT DISTINCT ON (member_id) id, member_id, year, category, base_fen, staff_no, rate_bp, standard_fen, special, special_reason, approved_on, monthly_fen, source, version, capped
  FROM dues_bases WHERE member_id = ANY ($1) AND year <= $2 ORDER BY member_id, year DESC`, memberIDs, year)
	if err != nil {
		return nil, fmt.Errorf("dues: bases: %w", err)
	}
	out := make(map[int64]Base, len(rows))
	for _, b := range rows {
		out[b.MemberID] = b
	}
	return out, nil
}

// Branch shows a branch's ledger month.
func (h *Handler) Branch(w http.ResponseWriter, r *http.Request) error {
	o, err := h.branch(r)
	if err != nil {
		return err
	}
	p, err := h.ledger(r.Context(), o, h.monthParam(r.URL.Query().Get("month")))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, LedgerView(p))
}

func ledgerURL(id int64, month time.Time) string {
	return fmt.Sprintf("/dues/branches/%d?month=%s", id, MonthKey(month))
}

// postedLedger is the start of every write to a month's ledger: the
// branch the user may write, the month posted, and the ledger page to show
// again with the form's messages.
func (h *Handler) postedLedger(r *http.Request) (Org, time.Time, LedgerPage, error) {
	o, err := h.writableBranch(r)
	if err != nil {
		return o, time.Time{}, LedgerPage{}, err
	}
	month, err := h.postedMonth(r)
	if err != nil {
		return o, month, LedgerPage{}, err
	}
	p, err := h.ledger(r.Context(), o, month)
	return o, month, p, err
}

func (h *Handler) postedMonth(r *http.Request) (time.Time, error) {
	m, ok := ParseMonth(r.PostFormValue("month"))
	if !ok {
		return m, fmt.Errorf("dues: bad month: %w", apperr.ErrInvalid)
	}
	return m, nil
}

// Pay records a payment of one member for one or more months.
func (h *Handler) Pay(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, month, p, err := h.postedLedger(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("dues: form: %w", apperr.ErrInvalid)
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := PayForm{MemberID: v("member_id"), Months: r.PostForm["months"], PaidOn: v("paid_on"), Method: v("method"), ReceiptNo: v("receipt_no")}
	in := PaymentInput{Method: f.Method, ReceiptNo: f.ReceiptNo}
	in.MemberID, _ = strconv.ParseInt(f.MemberID, 10, 64)
	if !slices.ContainsFunc(p.Rows, func(lr LedgerRow) bool { return lr.MemberID == in.MemberID }) && !memberOfBranch(ctx, h.pool, o.ID, in.MemberID) {
		f.Errors.Add("member_id", "dues.error.member")
	}
	for _, s := range f.Months {
		m, ok := ParseMonth(s)
		if !ok || m.Before(month.AddDate(0, -12, 0)) || m.After(month.AddDate(0, 2, 0)) {
			f.Errors.Add("months", "dues.error.months")
			break
		}
		in.Months = append(in.Months, m)
	}
	if len(in.Months) == 0 {
		f.Errors.Add("months", "dues.error.months")
	}
	d, err := time.Parse("2006-01-02", f.PaidOn)
	switch {
	case err != nil:
		f.Errors.Add("paid_on", "dues.error.date")
	case d.After(p.Today):
		f.Errors.Add("paid_on", "dues.error.future")
	case FirstOfMonth(d) != month:
		f.Errors.Add("paid_on", "dues.error.paid_in_month")
	}
	in.PaidOn = d
	if !slices.Contains(Methods, f.Method) {
		f.Errors.Add("method", "dues.error.method")
	}
	if utf8.RuneCountInString(f.ReceiptNo) > 40 {
		f.Errors.Add("receipt_no", "dues.error.too_long")
	}
	if !f.Errors.Any() {
		_, err = h.store.RecordPayment(ctx, o.ID, in)
		var pe *PaymentError
		switch {
		case errors.Is(err, ErrClosed):
			f.Errors.Add("months", "dues.error.closed")
		case errors.As(err, &pe):
			f.Errors.Add(pe.Field, pe.Key)
		case err != nil:
			return err
		default:
			return ui.Redirect(w, r, ledgerURL(o.ID, month), "dues.flash.paid")
		}
	}
	p.Pay = f
	return ui.Render(w, r, http.StatusUnprocessableEntity, LedgerView(p))
}

func memberOfBranch(ctx context.Context, q db.Querier, branchID, memberID int64) bool {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE id = $1 AND branch_id = $2 AND in_good_standing(category, party_status))`, memberID, branchID).Scan(&ok)
	return err == nil && ok
}

// Close hands the month in to the committee (上缴).
func (h *Handler) Close(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, month, p, err := h.postedLedger(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		p.Close.Errors.Add("confirm", "dues.error.confirm_close")
	} else if month.After(FirstOfMonth(p.Today)) {
		p.Close.Errors.Add("confirm", "dues.error.future_month")
	} else if !p.Open() {
		p.Close.Errors.Add("confirm", "dues.error.closed")
	}
	if p.Close.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, LedgerView(p))
	}
	if _, err := h.store.Close(ctx, o.ID, month, p.Today, auth.UserOf(ctx).AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, ledgerURL(o.ID, month), "dues.flash.closed")
}

// Confirm records the committee's confirmation of a handed-in month.
func (h *Handler) Confirm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := h.branch(r)
	if err != nil {
		return err
	}
	if !auth.ScopeOf(ctx).CanWriteCommittee(o.Path) {
		return fmt.Errorf("dues: confirm by a non-reviewer: %w", apperr.ErrForbidden)
	}
	month, err := h.postedMonth(r)
	if err != nil {
		return err
	}
	if err := h.store.Confirm(ctx, o.ID, month, auth.UserOf(ctx).AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, ledgerURL(o.ID, month), "dues.flash.confirmed")
}

// ParseSignedYuan reads an amount that may be negative ("-12.50").
func ParseSignedYuan(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		n, ok := ParseYuan(rest)
		return -n, ok && n != 0
	}
	n, ok := ParseYuan(strings.TrimPrefix(s, "+"))
	return n, ok && n != 0
}

// Correct records a correction of a payment (the only change a closed
// month takes).
func (h *Handler) Correct(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, month, p, err := h.postedLedger(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := CorrectForm{PaymentID: v("payment_id"), Delta: v("delta"), Reason: v("reason")}
	pid, _ := strconv.ParseInt(f.PaymentID, 10, 64)
	if !slices.ContainsFunc(p.Payments, func(py Payment) bool { return py.ID == pid && py.Kind == "payment" }) {
		f.Errors.Add("payment_id", "dues.error.payment")
	}
	delta, ok := ParseSignedYuan(f.Delta)
	if !ok {
		f.Errors.Add("delta", "dues.error.amount")
	}
	if f.Reason == "" || utf8.RuneCountInString(f.Reason) > 500 {
		f.Errors.Add("reason", "dues.error.reason")
	}
	if !f.Errors.Any() {
		_, err := h.store.Correct(ctx, pid, delta, f.Reason)
		var pe *PaymentError
		switch {
		case errors.As(err, &pe):
			f.Errors.Add("delta", pe.Key)
		case err != nil:
			return err
		default:
			return ui.Redirect(w, r, ledgerURL(o.ID, month), "dues.flash.corrected")
		}
	}
	p.Correct = f
	return ui.Render(w, r, http.StatusUnprocessableEntity, LedgerView(p))
}

// Excuse records a good reason for months unpaid.
func (h *Handler) Excuse(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, month, p, err := h.postedLedger(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ExcuseForm{MemberID: v("member_id"), From: v("from"), To: v("to"), Reason: v("reason")}
	mid, _ := strconv.ParseInt(f.MemberID, 10, 64)
	if !memberOfBranch(ctx, h.pool, o.ID, mid) {
		f.Errors.Add("member_id", "dues.error.member")
	}
	from, ok1 := ParseMonth(f.From)
	to, ok2 := ParseMonth(f.To)
	if !ok1 {
		f.Errors.Add("from", "dues.error.month")
	}
	if !ok2 || (ok1 && to.Before(from)) {
		f.Errors.Add("to", "dues.error.month")
	}
	if f.Reason == "" || utf8.RuneCountInString(f.Reason) > 500 {
		f.Errors.Add("reason", "dues.error.reason")
	}
	if f.Errors.Any() {
		p.Excuse = f
		return ui.Render(w, r, http.StatusUnprocessableEntity, LedgerView(p))
	}
	if _, err := h.store.Excuse(ctx, mid, from, to, f.Reason); err != nil {
		return err
	}
	return ui.Redirect(w, r, ledgerURL(o.ID, month), "dues.flash.excused")
}

// BaseRow is a member with their base for the year, if set.
type BaseRow struct {
	MemberID int64  `db:"member_id"`
	Name     string `db:"name"`
	Base     *Base
}

// BasesPage lists a branch's bases for a year, with the import form.
type BasesPage struct {
	Branch   Org
	Year     int
	Rows     []BaseRow
	CanWrite bool
	Problems []RowProblem
	Errors   ui.Errors
	Bands    []Band
}

func (h *Handler) basesPage(ctx context.Context, o Org, year int) (BasesPage, error) {
	p := BasesPage{Branch: o, Year: year, CanWrite: auth.ScopeOf(ctx).CanWrite(o.Path)}
	type mrow struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	ms, err := db.Rows[mrow](ctx, h.pool, `SELECT id, name FROM members WHERE branch_id = $1 AND in_good_standing(category, party_status) ORDER BY name, id`, o.ID)
	if err != nil {
		return p, fmt.Errorf("dues: base members: %w", err)
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	bases, err := db.Rows[Base](ctx, h.pool, baseSelect+` WHERE member_id = ANY ($1) AND year = $2`, ids, year)
	if err != nil {
		return p, fmt.Errorf("dues: bases: %w", err)
	}
	by := map[int64]Base{}
	for _, b := range bases {
		by[b.MemberID] = b
	}
	for _, m := range ms {
		row := BaseRow{MemberID: m.ID, Name: m.Name}
		if b, ok := by[m.ID]; ok {
			row.Base = &b
		}
		p.Rows = append(p.Rows, row)
	}
	if p.Bands, err = Bands(ctx, h.pool); err != nil {
		return p, err
	}
	return p, nil
}

func (h *Handler) yearParam(v string) int {
	if y, err := strconv.Atoi(v); err == nil && y >= 2000 && y <= h.today().Year()+1 {
		return y
	}
	return h.today().Year()
}

// Bases lists the branch's bases for a year.
func (h *Handler) Bases(w http.ResponseWriter, r *http.Request) error {
	o, err := h.branch(r)
	if err != nil {
		return err
	}
	p, err := h.basesPage(r.Context(), o, h.yearParam(r.URL.Query().Get("year")))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, BasesView(p))
}

// Import sets the year's bases from the finance office's payroll
// spreadsheet: every row, or none with each bad row's message.
func (h *Handler) Import(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := h.writableBranch(r)
	if err != nil {
		return err
	}
	if err := r.ParseMultipartForm(MaxPayrollBytes); err != nil {
		p, perr := h.basesPage(ctx, o, h.today().Year())
		if perr != nil {
			return perr
		}
		p.Errors.Add("file", "dues.import.too_big")
		return ui.Render(w, r, http.StatusUnprocessableEntity, BasesView(p))
	}
	year := h.yearParam(r.PostFormValue("year"))
	p, err := h.basesPage(ctx, o, year)
	if err != nil {
		return err
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		p.Errors.Add("file", "form.required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, BasesView(p))
	}
	defer func() { _ = file.Close() }()
	data, err := io.ReadAll(io.LimitReader(file, MaxPayrollBytes+1))
	if err != nil {
		return fmt.Errorf("dues: read upload: %w", err)
	}
	rows, err := ParsePayroll(data)
	var fe *FileError
	if errors.As(err, &fe) {
		p.Errors.Add("file", fe.Key)
		return ui.Render(w, r, http.StatusUnprocessableEntity, BasesView(p))
	}
	if err != nil {
		return err
	}
	ins, problems, err := MatchPayroll(ctx, h.pool, h.sealer, o.ID, year, rows)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		p.Problems = problems
		p.Errors.Add("file", "dues.import.rejected")
		return ui.Render(w, r, http.StatusUnprocessableEntity, BasesView(p))
	}
	if err := h.store.SetBases(ctx, ins); err != nil {
		if errors.Is(err, ErrNoBand) {
			p.Errors.Add("file", "dues.error.no_band")
			return ui.Render(w, r, http.StatusUnprocessableEntity, BasesView(p))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/dues/branches/%d/bases?year=%d", o.ID, year), "dues.flash.imported")
}

// BaseForm is the base form's input.
type BaseForm struct {
	Branch        Org
	MemberID      int64
	Name          string
	Year          int
	Category      string
	Base          string
	StaffNo       string
	Special       string
	SpecialAmount string
	Reason        string
	ApprovedOn    string
	Version       int
	Current       *Base
	Cap           Settings // the monthly threshold, shown with its source
	Errors        ui.Errors
}

func (h *Handler) baseForm(r *http.Request) (BaseForm, error) {
	ctx := r.Context()
	o, err := h.writableBranch(r)
	if err != nil {
		return BaseForm{}, err
	}
	mid, _ := strconv.ParseInt(chi.URLParam(r, "member"), 10, 64)
	var name string
	err = h.pool.QueryRow(ctx, `SELECT name FROM members WHERE id = $1 AND branch_id = $2 AND in_good_standing(category, party_status)`, mid, o.ID).Scan(&name)
	if errors.Is(err, pgx.ErrNoRows) {
		return BaseForm{}, fmt.Errorf("dues: member %d: %w", mid, apperr.ErrNotFound)
	}
	if err != nil {
		return BaseForm{}, fmt.Errorf("dues: member %d: %w", mid, err)
	}
	year := h.yearParam(r.URL.Query().Get("year"))
	if r.Method == http.MethodPost {
		year = h.yearParam(r.PostFormValue("year"))
	}
	f := BaseForm{Branch: o, MemberID: mid, Name: name, Year: year, Category: Salaried, Special: SpecialNone}
	if f.Cap, err = LoadSettings(ctx, h.pool); err != nil {
		return f, err
	}
	b, err := BaseOf(ctx, h.pool, mid, year)
	if err == nil {
		f.Current = &b
		f.Category, f.Base, f.StaffNo, f.Special, f.Reason, f.Version = b.Category, Yuan(b.BaseFen), b.StaffNo, b.Special, b.SpecialReason, b.Version
		if b.Special == SpecialVoluntary || b.Special == SpecialReduced {
			f.SpecialAmount = Yuan(b.MonthlyFen)
		}
		if b.ApprovedOn != nil {
			f.ApprovedOn = b.ApprovedOn.Format("2006-01-02")
		}
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return f, err
	}
	return f, nil
}

// BasePage shows the form of a member's base.
func (h *Handler) BasePage(w http.ResponseWriter, r *http.Request) error {
	f, err := h.baseForm(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, BaseView(f))
}

// SaveBase sets a member's base for a year.
func (h *Handler) SaveBase(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := h.baseForm(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.Category, f.Base, f.StaffNo, f.Special, f.SpecialAmount, f.Reason, f.ApprovedOn = v("category"), v("base"), v("staff_no"), v("special"), v("special_amount"), v("reason"), v("approved_on")
	version, _ := strconv.Atoi(v("version"))
	in := BaseInput{MemberID: f.MemberID, Year: f.Year, Category: f.Category, StaffNo: f.StaffNo, Special: f.Special, SpecialReason: f.Reason, Source: "form", Version: version}
	if !slices.Contains(Categories, f.Category) {
		f.Errors.Add("category", "dues.error.category")
	}
	var ok bool
	if in.BaseFen, ok = ParseYuan(f.Base); !ok {
		f.Errors.Add("base", "dues.error.amount")
	}
	if utf8.RuneCountInString(f.StaffNo) > 30 {
		f.Errors.Add("staff_no", "dues.error.too_long")
	}
	if !slices.Contains(Specials, f.Special) {
		f.Errors.Add("special", "dues.error.special")
	}
	if f.Special == SpecialVoluntary || f.Special == SpecialReduced {
		if in.SpecialFen, ok = ParseYuan(f.SpecialAmount); !ok {
			f.Errors.Add("special_amount", "dues.error.amount")
		}
	}
	if f.Special != SpecialNone && (f.Reason == "" || utf8.RuneCountInString(f.Reason) > 500) {
		f.Errors.Add("reason", "dues.error.reason")
	}
	if f.Special == SpecialReduced || f.Special == SpecialExempt {
		d, err := time.Parse("2006-01-02", f.ApprovedOn)
		if err != nil || d.After(h.today()) {
			f.Errors.Add("approved_on", "dues.error.approved_on")
		}
		in.ApprovedOn = &d
	}
	if !f.Errors.Any() {
		_, err := h.store.SetBase(ctx, in)
		switch {
		case errors.Is(err, ErrNoBand):
			f.Errors.Add("category", "dues.error.no_band")
		case errors.Is(err, ErrAmount):
			f.Errors.Add("special_amount", "dues.error.special_amount")
		case err != nil:
			return err
		default:
			flash := "dues.flash.base_saved"
			if b, err := BaseOf(ctx, h.pool, f.MemberID, f.Year); err == nil && b.Capped && b.Special == SpecialNone {
				flash = "duesroll.flash.base_capped"
			}
			return ui.Redirect(w, r, fmt.Sprintf("/dues/branches/%d/bases?year=%d", f.Branch.ID, f.Year), flash)
		}
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, BaseView(f))
}

// SettingsForm shows the dues settings (system administrator).
func (h *Handler) SettingsForm(w http.ResponseWriter, r *http.Request) error {
	s, err := LoadSettings(r.Context(), h.pool)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, SettingsView(SettingsPage{Cap: Yuan(s.MonthlyCapFen), Source: s.CapSource}))
}

// SaveSettings changes the dues settings.
func (h *Handler) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	p := SettingsPage{Cap: strings.TrimSpace(r.PostFormValue("monthly_cap")), Source: strings.TrimSpace(r.PostFormValue("cap_source"))}
	fen, ok := ParseYuan(p.Cap)
	if !ok || fen < 1 || fen > 100000000 {
		p.Errors.Add("monthly_cap", "duesroll.error.monthly_cap")
	}
	if n := utf8.RuneCountInString(p.Source); n < 1 || n > 300 {
		p.Errors.Add("cap_source", "duesroll.error.cap_source")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, SettingsView(p))
	}
	if err := h.store.SaveSettings(r.Context(), Settings{MonthlyCapFen: fen, CapSource: p.Source}); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/dues-settings", "duesroll.flash.settings")
}
