package meeting

import (
	"context"
	"slices"
	"strconv"
	"time"

	"zhibu/internal/i18n"
	"zhibu/internal/ui"
	"zhibu/internal/upload"
)

func kindKey(kind string) string       { return "meeting.kind." + kind }
func statusKey(status string) string   { return "meeting.status." + status }
func attKey(status string) string      { return "meeting.att." + status }
func studyFormKey(form string) string  { return "meeting.study_form." + form }
func creditKindKey(kind string) string { return "meeting.credit_kind." + kind }

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func statusClass(status string) string {
	switch status {
	case StatusSubmitted:
		return "tag ok"
	case StatusDraft:
		return "tag warn"
	}
	return "tag info"
}

func attClass(status string) string {
	switch status {
	case Present:
		return "tag ok"
	case Leave:
		return "tag warn"
	case Absent:
		return "tag bad"
	}
	return "tag info"
}

// when formats a meeting's time: the day with start and end.
func when(ctx context.Context, start, end time.Time) string {
	return i18n.DateTime(ctx, start) + "–" + end.In(i18n.Shanghai).Format("15:04")
}

func field(f Form, name, label string, value string) ui.Field {
	return ui.Field{Name: name, Label: label, Value: value, Error: f.Errors[name]}
}

func (p FormPage) orgField() ui.Field {
	fl := field(p.Form, "org_id", "meeting.field.org", p.Form.OrgID)
	fl.Required = true
	for _, o := range p.Orgs {
		fl.Options = append(fl.Options, ui.Option{Value: idStr(o.ID), Label: o.Name, Literal: true})
	}
	return fl
}

func (p FormPage) kindField() ui.Field {
	fl := field(p.Form, "kind", "meeting.field.kind", p.Form.Kind)
	fl.Required = true
	for _, k := range Kinds {
		fl.Options = append(fl.Options, ui.Option{Value: k, Label: kindKey(k)})
	}
	if p.Form.Kind != "" && !slices.Contains(Kinds, p.Form.Kind) && slices.Contains(ListKinds, p.Form.Kind) {
		fl.Options = append(fl.Options, ui.Option{Value: p.Form.Kind, Label: kindKey(p.Form.Kind)})
	}
	return fl
}

func (p FormPage) statusField() ui.Field {
	fl := field(p.Form, "status", "meeting.field.status", p.Form.Status)
	fl.Required = true
	fl.Hint = "meeting.hint.status"
	if p.WasPlanned {
		fl.Options = append(fl.Options, ui.Option{Value: StatusPlanned, Label: "meeting.status_choice.planned"})
	}
	fl.Options = append(fl.Options, ui.Option{Value: StatusDraft, Label: "meeting.status_choice.draft"})
	return fl
}

func (p FormPage) memberField(name, label, value string) ui.Field {
	fl := field(p.Form, name, label, value)
	fl.Options = []ui.Option{{Value: "", Label: "meeting.none"}}
	for _, o := range p.Members {
		fl.Options = append(fl.Options, ui.Option{Value: idStr(o.ID), Label: o.Name, Literal: true})
	}
	return fl
}

func (p FormPage) studyFormField() ui.Field {
	fl := field(p.Form, "study_form", "meeting.field.study_form", p.Form.StudyForm)
	fl.Hint = "meeting.hint.study_form"
	fl.Options = []ui.Option{{Value: "", Label: "meeting.none"}}
	for _, s := range StudyForms {
		fl.Options = append(fl.Options, ui.Option{Value: s, Label: studyFormKey(s)})
	}
	return fl
}

func (p FormPage) textField(name, label, value string, typ string, required bool, maxLen int) ui.Field {
	fl := field(p.Form, name, label, value)
	fl.Type, fl.Required, fl.MaxLength = typ, required, maxLen
	return fl
}

func (p FormPage) hoursField() ui.Field {
	fl := field(p.Form, "study_hours", "meeting.field.study_hours", p.Form.StudyHours)
	fl.Type, fl.Step, fl.Hint = "number", "0.1", "meeting.hint.study_hours"
	return fl
}

func (p FormPage) area(name, label, value string, rows, maxLen int) ui.Field {
	fl := field(p.Form, name, label, value)
	fl.Rows, fl.MaxLength = rows, maxLen
	return fl
}

func (p FormPage) action() string {
	if p.New {
		return "/meetings/new"
	}
	return meetingURL(p.ID, "/edit")
}

func (p ListPage) kindField() ui.Field {
	fl := ui.Field{Name: "kind", Label: "meeting.field.kind", Value: p.Kind, Options: []ui.Option{{Value: "", Label: "meeting.filter.all_kinds"}}}
	for _, k := range ListKinds {
		fl.Options = append(fl.Options, ui.Option{Value: k, Label: kindKey(k)})
	}
	return fl
}

