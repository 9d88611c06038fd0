package meeting

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/formtoken"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// PageSize is the length of one page of the meeting list.
const PageSize = 50

// Handler serves the meeting pages.
type Handler struct {
	store      *Store
	onDecided  OnDecided
	checkinKey Hasher
}

// New returns the meeting handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{store: NewStore(pool)} }

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("meeting: bad id %q: %w", chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

// load returns the meeting of the request when the user may read it; a
// meeting outside the user's scope does not exist for them.
func (h *Handler) load(r *http.Request) (Meeting, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return Meeting{}, err
	}
	m, err := h.store.Get(r.Context(), id)
	if err != nil {
		return Meeting{}, err
	}
	if err := auth.ScopeOf(r.Context()).CheckRead(m.OrgPath); err != nil {
		return Meeting{}, fmt.Errorf("meeting: %d: %w", id, err)
	}
	return m, nil
}

// loadWrite returns the meeting when the user may change it: 404 outside
// their scope, 403 when they may only read it.
func (h *Handler) loadWrite(r *http.Request) (Meeting, error) {
	m, err := h.load(r)
	if err != nil {
		return m, err
	}
	if err := auth.ScopeOf(r.Context()).CheckWrite(m.OrgPath); err != nil {
		return m, fmt.Errorf("meeting: %d: %w", m.ID, err)
	}
	return m, nil
}

func meetingURL(id int64, suffix string) string {
	return "/meetings/" + strconv.FormatInt(id, 10) + suffix
}

// ListPage is the meeting list's view model.
type ListPage struct {
	Items    []ListItem
	Pager    ui.Pager
	Kind     string
	Year     string
	Status   string
	Query    string
	Years    []int
	CanWrite bool
}

// List shows the meetings in the user's scope, filtered by kind, year,
// status and a search, 50 a page.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	s := auth.ScopeOf(r.Context())
	q := r.URL.Query()
	now := time.Now().In(i18n.Shanghai)
	p := ListPage{Kind: q.Get("kind"), Year: q.Get("year"), Status: q.Get("status"), Query: strings.TrimSpace(q.Get("q")), CanWrite: s.Writes()}
	if !slices.Contains(ListKinds, p.Kind) {
		p.Kind = ""
	}
	if !slices.Contains([]string{StatusPlanned, StatusDraft, StatusSubmitted}, p.Status) {
		p.Status = ""
	}
	year, err := strconv.Atoi(p.Year)
	if p.Year == "" || err != nil || year < 2000 || year > 2100 {
		year = 0
		if p.Year == "" {
			year = now.Year()
		}
		p.Year = strconv.Itoa(year)
		if year == 0 {
			p.Year = "all"
		}
	}
	for y := now.Year() + 1; y >= now.Year()-5; y-- {
		p.Years = append(p.Years, y)
	}
	sort := q.Get("sort")
	if _, ok := listOrders[sort]; !ok {
		sort = "date"
	}
	desc := q.Get("dir") == "desc" || (q.Get("sort") == "" && q.Get("dir") == "")
	p.Pager = ui.Pager{Page: ui.PageParam(q), PageSize: PageSize, Query: q, Path: "/meetings"}
	items, err := h.store.List(r.Context(), ListFilter{Roots: s.ReadRoots(), Kind: p.Kind, Year: year, Status: p.Status, Query: p.Query,
		Sort: sort, Desc: desc, Limit: PageSize, Offset: p.Pager.Offset()})
	if err != nil {
		return err
	}
	p.Items = items
	if len(items) > 0 {
		p.Pager.Total = items[0].Total
	}
	return ui.Render(w, r, http.StatusOK, ListView(p))
}

// FormPage is the meeting form's view model.
type FormPage struct {
	New        bool
	ID         int64
	Form       Form
	Orgs       []OrgOption
	Members    []Option
	WasPlanned bool
	// Saved is the newer record another person saved, after a conflict.
	Saved *Meeting
}

func (h *Handler) formPage(r *http.Request, f Form, isNew bool, id int64, wasPlanned bool) (FormPage, error) {
	s := auth.ScopeOf(r.Context())
	orgs, err := h.store.Orgs(r.Context(), s.WriteRoots())
	if err != nil {
		return FormPage{}, err
	}
	members, err := h.store.Members(r.Context(), s.WriteRoots())
	if err != nil {
		return FormPage{}, err
	}
	return FormPage{New: isNew, ID: id, Form: f, Orgs: orgs, Members: members, WasPlanned: wasPlanned}, nil
}

