package review

import (
	"context"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/rules"
)

// AppliedSpan is a run of months of a year in which one version of a rule
// applied to a branch.
type AppliedSpan struct {
	From, To time.Month      // first and last month of the run
	Version  rules.Rule      // the version (an override or the default; it may be switched off)
	Scope    *rules.ScopeOrg // the organisation that set it; nil: the agency default
}

// AppliedRule is a rule with the versions that applied month by month.
type AppliedRule struct {
	Rule  rules.Rule // the default, for the title
	Spans []AppliedSpan
}

// AppliedRules works out, for each month of year up to today, the
// version of each rule that applied to the branch: the one in force on
// the month's last day (today for the current month), as the engine
// judges it. One load of the rule set, one read of the path's names.
func AppliedRules(ctx context.Context, q db.Querier, branch int64, year int, today time.Time) ([]AppliedRule, error) {
	set, paths, err := BranchRules(ctx, q, []int64{branch})
	if err != nil {
		return nil, err
	}
	return appliedFor(ctx, q, set, paths[branch], year, today)
}

// appliedFor is AppliedRules on a rule set already loaded, for the
// branch with the given path.
func appliedFor(ctx context.Context, q db.Querier, set *rules.Resolver, path []int64, year int, today time.Time) ([]AppliedRule, error) {
	var err error
	var names map[int64]rules.ScopeOrg
	if len(path) > 0 {
		if names, err = rules.PathOrgs(ctx, q, path); err != nil {
			return nil, err
		}
	}
	list := set.For(path)
	var out []AppliedRule
	idx := map[string]int{}
	for m := time.January; m <= time.December; m++ {
		p := rules.Month(year, m)
		if p.Start.After(today) {
			break
		}
		for _, v := range rules.InForceOn(list, asOfDay(p, today)) {
			i, ok := idx[v.Code]
			if !ok {
				i = len(out)
				idx[v.Code] = i
				def := v
				for _, d := range set.Defaults() {
					if d.Code == v.Code {
						def = d
						break
					}
				}
				out = append(out, AppliedRule{Rule: def})
			}
			spans := out[i].Spans
			if n := len(spans); n > 0 && spans[n-1].Version.ID == v.ID && spans[n-1].To == m-1 {
				out[i].Spans[n-1].To = m
				continue
			}
			span := AppliedSpan{From: m, To: m, Version: v}
			if v.OrgID != nil {
				o := names[*v.OrgID]
				span.Scope = &o
			}
			out[i].Spans = append(out[i].Spans, span)
		}
	}
	return out, nil
}

// monthSpan names a run of months: "2026-03" or "2026-01 – 2026-06", in
// the reader's language.
func monthSpan(ctx context.Context, year int, s AppliedSpan) string {
	from := PeriodLabel(ctx, rules.Month(year, s.From).Key())
	if s.To == s.From {
		return from
	}
	return from + " – " + PeriodLabel(ctx, rules.Month(year, s.To).Key())
}
