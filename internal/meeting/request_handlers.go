package meeting

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
)

// WithPlannedHook sets what runs in the transaction that creates a
// planned meeting (the notifier's meeting notice).
func (h *Handler) WithPlannedHook(f func(ctx context.Context, tx pgx.Tx, meetingID int64) error) *Handler {
	h.store.onPlanned = f
	return h
}

// WithDecisionHook sets what runs in the deciding transaction of a leave
// or credit request (the notifier's message).
func (h *Handler) WithDecisionHook(f OnDecided) *Handler {
	h.onDecided = f
	return h
}

func memberOf(r *http.Request) (int64, error) {
	u := auth.UserOf(r.Context())
	if u.MemberID == 0 {
		return 0, fmt.Errorf("meeting: account %d is not a member's: %w", u.AccountID, apperr.ErrNotFound)
	}
	return u.MemberID, nil
}

// LeavePage is the member's leave request form for one meeting.
type LeavePage struct {
	Meeting DueMeeting
	Request *LeaveRequest
	Reason  string
	Errors  ui.Errors
	Closed  bool // the meeting has started or is no longer planned
}

func (h *Handler) leavePage(r *http.Request) (LeavePage, error) {
	memberID, err := memberOf(r)
	if err != nil {
		return LeavePage{}, err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return LeavePage{}, err
	}
	m, err := MeetingDueFor(r.Context(), h.store.pool, id, memberID)
	if err != nil {
		return LeavePage{}, err
	}
	req, err := h.store.LeaveOf(r.Context(), id, memberID)
	if err != nil {
		return LeavePage{}, err
	}
	return LeavePage{Meeting: m, Request: req, Closed: m.Status != StatusPlanned || !time.Now().Before(m.StartsAt)}, nil
}

// LeaveForm shows the member's leave request for a meeting they are due at.
func (h *Handler) LeaveForm(w http.ResponseWriter, r *http.Request) error {
	p, err := h.leavePage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, LeaveView(p))
}

// RequestLeave records the member's leave request, before the meeting.
func (h *Handler) RequestLeave(w http.ResponseWriter, r *http.Request) error {
	p, err := h.leavePage(r)
	if err != nil {
		return err
	}
	p.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	switch {
	case p.Closed:
		p.Errors.Add("reason", "leave.error.closed")
	case p.Reason == "":
		p.Errors.Add("reason", "meeting.error.required")
	case tooLong(p.Reason, 200):
		p.Errors.Add("reason", "meeting.error.too_long")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, LeaveView(p))
	}
	memberID, _ := memberOf(r)
	if _, err := h.store.RequestLeave(r.Context(), p.Meeting.ID, memberID, p.Reason, time.Now()); err != nil {
		if errors.Is(err, ErrTooLate) {
			p.Closed = true
			p.Errors.Add("reason", "leave.error.closed")
			return ui.Render(w, r, http.StatusUnprocessableEntity, LeaveView(p))
		}
		return err
	}
	return ui.Redirect(w, r, "/me/requests", "leave.flash.sent")
}

// ClaimForm is the member's credit claim as typed.
type ClaimForm struct {
	Title         string
	Kind          string
	Hours         string
	EarnedOn      string
	CertificateNo string
	Errors        ui.Errors
}

func (f *ClaimForm) validate(memberID int64, now time.Time, hasFile bool) CreditClaim {
	c := CreditClaim{MemberID: memberID, Title: f.Title, Kind: f.Kind, CertificateNo: f.CertificateNo}
	switch {
	case f.Title == "":
		f.Errors.Add("title", "meeting.error.required")
	case tooLong(f.Title, 200):
		f.Errors.Add("title", "meeting.error.too_long")
	}
	if !slices.Contains(RequestKinds, f.Kind) {
		f.Errors.Add("kind", "meeting.error.kind")
	}
	h, ok := ParseHours(f.Hours)
	if !ok || h <= 0 {
		f.Errors.Add("hours", "meeting.error.credit_hours")
	}
	c.Hours = h
	d, err := time.ParseInLocation(time.DateOnly, f.EarnedOn, i18n.Shanghai)
	switch {
	case err != nil || d.Year() < 2000:
		f.Errors.Add("earned_on", "meeting.error.date")
	case d.After(now):
		f.Errors.Add("earned_on", "meeting.error.future")
	}
	c.EarnedOn = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case f.CertificateNo == "" && !hasFile:
		f.Errors.Add("certificate_no", "credit.error.evidence")
	case tooLong(f.CertificateNo, 100):
		f.Errors.Add("certificate_no", "meeting.error.too_long")
	}
	return c
}

