package org

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
	"zhibu/internal/commend"
	"zhibu/internal/life"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// Handler serves the organisation pages.
type Handler struct {
	store *Store
	// TermYears overrides the default term length by kind.
	TermYears map[string]int
	// Now returns the current time; tests may replace it.
	Now func() time.Time
}

// New returns the organisation handlers.
func New(pool *pgxpool.Pool) *Handler {
	return &Handler{store: NewStore(pool), TermYears: TermYears, Now: time.Now}
}

func (h *Handler) today() time.Time {
	n := h.Now()
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (h *Handler) load(r *http.Request) (*Org, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("org: bad id: %w", apperr.ErrNotFound)
	}
	o, err := h.store.Get(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !auth.ScopeOf(r.Context()).CanSeeOrg(o.Path) {
		return nil, fmt.Errorf("org: %d outside scope: %w", id, apperr.ErrNotFound)
	}
	return o, nil
}

// Tree shows the organisations the user may see, with member counts.
func (h *Handler) Tree(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserOf(r.Context())
	withDissolved := r.URL.Query().Get("dissolved") == "1"
	s := auth.ScopeOf(r.Context())
	orgs, err := h.store.Tree(r.Context(), s.SeesWholeTree(), s.ReadRoots(), withDissolved)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, TreeView(TreePage{Orgs: orgs, Admin: u.Has(auth.RoleSysAdmin), WithDissolved: withDissolved}))
}

// Show is an organisation's page: counts, warnings, terms and children.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	o, err := h.load(r)
	if err != nil {
		return err
	}
	u := auth.UserOf(ctx)
	terms, err := h.store.Terms(ctx, o.ID)
	if err != nil {
		return err
	}
	children, err := h.store.Children(ctx, o.ID)
	if err != nil {
		return err
	}
	p := ShowPage{O: o, Terms: terms, Children: children, Admin: u.Has(auth.RoleSysAdmin),
		Roster: auth.ScopeOf(ctx).CanRead(o.Path)}
	for i := range terms {
		if terms[i].Current {
			p.Current = &terms[i]
			break
		}
	}
	reminder, err := ReminderDays(ctx, h.store.pool)
	if err != nil {
		return err
	}
	p.TermState = TermState(p.Current, h.today(), reminder)
	p.Warnings = Warnings(o, p.Current)
	if p.Roster {
		if p.Overdue, err = life.OverdueForOrg(ctx, h.store.pool, o.ID); err != nil {
			return err
		}
	}
	if p.Commendations, err = commend.ForOrg(ctx, h.store.pool, o.ID); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// parents lists the open organisations an organisation may sit under.
func (h *Handler) parents(r *http.Request) ([]Org, error) {
	return h.store.Tree(r.Context(), true, nil, false)
}

func parentKind(parents []Org, raw string) string {
	if raw == "" {
		return ""
	}
	id, _ := strconv.ParseInt(raw, 10, 64)
	i := slices.IndexFunc(parents, func(o Org) bool { return o.ID == id })
	if i < 0 {
		return "?"
	}
	return parents[i].Kind
}

// NewForm shows the form to add an organisation (?parent= preselects).
func (h *Handler) NewForm(w http.ResponseWriter, r *http.Request) error {
	parents, err := h.parents(r)
	if err != nil {
		return err
	}
	f := Form{ParentID: r.URL.Query().Get("parent"), EstablishedOn: h.today().Format(dateLayout)}
	return ui.Render(w, r, http.StatusOK, FormView(FormPage{New: true, Form: f, Parents: parents}))
}

// Create adds an organisation.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("org: form: %w", apperr.ErrInvalid)
	}
	parents, err := h.parents(r)
	if err != nil {
		return err
	}
	f := Form{ParentID: r.PostForm.Get("parent_id"), Kind: r.PostForm.Get("kind"), Name: r.PostForm.Get("name"), EstablishedOn: r.PostForm.Get("established_on")}
	v, errs := f.Validate(true, parentKind(parents, f.ParentID), h.today())
	page := FormPage{New: true, Form: f, Parents: parents, Errors: errs}
	if len(errs) > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	id, err := h.store.Create(r.Context(), v)
	if errors.Is(err, ErrNameTaken) {
		page.Errors.Set("name", "org.name.taken")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10), "org.created")
}

// EditForm shows the rename-and-move form.
func (h *Handler) EditForm(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	parents, err := h.parents(r)
	if err != nil {
		return err
	}
	f := Form{Version: o.Version, Kind: o.Kind, Name: o.Name}
	if o.ParentID != nil {
		f.ParentID = strconv.FormatInt(*o.ParentID, 10)
	}
	return ui.Render(w, r, http.StatusOK, FormView(FormPage{O: o, Form: f, Parents: movable(parents, o)}))
}

