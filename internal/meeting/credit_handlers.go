package meeting

import (
	"fmt"

	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"zhibu/internal/apperr"

	"zhibu/internal/auth"
	"zhibu/internal/formtoken"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// CreditForm is the individual study record form as typed.
type CreditForm struct {
	MemberID string
	Hours    string
	Kind     string
	EarnedOn string
	Evidence string
	// FormToken is the form's one-time token (formtoken).
	FormToken string
	Errors    ui.Errors
}

// CreditPage is the individual study record form's view model.
type CreditPage struct {
	Form    CreditForm
	Members []Option
}

func (f *CreditForm) validate(members []Option, now time.Time) CreditInput {
	var in CreditInput
	id, _ := strconv.ParseInt(f.MemberID, 10, 64)
	if !slices.ContainsFunc(members, func(o Option) bool { return o.ID == id }) {
		f.Errors.Add("member_id", "meeting.error.member")
	}
	in.MemberID = id
	h, ok := ParseHours(f.Hours)
	if !ok || h <= 0 {
		f.Errors.Add("hours", "meeting.error.credit_hours")
	}
	in.Hours = h
	if !slices.Contains(CreditKinds, f.Kind) {
		f.Errors.Add("kind", "meeting.error.kind")
	}
	in.Kind = f.Kind
	d, err := time.ParseInLocation(time.DateOnly, f.EarnedOn, i18n.Shanghai)
	switch {
	case err != nil || d.Year() < 2000:
		f.Errors.Add("earned_on", "meeting.error.date")
	case d.After(now):
		f.Errors.Add("earned_on", "meeting.error.future")
	}
	in.EarnedOn = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	if f.Evidence == "" {
		f.Errors.Add("evidence", "meeting.error.required")
	} else if tooLong(f.Evidence, 500) {
		f.Errors.Add("evidence", "meeting.error.too_long")
	}
	in.Evidence = f.Evidence
	return in
}

// NewCredit shows the form for an individual study record.
func (h *Handler) NewCredit(w http.ResponseWriter, r *http.Request) error {
	if !auth.ScopeOf(r.Context()).Writes() {
		return fmt.Errorf("meeting: new credit: %w", apperr.ErrForbidden)
	}
	members, err := h.store.Members(r.Context(), auth.ScopeOf(r.Context()).WriteRoots())
	if err != nil {
		return err
	}
	f := CreditForm{EarnedOn: time.Now().In(i18n.Shanghai).Format(time.DateOnly), MemberID: r.URL.Query().Get("member"), FormToken: formtoken.New()}
	return ui.Render(w, r, http.StatusOK, CreditView(CreditPage{Form: f, Members: members}))
}

// CreateCredit saves an individual study record for a member of the
// user's branch.
func (h *Handler) CreateCredit(w http.ResponseWriter, r *http.Request) error {
	if !auth.ScopeOf(r.Context()).Writes() {
		return fmt.Errorf("meeting: create credit: %w", apperr.ErrForbidden)
	}
	members, err := h.store.Members(r.Context(), auth.ScopeOf(r.Context()).WriteRoots())
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := CreditForm{MemberID: v("member_id"), Hours: v("hours"), Kind: v("kind"), EarnedOn: v("earned_on"), Evidence: v("evidence"), FormToken: v(formtoken.Field)}
	in := f.validate(members, time.Now())
	in.FormToken = f.FormToken
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, CreditView(CreditPage{Form: f, Members: members}))
	}
	if _, err := h.store.AddCredit(r.Context(), in); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/meetings/credits/new", "meeting.flash.credit_added")
}
