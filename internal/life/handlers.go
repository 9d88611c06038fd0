package life

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves the life-meeting and rectification pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the life-meeting handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

// Enumerations shown in forms.
var (
	stepKinds    = []string{"study", "opinions", "talks", "self_exam", "other"}
	sourceTypes  = []string{"members", "masses", "superior", "discipline", "other"}
	attendances  = []string{"present", "leave", "absent"}
	itemStatuses = []string{"open", "in_progress", "done"}
)

func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("life: bad %s %q: %w", name, chi.URLParam(r, name), apperr.ErrNotFound)
	}
	return id, nil
}

func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), time.UTC)
	return t, err == nil
}

func dateValue(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

func oneOf(v string, list []string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// load reads a life meeting the user may read (404 otherwise).
func (h *Handler) load(ctx context.Context, id int64) (Life, error) {
	l, err := Get(ctx, h.pool, id)
	if err != nil {
		return l, err
	}
	if err := auth.ScopeOf(ctx).CheckRead(l.OrgPath); err != nil {
		return l, fmt.Errorf("life: %d: %w", id, err)
	}
	return l, nil
}

// loadWritable reads a life meeting the user may change: 404 outside the
// read scope, 403 when read-only or submitted.
func (h *Handler) loadWritable(ctx context.Context, id int64) (Life, error) {
	l, err := h.load(ctx, id)
	if err != nil {
		return l, err
	}
	if s := auth.ScopeOf(ctx); !CanWrite(s, l.Kind, l.OrgPath) {
		return l, fmt.Errorf("life: %d read-only for the user: %w", id, apperr.ErrForbidden)
	}
	if l.Locked() {
		return l, fmt.Errorf("life: %d is submitted: %w", id, apperr.ErrForbidden)
	}
	return l, nil
}

// List shows the life meetings in the user's scope.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	year, _ := strconv.Atoi(q.Get("year"))
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/life"}
	status := q.Get("status")
	if !oneOf(status, []string{StatusPreparing, StatusHeld, StatusSubmitted}) {
		status = ""
	}
	rows, total, err := List(ctx, h.pool, ListFilter{Roots: s.ReadRoots(), Year: year, Status: status, Search: strings.TrimSpace(q.Get("q")),
		Sort: q.Get("sort"), Desc: q.Get("dir") == "desc", Limit: pageSize, Offset: p.Offset()})
	if err != nil {
		return err
	}
	p.Total = total
	orgs, err := WritableOrgs(ctx, h.pool, s)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Rows: rows, Pager: p, Year: q.Get("year"), Status: status, Search: q.Get("q"), CanCreate: len(orgs) > 0}))
}

// NewForm is the set-up form's input.
type NewForm struct {
	OrgID  string
	Year   string
	Theme  string
	Errors ui.Errors
	Orgs   []OrgChoice
}

// NewPage shows the set-up form.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgs, err := WritableOrgs(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return fmt.Errorf("life: no organisation to set up for: %w", apperr.ErrForbidden)
	}
	f := NewForm{Year: strconv.Itoa(today().Year()), Orgs: orgs}
	if len(orgs) == 1 {
		f.OrgID = orgs[0].Value()
	}
	if g := r.URL.Query().Get("group"); g != "" {
		f.OrgID = "g" + g
	}
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// Create sets up the year's meeting.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgs, err := WritableOrgs(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return err
	}
	f := NewForm{OrgID: r.PostFormValue("org_id"), Year: strings.TrimSpace(r.PostFormValue("year")), Theme: strings.TrimSpace(r.PostFormValue("theme")), Orgs: orgs}
	var in NewLife
	for _, o := range orgs {
		if o.Value() == f.OrgID {
			in.OrgID, in.GroupID = o.ID, o.GroupID
		}
	}
	if in.OrgID == 0 {
		f.Errors.Add("org_id", "life.error.org")
	}
	if y, err := strconv.Atoi(f.Year); err != nil || y < 2000 || y > 2100 {
		f.Errors.Add("year", "life.error.year")
	} else {
		in.Year = y
	}
	if f.Theme == "" || tooLong(f.Theme, 300) {
		f.Errors.Add("theme", "life.error.theme")
	}
	in.Theme = f.Theme
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	id, err := h.store.Create(ctx, in)
	if err != nil && isConflict(err) {
		f.Errors.Add("year", "life.error.exists")
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d", id), "life.flash.created")
}

