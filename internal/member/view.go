package member

import (
	"context"
	"zhibu/internal/commend"
	"zhibu/internal/life"

	"zhibu/internal/i18n"

	"strconv"
	"strings"
	"time"

	"zhibu/internal/ui"
)

// ListPage is the roster page's view model.
type ListPage struct {
	Filter      Filter
	Orgs        []OrgOption
	CanWrite    bool
	Pager       ui.Pager
	Rows        []ListItem
	ExportQuery string
}

// ListItem is one roster line, numbers masked.
type ListItem struct {
	ID         int64
	Name       string
	Gender     string
	Department string
	JobTitle   string
	Category   string
	Status     string
	IDNumber   string
	Phone      string
	Branch     string
	Group      string
	Conversion string
}

// ShowPage is a member page's view model.
type ShowPage struct {
	M             *Member
	Events        []Event
	CanWrite      bool
	Revealed      bool
	IDNumber      string
	Phone         string
	Conversion    string
	ConversionDue *time.Time
	Actions       []string
	// Overdue lists the rectification items the member owns past their deadline.
	Overdue []life.Item
	// Commendations granted to the member.
	Commendations []commend.Commendation
	// Year: this year's hours against the minimum and meetings.
	Year Year
}

// FormPage is the member form's view model.
type FormPage struct {
	New           bool
	ID            int64
	Form          Form
	Orgs          []OrgOption
	Errors        ui.Errors
	MaskedID      string
	MaskedPhone   string
	ArrivalFrom   string
	ArrivalLetter string
	// Conflict lists the values saved meanwhile by someone else (409).
	Conflict []Fact
}

// ActionPage is a lifecycle action form's view model.
type ActionPage struct {
	M        *Member
	Kind     string
	Form     ActionForm
	Errors   ui.Errors
	Targets  []OrgOption
	Due      *time.Time
	Conflict bool
}

