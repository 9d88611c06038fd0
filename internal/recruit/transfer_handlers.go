package recruit

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

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/member"
	"zhibu/internal/ui"
)

// LetterForm is the form of a letter out, as typed.
type LetterForm struct {
	MemberID    string
	LetterNo    string
	IssuedOn    string
	ValidUntil  string
	Destination string
	Notes       string
}

// Validate turns the form into a letter of branch, one message key per
// bad field; leavers are the members who may leave.
func (f LetterForm) Validate(branch int64, leavers []FullMember, today time.Time) (Letter, ui.Errors) {
	var errs ui.Errors
	l := Letter{BranchID: branch, LetterNo: f.LetterNo, Destination: f.Destination, Notes: f.Notes}
	id, _ := strconv.ParseInt(f.MemberID, 10, 64)
	if !slices.ContainsFunc(leavers, func(m FullMember) bool { return m.ID == id }) {
		errs.Add("member_id", "recruit.error.person")
	}
	l.MemberID = id
	if f.LetterNo == "" {
		errs.Add("letter_no", "form.required")
	} else if utf8.RuneCountInString(f.LetterNo) > 50 {
		errs.Add("letter_no", "form.too_long")
	}
	if f.Destination == "" {
		errs.Add("destination", "form.required")
	} else if utf8.RuneCountInString(f.Destination) > 200 {
		errs.Add("destination", "form.too_long")
	}
	if utf8.RuneCountInString(f.Notes) > 500 {
		errs.Add("notes", "form.too_long")
	}
	if d, err := time.Parse(dateLayout, f.IssuedOn); err != nil {
		errs.Add("issued_on", "form.bad_date")
	} else if d.After(today) {
		errs.Add("issued_on", "recruit.error.future")
	} else {
		l.IssuedOn = d
	}
	if d, err := time.Parse(dateLayout, f.ValidUntil); err != nil {
		errs.Add("valid_until", "form.bad_date")
	} else if !l.IssuedOn.IsZero() && d.Before(l.IssuedOn) {
		errs.Add("valid_until", "recruit.error.end_before")
	} else {
		l.ValidUntil = d
	}
	return l, errs
}

// LettersPage is the view model of /recruitment/transfers.
type LettersPage struct {
	Branches []Branch
	Branch   *Branch
	CanWrite bool
	Letters  []Letter
	Pager    ui.Pager
	Rules    Rules
	Today    time.Time
	Leavers  []FullMember
	Form     LetterForm
	Errors   ui.Errors
}

const lettersPageSize = 50

// letters loads the page for the branch named in the query (the user's
// own by default; 0 for the whole subtree).
func (h *Handler) letters(r *http.Request, raw string) (LettersPage, error) {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	branches, err := Branches(ctx, h.pool, s)
	if err != nil {
		return LettersPage{}, err
	}
	today := h.today()
	rules, err := LoadRules(ctx, h.pool, today)
	if err != nil {
		return LettersPage{}, err
	}
	p := LettersPage{Branches: branches, Rules: rules, Today: today}
	id, _ := strconv.ParseInt(raw, 10, 64)
	if raw == "" {
		id = auth.UserOf(ctx).BranchID()
	}
	var ids, roots []int64
	if id != 0 {
		i := slices.IndexFunc(branches, func(b Branch) bool { return b.ID == id })
		if i < 0 {
			return LettersPage{}, fmt.Errorf("recruit: branch %d outside scope: %w", id, apperr.ErrNotFound)
		}
		b := branches[i]
		p.Branch, p.CanWrite, ids = &b, s.CanWrite(b.Path), []int64{b.ID}
		if p.CanWrite {
			if p.Leavers, err = Leavers(ctx, h.pool, b.ID); err != nil {
				return LettersPage{}, err
			}
		}
	} else {
		roots = s.ReadRoots()
	}
	q := r.URL.Query()
	p.Pager = ui.Pager{Page: ui.PageParam(q), PageSize: lettersPageSize, Query: q, Path: "/recruitment/transfers"}
	if p.Letters, p.Pager.Total, err = Letters(ctx, h.pool, ids, roots, lettersPageSize, p.Pager.Offset()); err != nil {
		return LettersPage{}, err
	}
	p.Form = LetterForm{IssuedOn: today.Format(dateLayout), ValidUntil: today.AddDate(0, 0, rules.N("letter_valid_days")).Format(dateLayout)}
	return p, nil
}

// Transfers lists the letters of introduction out of the agency with their
// receipts, and the form of a new one.
func (h *Handler) Transfers(w http.ResponseWriter, r *http.Request) error {
	p, err := h.letters(r, r.URL.Query().Get("branch"))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, LettersView(p))
}

// IssueLetter records a letter out and the member's leaving.
func (h *Handler) IssueLetter(w http.ResponseWriter, r *http.Request) error {
	raw := r.PostFormValue("branch")
	if raw == "" || raw == "0" {
		return fmt.Errorf("recruit: letter without branch: %w", apperr.ErrInvalid)
	}
	p, err := h.letters(r, raw)
	if err != nil {
		return err
	}
	if !p.CanWrite {
		return fmt.Errorf("recruit: branch read-only: %w", apperr.ErrForbidden)
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	p.Form = LetterForm{MemberID: v("member_id"), LetterNo: v("letter_no"), IssuedOn: v("issued_on"), ValidUntil: v("valid_until"), Destination: v("destination"), Notes: v("notes")}
	l, errs := p.Form.Validate(p.Branch.ID, p.Leavers, p.Today)
	p.Errors = errs
	if !errs.Any() {
		_, err := h.store.Issue(r.Context(), l)
		switch {
		case errors.Is(err, ErrLetterNoTaken):
			p.Errors.Add("letter_no", "recruit.error.letter_taken")
		case errors.Is(err, member.ErrNotPresent):
			p.Errors.Add("member_id", "recruit.error.person")
		case err != nil:
			return err
		}
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, LettersView(p))
	}
	return ui.Redirect(w, r, fmt.Sprintf("/recruitment/transfers?branch=%d", p.Branch.ID), "recruit.flash.letter")
}

func (h *Handler) letter(r *http.Request, write bool) (Letter, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Letter{}, fmt.Errorf("recruit: letter id: %w", apperr.ErrNotFound)
	}
	l, path, err := GetLetter(r.Context(), h.pool, id)
	if err != nil {
		return Letter{}, err
	}
	s := auth.ScopeOf(r.Context())
	if err := s.CheckRead(path); err != nil {
		return Letter{}, err
	}
	if write {
		if err := s.CheckWrite(path); err != nil {
			return Letter{}, err
		}
	}
	return l, nil
}

// Receipt records the day a letter's receipt came back.
func (h *Handler) Receipt(w http.ResponseWriter, r *http.Request) error {
	l, err := h.letter(r, true)
	if err != nil {
		return err
	}
	d, err := time.Parse(dateLayout, strings.TrimSpace(r.PostFormValue("receipt_on")))
	if err != nil || d.Before(l.IssuedOn) || d.After(h.today()) {
		return fmt.Errorf("recruit: receipt date: %w", apperr.ErrInvalid)
	}
	if err := h.store.Receipt(r.Context(), l.ID, d); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/recruitment/transfers?branch=%d", l.BranchID), "recruit.flash.receipt")
}

// LetterPrint is the printable letter of introduction.
func (h *Handler) LetterPrint(w http.ResponseWriter, r *http.Request) error {
	l, err := h.letter(r, false)
	if err != nil {
		return err
	}
	rules, err := LoadRules(r.Context(), h.pool, h.today())
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, LetterPrintView(l, rules))
}