// SectionForms holds the inline forms of the detail page with the user's
// input and messages when one of them failed.
type SectionForms struct {
	StepKind, StepDoneOn, StepEvidence         string
	OpinionSource, OpinionContent, OpinionDate string
	CritFrom, CritTo, CritContent              string
	ItemProblem, ItemMeasure, ItemOwner        string
	ItemDeadline, NewParticipant               string
	Errors                                     ui.Errors
}

// DetailPage is the view model of a life meeting's page.
type DetailPage struct {
	D          Detail
	CanWrite   bool
	Forms      SectionForms
	Candidates []Candidate
}

// Show displays a life meeting with all its sections.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	return h.renderDetail(w, r, http.StatusOK, SectionForms{})
}

func (h *Handler) renderDetail(w http.ResponseWriter, r *http.Request, status int, forms SectionForms) error {
	ctx := r.Context()
	l, d, err := h.detail(r, false)
	if err != nil {
		return err
	}
	p := DetailPage{D: d, CanWrite: CanWrite(auth.ScopeOf(ctx), l.Kind, l.OrgPath) && !l.Locked(), Forms: forms}
	if p.CanWrite {
		if p.Candidates, err = Candidates(ctx, h.pool, l); err != nil {
			return err
		}
	}
	return ui.Render(w, r, status, DetailView(p))
}

// writable reads the life meeting of the request for a change.
func (h *Handler) writable(r *http.Request) (Life, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return Life{}, err
	}
	return h.loadWritable(r.Context(), id)
}

// detail reads the life meeting of the request with its sections; for a
// change (write) the user must be allowed to change it.
func (h *Handler) detail(r *http.Request, write bool) (Life, Detail, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return Life{}, Detail{}, err
	}
	load := h.load
	if write {
		load = h.loadWritable
	}
	l, err := load(r.Context(), id)
	if err != nil {
		return l, Detail{}, err
	}
	d, err := Load(r.Context(), h.pool, l.ID)
	return l, d, err
}

// section handles one inline form of the detail page. check reads the
// request's forms (f), puts a message beside each bad field and returns
// the change to make. With a message the page is shown again (422) with
// the user's input; otherwise the store makes the change and the user goes
// back to the section (anchor).
func (h *Handler) section(w http.ResponseWriter, r *http.Request, anchor string,
	check func(ctx context.Context, l Life, f *SectionForms) (func() error, error)) error {
	l, err := h.writable(r)
	if err != nil {
		return err
	}
	f := formsFrom(r)
	change, err := check(r.Context(), l, &f)
	if err != nil {
		return err
	}
	if f.Errors.Any() {
		return h.renderDetail(w, r, http.StatusUnprocessableEntity, f)
	}
	if err := change(); err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d#%s", l.ID, anchor), "life.flash.saved")
}

func formsFrom(r *http.Request) SectionForms {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return SectionForms{
		StepKind: v("kind"), StepDoneOn: v("done_on"), StepEvidence: v("evidence"),
		OpinionSource: v("source_type"), OpinionContent: v("content"), OpinionDate: v("received_on"),
		CritFrom: v("from_id"), CritTo: v("to_id"), CritContent: v("content"),
		ItemProblem: v("problem"), ItemMeasure: v("measure"), ItemOwner: v("owner_id"), ItemDeadline: v("deadline"),
		NewParticipant: v("member_id"),
	}
}

