package leadgroup

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/life"
	"zhibu/internal/ui"
)

// Handler serves the leadership-group pages (/leadership-groups), for the
// reviewers of the agency committee.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the leadership-group handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("leadgroup: bad %s %q: %w", name, chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// group loads the group of the request: 404 outside the reviewer's
// subtree; with write, 403 unless the group's committee is the reviewer's
// own (its Party office keeps the groups).
func (h *Handler) group(r *http.Request, write bool) (Group, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return Group{}, err
	}
	g, err := Get(r.Context(), h.pool, id)
	if err != nil {
		return Group{}, err
	}
	s := auth.ScopeOf(r.Context())
	if err := s.CheckRead(g.CommitteePath); err != nil {
		return Group{}, err
	}
	if write && !s.CanWriteCommittee(g.CommitteePath) {
		return Group{}, fmt.Errorf("leadgroup: %d is read-only: %w", id, apperr.ErrForbidden)
	}
	return g, nil
}

// ListPage is the view model of the list.
type ListPage struct {
	Rows      []ListRow
	Pager     ui.Pager
	Year      int
	CanCreate bool
}

// List shows the groups in the reviewer's subtree.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/leadership-groups"}
	d := today()
	rows, total, err := List(ctx, h.pool, s.ReadRoots(), d, pageSize, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Rows: rows, Pager: p, Year: d.Year(), CanCreate: s.Committee() != 0}))
}

// GroupPage is the view model of a group's form.
type GroupPage struct {
	Group *Group // nil on creation
	Form  GroupForm
}

// NewPage shows the creation form.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	if auth.ScopeOf(r.Context()).Committee() == 0 {
		return fmt.Errorf("leadgroup: no committee: %w", apperr.ErrForbidden)
	}
	return ui.Render(w, r, http.StatusOK, FormView(GroupPage{Form: GroupForm{Kind: "party_group"}}))
}

// Create adds a group to the reviewer's committee.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	committee := auth.ScopeOf(ctx).Committee()
	if committee == 0 {
		return fmt.Errorf("leadgroup: no committee: %w", apperr.ErrForbidden)
	}
	f := ParseGroup(r)
	in := f.Validate()
	in.CommitteeID = committee
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(GroupPage{Form: f}))
	}
	id, err := h.store.Create(ctx, in)
	if errors.Is(err, ErrNameTaken) {
		f.Errors.Add("name", "leadgroup.error.name_taken")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(GroupPage{Form: f}))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/leadership-groups/%d", id), "leadgroup.flash.created")
}

// ShowPage is the view model of a group's page.
type ShowPage struct {
	Group      Group
	Members    []Member
	Years      []life.GroupYear
	Today      time.Time
	CanWrite   bool
	Form       MemberForm
	Candidates []Candidate
}

// HeldThisYear reports whether this year's democratic-life meeting was held.
func (p ShowPage) HeldThisYear() bool {
	for _, y := range p.Years {
		if y.Year == p.Today.Year() && y.Held() {
			return true
		}
	}
	return false
}

// ThisYear is this year's meeting, if one was set up.
func (p ShowPage) ThisYear() *life.GroupYear {
	for i, y := range p.Years {
		if y.Year == p.Today.Year() {
			return &p.Years[i]
		}
	}
	return nil
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request, status int, g Group, f MemberForm) error {
	ctx := r.Context()
	p := ShowPage{Group: g, Today: today(), CanWrite: auth.ScopeOf(ctx).CanWriteCommittee(g.CommitteePath), Form: f}
	var err error
	if p.Members, err = Members(ctx, h.pool, g.ID); err != nil {
		return err
	}
	if p.Years, err = life.ForGroup(ctx, h.pool, g.ID); err != nil {
		return err
	}
	if p.CanWrite {
		if p.Candidates, err = Candidates(ctx, h.pool, g.CommitteeID); err != nil {
			return err
		}
	}
	return ui.Render(w, r, status, ShowView(p))
}

// Show displays a group: its members and its democratic-life meetings.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, false)
	if err != nil {
		return err
	}
	return h.show(w, r, http.StatusOK, g, MemberForm{Role: "member", FromOn: today().Format(time.DateOnly)})
}

// EditPage shows the group's form.
func (h *Handler) EditPage(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, true)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, FormView(GroupPage{Group: &g, Form: GroupForm{Kind: g.Kind, Name: g.Name, Version: strconv.Itoa(g.Version)}}))
}

