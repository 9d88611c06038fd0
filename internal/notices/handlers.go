package notices

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
	"zhibu/internal/recruit"
	"zhibu/internal/ui"
)

// Handler serves /notices.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the notice handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 30

// ListPage is the view model of the list.
type ListPage struct {
	Notices  []Notice
	Pager    ui.Pager
	Kind     string
	Search   string
	CanWrite bool
	Today    time.Time
}

// List shows the notices the user may read.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	kind := q.Get("kind")
	if !slices.Contains(Kinds, kind) {
		kind = ""
	}
	search := strings.TrimSpace(q.Get("q"))
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/notices"}
	list, total, err := List(ctx, h.pool, ReaderOf(ctx), Filter{Kind: kind, Search: search, Limit: pageSize, Offset: p.Offset()}, today())
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Notices: list, Pager: p, Kind: kind, Search: search, CanWrite: auth.ScopeOf(ctx).Writes(), Today: today()}))
}

func (h *Handler) form(r *http.Request) (Form, error) {
	ctx := r.Context()
	bs, err := WritableBranches(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return Form{}, err
	}
	if len(bs) == 0 {
		return Form{}, fmt.Errorf("notices: no branch to publish for: %w", apperr.ErrForbidden)
	}
	rs, err := recruit.LoadRules(ctx, h.pool, today())
	if err != nil {
		return Form{}, err
	}
	return Form{Branches: bs, BranchID: strconv.FormatInt(bs[0].ID, 10), MinWorkdays: rs.N("notice_workdays"), Cite: rs.Cite("notice_workdays")}, nil
}

// NewPage shows the form of a notice.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	f, err := h.form(r)
	if err != nil {
		return err
	}
	t := today()
	f.PublishFrom, f.PublishTo = t.Format(time.DateOnly), t.AddDate(0, 0, 7).Format(time.DateOnly)
	if k := r.URL.Query().Get("kind"); slices.Contains(Kinds, k) {
		f.Kind = k
	}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Create publishes a notice.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	f, err := h.form(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return r.PostFormValue(k) }
	f.BranchID, f.Kind, f.Title, f.Body, f.PublishFrom, f.PublishTo = v("branch"), v("kind"), v("title"), v("body"), v("publish_from"), v("publish_to")
	in := f.Validate(recruit.Workdays)
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	id, err := h.store.Publish(r.Context(), in)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/notices/%d", id), "notices.flash.published")
}

// ShowPage is the view model of one notice.
type ShowPage struct {
	Notice     Notice
	Objections []Objection
	// CanAnswer: the branch's secretary or committee; CanObject: a member
	// of the branch while the public notice is up.
	CanAnswer bool
	CanObject bool
	// OwnBranch: the reader is a member of the notice's branch.
	OwnBranch bool
	Today     time.Time
	Body      string
	Errors    ui.Errors
	Answers   map[int64]string
}

func (h *Handler) show(r *http.Request) (ShowPage, error) {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return ShowPage{}, fmt.Errorf("notices: id: %w", apperr.ErrNotFound)
	}
	n, err := Get(ctx, h.pool, ReaderOf(ctx), id, today())
	if err != nil {
		return ShowPage{}, err
	}
	s := auth.ScopeOf(ctx)
	p := ShowPage{Notice: n, CanAnswer: s.CanWrite(n.BranchPath), Today: today(), Answers: map[int64]string{}}
	u := auth.UserOf(ctx)
	var mine int64
	if !s.CanRead(n.BranchPath) && u != nil {
		mine = u.MemberID // a plain member sees their own objections only
	}
	if mine == 0 && !s.CanRead(n.BranchPath) {
		return p, fmt.Errorf("notices: %d: %w", id, apperr.ErrNotFound)
	}
	if p.Objections, err = Objections(ctx, h.pool, n.ID, mine); err != nil {
		return p, err
	}
	if u != nil && u.MemberID != 0 && !p.CanAnswer {
		b, err := MemberBranch(ctx, h.pool, u.MemberID)
		if err != nil {
			return p, err
		}
		p.OwnBranch = b == n.BranchID
		p.CanObject = p.OwnBranch && n.TakesObjections(p.Today)
	}
	return p, nil
}

// Show shows a notice with its objections.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	p, err := h.show(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// Object records a member's objection.
func (h *Handler) Object(w http.ResponseWriter, r *http.Request) error {
	p, err := h.show(r)
	if err != nil {
		return err
	}
	u := auth.UserOf(r.Context())
	if u == nil || !p.OwnBranch {
		return fmt.Errorf("notices: objection by a non-member: %w", apperr.ErrForbidden)
	}
	back := fmt.Sprintf("/notices/%d", p.Notice.ID)
	if !p.Notice.TakesObjections(p.Today) {
		return ui.RedirectRefused(w, r, back, "notices.flash.closed")
	}
	p.Body = strings.TrimSpace(r.PostFormValue("body"))
	if p.Body == "" || utf8.RuneCountInString(p.Body) > 2000 {
		p.Errors.Add("body", "notices.error.objection")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	if _, err := h.store.Object(r.Context(), p.Notice, u.MemberID, p.Body, p.Today); err != nil {
		if errors.Is(err, ErrClosed) {
			return ui.RedirectRefused(w, r, back, "notices.flash.closed")
		}
		return err
	}
	return ui.Redirect(w, r, back, "notices.flash.objected")
}

// Answer records the branch's answer to an objection.
func (h *Handler) Answer(w http.ResponseWriter, r *http.Request) error {
	p, err := h.show(r)
	if err != nil {
		return err
	}
	if !p.CanAnswer {
		return fmt.Errorf("notices: %d read-only: %w", p.Notice.ID, apperr.ErrForbidden)
	}
	oid, _ := strconv.ParseInt(chi.URLParam(r, "oid"), 10, 64)
	if !slices.ContainsFunc(p.Objections, func(o Objection) bool { return o.ID == oid }) {
		return fmt.Errorf("notices: objection %d: %w", oid, apperr.ErrNotFound)
	}
	answer := strings.TrimSpace(r.PostFormValue("answer"))
	back := fmt.Sprintf("/notices/%d", p.Notice.ID)
	if answer == "" || utf8.RuneCountInString(answer) > 2000 {
		p.Answers[oid] = answer
		p.Errors.Add(fmt.Sprintf("answer_%d", oid), "notices.error.answer")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	err = h.store.Answer(r.Context(), p.Notice.ID, oid, auth.UserOf(r.Context()).AccountID, answer)
	if errors.Is(err, apperr.ErrConflict) {
		return ui.RedirectRefused(w, r, back, "notices.flash.answered_already")
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, back, "notices.flash.answered")
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
