package cases

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

// CaseForm is the case form's input.
type CaseForm struct {
	Branches []Branch
	BranchID string
	PostID   string
	Title    string
	Body     string
	Meetings []string
	Options  []MeetingRef
	Version  string
	Errors   ui.Errors
}

// Chosen reports whether a meeting is chosen.
func (f CaseForm) Chosen(id int64) bool {
	return slices.Contains(f.Meetings, strconv.FormatInt(id, 10))
}

// Validate turns the form into a case, one message key per bad field.
func (f *CaseForm) Validate() Input {
	var in Input
	id, err := strconv.ParseInt(f.BranchID, 10, 64)
	if err != nil || !slices.ContainsFunc(f.Branches, func(b Branch) bool { return b.ID == id }) {
		f.Errors.Add("branch", "cases.error.branch")
	}
	in.BranchID = id
	if f.PostID != "" {
		p, err := strconv.ParseInt(f.PostID, 10, 64)
		if err != nil {
			f.Errors.Add("title", "cases.error.post")
		}
		in.PostID = &p
	}
	f.Title, f.Body = strings.TrimSpace(f.Title), strings.TrimSpace(f.Body)
	if f.Title == "" || utf8.RuneCountInString(f.Title) > 200 {
		f.Errors.Add("title", "cases.error.title")
	}
	if f.Body == "" || utf8.RuneCountInString(f.Body) > 20000 {
		f.Errors.Add("body", "cases.error.body")
	}
	in.Title, in.Body = f.Title, f.Body
	for _, raw := range f.Meetings {
		m, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(f.Options, func(x MeetingRef) bool { return x.ID == m }) {
			f.Errors.Add("meetings", "cases.error.meeting")
			continue
		}
		in.Meetings = append(in.Meetings, m)
	}
	if len(in.Meetings) == 0 {
		f.Errors.Add("meetings", "cases.error.meetings")
	}
	return in
}

// ParseTags splits the tags typed on the decision form (by commas,
// Chinese commas or spaces): at most 10, each up to 20 characters.
func ParseTags(s string) ([]string, bool) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\u3000' })
	out := []string{}
	for _, t := range fields {
		if utf8.RuneCountInString(t) > 20 {
			return nil, false
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, len(out) <= 10
}

// PostForm is the vanguard post form's input.
type PostForm struct {
	Branches  []Branch
	BranchID  string
	Kind      string
	Name      string
	Task      string
	StartedOn string
	EndedOn   string
	Errors    ui.Errors
}

// Validate turns the form into a post.
func (f *PostForm) Validate() PostInput {
	var in PostInput
	id, err := strconv.ParseInt(f.BranchID, 10, 64)
	if err != nil || !slices.ContainsFunc(f.Branches, func(b Branch) bool { return b.ID == id }) {
		f.Errors.Add("branch", "cases.error.branch")
	}
	in.BranchID = id
	if !slices.Contains(PostKinds, f.Kind) {
		f.Errors.Add("kind", "cases.error.kind")
	}
	in.Kind = f.Kind
	f.Name, f.Task = strings.TrimSpace(f.Name), strings.TrimSpace(f.Task)
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 200 {
		f.Errors.Add("name", "cases.error.name")
	}
	if f.Task == "" || utf8.RuneCountInString(f.Task) > 2000 {
		f.Errors.Add("task", "cases.error.task")
	}
	in.Name, in.Task = f.Name, f.Task
	s, err := time.Parse(time.DateOnly, strings.TrimSpace(f.StartedOn))
	if err != nil {
		f.Errors.Add("started_on", "cases.error.date")
	}
	in.StartedOn = s
	if strings.TrimSpace(f.EndedOn) != "" {
		e, err := time.Parse(time.DateOnly, strings.TrimSpace(f.EndedOn))
		switch {
		case err != nil:
			f.Errors.Add("ended_on", "cases.error.date")
		case e.Before(s):
			f.Errors.Add("ended_on", "cases.error.ends_before")
		}
		in.EndedOn = &e
	}
	return in
}

// parsePledge reads the pledge form.
func parsePledge(form url.Values, people []Person) (Pledge, ui.Errors) {
	var errs ui.Errors
	var p Pledge
	id, err := strconv.ParseInt(form.Get("member_id"), 10, 64)
	if err != nil || !slices.ContainsFunc(people, func(x Person) bool { return x.ID == id }) {
		errs.Add("member_id", "cases.error.member")
	}
	p.MemberID = id
	p.Commitment, p.Delivered = strings.TrimSpace(form.Get("commitment")), strings.TrimSpace(form.Get("delivered"))
	if p.Commitment == "" || utf8.RuneCountInString(p.Commitment) > 1000 {
		errs.Add("commitment", "cases.error.commitment")
	}
	if utf8.RuneCountInString(p.Delivered) > 2000 {
		errs.Add("delivered", "cases.error.too_long")
	}
	return p, errs
}
