package meeting

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// WithCheckinKey sets the keyed hash the sign-in codes are made with;
// without it the sign-in pages do not exist.
func (h *Handler) WithCheckinKey(k Hasher) *Handler {
	h.checkinKey = k
	return h
}

func (h *Handler) hasher() (Hasher, error) {
	if h.checkinKey == nil {
		return nil, fmt.Errorf("meeting: no sign-in key: %w", apperr.ErrNotFound)
	}
	return h.checkinKey, nil
}

// CheckinScreen is the secretary's sign-in screen for a meeting.
type CheckinScreen struct {
	Meeting  Meeting
	Code     string
	QRURL    string
	StateURL string
	Arrivals []Arrival
	Due      int
	Open     bool
	OpensAt  time.Time
}

func (h *Handler) checkinScreen(r *http.Request) (CheckinScreen, error) {
	k, err := h.hasher()
	if err != nil {
		return CheckinScreen{}, err
	}
	m, err := h.loadWrite(r)
	if err != nil {
		return CheckinScreen{}, err
	}
	now := time.Now()
	w := Window(now)
	open, err := CheckinOpenFor(r.Context(), h.store.pool)
	if err != nil {
		return CheckinScreen{}, err
	}
	p := CheckinScreen{Meeting: m, Code: Code(k, m.ID, w), QRURL: meetingURL(m.ID, "/checkin/qr.svg?w="+strconv.FormatInt(w, 10)),
		StateURL: meetingURL(m.ID, "/checkin/state"), Open: m.Status != StatusSubmitted && CheckinOpen(m.StartsAt, m.EndsAt, now, open),
		OpensAt: m.StartsAt.Add(-open)}
	p.Arrivals, p.Due, err = h.store.Arrivals(r.Context(), m)
	return p, err
}

// Checkin shows the sign-in screen (for a projector or a tablet at the
// door): the QR code, the six-digit code and the arrivals.
func (h *Handler) Checkin(w http.ResponseWriter, r *http.Request) error {
	p, err := h.checkinScreen(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, CheckinView(p))
}

// CheckinQR draws the current window's QR code: the member's sign-in
// address with the code.
func (h *Handler) CheckinQR(w http.ResponseWriter, r *http.Request) error {
	k, err := h.hasher()
	if err != nil {
		return err
	}
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	code := Code(k, m.ID, Window(time.Now()))
	svg, err := QRSVG(baseURL(r) + "/checkin/" + strconv.FormatInt(m.ID, 10) + "?code=" + code)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(svg))
	return err
}

type checkinState struct {
	Code     string          `json:"code"`
	QR       string          `json:"qr"`
	Count    string          `json:"count"`
	Arrivals []arrivalOfJSON `json:"arrivals"`
}

type arrivalOfJSON struct {
	Name string `json:"name"`
	At   string `json:"at"`
}

// CheckinState is what the sign-in screen polls: the code and arrivals.
func (h *Handler) CheckinState(w http.ResponseWriter, r *http.Request) error {
	p, err := h.checkinScreen(r)
	if err != nil {
		return err
	}
	s := checkinState{Code: p.Code, QR: p.QRURL, Count: ui.T(r.Context(), "checkin.count", len(p.Arrivals), p.Due), Arrivals: []arrivalOfJSON{}}
	for _, a := range p.Arrivals {
		s.Arrivals = append(s.Arrivals, arrivalOfJSON{Name: a.Name, At: a.At.In(i18n.Shanghai).Format("15:04:05")})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(s)
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// SignInPage is a member's sign-in page: the meetings open now, or one
// meeting with the code from its QR code.
type SignInPage struct {
	Meetings []CalendarItem
	Meeting  *CalendarItem
	Code     string
	Error    string // translation key
	Done     bool
}

// SignInForm shows the member's sign-in: from a scanned QR code (the code
// filled in, one button), or the meetings open now with a field for the
// six-digit code.
func (h *Handler) SignInForm(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	items, err := h.store.CurrentFor(r.Context(), memberID, time.Now())
	if err != nil {
		return err
	}
	p := SignInPage{Meetings: items, Code: strings.TrimSpace(r.URL.Query().Get("code"))}
	if id := chi.URLParam(r, "id"); id != "" {
		if mid, err := idParam(r, "id"); err == nil {
			for i := range items {
				if items[i].ID == mid {
					p.Meeting = &items[i]
				}
			}
		}
		if p.Meeting == nil {
			p.Error = "checkin.error.closed"
		}
	}
	return ui.Render(w, r, http.StatusOK, SignInView(p))
}

// SignIn marks the member present with the code; refusals say why.
func (h *Handler) SignIn(w http.ResponseWriter, r *http.Request) error {
	k, err := h.hasher()
	if err != nil {
		return err
	}
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	method := "code"
	if r.PostFormValue("method") == "qr" {
		method = "qr"
	}
	_, err = h.store.SignIn(r.Context(), k, id, memberID, code, method, time.Now())
	key := ""
	switch {
	case errors.Is(err, ErrCheckinClosed):
		key = "checkin.error.closed"
	case errors.Is(err, ErrCheckinCode):
		key = "checkin.error.code"
	case errors.Is(err, ErrNotDue), errors.Is(err, apperr.ErrNotFound):
		key = "checkin.error.not_due"
	case err != nil:
		return err
	}
	items, lerr := h.store.CurrentFor(r.Context(), memberID, time.Now())
	if lerr != nil {
		return lerr
	}
	p := SignInPage{Meetings: items, Code: code, Error: key, Done: key == ""}
	for i := range items {
		if items[i].ID == id {
			p.Meeting = &items[i]
		}
	}
	if key != "" {
		return ui.Render(w, r, http.StatusUnprocessableEntity, SignInView(p))
	}
	return ui.Render(w, r, http.StatusOK, SignInView(p))
}

func codeFor(p SignInPage, id int64) string {
	if p.Meeting != nil && p.Meeting.ID == id {
		return p.Code
	}
	return ""
}