// AddStep records a preparation step.
func (h *Handler) AddStep(w http.ResponseWriter, r *http.Request) error {
	return h.section(w, r, "steps", func(ctx context.Context, l Life, f *SectionForms) (func() error, error) {
		in := StepInput{Kind: f.StepKind, Evidence: f.StepEvidence}
		if !oneOf(in.Kind, stepKinds) {
			f.Errors.Add("kind", "life.error.step_kind")
		}
		d, ok := parseDate(f.StepDoneOn)
		if !ok {
			f.Errors.Add("done_on", "life.error.date")
		}
		in.DoneOn = d
		if in.Evidence == "" || tooLong(in.Evidence, 2000) {
			f.Errors.Add("evidence", "life.error.evidence")
		}
		return func() error { return h.store.AddStep(ctx, l.ID, in) }, nil
	})
}

// AddOpinion records a solicited opinion.
func (h *Handler) AddOpinion(w http.ResponseWriter, r *http.Request) error {
	return h.section(w, r, "opinions", func(ctx context.Context, l Life, f *SectionForms) (func() error, error) {
		in := OpinionInput{SourceType: f.OpinionSource, Content: f.OpinionContent}
		if !oneOf(in.SourceType, sourceTypes) {
			f.Errors.Add("source_type", "life.error.source_type")
		}
		if in.Content == "" || tooLong(in.Content, 2000) {
			f.Errors.Add("opinion_content", "life.error.content")
		}
		d, ok := parseDate(f.OpinionDate)
		if !ok {
			f.Errors.Add("received_on", "life.error.date")
		}
		in.ReceivedOn = d
		f.CritContent = ""
		return func() error { return h.store.AddOpinion(ctx, l.ID, in) }, nil
	})
}

// AddCriticism records a criticism given by one participant to another.
func (h *Handler) AddCriticism(w http.ResponseWriter, r *http.Request) error {
	return h.section(w, r, "criticisms", func(ctx context.Context, l Life, f *SectionForms) (func() error, error) {
		id := l.ID
		f.OpinionContent = ""
		in := CriticismInput{Content: f.CritContent}
		in.FromID, _ = strconv.ParseInt(f.CritFrom, 10, 64)
		in.ToID, _ = strconv.ParseInt(f.CritTo, 10, 64)
		if ok, err := isParticipant(ctx, h.pool, id, in.FromID); err != nil {
			return nil, err
		} else if !ok {
			f.Errors.Add("from_id", "life.error.participant")
		}
		if ok, err := isParticipant(ctx, h.pool, id, in.ToID); err != nil {
			return nil, err
		} else if !ok {
			f.Errors.Add("to_id", "life.error.participant")
		} else if in.ToID == in.FromID {
			f.Errors.Add("to_id", "life.error.self")
		}
		if in.Content == "" || tooLong(in.Content, 5000) {
			f.Errors.Add("crit_content", "life.error.content")
		}
		return func() error { return h.store.AddCriticism(ctx, l.ID, in) }, nil
	})
}

// AddItem puts an item on the rectification list.
func (h *Handler) AddItem(w http.ResponseWriter, r *http.Request) error {
	return h.section(w, r, "items", func(ctx context.Context, l Life, f *SectionForms) (func() error, error) {
		id := l.ID
		in := ItemInput{Problem: f.ItemProblem, Measure: f.ItemMeasure}
		if in.Problem == "" || tooLong(in.Problem, 1000) {
			f.Errors.Add("problem", "life.error.problem")
		}
		if in.Measure == "" || tooLong(in.Measure, 2000) {
			f.Errors.Add("measure", "life.error.measure")
		}
		in.OwnerID, _ = strconv.ParseInt(f.ItemOwner, 10, 64)
		if ok, err := isParticipant(ctx, h.pool, id, in.OwnerID); err != nil {
			return nil, err
		} else if !ok {
			f.Errors.Add("owner_id", "life.error.participant")
		}
		d, ok := parseDate(f.ItemDeadline)
		if !ok {
			f.Errors.Add("deadline", "life.error.date")
		}
		in.Deadline = d
		return func() error { return h.store.AddItem(ctx, l, in) }, nil
	})
}

// ParticipantForm is the form of one participant's own material.
type ParticipantForm struct {
	Life          Life
	P             Participant
	SelfExamOn    string
	SelfCriticism string
	Version       string
	Errors        ui.Errors
	// Newer is the saved material when the user's edit came too late.
	Newer *Participant
}

