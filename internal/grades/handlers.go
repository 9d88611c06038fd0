package grades

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// Handler serves /grades.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
	now   func() time.Time
}

// New returns the grading handlers.
func New(pool *pgxpool.Pool) *Handler {
	return &Handler{pool: pool, store: NewStore(pool), now: time.Now}
}

func (h *Handler) today() time.Time {
	n := h.now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// year is the year asked for; by default the one just graded: last year
// until the end of March, then this year.
func (h *Handler) year(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	t := h.today()
	if t.Month() <= time.March {
		return t.Year() - 1
	}
	return t.Year()
}

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("grades: id %q: %w", chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

// committeeOf reports whether the user grades the organisation at path: a
// reviewer of its committee who does not keep the branch itself.
func committeeOf(s auth.Scope, path []int64) bool {
	return s.CanWriteCommittee(path) && !s.CanWrite(path)
}

// IndexRow is one branch with its grades of the year before and the year.
type IndexRow struct {
	Branch review.Branch
	Before *Grade
	This   *Grade
}

// IndexPage lists the branches and their grades.
type IndexPage struct {
	Year      int
	Rows      []IndexRow
	Committee bool
	Weak      int
	Ungraded  int
}

// Index lists the branches in scope with this year's grade beside last
// year's.
func (h *Handler) Index(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	year := h.year(r)
	branches, err := review.Branches(ctx, h.pool, s.ReadRoots())
	if err != nil {
		return err
	}
	gs, err := GradesIn(ctx, h.pool, s.ReadRoots(), []int{year - 1, year})
	if err != nil {
		return err
	}
	p := IndexPage{Year: year, Committee: s.Committee() != 0}
	for _, b := range branches {
		row := IndexRow{Branch: b}
		for i := range gs {
			if gs[i].OrgID != b.ID {
				continue
			}
			if gs[i].Year == year {
				row.This = &gs[i]
			} else {
				row.Before = &gs[i]
			}
		}
		switch {
		case row.This == nil:
			p.Ungraded++
		case row.This.Weak:
			p.Weak++
		}
		p.Rows = append(p.Rows, row)
	}
	return ui.Render(w, r, http.StatusOK, IndexView(p))
}

// BranchPage is one branch's grading: its compliance facts of the year,
// its grades over the years, and the committee's form.
type BranchPage struct {
	Branch    review.Branch
	Year      int
	Results   []rules.Result
	Row       *review.Row
	History   []Grade
	Current   *Grade
	Next      *Grade
	CanGrade  bool
	Form      GradeForm
	FactsLink string
}

func (h *Handler) branchPage(r *http.Request) (BranchPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return BranchPage{}, err
	}
	path, err := auth.OrgPath(ctx, h.pool, id)
	if err != nil {
		return BranchPage{}, err
	}
	if err := s.CheckRead(path); err != nil {
		return BranchPage{}, err
	}
	branches, err := review.Branches(ctx, h.pool, []int64{id})
	if err != nil {
		return BranchPage{}, err
	}
	var b *review.Branch
	for i := range branches {
		if branches[i].ID == id {
			b = &branches[i]
		}
	}
	if b == nil {
		return BranchPage{}, fmt.Errorf("grades: %d is not a branch: %w", id, apperr.ErrNotFound)
	}
	year := h.year(r)
	if v := r.PostFormValue("year"); r.Method == http.MethodPost && v != "" {
		if y, err := strconv.Atoi(v); err == nil && y >= 2000 && y <= 2100 {
			year = y
		}
	}
	p := BranchPage{Branch: *b, Year: year, CanGrade: committeeOf(s, path), FactsLink: review.BranchURL(id, rules.Year(year).Key())}
	d, err := review.Evaluate(ctx, h.pool, []review.Branch{*b}, rules.Year(year), h.today(), false)
	if err != nil {
		return p, err
	}
	if len(d.Rows) > 0 {
		p.Row = &d.Rows[0]
		p.Results = d.Rows[0].Results
	}
	if p.History, err = History(ctx, h.pool, id); err != nil {
		return p, err
	}
	for i := range p.History {
		switch p.History[i].Year {
		case year:
			p.Current = &p.History[i]
		case year + 1:
			p.Next = &p.History[i]
		}
	}
	p.Form = GradeForm{Year: strconv.Itoa(year)}
	if p.Current != nil {
		p.Form.Grade, p.Form.Assessment, p.Form.Reason, p.Form.Version = p.Current.Grade, p.Current.Assessment, p.Current.Reason, strconv.Itoa(p.Current.Version)
	}
	if p.CanGrade {
		if p.Form.Levels, err = Levels(ctx, h.pool); err != nil {
			return p, err
		}
		if p.Form.Followers, err = Followers(ctx, h.pool, s.Committee()); err != nil {
			return p, err
		}
	}
	return p, nil
}

// Branch shows one branch's grading.
func (h *Handler) Branch(w http.ResponseWriter, r *http.Request) error {
	p, err := h.branchPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, BranchView(p))
}

