// Package recruit is the recruitment pipeline (发展党员): each person's file
// of dated steps from the application to full membership, checked against
// the time limits and thresholds of 《中国共产党发展党员工作细则》 kept as
// versioned rule sets (recruit_rules), the branch's board by stage, the
// reviewer's subtree counts, the printable record and checklist, and the
// due steps for the workbench (Todos).
package recruit

import (
	"slices"
	"time"

	"zhibu/internal/dates"
)

// Rule is one time limit or threshold of a rule set with its source.
type Rule struct {
	Code      string
	Amount    int
	Document  string
	Article   string
	Uncertain bool
}

// Rules is the rule set in force on a day.
type Rules struct {
	Set string
	By  map[string]Rule
}

// N is the amount of the rule code (0 when the set lacks it).
func (r Rules) N(code string) int { return r.By[code].Amount }

// Cite is the rule's document and article, as shown beside a refusal.
func (r Rules) Cite(code string) string {
	x, ok := r.By[code]
	if !ok {
		return ""
	}
	if x.Article == "" || x.Article == "—" {
		return x.Document
	}
	return x.Document + x.Article
}

// Spec describes one kind of step: the stage it belongs to, the fields its
// form asks for, and whether it repeats.
type Spec struct {
	Kind     string
	Stage    string
	Fields   []string
	Outcomes []string
	Repeat   bool
	// Doc marks steps whose record belongs in the person's file (入党材料).
	Doc bool
}

// Specs lists the steps in the order the 细则 runs them.
var Specs = []Spec{
	{Kind: "application", Stage: "applicant", Fields: []string{"details"}, Doc: true},
	// 思想汇报: handed in over the years from the application on.
	{Kind: "thought_report", Stage: "applicant", Fields: []string{"details"}, Repeat: true, Doc: true},
	{Kind: "talk", Stage: "applicant", Fields: []string{"person_a", "details"}, Doc: true},
	{Kind: "recommendation", Stage: "applicant", Fields: []string{"people", "details"}, Doc: true},
	{Kind: "activist", Stage: "applicant", Fields: []string{"person_a", "person_b", "details"}, Doc: true},
	{Kind: "activist_filed", Stage: "activist", Fields: []string{"details"}},
	{Kind: "assessment", Stage: "activist", Fields: []string{"details"}, Repeat: true, Doc: true},
	{Kind: "target", Stage: "activist", Fields: []string{"details"}, Doc: true},
	{Kind: "target_filed", Stage: "target", Fields: []string{"details"}},
	{Kind: "introducers", Stage: "target", Fields: []string{"person_a", "person_b", "details"}},
	{Kind: "political_review", Stage: "target", Fields: []string{"outcome", "details"}, Outcomes: []string{"passed", "failed"}, Doc: true},
	{Kind: "training", Stage: "target", Fields: []string{"hours", "days", "doc_no", "details"}, Doc: true},
	{Kind: "branch_review", Stage: "target", Fields: []string{"details"}},
	{Kind: "pre_review", Stage: "target", Fields: []string{"details"}},
	{Kind: "notice", Stage: "target", Fields: []string{"end_on", "outcome", "details"}, Outcomes: []string{"passed", "failed"}, Doc: true},
	{Kind: "form_issued", Stage: "target", Fields: []string{"doc_no", "details"}, Doc: true},
	{Kind: "admission_meeting", Stage: "target", Fields: []string{"due_count", "present", "in_favour", "details"}, Doc: true},
	{Kind: "higher_talk", Stage: "target", Fields: []string{"people", "details"}},
	{Kind: "approval", Stage: "target", Fields: []string{"outcome", "reason", "details"}, Outcomes: []string{"passed", "failed"}, Doc: true},
	{Kind: "oath", Stage: "probationary", Fields: []string{"details"}},
	{Kind: "probation_assessment", Stage: "probationary", Fields: []string{"details"}, Repeat: true, Doc: true},
	{Kind: "conversion_application", Stage: "probationary", Fields: []string{"details"}, Doc: true},
	{Kind: "conversion_meeting", Stage: "probationary", Fields: []string{"due_count", "present", "in_favour", "outcome", "end_on", "details"}, Outcomes: []string{"on_time", "extend", "cancel"}, Repeat: true, Doc: true},
	{Kind: "conversion_approval", Stage: "probationary", Fields: []string{"outcome", "reason", "details"}, Outcomes: []string{"passed", "failed"}, Repeat: true, Doc: true},
}

