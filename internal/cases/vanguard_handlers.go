package cases

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// PostsPage is the view model of the vanguard list.
type PostsPage struct {
	Posts    []Post
	Pager    ui.Pager
	Kind     string
	CanWrite bool
}

// Posts lists the vanguard posts of the branches in scope.
func (h *Handler) Posts(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	kind := q.Get("kind")
	if !slices.Contains(PostKinds, kind) {
		kind = ""
	}
	p := PostsPage{Kind: kind, CanWrite: s.Writes(), Pager: ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/vanguard"}}
	list, total, err := Posts(ctx, h.pool, s, kind, pageSize, p.Pager.Offset())
	if err != nil {
		return err
	}
	p.Posts, p.Pager.Total = list, total
	return ui.Render(w, r, http.StatusOK, PostsView(p))
}

func (h *Handler) postForm(r *http.Request) (PostForm, error) {
	ctx := r.Context()
	bs, err := WritableBranches(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return PostForm{}, err
	}
	if len(bs) == 0 {
		return PostForm{}, fmt.Errorf("cases: no branch: %w", apperr.ErrForbidden)
	}
	return PostForm{Branches: bs, BranchID: strconv.FormatInt(bs[0].ID, 10)}, nil
}

// NewPost shows the post form.
func (h *Handler) NewPost(w http.ResponseWriter, r *http.Request) error {
	f, err := h.postForm(r)
	if err != nil {
		return err
	}
	f.StartedOn = today().Format(time.DateOnly)
	return ui.Render(w, r, http.StatusOK, NewPostView(f))
}

// CreatePost records a post.
func (h *Handler) CreatePost(w http.ResponseWriter, r *http.Request) error {
	f, err := h.postForm(r)
	if err != nil {
		return err
	}
	v := r.PostFormValue
	f.BranchID, f.Kind, f.Name, f.Task, f.StartedOn, f.EndedOn = v("branch"), v("kind"), v("name"), v("task"), v("started_on"), v("ended_on")
	in := f.Validate()
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewPostView(f))
	}
	id, err := h.store.CreatePost(r.Context(), in)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/vanguard/%d", id), "cases.flash.post_created")
}

// PostPage is the view model of one post.
type PostPage struct {
	Post     Post
	Pledges  []Pledge
	People   []Person
	CanWrite bool
	Form     Pledge
	Errors   ui.Errors
}

func (h *Handler) post(r *http.Request) (PostPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return PostPage{}, fmt.Errorf("cases: post id: %w", apperr.ErrNotFound)
	}
	p, err := GetPost(ctx, h.pool, s, id)
	if err != nil {
		return PostPage{}, err
	}
	out := PostPage{Post: p, CanWrite: s.CanWrite(p.BranchPath)}
	if out.Pledges, err = Pledges(ctx, h.pool, p.ID); err != nil {
		return out, err
	}
	if out.CanWrite {
		if out.People, err = BranchMembers(ctx, h.pool, p.BranchID); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ShowPost shows a post with its members' commitments.
func (h *Handler) ShowPost(w http.ResponseWriter, r *http.Request) error {
	p, err := h.post(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PostView(p))
}

// SavePledge records a member's commitment (and later what was delivered).
func (h *Handler) SavePledge(w http.ResponseWriter, r *http.Request) error {
	p, err := h.post(r)
	if err != nil {
		return err
	}
	if !p.CanWrite {
		return fmt.Errorf("cases: post %d read-only: %w", p.Post.ID, apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("cases: form: %w", apperr.ErrInvalid)
	}
	p.Form, p.Errors = parsePledge(r.PostForm, p.People)
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, PostView(p))
	}
	if err := h.store.SavePledge(r.Context(), p.Post, p.Form); err != nil {
		if errors.Is(err, ErrNotMember) {
			p.Errors.Add("member_id", "cases.error.member")
			return ui.Render(w, r, http.StatusUnprocessableEntity, PostView(p))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/vanguard/%d", p.Post.ID), "cases.flash.pledge_saved")
}
