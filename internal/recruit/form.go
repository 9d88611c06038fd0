package recruit

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

// StepForm is a step's form as typed.
type StepForm struct {
	Kind     string
	DoneOn   string
	EndOn    string
	PersonA  string
	PersonB  string
	People   string
	DocNo    string
	Outcome  string
	Hours    string
	Days     string
	DueCount string
	Present  string
	InFavour string
	Reason   string
	Details  string
}

// ParseStepForm reads the step form from the request.
func ParseStepForm(r *http.Request) StepForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return StepForm{Kind: v("kind"), DoneOn: v("done_on"), EndOn: v("end_on"), PersonA: v("person_a"), PersonB: v("person_b"),
		People: v("people"), DocNo: v("doc_no"), Outcome: v("outcome"), Hours: v("hours"), Days: v("days"),
		DueCount: v("due_count"), Present: v("present"), InFavour: v("in_favour"), Reason: v("reason"), Details: v("details")}
}

// Validate turns the form into a step, with one message key per bad field.
// Only the fields the step's kind asks for are read.
func (f StepForm) Validate(today time.Time) (Step, ui.Errors) {
	var errs ui.Errors
	spec, ok := SpecOf(f.Kind)
	if !ok {
		errs.Add("kind", "recruit.error.kind")
		return Step{}, errs
	}
	s := Step{Kind: f.Kind}
	day := func(field, raw string, required bool) *time.Time {
		if raw == "" {
			if required {
				errs.Add(field, "form.required")
			}
			return nil
		}
		d, err := time.Parse(dateLayout, raw)
		if err != nil {
			errs.Add(field, "form.bad_date")
			return nil
		}
		if d.After(today) && field == "done_on" {
			errs.Add(field, "recruit.error.future")
			return nil
		}
		return &d
	}
	if d := day("done_on", f.DoneOn, true); d != nil {
		s.DoneOn = *d
	}
	num := func(field, raw string, required bool) *int {
		if !spec.Has(field) {
			return nil
		}
		if raw == "" {
			if required {
				errs.Add(field, "form.required")
			}
			return nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 || n > 10000 {
			errs.Add(field, "recruit.error.number")
			return nil
		}
		return &n
	}
	person := func(field, raw string) *int64 {
		if !spec.Has(field) || raw == "" {
			return nil
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			errs.Add(field, "recruit.error.person")
			return nil
		}
		return &id
	}
	text := func(field, raw string, max int) string {
		if !spec.Has(field) {
			return ""
		}
		if utf8.RuneCountInString(raw) > max {
			errs.Add(field, "form.too_long")
		}
		return raw
	}
	s.PersonA, s.PersonB = person("person_a", f.PersonA), person("person_b", f.PersonB)
	s.People, s.DocNo = text("people", f.People, 200), text("doc_no", f.DocNo, 50)
	s.Reason, s.Details = text("reason", f.Reason, 500), text("details", f.Details, 1000)
	vote := spec.Has("due_count")
	s.Hours, s.Days = num("hours", f.Hours, false), num("days", f.Days, false)
	s.DueCount, s.Present, s.InFavour = num("due_count", f.DueCount, vote), num("present", f.Present, vote), num("in_favour", f.InFavour, vote)
	if spec.Has("outcome") {
		if !slices.Contains(spec.Outcomes, f.Outcome) {
			errs.Add("outcome", "form.required")
		}
		s.Outcome = f.Outcome
	}
	if spec.Has("end_on") {
		required := f.Kind == "notice" || f.Outcome == "extend"
		if d := day("end_on", f.EndOn, required); d != nil {
			if !s.DoneOn.IsZero() && d.Before(s.DoneOn) {
				errs.Add("end_on", "recruit.error.end_before")
			}
			s.EndOn = d
		}
	}
	return s, errs
}
