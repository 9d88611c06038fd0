package meeting

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"zhibu/internal/apperr"
	"zhibu/internal/ui"
)

// MaxUploadBody caps the whole upload request: one attachment plus the
// multipart envelope. The server raises its body limit to this for the
// upload route only.
const MaxUploadBody = MaxAttachmentBytes + 256<<10

func uploadErrorKey(err error) string {
	switch {
	case errors.Is(err, ErrTooLarge):
		return "meeting.error.file_too_large"
	case errors.Is(err, ErrBadType):
		return "meeting.error.file_type"
	default:
		return "meeting.error.file_missing"
	}
}

// cleanFilename keeps the base name of an uploaded file, at most 200 characters.
func cleanFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 32 || r == 127 || r == '"' {
			return -1
		}
		return r
	}, name)
	for utf8.RuneCountInString(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == "/" {
		name = "attachment"
	}
	return name
}

// Upload stores a sign-in sheet photo or PDF with a meeting not yet
// submitted. The type is checked from the content, not the name.
func (h *Handler) Upload(w http.ResponseWriter, r *http.Request) error {
	return h.upload(w, r, KindFile)
}

// UploadSheet attaches the signed attendance sheet, also after the record
// is locked (the one file that may be; the upload is audited as such).
func (h *Handler) UploadSheet(w http.ResponseWriter, r *http.Request) error {
	return h.upload(w, r, KindSignedSheet)
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request, kind string) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status == StatusSubmitted && kind != KindSignedSheet {
		return ErrLocked
	}
	fail := func(key string, status int) error {
		p, err := h.showPage(r, m)
		if err != nil {
			return err
		}
		if kind == KindSignedSheet {
			p.SheetError = key
		} else {
			p.UploadError = key
		}
		return ui.Render(w, r, status, ShowView(p))
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return fail("meeting.error.file_too_large", http.StatusRequestEntityTooLarge)
		}
		return fail("meeting.error.file_missing", http.StatusUnprocessableEntity)
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	file, header, err := r.FormFile("file")
	if err != nil {
		return fail("meeting.error.file_missing", http.StatusUnprocessableEntity)
	}
	defer func() { _ = file.Close() }()
	data, err := io.ReadAll(io.LimitReader(file, MaxAttachmentBytes+1))
	if err != nil {
		return fmt.Errorf("meeting: read upload: %w", err)
	}
	if _, err := SniffType(data); err != nil {
		status := http.StatusUnprocessableEntity
		if errors.Is(err, ErrTooLarge) {
			status = http.StatusRequestEntityTooLarge
		}
		return fail(uploadErrorKey(err), status)
	}
	if _, err := h.store.AddAttachment(r.Context(), m.ID, kind, cleanFilename(header.Filename), data); err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.uploaded")
}

// Download sends an attachment to a user who may read the meeting.
func (h *Handler) Download(w http.ResponseWriter, r *http.Request) error {
	m, err := h.load(r)
	if err != nil {
		return err
	}
	aid, err := idParam(r, "aid")
	if err != nil {
		return err
	}
	a, data, err := h.store.Attachment(r.Context(), m.ID, aid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": a.Filename}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(data)
	return err
}

// DeleteAttachment removes an attachment of a meeting not yet submitted.
func (h *Handler) DeleteAttachment(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	aid, err := idParam(r, "aid")
	if err != nil {
		return err
	}
	if r.PostFormValue("confirm") != "yes" {
		return fmt.Errorf("meeting: delete attachment without confirmation: %w", apperr.ErrInvalid)
	}
	if err := h.store.DeleteAttachment(r.Context(), m.ID, aid); err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.detached")
}
