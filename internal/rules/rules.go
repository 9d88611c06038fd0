// Package rules holds the rule set a branch's records are checked against
// (how often each meeting is held, study-hour minimums, terms, the
// six-month rule …), versioned by effective date, and a pure evaluation
// engine that turns a branch's facts into a status per rule.
package rules

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"zhibu/internal/dates"
)

// Kinds of rule: what a rule counts.
const (
	KindMeetings      = "meetings"      // meetings of MeetingKind held per period ≥ Minimum
	KindQuorum        = "quorum"        // committee meetings with more than Minimum of the committee present
	KindStudyHours    = "study_hours"   // each member (or committee member) studies ≥ Minimum hours a year
	KindAppraisal     = "appraisal"     // a democratic appraisal held each year
	KindOrgLife       = "org_life"      // an organisational-life meeting held each year
	KindTerm          = "term"          // the committee term not overdue
	KindProbation     = "probation"     // probationary members converted on time
	KindInactivity    = "inactivity"    // no member without attendance for Minimum..Maximum months
	KindRectification = "rectification" // rectification items done by their deadline
	KindBranchSize    = "branch_size"   // Minimum ≤ full members ≤ Maximum
	KindDues          = "dues"          // no member with Minimum..Maximum consecutive months of dues unpaid
	KindTalks         = "talks"         // each committee member has a heart-to-heart talk with each member ≥ Minimum times a year
)

// Kinds lists every kind of rule.
var Kinds = []string{KindMeetings, KindQuorum, KindStudyHours, KindAppraisal, KindOrgLife, KindTerm, KindProbation, KindInactivity, KindRectification, KindBranchSize, KindDues, KindTalks}

// Periods a rule counts over.
const (
	PeriodMonth   = "month"
	PeriodQuarter = "quarter"
	PeriodYear    = "year"
	PeriodNone    = "none" // checked on the day (terms, deadlines)
)

// MeetingKinds lists the kinds of meeting a meetings rule may count.
var MeetingKinds = []string{"general", "committee", "group", "lecture", "party_day", "study", "org_life", "appraisal", "talks", "democratic_life", "other"}

// Rule is one version of a rule.
type Rule struct {
	ID            int64      `db:"id"`
	Code          string     `db:"code"`
	Kind          string     `db:"kind"`
	MeetingKind   *string    `db:"meeting_kind"`
	AppliesTo     string     `db:"applies_to"`
	Period        string     `db:"period"`
	Minimum       float64    `db:"minimum"`
	Maximum       *float64   `db:"maximum"`
	Title         string     `db:"title"`
	Source        string     `db:"source"`
	Enabled       bool       `db:"enabled"`
	Builtin       bool       `db:"builtin"`
	EffectiveFrom time.Time  `db:"effective_from"`
	EffectiveTo   *time.Time `db:"effective_to"`
	// OrgID is the organisation whose subtree the version applies to
	// (an override set by a reviewer); nil for the agency-wide default.
	OrgID *int64 `db:"org_id"`
	// CountedKinds are the meeting kinds a meetings rule counts; empty:
	// its own MeetingKind only.
	CountedKinds []string `db:"counted_kinds"`
}

// Counted lists the meeting kinds a meetings rule counts.
func (r Rule) Counted() []string {
	if len(r.CountedKinds) > 0 {
		return r.CountedKinds
	}
	if k := r.MeetingKindOf(); k != "" {
		return []string{k}
	}
	return nil
}

// MeetingKindOf returns the meeting kind a meetings rule counts, or "".
func (r Rule) MeetingKindOf() string {
	if r.MeetingKind == nil {
		return ""
	}
	return *r.MeetingKind
}

// InForce reports whether the version applies on day d.
func (r Rule) InForce(d time.Time) bool {
	return !d.Before(r.EffectiveFrom) && (r.EffectiveTo == nil || d.Before(*r.EffectiveTo))
}