// NewForm shows an empty meeting form, filled with what is usual: the
// user's branch, today, the user as host.
func (h *Handler) NewForm(w http.ResponseWriter, r *http.Request) error {
	u := auth.UserOf(r.Context())
	if !auth.ScopeOf(r.Context()).Writes() {
		return fmt.Errorf("meeting: new: %w", apperr.ErrForbidden)
	}
	now := time.Now().In(i18n.Shanghai)
	q := r.URL.Query()
	day := now
	if now.Hour() < 9 {
		day = now.AddDate(0, 0, -1) // a meeting at 09:00 today has not been held yet
	}
	// Kind and status start on "请选择" so a careless save is refused, not
	// recorded as the first choice; a link may preselect them.
	f := Form{Date: day.Format(time.DateOnly),
		Start: "09:00", End: "10:30", StudyHours: "0", FormToken: formtoken.New()}
	if slices.Contains(Kinds, q.Get("kind")) {
		f.Kind = q.Get("kind")
	}
	switch q.Get("status") {
	case StatusPlanned:
		f.Status = StatusPlanned
		f.Date = now.AddDate(0, 0, 7).Format(time.DateOnly)
	case StatusDraft:
		f.Status = StatusDraft
	}
	if u.MemberID != 0 {
		f.HostID = strconv.FormatInt(u.MemberID, 10)
	}
	p, err := h.formPage(r, f, true, 0, true)
	if err != nil {
		return err
	}
	if len(p.Orgs) == 1 { // the only organisation the user may write
		p.Form.OrgID = idStr(p.Orgs[0].ID)
	}
	return ui.Render(w, r, http.StatusOK, FormView(p))
}

// Create saves a new meeting; a held one goes on to its attendance.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	if !auth.ScopeOf(r.Context()).Writes() {
		return fmt.Errorf("meeting: create: %w", apperr.ErrForbidden)
	}
	f := parseForm(r)
	p, err := h.formPage(r, f, true, 0, true)
	if err != nil {
		return err
	}
	in := p.Form.validate(p.Orgs, p.Members, time.Now(), true, "")
	if p.Form.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(p))
	}
	in.FormToken = p.Form.FormToken
	id, err := h.store.Create(r.Context(), in)
	if err != nil {
		return err
	}
	if in.Status == StatusDraft {
		return ui.Redirect(w, r, meetingURL(id, "/attendance"), "meeting.flash.created")
	}
	return ui.Redirect(w, r, meetingURL(id, ""), "meeting.flash.planned")
}

// ShowPage is one meeting's view model.
type ShowPage struct {
	M           Meeting
	Attendance  []Attendance
	Stats       Stats
	NoQuorum    bool
	Revisions   []Revision
	Attachments []AttachmentInfo
	Fixes       []Fix
	CanWrite    bool
	UploadError string // translation key
	SheetError  string // translation key, of the signed sheet's upload
}

func (h *Handler) showPage(r *http.Request, m Meeting) (ShowPage, error) {
	ctx := r.Context()
	att, err := h.store.AttendanceOf(ctx, m.ID)
	if err != nil {
		return ShowPage{}, err
	}
	revs, err := h.store.Revisions(ctx, m.ID)
	if err != nil {
		return ShowPage{}, err
	}
	files, err := h.store.Attachments(ctx, m.ID)
	if err != nil {
		return ShowPage{}, err
	}
	fixes, err := h.store.Fixes(ctx, m.ID)
	if err != nil {
		return ShowPage{}, err
	}
	return newShowPage(ctx, ShowData{M: m, Attendance: att, Revisions: revs, Attachments: files, Fixes: fixes}), nil
}

// loadShow reads the meeting of the request with all its page shows, in
// one round trip, and checks that the user may read it (404 if not).
func (h *Handler) loadShow(r *http.Request) (ShowPage, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return ShowPage{}, err
	}
	d, err := h.store.Show(r.Context(), id)
	if err != nil {
		return ShowPage{}, err
	}
	if err := auth.ScopeOf(r.Context()).CheckRead(d.M.OrgPath); err != nil {
		return ShowPage{}, fmt.Errorf("meeting: %d: %w", id, err)
	}
	return newShowPage(r.Context(), d), nil
}

func newShowPage(ctx context.Context, d ShowData) ShowPage {
	st := StatsOf(d.Attendance)
	return ShowPage{M: d.M, Attendance: d.Attendance, Stats: st, NoQuorum: NoQuorum(d.M.Kind, st), Revisions: d.Revisions,
		Attachments: d.Attachments, Fixes: d.Fixes, CanWrite: auth.ScopeOf(ctx).CanWrite(d.M.OrgPath)}
}

// Show shows one meeting with its attendance, minutes, revisions and files.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadShow(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ShowView(p))
}

// Print shows the meeting in the standard 会议记录 layout for printing.
func (h *Handler) Print(w http.ResponseWriter, r *http.Request) error {
	p, err := h.loadShow(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PrintView(p))
}

// EditForm shows the form of a meeting not yet submitted.
func (h *Handler) EditForm(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status == StatusSubmitted {
		return ui.Redirect(w, r, meetingURL(m.ID, "/correct"), "meeting.flash.locked")
	}
	f := formOf(m)
	if m.Status == StatusPlanned && r.URL.Query().Get("held") == "1" {
		f.Status = StatusDraft // 会议已召开: record it, then its attendance
	}
	p, err := h.formPage(r, f, false, m.ID, m.Status == StatusPlanned)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, FormView(p))
}

