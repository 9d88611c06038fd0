package discipline

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/dates"
	"zhibu/internal/ui"
)

// Form is the sanction form as typed.
type Form struct {
	MemberID   string
	Kind       string
	Years      string // 留党察看: 1 or 2
	Reason     string
	DecidedBy  string
	ApprovedBy string
	DocumentNo string
	DecidedOn  string
	StartsOn   string
	Confirm    string // "yes": an expulsion, which ends the membership, is confirmed
	Errors     ui.Errors
}

const dateLayout = "2006-01-02"

// Validate checks the form against the candidates and today, and returns
// the sanction with its period's end worked out from the kind
// (PeriodMonths; 留党察看 one or two years; expulsion none).
func (f *Form) Validate(cands []Candidate, today time.Time) Input {
	var in Input
	id, _ := strconv.ParseInt(strings.TrimSpace(f.MemberID), 10, 64)
	i := slices.IndexFunc(cands, func(c Candidate) bool { return c.ID == id })
	if i < 0 {
		f.Errors.Add("member_id", "discipline.error.member")
	} else {
		in.MemberID, in.BranchID = id, cands[i].BranchID
	}
	if !slices.Contains(Kinds, f.Kind) {
		f.Errors.Add("kind", "discipline.error.kind")
	}
	in.Kind = f.Kind
	if f.Kind == "expulsion" && f.Confirm != "yes" {
		f.Errors.Add("confirm", "discipline.error.confirm")
	}
	text := func(field, v string, max int, key string) string {
		v = strings.TrimSpace(v)
		if v == "" || utf8.RuneCountInString(v) > max {
			f.Errors.Add(field, key)
		}
		return v
	}
	in.Reason = text("reason", f.Reason, 2000, "discipline.error.reason")
	in.DecidedBy = text("decided_by", f.DecidedBy, 200, "discipline.error.decided_by")
	in.ApprovedBy = text("approved_by", f.ApprovedBy, 200, "discipline.error.approved_by")
	in.DocumentNo = text("document_no", f.DocumentNo, 100, "discipline.error.document_no")
	if d, err := time.Parse(dateLayout, strings.TrimSpace(f.DecidedOn)); err != nil {
		f.Errors.Add("decided_on", "discipline.error.date")
	} else if d.After(today) {
		f.Errors.Add("decided_on", "discipline.error.future")
	} else {
		in.DecidedOn = d
	}
	if strings.TrimSpace(f.StartsOn) == "" && !in.DecidedOn.IsZero() {
		f.StartsOn = in.DecidedOn.Format(dateLayout)
	}
	if d, err := time.Parse(dateLayout, strings.TrimSpace(f.StartsOn)); err != nil {
		f.Errors.Add("starts_on", "discipline.error.date")
	} else if !in.DecidedOn.IsZero() && d.Before(in.DecidedOn) {
		f.Errors.Add("starts_on", "discipline.error.starts_before")
	} else {
		in.StartsOn = d
	}
	months := PeriodMonths[f.Kind]
	if f.Kind == "probation" {
		switch f.Years {
		case "1":
			months = 12
		case "2":
			months = 24
		default:
			f.Errors.Add("years", "discipline.error.years")
		}
	}
	if months > 0 && !in.StartsOn.IsZero() {
		end := dates.AddMonths(in.StartsOn, months)
		in.EndsOn = &end
	}
	return in
}
