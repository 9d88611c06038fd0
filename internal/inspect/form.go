package inspect

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

// PlanForm is the planning form's input.
type PlanForm struct {
	Title      string
	StartsOn   string
	EndsOn     string
	Branches   []string
	Rules      []string
	Extra      string
	Candidates []Candidate
	Checklist  []ChecklistItem
	Errors     ui.Errors
}

func parseDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return d, err == nil
}

// Validate turns the form into a plan, one message key per bad field.
func (f *PlanForm) Validate() Plan {
	var p Plan
	f.Title = strings.TrimSpace(f.Title)
	if f.Title == "" || utf8.RuneCountInString(f.Title) > 200 {
		f.Errors.Add("title", "inspect.error.title")
	}
	p.Title = f.Title
	s, okS := parseDate(f.StartsOn)
	e, okE := parseDate(f.EndsOn)
	if !okS {
		f.Errors.Add("starts_on", "inspect.error.date")
	}
	if !okE {
		f.Errors.Add("ends_on", "inspect.error.date")
	} else if okS && e.Before(s) {
		f.Errors.Add("ends_on", "inspect.error.ends_before")
	}
	p.StartsOn, p.EndsOn = s, e
	for _, raw := range f.Branches {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(f.Candidates, func(c Candidate) bool { return c.ID == id }) {
			f.Errors.Add("branches", "inspect.error.branch")
			continue
		}
		if !slices.Contains(p.Branches, id) {
			p.Branches = append(p.Branches, id)
		}
	}
	if len(p.Branches) == 0 {
		f.Errors.Add("branches", "inspect.error.branches")
	}
	for _, c := range f.Checklist {
		if slices.Contains(f.Rules, c.Code) {
			p.Items = append(p.Items, c)
		}
	}
	for _, l := range itemLines(f.Extra) {
		if utf8.RuneCountInString(l) > 300 {
			f.Errors.Add("extra", "inspect.error.item_long")
			continue
		}
		p.Items = append(p.Items, ChecklistItem{Title: l})
	}
	if len(p.Items) == 0 {
		f.Errors.Add("rules", "inspect.error.items")
	}
	return p
}

// Checked reports whether a checklist rule is chosen.
func (f PlanForm) Checked(code string) bool { return slices.Contains(f.Rules, code) }

// BranchChecked reports whether a branch is chosen.
func (f PlanForm) BranchChecked(id int64) bool {
	return slices.Contains(f.Branches, strconv.FormatInt(id, 10))
}

// FindingRow is one checklist item on the findings form.
type FindingRow struct {
	Item Item
	// Source is what the branch is held to for the item: the source of
	// the rule version in force for the branch on the inspection's first
	// day (its subtree's override, else the default), or the item's own.
	Source string
	Met    string // "yes", "no" or ""
	Note   string
	Error  string
	// Saved is the finding already recorded, if any.
	Saved *Finding
}

// parseFindings reads the findings form: met_<item> is yes or no; a
// finding not met needs a note.
func parseFindings(form url.Values, rows []FindingRow) ([]FindingRow, []FindingInput, bool) {
	var out []FindingInput
	ok := true
	for i := range rows {
		r := &rows[i]
		id := strconv.FormatInt(r.Item.ID, 10)
		r.Met = form.Get("met_" + id)
		r.Note = strings.TrimSpace(form.Get("note_" + id))
		r.Error = ""
		switch {
		case r.Met != "yes" && r.Met != "no":
			r.Error = "inspect.error.met"
		case r.Met == "no" && r.Note == "":
			r.Error = "inspect.error.note"
		case utf8.RuneCountInString(r.Note) > 1000:
			r.Error = "inspect.error.too_long"
		}
		if r.Error != "" {
			ok = false
			continue
		}
		out = append(out, FindingInput{ItemID: r.Item.ID, Met: r.Met == "yes", Note: r.Note})
	}
	return rows, out, ok
}

// ValidateDeadline checks a rectification deadline: a day after today at
// the earliest (a notice due today or before could not be answered).
func ValidateDeadline(raw string, today time.Time) (time.Time, string) {
	d, ok := parseDate(raw)
	if !ok {
		return d, "inspect.error.date"
	}
	if !d.After(today) {
		return d, "inspect.error.deadline_past"
	}
	return d, ""
}