// NewClaim shows the member's credit claim form.
func (h *Handler) NewClaim(w http.ResponseWriter, r *http.Request) error {
	if _, err := memberOf(r); err != nil {
		return err
	}
	f := ClaimForm{Kind: "online", EarnedOn: time.Now().In(i18n.Shanghai).Format(time.DateOnly)}
	return ui.Render(w, r, http.StatusOK, ClaimView(f))
}

// CreateClaim records the member's credit claim for the secretary, with
// a certificate number or an evidence file (or both). The file's type is
// sniffed from its content; a refused file is named beside its field and
// the other fields are kept.
func (h *Handler) CreateClaim(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	defer upload.Cleanup(r)
	file, ferr := upload.Read(r, "file", upload.Documents)
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ClaimForm{Title: v("title"), Kind: v("kind"), Hours: v("hours"), EarnedOn: v("earned_on"), CertificateNo: v("certificate_no")}
	c := f.validate(memberID, time.Now(), ferr == nil)
	status := http.StatusUnprocessableEntity
	switch {
	case ferr == nil:
		c.FileName, c.FileType, c.FileData = file.Name, file.Type, file.Data
	case errors.Is(ferr, upload.ErrMissing):
	case errors.Is(ferr, upload.ErrTooLarge), errors.Is(ferr, upload.ErrBadType):
		f.Errors.Add("file", upload.Key(ferr))
		status = upload.Status(ferr)
	default:
		return ferr
	}
	if f.Errors.Any() {
		return ui.Render(w, r, status, ClaimView(f))
	}
	if _, err := h.store.RequestCredit(r.Context(), c); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/me/requests", "credit.flash.sent")
}

// RequestsPage lists leave and credit requests.
type RequestsPage struct {
	Leaves   []LeaveRequest
	Credits  []CreditRequest
	Decide   bool   // the secretary's page, with the decision buttons
	FileBase string // where each evidence file is opened: the branch's and reviewers' page, or the member's own
}

// MyRequests lists the member's own requests and their decisions.
func (h *Handler) MyRequests(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	l, c, err := h.store.MemberRequests(r.Context(), memberID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RequestsView(RequestsPage{Leaves: l, Credits: c, FileBase: "/me/credits/"}))
}

// Requests lists the requests of the branches the user may change (read
// only for those they may only read).
func (h *Handler) Requests(w http.ResponseWriter, r *http.Request) error {
	s := auth.ScopeOf(r.Context())
	l, c, err := h.store.Requests(r.Context(), s.ReadRoots())
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RequestsView(RequestsPage{Leaves: l, Credits: c, Decide: s.Writes(), FileBase: "/meetings/requests/credit/"}))
}

func decision(r *http.Request) (approve bool, note string, err error) {
	note = strings.TrimSpace(r.PostFormValue("note"))
	if tooLong(note, 200) {
		return false, "", fmt.Errorf("meeting: note too long: %w", apperr.ErrInvalid)
	}
	switch r.PostFormValue("decision") {
	case "approve":
		return true, note, nil
	case "refuse":
		return false, note, nil
	}
	return false, "", fmt.Errorf("meeting: bad decision %q: %w", r.PostFormValue("decision"), apperr.ErrInvalid)
}

