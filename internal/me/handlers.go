package me

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// Handler serves /me.
type Handler struct {
	store *Store
}

// New returns the /me handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{store: NewStore(pool)} }

// WithSealer gives the handlers the data key that seals phone numbers and
// e-mail addresses, for the contact form.
func (h *Handler) WithSealer(s *pii.Sealer) *Handler {
	h.store.sealer = s
	return h
}

// Page is the member's own record for one year, with what the page adds
// to it: the years to choose from, the year's total and the calendar link.
type Page struct {
	Record
	MemberID    int64 // the member's own id (the recruitment file's address)
	Year        int
	Years       []int
	Total       float64
	CalendarURL string
	Contact     *Contact  // on /me only, when a data key is configured
	Today       time.Time // for the countdown to each upcoming meeting
}

// Attended counts the activities the member was present at.
func (p Page) Attended() int {
	n := 0
	for _, a := range p.Activities {
		if a.Status == vocab.Present {
			n++
		}
	}
	return n
}

// Missed counts the activities the member was on leave from or absent at.
func (p Page) Missed() int {
	n := 0
	for _, a := range p.Activities {
		if a.Status == vocab.Leave || a.Status == vocab.Absent {
			n++
		}
	}
	return n
}

// Remaining is how many hours are still needed to reach the minimum.
func (p Page) Remaining() float64 { return math.Max(0, round1(p.Minimum-p.Total)) }

func round1(f float64) float64 { return math.Round(f*10) / 10 }

func (h *Handler) page(r *http.Request) (Page, error) {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	if u.MemberID == 0 {
		return Page{}, fmt.Errorf("me: account %d is not a member's: %w", u.AccountID, apperr.ErrNotFound)
	}
	now := time.Now().In(i18n.Shanghai)
	year := now.Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= now.Year() {
		year = y
	}
	p := Page{Year: year, Today: now, MemberID: u.MemberID}
	for y := now.Year(); y >= now.Year()-4; y-- {
		p.Years = append(p.Years, y)
	}
	rec, err := h.store.Record(ctx, u.MemberID, u.AccountID, year, now)
	if err != nil {
		return p, err
	}
	p.Record = rec
	p.Dues = rec.Dues
	for _, m := range p.Months {
		p.Total += m
	}
	p.Total = round1(rec.Study.Counted(p.Total))
	if rec.CalendarToken != "" {
		p.CalendarURL = baseURL(r) + "/calendar/" + rec.CalendarToken + ".ics"
	}
	return p, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// Me shows the signed-in member's own record for the chosen year.
func (h *Handler) Me(w http.ResponseWriter, r *http.Request) error {
	p, err := h.page(r)
	if err != nil {
		return err
	}
	if h.store.sealer != nil {
		c, err := h.store.openContact(p.PhoneSealed, p.EmailSealed)
		if err != nil {
			return err
		}
		p.Contact = &c
	}
	return ui.Render(w, r, http.StatusOK, MeView(p))
}

// Transcript shows the year's record as a one-page printable transcript.
func (h *Handler) Transcript(w http.ResponseWriter, r *http.Request) error {
	p, err := h.page(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, TranscriptView(p))
}

// ResetCalendar gives the user a new secret calendar address once they
// confirm that the old one will stop working.
func (h *Handler) ResetCalendar(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserOf(r.Context())
	if u.MemberID == 0 {
		return fmt.Errorf("me: account %d is not a member's: %w", u.AccountID, apperr.ErrNotFound)
	}
	if r.PostFormValue("confirm") != "yes" {
		return ui.RedirectRefused(w, r, "/me#calendar", "me.calendar.confirm_needed")
	}
	if _, err := h.store.ResetCalendarToken(r.Context(), u.AccountID); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/me#calendar", "me.calendar.reset_done")
}

// ContactPage is the form of the member's own phone and e-mail.
type ContactPage struct {
	Current Contact
	Form    ContactForm
}

func memberOf(r *http.Request) (*auth.User, error) {
	u := auth.UserOf(r.Context())
	if u.MemberID == 0 {
		return u, fmt.Errorf("me: account %d is not a member's: %w", u.AccountID, apperr.ErrNotFound)
	}
	return u, nil
}

// ContactForm shows the member's own phone (masked) and e-mail to change.
func (h *Handler) ContactForm(w http.ResponseWriter, r *http.Request) error {
	u, err := memberOf(r)
	if err != nil {
		return err
	}
	c, err := h.store.Contact(r.Context(), u.MemberID, u.AccountID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ContactView(ContactPage{Current: c, Form: ContactForm{Email: c.Email}}))
}

// SaveContact changes the signed-in member's own phone and e-mail; the
// member is the session's, never one named by the request.
func (h *Handler) SaveContact(w http.ResponseWriter, r *http.Request) error {
	u, err := memberOf(r)
	if err != nil {
		return err
	}
	f := ParseContact(r)
	if !f.Validate() {
		c, err := h.store.Contact(r.Context(), u.MemberID, u.AccountID)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, ContactView(ContactPage{Current: c, Form: f}))
	}
	changed, err := h.store.SaveContact(r.Context(), u.MemberID, u.AccountID, f)
	if err != nil {
		return err
	}
	if len(changed) == 0 {
		return ui.Redirect(w, r, "/me#contact", "selfadmin.contact.unchanged")
	}
	return ui.Redirect(w, r, "/me#contact", "selfadmin.contact.saved")
}
