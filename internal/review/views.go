package review

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"zhibu/internal/i18n"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// RuleLabel is a rule's short column label: a translated one for the
// built-in rules, the rule's own title for the agency's.
func RuleLabel(ctx context.Context, r rules.Rule) string {
	if key := "review.rule." + r.Code; r.Builtin && i18n.Has(key) {
		return ui.T(ctx, key)
	}
	return r.TitleText(ctx)
}

// StatusLabel is the translated name of a status.
func StatusLabel(ctx context.Context, s rules.Status) string {
	return vocab.ReviewStatus(ctx, string(s))
}

func statusClass(s rules.Status) string {
	switch s {
	case rules.Met:
		return "tag ok"
	case rules.Pending:
		return "tag info"
	case rules.DueSoon:
		return "tag warn"
	case rules.Missed:
		return "tag bad"
	}
	return "tag"
}

// RatingLabel is the translated rating: a grade or stars.
func RatingLabel(ctx context.Context, rating string) string {
	return vocab.Rating(ctx, rating)
}

func percent(r Rate) string {
	if p, ok := r.Percent(); ok {
		return strconv.Itoa(p) + "%"
	}
	return "—"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// figure is a cell's numbers: done against required ("2 / 3"), members
// flagged, or, for the branch size, the full members and the range the rule
// asks for, in words (a bare "25 / 3" reads as a ratio).
func figure(ctx context.Context, c Cell) string {
	if c.Status == rules.NotApplicable {
		return "—"
	}
	switch c.Rule.Kind {
	case rules.KindTerm:
		return ""
	case rules.KindInactivity, rules.KindProbation, rules.KindDues:
		return strconv.Itoa(c.Flagged)
	case rules.KindBranchSize:
		if c.Rule.Maximum != nil {
			return ui.T(ctx, "review.figure.branch_size", num(c.Actual), num(c.Rule.Minimum), num(*c.Rule.Maximum))
		}
		return ui.T(ctx, "review.figure.branch_size_min", num(c.Actual), num(c.Rule.Minimum))
	}
	return num(c.Actual) + " / " + num(c.Required)
}

func resultFigure(ctx context.Context, r rules.Result) string {
	return figure(ctx, Cell{Rule: r.Rule, Status: r.Status, Actual: r.Actual, Required: r.Required, Flagged: len(r.Members)})
}

func dateText(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return i18n.Date(ctx, t)
}

func itoa(n int) string { return strconv.Itoa(n) }

// chartBars lays out the compliance chart.
type chartBar struct {
	X, Y, W, H   int
	Label, Value string
	LabelX       int
}

const chartH = 160

func chartBars(ctx context.Context, pts []ChartPoint) []chartBar {
	var out []chartBar
	for i, p := range pts {
		h := p.Percent * (chartH - 40) / 100
		b := chartBar{X: 30 + i*50, W: 34, H: h, Y: chartH - 20 - h, LabelX: 30 + i*50 + 17}
		b.Label = ui.T(ctx, "review.chart.month", int(p.Month.Month()))
		if p.Checked > 0 {
			b.Value = strconv.Itoa(p.Percent) + "%"
		} else {
			b.Value = "—"
		}
		out = append(out, b)
	}
	return out
}

func chartWidth(pts []ChartPoint) string { return strconv.Itoa(40 + 50*max(len(pts), 1)) }

func chartSummary(ctx context.Context, pts []ChartPoint) string {
	s := ""
	for i, p := range pts {
		if i > 0 {
			s += "; "
		}
		s += fmt.Sprintf("%s %d%%", ui.T(ctx, "review.chart.month", int(p.Month.Month())), p.Percent)
	}
	return s
}

// monthKinds are the meeting kinds shown in a branch's month-by-month table.
var monthKinds = []string{"general", "committee", "group", "lecture", "party_day", "study", "org_life"}

func monthsOf(d *Dashboard) []time.Time {
	var out []time.Time
	for m := time.January; m <= time.December; m++ {
		t := time.Date(d.Period.Start.Year(), m, 1, 0, 0, 0, 0, time.UTC)
		if t.After(d.Today) {
			break
		}
		out = append(out, t)
	}
	return out
}

func monthRate(f *rules.Facts, m time.Time) Rate {
	mf := f.Months[m.Month()-1]
	return Rate{Num: float64(mf.Present), Den: float64(mf.Due)}
}

func heldIn(f *rules.Facts, m time.Time, kind string) int {
	return f.Months[m.Month()-1].Held[kind]
}

func ruleTitle(ctx context.Context, r rules.Rule) string {
	return r.TitleText(ctx) + " — " + r.SourceText(ctx)
}

func exportURL(period string) string { return "/review/export.xlsx?period=" + period }

func reportURL(id int64, year int) string {
	return "/review/branches/" + strconv.FormatInt(id, 10) + "/report?year=" + strconv.Itoa(year)
}

func rateURL(id int64) string {
	return "/review/branches/" + strconv.FormatInt(id, 10) + "/reviews"
}

func respondURL(id, rid int64) string {
	return "/review/branches/" + strconv.FormatInt(id, 10) + "/reviews/" + strconv.FormatInt(rid, 10) + "/response"
}

// ratingOptions starts with an empty choice, so that no rating is given by
// default: a reviewer picks one (the field is required).
func ratingOptions(scale string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "review.rating.choose"}}
	for _, r := range RatingsOf(scale) {
		out = append(out, ui.Option{Value: r, Label: "review.rating." + r})
	}
	return out
}