// movable drops the organisation itself and its descendants from the
// parent choices.
func movable(parents []Org, o *Org) []Org {
	var out []Org
	for _, p := range parents {
		if !slices.Contains(p.Path, o.ID) {
			out = append(out, p)
		}
	}
	return out
}

// Update renames and moves an organisation.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("org: form: %w", apperr.ErrInvalid)
	}
	all, err := h.parents(r)
	if err != nil {
		return err
	}
	parents := movable(all, o)
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	f := Form{Version: version, Kind: o.Kind, Name: r.PostForm.Get("name"), ParentID: r.PostForm.Get("parent_id")}
	v, errs := f.Validate(false, parentKind(parents, f.ParentID), h.today())
	page := FormPage{O: o, Form: f, Parents: parents, Errors: errs}
	if len(errs) > 0 {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	}
	err = h.store.Update(r.Context(), o.ID, version, v.Name, v.ParentID)
	switch {
	case errors.Is(err, ErrNameTaken):
		page.Errors.Set("name", "org.name.taken")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(page))
	case errors.Is(err, apperr.ErrConflict):
		fresh, gerr := h.store.Get(r.Context(), o.ID)
		if gerr != nil {
			return gerr
		}
		page.Conflict = fresh
		page.Form.Version = fresh.Version
		return ui.Render(w, r, http.StatusConflict, FormView(page))
	case err != nil:
		return err
	}
	return ui.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "org.saved")
}

// DissolveForm asks for the day and a confirmation.
func (h *Handler) DissolveForm(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, DissolveView(DissolvePage{O: o, Date: h.today().Format(dateLayout)}))
}

// Dissolve marks the organisation dissolved.
func (h *Handler) Dissolve(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("org: form: %w", apperr.ErrInvalid)
	}
	p := DissolvePage{O: o, Date: r.PostForm.Get("date")}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	d, err := time.Parse(dateLayout, p.Date)
	switch {
	case o.DissolvedOn != nil:
		p.Errors.Set("date", "org.dissolve.already")
	case err != nil:
		p.Errors.Set("date", "form.bad_date")
	case d.Before(o.EstablishedOn):
		p.Errors.Set("date", "org.dissolve.before_established")
	case d.After(h.today()):
		p.Errors.Set("date", "member.stage.future")
	}
	if r.PostForm.Get("confirm") != "1" {
		p.Errors.Set("confirm", "form.confirm_required")
	}
	if len(p.Errors) == 0 {
		err = h.store.Dissolve(r.Context(), o.ID, version, d)
		switch {
		case errors.Is(err, ErrNotEmpty):
			p.Errors.Set("date", "org.dissolve.not_empty")
		case err != nil:
			return err
		default:
			return ui.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "org.dissolved")
		}
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, DissolveView(p))
}

func (h *Handler) years(kind string) int {
	if y, ok := h.TermYears[kind]; ok && y > 0 {
		return y
	}
	return 3
}

// TermForm shows the form for a newly elected term.
func (h *Handler) TermForm(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	cands, err := h.store.Candidates(r.Context(), o.ID)
	if err != nil {
		return err
	}
	terms, err := h.store.Terms(r.Context(), o.ID)
	if err != nil {
		return err
	}
	next := 1
	if len(terms) > 0 {
		next = terms[0].TermNo + 1
	}
	f := TermForm{TermNo: strconv.Itoa(next), ElectedOn: h.today().Format(dateLayout), Posts: map[string]string{}}
	return ui.Render(w, r, http.StatusOK, TermView(TermPage{O: o, Form: f, Candidates: cands, Years: h.years(o.Kind)}))
}

// CreateTerm records a newly elected term and its posts.
func (h *Handler) CreateTerm(w http.ResponseWriter, r *http.Request) error {
	o, err := h.load(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("org: form: %w", apperr.ErrInvalid)
	}
	cands, err := h.store.Candidates(r.Context(), o.ID)
	if err != nil {
		return err
	}
	f := TermForm{TermNo: r.PostForm.Get("term_no"), ElectedOn: r.PostForm.Get("elected_on"), DueOn: r.PostForm.Get("due_on"), Posts: map[string]string{}}
	for _, p := range Posts {
		f.Posts[p] = r.PostForm.Get("post_" + p)
	}
	t, errs := f.Validate(o.Kind, h.years(o.Kind), cands, h.today())
	p := TermPage{O: o, Form: f, Candidates: cands, Years: h.years(o.Kind), Errors: errs}
	if len(errs) == 0 {
		_, err = h.store.CreateTerm(r.Context(), o.ID, t)
		switch {
		case errors.Is(err, ErrTermTaken):
			p.Errors.Set("term_no", "org.term.taken")
		case err != nil:
			return err
		default:
			return ui.Redirect(w, r, "/orgs/"+strconv.FormatInt(o.ID, 10), "org.term.created")
		}
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, TermView(p))
}
