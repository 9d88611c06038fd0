package meeting

import (
	"slices"
	"strconv"
	"strings"
)

// attendees are the people who may appear on a meeting's attendance
// table: those due, the members the user may write, and those already
// saved, with their names.
type attendees struct {
	due     []Option
	members []Option
	names   map[int64]string
}

func newAttendees(due []Option, saved []Attendance, members []Option) attendees {
	a := attendees{due: due, members: members, names: map[int64]string{}}
	for _, lists := range [][]Option{due, members} {
		for _, o := range lists {
			a.names[o.ID] = o.Name
		}
	}
	for _, s := range saved {
		a.names[s.MemberID] = s.Name
	}
	return a
}

func (a attendees) isDue(id int64) bool {
	return slices.ContainsFunc(a.due, func(o Option) bool { return o.ID == id })
}

func (a attendees) isMember(id int64) bool {
	return slices.ContainsFunc(a.members, func(o Option) bool { return o.ID == id })
}

// attendanceForm is a posted attendance table: the rows to show again and
// the attendance to save, whether any row is invalid, and whether an
// observer was added.
type attendanceForm struct {
	rows        []AttRow
	out         []Attendance
	bad         bool
	addObserver bool
	seen        map[int64]bool
}

// parseAttendance reads the posted table (the "member" values in order,
// each row's fields through get) for meeting m: the posted rows, then
// everyone due whom the post left out (present), then an observer to add.
func parseAttendance(posted []string, get func(string) string, a attendees, m Meeting) attendanceForm {
	f := attendanceForm{seen: map[int64]bool{}}
	for _, s := range posted {
		f.addPosted(s, get, a)
	}
	f.addMissingDue(a.due, m.StudyHours)
	f.addObserverFrom(get("add_observer"), a)
	return f
}

// addPosted adds one posted row; unknown and repeated people are skipped,
// and someone not due becomes an observer unless the row is removed.
func (f *attendanceForm) addPosted(s string, get func(string) string, a attendees) {
	id, err := strconv.ParseInt(s, 10, 64)
	name, ok := a.names[id]
	if err != nil || !ok || f.seen[id] {
		return
	}
	f.seen[id] = true
	row := AttRow{MemberID: id, Name: name, Due: a.isDue(id),
		Status: get("status-" + s), Reason: strings.TrimSpace(get("reason-" + s)), Hours: strings.TrimSpace(get("hours-" + s))}
	if !row.Due {
		if get("remove-"+s) == "yes" {
			return
		}
		row.Status = Observer
	}
	hours := checkRow(&row)
	f.bad = f.bad || row.ReasonError != "" || row.HoursError != ""
	f.rows = append(f.rows, row)
	f.out = append(f.out, Attendance{MemberID: id, Name: name, Status: row.Status, Reason: row.Reason, Hours: hours})
}

// checkRow settles a row's status (present when unknown), marks a leave
// without a reason, a reason too long and hours that are not a number, and
// returns the hours.
func checkRow(row *AttRow) float64 {
	if !slices.Contains([]string{Present, Leave, Absent, Observer}, row.Status) {
		row.Status = Present
	}
	if row.Status == Leave && row.Reason == "" {
		row.ReasonError = "meeting.error.leave_reason"
	} else if tooLong(row.Reason, 200) {
		row.ReasonError = "meeting.error.too_long"
	}
	hours, ok := ParseHours(row.Hours)
	if !ok {
		row.HoursError = "meeting.error.hours"
	}
	return hours
}

// addMissingDue gives everyone due a row even if the post left them out:
// present with the session's hours.
func (f *attendanceForm) addMissingDue(due []Option, hours float64) {
	for _, d := range due {
		if !f.seen[d.ID] {
			f.rows = append(f.rows, AttRow{MemberID: d.ID, Name: d.Name, Status: Present, Hours: FormatHours(hours), Due: true})
			f.out = append(f.out, Attendance{MemberID: d.ID, Name: d.Name, Status: Present, Hours: hours})
			f.seen[d.ID] = true
		}
	}
}

// addObserverFrom adds the member chosen in "add observer", if the user
// may write them and they are not on the table yet.
func (f *attendanceForm) addObserverFrom(s string, a attendees) {
	if s == "" {
		return
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if name, ok := a.names[id]; err == nil && ok && !f.seen[id] && a.isMember(id) {
		f.rows = append(f.rows, AttRow{MemberID: id, Name: name, Status: Observer, Hours: "0"})
		f.out = append(f.out, Attendance{MemberID: id, Name: name, Status: Observer})
		f.addObserver = true
	}
}