func periodSelect(ctx context.Context, opts []PeriodOption) []ui.Option {
	var out []ui.Option
	for _, o := range opts {
		out = append(out, ui.Option{Value: o.Key, Label: PeriodLabel(ctx, o.Key), Literal: true})
	}
	return out
}

func levelText(ctx context.Context, m rules.MemberIssue, r rules.Rule) string {
	switch r.Kind {
	case rules.KindInactivity:
		return ui.T(ctx, "review.months_without", int(m.Value))
	case rules.KindDues:
		return ui.T(ctx, "dues.months_unpaid", int(m.Value))
	case rules.KindTalks:
		return ui.T(ctx, "review.talks_missing", int(m.Value))
	case rules.KindStudyHours:
		need := r.Minimum
		if m.Need > 0 {
			need = m.Need
		}
		return ui.T(ctx, "review.hours_of", num(m.Value), num(need))
	case rules.KindProbation:
		return ui.T(ctx, "review.conversion_due", i18n.Date(ctx, m.DueOn))
	}
	return ""
}

func urgentText(ctx context.Context, u Urgent) string {
	switch u.Rule.Kind {
	case rules.KindInactivity:
		return ui.T(ctx, "review.six_month_level", u.Level)
	case rules.KindDues:
		return ui.T(ctx, "dues.months_unpaid", u.Level)
	}
	return ""
}

func respondValue(p BranchPage, rv Review) string {
	if p.Respond.ReviewID == rv.ID {
		return p.Respond.Response
	}
	return rv.Response
}

func respondError(p BranchPage, rv Review) string {
	if p.Respond.ReviewID == rv.ID {
		return p.Respond.Errors["response"]
	}
	return ""
}

func statusOf(s string) rules.Status { return rules.Status(s) }

func problemsURL(period string) string {
	return "/review?period=" + period + "&problems=1&sort=status&dir=desc"
}

// quickPeriod is a one-click period choice above the dashboard.
type quickPeriod struct {
	Label, Href string
	Current     bool
}

