package recruit

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
)

// ImportHandler serves the recruitment import: the page, the preview, the
// commit and the template.
type ImportHandler struct {
	pool   *pgxpool.Pool
	sealer *pii.Sealer
	store  *Store
	now    func() time.Time
}

// NewImport returns the import handlers (ID numbers are matched by their
// keyed hash, hence the sealer).
func NewImport(pool *pgxpool.Pool, sealer *pii.Sealer) *ImportHandler {
	return &ImportHandler{pool: pool, sealer: sealer, store: NewStore(pool), now: time.Now}
}

func (h *ImportHandler) today() time.Time {
	n := h.now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// ImportPage is the import page: the upload form, and after an upload the
// problems (nothing written) or the preview with the confirmation.
type ImportPage struct {
	Branch   Branch
	Errors   ui.Errors
	Problems []ImportProblem
	Rows     []ImportRow
	Data     string // the previewed file, base64, posted back to commit
}

// branch is the writable branch of the request (?branch=, else the user's).
func (h *ImportHandler) branch(r *http.Request) (Branch, error) {
	ctx := r.Context()
	id, _ := strconv.ParseInt(r.URL.Query().Get("branch"), 10, 64)
	if id == 0 {
		id = auth.UserOf(ctx).BranchID()
	}
	var b Branch
	err := h.pool.QueryRow(ctx, `SELECT id, name, path FROM organisations WHERE id = $1 AND kind = 'branch' AND dissolved_on IS NULL`, id).Scan(&b.ID, &b.Name, &b.Path)
	if err != nil {
		return b, fmt.Errorf("recruit: import branch %d: %w", id, apperr.ErrNotFound)
	}
	if err := auth.ScopeOf(ctx).CheckWrite(b.Path); err != nil {
		return b, err
	}
	return b, nil
}

// ImportForm shows the upload form.
func (h *ImportHandler) ImportForm(w http.ResponseWriter, r *http.Request) error {
	b, err := h.branch(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ImportView(ImportPage{Branch: b}))
}

// check parses and checks data; a page with errors means 422.
func (h *ImportHandler) check(r *http.Request, p *ImportPage, data []byte) error {
	recs, err := ParseImport(data)
	var fe *ImportFileError
	if errors.As(err, &fe) {
		p.Errors.Add("file", fe.Key)
		return nil
	}
	if err != nil {
		return err
	}
	rows, problems, err := CheckImport(r.Context(), h.pool, h.sealer, p.Branch.ID, recs, h.today())
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		p.Problems = problems
		p.Errors.Add("file", "duesroll.rimport.rejected")
		return nil
	}
	p.Rows = rows
	return nil
}

// Preview reads an uploaded file and shows what it would record, or every
// problem; it writes nothing.
func (h *ImportHandler) Preview(w http.ResponseWriter, r *http.Request) error {
	b, err := h.branch(r)
	if err != nil {
		return err
	}
	p := ImportPage{Branch: b}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBytes+64<<10)
	if err := r.ParseMultipartForm(MaxImportBytes); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			p.Errors.Add("file", "duesroll.rimport.too_big")
			return ui.Render(w, r, http.StatusRequestEntityTooLarge, ImportView(p))
		}
		p.Errors.Add("file", "form.required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		p.Errors.Add("file", "form.required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	defer func() { _ = file.Close() }()
	data, err := io.ReadAll(io.LimitReader(file, MaxImportBytes+1))
	if err != nil {
		return fmt.Errorf("recruit: read upload: %w", err)
	}
	if err := h.check(r, &p, data); err != nil {
		return err
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	p.Data = base64.StdEncoding.EncodeToString(data)
	return ui.Render(w, r, http.StatusOK, ImportView(p))
}

// Commit records a previewed file: checked again, then all rows in one
// transaction, or nothing.
func (h *ImportHandler) Commit(w http.ResponseWriter, r *http.Request) error {
	b, err := h.branch(r)
	if err != nil {
		return err
	}
	p := ImportPage{Branch: b}
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBytes*2)
	data, err := base64.StdEncoding.DecodeString(r.PostFormValue("data"))
	if err != nil || len(data) == 0 {
		p.Errors.Add("file", "form.required")
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	if err := h.check(r, &p, data); err != nil {
		return err
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
	}
	if _, err := h.store.Import(r.Context(), h.sealer, p.Rows, h.today()); err != nil {
		var ref *Refusal
		if errors.Is(err, apperr.ErrConflict) {
			// Someone put a new applicant's ID number on the roster since the
			// preview: check again, naming the row.
			p.Rows = nil
			if err := h.check(r, &p, data); err != nil {
				return err
			}
			if !p.Errors.Any() {
				p.Errors.Add("file", "duesroll.rimport.rejected")
			}
			return ui.Render(w, r, http.StatusConflict, ImportView(p))
		}
		if errors.As(err, &ref) {
			p.Rows = nil
			p.Errors.Add("file", ref.Key)
			return ui.Render(w, r, http.StatusUnprocessableEntity, ImportView(p))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/recruitment?branch=%d", b.ID), "duesroll.rimport.done")
}

// Template downloads the import template.
func (h *ImportHandler) Template(w http.ResponseWriter, r *http.Request) error {
	book := ImportTemplate()
	defer func() { _ = book.Close() }()
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="recruitment-import.xlsx"`)
	return book.Write(w)
}

// importColLabel is a column's header for messages.
func importColLabel(field string) string {
	for _, c := range ImportCols {
		if c.Field == field {
			return c.Header
		}
	}
	return ""
}
