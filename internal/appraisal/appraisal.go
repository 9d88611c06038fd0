// Package appraisal runs the yearly democratic appraisal of members
// (民主评议党员): self-assessment, mutual assessment, then each member's
// result with the vote counts, and a dated follow-up for an unqualified one.
package appraisal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/life"
	"zhibu/internal/ui"
)

// Results lists the appraisal results, best first.
var Results = []string{"excellent", "qualified", "basic", "unqualified"}

// Appraisal is one branch's appraisal of a year.
type Appraisal struct {
	ID         int64
	BranchID   int64
	BranchName string
	BranchPath []int64
	Year       int
	HeldOn     *time.Time
	Status     string
	Version    int
}

// Closed reports whether the appraisal is finished and locked.
func (a Appraisal) Closed() bool { return a.Status == "closed" }

// Result is one member's appraisal.
type Result struct {
	MemberID         int64
	Name             string
	SelfAssessment   string
	MutualAssessment string
	Result           *string
	VotesExcellent   int
	VotesQualified   int
	VotesBasic       int
	VotesUnqualified int
	Followup         string
	FollowupDue      *time.Time
	Version          int
}

// ListRow is one appraisal in the list with its result counts.
type ListRow struct {
	ID          int64
	BranchName  string
	Year        int
	Status      string
	Members     int
	Excellent   int
	Qualified   int
	Basic       int
	Unqualified int
	Pending     int
}

const getSQL = `SELECT a.id, a.branch_id, o.name AS branch_name, o.path AS branch_path, a.year, a.held_on, a.status, a.version
  FROM appraisals a JOIN organisations o ON o.id = a.branch_id WHERE a.id = $1`

// Get loads one appraisal; ErrNotFound when there is none.
func Get(ctx context.Context, q db.Querier, id int64) (Appraisal, error) {
	a, err := db.One[Appraisal](ctx, q, getSQL, id)
	if err != nil {
		return a, fmt.Errorf("appraisal: get %d: %w", id, err)
	}
	return a, nil
}

const resultsSQL = `SELECT r.member_id, m.name, r.self_assessment, r.mutual_assessment, r.result, r.votes_excellent, r.votes_qualified,
       r.votes_basic, r.votes_unqualified, r.followup, r.followup_due, r.version
  FROM appraisal_results r JOIN members m ON m.id = r.member_id WHERE r.appraisal_id = $1 ORDER BY m.name, m.id`

// ResultsOf lists the members' results of an appraisal.
func ResultsOf(ctx context.Context, q db.Querier, id int64) ([]Result, error) {
	out, err := db.Rows[Result](ctx, q, resultsSQL, id)
	if err != nil {
		return nil, fmt.Errorf("appraisal: results of %d: %w", id, err)
	}
	return out, nil
}

const participantsSQL = `SELECT count(*)::int FROM appraisal_results WHERE appraisal_id = $1`

// Participants returns how many members take part in an appraisal.
func Participants(ctx context.Context, q db.Querier, id int64) (int, error) {
	var n int
	if err := q.QueryRow(ctx, participantsSQL, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("appraisal: participants of %d: %w", id, err)
	}
	return n, nil
}

const listSQL = `SELECT a.id, o.name AS branch_name, a.year, a.status,
       count(r.member_id)::int AS members,
       count(*) FILTER (WHERE r.result = 'excellent')::int AS excellent,
       count(*) FILTER (WHERE r.result = 'qualified')::int AS qualified,
       count(*) FILTER (WHERE r.result = 'basic')::int AS basic,
       count(*) FILTER (WHERE r.result = 'unqualified')::int AS unqualified,
       count(*) FILTER (WHERE r.member_id IS NOT NULL AND r.result IS NULL)::int AS pending
  FROM appraisals a JOIN organisations o ON o.id = a.branch_id
  LEFT JOIN appraisal_results r ON r.appraisal_id = a.id
 WHERE o.path && $1::bigint[] AND ($2 = 0 OR a.year = $2) AND ($3 = '' OR o.name ILIKE '%' || $3 || '%')
 GROUP BY a.id, o.name
 ORDER BY `

