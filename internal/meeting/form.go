package meeting

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/formtoken"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// Form is the meeting form as typed, kept whole when it is sent back.
type Form struct {
	OrgID      string
	Kind       string
	Topic      string
	Date       string
	Start      string
	End        string
	Place      string
	HostID     string
	RecorderID string
	Lecturer   string
	Agenda     string
	Minutes    string
	Decisions  string
	StudyForm  string
	StudyHours string
	Status     string
	Version    int
	FormToken  string // create only: the one-time token (formtoken)
	Errors     ui.Errors
}

func parseForm(r *http.Request) Form {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	version, _ := strconv.Atoi(v("version"))
	return Form{
		OrgID: v("org_id"), Kind: v("kind"), Topic: v("topic"), Date: v("date"), Start: v("start"), End: v("end"),
		Place: v("place"), HostID: v("host_id"), RecorderID: v("recorder_id"), Lecturer: v("lecturer"),
		Agenda: r.PostFormValue("agenda"), Minutes: r.PostFormValue("minutes"), Decisions: r.PostFormValue("decisions"),
		StudyForm: v("study_form"), StudyHours: v("study_hours"), Status: v("status"), Version: version, FormToken: v(formtoken.Field),
	}
}

// formOf fills the form from a saved meeting.
func formOf(m Meeting) Form {
	t0, t1 := m.StartsAt.In(i18n.Shanghai), m.EndsAt.In(i18n.Shanghai)
	f := Form{
		OrgID: strconv.FormatInt(m.OrgID, 10), Kind: m.Kind, Topic: m.Topic, Date: t0.Format(time.DateOnly),
		Start: t0.Format("15:04"), End: t1.Format("15:04"), Place: m.Place, Lecturer: m.Lecturer,
		Agenda: m.Agenda, Minutes: m.Minutes, Decisions: m.Decisions, StudyHours: FormatHours(m.StudyHours),
		Status: m.Status, Version: m.Version,
	}
	if m.HostID != nil {
		f.HostID = strconv.FormatInt(*m.HostID, 10)
	}
	if m.RecorderID != nil {
		f.RecorderID = strconv.FormatInt(*m.RecorderID, 10)
	}
	if m.StudyForm != nil {
		f.StudyForm = *m.StudyForm
	}
	return f
}

// FormatHours writes hours without trailing zeros (vocab.FormatHours).
var FormatHours = vocab.FormatHours

// ParseHours reads hours between 0 and 100 with at most one decimal.
func ParseHours(s string) (float64, bool) {
	if s == "" {
		return 0, true
	}
	h, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(h) || h < 0 || h > 100 || math.Abs(h*10-math.Round(h*10)) > 1e-9 {
		return 0, false
	}
	return math.Round(h*10) / 10, true
}

func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// validate checks every field and returns the input to save; the form's
// Errors say what is wrong. orgs and members are what the user may choose;
// wasPlanned tells whether "planned" may still be chosen; savedKind is the
// kind already saved, kept even when it is not one logged here (a
// democratic-life meeting).
func (f *Form) validate(orgs []OrgOption, members []Option, now time.Time, wasPlanned bool, savedKind string) Input {
	var in Input
	e := &f.Errors
	orgID, _ := strconv.ParseInt(f.OrgID, 10, 64)
	i := slices.IndexFunc(orgs, func(o OrgOption) bool { return o.ID == orgID })
	if i < 0 {
		e.Add("org_id", "meeting.error.org")
	} else {
		in.OrgID = orgID
	}
	if !slices.Contains(Kinds, f.Kind) && (savedKind == "" || f.Kind != savedKind) {
		e.Add("kind", "meeting.error.kind")
	} else if f.Kind == "committee" && i >= 0 && orgs[i].Kind != "branch" {
		e.Add("kind", "meeting.error.committee_branch")
	}
	in.Kind = f.Kind
	switch {
	case f.Topic == "":
		e.Add("topic", "meeting.error.required")
	case tooLong(f.Topic, 200):
		e.Add("topic", "meeting.error.too_long")
	}
	in.Topic = f.Topic
	day, err := time.ParseInLocation(time.DateOnly, f.Date, i18n.Shanghai)
	if err != nil || day.Year() < 2000 || day.Year() > 2100 {
		e.Add("date", "meeting.error.date")
	}
	start, err1 := time.Parse("15:04", f.Start)
	if err1 != nil {
		e.Add("start", "meeting.error.time")
	}
	end, err2 := time.Parse("15:04", f.End)
	if err2 != nil {
		e.Add("end", "meeting.error.time")
	}
	if err == nil && err1 == nil && err2 == nil {
		in.StartsAt = day.Add(time.Duration(start.Hour())*time.Hour + time.Duration(start.Minute())*time.Minute)
		in.EndsAt = day.Add(time.Duration(end.Hour())*time.Hour + time.Duration(end.Minute())*time.Minute)
		if in.EndsAt.Before(in.StartsAt) {
			e.Add("end", "meeting.error.end_before_start")
		}
	}
	switch f.Status {
	case StatusDraft:
		if !in.StartsAt.IsZero() && in.StartsAt.After(now) {
			e.Add("status", "meeting.error.not_yet_held")
		}
	case StatusPlanned:
		if !wasPlanned {
			e.Add("status", "meeting.error.status")
		} else if !in.StartsAt.IsZero() && !in.StartsAt.After(now) {
			e.Add("status", "meeting.error.planned_past")
		}
	default:
		e.Add("status", "meeting.error.status")
	}
	in.Status = f.Status
	if tooLong(f.Place, 200) {
		e.Add("place", "meeting.error.too_long")
	}
	in.Place = f.Place
	pick := func(field, value string) *int64 {
		if value == "" {
			return nil
		}
		id, _ := strconv.ParseInt(value, 10, 64)
		if !slices.ContainsFunc(members, func(o Option) bool { return o.ID == id }) {
			e.Add(field, "meeting.error.member")
			return nil
		}
		return &id
	}
	in.HostID = pick("host_id", f.HostID)
	in.RecorderID = pick("recorder_id", f.RecorderID)
	if tooLong(f.Lecturer, 100) {
		e.Add("lecturer", "meeting.error.too_long")
	}
	in.Lecturer = f.Lecturer
	if tooLong(f.Agenda, 20000) {
		e.Add("agenda", "meeting.error.too_long")
	}
	in.Agenda = f.Agenda
	if tooLong(f.Minutes, 100000) {
		e.Add("minutes", "meeting.error.too_long")
	}
	in.Minutes = f.Minutes
	if tooLong(f.Decisions, 20000) {
		e.Add("decisions", "meeting.error.too_long")
	}
	in.Decisions = f.Decisions
	switch {
	case f.Kind == "study" && !slices.Contains(StudyForms, f.StudyForm):
		e.Add("study_form", "meeting.error.study_form")
	case f.Kind == "study":
		sf := f.StudyForm
		in.StudyForm = &sf
	case f.StudyForm != "":
		e.Add("study_form", "meeting.error.study_form_only")
	}
	h, ok := ParseHours(f.StudyHours)
	if !ok {
		e.Add("study_hours", "meeting.error.hours")
	}
	in.StudyHours = h
	return in
}