// quickPeriods offers this month, this quarter, this year and the quarter
// before, so past periods are one click away.
func quickPeriods(ctx context.Context, action string, opts []PeriodOption, current string, problems bool, sort, dir string) []quickPeriod {
	if len(opts) == 0 {
		return nil
	}
	year, _ := rules.ParsePeriod(opts[0].Key) // the first option is this year
	var month, quarter, lastQuarter string
	for _, o := range opts {
		p, err := rules.ParsePeriod(o.Key)
		if err != nil || p.Start.Year() != year.Start.Year() {
			continue
		}
		switch {
		case len(o.Key) == 7 && o.Key[5] != 'Q': // 2026-12
			month = o.Key
		case len(o.Key) == 7: // 2026-Q4
			lastQuarter, quarter = quarter, o.Key
		}
	}
	if lastQuarter == "" { // the first quarter: the last one of last year
		lastQuarter = rules.Quarter(year.Start.Year()-1, 4).Key()
	}
	var out []quickPeriod
	for _, k := range []struct{ key, label string }{{month, "review.period.this_month"}, {quarter, "review.period.this_quarter"}, {year.Key(), "review.period.this_year"}, {lastQuarter, "review.period.last_quarter"}} {
		if k.key == "" {
			continue
		}
		href := action + "?period=" + k.key
		if problems {
			href += "&problems=1"
		}
		if sort != "" {
			href += "&" + url.Values{"sort": {sort}, "dir": {dir}}.Encode()
		}
		out = append(out, quickPeriod{Label: ui.T(ctx, k.label) + " · " + PeriodLabel(ctx, k.key), Href: href, Current: k.key == current})
	}
	return out
}

// sparkPath is the SVG path of a 12-month trend in a 60×20 box; months
// with nothing to judge (-1) break the line.
func sparkPath(trend []int) string {
	var sb strings.Builder
	pen := false
	for i, v := range trend {
		if v < 0 {
			pen = false
			continue
		}
		x, y := i*60/11, 18-v*16/100
		if pen {
			fmt.Fprintf(&sb, "L%d %d ", x, y)
		} else {
			fmt.Fprintf(&sb, "M%d %d h1 ", x, y) // a dot where a month stands alone
			pen = true
		}
	}
	if sb.Len() == 0 {
		return "M0 19 h0"
	}
	return strings.TrimSpace(sb.String())
}

// trendText reads the sparkline for a screen reader: month and share.
func trendText(ctx context.Context, row Row) string {
	var parts []string
	for i, v := range row.Trend() {
		if v >= 0 {
			parts = append(parts, fmt.Sprintf("%s %d%%", ui.T(ctx, "review.chart.month", i+1), v))
		}
	}
	if len(parts) == 0 {
		return ui.T(ctx, "review.trend.none")
	}
	return ui.T(ctx, "review.trend.label", strings.Join(parts, ", "))
}

// scoreBar is one decile of the score chart.
type scoreBar struct {
	Y, W, N int
	Label   string
	Class   string
}

// scoreBars lays out the deciles, best at the top, bars scaled to the
// largest.
func scoreBars(ctx context.Context, buckets []int) []scoreBar {
	if len(buckets) != 10 {
		buckets = make([]int, 10)
	}
	most := 1
	for _, n := range buckets {
		most = max(most, n)
	}
	var out []scoreBar
	for row, i := 0, 9; i >= 0; row, i = row+1, i-1 {
		b := scoreBar{Y: row * 20, N: buckets[i], W: buckets[i] * 210 / most, Label: ui.T(ctx, "review.scores.bucket", i*10, min(i*10+9, 100))}
		if i == 9 {
			b.Label = ui.T(ctx, "review.scores.bucket", 90, 100)
		}
		switch {
		case i >= 8:
			b.Class = "bar-ok"
		case i >= 6:
			b.Class = "bar-warn"
		default:
			b.Class = "bar-bad"
		}
		out = append(out, b)
	}
	return out
}

// scoresSummary reads the score chart as text.
func scoresSummary(ctx context.Context, buckets []int) string {
	var parts []string
	for _, b := range scoreBars(ctx, buckets) {
		parts = append(parts, fmt.Sprintf("%s: %d", b.Label, b.N))
	}
	return strings.Join(parts, "; ")
}