func (h *Handler) participant(r *http.Request) (Life, Participant, error) {
	mid, err := idParam(r, "member")
	if err != nil {
		return Life{}, Participant{}, err
	}
	l, d, err := h.detail(r, true)
	if err != nil {
		return l, Participant{}, err
	}
	for _, p := range d.Participants {
		if p.MemberID == mid {
			return l, p, nil
		}
	}
	return l, Participant{}, fmt.Errorf("life: member %d not in %d: %w", mid, l.ID, apperr.ErrNotFound)
}

// ParticipantPage shows the form of a participant's self-examination and
// self-criticism.
func (h *Handler) ParticipantPage(w http.ResponseWriter, r *http.Request) error {
	l, p, err := h.participant(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, ParticipantView(ParticipantForm{Life: l, P: p, SelfExamOn: dateValue(p.SelfExamOn), SelfCriticism: p.SelfCriticism, Version: strconv.Itoa(p.Version)}))
}

// SaveParticipant stores a participant's material.
func (h *Handler) SaveParticipant(w http.ResponseWriter, r *http.Request) error {
	l, p, err := h.participant(r)
	if err != nil {
		return err
	}
	f := ParticipantForm{Life: l, P: p, SelfExamOn: strings.TrimSpace(r.PostFormValue("self_exam_on")), SelfCriticism: strings.TrimSpace(r.PostFormValue("self_criticism")),
		Version: r.PostFormValue("version")}
	in := ParticipantInput{MemberID: p.MemberID, SelfCriticism: f.SelfCriticism}
	if f.SelfExamOn != "" {
		d, ok := parseDate(f.SelfExamOn)
		if !ok {
			f.Errors.Add("self_exam_on", "life.error.date")
		}
		in.SelfExamOn = &d
	}
	if tooLong(f.SelfCriticism, 20000) {
		f.Errors.Add("self_criticism", "life.error.too_long")
	}
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("self_criticism", "life.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ParticipantView(f))
	}
	ctx := r.Context()
	err = h.store.SaveParticipant(ctx, l.ID, version, in)
	if isConflict(err) {
		f.Newer, f.Version = &p, strconv.Itoa(p.Version)
		return ui.Render(w, r, http.StatusConflict, ParticipantView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d#participants", l.ID), "life.flash.saved")
}

// HoldForm is the form of the meeting itself and its attendance.
type HoldForm struct {
	Life         Life
	Participants []Participant
	Date, Time   string
	Hours, Place string
	Status       map[int64]string
	Reason       map[int64]string
	Version      string // of the meetings row; "0" before it exists
	Conflict     bool
	Errors       ui.Errors
	RowErrors    map[int64]string
}

// HoldPage shows the meeting and attendance form.
func (h *Handler) HoldPage(w http.ResponseWriter, r *http.Request) error {
	l, d, err := h.detail(r, true)
	if err != nil {
		return err
	}
	f := HoldForm{Life: l, Participants: d.Participants, Hours: "3", Status: map[int64]string{}, Reason: map[int64]string{}, Version: meetingVersion(l), RowErrors: map[int64]string{}}
	if l.StartsAt != nil {
		t := l.StartsAt.In(i18n.Shanghai)
		f.Date, f.Time = t.Format("2006-01-02"), t.Format("15:04")
	} else {
		f.Time = "09:00"
	}
	if l.Place != nil {
		f.Place = *l.Place
	}
	day := today()
	if l.StartsAt != nil {
		day = l.StartsAt.In(i18n.Shanghai)
	}
	// A leadership group's meeting: those due are its members that day.
	if d.Participants, err = DueOn(r.Context(), h.pool, d, day); err != nil {
		return err
	}
	f.Participants = d.Participants
	for _, p := range d.Participants {
		f.Status[p.MemberID] = "present"
		if p.Attendance != nil {
			f.Status[p.MemberID] = *p.Attendance
		}
		if p.Reason != nil {
			f.Reason[p.MemberID] = *p.Reason
		}
	}
	return ui.Render(w, r, http.StatusOK, HoldView(f))
}

// Hold records the meeting and its attendance.
func (h *Handler) Hold(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l, d, err := h.detail(r, true)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := HoldForm{Life: l, Participants: d.Participants, Date: v("date"), Time: v("time"), Hours: v("hours"), Place: v("place"),
		Status: map[int64]string{}, Reason: map[int64]string{}, Version: v("version"), RowErrors: map[int64]string{}}
	in := HoldInput{Place: f.Place, Attendance: map[int64]AttendanceInput{}}
	if in.MeetingVersion, err = strconv.Atoi(f.Version); err != nil {
		f.Errors.Add("date", "life.error.changed")
	}
	start, err := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Time, i18n.Shanghai)
	if err != nil {
		f.Errors.Add("date", "life.error.datetime")
	}
	in.StartsAt = start
	if !start.IsZero() {
		// A leadership group's meeting: those due are its members that day.
		if d.Participants, err = DueOn(ctx, h.pool, d, start); err != nil {
			return err
		}
		f.Participants = d.Participants
	}
	hours, err := strconv.ParseFloat(f.Hours, 64)
	if err != nil || hours <= 0 || hours > 24 {
		f.Errors.Add("hours", "life.error.hours")
	}
	in.Hours = hours
	if tooLong(f.Place, 200) {
		f.Errors.Add("place", "life.error.too_long")
	}
	for _, p := range d.Participants {
		key := strconv.FormatInt(p.MemberID, 10)
		st, reason := v("status_"+key), v("reason_"+key)
		f.Status[p.MemberID], f.Reason[p.MemberID] = st, reason
		switch {
		case !oneOf(st, attendances):
			f.RowErrors[p.MemberID] = "life.error.attendance"
		case st == "leave" && reason == "":
			f.RowErrors[p.MemberID] = "life.error.leave_reason"
		case tooLong(reason, 200):
			f.RowErrors[p.MemberID] = "life.error.too_long"
		}
		in.Attendance[p.MemberID] = AttendanceInput{Status: st, Reason: reason}
	}
	if len(f.RowErrors) > 0 {
		f.Errors.Add("attendance", "life.error.attendance")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, HoldView(f))
	}
	err = h.store.Hold(ctx, l, in)
	if isConflict(err) {
		f.Conflict, f.Version = true, meetingVersion(l)
		return ui.Render(w, r, http.StatusConflict, HoldView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d#meeting", l.ID), "life.flash.held")
}

// SubmitPage is the confirmation step before the record is locked.
type SubmitPage struct {
	D        Detail
	Warnings []string // translation keys
	Error    string
}

func submitWarnings(d Detail) []string {
	var out []string
	if d.QuorumShort() {
		out = append(out, "life.warn.quorum")
	}
	missingExam, missingSelf := false, false
	for _, p := range d.Participants {
		if p.SelfExamOn == nil {
			missingExam = true
		}
		if p.SelfCriticism == "" && p.Attendance != nil && *p.Attendance == "present" {
			missingSelf = true
		}
	}
	if missingExam {
		out = append(out, "life.warn.self_exam")
	}
	if missingSelf {
		out = append(out, "life.warn.self_criticism")
	}
	if len(d.Items) == 0 {
		out = append(out, "life.warn.no_items")
	}
	return out
}

// ConfirmSubmit shows what will be submitted and asks for confirmation.
func (h *Handler) ConfirmSubmit(w http.ResponseWriter, r *http.Request) error {
	_, d, err := h.detail(r, true)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, SubmitView(SubmitPage{D: d, Warnings: submitWarnings(d)}))
}

// Submit locks the record and reports it to the committee.
func (h *Handler) Submit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l, d, err := h.detail(r, true)
	if err != nil {
		return err
	}
	p := SubmitPage{D: d, Warnings: submitWarnings(d)}
	if l.Status != StatusHeld {
		p.Error = "life.error.not_held"
		return ui.Render(w, r, http.StatusUnprocessableEntity, SubmitView(p))
	}
	if r.PostFormValue("confirm") != "yes" {
		p.Error = "life.error.confirm"
		return ui.Render(w, r, http.StatusUnprocessableEntity, SubmitView(p))
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := h.store.Submit(ctx, l.ID, version); err != nil {
		if isConflict(err) {
			p.Error = "life.error.changed"
			return ui.Render(w, r, http.StatusConflict, SubmitView(p))
		}
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d", l.ID), "life.flash.submitted")
}

// Print shows the whole record as one printable document.
func (h *Handler) Print(w http.ResponseWriter, r *http.Request) error {
	_, d, err := h.detail(r, false)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PrintView(d))
}

// ItemsPage is the rectification list across the user's scope.
type ItemsPage struct {
	Items  []Item
	Pager  ui.Pager
	Status string
	Search string
}

// Items lists the rectification items in the user's scope, overdue first.
func (h *Handler) Items(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	status := q.Get("status")
	if status != "overdue" && !oneOf(status, itemStatuses) {
		status = ""
	}
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/rectification"}
	items, total, err := ListItems(ctx, h.pool, ItemFilter{Roots: auth.ScopeOf(ctx).ReadRoots(), Status: status, Search: strings.TrimSpace(q.Get("q")),
		Sort: q.Get("sort"), Desc: q.Get("dir") == "desc", Limit: pageSize, Offset: p.Offset()})
	if err != nil {
		return err
	}
	p.Total = total
	return ui.Render(w, r, http.StatusOK, ItemsView(ItemsPage{Items: items, Pager: p, Status: status, Search: q.Get("q")}))
}

// ItemForm is the progress form of a rectification item.
type ItemForm struct {
	Item     Item
	CanWrite bool
	Status   string
	DoneOn   string
	Evidence string
	Version  string
	Errors   ui.Errors
	// Newer is the saved item when the user's edit came too late.
	Newer *Item
}

func (h *Handler) item(r *http.Request) (Item, bool, error) {
	ctx := r.Context()
	id, err := idParam(r, "id")
	if err != nil {
		return Item{}, false, err
	}
	it, path, err := GetItem(ctx, h.pool, id)
	if err != nil {
		return it, false, err
	}
	s := auth.ScopeOf(ctx)
	if err := s.CheckRead(path); err != nil {
		return it, false, fmt.Errorf("life: item %d: %w", id, err)
	}
	kind := KindOrgLife
	if it.LifeKind != nil {
		kind = *it.LifeKind
	}
	return it, CanWrite(s, kind, path), nil
}

// ItemPage shows a rectification item with its progress form.
func (h *Handler) ItemPage(w http.ResponseWriter, r *http.Request) error {
	it, canWrite, err := h.item(r)
	if err != nil {
		return err
	}
	f := ItemForm{Item: it, CanWrite: canWrite, Status: it.Status, DoneOn: dateValue(it.DoneOn), Evidence: it.Evidence, Version: strconv.Itoa(it.Version)}
	return ui.Render(w, r, http.StatusOK, ItemView(f))
}

// UpdateItem records progress on a rectification item.
func (h *Handler) UpdateItem(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	it, canWrite, err := h.item(r)
	if err != nil {
		return err
	}
	if !canWrite {
		return fmt.Errorf("life: item %d read-only: %w", it.ID, apperr.ErrForbidden)
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := ItemForm{Item: it, CanWrite: true, Status: v("status"), DoneOn: v("done_on"), Evidence: v("evidence"), Version: v("version")}
	in := ItemUpdate{Status: f.Status, Evidence: f.Evidence}
	if !oneOf(f.Status, itemStatuses) {
		f.Errors.Add("status", "life.error.item_status")
	}
	if f.Status == "done" {
		d, ok := parseDate(f.DoneOn)
		if !ok {
			f.Errors.Add("done_on", "life.error.done_on")
		} else if d.After(today()) {
			f.Errors.Add("done_on", "life.error.future")
		}
		in.DoneOn = &d
		if f.Evidence == "" {
			f.Errors.Add("evidence", "life.error.evidence")
		}
	} else if f.DoneOn != "" {
		f.Errors.Add("done_on", "life.error.done_on_not_done")
	}
	if tooLong(f.Evidence, 2000) {
		f.Errors.Add("evidence", "life.error.too_long")
	}
	version, err := strconv.Atoi(f.Version)
	if err != nil {
		f.Errors.Add("status", "life.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, ItemView(f))
	}
	err = h.store.UpdateItem(ctx, it, version, in)
	if isConflict(err) {
		newer, _, gerr := GetItem(ctx, h.pool, it.ID)
		if gerr != nil {
			return gerr
		}
		f.Item, f.Newer, f.Version = newer, &newer, strconv.Itoa(newer.Version)
		return ui.Render(w, r, http.StatusConflict, ItemView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/rectification/%d", it.ID), "life.flash.saved")
}

func isConflict(err error) bool { return errors.Is(err, apperr.ErrConflict) }

// AddParticipant adds a member of the organisation to the participants.
func (h *Handler) AddParticipant(w http.ResponseWriter, r *http.Request) error {
	return h.section(w, r, "participants", func(ctx context.Context, l Life, f *SectionForms) (func() error, error) {
		cands, err := Candidates(ctx, h.pool, l)
		if err != nil {
			return nil, err
		}
		memberID, _ := strconv.ParseInt(f.NewParticipant, 10, 64)
		if !slices.ContainsFunc(cands, func(c Candidate) bool { return c.ID == memberID }) {
			f.Errors.Add("member_id", "life.error.candidate")
		}
		return func() error { return h.store.AddParticipant(ctx, l.ID, memberID) }, nil
	})
}

// RemovePage is the confirmation step before a participant is removed.
type RemovePage struct {
	Life  Life
	P     Participant
	Error string
}

// ConfirmRemove asks before a participant is removed.
func (h *Handler) ConfirmRemove(w http.ResponseWriter, r *http.Request) error {
	l, p, err := h.participant(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, RemoveView(RemovePage{Life: l, P: p}))
}

// RemoveParticipant takes a member off the participants after confirmation.
func (h *Handler) RemoveParticipant(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l, p, err := h.participant(r)
	if err != nil {
		return err
	}
	page := RemovePage{Life: l, P: p}
	if r.PostFormValue("confirm") != "yes" {
		page.Error = "life.error.confirm_remove"
		return ui.Render(w, r, http.StatusUnprocessableEntity, RemoveView(page))
	}
	err = h.store.RemoveParticipant(ctx, l, p.MemberID)
	if errors.Is(err, ErrInUse) {
		page.Error = "life.error.in_use"
		return ui.Render(w, r, http.StatusUnprocessableEntity, RemoveView(page))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d#participants", l.ID), "life.flash.removed")
}

// EditForm is the form of a life meeting's theme.
type EditForm struct {
	Life    Life
	Theme   string
	Version string
	Errors  ui.Errors
	// Newer is the saved record when the user's edit came too late.
	Newer *Life
}

// EditPage shows the theme form.
func (h *Handler) EditPage(w http.ResponseWriter, r *http.Request) error {
	l, err := h.writable(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, EditView(EditForm{Life: l, Theme: l.Theme, Version: strconv.Itoa(l.Version)}))
}

// Edit saves the theme; a stale version re-renders the form with 409.
func (h *Handler) Edit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	l, err := h.writable(r)
	if err != nil {
		return err
	}
	f := EditForm{Life: l, Theme: strings.TrimSpace(r.PostFormValue("theme")), Version: r.PostFormValue("version")}
	if f.Theme == "" || tooLong(f.Theme, 300) {
		f.Errors.Add("theme", "life.error.theme")
	}
	version, verr := strconv.Atoi(f.Version)
	if verr != nil {
		f.Errors.Add("theme", "life.error.changed")
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, EditView(f))
	}
	err = h.store.UpdateTheme(ctx, l, version, f.Theme)
	if isConflict(err) {
		f.Newer, f.Version = &l, strconv.Itoa(l.Version)
		return ui.Render(w, r, http.StatusConflict, EditView(f))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, fmt.Sprintf("/life/%d", l.ID), "life.flash.saved")
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func meetingVersion(l Life) string {
	if l.MeetingVersion == nil {
		return "0"
	}
	return strconv.Itoa(*l.MeetingVersion)
}