func (p ListPage) yearField() ui.Field {
	fl := ui.Field{Name: "year", Label: "meeting.filter.year", Value: p.Year, Options: []ui.Option{{Value: "all", Label: "meeting.filter.all_years"}}}
	for _, y := range p.Years {
		fl.Options = append(fl.Options, ui.Option{Value: strconv.Itoa(y), Label: strconv.Itoa(y), Literal: true})
	}
	return fl
}

func (p ListPage) statusField() ui.Field {
	fl := ui.Field{Name: "status", Label: "meeting.field.status", Value: p.Status, Options: []ui.Option{{Value: "", Label: "meeting.filter.all_statuses"}}}
	for _, s := range []string{StatusPlanned, StatusDraft, StatusSubmitted} {
		fl.Options = append(fl.Options, ui.Option{Value: s, Label: statusKey(s)})
	}
	return fl
}

func (p CreditPage) memberField() ui.Field {
	fl := ui.Field{Name: "member_id", Label: "meeting.field.member", Value: p.Form.MemberID, Error: p.Form.Errors["member_id"], Required: true,
		Options: []ui.Option{{Value: "", Label: "meeting.choose"}}}
	for _, o := range p.Members {
		fl.Options = append(fl.Options, ui.Option{Value: idStr(o.ID), Label: o.Name, Literal: true})
	}
	return fl
}

func (p CreditPage) kindField() ui.Field {
	fl := ui.Field{Name: "kind", Label: "meeting.field.credit_kind", Value: p.Form.Kind, Error: p.Form.Errors["kind"], Required: true}
	for _, k := range CreditKinds {
		fl.Options = append(fl.Options, ui.Option{Value: k, Label: creditKindKey(k)})
	}
	return fl
}

func (p CreditPage) input(name, label, value, typ string) ui.Field {
	f := ui.Field{Name: name, Label: label, Value: value, Type: typ, Error: p.Form.Errors[name], Required: true}
	if typ == "number" {
		f.Step = "0.1"
	}
	return f
}

func weekdayKeys() []string {
	return []string{"meeting.weekday.mon", "meeting.weekday.tue", "meeting.weekday.wed", "meeting.weekday.thu", "meeting.weekday.fri", "meeting.weekday.sat", "meeting.weekday.sun"}
}

func monthTitle(ctx context.Context, t time.Time) string {
	return i18n.T(ctx, "meeting.calendar.month", t.Year(), int(t.Month()))
}

func sizeText(n int) string { return upload.Size(n) }

// reasonsText lists the people of one attendance status with their
// reasons: "王芳（出差）、李强".
func (p ShowPage) reasonsText(ctx context.Context, status string) string {
	var names []string
	for _, a := range p.Attendance {
		if a.Status != status {
			continue
		}
		if a.Reason != "" {
			names = append(names, i18n.T(ctx, "meeting.print.with_reason", a.Name, a.Reason))
		} else {
			names = append(names, a.Name)
		}
	}
	return joinNames(ctx, names)
}

func (p ShowPage) observerNames() []string {
	var out []string
	for _, a := range p.Attendance {
		if a.Status == Observer {
			out = append(out, a.Name)
		}
	}
	return out
}

func (p ShowPage) presentNames() []string {
	var out []string
	for _, a := range p.Attendance {
		if a.Status == Present {
			out = append(out, a.Name)
		}
	}
	return out
}

// Planning reports whether the form plans a meeting (status planned): a
// short form of time, place, agenda and who is due; the minutes, decisions
// and study hours come when it has been held.
func (p FormPage) Planning() bool { return p.Form.Status == StatusPlanned }

// attendanceRow appends one row of the meeting page's attendance table
// (written by hand, see ui.Rows): name, status, reason, hours and, on a
// submitted meeting its writer may correct, the correction link.
func (p ShowPage) attendanceRow(ctx context.Context, b []byte, a Attendance) []byte {
	l := i18n.LangOf(ctx)
	b = append(b, `<tr><td>`...)
	b = ui.AppendText(b, a.Name)
	b = append(b, `</td><td><span class="`...)
	b = ui.AppendText(b, attClass(a.Status))
	b = append(b, `">`...)
	b = ui.AppendText(b, i18n.TL(l, attKey(a.Status)))
	b = append(b, `</span></td><td>`...)
	b = ui.AppendText(b, a.Reason)
	b = append(b, `</td><td class="num">`...)
	b = strconv.AppendFloat(b, a.Hours, 'f', -1, 64)
	b = append(b, `</td>`...)
	if p.canFix() {
		b = append(b, `<td>`...)
		if a.Status != Observer {
			b = append(b, `<a href="/meetings/`...)
			b = strconv.AppendInt(b, p.M.ID, 10)
			b = append(b, `/correct/attendance?member=`...)
			b = strconv.AppendInt(b, a.MemberID, 10)
			b = append(b, `" data-testid="fix-`...)
			b = strconv.AppendInt(b, a.MemberID, 10)
			b = append(b, `">`...)
			b = ui.AppendText(b, i18n.TL(l, "correct.action_for", a.Name))
			b = append(b, `</a>`...)
		}
		b = append(b, `</td>`...)
	}
	return append(b, `</tr>`...)
}
