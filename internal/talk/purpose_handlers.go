package talk

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// RemindersPage is the secretary's list of open reminder talks.
type RemindersPage struct {
	Reminders []Reminder
	Today     time.Time
	BranchID  int64
}

// Reminders lists the open reminder talks of the user's branches, those
// due for a second look first.
func (h *Handler) Reminders(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	if !s.Writes() && s.Committee() == 0 {
		return fmt.Errorf("talk: reminders: %w", apperr.ErrForbidden)
	}
	branchID, _ := strconv.ParseInt(r.URL.Query().Get("branch"), 10, 64)
	rs, err := Reminders(ctx, h.pool, s, branchID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RemindersView(RemindersPage{Reminders: rs, Today: today(), BranchID: branchID}))
}

// ShowPage is one talk with its follow-up form.
type ShowPage struct {
	T        Reminder
	Private  bool // the reader is of the branch committee
	Today    time.Time
	Outcome  string
	On       string
	Note     string
	Next     string
	Errors   ui.Errors
	CanWrite bool
}

func (h *Handler) load(r *http.Request) (Reminder, Org, error) {
	ctx := r.Context()
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Reminder{}, Org{}, fmt.Errorf("talk: id: %w", apperr.ErrNotFound)
	}
	t, err := Get(ctx, h.pool, id)
	if err != nil {
		return Reminder{}, Org{}, err
	}
	orgs, err := Orgs(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return Reminder{}, Org{}, err
	}
	o, ok := findOrg(orgs, t.BranchID)
	if !ok {
		return Reminder{}, Org{}, fmt.Errorf("talk: %d outside scope: %w", id, apperr.ErrNotFound)
	}
	return t, o, nil
}

// Show shows a talk; the committee's notes only to the branch committee.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	t, o, err := h.load(r)
	if err != nil {
		return err
	}
	s := auth.ScopeOf(r.Context())
	p := ShowPage{T: t, Private: CanReadSummary(s, o), CanWrite: CanWrite(s, o), Today: today(), On: today().Format("2006-01-02")}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// FollowUp records the second look at a reminder talk.
func (h *Handler) FollowUp(w http.ResponseWriter, r *http.Request) error {
	t, o, err := h.load(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	if !CanWrite(s, o) {
		return fmt.Errorf("talk: follow-up %d: %w", t.ID, apperr.ErrForbidden)
	}
	if !t.Open() {
		return fmt.Errorf("talk: %d not an open reminder: %w", t.ID, apperr.ErrConflict)
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	p := ShowPage{T: t, Private: true, CanWrite: true, Today: today(), Outcome: v("outcome"), On: v("outcome_on"), Note: v("outcome_note"), Next: v("next")}
	var f FollowUp
	if !slices.Contains(Outcomes, p.Outcome) {
		p.Errors.Add("outcome", "talk.error.outcome")
	}
	f.Outcome = p.Outcome
	if d, err := time.Parse("2006-01-02", p.On); err != nil {
		p.Errors.Add("outcome_on", "talk.error.date")
	} else if d.After(today()) {
		p.Errors.Add("outcome_on", "talk.error.future")
	} else if d.Before(t.HeldOn) {
		p.Errors.Add("outcome_on", "talk.error.before_talk")
	} else {
		f.On = d
	}
	if utf8.RuneCountInString(p.Note) > 2000 {
		p.Errors.Add("outcome_note", "talk.error.too_long")
	}
	f.Note = p.Note
	if p.Outcome == "continuing" {
		if d, err := time.Parse("2006-01-02", p.Next); err != nil {
			p.Errors.Add("next", "talk.error.next")
		} else if !f.On.IsZero() && !d.After(f.On) {
			p.Errors.Add("next", "talk.error.look_again")
		} else {
			f.Next = &d
		}
	}
	version, _ := strconv.Atoi(v("version"))
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ShowView(p))
	}
	if err := h.store.FollowUp(ctx, t.ID, version, f); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/talks/%d", t.ID), "talk.flash.followed_up")
}

// MinePage lists the talks the signed-in member took part in.
type MinePage struct {
	Talks []Reminder
	Me    int64
}

// Mine shows the signed-in member the talks they took part in: that each
// happened and what was agreed, never the committee's notes.
func (h *Handler) Mine(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserOf(r.Context())
	if u == nil || u.MemberID == 0 {
		return fmt.Errorf("talk: mine: %w", apperr.ErrNotFound)
	}
	ts, err := Mine(r.Context(), h.pool, u.MemberID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, MineView(MinePage{Talks: ts, Me: u.MemberID}))
}
