package cases

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

// Handler serves /cases and /vanguard.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 20

// ListPage is the view model of the library.
type ListPage struct {
	Cases     []Case
	Pager     ui.Pager
	Tags      []string
	Search    string
	Tag       string
	Status    string
	Featured  bool
	CanSubmit bool
	// Reviews: the reader sees cases other than approved ones (a branch its
	// own, the committee its subtree's).
	Reviews bool
}

// List shows the library.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	p := ListPage{Search: strings.TrimSpace(q.Get("q")), Tag: strings.TrimSpace(q.Get("tag")), Status: q.Get("status"), Featured: q.Get("featured") == "1",
		CanSubmit: s.Writes(), Reviews: len(s.ReadRoots()) > 0}
	if !slices.Contains(Statuses, p.Status) {
		p.Status = ""
	}
	p.Pager = ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/cases"}
	list, total, err := List(ctx, h.pool, s, Filter{Search: p.Search, Tag: p.Tag, Status: p.Status, Featured: p.Featured, Limit: pageSize, Offset: p.Pager.Offset()})
	if err != nil {
		return err
	}
	p.Cases, p.Pager.Total = list, total
	if p.Tags, err = Tags(ctx, h.pool); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ListView(p))
}

func (h *Handler) caseForm(r *http.Request, branchRaw string) (CaseForm, error) {
	ctx := r.Context()
	bs, err := WritableBranches(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return CaseForm{}, err
	}
	if len(bs) == 0 {
		return CaseForm{}, fmt.Errorf("cases: no branch to submit for: %w", apperr.ErrForbidden)
	}
	f := CaseForm{Branches: bs, BranchID: strconv.FormatInt(bs[0].ID, 10)}
	if branchRaw != "" {
		f.BranchID = branchRaw
	}
	id, _ := strconv.ParseInt(f.BranchID, 10, 64)
	if !slices.ContainsFunc(bs, func(b Branch) bool { return b.ID == id }) {
		id = bs[0].ID
	}
	if f.Options, err = BranchMeetings(ctx, h.pool, id); err != nil {
		return f, err
	}
	return f, nil
}

// NewPage shows the case form, prefilled from a vanguard post when asked.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := h.caseForm(r, "")
	if err != nil {
		return err
	}
	if raw := r.URL.Query().Get("post"); raw != "" {
		id, _ := strconv.ParseInt(raw, 10, 64)
		p, err := GetPost(ctx, h.pool, auth.ScopeOf(ctx), id)
		if err != nil {
			return err
		}
		if err := auth.ScopeOf(ctx).CheckWrite(p.BranchPath); err != nil {
			return err
		}
		pledges, err := Pledges(ctx, h.pool, p.ID)
		if err != nil {
			return err
		}
		f.PostID, f.BranchID, f.Title = raw, strconv.FormatInt(p.BranchID, 10), p.Name
		var b strings.Builder
		b.WriteString(p.Task)
		for _, pl := range pledges {
			fmt.Fprintf(&b, "\n%s：%s", pl.MemberName, pl.Commitment)
			if pl.Delivered != "" {
				fmt.Fprintf(&b, " —— %s", pl.Delivered)
			}
		}
		f.Body = b.String()
		if f.Options, err = BranchMeetings(ctx, h.pool, p.BranchID); err != nil {
			return err
		}
	}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Create submits a case.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("cases: form: %w", apperr.ErrInvalid)
	}
	f, err := h.caseForm(r, r.PostForm.Get("branch"))
	if err != nil {
		return err
	}
	f.PostID, f.Title, f.Body, f.Meetings = r.PostForm.Get("post"), r.PostForm.Get("title"), r.PostForm.Get("body"), r.PostForm["meeting"]
	in := f.Validate()
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	id, err := h.store.Submit(r.Context(), in)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/cases/%d", id), "cases.flash.submitted")
}

// ShowPage is the view model of one case.
type ShowPage struct {
	Case      Case
	Meetings  []MeetingRef
	CanDecide bool
	CanEdit   bool
	// Photos: the case's photos; the branch adds and removes them until
	// the case is approved (CanPhoto), a caption with each.
	Photos      []Photo
	CanPhoto    bool
	Caption     string
	PhotoErrors ui.Errors
	Tags        string
	Note        string
	Errors      ui.Errors
}