// Edit saves the group's kind and name.
func (h *Handler) Edit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	g, err := h.group(r, true)
	if err != nil {
		return err
	}
	f := ParseGroup(r)
	in := f.Validate()
	in.CommitteeID = g.CommitteeID
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("name", "leadgroup.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(GroupPage{Group: &g, Form: f}))
	}
	err = h.store.Update(ctx, g, version, in)
	switch {
	case errors.Is(err, ErrNameTaken):
		f.Errors.Add("name", "leadgroup.error.name_taken")
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(GroupPage{Group: &g, Form: f}))
	case errors.Is(err, apperr.ErrConflict):
		f.Errors.Add("name", "leadgroup.error.changed")
		f.Version = strconv.Itoa(g.Version)
		return ui.Render(w, r, http.StatusConflict, FormView(GroupPage{Group: &g, Form: f}))
	case err != nil:
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/leadership-groups/%d", g.ID), "leadgroup.flash.saved")
}

// memberErr puts a refusal of the schema beside the field it concerns;
// false when err is another error.
func memberErr(f *MemberForm, err error) bool {
	switch {
	case errors.Is(err, ErrOverlap):
		f.Errors.Add("from_on", "leadgroup.error.overlap")
	case errors.Is(err, ErrSecondSecretary):
		f.Errors.Add("role", "leadgroup.error.secretary")
	default:
		return false
	}
	return true
}

// AddMember adds a membership from the group page's form.
func (h *Handler) AddMember(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	g, err := h.group(r, true)
	if err != nil {
		return err
	}
	cands, err := Candidates(ctx, h.pool, g.CommitteeID)
	if err != nil {
		return err
	}
	f := ParseMember(r)
	in := f.Validate(cands)
	if !f.Errors.Any() {
		_, err = h.store.AddMember(ctx, g.ID, in)
		if err == nil {
			return ui.Redirect(w, r, fmt.Sprintf("/leadership-groups/%d#members", g.ID), "leadgroup.flash.member_added")
		}
		if !memberErr(&f, err) {
			return err
		}
	}
	return h.show(w, r, http.StatusUnprocessableEntity, g, f)
}

// MemberPage is the view model of a membership's form and of its removal.
type MemberPage struct {
	Group  Group
	Member Member
	Form   MemberForm
	Error  string
}

func (h *Handler) member(r *http.Request) (Group, Member, error) {
	g, err := h.group(r, true)
	if err != nil {
		return g, Member{}, err
	}
	id, err := idParam(r, "mid")
	if err != nil {
		return g, Member{}, err
	}
	m, err := GetMember(r.Context(), h.pool, g.ID, id)
	return g, m, err
}

func formOf(m Member) MemberForm {
	f := MemberForm{MemberID: strconv.FormatInt(m.MemberID, 10), Role: m.Role, FromOn: m.FromOn.Format(time.DateOnly), Version: strconv.Itoa(m.Version)}
	if m.ToOn != nil {
		f.ToOn = m.ToOn.Format(time.DateOnly)
	}
	return f
}

// MemberEditPage shows a membership's form.
func (h *Handler) MemberEditPage(w http.ResponseWriter, r *http.Request) error {
	g, m, err := h.member(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, MemberView(MemberPage{Group: g, Member: m, Form: formOf(m)}))
}

// MemberEdit saves a membership's role and dates.
func (h *Handler) MemberEdit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	g, m, err := h.member(r)
	if err != nil {
		return err
	}
	f := ParseMember(r)
	in := f.Validate(nil)
	in.MemberID = m.MemberID
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("role", "leadgroup.error.changed")
	}
	if !f.Errors.Any() {
		err = h.store.UpdateMember(ctx, m, version, in)
		switch {
		case err == nil:
			return ui.Redirect(w, r, fmt.Sprintf("/leadership-groups/%d#members", g.ID), "leadgroup.flash.saved")
		case errors.Is(err, apperr.ErrConflict):
			f.Errors.Add("role", "leadgroup.error.changed")
			f.Version = strconv.Itoa(m.Version)
			return ui.Render(w, r, http.StatusConflict, MemberView(MemberPage{Group: g, Member: m, Form: f}))
		case !memberErr(&f, err):
			return err
		}
	}
	return ui.Render(w, r, http.StatusUnprocessableEntity, MemberView(MemberPage{Group: g, Member: m, Form: f}))
}

// ConfirmRemove asks before a membership is deleted.
func (h *Handler) ConfirmRemove(w http.ResponseWriter, r *http.Request) error {
	g, m, err := h.member(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RemoveView(MemberPage{Group: g, Member: m}))
}

// RemoveMember deletes a membership after confirmation.
func (h *Handler) RemoveMember(w http.ResponseWriter, r *http.Request) error {
	g, m, err := h.member(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return ui.Render(w, r, http.StatusUnprocessableEntity, RemoveView(MemberPage{Group: g, Member: m, Error: "leadgroup.error.confirm"}))
	}
	if err := h.store.RemoveMember(r.Context(), m); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/leadership-groups/%d#members", g.ID), "leadgroup.flash.member_removed")
}

// Print shows the printable roster of the group.
func (h *Handler) Print(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, false)
	if err != nil {
		return err
	}
	ms, err := Members(r.Context(), h.pool, g.ID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PrintView(ShowPage{Group: g, Members: ms, Today: today()}))
}
