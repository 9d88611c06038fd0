package discipline

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves the discipline pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the discipline handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func (h *Handler) access(r *http.Request) (Access, error) {
	a, err := AccessOf(r.Context(), h.pool, auth.UserOf(r.Context()))
	if err != nil {
		return a, err
	}
	if !a.Any() {
		return a, fmt.Errorf("discipline: no access: %w", apperr.ErrForbidden)
	}
	return a, nil
}

// ListPage is the list of sanctions the user may read.
type ListPage struct {
	Sanctions []Sanction
	Pager     ui.Pager
	CanWrite  bool
	Today     time.Time
}

// List shows the sanctions the user may read (the read is audited).
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	a, err := h.access(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/discipline"}
	list, total, err := List(r.Context(), h.pool, a.Read, pageSize, p.Offset())
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Sanctions: list, Pager: p, CanWrite: len(a.Write) > 0, Today: today()}))
}

// FormPage is the sanction form.
type FormPage struct {
	Form       Form
	Candidates []Candidate
}

func (h *Handler) writable(r *http.Request) ([]Candidate, error) {
	a, err := h.access(r)
	if err != nil {
		return nil, err
	}
	if len(a.Write) == 0 {
		return nil, fmt.Errorf("discipline: read only: %w", apperr.ErrForbidden)
	}
	return Candidates(r.Context(), h.pool, a.Write)
}

// NewPage shows the form of a sanction.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	cands, err := h.writable(r)
	if err != nil {
		return err
	}
	f := Form{Kind: "warning", DecidedOn: today().Format(dateLayout), DecidedBy: "支部党员大会"}
	return ui.Render(w, r, http.StatusOK, NewView(FormPage{Form: f, Candidates: cands}))
}

// Create records a sanction.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	cands, err := h.writable(r)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := Form{MemberID: v("member_id"), Kind: v("kind"), Years: v("years"), Reason: v("reason"), DecidedBy: v("decided_by"),
		ApprovedBy: v("approved_by"), DocumentNo: v("document_no"), DecidedOn: v("decided_on"), StartsOn: v("starts_on"), Confirm: v("confirm")}
	in := f.Validate(cands, today())
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(FormPage{Form: f, Candidates: cands}))
	}
	id, err := h.store.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/discipline/%d", id), "discipline.flash.created")
}

// ShowPage is one sanction.
type ShowPage struct {
	S        Sanction
	CanWrite bool
	Today    time.Time
	// Posts are the committee posts the member still holds, which a
	// 留党察看 or 撤销党内职务 in its period ends.
	Posts []string
}

func (h *Handler) load(r *http.Request) (Sanction, Access, error) {
	a, err := h.access(r)
	if err != nil {
		return Sanction{}, a, err
	}
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Sanction{}, a, fmt.Errorf("discipline: id: %w", apperr.ErrNotFound)
	}
	s, err := Get(r.Context(), h.pool, a.Read, id)
	return s, a, err
}

// Show shows a sanction (the read is audited).
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	s, a, err := h.load(r)
	if err != nil {
		return err
	}
	p := ShowPage{S: s, CanWrite: a.CanWrite(s.BranchPath), Today: today()}
	if (s.Kind == "probation" || s.Kind == "post_removal") && s.InPeriod(p.Today) {
		if p.Posts, err = PostsHeld(r.Context(), h.pool, s.MemberID); err != nil {
			return err
		}
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// Close records the decision at the period's end: restore rights, or
// extend a one-year 留党察看 by a year.
func (h *Handler) Close(w http.ResponseWriter, r *http.Request) error {
	s, a, err := h.load(r)
	if err != nil {
		return err
	}
	if !a.CanWrite(s.BranchPath) {
		return fmt.Errorf("discipline: close %d: %w", s.ID, apperr.ErrForbidden)
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	switch r.PostFormValue("decision") {
	case "extend":
		err = h.store.Extend(r.Context(), s.ID, version)
	case "restore":
		if s.EndsOn == nil || s.EndsOn.After(today()) {
			return fmt.Errorf("discipline: restore %d before the period ends: %w", s.ID, apperr.ErrConflict)
		}
		err = h.store.Restore(r.Context(), s.ID, version, today())
	default:
		return fmt.Errorf("discipline: decision: %w", apperr.ErrInvalid)
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/discipline/%d", s.ID), "discipline.flash.closed")
}

// SettingsPage is the settings form.
type SettingsPage struct {
	Days   string
	Blocks bool
	Errors ui.Errors
}

// SettingsForm shows the settings (system administrator).
func (h *Handler) SettingsForm(w http.ResponseWriter, r *http.Request) error {
	s, err := LoadSettings(r.Context(), h.pool)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, SettingsView(SettingsPage{Days: strconv.Itoa(s.ElectionReminderDays), Blocks: s.SanctionBlocksCommend}))
}

// SaveSettings changes the settings.
func (h *Handler) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	p := SettingsPage{Days: strings.TrimSpace(r.PostFormValue("election_reminder_days")), Blocks: r.PostFormValue("sanction_blocks_commend") == "on"}
	n, err := strconv.Atoi(p.Days)
	if err != nil || n < 1 || n > 366 {
		p.Errors.Add("election_reminder_days", "discipline.error.days")
		return ui.Render(w, r, http.StatusUnprocessableEntity, SettingsView(p))
	}
	if err := h.store.SaveSettings(r.Context(), Settings{ElectionReminderDays: n, SanctionBlocksCommend: p.Blocks}); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/discipline-settings", "discipline.flash.settings")
}