// SpecOf returns the spec of kind.
func SpecOf(kind string) (Spec, bool) {
	i := slices.IndexFunc(Specs, func(s Spec) bool { return s.Kind == kind })
	if i < 0 {
		return Spec{}, false
	}
	return Specs[i], true
}

// Has reports whether the spec's form asks for field.
func (s Spec) Has(field string) bool { return slices.Contains(s.Fields, field) }

// Stages are the columns of the board, in order.
var Stages = []string{"applicant", "activist", "target", "probationary"}

// Step is one recorded step of a person's file.
type Step struct {
	ID          int64
	MemberID    int64
	Kind        string
	DoneOn      time.Time
	EndOn       *time.Time
	PersonA     *int64
	PersonB     *int64
	PersonAName string
	PersonBName string
	People      string
	DocNo       string
	Outcome     string
	Hours       *int
	Days        *int
	DueCount    *int
	Present     *int
	InFavour    *int
	Reason      string
	Details     string
	LateRule    string
	FlagRule    string
	RuleSet     string
	RecordedBy  string
	RecordedAt  time.Time
}

// Person is the roster's record of someone in the pipeline, as the clock
// needs it.
type Person struct {
	ID                  int64
	BranchID            int64
	BranchName          string
	Name                string
	Gender              string
	BirthDate           time.Time
	Category            string
	PartyStatus         string
	IDTail              string
	AppliedOn           *time.Time
	ActivistOn          *time.Time
	TargetOn            *time.Time
	AdmittedOn          *time.Time
	ProbationExtendedTo *time.Time
	Version             int
}

// File is a person with the steps recorded so far, oldest first.
type File struct {
	Person Person
	Steps  []Step
}

// Last is the latest step of kind (nil if none).
func (f File) Last(kind string) *Step {
	for i := len(f.Steps) - 1; i >= 0; i-- {
		if f.Steps[i].Kind == kind {
			return &f.Steps[i]
		}
	}
	return nil
}

// Count is how many steps of kind are recorded.
func (f File) Count(kind string) int {
	n := 0
	for _, s := range f.Steps {
		if s.Kind == kind {
			n++
		}
	}
	return n
}

// On is the day of the latest step of kind, or for the stage-setting
// steps the roster's date when the file has no such step (people already
// in the roster before their file was kept here).
func (f File) On(kind string) *time.Time {
	if s := f.Last(kind); s != nil {
		d := s.DoneOn
		return &d
	}
	switch kind {
	case "application":
		return f.Person.AppliedOn
	case "activist":
		return f.Person.ActivistOn
	case "target":
		return f.Person.TargetOn
	case "admission_meeting":
		return f.Person.AdmittedOn
	}
	return nil
}

// passed reports whether the last step of kind has outcome passed.
func (f File) passed(kind string) bool {
	s := f.Last(kind)
	return s != nil && s.Outcome == "passed"
}

// Stage is the person's column on the board; "cancelled" and "full" are
// the two ends outside it.
func (f File) Stage() string {
	if f.Person.PartyStatus == "cancelled" {
		return "cancelled"
	}
	return f.Person.Category
}

// ProbationEnd is the day probation ends: one year (the rule) from the
// 支部大会 that admitted, or the extended day (第三十二条). Nil before
// admission.
func (f File) ProbationEnd(r Rules) *time.Time {
	if m := f.lastExtension(); m != nil {
		return m
	}
	if f.Person.ProbationExtendedTo != nil {
		d := *f.Person.ProbationExtendedTo
		return &d
	}
	start := f.admittedOn()
	if start == nil {
		return nil
	}
	d := dates.AddMonths(*start, r.N("probation_months"))
	return &d
}

