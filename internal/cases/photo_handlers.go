package cases

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
)

func photoParam(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "pid"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cases: photo id: %w", apperr.ErrNotFound)
	}
	return id, nil
}

// writablePhotos loads the case and checks that the user's branch may
// change its photos: read-only readers get 403, an approved case 409.
func (h *Handler) writablePhotos(r *http.Request) (ShowPage, error) {
	p, err := h.load(r)
	if err != nil {
		return p, err
	}
	if !auth.ScopeOf(r.Context()).CanWrite(p.Case.BranchPath) {
		return p, fmt.Errorf("cases: photos of %d: %w", p.Case.ID, apperr.ErrForbidden)
	}
	if !p.CanPhoto {
		return p, ErrCaseApproved
	}
	return p, nil
}

// AddPhoto stores a photo (JPEG or PNG, judged by its content) with its
// caption; a refused photo is named beside the field, the caption kept.
func (h *Handler) AddPhoto(w http.ResponseWriter, r *http.Request) error {
	p, err := h.writablePhotos(r)
	if err != nil {
		return err
	}
	defer upload.Cleanup(r)
	f, ferr := upload.ReadImage(r, "file")
	if ferr != nil && !upload.Refused(ferr) {
		return ferr
	}
	p.Caption = strings.TrimSpace(r.PostFormValue("caption"))
	switch {
	case p.Caption == "":
		p.PhotoErrors.Add("caption", "files.cases.error.caption")
	case utf8.RuneCountInString(p.Caption) > 200:
		p.PhotoErrors.Add("caption", "files.cases.error.caption_long")
	}
	status := http.StatusUnprocessableEntity
	switch {
	case ferr != nil:
		p.PhotoErrors.Add("file", upload.Key(ferr))
		status = upload.Status(ferr)
	case len(p.Photos) >= MaxPhotos:
		p.PhotoErrors.Add("file", "files.cases.error.too_many")
	}
	if p.PhotoErrors.Any() {
		return ui.Render(w, r, status, ShowView(p))
	}
	if _, err := h.store.AddPhoto(r.Context(), p.Case.ID, p.Caption, f); err != nil {
		if errors.Is(err, ErrTooManyPhotos) {
			p.PhotoErrors.Add("file", "files.cases.error.too_many")
			return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/cases/%d", p.Case.ID), "files.cases.flash.added")
}

// ShowPhoto sends a photo to whoever may read the case (everyone for an
// approved case, the branch and the committees above before; 404
// otherwise), shown inline.
func (h *Handler) ShowPhoto(w http.ResponseWriter, r *http.Request) error {
	p, err := h.load(r)
	if err != nil {
		return err
	}
	pid, err := photoParam(r)
	if err != nil {
		return err
	}
	ctype, data, err := LoadPhoto(r.Context(), h.pool, p.Case.ID, pid)
	if err != nil {
		return err
	}
	ext := ".png"
	if ctype == "image/jpeg" {
		ext = ".jpg"
	}
	return upload.Serve(w, fmt.Sprintf("case-%d-%d%s", p.Case.ID, pid, ext), ctype, data, true)
}

// DeletePhoto removes a photo of a case not yet approved, once confirmed.
func (h *Handler) DeletePhoto(w http.ResponseWriter, r *http.Request) error {
	p, err := h.writablePhotos(r)
	if err != nil {
		return err
	}
	pid, err := photoParam(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return fmt.Errorf("cases: delete photo without confirmation: %w", apperr.ErrInvalid)
	}
	if err := h.store.DeletePhoto(r.Context(), p.Case.ID, pid); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/cases/%d", p.Case.ID), "files.cases.flash.deleted")
}
