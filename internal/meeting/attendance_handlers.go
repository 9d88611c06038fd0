package meeting

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// AttRow is one line of the attendance form, as shown or as typed.
type AttRow struct {
	MemberID    int64
	Name        string
	Status      string
	Reason      string
	Hours       string
	Due         bool
	ReasonError string // translation key
	HoursError  string // translation key
}

// Key is the suffix of the row's input names.
func (a AttRow) Key() string { return strconv.FormatInt(a.MemberID, 10) }

// AttendancePage is the attendance form's view model.
type AttendancePage struct {
	M          Meeting
	Rows       []AttRow
	Candidates []Option
	Version    int
	Errors     ui.Errors
	Stats      Stats
	NoQuorum   bool
	Conflict   bool
}

// attendanceRows merges the members due with the saved attendance: a due
// member without a saved row starts present with the session's hours.
func attendanceRows(m Meeting, due []Option, saved []Attendance) []AttRow {
	var rows []AttRow
	byID := map[int64]Attendance{}
	for _, a := range saved {
		byID[a.MemberID] = a
	}
	seen := map[int64]bool{}
	for _, d := range due {
		row := AttRow{MemberID: d.ID, Name: d.Name, Status: Present, Hours: FormatHours(m.StudyHours), Due: true}
		if a, ok := byID[d.ID]; ok {
			row.Status, row.Reason, row.Hours = a.Status, a.Reason, FormatHours(a.Hours)
			if a.Status != Present && a.Hours == 0 {
				row.Hours = FormatHours(m.StudyHours)
			}
		}
		if row.Status == Observer {
			row.Status = Present
		}
		seen[d.ID] = true
		rows = append(rows, row)
	}
	for _, a := range saved {
		if !seen[a.MemberID] {
			rows = append(rows, AttRow{MemberID: a.MemberID, Name: a.Name, Status: a.Status, Reason: a.Reason, Hours: FormatHours(a.Hours)})
		}
	}
	return rows
}

func (h *Handler) attendancePage(r *http.Request, m Meeting, rows []AttRow) (AttendancePage, error) {
	members, err := h.store.Members(r.Context(), auth.ScopeOf(r.Context()).WriteRoots())
	if err != nil {
		return AttendancePage{}, err
	}
	var cands []Option
	for _, o := range members {
		if !slices.ContainsFunc(rows, func(a AttRow) bool { return a.MemberID == o.ID }) {
			cands = append(cands, o)
		}
	}
	saved, err := h.store.AttendanceOf(r.Context(), m.ID)
	if err != nil {
		return AttendancePage{}, err
	}
	st := StatsOf(saved)
	return AttendancePage{M: m, Rows: rows, Candidates: cands, Version: m.Version, Stats: st, NoQuorum: NoQuorum(m.Kind, st)}, nil
}

// AttendanceForm shows one table row per member due (and per observer):
// everyone starts present, the secretary changes the exceptions.
func (h *Handler) AttendanceForm(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status != StatusDraft {
		return ui.RedirectRefused(w, r, meetingURL(m.ID, ""), "meeting.flash.attendance_closed")
	}
	due, err := h.store.DueOf(r.Context(), m)
	if err != nil {
		return err
	}
	saved, err := h.store.AttendanceOf(r.Context(), m.ID)
	if err != nil {
		return err
	}
	p, err := h.attendancePage(r, m, attendanceRows(m, due, saved))
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, AttendanceView(p))
}

// SaveAttendance checks and saves the attendance table and the credits
// that follow from it; "add observer" saves and comes back to the form.
func (h *Handler) SaveAttendance(w http.ResponseWriter, r *http.Request) error {
	m, err := h.loadWrite(r)
	if err != nil {
		return err
	}
	if m.Status != StatusDraft {
		return ErrLocked
	}
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("meeting: attendance form: %w", apperr.ErrInvalid)
	}
	ctx := r.Context()
	due, err := h.store.DueOf(ctx, m)
	if err != nil {
		return err
	}
	saved, err := h.store.AttendanceOf(ctx, m.ID)
	if err != nil {
		return err
	}
	members, err := h.store.Members(ctx, auth.ScopeOf(ctx).WriteRoots())
	if err != nil {
		return err
	}
	f := parseAttendance(r.PostForm["member"], r.PostFormValue, newAttendees(due, saved, members), m)
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if f.bad {
		return h.attendanceInvalid(w, r, m, f.rows, version)
	}
	err = h.store.SaveAttendance(ctx, m.ID, version, f.out)
	if IsConflict(err) && !errors.Is(err, ErrLocked) {
		return h.attendanceConflict(w, r, m.ID, f.rows)
	}
	if err != nil {
		return err
	}
	if f.addObserver {
		return ui.Redirect(w, r, meetingURL(m.ID, "/attendance"), "meeting.flash.observer_added")
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.attendance_saved")
}

// attendanceInvalid shows the typed table again with its messages.
func (h *Handler) attendanceInvalid(w http.ResponseWriter, r *http.Request, m Meeting, rows []AttRow, version int) error {
	p, err := h.attendancePage(r, m, rows)
	if err != nil {
		return err
	}
	p.Version = version
	p.Errors.Add("attendance", "meeting.error.attendance")
	return ui.Render(w, r, http.StatusUnprocessableEntity, AttendanceView(p))
}

// attendanceConflict shows the typed table over the meeting as it is now,
// after someone else saved it meanwhile.
func (h *Handler) attendanceConflict(w http.ResponseWriter, r *http.Request, id int64, rows []AttRow) error {
	cur, err := h.store.Get(r.Context(), id)
	if err != nil {
		return err
	}
	p, err := h.attendancePage(r, cur, rows)
	if err != nil {
		return err
	}
	p.Conflict = true
	return ui.Render(w, r, http.StatusConflict, AttendanceView(p))
}

// FormStats counts the form's rows as they stand (a new record starts
// with everyone due present), for the running count above the table.
func (p AttendancePage) FormStats() Stats {
	var s Stats
	for _, a := range p.Rows {
		if !a.Due {
			s.Observers++
			continue
		}
		s.Due++
		switch a.Status {
		case Present:
			s.Present++
		case Leave:
			s.Leave++
		case Absent:
			s.Absent++
		}
	}
	return s
}