// OriginalProbationEnd is the end of probation before any extension.
func (f File) OriginalProbationEnd(r Rules) *time.Time {
	start := f.admittedOn()
	if start == nil {
		return nil
	}
	d := dates.AddMonths(*start, r.N("probation_months"))
	return &d
}

func (f File) admittedOn() *time.Time { return f.On("admission_meeting") }

func (f File) lastExtension() *time.Time {
	for i := len(f.Steps) - 1; i >= 0; i-- {
		s := f.Steps[i]
		if s.Kind == "conversion_meeting" && s.Outcome == "extend" && s.EndOn != nil {
			d := *s.EndOn
			return &d
		}
	}
	return nil
}

// appliedOn is the day of the application step, or the roster's date.
func (f File) appliedOn() *time.Time { return f.On("application") }

// Refusal is why a step cannot be recorded: the message key, the field it
// concerns and the rule (with its citation) it breaks, if a rule.
type Refusal struct {
	Field string
	Key   string
	Rule  string
	Cite  string
}

func (e *Refusal) Error() string { return "recruit: step refused: " + e.Key }

// Check judges step s for file f under rules r. It returns the step with
// LateRule set when a time limit was missed (kept, marked late), or a
// Refusal for an impossible record. With history set (records brought in
// from the past) a broken time rule is kept with FlagRule instead of
// being refused; a missing prerequisite is refused either way.
func Check(f File, s Step, r Rules, history bool) (Step, *Refusal) {
	s.RuleSet = r.Set
	refuse := func(field, key, rule string) *Refusal {
		return &Refusal{Field: field, Key: key, Rule: rule, Cite: r.Cite(rule)}
	}
	// timeRule refuses, or with history flags, a broken time rule.
	timeRule := func(field, key, rule string) *Refusal {
		if history {
			if s.FlagRule == "" {
				s.FlagRule = rule
			}
			return nil
		}
		return refuse(field, key, rule)
	}
	spec, ok := SpecOf(s.Kind)
	if !ok {
		return s, refuse("kind", "recruit.error.kind", "")
	}
	if !spec.Repeat && f.Last(s.Kind) != nil {
		return s, refuse("kind", "recruit.error.done", "")
	}
	if f.Stage() == "cancelled" || f.Stage() == "full" {
		return s, refuse("kind", "recruit.error.closed", "")
	}
	if applied := f.appliedOn(); s.Kind != "application" && applied != nil && s.DoneOn.Before(*applied) {
		return s, refuse("done_on", "recruit.error.before_application", "")
	}
	needs := func(kind string) *Refusal {
		if f.On(kind) == nil {
			return refuse("kind", "recruit.error.needs."+kind, "")
		}
		if s.DoneOn.Before(*f.On(kind)) {
			return refuse("done_on", "recruit.error.order."+kind, "")
		}
		return nil
	}
	var e *Refusal
	switch s.Kind {
	case "application":
		if s.DoneOn.Before(dates.AddYears(f.Person.BirthDate, r.N("min_age_years"))) {
			e = timeRule("done_on", "recruit.error.age", "min_age_years")
		}
	case "talk":
		if e = needs("application"); e == nil && s.DoneOn.After(dates.AddMonths(*f.On("application"), r.N("talk_months"))) {
			s.LateRule = "talk_months"
		}
	case "recommendation", "activist", "thought_report":
		e = needs("application")
	case "activist_filed":
		e = needs("activist")
	case "assessment":
		if e = needs("activist"); e == nil {
			prev := *f.On("activist")
			if a := f.Last("assessment"); a != nil {
				if s.DoneOn.Before(a.DoneOn) {
					return s, refuse("done_on", "recruit.error.order.assessment", "")
				}
				prev = a.DoneOn
			}
			if s.DoneOn.After(dates.AddMonths(prev, r.N("assessment_months"))) {
				s.LateRule = "assessment_months"
			}
		}
	case "target":
		if e = needs("activist"); e == nil && s.DoneOn.Before(dates.AddMonths(*f.On("activist"), r.N("activist_months"))) {
			e = timeRule("done_on", "recruit.error.activist_year", "activist_months")
		}
	case "target_filed", "introducers", "political_review", "branch_review":
		e = needs("target")
	case "training":
		// 不少于三天或二十四个学时 (第十七条).
		if e = needs("target"); e == nil && deref(s.Hours) < r.N("training_hours") && deref(s.Days) < r.N("training_days") {
			e = refuse("hours", "recruit.error.training", "training_hours")
		}
	case "pre_review":
		e = needs("branch_review")
	case "notice":
		if e = needs("target"); e == nil && s.EndOn != nil && Workdays(s.DoneOn, *s.EndOn) < r.N("notice_workdays") {
			e = timeRule("end_on", "recruit.error.notice_days", "notice_workdays")
		}
	case "form_issued":
		e = needs("pre_review")
	case "admission_meeting":
		e = needs("target")
		if e == nil && !f.passed("political_review") {
			e = refuse("kind", "recruit.error.needs.political_review", "")
		}
		if e == nil && f.Last("training") == nil {
			e = refuse("kind", "recruit.error.needs.training", "")
		}
		if e == nil {
			e = checkVote(s, r, refuse)
		}
	case "higher_talk":
		e = needs("admission_meeting")
	case "approval":
		if e = needs("admission_meeting"); e == nil {
			e = checkApproval(&s, *f.On("admission_meeting"), "approval_months", "approval_max_months", r, refuse)
		}
	case "oath":
		if f.Person.Category != "probationary" && !f.passed("approval") {
			e = refuse("kind", "recruit.error.needs.approval", "")
		} else if a := f.Last("approval"); a != nil && s.DoneOn.Before(a.DoneOn) {
			e = refuse("done_on", "recruit.error.order.approval", "")
		}
	case "probation_assessment":
		start := f.admittedOn()
		if f.Person.Category != "probationary" || start == nil {
			return s, refuse("kind", "recruit.error.not_probationary", "")
		}
		prev := *start
		if a := f.Last("probation_assessment"); a != nil {
			if s.DoneOn.Before(a.DoneOn) {
				return s, refuse("done_on", "recruit.error.order.assessment", "")
			}
			prev = a.DoneOn
		}
		if s.DoneOn.Before(prev) {
			return s, refuse("done_on", "recruit.error.order.approval", "")
		}
		if s.DoneOn.After(dates.AddMonths(prev, r.N("assessment_months"))) {
			s.LateRule = "assessment_months"
		}
	case "conversion_application":
		if f.Person.Category != "probationary" {
			return s, refuse("kind", "recruit.error.not_probationary", "")
		}
	case "conversion_meeting":
		e = checkConversionMeeting(f, &s, r, refuse)
	case "conversion_approval":
		m := f.Last("conversion_meeting")
		if m == nil || m.Outcome != "on_time" {
			return s, refuse("kind", "recruit.error.needs.conversion_meeting", "")
		}
		if s.DoneOn.Before(m.DoneOn) {
			return s, refuse("done_on", "recruit.error.order.conversion_meeting", "")
		}
		e = checkApproval(&s, m.DoneOn, "conversion_approval_months", "", r, refuse)
	}
	return s, e
}

