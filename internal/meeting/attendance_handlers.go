package meeting

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

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
		return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.attendance_closed")
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
	known := map[int64]string{}
	for _, lists := range [][]Option{due, members} {
		for _, o := range lists {
			known[o.ID] = o.Name
		}
	}
	for _, a := range saved {
		known[a.MemberID] = a.Name
	}
	isDue := func(id int64) bool { return slices.ContainsFunc(due, func(o Option) bool { return o.ID == id }) }

	var rows []AttRow
	var out []Attendance
	bad := false
	seen := map[int64]bool{}
	for _, s := range r.PostForm["member"] {
		id, err := strconv.ParseInt(s, 10, 64)
		name, ok := known[id]
		if err != nil || !ok || seen[id] {
			continue
		}
		seen[id] = true
		row := AttRow{MemberID: id, Name: name, Due: isDue(id),
			Status: r.PostFormValue("status-" + s), Reason: strings.TrimSpace(r.PostFormValue("reason-" + s)), Hours: strings.TrimSpace(r.PostFormValue("hours-" + s))}
		if !row.Due {
			if r.PostFormValue("remove-"+s) == "yes" {
				continue
			}
			row.Status = Observer
		}
		if !slices.Contains([]string{Present, Leave, Absent, Observer}, row.Status) {
			row.Status = Present
		}
		if row.Status == Leave && row.Reason == "" {
			row.ReasonError, bad = "meeting.error.leave_reason", true
		} else if tooLong(row.Reason, 200) {
			row.ReasonError, bad = "meeting.error.too_long", true
		}
		hours, ok := ParseHours(row.Hours)
		if !ok {
			row.HoursError, bad = "meeting.error.hours", true
		}
		rows = append(rows, row)
		out = append(out, Attendance{MemberID: id, Name: name, Status: row.Status, Reason: row.Reason, Hours: hours})
	}
	// Everyone due has a row even if the post left them out: present.
	for _, d := range due {
		if !seen[d.ID] {
			rows = append(rows, AttRow{MemberID: d.ID, Name: d.Name, Status: Present, Hours: FormatHours(m.StudyHours), Due: true})
			out = append(out, Attendance{MemberID: d.ID, Name: d.Name, Status: Present, Hours: m.StudyHours})
			seen[d.ID] = true
		}
	}
	addObserver := false
	if s := r.PostFormValue("add_observer"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if name, ok := known[id]; err == nil && ok && !seen[id] && slices.ContainsFunc(members, func(o Option) bool { return o.ID == id }) {
			rows = append(rows, AttRow{MemberID: id, Name: name, Status: Observer, Hours: "0"})
			out = append(out, Attendance{MemberID: id, Name: name, Status: Observer})
			addObserver = true
		}
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	if bad {
		p, err := h.attendancePage(r, m, rows)
		if err != nil {
			return err
		}
		p.Version = version
		p.Errors.Add("attendance", "meeting.error.attendance")
		return ui.Render(w, r, http.StatusUnprocessableEntity, AttendanceView(p))
	}
	err = h.store.SaveAttendance(ctx, m.ID, version, out)
	if IsConflict(err) && !errors.Is(err, ErrLocked) {
		cur, gerr := h.store.Get(ctx, m.ID)
		if gerr != nil {
			return gerr
		}
		p, perr := h.attendancePage(r, cur, rows)
		if perr != nil {
			return perr
		}
		p.Conflict = true
		return ui.Render(w, r, http.StatusConflict, AttendanceView(p))
	}
	if err != nil {
		return err
	}
	if addObserver {
		return ui.Redirect(w, r, meetingURL(m.ID, "/attendance"), "meeting.flash.observer_added")
	}
	return ui.Redirect(w, r, meetingURL(m.ID, ""), "meeting.flash.attendance_saved")
}