var sorts = map[string]string{"year": "a.year", "branch": "o.name", "status": "a.status"}

// List returns a page of appraisals inside roots, and the total.
func List(ctx context.Context, q db.Querier, roots []int64, year int, search, sort string, desc bool, limit, offset int) ([]ListRow, int, error) {
	search = db.EscapeLike(search)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM appraisals a JOIN organisations o ON o.id = a.branch_id
 WHERE o.path && $1::bigint[] AND ($2 = 0 OR a.year = $2) AND ($3 = '' OR o.name ILIKE '%' || $3 || '%')`, roots, year, search).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("appraisal: count: %w", err)
	}
	order, ok := sorts[sort]
	if !ok {
		order, desc = "a.year", true
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	out, err := db.Rows[ListRow](ctx, q, listSQL+order+dir+`, o.name LIMIT $4 OFFSET $5`, roots, year, search, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("appraisal: list: %w", err)
	}
	return out, total, nil
}

// Branch is a branch the user may appraise.
type Branch struct {
	ID   int64
	Name string
}

// WritableBranches lists the branches the scope's user may run an appraisal for.
func WritableBranches(ctx context.Context, q db.Querier, s auth.Scope) ([]Branch, error) {
	out, err := db.Rows[Branch](ctx, q, `SELECT id, name FROM organisations WHERE id = ANY($1) AND kind = 'branch' AND dissolved_on IS NULL ORDER BY name`, s.WriteRoots())
	if err != nil {
		return nil, fmt.Errorf("appraisal: branches: %w", err)
	}
	return out, nil
}

// Create opens a year's appraisal for a branch with a row per full or
// probationary member; ErrConflict when the year's appraisal exists.
func Create(ctx context.Context, tx pgx.Tx, branchID int64, year int) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO appraisals (branch_id, year) VALUES ($1, $2) ON CONFLICT (branch_id, year) DO NOTHING RETURNING id`, branchID, year).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("appraisal: %d/%d exists: %w", branchID, year, apperr.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("appraisal: create: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO appraisal_results (appraisal_id, member_id)
SELECT $1, id FROM members WHERE branch_id = $2 AND in_good_standing(category, party_status)`, id, branchID); err != nil {
		return 0, fmt.Errorf("appraisal: members of %d: %w", id, err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "appraisal.create", Entity: "appraisal", EntityID: id, After: map[string]any{"branch_id": branchID, "year": year}})
}

// ResultInput is one member's assessments, result and votes.
type ResultInput struct {
	SelfAssessment   string
	MutualAssessment string
	Result           *string
	VotesExcellent   int
	VotesQualified   int
	VotesBasic       int
	VotesUnqualified int
	Followup         string
	FollowupDue      *time.Time
}

// SaveResult stores a member's appraisal at the version the user loaded;
// ErrConflict when it changed, ErrForbidden when the appraisal is closed.
func SaveResult(ctx context.Context, tx pgx.Tx, id int64, before Result, version int, in ResultInput) error {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM appraisals WHERE id = $1 FOR SHARE`, id).Scan(&status); err != nil {
		return fmt.Errorf("appraisal: lock %d: %w", id, err)
	}
	if status == "closed" {
		return fmt.Errorf("appraisal: %d is closed: %w", id, apperr.ErrForbidden)
	}
	tag, err := tx.Exec(ctx, `UPDATE appraisal_results SET self_assessment = $4, mutual_assessment = $5, result = $6,
       votes_excellent = $7, votes_qualified = $8, votes_basic = $9, votes_unqualified = $10, followup = $11, followup_due = $12,
       version = version + 1
 WHERE appraisal_id = $1 AND member_id = $2 AND version = $3`, id, before.MemberID, version, in.SelfAssessment, in.MutualAssessment, in.Result,
		in.VotesExcellent, in.VotesQualified, in.VotesBasic, in.VotesUnqualified, in.Followup, in.FollowupDue)
	if err != nil {
		return fmt.Errorf("appraisal: save %d/%d: %w", id, before.MemberID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("appraisal: save %d/%d at %d: %w", id, before.MemberID, version, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "appraisal.result", Entity: "appraisal", EntityID: id, Before: before, After: in})
}

// Close finishes the appraisal on the day it was held; every member needs
// a result first.
func Close(ctx context.Context, tx pgx.Tx, id int64, version int, heldOn time.Time) error {
	var pending int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM appraisal_results WHERE appraisal_id = $1 AND result IS NULL`, id).Scan(&pending); err != nil {
		return fmt.Errorf("appraisal: pending of %d: %w", id, err)
	}
	if pending > 0 {
		return fmt.Errorf("appraisal: %d has %d without result: %w", id, pending, apperr.ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `UPDATE appraisals SET status = 'closed', held_on = $3, version = version + 1 WHERE id = $1 AND version = $2 AND status = 'open'`, id, version, heldOn)
	if err != nil {
		return fmt.Errorf("appraisal: close %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("appraisal: close %d at %d: %w", id, version, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "appraisal.close", Entity: "appraisal", EntityID: id, After: map[string]any{"held_on": heldOn}})
}

// Handler serves the appraisal pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the appraisal handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("appraisal: bad %s: %w", name, apperr.ErrNotFound)
	}
	return id, nil
}

// ListPage is the view model of the appraisal list.
type ListPage struct {
	Rows     []ListRow
	Pager    ui.Pager
	Year     string
	Search   string
	Branches []Branch
	Form     CreateForm
}

// CreateForm is the form that opens a year's appraisal.
type CreateForm struct {
	BranchID string
	Year     string
	Errors   ui.Errors
}

// List shows the appraisals in the user's scope.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	return h.renderList(w, r, http.StatusOK, CreateForm{Year: strconv.Itoa(today().Year())})
}

func (h *Handler) renderList(w http.ResponseWriter, r *http.Request, status int, f CreateForm) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/appraisals"}
	rows, total, err := List(ctx, h.pool, s.ReadRoots(), year, strings.TrimSpace(q.Get("q")), q.Get("sort"), q.Get("dir") == "desc", pageSize, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	branches, err := WritableBranches(ctx, h.pool, s)
	if err != nil {
		return err
	}
	if f.BranchID == "" && len(branches) == 1 {
		f.BranchID = strconv.FormatInt(branches[0].ID, 10)
	}
	return ui.Render(w, r, status, ListView(ListPage{Rows: rows, Pager: p, Year: q.Get("year"), Search: q.Get("q"), Branches: branches, Form: f}))
}

// Create opens a year's appraisal for a branch.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	if !s.Writes() {
		return fmt.Errorf("appraisal: create: %w", apperr.ErrForbidden)
	}
	f := CreateForm{BranchID: r.PostFormValue("branch_id"), Year: strings.TrimSpace(r.PostFormValue("year"))}
	branches, err := WritableBranches(ctx, h.pool, s)
	if err != nil {
		return err
	}
	branchID, _ := strconv.ParseInt(f.BranchID, 10, 64)
	ok := false
	for _, b := range branches {
		ok = ok || b.ID == branchID
	}
	if !ok {
		f.Errors.Add("branch_id", "appraisal.error.branch")
	}
	year, err := strconv.Atoi(f.Year)
	if err != nil || year < 2000 || year > 2100 {
		f.Errors.Add("year", "appraisal.error.year")
	}
	if f.Errors.Any() {
		return h.renderList(w, r, http.StatusUnprocessableEntity, f)
	}
	id, err := h.store.Create(ctx, branchID, year)
	if errors.Is(err, apperr.ErrConflict) {
		f.Errors.Add("year", "appraisal.error.exists")
		return h.renderList(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/appraisals/%d", id), "appraisal.flash.created")
}

func (h *Handler) load(r *http.Request) (Appraisal, bool, error) {
	ctx := r.Context()
	id, err := idParam(r, "id")
	if err != nil {
		return Appraisal{}, false, err
	}
	a, err := Get(ctx, h.pool, id)
	if err != nil {
		return a, false, err
	}
	s := auth.ScopeOf(ctx)
	if err := s.CheckRead(a.BranchPath); err != nil {
		return a, false, fmt.Errorf("appraisal: %d: %w", id, err)
	}
	return a, s.CanWrite(a.BranchPath) && !a.Closed(), nil
}

// ShowPage is the view model of one appraisal.
type ShowPage struct {
	A        Appraisal
	Overdue  map[int64]int // overdue rectification items per member
	Results  []Result
	CanWrite bool
	HeldOn   string
	Error    string
}

// Show displays an appraisal with every member's result.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	a, canWrite, err := h.load(r)
	if err != nil {
		return err
	}
	res, err := ResultsOf(r.Context(), h.pool, a.ID)
	if err != nil {
		return err
	}
	overdue, err := life.OverdueByOwner(r.Context(), h.pool, []int64{a.BranchID})
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(ShowPage{A: a, Results: res, CanWrite: canWrite, HeldOn: today().Format("2006-01-02"), Overdue: overdue}))
}

// Close finishes the appraisal after a confirmation checkbox.
func (h *Handler) Close(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, canWrite, err := h.load(r)
	if err != nil {
		return err
	}
	if !canWrite {
		return fmt.Errorf("appraisal: %d read-only: %w", a.ID, apperr.ErrForbidden)
	}
	res, err := ResultsOf(ctx, h.pool, a.ID)
	if err != nil {
		return err
	}
	p := ShowPage{A: a, Results: res, CanWrite: true, HeldOn: strings.TrimSpace(r.PostFormValue("held_on"))}
	held, err := time.Parse("2006-01-02", p.HeldOn)
	switch {
	case err != nil:
		p.Error = "appraisal.error.held_on"
	case r.PostFormValue("confirm") != "yes":
		p.Error = "appraisal.error.confirm"
	}
	if p.Error != "" {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	err = h.store.Close(ctx, a.ID, version, held)
	if errors.Is(err, apperr.ErrInvalid) {
		p.Error = "appraisal.error.pending"
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/appraisals/%d", a.ID), "appraisal.flash.closed")
}

// ResultForm is the form of one member's appraisal.
type ResultForm struct {
	A                                Appraisal
	R                                Result
	SelfAssessment, MutualAssessment string
	Result                           string
	VotesE, VotesQ, VotesB, VotesU   string
	Followup, FollowupDue, Version   string
	Errors                           ui.Errors
	Newer                            *Result
	// Participants is how many members take part in the appraisal: the
	// four vote counts of one member add up to at most this many.
	Participants int
}

func (h *Handler) result(r *http.Request) (Appraisal, Result, error) {
	a, canWrite, err := h.load(r)
	if err != nil {
		return a, Result{}, err
	}
	if !canWrite {
		return a, Result{}, fmt.Errorf("appraisal: %d read-only: %w", a.ID, apperr.ErrForbidden)
	}
	mid, err := idParam(r, "member")
	if err != nil {
		return a, Result{}, err
	}
	res, err := ResultsOf(r.Context(), h.pool, a.ID)
	if err != nil {
		return a, Result{}, err
	}
	for _, x := range res {
		if x.MemberID == mid {
			return a, x, nil
		}
	}
	return a, Result{}, fmt.Errorf("appraisal: member %d not in %d: %w", mid, a.ID, apperr.ErrNotFound)
}

func formOf(a Appraisal, x Result) ResultForm {
	f := ResultForm{A: a, R: x, SelfAssessment: x.SelfAssessment, MutualAssessment: x.MutualAssessment,
		VotesE: strconv.Itoa(x.VotesExcellent), VotesQ: strconv.Itoa(x.VotesQualified), VotesB: strconv.Itoa(x.VotesBasic), VotesU: strconv.Itoa(x.VotesUnqualified),
		Followup: x.Followup, Version: strconv.Itoa(x.Version)}
	if x.Result != nil {
		f.Result = *x.Result
	}
	if x.FollowupDue != nil {
		f.FollowupDue = x.FollowupDue.Format("2006-01-02")
	}
	return f
}

// ResultPage shows the form of one member's appraisal.
func (h *Handler) ResultPage(w http.ResponseWriter, r *http.Request) error {
	a, x, err := h.result(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ResultView(formOf(a, x)))
}

// Validate checks a result form and returns what to store.
func (f *ResultForm) Validate() ResultInput {
	in := ResultInput{SelfAssessment: f.SelfAssessment, MutualAssessment: f.MutualAssessment, Followup: f.Followup}
	if utf8.RuneCountInString(f.SelfAssessment) > 5000 {
		f.Errors.Add("self_assessment", "appraisal.error.too_long")
	}
	if utf8.RuneCountInString(f.MutualAssessment) > 5000 {
		f.Errors.Add("mutual_assessment", "appraisal.error.too_long")
	}
	if f.Result != "" {
		ok := false
		for _, v := range Results {
			ok = ok || v == f.Result
		}
		if !ok {
			f.Errors.Add("result", "appraisal.error.result")
		}
		res := f.Result
		in.Result = &res
	}
	votes := func(name, s string, dst *int) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 10000 {
			f.Errors.Add(name, "appraisal.error.votes")
		}
		*dst = n
	}
	votes("votes_excellent", f.VotesE, &in.VotesExcellent)
	votes("votes_qualified", f.VotesQ, &in.VotesQualified)
	votes("votes_basic", f.VotesB, &in.VotesBasic)
	votes("votes_unqualified", f.VotesU, &in.VotesUnqualified)
	if sum := in.VotesExcellent + in.VotesQualified + in.VotesBasic + in.VotesUnqualified; f.Participants > 0 && sum > f.Participants {
		f.Errors.Add("votes_excellent", "appraisal.error.votes_total")
	}
	if utf8.RuneCountInString(f.Followup) > 5000 {
		f.Errors.Add("followup", "appraisal.error.too_long")
	}
	if f.FollowupDue != "" {
		d, err := time.Parse("2006-01-02", f.FollowupDue)
		if err != nil {
			f.Errors.Add("followup_due", "appraisal.error.date")
		} else {
			in.FollowupDue = &d
		}
	}
	if f.Result == "unqualified" {
		if strings.TrimSpace(f.Followup) == "" {
			f.Errors.Add("followup", "appraisal.error.followup")
		}
		if f.FollowupDue == "" {
			f.Errors.Add("followup_due", "appraisal.error.followup_due")
		}
	}
	return in
}

// SaveResult stores one member's appraisal.
func (h *Handler) SaveResult(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, x, err := h.result(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ResultForm{A: a, R: x, SelfAssessment: v("self_assessment"), MutualAssessment: v("mutual_assessment"), Result: v("result"),
		VotesE: v("votes_excellent"), VotesQ: v("votes_qualified"), VotesB: v("votes_basic"), VotesU: v("votes_unqualified"),
		Followup: v("followup"), FollowupDue: v("followup_due"), Version: v("version")}
	if f.Participants, err = Participants(ctx, h.pool, a.ID); err != nil {
		return err
	}
	in := f.Validate()
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("result", "appraisal.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ResultView(f))
	}
	err = h.store.SaveResult(ctx, a.ID, x, version, in)
	if errors.Is(err, apperr.ErrConflict) {
		f.Newer, f.Version = &x, strconv.Itoa(x.Version)
		return ui.Render(w, r, http.StatusConflict, ResultView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/appraisals/%d", a.ID), "appraisal.flash.saved")
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