// YearPage is a branch's breach record for a year.
type YearPage struct {
	Branch    Branch
	Year      int
	Today     time.Time
	Months    []YearMonth // January … December, up to the current month
	Total     int
	Corrected int
	Rules     map[string]rules.Rule // the newest default version of each code, where no version applied
	// Versions is the version of its rule each breach was judged by (by
	// breach id): the one in force for the branch on its month's last day
	// (today for the current month), the subtree's override or the
	// default, with its title and source.
	Versions map[int64]rules.Rule
	Applied  []AppliedRule // the version of each rule that applied month by month
}

// YearMonth is one month of the record.
type YearMonth struct {
	Month    time.Time
	Breaches []Breach
}

// yearPage lays out a branch's breaches by month; versions are the
// branch's rule versions (rules.Resolver.For), defaults the agency's.
func yearPage(b Branch, year int, today time.Time, list []Breach, versions, defaults []rules.Rule) YearPage {
	p := YearPage{Branch: b, Year: year, Today: today, Rules: map[string]rules.Rule{}, Versions: map[int64]rules.Rule{}}
	for _, r := range defaults {
		if _, ok := p.Rules[r.Code]; !ok {
			p.Rules[r.Code] = r
		}
	}
	inForce := map[time.Time][]rules.Rule{}
	for _, br := range list {
		vs, ok := inForce[br.Month]
		if !ok {
			vs = rules.InForceOn(versions, asOfDay(rules.Month(br.Month.Year(), br.Month.Month()), today))
			inForce[br.Month] = vs
		}
		for _, v := range vs {
			if v.Code == br.Code {
				p.Versions[br.ID] = v
				break
			}
		}
	}
	for m := time.January; m <= time.December; m++ {
		start := time.Date(year, m, 1, 0, 0, 0, 0, time.UTC)
		if start.After(today) {
			break
		}
		p.Months = append(p.Months, YearMonth{Month: start})
	}
	for _, br := range list {
		i := int(br.Month.Month()) - 1
		if i >= len(p.Months) {
			continue
		}
		p.Months[i].Breaches = append(p.Months[i].Breaches, br)
		p.Total++
		if br.CorrectedOn != nil {
			p.Corrected++
		}
	}
	return p
}

func yearURL(id int64) string {
	return "/review/branches/" + strconv.FormatInt(id, 10) + "/year"
}

// ruleOf is the version a breach was judged by, else the newest default.
func (p YearPage) ruleOf(b Breach) (rules.Rule, bool) {
	if r, ok := p.Versions[b.ID]; ok {
		return r, true
	}
	r, ok := p.Rules[b.Code]
	return r, ok
}

func breachTitle(ctx context.Context, p YearPage, b Breach) string {
	if r, ok := p.ruleOf(b); ok {
		return r.TitleText(ctx)
	}
	return b.Code
}

func breachSource(ctx context.Context, p YearPage, b Breach) string {
	if r, ok := p.ruleOf(b); ok {
		return ui.T(ctx, "review.source", r.SourceText(ctx))
	}
	return ""
}

// breachDetail is the figure of a member's breach where it has one.
func breachDetail(ctx context.Context, p YearPage, b Breach) string {
	r, ok := p.ruleOf(b)
	if !ok {
		return ""
	}
	if r.Kind == rules.KindMeetings && b.MemberID == nil && r.MeetingKindOf() != "group" {
		// Meetings held in the rule's period against the version's minimum.
		return ui.T(ctx, "rulescope.breach_held", b.Level, num(r.Minimum))
	}
	if b.Level == 0 {
		return ""
	}
	switch r.Kind {
	case rules.KindInactivity:
		return ui.T(ctx, "review.months_without", b.Level)
	case rules.KindDues:
		return ui.T(ctx, "dues.months_unpaid", b.Level)
	}
	return ""
}