// ImportPage is the import page's view model: the upload form, then the
// preview of every row.
type ImportPage struct {
	Orgs     []OrgOption
	Errors   ui.Errors
	BranchID string
	FileArg  string
	Filename string
	Rows     []CheckedRow
	Bad      int
	Unknown  []string
	ImportID int64
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

func memberURL(id int64, rest string) string { return "/members/" + id64(id) + rest }

func (p FormPage) action() string {
	if p.New {
		return "/members/new"
	}
	return memberURL(p.ID, "/edit")
}

func (p FormPage) value(name string) string {
	f := p.Form
	switch name {
	case "branch_id":
		return f.BranchID
	case "group_id":
		return f.GroupID
	case "name":
		return f.Name
	case "gender":
		return f.Gender
	case "ethnicity":
		return f.Ethnicity
	case "birth_date":
		return f.BirthDate
	case "native_place":
		return f.NativePlace
	case "education":
		return f.Education
	case "id_number":
		return f.IDNumber
	case "phone":
		return f.Phone
	case "department":
		return f.Department
	case "job_title":
		return f.JobTitle
	case "category":
		return f.Category
	case "applied_on":
		return f.AppliedOn
	case "activist_on":
		return f.ActivistOn
	case "target_on":
		return f.TargetOn
	case "admitted_on":
		return f.AdmittedOn
	case "converted_on":
		return f.ConvertedOn
	case "notes":
		return f.Notes
	case "arrival_from":
		return p.ArrivalFrom
	case "arrival_letter":
		return p.ArrivalLetter
	}
	return ""
}

// field builds a form field with its value and message.
func (p FormPage) field(name, typ string, required bool, maxLen int) ui.Field {
	label := "member.field." + name
	return ui.Field{Name: name, Label: label, Type: typ, Value: p.value(name), Error: p.Errors[name], Required: required, MaxLength: maxLen}
}

func keyOptions(prefix string, values []string, blank bool) []ui.Option {
	var out []ui.Option
	if blank {
		out = append(out, ui.Option{Value: "", Label: "form.choose"})
	}
	for _, v := range values {
		out = append(out, ui.Option{Value: v, Label: prefix + v})
	}
	return out
}

func (p FormPage) selectField(name string, required bool) ui.Field {
	f := p.field(name, "", required, 0)
	switch name {
	case "gender":
		f.Options = keyOptions("member.gender.", Genders, true)
	case "education":
		f.Options = keyOptions("member.education.", Educations, true)
	case "category":
		f.Options = keyOptions("member.category.", Categories, false)
	case "branch_id":
		for _, o := range p.Orgs {
			if o.Kind == "branch" {
				f.Options = append(f.Options, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
			}
		}
	case "group_id":
		f.Options = []ui.Option{{Value: "", Label: "member.group.none"}}
		for _, o := range p.Orgs {
			if o.Kind == "group" {
				f.Options = append(f.Options, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
			}
		}
	}
	return f
}

func (p FormPage) idField() ui.Field {
	f := p.field("id_number", "text", p.New, 18)
	if !p.New {
		f.Hint = "member.id_number.keep"
	}
	return f
}

func (p FormPage) phoneField() ui.Field {
	f := p.field("phone", "tel", false, 20)
	if !p.New {
		f.Hint = "member.phone.keep"
	}
	return f
}

func (p ActionPage) field(name, typ string, required bool) ui.Field {
	v := ""
	switch name {
	case "date":
		v = p.Form.Date
	case "until":
		v = p.Form.Until
	case "place":
		v = p.Form.Place
	case "letter_no":
		v = p.Form.LetterNo
	case "details":
		v = p.Form.Details
	}
	label := "member.action_field." + name
	if name == "place" && p.Kind == "transfer_in" {
		label = "member.action_field.origin"
	}
	return ui.Field{Name: name, Label: label, Type: typ, Value: v, Error: p.Errors[name], Required: required}
}

func (p ActionPage) targetField() ui.Field {
	f := ui.Field{Name: "to_branch", Label: "member.action_field.to_branch", Value: p.Form.ToBranch, Error: p.Errors["to_branch"], Required: true}
	f.Options = []ui.Option{{Value: "", Label: "form.choose"}}
	for _, o := range p.Targets {
		f.Options = append(f.Options, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
	}
	return f
}

func (p ActionPage) statusField() ui.Field {
	f := ui.Field{Name: "status", Label: "member.field.party_status", Value: p.Form.Status, Error: p.Errors["status"], Required: true}
	f.Options = append([]ui.Option{{Value: "", Label: "form.choose"}}, keyOptions("member.status.", ChangeableStatuses, false)...)
	return f
}

func (p ImportPage) branchField() ui.Field {
	f := ui.Field{Name: "branch_id", Label: "member.field.branch_id", Value: p.BranchID, Error: p.Errors["branch_id"], Required: true}
	for _, o := range p.Orgs {
		if o.Kind == "branch" {
			f.Options = append(f.Options, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
		}
	}
	return f
}

// filterOrgs is the organisation filter's choices.
func (p ListPage) orgOptions() []ui.Option {
	out := []ui.Option{{Value: "", Label: "member.filter.all_orgs"}}
	for _, o := range p.Orgs {
		if o.Kind != "group" {
			out = append(out, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
		}
	}
	return out
}

func (p ListPage) groupOptions() []ui.Option {
	out := []ui.Option{{Value: "", Label: "member.filter.all_groups"}}
	for _, o := range p.Orgs {
		if o.Kind == "group" {
			out = append(out, ui.Option{Value: id64(o.ID), Label: o.Name, Literal: true})
		}
	}
	return out
}

func optID(n int64) string {
	if n == 0 {
		return ""
	}
	return id64(n)
}

func (p ListPage) filterFields() []ui.Field {
	f := p.Filter
	return []ui.Field{
		{Name: "org", Label: "member.filter.org", Value: optID(f.OrgID), Options: p.orgOptions()},
		{Name: "category", Label: "member.field.category", Value: f.Category, Options: append([]ui.Option{{Value: "", Label: "member.filter.all"}}, keyOptions("member.category.", Categories, false)...)},
		{Name: "status", Label: "member.field.party_status", Value: f.Status, Options: append([]ui.Option{{Value: "", Label: "member.filter.all"}}, keyOptions("member.status.", Statuses, false)...)},
		{Name: "group", Label: "member.field.group_id", Value: optID(f.GroupID), Options: p.groupOptions()},
	}
}

func dateStr(ctx context.Context, t *time.Time) string {
	if t == nil {
		return ""
	}
	return i18n.Date(ctx, *t)
}

func conversionClass(state string) string {
	if state == "overdue" {
		return "tag bad"
	}
	return "tag warn"
}

func rowErrorCols(c CheckedRow) []string {
	order := []string{"name", "gender", "ethnicity", "birth_date", "native_place", "education", "id_number", "phone",
		"department", "job_title", "category", "applied_on", "activist_on", "target_on", "admitted_on", "converted_on",
		"branch_id", "group_id", "party_status", "notes"}
	var out []string
	for _, k := range order {
		if _, ok := c.Errors[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func joinComma(s []string) string { return strings.Join(s, ", ") }

// key builds the translation key of an enumerated value.
func key(prefix, value string) string { return prefix + value }

// rosterRow appends one roster table row (the cells of ListView's table,
// written by hand: see ui.Rows).
func rosterRow(ctx context.Context, b []byte, r ListItem) []byte {
	l := i18n.LangOf(ctx)
	b = append(b, `<tr data-testid="roster-row"><td><a href="/members/`...)
	b = strconv.AppendInt(b, r.ID, 10)
	b = append(b, `" data-testid="roster-name">`...)
	b = ui.AppendText(b, r.Name)
	b = append(b, `</a></td><td>`...)
	b = ui.AppendText(b, i18n.TL(l, "member.gender."+r.Gender))
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, r.Department)
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, r.JobTitle)
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, i18n.TL(l, "member.category."+r.Category))
	if r.Conversion != "" {
		b = append(b, ` <span class="`...)
		b = ui.AppendText(b, conversionClass(r.Conversion))
		b = append(b, `" data-testid="conversion-state">`...)
		b = ui.AppendText(b, i18n.TL(l, "member.conversion."+r.Conversion))
		b = append(b, `</span>`...)
	}
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, i18n.TL(l, "member.status."+r.Status))
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, r.Branch)
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, r.Group)
	b = append(b, `</td><td data-testid="roster-id">`...)
	b = ui.AppendText(b, r.IDNumber)
	b = append(b, `</td><td>`...)
	b = ui.AppendText(b, r.Phone)
	return append(b, `</td></tr>`...)
}
