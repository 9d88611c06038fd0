package meeting

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// AttendanceFixPage is the form that corrects one person's attendance at
// a submitted meeting.
type AttendanceFixPage struct {
	M        Meeting
	People   []Attendance // those whose attendance may be corrected
	Current  *Attendance  // the chosen person's saved attendance
	MemberID string
	Status   string
	Reason   string
	Why      string
	Version  int
	Errors   ui.Errors
	Conflict bool
}

// DetailsFixPage is the form that corrects a submitted meeting's time and
// place.
type DetailsFixPage struct {
	M        Meeting
	Date     string
	Start    string
	End      string
	Place    string
	Why      string
	Version  int
	Errors   ui.Errors
	Conflict bool
}

// loadSubmitted returns the meeting when the user may change it and it is
// submitted; a meeting not yet submitted is sent to its edit form.
func (h *Handler) loadSubmitted(w http.ResponseWriter, r *http.Request) (Meeting, bool, error) {
	m, err := h.loadWrite(r)
	if err != nil {
		return m, false, err
	}
	if m.Status != StatusSubmitted {
		return m, false, ui.Redirect(w, r, meetingURL(m.ID, "/edit"), "")
	}
	return m, true, nil
}

func (h *Handler) attendanceFixPage(r *http.Request, m Meeting, member string) (AttendanceFixPage, error) {
	att, err := h.store.AttendanceOf(r.Context(), m.ID)
	if err != nil {
		return AttendanceFixPage{}, err
	}
	p := AttendanceFixPage{M: m, MemberID: member, Version: m.Version}
	for _, a := range att {
		if a.Status == Observer {
			continue
		}
		p.People = append(p.People, a)
		if strconv.FormatInt(a.MemberID, 10) == member {
			p.Current = &a
		}
	}
	return p, nil
}

// CorrectAttendanceForm shows the form correcting one person's attendance
// (?member= chooses the person; their saved status fills the form).
func (h *Handler) CorrectAttendanceForm(w http.ResponseWriter, r *http.Request) error {
	m, ok, err := h.loadSubmitted(w, r)
	if !ok {
		return err
	}
	p, err := h.attendanceFixPage(r, m, r.URL.Query().Get("member"))
	if err != nil {
		return err
	}
	if p.Current != nil {
		p.Status, p.Reason = p.Current.Status, p.Current.Reason
	} else {
		p.MemberID = ""
	}
	return ui.Render(w, r, http.StatusOK, AttendanceFixView(p))
}

// CorrectAttendance saves a correction of one person's attendance with its
// reason, after the confirmation box is ticked.
func (h *Handler) CorrectAttendance(w http.ResponseWriter, r *http.Request) error {
	m, ok, err := h.loadSubmitted(w, r)
	if !ok {
		return err
	}
	p, err := h.attendanceFixPage(r, m, strings.TrimSpace(r.PostFormValue("member")))
	if err != nil {
		return err
	}
	p.Status = r.PostFormValue("status")
	p.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	p.Why = strings.TrimSpace(r.PostFormValue("why"))
	p.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	e := &p.Errors
	if p.Current == nil {
		e.Add("member", "correct.error.member")
	}
	switch {
	case p.Status != Present && p.Status != Leave && p.Status != Absent:
		e.Add("status", "correct.error.status")
	case p.Current != nil && p.Current.Status == p.Status && (p.Status == Present || p.Current.Reason == p.Reason):
		e.Add("status", "correct.error.unchanged")
	}
	switch {
	case p.Status == Leave && p.Reason == "":
		e.Add("reason", "meeting.error.leave_reason")
	case tooLong(p.Reason, 200):
		e.Add("reason", "meeting.error.too_long")
	}
	checkWhy(e, p.Why, r.PostFormValue("confirm"))
	if e.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, AttendanceFixView(p))
	}
	err = h.store.CorrectAttendance(r.Context(), m.ID, p.Version,
		AttendanceFix{MemberID: p.Current.MemberID, Status: p.Status, Reason: p.Reason, Why: p.Why})
	if IsConflict(err) {
		if p, err = h.attendanceFixPage(r, m, p.MemberID); err != nil {
			return err
		}
		fresh, gerr := h.store.Get(r.Context(), m.ID)
		if gerr != nil {
			return gerr
		}
		p.M, p.Version, p.Conflict = fresh, fresh.Version, true
		if p.Current != nil {
			p.Status, p.Reason = p.Current.Status, p.Current.Reason
		}
		return ui.Render(w, r, http.StatusConflict, AttendanceFixView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "correct.flash.saved")
}

