package rules

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// Resolver finds the versions that apply to a branch: for each code, the
// overrides set on the organisations of the branch's path (deepest first)
// before the agency-wide defaults, so that Versions and Evaluate, which
// take the first version in force on a day, pick the deepest override in
// force and fall back to the default. Made once per load of the rule set
// (every version of the period at once), it answers per branch without a
// query; branches under the same overriding organisations share one list.
// Not safe for concurrent use.
type Resolver struct {
	defaults []Rule           // org_id NULL, in LoadAll's order
	scoped   map[int64][]Rule // overrides by organisation
	cache    map[string][]Rule
}

// NewResolver splits every version of the rule set (LoadScoped) into the
// defaults and the overrides by organisation.
func NewResolver(all []Rule) *Resolver {
	r := &Resolver{scoped: map[int64][]Rule{}, cache: map[string][]Rule{}}
	for _, v := range all {
		if v.OrgID == nil {
			r.defaults = append(r.defaults, v)
		} else {
			r.scoped[*v.OrgID] = append(r.scoped[*v.OrgID], v)
		}
	}
	return r
}

// Scoped reports whether any organisation has an override.
func (r *Resolver) Scoped() bool { return len(r.scoped) > 0 }

// Defaults are the agency-wide versions.
func (r *Resolver) Defaults() []Rule { return r.defaults }

// For returns the versions that may apply to an organisation with the
// given path (organisations.path: root … self), deepest override first
// within each code, in the defaults' order of codes.
func (r *Resolver) For(path []int64) []Rule {
	var orgs []int64 // overriding organisations of the path, deepest first
	for i := len(path) - 1; i >= 0; i-- {
		if _, ok := r.scoped[path[i]]; ok {
			orgs = append(orgs, path[i])
		}
	}
	if len(orgs) == 0 {
		return r.defaults
	}
	var kb strings.Builder
	for _, o := range orgs {
		kb.WriteString(strconv.FormatInt(o, 10))
		kb.WriteByte(',')
	}
	key := kb.String()
	if out, ok := r.cache[key]; ok {
		return out
	}
	var out []Rule
	var codes []string
	for _, d := range r.defaults {
		if slices.Contains(codes, d.Code) {
			continue
		}
		codes = append(codes, d.Code)
		for _, o := range orgs {
			for _, v := range r.scoped[o] {
				if v.Code == d.Code {
					out = append(out, v)
				}
			}
		}
		for _, v := range r.defaults {
			if v.Code == d.Code {
				out = append(out, v)
			}
		}
	}
	r.cache[key] = out
	return out
}

// ScopeURL is the address of an organisation's rule settings (reviewers).
func ScopeURL(org int64) string { return "/review/orgs/" + strconv.FormatInt(org, 10) + "/rules" }

// ScopeName names where a version comes from: the organisation that set
// it, or the agency's default.
func ScopeName(ctx context.Context, from *ScopeOrg) string {
	if from == nil {
		return ui.T(ctx, "rulescope.agency_default")
	}
	return from.Name
}

// KindsText lists the meeting kinds a meetings rule counts ("" for other rules).
func KindsText(ctx context.Context, r Rule) string {
	if r.Kind != KindMeetings {
		return ""
	}
	var names []string
	for _, k := range r.Counted() {
		names = append(names, vocab.MeetingKind(ctx, k))
	}
	return strings.Join(names, "、")
}

// VersionValues is a version's figures in one line: standard, switch and
// (meetings rules) the kinds counted.
func VersionValues(ctx context.Context, r Rule) string {
	s := Requirement(ctx, r)
	if !r.Enabled {
		s = ui.T(ctx, "rules.off")
	}
	if k := KindsText(ctx, r); k != "" && r.Enabled {
		s += " · " + k
	}
	return s
}
