package disposal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves the disposal pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the disposal handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// ListPage lists the cases in scope.
type ListPage struct {
	Cases    []Case
	Pager    ui.Pager
	CanWrite bool
	Today    time.Time
}

// List shows the cases the user reads: open first, missed deadlines first.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	s := auth.ScopeOf(r.Context())
	q := r.URL.Query()
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/disposals"}
	cs, total, err := List(r.Context(), h.pool, s.ReadRoots(), today(), pageSize, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Cases: cs, Pager: p, CanWrite: s.Writes(), Today: today()}))
}

// OpenPage is the form that opens a case.
type OpenPage struct {
	Form       OpenForm
	Candidates []Candidate
}

func (h *Handler) candidates(r *http.Request) ([]Candidate, error) {
	s := auth.ScopeOf(r.Context())
	if !s.Writes() {
		return nil, fmt.Errorf("disposal: read only: %w", apperr.ErrForbidden)
	}
	return Candidates(r.Context(), h.pool, s.WriteRoots())
}

// NewPage shows the form that opens a case.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	cands, err := h.candidates(r)
	if err != nil {
		return err
	}
	f := OpenForm{Ground: "six_months", OpenedOn: today().Format(dateLayout), MemberID: r.URL.Query().Get("member")}
	return ui.Render(w, r, http.StatusOK, NewView(OpenPage{Form: f, Candidates: cands}))
}

// Create opens a case.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	cands, err := h.candidates(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := OpenForm{MemberID: v("member_id"), Ground: v("ground"), OpenedOn: v("opened_on")}
	c, ground, on := f.Validate(cands, today())
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(OpenPage{Form: f, Candidates: cands}))
	}
	id, err := h.store.Open(r.Context(), c.ID, c.BranchID, ground, on)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/disposals/%d", id), "disposal.flash.opened")
}

// ShowPage is a case with its steps and the form of the next.
type ShowPage struct {
	C       Case
	Steps   []Step
	Allowed []string // the next steps the reader may record
	Form    StepForm
	Today   time.Time
}

// allowed lists the next steps the scope may record: the branch records
// its steps, the higher committee's reviewer the approval.
func allowed(s auth.Scope, c Case) []string {
	var out []string
	for _, st := range Next(c.Last(), c.Ground) {
		if st == "approved" {
			if s.Committee() != 0 && s.CanRead(c.BranchPath) && !s.CanWrite(c.BranchPath) {
				out = append(out, st)
			}
		} else if s.CanWrite(c.BranchPath) {
			out = append(out, st)
		}
	}
	return out
}

func (h *Handler) load(r *http.Request) (Case, []Step, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Case{}, nil, fmt.Errorf("disposal: id: %w", apperr.ErrNotFound)
	}
	return Get(r.Context(), h.pool, auth.ScopeOf(r.Context()).ReadRoots(), id)
}

// Show shows a case.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	c, steps, err := h.load(r)
	if err != nil {
		return err
	}
	al := allowed(auth.ScopeOf(r.Context()), c)
	f := StepForm{DoneOn: today().Format(dateLayout)}
	if len(al) > 0 {
		f.Step = al[0]
	}
	if f.Step == "correction" {
		f.Deadline = today().AddDate(0, 6, 0).Format(dateLayout)
	}
	return ui.Render(w, r, http.StatusOK, ShowView(ShowPage{C: c, Steps: steps, Allowed: al, Form: f, Today: today()}))
}

// AddStep records the case's next step.
func (h *Handler) AddStep(w http.ResponseWriter, r *http.Request) error {
	c, steps, err := h.load(r)
	if err != nil {
		return err
	}
	al := allowed(auth.ScopeOf(r.Context()), c)
	if len(al) == 0 {
		return fmt.Errorf("disposal: step %d: %w", c.ID, apperr.ErrForbidden)
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := StepForm{Version: v("version"), Step: v("step"), DoneOn: v("done_on"), Document: v("document"), Deadline: v("deadline"), Notes: v("notes"), Confirm: v("confirm")}
	in := f.Validate(c, al, today())
	page := ShowPage{C: c, Steps: steps, Allowed: al, Form: f, Today: today()}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(page))
	}
	version, _ := strconv.Atoi(f.Version)
	if err := h.store.AddStep(r.Context(), c.ID, version, in); err != nil {
		if errors.Is(err, apperr.ErrInvalid) {
			page.Form.Errors.Add("done_on", "disposal.error.before_last")
			return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(page))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/disposals/%d", c.ID), "disposal.flash.step")
}
