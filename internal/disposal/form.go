package disposal

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

const dateLayout = "2006-01-02"

// OpenForm is the form that opens a case.
type OpenForm struct {
	MemberID string
	Ground   string
	OpenedOn string
	Errors   ui.Errors
}

// Validate checks the form against the candidates and today.
func (f *OpenForm) Validate(cands []Candidate, today time.Time) (Candidate, string, time.Time) {
	id, _ := strconv.ParseInt(strings.TrimSpace(f.MemberID), 10, 64)
	var c Candidate
	if i := slices.IndexFunc(cands, func(c Candidate) bool { return c.ID == id }); i < 0 {
		f.Errors.Add("member_id", "disposal.error.member")
	} else {
		c = cands[i]
	}
	if !slices.Contains(Grounds, f.Ground) {
		f.Errors.Add("ground", "disposal.error.ground")
	}
	d, err := time.Parse(dateLayout, strings.TrimSpace(f.OpenedOn))
	switch {
	case err != nil:
		f.Errors.Add("opened_on", "disposal.error.date")
	case d.After(today):
		f.Errors.Add("opened_on", "disposal.error.future")
	}
	return c, f.Ground, d
}

// StepForm is the form of the next step.
type StepForm struct {
	Version  string
	Step     string
	DoneOn   string
	Document string
	Deadline string
	Notes    string
	Confirm  string
	Errors   ui.Errors
}

// Validate checks the step against the case and today: a step that may
// follow the latest, a day not in the future nor before the latest step,
// a document; a correction's deadline after its day and at most a year
// later (CiteDeadline); an approval, which ends the membership, confirmed.
func (f *StepForm) Validate(c Case, allowed []string, today time.Time) StepInput {
	var in StepInput
	if !slices.Contains(allowed, f.Step) {
		f.Errors.Add("step", "disposal.error.step")
	}
	in.Step = f.Step
	d, err := time.Parse(dateLayout, strings.TrimSpace(f.DoneOn))
	switch {
	case err != nil:
		f.Errors.Add("done_on", "disposal.error.date")
	case d.After(today):
		f.Errors.Add("done_on", "disposal.error.future")
	case c.LastOn != nil && d.Before(*c.LastOn), d.Before(c.OpenedOn):
		f.Errors.Add("done_on", "disposal.error.before_last")
	default:
		in.DoneOn = d
	}
	in.Document = strings.TrimSpace(f.Document)
	if in.Document == "" || utf8.RuneCountInString(in.Document) > 200 {
		f.Errors.Add("document", "disposal.error.document")
	}
	in.Notes = strings.TrimSpace(f.Notes)
	if utf8.RuneCountInString(in.Notes) > 2000 {
		f.Errors.Add("notes", "disposal.error.too_long")
	}
	if f.Step == "correction" {
		dl, err := time.Parse(dateLayout, strings.TrimSpace(f.Deadline))
		switch {
		case err != nil:
			f.Errors.Add("deadline", "disposal.error.deadline")
		case !in.DoneOn.IsZero() && !dl.After(in.DoneOn):
			f.Errors.Add("deadline", "disposal.error.deadline_order")
		case !in.DoneOn.IsZero() && dl.After(in.DoneOn.AddDate(1, 0, 0)):
			f.Errors.Add("deadline", "disposal.error.deadline_year")
		default:
			in.Deadline = &dl
		}
	}
	if f.Step == "approved" && f.Confirm != "yes" {
		f.Errors.Add("confirm", "disposal.error.confirm")
	}
	return in
}
