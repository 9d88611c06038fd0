package review

import (
	"context"
	"fmt"
	"strconv"
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
	case rules.KindStudyHours:
		return ui.T(ctx, "review.hours_of", num(m.Value), num(r.Minimum))
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