// DecideLeave approves or refuses a leave request of the user's branch.
func (h *Handler) DecideLeave(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "rid")
	if err != nil {
		return err
	}
	l, err := h.store.GetLeave(r.Context(), id)
	if err != nil {
		return err
	}
	if err := auth.ScopeOf(r.Context()).CheckWrite(l.OrgPath); err != nil {
		return fmt.Errorf("meeting: leave %d: %w", id, err)
	}
	approve, note, err := decision(r)
	if err != nil {
		return err
	}
	if err := h.store.DecideLeave(r.Context(), id, approve, note, h.onDecided); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/meetings/requests", "requests.flash.decided")
}

// CreditFile sends a credit request's evidence file to whoever may read
// the member's branch (the secretary who decides, reviewers above), as a
// download; 404 outside the scope.
func (h *Handler) CreditFile(w http.ResponseWriter, r *http.Request) error {
	return h.sendCreditFile(w, r, func(c CreditRequest) error { return auth.ScopeOf(r.Context()).CheckRead(c.BranchPath) })
}

// OwnCreditFile sends a member the evidence file of their own credit
// request, as a download; anyone else's is 404.
func (h *Handler) OwnCreditFile(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	return h.sendCreditFile(w, r, func(c CreditRequest) error {
		if c.MemberID != memberID {
			return apperr.ErrNotFound // another member's
		}
		return nil
	})
}

// sendCreditFile sends the evidence file of the credit request in the
// path when allowed says the user may open it.
func (h *Handler) sendCreditFile(w http.ResponseWriter, r *http.Request, allowed func(CreditRequest) error) error {
	id, err := idParam(r, "rid")
	if err != nil {
		return err
	}
	c, err := h.store.GetCreditRequest(r.Context(), id)
	if err != nil {
		return err
	}
	if err := allowed(c); err != nil {
		return fmt.Errorf("meeting: credit file %d: %w", id, err)
	}
	name, ctype, data, err := h.store.CreditFile(r.Context(), id)
	if err != nil {
		return err
	}
	return upload.Serve(w, name, ctype, data, false)
}

// DecideCredit approves or refuses a credit request of the user's branch.
func (h *Handler) DecideCredit(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "rid")
	if err != nil {
		return err
	}
	c, err := h.store.GetCreditRequest(r.Context(), id)
	if err != nil {
		return err
	}
	if err := auth.ScopeOf(r.Context()).CheckWrite(c.BranchPath); err != nil {
		return fmt.Errorf("meeting: credit request %d: %w", id, err)
	}
	approve, note, err := decision(r)
	if err != nil {
		return err
	}
	if err := h.store.DecideCredit(r.Context(), id, approve, note, h.onDecided); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/meetings/requests", "requests.flash.decided")
}

// MissedMinutes shows the minutes of a meeting the member missed, with
// the confirmation of having read them.
func (h *Handler) MissedMinutes(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	mm, err := h.store.MissedFor(r.Context(), id, memberID)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, MinutesView(mm))
}

// ConfirmRead records that the member read the minutes.
func (h *Handler) ConfirmRead(w http.ResponseWriter, r *http.Request) error {
	memberID, err := memberOf(r)
	if err != nil {
		return err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := h.store.ConfirmRead(r.Context(), id, memberID); err != nil {
		return err
	}
	return ui.Redirect(w, r, "/me/meetings/"+strconv.FormatInt(id, 10), "minutes.flash.read")
}

func requestClass(status string) string {
	switch status {
	case RequestApproved:
		return "ok"
	case RequestRefused:
		return "bad"
	}
	return "warn"
}

func claimKindField(f ClaimForm) ui.Field {
	fl := ui.Field{Name: "kind", Label: "meeting.field.credit_kind", Value: f.Kind, Error: f.Errors["kind"], Required: true}
	for _, k := range RequestKinds {
		fl.Options = append(fl.Options, ui.Option{Value: k, Label: "meeting.credit_kind." + k})
	}
	return fl
}