// Versions picks, for each code, the version in force on day d, in the
// order of the input (the first in force wins: Resolver.For puts a
// branch's deepest override first). Switched-off versions are dropped.
func Versions(all []Rule, d time.Time) []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.Code] || !r.InForce(d) {
			continue
		}
		seen[r.Code] = true
		if r.Enabled {
			out = append(out, r)
		}
	}
	return out
}

// InForceOn picks, for each code, the first version in force on day d,
// switched off or not.
func InForceOn(all []Rule, d time.Time) []Rule {
	var out []Rule
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.Code] || !r.InForce(d) {
			continue
		}
		seen[r.Code] = true
		out = append(out, r)
	}
	return out
}

// Period is a stretch of time the dashboard looks at: a month, a quarter
// or a calendar year. End is exclusive.
type Period struct {
	Kind  string
	Start time.Time
	End   time.Time
}

// Year returns the calendar year y.
func Year(y int) Period {
	return Period{Kind: PeriodYear, Start: date(y, 1, 1), End: date(y+1, 1, 1)}
}

// Quarter returns quarter q (1–4) of year y.
func Quarter(y, q int) Period {
	s := date(y, time.Month(3*(q-1)+1), 1)
	return Period{Kind: PeriodQuarter, Start: s, End: s.AddDate(0, 3, 0)}
}

