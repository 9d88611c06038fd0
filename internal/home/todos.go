package home

import (
	"context"
	"strconv"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/discipline"
	"zhibu/internal/disposal"
	"zhibu/internal/dues"
	"zhibu/internal/i18n"
	"zhibu/internal/inspect"
	"zhibu/internal/leadgroup"
	"zhibu/internal/meeting"
	"zhibu/internal/notices"
	"zhibu/internal/org"
	"zhibu/internal/plans"
	"zhibu/internal/recruit"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/talk"
	"zhibu/internal/todo"
)

// Provider lists what the organisations under orgIDs have to do as of
// today. Each area exports one (meeting.Todos, recruit.Todos, …); a
// workbench lists the union, sorted by urgency.
type Provider func(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error)

// branchProviders feed the secretary's to-do list. Adding an area's
// to-dos is one line here.
var branchProviders = []Provider{
	ComplianceTodos,
	meeting.Todos,
	recruit.Todos,
	dues.Todos,
	talk.Todos,
	discipline.Todos,
	disposal.Todos,
	org.Todos,
	plans.Todos,
	notices.Todos, // unanswered objections to a public notice (issue 23, part B)
}

// committeeProviders feed the reviewer's "waiting for the committee" list.
var committeeProviders = []Provider{plans.ReviewTodos, inspect.ReviewTodos, leadgroup.ReviewTodos}

// collect runs the providers and sorts their items by urgency.
func collect(ctx context.Context, q db.Querier, ps []Provider, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	var out []todo.Item
	for _, p := range ps {
		items, err := p(ctx, q, orgIDs, today)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	todo.Sort(out)
	return out, nil
}

// horizon is how far ahead a rule not yet met becomes a to-do: what the
// rules require this month or this quarter.
const horizonDays = 92

// ComplianceTodos turns the rule engine's statuses of the branches under
// orgIDs into to-dos: each rule not yet met whose deadline falls within
// the quarter ahead (meetings required and not held, talks, the term, an
// appraisal), due soon or missed ones marked overdue when missed.
func ComplianceTodos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	branches, err := review.Branches(ctx, q, orgIDs)
	if err != nil || len(branches) == 0 {
		return nil, err
	}
	year := rules.Year(today.Year())
	d, err := review.Evaluate(ctx, q, branches, year, today, false)
	if err != nil {
		return nil, err
	}
	var out []todo.Item
	for _, row := range d.Rows {
		for _, r := range row.Results {
			switch r.Status {
			case rules.Pending, rules.DueSoon, rules.Missed:
			default:
				continue
			}
			if r.Status == rules.Pending && r.DueOn.After(today.AddDate(0, 0, horizonDays)) {
				continue
			}
			it := todo.Item{Area: "rules", Title: r.Rule.TitleText(ctx), Due: r.DueOn, Overdue: r.Status == rules.Missed,
				Cite: r.Rule.SourceText(ctx), URL: ruleURL(r.Rule, row.Branch.ID, year.Key())}
			switch {
			case len(r.Members) > 0:
				it.Detail = i18n.T(ctx, "workbench.todo.members", len(r.Members))
			case len(r.Items) > 0:
				it.Detail = i18n.T(ctx, "workbench.todo.items", len(r.Items))
			case r.Required > 0:
				it.Detail = i18n.T(ctx, "workbench.todo.progress", fmtNum(r.Actual), fmtNum(r.Required))
			}
			if len(d.Rows) > 1 {
				it.Detail = row.Branch.Name + " · " + it.Detail
			}
			out = append(out, it)
		}
	}
	return out, nil
}

// ruleURL is the page that does what a rule asks: the meeting form for
// meetings, the life meetings for an organisational-life meeting, the
// rectification list, otherwise the branch's compliance page that says
// what is missing.
func ruleURL(r rules.Rule, branchID int64, period string) string {
	switch r.Kind {
	case rules.KindMeetings, rules.KindQuorum:
		k := r.MeetingKindOf()
		if k == "" || k == "democratic_life" {
			return "/meetings/new"
		}
		if k == "org_life" {
			return "/life"
		}
		return "/meetings/new?kind=" + k
	case rules.KindOrgLife:
		return "/life"
	case rules.KindRectification:
		return "/rectification"
	}
	return review.BranchURL(branchID, period)
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// BranchTodos lists the to-dos of the branches under orgIDs from every
// provider, sorted by urgency: the secretary's list, and the overdue
// notices the notifier mails.
func BranchTodos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	return collect(ctx, q, branchProviders, orgIDs, today)
}
