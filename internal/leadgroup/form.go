package leadgroup

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/ui"
)

// GroupForm is the input of a group's form, kept as typed.
type GroupForm struct {
	Kind    string
	Name    string
	Version string
	Errors  ui.Errors
}

// ParseGroup reads the group form.
func ParseGroup(r *http.Request) GroupForm {
	return GroupForm{Kind: r.PostFormValue("kind"), Name: strings.TrimSpace(r.PostFormValue("name")), Version: r.PostFormValue("version")}
}

// Validate checks the form and returns its values; f.Errors holds one
// message key per bad field.
func (f *GroupForm) Validate() GroupInput {
	if !slices.Contains(Kinds, f.Kind) {
		f.Errors.Add("kind", "leadgroup.error.kind")
	}
	if f.Name == "" || utf8.RuneCountInString(f.Name) > 100 {
		f.Errors.Add("name", "leadgroup.error.name")
	}
	return GroupInput{Kind: f.Kind, Name: f.Name}
}

// MemberForm is the input of a membership's form, kept as typed.
type MemberForm struct {
	MemberID string
	Role     string
	FromOn   string
	ToOn     string
	Version  string
	Errors   ui.Errors
}

// ParseMember reads the membership form.
func ParseMember(r *http.Request) MemberForm {
	return MemberForm{MemberID: r.PostFormValue("member_id"), Role: r.PostFormValue("role"),
		FromOn: strings.TrimSpace(r.PostFormValue("from_on")), ToOn: strings.TrimSpace(r.PostFormValue("to_on")), Version: r.PostFormValue("version")}
}

// Validate checks the form against the candidates (nil when the person is
// fixed, as on the edit form) and returns its values.
func (f *MemberForm) Validate(candidates []Candidate) MemberInput {
	var in MemberInput
	if candidates != nil {
		id, _ := strconv.ParseInt(f.MemberID, 10, 64)
		if !slices.ContainsFunc(candidates, func(c Candidate) bool { return c.ID == id }) {
			f.Errors.Add("member_id", "leadgroup.error.member")
		}
		in.MemberID = id
	}
	if !slices.Contains(Roles, f.Role) {
		f.Errors.Add("role", "leadgroup.error.role")
	}
	in.Role = f.Role
	from, err := time.Parse(time.DateOnly, f.FromOn)
	if err != nil || from.Year() < 1950 || from.Year() > 2100 {
		f.Errors.Add("from_on", "leadgroup.error.date")
	}
	in.FromOn = from
	if f.ToOn != "" {
		to, err := time.Parse(time.DateOnly, f.ToOn)
		switch {
		case err != nil || to.Year() > 2100:
			f.Errors.Add("to_on", "leadgroup.error.date")
		case f.Errors["from_on"] == "" && to.Before(from):
			f.Errors.Add("to_on", "leadgroup.error.to_before_from")
		default:
			in.ToOn = &to
		}
	}
	return in
}
