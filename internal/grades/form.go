package grades

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

func trimmed(v url.Values) func(string) string {
	return func(k string) string { return strings.TrimSpace(v.Get(k)) }
}

// GradeForm grades a branch for a year.
type GradeForm struct {
	Year, Grade, Assessment, Reason string
	FollowerID, Goal, Version       string
	Levels                          []Level
	Followers                       []Person
	Errors                          ui.Errors
}

// ParseGrade reads the posted grade form.
func ParseGrade(v url.Values) GradeForm {
	g := trimmed(v)
	return GradeForm{Year: g("year"), Grade: g("grade"), Assessment: g("assessment"), Reason: g("reason"), FollowerID: g("follower_id"), Goal: g("goal"), Version: g("version")}
}

// Validate checks the form: a grade of the list, a reason, and for a weak
// grade the committee member who follows its consolidation plan.
func (f *GradeForm) Validate(orgID int64) GradeInput {
	in := GradeInput{OrgID: orgID, Grade: f.Grade, Assessment: f.Assessment, Reason: f.Reason}
	y, err := strconv.Atoi(f.Year)
	if err != nil || y < 2000 || y > 2100 {
		f.Errors.Add("year", "grades.error.year")
	}
	in.Year = y
	i := slices.IndexFunc(f.Levels, func(l Level) bool { return l.Code == f.Grade })
	if i < 0 {
		f.Errors.Add("grade", "grades.error.grade")
	}
	if f.Reason == "" || utf8.RuneCountInString(f.Reason) > 2000 {
		f.Errors.Add("reason", "grades.error.reason")
	}
	if utf8.RuneCountInString(f.Assessment) > 4000 {
		f.Errors.Add("assessment", "grades.error.too_long")
	}
	if utf8.RuneCountInString(f.Goal) > 2000 {
		f.Errors.Add("goal", "grades.error.too_long")
	}
	if i >= 0 && f.Levels[i].Weak {
		id, err := strconv.ParseInt(f.FollowerID, 10, 64)
		if err != nil || !slices.ContainsFunc(f.Followers, func(p Person) bool { return p.ID == id }) {
			f.Errors.Add("follower_id", "grades.error.follower")
		}
		in.FollowerID, in.Goal = id, f.Goal
	}
	if f.Version != "" {
		v, err := strconv.Atoi(f.Version)
		if err != nil {
			f.Errors.Add("grade", "grades.error.version")
		}
		in.Version = v
	}
	return in
}

// MeasureForm adds a measure to a consolidation plan.
type MeasureForm struct {
	Measure, Owner, DueOn string
	Errors                ui.Errors
}

// Validate checks a measure; its deadline is a date on or after the plan's
// first day.
func (f *MeasureForm) Validate(from time.Time) Measure {
	m := Measure{Measure: f.Measure, Owner: f.Owner}
	if f.Measure == "" || utf8.RuneCountInString(f.Measure) > 1000 {
		f.Errors.Add("measure", "grades.error.measure")
	}
	if f.Owner == "" || utf8.RuneCountInString(f.Owner) > 100 {
		f.Errors.Add("owner", "grades.error.owner")
	}
	d, err := time.Parse(time.DateOnly, f.DueOn)
	switch {
	case err != nil:
		f.Errors.Add("due_on", "grades.error.date")
	case d.Before(from):
		f.Errors.Add("due_on", "grades.error.due_before")
	}
	m.DueOn = d
	return m
}

// ReportForm is a secretary's report.
type ReportForm struct {
	Year, Report string
	Errors       ui.Errors
}

// minReport is the shortest annual report that counts (characters).
const minReport = 50

// Validate checks the report.
func (f *ReportForm) Validate(thisYear int) int {
	y, err := strconv.Atoi(f.Year)
	if err != nil || y < 2000 || y > thisYear {
		f.Errors.Add("year", "grades.error.report_year")
	}
	if n := utf8.RuneCountInString(f.Report); n < minReport || n > 20000 {
		f.Errors.Add("report", "grades.error.report")
	}
	return y
}

// ReviewForm is the committee's review of a report.
type ReviewForm struct {
	On, Rating, Comments, Improvements string
	Errors                             ui.Errors
}

// Validate checks the review: the meeting's date on or after the report
// and not in the future, a rating of the list, comments.
func (f *ReviewForm) Validate(submitted, today time.Time) ReviewInput {
	in := ReviewInput{Rating: f.Rating, Comments: f.Comments, Improvements: f.Improvements}
	d, err := time.Parse(time.DateOnly, f.On)
	switch {
	case err != nil:
		f.Errors.Add("reviewed_on", "grades.error.date")
	case d.Before(submitted):
		f.Errors.Add("reviewed_on", "grades.error.review_before")
	case d.After(today):
		f.Errors.Add("reviewed_on", "grades.error.future")
	}
	in.On = d
	if !slices.Contains(Ratings, f.Rating) {
		f.Errors.Add("rating", "grades.error.rating")
	}
	if f.Comments == "" || utf8.RuneCountInString(f.Comments) > 4000 {
		f.Errors.Add("comments", "grades.error.comments")
	}
	if utf8.RuneCountInString(f.Improvements) > 4000 {
		f.Errors.Add("improvements", "grades.error.too_long")
	}
	return in
}

// ClosingForm is the committee's form that ends a consolidation plan.
type ClosingForm struct {
	Note    string
	Confirm bool
	Errors  ui.Errors
}

// ParseClosing reads the closing form.
func ParseClosing(v url.Values) ClosingForm {
	g := trimmed(v)
	return ClosingForm{Note: g("closing_note"), Confirm: g("confirm") == "yes"}
}

// Validate checks the closing: every measure done (done, from the plan),
// a note of what the consolidation achieved, and the confirmation.
func (f *ClosingForm) Validate(done bool) {
	if !done {
		f.Errors.Add("close", "consolidation.error.open_measures")
	}
	if f.Note == "" || utf8.RuneCountInString(f.Note) > 2000 {
		f.Errors.Add("closing_note", "consolidation.error.note")
	}
	if !f.Confirm {
		f.Errors.Add("confirm", "consolidation.error.confirm")
	}
}