// checkWhy marks a missing or too long correction reason and a missing
// confirmation.
func checkWhy(e *ui.Errors, why, confirm string) {
	switch {
	case why == "":
		e.Add("why", "meeting.error.required")
	case tooLong(why, 500):
		e.Add("why", "meeting.error.too_long")
	}
	if confirm != "yes" {
		e.Add("confirm", "correct.error.confirm")
	}
}

func detailsFixPage(m Meeting) DetailsFixPage {
	t0, t1 := m.StartsAt.In(i18n.Shanghai), m.EndsAt.In(i18n.Shanghai)
	return DetailsFixPage{M: m, Date: t0.Format(time.DateOnly), Start: t0.Format("15:04"), End: t1.Format("15:04"),
		Place: m.Place, Version: m.Version}
}

// CorrectDetailsForm shows the form correcting a submitted meeting's time
// and place.
func (h *Handler) CorrectDetailsForm(w http.ResponseWriter, r *http.Request) error {
	m, ok, err := h.loadSubmitted(w, r)
	if !ok {
		return err
	}
	return ui.Render(w, r, http.StatusOK, DetailsFixView(detailsFixPage(m)))
}

// parseDetails checks the posted time and place and returns the
// correction; p.Errors says what is wrong.
func (p *DetailsFixPage) validate(now time.Time) DetailsFix {
	e := &p.Errors
	var f DetailsFix
	day, err := time.ParseInLocation(time.DateOnly, p.Date, i18n.Shanghai)
	if err != nil || day.Year() < 2000 || day.Year() > 2100 {
		e.Add("date", "meeting.error.date")
	}
	start, err1 := time.Parse("15:04", p.Start)
	if err1 != nil {
		e.Add("start", "meeting.error.time")
	}
	end, err2 := time.Parse("15:04", p.End)
	if err2 != nil {
		e.Add("end", "meeting.error.time")
	}
	if err == nil && err1 == nil && err2 == nil {
		f.StartsAt = day.Add(time.Duration(start.Hour())*time.Hour + time.Duration(start.Minute())*time.Minute)
		f.EndsAt = day.Add(time.Duration(end.Hour())*time.Hour + time.Duration(end.Minute())*time.Minute)
		switch {
		case f.EndsAt.Before(f.StartsAt):
			e.Add("end", "meeting.error.end_before_start")
		case f.StartsAt.After(now):
			e.Add("date", "meeting.error.not_yet_held")
		}
	}
	if tooLong(p.Place, 200) {
		e.Add("place", "meeting.error.too_long")
	}
	f.Place = p.Place
	if !e.Any() && f.StartsAt.Equal(p.M.StartsAt) && f.EndsAt.Equal(p.M.EndsAt) && f.Place == p.M.Place {
		e.Add("date", "correct.error.unchanged")
	}
	f.Why = p.Why
	return f
}

// CorrectDetails saves a correction of the time and place with its reason.
func (h *Handler) CorrectDetails(w http.ResponseWriter, r *http.Request) error {
	m, ok, err := h.loadSubmitted(w, r)
	if !ok {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	p := DetailsFixPage{M: m, Date: v("date"), Start: v("start"), End: v("end"), Place: v("place"), Why: v("why")}
	p.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	f := p.validate(time.Now())
	checkWhy(&p.Errors, p.Why, r.PostFormValue("confirm"))
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, DetailsFixView(p))
	}
	err = h.store.CorrectDetails(r.Context(), m.ID, p.Version, f)
	if IsConflict(err) {
		fresh, gerr := h.store.Get(r.Context(), m.ID)
		if gerr != nil {
			return gerr
		}
		p.M, p.Version, p.Conflict = fresh, fresh.Version, true
		return ui.Render(w, r, http.StatusConflict, DetailsFixView(p))
	}
	if errors.Is(err, apperr.ErrInvalid) {
		p.Errors.Add("date", "correct.error.unchanged")
		return ui.Render(w, r, http.StatusUnprocessableEntity, DetailsFixView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "correct.flash.saved")
}

// canFix tells whether the page offers corrections: a submitted meeting
// the user may write.
func (p ShowPage) canFix() bool { return p.CanWrite && p.M.Status == StatusSubmitted }
