package meeting

import (
	"errors"
	"fmt"
	"net/http"

	"zhibu/internal/apperr"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
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
	defer upload.Cleanup(r)
	f, err := upload.Read(r, "file", AttachmentTypes)
	if err != nil {
		if !errors.Is(err, ErrTooLarge) && !errors.Is(err, ErrBadType) && !errors.Is(err, ErrEmpty) {
			return err
		}
		return fail(uploadErrorKey(err), upload.Status(err))
	}
	if _, err := h.store.AddAttachment(r.Context(), m.ID, kind, f.Name, f.Data); err != nil {
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
	return upload.Serve(w, a.Filename, a.ContentType, data, true)
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
