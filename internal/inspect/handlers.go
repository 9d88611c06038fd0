package inspect

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves /inspections.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the inspection handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 30

// ListPage is the view model of the list.
type ListPage struct {
	Inspections []Inspection
	Pager       ui.Pager
	Status      string
	CanPlan     bool
}

// List shows the inspections reaching the user's branches.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	status := q.Get("status")
	if !slices.Contains(Statuses, status) {
		status = ""
	}
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/inspections"}
	list, total, err := List(ctx, h.pool, s, Filter{Status: status, Limit: pageSize, Offset: p.Offset()}, today())
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Inspections: list, Pager: p, Status: status, CanPlan: s.Committee() != 0}))
}

func (h *Handler) planForm(r *http.Request) (PlanForm, int64, error) {
	ctx := r.Context()
	c := auth.ScopeOf(ctx).Committee()
	if c == 0 {
		return PlanForm{}, 0, fmt.Errorf("inspect: plan without a committee: %w", apperr.ErrForbidden)
	}
	cands, err := Candidates(ctx, h.pool, c)
	if err != nil {
		return PlanForm{}, 0, err
	}
	list, err := Checklist(ctx, h.pool, c, today())
	if err != nil {
		return PlanForm{}, 0, err
	}
	return PlanForm{Candidates: cands, Checklist: list}, c, nil
}

// NewPage shows the planning form with the checklist prefilled from the
// rules in force.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	f, _, err := h.planForm(r)
	if err != nil {
		return err
	}
	t := today()
	f.StartsOn, f.EndsOn = t.Format(time.DateOnly), t.AddDate(0, 0, 14).Format(time.DateOnly)
	for _, c := range f.Checklist {
		f.Rules = append(f.Rules, c.Code)
	}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Create plans an inspection.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	f, c, err := h.planForm(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("inspect: form: %w", apperr.ErrInvalid)
	}
	f.Title, f.StartsOn, f.EndsOn, f.Extra = r.PostForm.Get("title"), r.PostForm.Get("starts_on"), r.PostForm.Get("ends_on"), r.PostForm.Get("extra")
	f.Branches, f.Rules = r.PostForm["branch"], r.PostForm["rule"]
	p := f.Validate()
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	id, err := h.store.Create(r.Context(), c, p)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/inspections/%d", id), "inspect.flash.created")
}

// ShowPage is the view model of one inspection.
type ShowPage struct {
	In        Inspection
	Items     []Item
	Branches  []Branch
	Findings  []Finding
	CanManage bool
	Today     time.Time
	Deadline  string
	Errors    ui.Errors
}

func (h *Handler) load(r *http.Request) (Inspection, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect: id: %w", apperr.ErrNotFound)
	}
	return Get(r.Context(), h.pool, auth.ScopeOf(r.Context()), id, today())
}

func (h *Handler) show(r *http.Request, in Inspection) (ShowPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	p := ShowPage{In: in, CanManage: CanManage(s, in), Today: today()}
	var err error
	if p.Items, err = Items(ctx, h.pool, in.ID); err != nil {
		return p, err
	}
	if p.Branches, err = Branches(ctx, h.pool, s, in.ID); err != nil {
		return p, err
	}
	if p.Findings, err = Findings(ctx, h.pool, s, in.ID, 0); err != nil {
		return p, err
	}
	p.Deadline = p.Today.AddDate(0, 1, 0).Format(time.DateOnly)
	return p, nil
}

// Show shows an inspection: its checklist, branches and findings.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	in, err := h.load(r)
	if err != nil {
		return err
	}
	p, err := h.show(r, in)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// BranchForm is the findings form of one branch.
type BranchForm struct {
	In        Inspection
	Branch    Branch
	Rows      []FindingRow
	CanManage bool
	Editable  bool
	Errors    ui.Errors
}

