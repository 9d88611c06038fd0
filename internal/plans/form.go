package plans

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/meeting"
	"zhibu/internal/ui"
)

// TaskForm is the form that publishes a committee task or adds a branch's
// own item.
type TaskForm struct {
	Year, Title, Description, DueOn string
	Target, TargetKind, DoneBy      string
	MeetingKind, ParentID           string
	List                            []string
	// Own: a branch adds its own item (no targets; may hang under a task).
	Own bool
	// Choices shown by the form.
	Orgs    []Org
	Parents []Task
	Errors  ui.Errors
}

// ParseTask reads the posted task form.
func ParseTask(v url.Values, own bool) TaskForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return TaskForm{Year: g("year"), Title: g("title"), Description: g("description"), DueOn: g("due_on"), Target: g("target"),
		TargetKind: g("target_kind"), DoneBy: g("done_by"), MeetingKind: g("meeting_kind"), ParentID: g("parent_id"), List: v["org_id"], Own: own}
}

// Validate checks the form and returns the task to publish; issuer is the
// committee (or the branch, for its own item).
func (f *TaskForm) Validate(issuer int64) TaskInput {
	in := TaskInput{OrgID: issuer, Title: f.Title, Description: f.Description, DoneBy: f.DoneBy}
	f.validYear(&in)
	f.validText()
	f.validDue(&in)
	f.validTarget(&in)
	f.validDoneBy(&in)
	return in
}

func (f *TaskForm) validYear(in *TaskInput) {
	y, err := strconv.Atoi(f.Year)
	if err != nil || y < 2000 || y > 2100 {
		f.Errors.Add("year", "plans.error.year")
	}
	in.Year = y
}

func (f *TaskForm) validText() {
	if f.Title == "" || utf8.RuneCountInString(f.Title) > 200 {
		f.Errors.Add("title", "plans.error.title")
	}
	if utf8.RuneCountInString(f.Description) > 4000 {
		f.Errors.Add("description", "plans.error.too_long")
	}
}

func (f *TaskForm) validDue(in *TaskInput) {
	d, err := time.Parse(time.DateOnly, f.DueOn)
	if err != nil {
		f.Errors.Add("due_on", "plans.error.date")
		return
	}
	// A year's task is due within that year or the first quarter after it
	// (a year's summary is often due in January).
	if in.Year != 0 && (d.Year() < in.Year || d.After(time.Date(in.Year+1, 3, 31, 0, 0, 0, 0, time.UTC))) {
		f.Errors.Add("due_on", "plans.error.due_year")
	}
	in.DueOn = d
}

func (f *TaskForm) validTarget(in *TaskInput) {
	if f.Own {
		in.Target = "self"
		if f.ParentID != "" {
			id, err := strconv.ParseInt(f.ParentID, 10, 64)
			if err != nil || !slices.ContainsFunc(f.Parents, func(t Task) bool { return t.ID == id }) {
				f.Errors.Add("parent_id", "plans.error.parent")
				return
			}
			in.ParentID = &id
		}
		return
	}
	in.Target = f.Target
	switch f.Target {
	case "all":
	case "kind":
		if !slices.Contains(TargetKinds, f.TargetKind) {
			f.Errors.Add("target_kind", "plans.error.target_kind")
			return
		}
		k := f.TargetKind
		in.TargetKind = &k
	case "list":
		for _, s := range f.List {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || !slices.ContainsFunc(f.Orgs, func(o Org) bool { return o.ID == id }) {
				f.Errors.Add("org_id", "plans.error.list")
				return
			}
			if !slices.Contains(in.List, id) {
				in.List = append(in.List, id)
			}
		}
		if len(in.List) == 0 {
			f.Errors.Add("org_id", "plans.error.list")
		}
	default:
		f.Errors.Add("target", "plans.error.target")
	}
}

func (f *TaskForm) validDoneBy(in *TaskInput) {
	if !slices.Contains(DoneBy, f.DoneBy) {
		f.Errors.Add("done_by", "plans.error.done_by")
		return
	}
	if f.DoneBy == "meeting" {
		if !slices.Contains(meeting.ListKinds, f.MeetingKind) {
			f.Errors.Add("meeting_kind", "plans.error.meeting_kind")
			return
		}
		k := f.MeetingKind
		in.MeetingKind = &k
	}
}

// Checked reports whether an organisation is ticked in the list.
func (f TaskForm) Checked(id int64) bool { return slices.Contains(f.List, strconv.FormatInt(id, 10)) }

// AnswerForm is a branch's answer to a task.
type AnswerForm struct {
	MeetingID, Note, Link string
	Version               string
	Meetings              []meeting.ListItem
	HasFile               bool // evidence files came with it (checked by the handler)
	Errors                ui.Errors
}

// ParseAnswer reads the posted answer.
func ParseAnswer(v url.Values) AnswerForm {
	g := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	return AnswerForm{MeetingID: g("meeting_id"), Note: g("note"), Link: g("link"), Version: g("version")}
}

// minReport is the shortest short report (in characters) that counts.
const minReport = 20

// Validate checks the answer against what the task counts as done.
func (f *AnswerForm) Validate(a Answer) (AnswerInput, int) {
	var in AnswerInput
	version, err := strconv.Atoi(f.Version)
	if err != nil {
		f.Errors.Add("version", "plans.error.version")
	}
	if f.MeetingID != "" {
		id, err := strconv.ParseInt(f.MeetingID, 10, 64)
		if err != nil || !slices.ContainsFunc(f.Meetings, func(m meeting.ListItem) bool { return m.ID == id }) {
			f.Errors.Add("meeting_id", "plans.error.meeting")
		} else {
			in.MeetingID = &id
		}
	} else if a.DoneBy == "meeting" {
		f.Errors.Add("meeting_id", "plans.error.meeting_needed")
	}
	n := utf8.RuneCountInString(f.Note)
	switch {
	case n > 4000:
		f.Errors.Add("note", "plans.error.too_long")
	case a.DoneBy == "report" && n < minReport:
		f.Errors.Add("note", "plans.error.report")
	case a.DoneBy == "document" && n == 0 && f.Link == "" && !f.HasFile:
		f.Errors.Add("note", "plans.error.document")
	}
	if f.Link != "" && (utf8.RuneCountInString(f.Link) > 500 || !validLink(f.Link)) {
		f.Errors.Add("link", "plans.error.link")
	}
	in.Note, in.Link = f.Note, f.Link
	return in, version
}

// validLink accepts a page of this app ("/meetings/12") or an http(s)
// address, nothing that runs script.
func validLink(s string) bool {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return true
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