// checkVote checks a 支部大会's figures: more than half of the members with
// a vote present (第二十条), and more than half of them in favour, counted
// against those due, not those present (第二十一条).
func checkVote(s Step, r Rules, refuse func(field, key, rule string) *Refusal) *Refusal {
	if s.DueCount == nil || *s.DueCount <= 0 {
		return refuse("due_count", "recruit.error.due_count", "")
	}
	if s.Present == nil || *s.Present > *s.DueCount {
		return refuse("present", "recruit.error.present", "")
	}
	if s.InFavour == nil || *s.InFavour > *s.DueCount {
		return refuse("in_favour", "recruit.error.in_favour", "")
	}
	if !MoreThan(*s.Present, *s.DueCount, r.N("quorum_percent")) {
		return refuse("present", "recruit.error.quorum", "quorum_percent")
	}
	if !MoreThan(*s.InFavour, *s.DueCount, r.N("favour_percent")) {
		return refuse("in_favour", "recruit.error.favour", "favour_percent")
	}
	return nil
}

// MoreThan reports whether n is more than percent per cent of of.
func MoreThan(n, of, percent int) bool { return n*100 > of*percent }

// checkApproval checks a higher committee's decision day against its limit
// from the meeting: within limit months it is on time; past it a reason is
// required and the step is marked late; past max months (when the set has
// one) it is also marked late under that rule.
func checkApproval(s *Step, meeting time.Time, limit, max string, r Rules, refuse func(field, key, rule string) *Refusal) *Refusal {
	if s.DoneOn.Before(meeting) {
		return refuse("done_on", "recruit.error.order.admission_meeting", "")
	}
	if !s.DoneOn.After(dates.AddMonths(meeting, r.N(limit))) {
		return nil
	}
	if s.Reason == "" {
		return refuse("reason", "recruit.error.reason", limit)
	}
	s.LateRule = limit
	if max != "" && s.DoneOn.After(dates.AddMonths(meeting, r.N(max))) {
		s.LateRule = max
	}
	return nil
}