// Grade records the committee's grade of the branch for the year.
func (h *Handler) Grade(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("grades: form: %w", apperr.ErrInvalid)
	}
	p, err := h.branchPage(r)
	if err != nil {
		return err
	}
	if !p.CanGrade {
		return fmt.Errorf("grades: grade %d by a non-reviewer: %w", p.Branch.ID, apperr.ErrForbidden)
	}
	f := ParseGrade(r.PostForm)
	f.Levels, f.Followers = p.Form.Levels, p.Form.Followers
	in := f.Validate(p.Branch.ID)
	if in.Year > h.today().Year() {
		f.Errors.Add("year", "grades.error.future_year")
	}
	if f.Errors.Any() {
		p.Form = f
		return ui.Render(w, r, http.StatusUnprocessableEntity, BranchView(p))
	}
	in.On, in.AccountID = h.today(), auth.UserOf(ctx).AccountID
	if _, err := h.store.SaveGrade(ctx, in); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/branches/%d?year=%d", p.Branch.ID, in.Year), "grades.flash.graded")
}

// PlanPage is a consolidation plan.
type PlanPage struct {
	Plan      Plan
	Grade     Grade
	Next      *Grade
	Measures  []Measure
	Notes     []Note
	Today     time.Time
	Committee bool
	CanNote   bool
	Measure   MeasureForm
	Note      string
	NoteError string
	// Closing is the committee's form that ends the plan.
	Closing ClosingForm
}

// Closed reports a plan that has ended: read only.
func (p PlanPage) Closed() bool { return p.Plan.ClosedOn != nil }

// CanClose reports whether the committee may end the plan now: it is
// open, has measures, and every one is done.
func (p PlanPage) CanClose() bool {
	if !p.Committee || p.Closed() || len(p.Measures) == 0 {
		return false
	}
	for _, m := range p.Measures {
		if m.DoneOn == nil {
			return false
		}
	}
	return true
}

func (h *Handler) planPage(r *http.Request) (PlanPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return PlanPage{}, err
	}
	pl, err := LoadPlan(ctx, h.pool, id)
	if err != nil {
		return PlanPage{}, err
	}
	if err := s.CheckRead(pl.OrgPath); err != nil {
		return PlanPage{}, err
	}
	p := PlanPage{Plan: pl, Today: h.today(), Committee: committeeOf(s, pl.OrgPath), CanNote: s.CanWrite(pl.OrgPath) || s.CanWriteCommittee(pl.OrgPath)}
	if p.Grade, err = LoadGrade(ctx, h.pool, pl.GradeID); err != nil {
		return p, err
	}
	hist, err := History(ctx, h.pool, pl.OrgID)
	if err != nil {
		return p, err
	}
	for i := range hist {
		if hist[i].Year == pl.Year+1 {
			p.Next = &hist[i]
		}
	}
	if p.Measures, err = Measures(ctx, h.pool, id); err != nil {
		return p, err
	}
	p.Notes, err = Notes(ctx, h.pool, id)
	return p, err
}

// Plan shows a consolidation plan.
func (h *Handler) Plan(w http.ResponseWriter, r *http.Request) error {
	p, err := h.planPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PlanView(p))
}

// AddMeasure adds a measure (the committee).
func (h *Handler) AddMeasure(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.planPage(r)
	if err != nil {
		return err
	}
	if !p.Committee {
		return fmt.Errorf("grades: measure on plan %d: %w", p.Plan.ID, apperr.ErrForbidden)
	}
	if p.Closed() {
		return fmt.Errorf("grades: measure on closed plan %d: %w", p.Plan.ID, apperr.ErrConflict)
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	p.Measure = MeasureForm{Measure: g("measure"), Owner: g("owner"), DueOn: g("due_on")}
	m := p.Measure.Validate(p.Plan.CreatedOn)
	if p.Measure.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, PlanView(p))
	}
	if _, err := h.store.AddMeasure(ctx, p.Plan.ID, m); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/plans/%d", p.Plan.ID), "grades.flash.measure")
}

// MeasureDone marks a measure done (the committee or the branch).
func (h *Handler) MeasureDone(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.planPage(r)
	if err != nil {
		return err
	}
	if !p.CanNote {
		return fmt.Errorf("grades: measure done on plan %d: %w", p.Plan.ID, apperr.ErrForbidden)
	}
	mid, err := idParam(r, "mid")
	if err != nil {
		return err
	}
	if err := h.store.MeasureDone(ctx, p.Plan.ID, mid, h.today()); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/plans/%d", p.Plan.ID), "grades.flash.done")
}

