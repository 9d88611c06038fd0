package org

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const dateLayout = "2006-01-02"

// TermYears is how long a term runs by kind, the default due date of a new
// term (机关基层组织工作条例: agency committees 5 years, general branches
// and branches 3). Agencies change it through Handler.TermYears.
var TermYears = map[string]int{"committee": 5, "general_branch": 3, "branch": 3, "group": 3}

// Form is the organisation form as typed.
type Form struct {
	Version       int
	ParentID      string
	Kind          string
	Name          string
	EstablishedOn string
}

// Values is a validated organisation form.
type Values struct {
	ParentID      *int64
	Kind          string
	Name          string
	EstablishedOn time.Time
}

// Validate checks the form; parentKind is the kind of the chosen parent
// ("" for none, "?" when the chosen parent is not a choice). With create
// unset only the name and parent are checked (kind and date are fixed).
func (f *Form) Validate(create bool, parentKind string, today time.Time) (Values, map[string]string) {
	errs := map[string]string{}
	f.Name, f.ParentID, f.Kind, f.EstablishedOn = strings.TrimSpace(f.Name), strings.TrimSpace(f.ParentID), strings.TrimSpace(f.Kind), strings.TrimSpace(f.EstablishedOn)
	var v Values
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		errs["name"] = "form.required"
	case n > 200:
		errs["name"] = "form.too_long"
	}
	v.Name = f.Name
	if f.ParentID != "" {
		id, err := strconv.ParseInt(f.ParentID, 10, 64)
		if err != nil || id <= 0 || parentKind == "?" {
			errs["parent_id"] = "form.invalid"
		} else {
			v.ParentID = &id
		}
	}
	if !slices.Contains(Kinds, f.Kind) {
		errs["kind"] = "form.required"
	} else if parentKind != "?" && !slices.Contains(allowedParents[f.Kind], parentKind) {
		errs["parent_id"] = "org.parent.wrong_kind"
	}
	v.Kind = f.Kind
	if create {
		if f.EstablishedOn == "" {
			errs["established_on"] = "form.required"
		} else if d, err := time.Parse(dateLayout, f.EstablishedOn); err != nil {
			errs["established_on"] = "form.bad_date"
		} else if d.After(today) {
			errs["established_on"] = "member.stage.future"
		} else {
			v.EstablishedOn = d
		}
	}
	return v, errs
}

// TermForm is the new-term form as typed.
type TermForm struct {
	TermNo    string
	ElectedOn string
	DueOn     string
	Posts     map[string]string
}

// TermValues is a validated term.
type TermValues struct {
	TermNo    int
	ElectedOn time.Time
	DueOn     time.Time
	Posts     map[string]int64
	// Members are committee members without a named post (an election's).
	Members []int64
}

// members lists who holds post p.
func (t TermValues) members(p string) []int64 {
	if p == "member" {
		return t.Members
	}
	if id := t.Posts[p]; id != 0 {
		return []int64{id}
	}
	return nil
}

// Validate checks a term: a positive number, an election day not in the
// future, a due day after it (the kind's default when empty), a secretary,
// and no member in two posts. candidates are the members who may hold one.
func (f *TermForm) Validate(kind string, years int, candidates []Candidate, today time.Time) (TermValues, map[string]string) {
	errs := map[string]string{}
	t := TermValues{Posts: map[string]int64{}}
	if n, err := strconv.Atoi(strings.TrimSpace(f.TermNo)); err != nil || n <= 0 || n > 1000 {
		errs["term_no"] = "form.invalid"
	} else {
		t.TermNo = n
	}
	if d, err := time.Parse(dateLayout, strings.TrimSpace(f.ElectedOn)); err != nil {
		errs["elected_on"] = "form.bad_date"
	} else if d.After(today) {
		errs["elected_on"] = "member.stage.future"
	} else {
		t.ElectedOn = d
	}
	if strings.TrimSpace(f.DueOn) == "" {
		if !t.ElectedOn.IsZero() {
			t.DueOn = t.ElectedOn.AddDate(years, 0, 0)
			f.DueOn = t.DueOn.Format(dateLayout)
		}
	} else if d, err := time.Parse(dateLayout, strings.TrimSpace(f.DueOn)); err != nil {
		errs["due_on"] = "form.bad_date"
	} else if !t.ElectedOn.IsZero() && !d.After(t.ElectedOn) {
		errs["due_on"] = "org.term.due_before_elected"
	} else {
		t.DueOn = d
	}
	used := map[int64]bool{}
	for _, p := range Posts {
		raw := strings.TrimSpace(f.Posts[p])
		if raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !slices.ContainsFunc(candidates, func(c Candidate) bool { return c.ID == id }) {
			errs["post_"+p] = "form.invalid"
			continue
		}
		if used[id] {
			errs["post_"+p] = "org.term.two_posts"
			continue
		}
		used[id] = true
		t.Posts[p] = id
	}
	if f.Posts["secretary"] == "" {
		errs["post_secretary"] = "form.required"
	}
	return t, errs
}

// TermState is "overdue", "due" (within the election reminder's days, a
// setting: the same as /elections and the workbench) or "" for a term.
func TermState(t *Term, today time.Time, reminderDays int) string {
	if t == nil || t.EndedOn != nil {
		return ""
	}
	switch {
	case t.DueOn.Before(today):
		return "overdue"
	case !t.DueOn.After(today.AddDate(0, 0, reminderDays)):
		return "due"
	}
	return ""
}

// Warnings lists the structural rules a branch breaks, as message keys:
// fewer than 3 full members; more than 50 members; 7 or more full members
// and no committee (a current term with at least 3 posts).
func Warnings(o *Org, current *Term) []string {
	if o.Kind != "branch" || o.DissolvedOn != nil {
		return nil
	}
	var w []string
	if o.FullMembers < 3 {
		w = append(w, "org.warn.too_few")
	}
	if o.Members > 50 {
		w = append(w, "org.warn.too_many")
	}
	if o.FullMembers >= 7 && (current == nil || len(current.Posts) < 3) {
		w = append(w, "org.warn.no_committee")
	}
	return w
}