func (h *Handler) load(r *http.Request) (ShowPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return ShowPage{}, fmt.Errorf("cases: id: %w", apperr.ErrNotFound)
	}
	c, err := Get(ctx, h.pool, s, id)
	if err != nil {
		return ShowPage{}, err
	}
	p := ShowPage{Case: c, CanDecide: s.CanWriteCommittee(c.BranchPath), CanEdit: s.CanWrite(c.BranchPath) && c.Status == StatusReturned,
		Tags: strings.Join(c.Tags, "，"), Note: c.ReviewNote}
	if p.Meetings, err = Meetings(ctx, h.pool, c.ID); err != nil {
		return p, err
	}
	if p.Photos, err = Photos(ctx, h.pool, c.ID); err != nil {
		return p, err
	}
	p.CanPhoto = s.CanWrite(c.BranchPath) && c.Status != StatusApproved
	return p, nil
}

// Show shows a case.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	p, err := h.load(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// Decide records the committee's decision.
func (h *Handler) Decide(w http.ResponseWriter, r *http.Request) error {
	p, err := h.load(r)
	if err != nil {
		return err
	}
	if !p.CanDecide {
		return fmt.Errorf("cases: %d read-only: %w", p.Case.ID, apperr.ErrForbidden)
	}
	var d Decision
	p.Tags, p.Note = r.PostFormValue("tags"), strings.TrimSpace(r.PostFormValue("note"))
	switch r.PostFormValue("decision") {
	case "approve":
		d.Approve = true
	case "return":
		if p.Note == "" {
			p.Errors.Add("note", "cases.error.note")
		}
	default:
		p.Errors.Add("decision", "cases.error.decision")
	}
	tags, ok := ParseTags(p.Tags)
	if !ok {
		p.Errors.Add("tags", "cases.error.tags")
	}
	if utf8.RuneCountInString(p.Note) > 1000 {
		p.Errors.Add("note", "cases.error.too_long")
	}
	d.Tags, d.Featured, d.Note = tags, r.PostFormValue("featured") == "1", p.Note
	version, verr := strconv.Atoi(r.PostFormValue("version"))
	if verr != nil {
		p.Errors.Add("decision", "cases.error.changed")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	back := fmt.Sprintf("/cases/%d", p.Case.ID)
	if err := h.store.Decide(r.Context(), p.Case, version, d); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return ui.RedirectRefused(w, r, back, "cases.flash.changed")
		}
		return err
	}
	return ui.Redirect(w, r, back, "cases.flash.decided")
}

func (h *Handler) editForm(r *http.Request) (ShowPage, CaseForm, error) {
	p, err := h.load(r)
	if err != nil {
		return p, CaseForm{}, err
	}
	if !auth.ScopeOf(r.Context()).CanWrite(p.Case.BranchPath) {
		return p, CaseForm{}, fmt.Errorf("cases: %d read-only: %w", p.Case.ID, apperr.ErrForbidden)
	}
	f, err := h.caseForm(r, strconv.FormatInt(p.Case.BranchID, 10))
	if err != nil {
		return p, f, err
	}
	f.Branches = []Branch{{ID: p.Case.BranchID, Name: p.Case.BranchName}}
	f.Title, f.Body, f.Version = p.Case.Title, p.Case.Body, strconv.Itoa(p.Case.Version)
	for _, m := range p.Meetings {
		f.Meetings = append(f.Meetings, strconv.FormatInt(m.ID, 10))
	}
	return p, f, nil
}

// EditPage shows a returned case's form.
func (h *Handler) EditPage(w http.ResponseWriter, r *http.Request) error {
	p, f, err := h.editForm(r)
	if err != nil {
		return err
	}
	if !p.CanEdit {
		return ui.RedirectRefused(w, r, fmt.Sprintf("/cases/%d", p.Case.ID), "cases.flash.not_returned")
	}
	return ui.Render(w, r, http.StatusOK, EditView(p, f))
}

// Resubmit sends a returned case back for review.
func (h *Handler) Resubmit(w http.ResponseWriter, r *http.Request) error {
	p, f, err := h.editForm(r)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/cases/%d", p.Case.ID)
	if !p.CanEdit {
		return ui.RedirectRefused(w, r, back, "cases.flash.not_returned")
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("cases: form: %w", apperr.ErrInvalid)
	}
	f.Title, f.Body, f.Meetings, f.Version = r.PostForm.Get("title"), r.PostForm.Get("body"), r.PostForm["meeting"], r.PostForm.Get("version")
	in := f.Validate()
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("title", "cases.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, EditView(p, f))
	}
	if err := h.store.Resubmit(r.Context(), p.Case, version, in); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return ui.RedirectRefused(w, r, back, "cases.flash.changed")
		}
		return err
	}
	return ui.Redirect(w, r, back, "cases.flash.submitted")
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