// AddNote adds a progress note (the committee or the branch).
func (h *Handler) AddNote(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.planPage(r)
	if err != nil {
		return err
	}
	if !p.CanNote {
		return fmt.Errorf("grades: note on plan %d: %w", p.Plan.ID, apperr.ErrForbidden)
	}
	if p.Closed() {
		return fmt.Errorf("grades: note on closed plan %d: %w", p.Plan.ID, apperr.ErrConflict)
	}
	p.Note = strings.TrimSpace(r.PostFormValue("note"))
	if p.Note == "" || utf8.RuneCountInString(p.Note) > 2000 {
		p.NoteError = "grades.error.note"
		return ui.Render(w, r, http.StatusUnprocessableEntity, PlanView(p))
	}
	if _, err := h.store.AddNote(ctx, p.Plan.ID, h.today(), p.Note, auth.UserOf(ctx).AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/plans/%d", p.Plan.ID), "grades.flash.note")
}

// ClosePlan ends a consolidation plan (the committee), once every
// measure is done, with a closing note and a confirmation.
func (h *Handler) ClosePlan(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.planPage(r)
	if err != nil {
		return err
	}
	if !p.Committee {
		return fmt.Errorf("grades: close plan %d: %w", p.Plan.ID, apperr.ErrForbidden)
	}
	if p.Closed() {
		return fmt.Errorf("grades: close plan %d: closed: %w", p.Plan.ID, apperr.ErrConflict)
	}
	p.Closing = ParseClosing(r.PostForm)
	if p.Closing.Validate(p.CanClose()); p.Closing.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, PlanView(p))
	}
	if err := h.store.ClosePlan(ctx, p.Plan.ID, h.today(), p.Closing.Note, auth.UserOf(ctx).AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/plans/%d", p.Plan.ID), "consolidation.flash.closed")
}

// ReportsPage lists the secretaries' reports: a committee's subtree for a
// year, a branch's over the years with the form for the next.
type ReportsPage struct {
	Year      int
	Reports   []Report
	Committee bool
	CanSubmit bool
	Form      ReportForm
}

func (h *Handler) reportsPage(r *http.Request) (ReportsPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	p := ReportsPage{Year: h.year(r), Committee: s.Committee() != 0}
	year := p.Year
	if !p.Committee {
		year = 0 // a branch sees its results over the years
	}
	var err error
	p.Reports, err = Reports(ctx, h.pool, s.ReadRoots(), year)
	p.CanSubmit = !p.Committee && s.Writes()
	p.Form = ReportForm{Year: strconv.Itoa(p.Year)}
	return p, err
}

// ReportsList shows the reports.
func (h *Handler) ReportsList(w http.ResponseWriter, r *http.Request) error {
	p, err := h.reportsPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ReportsView(p))
}

// SubmitReport records the secretary's report for the branch.
func (h *Handler) SubmitReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	roots := s.WriteRoots()
	if len(roots) == 0 || s.Committee() != 0 {
		return fmt.Errorf("grades: report by a non-secretary: %w", apperr.ErrForbidden)
	}
	p, err := h.reportsPage(r)
	if err != nil {
		return err
	}
	p.Form = ReportForm{Year: strings.TrimSpace(r.PostFormValue("year")), Report: strings.TrimSpace(r.PostFormValue("report"))}
	year := p.Form.Validate(h.today().Year())
	if p.Form.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ReportsView(p))
	}
	id, err := h.store.Submit(ctx, roots[0], year, auth.UserOf(ctx).MemberID, p.Form.Report, h.today())
	if errors.Is(err, ErrReported) {
		p.Form.Errors.Add("year", "grades.error.reported")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ReportsView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/reports/%d", id), "grades.flash.reported")
}

// ReportPage is one report with its review.
type ReportPage struct {
	R         Report
	History   []Report
	CanReview bool
	Form      ReviewForm
}

func (h *Handler) reportPage(r *http.Request) (ReportPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := idParam(r, "id")
	if err != nil {
		return ReportPage{}, err
	}
	rep, err := LoadReport(ctx, h.pool, id)
	if err != nil {
		return ReportPage{}, err
	}
	if err := s.CheckRead(rep.OrgPath); err != nil {
		return ReportPage{}, err
	}
	p := ReportPage{R: rep, CanReview: committeeOf(s, rep.OrgPath) && rep.ReviewedOn == nil, Form: ReviewForm{On: h.today().Format(time.DateOnly)}}
	p.History, err = Reports(ctx, h.pool, []int64{rep.OrgID}, 0)
	return p, err
}

// Report shows one report: the secretary sees the result and the points
// to improve; the committee records the review.
func (h *Handler) Report(w http.ResponseWriter, r *http.Request) error {
	p, err := h.reportPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ReportView(p))
}

// ReviewReport records the committee's review of a report.
func (h *Handler) ReviewReport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.reportPage(r)
	if err != nil {
		return err
	}
	if !committeeOf(auth.ScopeOf(ctx), p.R.OrgPath) {
		return fmt.Errorf("grades: review report %d: %w", p.R.ID, apperr.ErrForbidden)
	}
	if !p.CanReview {
		return fmt.Errorf("grades: report %d reviewed already: %w", p.R.ID, apperr.ErrConflict)
	}
	g := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	p.Form = ReviewForm{On: g("reviewed_on"), Rating: g("rating"), Comments: g("comments"), Improvements: g("improvements")}
	in := p.Form.Validate(p.R.SubmittedOn, h.today())
	if p.Form.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ReportView(p))
	}
	in.AccountID = auth.UserOf(ctx).AccountID
	if err := h.store.ReviewReport(ctx, p.R.ID, in); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/grades/reports/%d", p.R.ID), "grades.flash.reviewed")
}