// Month returns month m of year y.
func Month(y int, m time.Month) Period {
	s := date(y, m, 1)
	return Period{Kind: PeriodMonth, Start: s, End: s.AddDate(0, 1, 0)}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Day truncates t to its calendar day (in t's location) as a UTC date.
func Day(t time.Time) time.Time { return date(t.Year(), t.Month(), t.Day()) }

// Key is the period's canonical text: 2026, 2026-Q3 or 2026-07.
func (p Period) Key() string {
	switch p.Kind {
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	case PeriodMonth:
		return fmt.Sprintf("%d-%02d", p.Start.Year(), int(p.Start.Month()))
	}
	return strconv.Itoa(p.Start.Year())
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.End.AddDate(0, 0, -1) }

// Contains reports whether day d falls in the period.
func (p Period) Contains(d time.Time) bool { return !d.Before(p.Start) && d.Before(p.End) }

// ParsePeriod reads a period key (2026, 2026-Q3, 2026-07).
func ParsePeriod(s string) (Period, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("rules: bad period %q", s)
	if len(s) < 4 {
		return Period{}, bad
	}
	y, err := strconv.Atoi(s[:4])
	if err != nil || y < 2000 || y > 2100 {
		return Period{}, bad
	}
	switch rest := s[4:]; {
	case rest == "":
		return Year(y), nil
	case len(rest) == 3 && strings.HasPrefix(rest, "-Q"):
		q, err := strconv.Atoi(rest[2:])
		if err != nil || q < 1 || q > 4 {
			return Period{}, bad
		}
		return Quarter(y, q), nil
	case len(rest) == 3 && rest[0] == '-':
		m, err := strconv.Atoi(rest[1:])
		if err != nil || m < 1 || m > 12 {
			return Period{}, bad
		}
		return Month(y, time.Month(m)), nil
	}
	return Period{}, bad
}

// span returns the sub-period of kind k (month/quarter/year) containing d.
func span(k string, d time.Time) Period {
	switch k {
	case PeriodMonth:
		return Month(d.Year(), d.Month())
	case PeriodQuarter:
		return Quarter(d.Year(), (int(d.Month())-1)/3+1)
	}
	return Year(d.Year())
}

// Status is how a branch stands against a rule.
type Status string

// The statuses, from best to worst.
const (
	NotApplicable Status = "na"
	Met           Status = "met"
	Pending       Status = "pending"  // not met yet, and the deadline is more than DueSoonDays away
	DueSoon       Status = "due_soon" // not met, the deadline is within DueSoonDays
	Missed        Status = "missed"
)

// Statuses lists the statuses from best to worst.
var Statuses = []Status{NotApplicable, Met, Pending, DueSoon, Missed}

// Rank orders statuses: the higher, the worse.
func (s Status) Rank() int { return slices.Index(Statuses, s) }

// Worse returns the worse of two statuses.
func Worse(a, b Status) Status {
	if b.Rank() > a.Rank() {
		return b
	}
	return a
}

// Problem reports whether the status needs attention.
func (s Status) Problem() bool { return s == DueSoon || s == Missed }

// DueSoonDays is how close a deadline must be to count as due soon.
const DueSoonDays = 14

// MonthFacts are one month's recorded meetings of a branch.
type MonthFacts struct {
	Held    map[string]int // meetings held, by kind
	Quorate int            // committee meetings held with a quorum
	Due     int            // attendance rows expected at held meetings
	Present int            // of them, present
}

// MemberFacts are what the member rules need about one member.
type MemberFacts struct {
	ID        int64
	Name      string
	Category  string  // probationary or full (only Party members are listed)
	Committee bool    // holds a post on the branch committee
	Hours     float64 // study hours in the evaluated year up to today
	// SelfHours are the self-study part of Hours (Facts.SelfStudyCounts).
	SelfHours float64
	// Arrived is the later of admission and the latest transfer into the
	// agency (zero: unknown), for the pro rata study minimum (StudyMonths).
	Arrived time.Time
	Since   time.Time // admitted, or joined: the earliest day attendance is expected
	// LastPresent is the last day the member attended a meeting (zero: never).
	LastPresent time.Time
	// LastExcused is the last day the member was absent from a meeting
	// they were due at with an approved reason (attendance recorded as
	// leave, or an approved leave request); zero: never. Such a day counts
	// as accounted for, like a day present (党章 第九条: "without good
	// reason").
	LastExcused time.Time
	// IdleMonths are calendar months (their first days) after the last
	// day accounted for in which the member was due at no meeting: the
	// branch held none they were expected at. They are not the member's
	// miss and are left out of the count (see InactiveMonths).
	IdleMonths []time.Time
	// ConversionDue is when probation ends (zero unless probationary).
	ConversionDue time.Time
	// DuesTracked: the branch keeps this member's dues (a base is set).
	DuesTracked bool
	// DuesUnpaid is the run of consecutive months of dues unpaid without a
	// recorded good reason, up to the last month that has ended; DuesSince
	// is the first of them.
	DuesUnpaid int
	DuesSince  time.Time
}

// TalkPair names two members, the lower id first.
type TalkPair [2]int64

// PairOf is the pair of two members in either order.
func PairOf(a, b int64) TalkPair {
	if b < a {
		a, b = b, a
	}
	return TalkPair{a, b}
}

// ItemFacts is one rectification item.
type ItemFacts struct {
	ID       int64
	Problem  string
	Deadline time.Time
	Done     bool
}

// Facts are a branch's records for one calendar year.
type Facts struct {
	BranchID  int64
	Year      int
	Months    [12]MonthFacts // January … December of Year
	Groups    int            // Party groups under the branch
	Members   []MemberFacts  // Party members (full and probationary) in normal standing
	TermDueOn *time.Time     // due date of the current term; nil when there is none
	Items     []ItemFacts    // open rectification items and those done in Year
	// AppraisalHeld and OrgLifeHeld: held in Year.
	AppraisalHeld bool
	OrgLifeHeld   bool
	// SelfStudyCounts: the agency counts self-study toward the study
	// minimum (review_settings; by default it does not).
	SelfStudyCounts bool
	// HeartTalks counts the heart-to-heart talks of each pair of members in Year.
	HeartTalks map[TalkPair]int
}

// FullMembers counts full members.
func (f Facts) FullMembers() int {
	n := 0
	for _, m := range f.Members {
		if m.Category == "full" {
			n++
		}
	}
	return n
}

// MemberIssue names a member a rule flags, with a number (months, hours).
type MemberIssue struct {
	ID    int64
	Name  string
	Value float64 // months without attendance, hours studied …
	// Need is what the rule asks of this member where it differs by
	// member (the pro rata study minimum); 0 elsewhere.
	Need   float64
	Level  int // six-month rule: consecutive months without organisational life (the true count: 8 when eight)
	Status Status
	DueOn  time.Time
}

// Result is how the branch stands against one rule in a period.
type Result struct {
	Rule     Rule
	Status   Status
	Actual   float64 // what the records show (meetings held, members on track …)
	Required float64 // what the rule asks for over the period so far
	DueOn    time.Time
	Members  []MemberIssue // members a member rule flags
	Items    []ItemFacts   // rectification items overdue or due soon
}

// Evaluate checks a branch's facts against the rules for a period, as of
// today. For each code the version in force on the period's last day (or
// today, if the period is not over) applies, so a rule change effective
// from a date leaves earlier periods as they were. Facts cover the
// calendar year of the period.
func Evaluate(f Facts, all []Rule, p Period, today time.Time) []Result {
	today = Day(today)
	asOf := p.Last()
	if today.Before(asOf) {
		asOf = today
	}
	if asOf.Before(p.Start) {
		asOf = p.Start
	}
	var out []Result
	for _, r := range Versions(all, asOf) {
		var res Result
		switch r.Kind {
		case KindMeetings, KindQuorum:
			res = evalMeetings(f, r, p, today)
		case KindStudyHours:
			res = evalStudy(f, r, p, today)
		case KindAppraisal:
			res = evalYearly(f.AppraisalHeld, f, r, today)
		case KindOrgLife:
			res = evalYearly(f.OrgLifeHeld, f, r, today)
		case KindTerm:
			res = evalTerm(f, r, today)
		case KindProbation:
			res = evalProbation(f, r, today)
		case KindInactivity:
			res = evalInactivity(f, r, today)
		case KindRectification:
			res = evalItems(f, r, today)
		case KindBranchSize:
			res = evalSize(f, r)
		case KindDues:
			res = evalDues(f, r)
		case KindTalks:
			res = evalTalks(f, r, today)
		default:
			continue
		}
		res.Rule = r
		out = append(out, res)
	}
	return out
}

// subStatus is the status of one sub-period: met, or by how close its end is.
func subStatus(ok bool, sub Period, today time.Time) Status {
	switch {
	case ok:
		return Met
	case !today.Before(sub.End):
		return Missed
	case int(sub.Last().Sub(today).Hours()/24) < DueSoonDays:
		return DueSoon
	}
	return Pending
}

func evalMeetings(f Facts, r Rule, p Period, today time.Time) Result {
	res := Result{Status: NotApplicable}
	kind := r.MeetingKindOf()
	if r.Kind == KindQuorum {
		kind = "committee"
	}
	need := r.Minimum
	if kind == "group" {
		if f.Groups == 0 {
			return res
		}
		need *= float64(f.Groups)
	}
	if r.Period == PeriodNone || r.Period == "" {
		return res
	}
	// The sub-periods of the rule's length that overlap the period.
	for d := span(r.Period, p.Start).Start; d.Before(p.End); {
		sub := span(r.Period, d)
		d = sub.End
		if sub.Start.After(today) || sub.Start.Year() != f.Year {
			continue
		}
		held, quorate := 0, 0
		for m := sub.Start; m.Before(sub.End); m = m.AddDate(0, 1, 0) {
			mf := f.Months[m.Month()-1]
			if r.Kind == KindMeetings && len(r.CountedKinds) > 0 {
				for _, k := range r.CountedKinds {
					held += mf.Held[k]
				}
			} else {
				held += mf.Held[kind]
			}
			if kind == "committee" {
				quorate += mf.Quorate
			}
		}
		var st Status
		if r.Kind == KindQuorum {
			// Every committee meeting held needs a quorum; a month without one is
			// the meetings rule's business.
			res.Actual += float64(quorate)
			res.Required += float64(held)
			st = Met
			if quorate < held {
				st = Missed
			}
		} else {
			res.Actual += float64(held)
			res.Required += need
			st = subStatus(float64(held) >= need, sub, today)
		}
		if st != Met && res.DueOn.IsZero() {
			res.DueOn = sub.Last()
		}
		res.Status = Worse(res.Status, st)
	}
	return res
}

func evalStudy(f Facts, r Rule, p Period, today time.Time) Result {
	res := Result{Status: NotApplicable}
	year := Year(f.Year)
	if year.Start.After(today) {
		return res
	}
	// Pro rata target so far this year, to tell who is behind.
	elapsed := 1.0
	if today.Before(year.End) {
		elapsed = float64(today.Sub(year.Start).Hours()/24+1) / float64(year.End.Sub(year.Start).Hours()/24)
	}
	for _, m := range f.Members {
		if (r.AppliesTo == "committee") != m.Committee {
			continue
		}
		months := StudyMonths(m.Arrived, f.Year)
		if months == 0 {
			continue // arrived after the year
		}
		need := ProRate(r.Minimum, months)
		hours := m.Hours
		if !f.SelfStudyCounts {
			hours = max(0, hours-m.SelfHours)
		}
		res.Required++
		if hours >= need {
			res.Actual++
			continue
		}
		st := subStatus(false, year, today)
		if st == Pending && hours < need*elapsed {
			st = DueSoon // behind the pace the minimum needs
			if year.End.Sub(today).Hours()/24 > 90 {
				st = Pending
			}
		}
		res.Members = append(res.Members, MemberIssue{ID: m.ID, Name: m.Name, Value: hours, Need: need, Status: st, DueOn: year.Last()})
		res.Status = Worse(res.Status, st)
	}
	if res.Required > 0 && res.Status == NotApplicable {
		res.Status = Met
	}
	res.DueOn = year.Last()
	_ = p
	return res
}

// StudyMonths is how many months of a year a member arriving on since
// (admission, or a transfer into the agency) belonged to the branch: 12
// when since is zero or before the year; the month of arrival counts
// whole (admitted on 31 January: 12; on 1 December: 1); 0 after the year.
// Moves between branches of the agency do not count as arrivals: the
// hours earned before a move are on record.
func StudyMonths(since time.Time, year int) int {
	switch {
	case since.IsZero() || since.Year() < year:
		return 12
	case since.Year() > year:
		return 0
	}
	return 13 - int(since.Month())
}

// ProRate is a yearly minimum for months of the year, to a tenth.
func ProRate(full float64, months int) float64 {
	if months >= 12 {
		return full
	}
	return math.Round(full*float64(months)/12*10) / 10
}

func evalYearly(held bool, f Facts, r Rule, today time.Time) Result {
	y := Year(f.Year)
	if y.Start.After(today) {
		return Result{Status: NotApplicable}
	}
	res := Result{Required: 1, Status: subStatus(held, y, today), DueOn: y.Last()}
	if held {
		res.Actual = 1
	}
	return res
}

func evalTerm(f Facts, r Rule, today time.Time) Result {
	if f.TermDueOn == nil {
		return Result{Status: Missed, Required: 1}
	}
	due := Day(*f.TermDueOn)
	res := Result{DueOn: due, Required: 1, Actual: 1}
	switch days := int(due.Sub(today).Hours() / 24); {
	case days < 0:
		res.Status, res.Actual = Missed, 0
	case days < 90: // a term's election is prepared months ahead
		res.Status = DueSoon
	default:
		res.Status = Met
	}
	return res
}

func evalProbation(f Facts, r Rule, today time.Time) Result {
	res := Result{Status: NotApplicable}
	for _, m := range f.Members {
		if m.Category != "probationary" || m.ConversionDue.IsZero() {
			continue
		}
		res.Required++
		due := Day(m.ConversionDue)
		st := Met
		switch days := int(due.Sub(today).Hours() / 24); {
		case days < 0:
			st = Missed
		case days < 30:
			st = DueSoon
		}
		if st == Met {
			res.Actual++
		} else {
			res.Members = append(res.Members, MemberIssue{ID: m.ID, Name: m.Name, Status: st, DueOn: due})
		}
		res.Status = Worse(res.Status, st)
	}
	return res
}

// MonthsWithout counts whole months from last (or since, when the member
// never attended) to today, month ends clamped (31 August + 6 months = 28
// February).
func MonthsWithout(last, since, today time.Time) int {
	from := last
	if from.IsZero() {
		from = since
	}
	if from.IsZero() {
		return 0
	}
	from = Day(from)
	n := (today.Year()-from.Year())*12 + int(today.Month()) - int(from.Month())
	for n > 0 && dates.AddMonths(from, n).After(today) {
		n--
	}
	return max(n, 0)
}

// Accounted is the last day the member had organisational life or an
// approved reason not to: the later of LastPresent and LastExcused, or
// Since when neither (zero when all three are).
func (m MemberFacts) Accounted() time.Time {
	a := m.LastPresent
	if m.LastExcused.After(a) {
		a = m.LastExcused
	}
	if a.IsZero() {
		a = m.Since
	}
	return a
}

// InactiveMonths is the six-month count (党章 第九条) of a member as of
// today: the whole months from the last day accounted for (present, or
// excused with an approved reason; admission when never) to today, less
// each calendar month after that day's month, ended by today, in which
// the member was due at no meeting. An excused absence therefore starts
// the count afresh, and a month without a meeting neither counts nor
// breaks the run. The count is not capped: eight months read 8.
func InactiveMonths(m MemberFacts, today time.Time) int {
	from := m.Accounted()
	if from.IsZero() {
		return 0
	}
	today = Day(today)
	n := MonthsWithout(from, time.Time{}, today)
	first := date(from.Year(), from.Month(), 1).AddDate(0, 1, 0)
	idle := 0
	seen := map[time.Time]bool{}
	for _, im := range m.IdleMonths {
		im = date(im.Year(), im.Month(), 1)
		if seen[im] || im.Before(first) || im.AddDate(0, 1, 0).After(today) {
			continue
		}
		seen[im] = true
		idle++
	}
	return max(n-idle, 0)
}

// reachesOn is the day a member's six-month count reaches limit when no
// meeting is attended (past when it has): each month without a meeting due
// puts it a month later.
func reachesOn(m MemberFacts, limit int) time.Time {
	from := Day(m.Accounted())
	for k := limit; k <= limit+len(m.IdleMonths); k++ {
		if d := dates.AddMonths(from, k); InactiveMonths(m, d) >= limit {
			return d
		}
	}
	return dates.AddMonths(from, limit+len(m.IdleMonths))
}

func evalInactivity(f Facts, r Rule, today time.Time) Result {
	res := Result{Status: Met}
	low := int(r.Minimum)
	high := 6
	if r.Maximum != nil {
		high = int(*r.Maximum)
	}
	for _, m := range f.Members {
		res.Required++
		n := InactiveMonths(m, today)
		if n < low || n == 0 {
			res.Actual++
			continue
		}
		st := DueSoon
		if n >= high {
			st = Missed
		}
		due := reachesOn(m, high)
		res.Members = append(res.Members, MemberIssue{ID: m.ID, Name: m.Name, Value: float64(n), Level: n, Status: st, DueOn: due})
		res.Status = Worse(res.Status, st)
	}
	if res.Required == 0 {
		res.Status = NotApplicable
	}
	slices.SortFunc(res.Members, func(a, b MemberIssue) int { return int(b.Value - a.Value) })
	return res
}

// evalTalks checks the yearly heart-to-heart talks (支部工作条例 第十九条):
// each member of the branch committee talks with each other member at
// least Minimum times in the year. Required is the pairs asked for, Actual
// those that talked; a member is flagged while a committee member has not
// talked with them (Value: how many have not), pending through the year,
// due soon in its last days and missed once it is over.
func evalTalks(f Facts, r Rule, today time.Time) Result {
	y := Year(f.Year)
	if y.Start.After(today) {
		return Result{Status: NotApplicable}
	}
	res := Result{Status: NotApplicable, DueOn: y.Last()}
	var committee []MemberFacts
	for _, m := range f.Members {
		if m.Committee {
			committee = append(committee, m)
		}
	}
	need := max(int(r.Minimum), 1)
	for _, m := range f.Members {
		missing := 0
		for _, c := range committee {
			if c.ID == m.ID {
				continue
			}
			res.Required++
			if f.HeartTalks[PairOf(c.ID, m.ID)] >= need {
				res.Actual++
			} else {
				missing++
			}
		}
		if missing > 0 {
			st := subStatus(false, y, today)
			res.Members = append(res.Members, MemberIssue{ID: m.ID, Name: m.Name, Value: float64(missing), Status: st, DueOn: y.Last()})
			res.Status = Worse(res.Status, st)
		}
	}
	if res.Required > 0 && res.Status == NotApplicable {
		res.Status = Met
	}
	return res
}

// evalDues flags members whose dues are unpaid for Minimum consecutive
// months (a reminder: due soon) and those at Maximum (the six-month rule,
// 党章 第九条: missed). DueOn is the end of the month the run reaches
// Maximum.
func evalDues(f Facts, r Rule) Result {
	res := Result{Status: NotApplicable}
	high := 6
	if r.Maximum != nil {
		high = int(*r.Maximum)
	}
	for _, m := range f.Members {
		if !m.DuesTracked {
			continue
		}
		res.Required++
		if res.Status == NotApplicable {
			res.Status = Met
		}
		if m.DuesUnpaid < int(r.Minimum) || m.DuesUnpaid == 0 {
			res.Actual++
			continue
		}
		st := DueSoon
		if m.DuesUnpaid >= high {
			st = Missed
		}
		due := Day(m.DuesSince).AddDate(0, high, 0).AddDate(0, 0, -1)
		res.Members = append(res.Members, MemberIssue{ID: m.ID, Name: m.Name, Value: float64(m.DuesUnpaid), Level: m.DuesUnpaid, Status: st, DueOn: due})
		res.Status = Worse(res.Status, st)
	}
	slices.SortFunc(res.Members, func(a, b MemberIssue) int { return b.Level - a.Level })
	return res
}

func evalItems(f Facts, r Rule, today time.Time) Result {
	res := Result{Status: Met}
	for _, it := range f.Items {
		res.Required++
		if it.Done {
			res.Actual++
			continue
		}
		st := subStatus(false, Period{Start: it.Deadline, End: Day(it.Deadline).AddDate(0, 0, 1)}, today)
		if st == Pending {
			res.Actual++
			continue
		}
		res.Items = append(res.Items, it)
		res.Status = Worse(res.Status, st)
	}
	return res
}

func evalSize(f Facts, r Rule) Result {
	n := float64(f.FullMembers())
	res := Result{Actual: n, Required: r.Minimum, Status: Met}
	if n < r.Minimum || (r.Maximum != nil && n > *r.Maximum) {
		res.Status = Missed
	}
	return res
}

// Summary condenses results: the worst status and counts per status.
type Summary struct {
	Worst  Status
	Counts map[Status]int
}

// Summarise condenses a branch's results.
func Summarise(rs []Result) Summary {
	s := Summary{Worst: NotApplicable, Counts: map[Status]int{}}
	for _, r := range rs {
		s.Counts[r.Status]++
		s.Worst = Worse(s.Worst, r.Status)
	}
	return s
}