func (h *Handler) branchForm(r *http.Request) (BranchForm, error) {
	ctx := r.Context()
	in, err := h.load(r)
	if err != nil {
		return BranchForm{}, err
	}
	s := auth.ScopeOf(ctx)
	bid, _ := strconv.ParseInt(chi.URLParam(r, "branch"), 10, 64)
	branches, err := Branches(ctx, h.pool, s, in.ID)
	if err != nil {
		return BranchForm{}, err
	}
	i := slices.IndexFunc(branches, func(b Branch) bool { return b.ID == bid })
	if i < 0 {
		return BranchForm{}, fmt.Errorf("inspect: branch %d not in %d: %w", bid, in.ID, apperr.ErrNotFound)
	}
	items, err := Items(ctx, h.pool, in.ID)
	if err != nil {
		return BranchForm{}, err
	}
	fs, err := Findings(ctx, h.pool, s, in.ID, bid)
	if err != nil {
		return BranchForm{}, err
	}
	sources, err := BranchSources(ctx, h.pool, bid, in.StartsOn)
	if err != nil {
		return BranchForm{}, err
	}
	f := BranchForm{In: in, Branch: branches[i], CanManage: CanManage(s, in)}
	f.Editable = f.CanManage && (in.Status == StatusPlanned || in.Status == StatusInProgress)
	for _, it := range items {
		row := FindingRow{Item: it, Source: it.Source}
		if it.RuleCode != nil {
			if src, ok := sources[*it.RuleCode]; ok {
				row.Source = src
			}
		}
		if j := slices.IndexFunc(fs, func(x Finding) bool { return x.ItemID == it.ID }); j >= 0 {
			row.Saved = &fs[j]
			row.Note = fs[j].Note
			row.Met = "no"
			if fs[j].Met {
				row.Met = "yes"
			}
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

// BranchPage shows the findings at one branch (the form for the committee).
func (h *Handler) BranchPage(w http.ResponseWriter, r *http.Request) error {
	f, err := h.branchForm(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, BranchView(f))
}

// SaveBranch records the findings at one branch.
func (h *Handler) SaveBranch(w http.ResponseWriter, r *http.Request) error {
	f, err := h.branchForm(r)
	if err != nil {
		return err
	}
	if !f.CanManage {
		return fmt.Errorf("inspect: %d read-only: %w", f.In.ID, apperr.ErrForbidden)
	}
	if !f.Editable {
		return ui.RedirectRefused(w, r, fmt.Sprintf("/inspections/%d", f.In.ID), "inspect.flash.not_editable")
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("inspect: form: %w", apperr.ErrInvalid)
	}
	rows, in, ok := parseFindings(r.PostForm, f.Rows)
	f.Rows = rows
	if !ok {
		f.Errors.Add("findings", "inspect.error.findings")
		return ui.Render(w, r, http.StatusUnprocessableEntity, BranchView(f))
	}
	if err := h.store.SaveFindings(r.Context(), f.In, f.Branch.ID, in); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return ui.RedirectRefused(w, r, fmt.Sprintf("/inspections/%d", f.In.ID), "inspect.flash.not_editable")
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/inspections/%d", f.In.ID), "inspect.flash.findings_saved")
}

// Issue issues the findings as rectification notices.
func (h *Handler) Issue(w http.ResponseWriter, r *http.Request) error {
	in, err := h.load(r)
	if err != nil {
		return err
	}
	if !CanManage(auth.ScopeOf(r.Context()), in) {
		return fmt.Errorf("inspect: %d read-only: %w", in.ID, apperr.ErrForbidden)
	}
	p, err := h.show(r, in)
	if err != nil {
		return err
	}
	p.Deadline = strings.TrimSpace(r.PostFormValue("deadline"))
	deadline, msg := ValidateDeadline(p.Deadline, p.Today)
	if msg != "" {
		p.Errors.Add("deadline", msg)
	}
	version, verr := strconv.Atoi(r.PostFormValue("version"))
	if verr != nil {
		p.Errors.Add("deadline", "inspect.error.changed")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	err = h.store.Issue(r.Context(), in, version, deadline, p.Today)
	switch {
	case errors.Is(err, ErrIncomplete):
		p.Errors.Add("deadline", "inspect.error.incomplete")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	case errors.Is(err, apperr.ErrConflict):
		return ui.RedirectRefused(w, r, fmt.Sprintf("/inspections/%d", in.ID), "inspect.flash.changed")
	case err != nil:
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/inspections/%d", in.ID), "inspect.flash.issued")
}

// CloseFinding closes one issued finding.
func (h *Handler) CloseFinding(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in, err := h.load(r)
	if err != nil {
		return err
	}
	fid, _ := strconv.ParseInt(chi.URLParam(r, "fid"), 10, 64)
	f, err := GetFinding(ctx, h.pool, auth.ScopeOf(ctx), in.ID, fid)
	if err != nil {
		return err
	}
	if !CanManage(auth.ScopeOf(ctx), in) {
		return fmt.Errorf("inspect: %d read-only: %w", in.ID, apperr.ErrForbidden)
	}
	note := strings.TrimSpace(r.PostFormValue("closing_note"))
	version, verr := strconv.Atoi(r.PostFormValue("version"))
	back := fmt.Sprintf("/inspections/%d", in.ID)
	if verr != nil || utf8.RuneCountInString(note) > 1000 {
		p, err := h.show(r, in)
		if err != nil {
			return err
		}
		p.Errors.Add(fmt.Sprintf("close_%d", f.ID), "inspect.error.close")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	err = h.store.CloseFinding(ctx, in, f, version, note, today())
	switch {
	case errors.Is(err, ErrNotAnswered):
		return ui.RedirectRefused(w, r, back, "inspect.flash.not_answered")
	case errors.Is(err, apperr.ErrConflict):
		return ui.RedirectRefused(w, r, back, "inspect.flash.changed")
	case err != nil:
		return err
	}
	return ui.Redirect(w, r, back, "inspect.flash.closed")
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