// checkConversionMeeting checks the 支部大会 at the end of probation
// (第三十二条): held once probation ends, with a quorum and a majority;
// an extension once only, of six to twelve months.
func checkConversionMeeting(f File, s *Step, r Rules, refuse func(field, key, rule string) *Refusal) *Refusal {
	if f.Person.Category != "probationary" {
		return refuse("kind", "recruit.error.not_probationary", "")
	}
	end := f.ProbationEnd(r)
	if end == nil {
		return refuse("kind", "recruit.error.not_probationary", "")
	}
	if s.DoneOn.Before(*end) {
		return refuse("done_on", "recruit.error.before_probation_end", "probation_months")
	}
	if last := f.Last("conversion_meeting"); last != nil && last.Outcome != "extend" {
		return refuse("kind", "recruit.error.done", "")
	}
	switch s.Outcome {
	case "on_time", "cancel":
		s.EndOn = nil
	case "extend":
		if f.lastExtension() != nil || f.Person.ProbationExtendedTo != nil {
			return refuse("outcome", "recruit.error.extended_once", "extension_max_months")
		}
		orig := f.OriginalProbationEnd(r)
		if s.EndOn == nil {
			return refuse("end_on", "recruit.error.extension_until", "extension_min_months")
		}
		if s.EndOn.Before(dates.AddMonths(*orig, r.N("extension_min_months"))) {
			return refuse("end_on", "recruit.error.extension_short", "extension_min_months")
		}
		if s.EndOn.After(dates.AddMonths(*orig, r.N("extension_max_months"))) {
			return refuse("end_on", "recruit.error.extension_long", "extension_max_months")
		}
	default:
		return refuse("outcome", "recruit.error.outcome", "")
	}
	return checkVote(*s, r, refuse)
}

// Workdays counts the days Monday to Friday from a to b, both included.
// (Public holidays and swapped working days are not known to the app; the
// notice rule is a setting and uncertain.)
func Workdays(a, b time.Time) int {
	n := 0
	for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// RosterFlags are the time rules the roster's own stage dates break, for
// people brought in (the roster form or its spreadsheet import) with dates
// but without the steps here: kept as given, flagged, never taken as on
// time. A date that has its step recorded is judged by the step instead.
func RosterFlags(f File, r Rules) []string {
	var out []string
	p := f.Person
	if p.AppliedOn != nil && f.Last("application") == nil && p.AppliedOn.Before(dates.AddYears(p.BirthDate, r.N("min_age_years"))) {
		out = append(out, "min_age_years")
	}
	if p.ActivistOn != nil && p.TargetOn != nil && f.Last("target") == nil &&
		p.TargetOn.Before(dates.AddMonths(*p.ActivistOn, r.N("activist_months"))) {
		out = append(out, "activist_months")
	}
	return out
}
