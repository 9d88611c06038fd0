package grades

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/ui"
)

// LevelsPage is the administrator's list of grades with the form that adds one.
type LevelsPage struct {
	Levels []AdminLevel
	Form   LevelForm
}

// LevelPage is one grade's form: its labels, and retiring or reinstating it.
type LevelPage struct {
	Level AdminLevel
	Form  LevelForm
}

func levelURL(code string) string { return "/admin/grade-levels/" + url.PathEscape(code) }

// LevelsAdmin lists the grades (system administrator, as /admin/rules).
func (h *Handler) LevelsAdmin(w http.ResponseWriter, r *http.Request) error {
	return h.renderLevels(w, r, http.StatusOK, LevelForm{})
}

func (h *Handler) renderLevels(w http.ResponseWriter, r *http.Request, status int, f LevelForm) error {
	ls, err := AllLevels(r.Context(), h.pool)
	if err != nil {
		return err
	}
	return ui.Render(w, r, status, LevelsView(LevelsPage{Levels: ls, Form: f}))
}

// AddLevel adds a grade at the end of the list.
func (h *Handler) AddLevel(w http.ResponseWriter, r *http.Request) error {
	f := ParseLevel(r)
	if !f.Validate(true) {
		return h.renderLevels(w, r, http.StatusUnprocessableEntity, f)
	}
	err := h.store.AddLevel(r.Context(), f)
	if errors.Is(err, ErrLevelTaken) {
		f.Errors.Add("code", "selfadmin.levels.error.taken")
		return h.renderLevels(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.added")
}

// LevelEdit shows one grade's form.
func (h *Handler) LevelEdit(w http.ResponseWriter, r *http.Request) error {
	l, err := LevelOf(r.Context(), h.pool, chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, LevelView(LevelPage{Level: l, Form: LevelForm{Code: l.Code, LabelZh: l.LabelZh, LabelEn: l.LabelEn, Weak: l.Weak}}))
}

// RenameLevel saves a grade's labels and weak flag.
func (h *Handler) RenameLevel(w http.ResponseWriter, r *http.Request) error {
	l, err := LevelOf(r.Context(), h.pool, chi.URLParam(r, "code"))
	if err != nil {
		return err
	}
	f := ParseLevel(r)
	f.Code = l.Code
	if !f.Validate(false) {
		return ui.Render(w, r, http.StatusUnprocessableEntity, LevelView(LevelPage{Level: l, Form: f}))
	}
	if err := h.store.RenameLevel(r.Context(), l.Code, f); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.saved")
}

// MoveLevel moves a grade one place up or down the list.
func (h *Handler) MoveLevel(w http.ResponseWriter, r *http.Request) error {
	if err := h.store.MoveLevel(r.Context(), chi.URLParam(r, "code"), r.PostFormValue("dir") == "up"); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.moved")
}

// RetireLevel retires a grade that grades use, or deletes one that none
// does, once the administrator confirms.
func (h *Handler) RetireLevel(w http.ResponseWriter, r *http.Request) error {
	code := chi.URLParam(r, "code")
	if _, err := LevelOf(r.Context(), h.pool, code); err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return ui.RedirectRefused(w, r, levelURL(code), "selfadmin.levels.confirm_needed")
	}
	deleted, err := h.store.RetireLevel(r.Context(), code)
	if errors.Is(err, ErrLastLevel) {
		return ui.RedirectRefused(w, r, levelURL(code), "selfadmin.levels.last")
	}
	if err != nil {
		return err
	}
	if deleted {
		return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.deleted")
	}
	return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.retired")
}

// ReinstateLevel puts a retired grade back in the grading form.
func (h *Handler) ReinstateLevel(w http.ResponseWriter, r *http.Request) error {
	if err := h.store.ReinstateLevel(r.Context(), chi.URLParam(r, "code")); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/grade-levels", "selfadmin.levels.reinstated")
}
