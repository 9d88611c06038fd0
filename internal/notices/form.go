package notices

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

// Form is the notice form's input.
type Form struct {
	Branches    []Branch
	BranchID    string
	Kind        string
	Title       string
	Body        string
	PublishFrom string
	PublishTo   string
	// MinWorkdays is the public notice's least period in working days (a
	// setting of the recruitment rules) and Cite its source.
	MinWorkdays int
	Cite        string
	Errors      ui.Errors
}

// Workdays counts the days Monday to Friday from a to b, both included.
type Workdays func(a, b time.Time) int

// Validate turns the form into a notice, one message key per bad field. A
// public notice must run at least MinWorkdays working days.
func (f *Form) Validate(workdays Workdays) Input {
	var in Input
	id, err := strconv.ParseInt(f.BranchID, 10, 64)
	if err != nil || !slices.ContainsFunc(f.Branches, func(b Branch) bool { return b.ID == id }) {
		f.Errors.Add("branch", "notices.error.branch")
	}
	in.BranchID = id
	if !slices.Contains(Kinds, f.Kind) {
		f.Errors.Add("kind", "notices.error.kind")
	}
	in.Kind = f.Kind
	f.Title, f.Body = strings.TrimSpace(f.Title), strings.TrimSpace(f.Body)
	if f.Title == "" || utf8.RuneCountInString(f.Title) > 200 {
		f.Errors.Add("title", "notices.error.title")
	}
	if f.Body == "" || utf8.RuneCountInString(f.Body) > 5000 {
		f.Errors.Add("body", "notices.error.body")
	}
	in.Title, in.Body = f.Title, f.Body
	from, errF := time.Parse(time.DateOnly, strings.TrimSpace(f.PublishFrom))
	to, errT := time.Parse(time.DateOnly, strings.TrimSpace(f.PublishTo))
	if errF != nil {
		f.Errors.Add("publish_from", "notices.error.date")
	}
	switch {
	case errT != nil:
		f.Errors.Add("publish_to", "notices.error.date")
	case errF == nil && to.Before(from):
		f.Errors.Add("publish_to", "notices.error.to_before")
	case errF == nil && f.Kind == KindPublic && workdays(from, to) < f.MinWorkdays:
		f.Errors.Add("publish_to", "notices.error.workdays")
	}
	in.PublishFrom, in.PublishTo = from, to
	return in
}