// Update saves the meeting form; a stale edit shows both versions.
func (h *Handler) Update(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status == StatusSubmitted {
		return ErrLocked
	}
	f := parseForm(r)
	p, err := h.formPage(r, f, false, m.ID, m.Status == StatusPlanned)
	if err != nil {
		return err
	}
	in := p.Form.validate(p.Orgs, p.Members, time.Now(), m.Status == StatusPlanned, m.Kind)
	if p.Form.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, FormView(p))
	}
	err = h.store.Update(r.Context(), m.ID, f.Version, in)
	if errors.Is(err, ErrLocked) {
		return err
	}
	if IsConflict(err) {
		saved, gerr := h.store.Get(r.Context(), m.ID)
		if gerr != nil {
			return gerr
		}
		p.Saved = &saved
		p.Form.Version = saved.Version
		return ui.Render(w, r, http.StatusConflict, FormView(p))
	}
	if err != nil {
		return err
	}
	if m.Status == StatusPlanned && in.Status == StatusDraft {
		return ui.Redirect(w, r, meetingURL(m.ID, "/attendance"), "meeting.flash.saved")
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.saved")
}

// SubmitPage is the confirmation before locking a meeting's record.
type SubmitPage struct {
	M        Meeting
	Stats    Stats
	NoQuorum bool
	Error    string // translation key
}

// SubmitForm asks for confirmation before the record is locked.
func (h *Handler) SubmitForm(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status != StatusDraft {
		return ui.Redirect(w, r, meetingURL(m.ID, ""), "")
	}
	att, err := h.store.AttendanceOf(r.Context(), m.ID)
	if err != nil {
		return err
	}
	st := StatsOf(att)
	return ui.Render(w, r, http.StatusOK, SubmitView(SubmitPage{M: m, Stats: st, NoQuorum: NoQuorum(m.Kind, st)}))
}

// Submit locks the record once the confirmation box is ticked.
func (h *Handler) Submit(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if r.PostFormValue("confirm") != "yes" {
		att, err := h.store.AttendanceOf(r.Context(), m.ID)
		if err != nil {
			return err
		}
		st := StatsOf(att)
		return ui.Render(w, r, http.StatusUnprocessableEntity, SubmitView(SubmitPage{M: m, Stats: st, NoQuorum: NoQuorum(m.Kind, st), Error: "meeting.error.confirm"}))
	}
	if err := h.store.Submit(r.Context(), m.ID, version); err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.submitted")
}

// CorrectPage is the form that corrects a submitted meeting's minutes.
type CorrectPage struct {
	M         Meeting
	Minutes   string
	Decisions string
	Reason    string
	Version   int
	Errors    ui.Errors
	Saved     *Meeting
}

// CorrectForm shows the correction form of a submitted meeting.
func (h *Handler) CorrectForm(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status != StatusSubmitted {
		return ui.Redirect(w, r, meetingURL(m.ID, "/edit"), "")
	}
	return ui.Render(w, r, http.StatusOK, CorrectView(CorrectPage{M: m, Minutes: m.Minutes, Decisions: m.Decisions, Version: m.Version}))
}

// Correct saves a correction with its reason, keeping the earlier text.
func (h *Handler) Correct(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	p := CorrectPage{M: m, Minutes: r.PostFormValue("minutes"), Decisions: r.PostFormValue("decisions"),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Version: version}
	switch {
	case p.Reason == "":
		p.Errors.Add("reason", "meeting.error.required")
	case tooLong(p.Reason, 500):
		p.Errors.Add("reason", "meeting.error.too_long")
	}
	if tooLong(p.Minutes, 100000) {
		p.Errors.Add("minutes", "meeting.error.too_long")
	}
	if tooLong(p.Decisions, 20000) {
		p.Errors.Add("decisions", "meeting.error.too_long")
	}
	if p.Minutes == m.Minutes && p.Decisions == m.Decisions && version == m.Version {
		p.Errors.Add("minutes", "meeting.error.unchanged")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, CorrectView(p))
	}
	err = h.store.Correct(r.Context(), m.ID, version, Correction{Minutes: p.Minutes, Decisions: p.Decisions, Reason: p.Reason})
	if IsConflict(err) && m.Status == StatusSubmitted {
		saved, gerr := h.store.Get(r.Context(), m.ID)
		if gerr != nil {
			return gerr
		}
		p.Saved = &saved
		p.Version = saved.Version
		return ui.Render(w, r, http.StatusConflict, CorrectView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.corrected")
}

// monthParam reads ?month=2026-11, defaulting to the current month.
func monthParam(q url.Values, now time.Time) time.Time {
	if t, err := time.ParseInLocation("2006-01", q.Get("month"), i18n.Shanghai); err == nil && t.Year() >= 2000 && t.Year() <= 2100 {
		return t
	}
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, i18n.Shanghai)
}
