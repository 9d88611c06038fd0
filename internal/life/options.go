package life

import (
	"strconv"

	"zhibu/internal/ui"
)

func orgOptions(orgs []OrgChoice) []ui.Option {
	out := []ui.Option{{Value: "", Label: "life.choose"}}
	for _, o := range orgs {
		out = append(out, ui.Option{Value: o.Value(), Label: o.Name, Literal: true})
	}
	return out
}

func keyOptions(prefix string, values []string) []ui.Option {
	out := []ui.Option{{Value: "", Label: "life.choose"}}
	for _, v := range values {
		out = append(out, ui.Option{Value: v, Label: prefix + v})
	}
	return out
}

func participantOptions(ps []Participant) []ui.Option {
	out := []ui.Option{{Value: "", Label: "life.choose"}}
	for _, p := range ps {
		out = append(out, ui.Option{Value: strconv.FormatInt(p.MemberID, 10), Label: p.Name, Literal: true})
	}
	return out
}

func statusFilterOptions() []ui.Option {
	return []ui.Option{{Value: "", Label: "rect.all"}, {Value: "overdue", Label: "rect.overdue"},
		{Value: "open", Label: "rect.status.open"}, {Value: "in_progress", Label: "rect.status.in_progress"}, {Value: "done", Label: "rect.status.done"}}
}

func candidateOptions(cs []Candidate) []ui.Option {
	out := []ui.Option{{Value: "", Label: "life.choose"}}
	for _, c := range cs {
		out = append(out, ui.Option{Value: strconv.FormatInt(c.ID, 10), Label: c.Name, Literal: true})
	}
	return out
}

func lifeStatusOptions() []ui.Option {
	out := []ui.Option{{Value: "", Label: "rect.all"}}
	for _, s := range []string{StatusPreparing, StatusHeld, StatusSubmitted} {
		out = append(out, ui.Option{Value: s, Label: "life.status." + s})
	}
	return out
}
