// Package member keeps the branch roster: members' records with their
// sealed ID and phone numbers, the lifecycle events from application to
// full membership and transfers, the roster lists per branch and committee
// subtree, and roster import and export.
package member

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"zhibu/internal/dates"
	"zhibu/internal/pii"
)

// Categories of a person on the roster, from applicant to full member.
var Categories = []string{"applicant", "activist", "target", "probationary", "full"}

// Statuses of a member's Party standing.
var Statuses = []string{"normal", "suspended", "struck_off", "expelled", "deceased", "transferred_out"}

// Educations are the allowed education levels ("" when unknown): the top
// level of GB/T 4658-2006 (学历代码) 10 研究生, 20 大学本科, 30 大学专科,
// 40 中等职业教育, 60 普通高中, 70 初中, 80 小学, 90 其他; eduCodes maps
// each code of the standard, top level and detail, to its level.
var Educations = []string{"postgraduate", "university", "college", "secondary", "high_school", "junior", "primary", "other"}

// Genders are the allowed genders.
var Genders = []string{"male", "female"}

const dateLayout = "2006-01-02"

// Form is what the member form (and one imported row) holds, as typed.
type Form struct {
	Version     int
	BranchID    string
	GroupID     string
	Name        string
	Gender      string
	Ethnicity   string
	BirthDate   string
	NativePlace string
	Education   string
	IDNumber    string
	Phone       string
	Department  string
	JobTitle    string
	Category    string
	AppliedOn   string
	ActivistOn  string
	TargetOn    string
	AdmittedOn  string
	ConvertedOn string
	Notes       string
}

// Values is a validated form, ready for the store.
type Values struct {
	BranchID    int64
	GroupID     *int64
	Name        string
	Gender      string
	Ethnicity   string
	BirthDate   time.Time
	NativePlace string
	Education   string
	IDNumber    string // "" keeps the stored number on an update
	Phone       string // "" keeps the stored number on an update, see ClearPhone
	Department  string
	JobTitle    string
	Category    string
	AppliedOn   *time.Time
	ActivistOn  *time.Time
	TargetOn    *time.Time
	AdmittedOn  *time.Time
	ConvertedOn *time.Time
	Notes       string
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	// A landline: area code, number, and an extension after a dash or 转.
	landlineRE = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}((-|转)[0-9]{1,6})?$`)
	tailRE     = regexp.MustCompile(`^[0-9Xx]{1,4}$`)
)

// normalise trims every field and upper-cases the ID check character.
func (f *Form) normalise() {
	for _, p := range []*string{&f.BranchID, &f.GroupID, &f.Name, &f.Gender, &f.Ethnicity, &f.BirthDate, &f.NativePlace,
		&f.Education, &f.IDNumber, &f.Phone, &f.Department, &f.JobTitle, &f.Category, &f.AppliedOn, &f.ActivistOn,
		&f.TargetOn, &f.AdmittedOn, &f.ConvertedOn} {
		*p = strings.TrimSpace(*p)
	}
	f.IDNumber = strings.ToUpper(strings.ReplaceAll(f.IDNumber, " ", ""))
	f.Phone = strings.ReplaceAll(f.Phone, " ", "")
	f.Notes = strings.TrimSpace(f.Notes)
}

// Validate checks every field and returns the values, with a message key
// per bad field. needID says whether an ID number is required (on create);
// on an update an empty ID or phone number keeps the stored one.
func (f *Form) Validate(needID bool, today time.Time) (Values, map[string]string) {
	f.normalise()
	c := checker{}
	var v Values
	f.checkTexts(c, &v)
	f.checkPlacement(c, &v)
	f.checkChoices(c, &v)
	f.checkBirthDate(c, &v, today)
	f.checkContact(c, &v, needID)
	f.checkStages(c, &v, today)
	return v, c
}

// checker holds the first message key for each bad field.
type checker map[string]string

func (c checker) add(field, key string) {
	if _, ok := c[field]; !ok {
		c[field] = key
	}
}

// text checks a free-text field: present when required, not longer than
// maxLen characters, valid UTF-8 without NUL.
func (c checker) text(field, s string, required bool, maxLen int) string {
	if required && s == "" {
		c.add(field, "form.required")
	}
	if utf8.RuneCountInString(s) > maxLen {
		c.add(field, "form.too_long")
	}
	if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00") {
		c.add(field, "form.invalid")
	}
	return s
}

// choice checks a field that must be one of the allowed values (or empty
// when not required).
func (c checker) choice(field, s string, required bool, allowed []string) string {
	switch {
	case s == "" && required:
		c.add(field, "form.required")
	case s != "" && !slices.Contains(allowed, s):
		c.add(field, "form.invalid")
	}
	return s
}

func (f *Form) checkTexts(c checker, v *Values) {
	v.Name = c.text("name", f.Name, true, 50)
	v.Ethnicity = c.text("ethnicity", f.Ethnicity, false, 20)
	v.NativePlace = c.text("native_place", f.NativePlace, false, 100)
	v.Department = c.text("department", f.Department, false, 100)
	v.JobTitle = c.text("job_title", f.JobTitle, false, 100)
	v.Notes = c.text("notes", f.Notes, false, 2000)
}

// checkPlacement checks the branch (required) and the group (optional).
func (f *Form) checkPlacement(c checker, v *Values) {
	if id, err := strconv.ParseInt(f.BranchID, 10, 64); err != nil || id <= 0 {
		c.add("branch_id", "form.required")
	} else {
		v.BranchID = id
	}
	if f.GroupID != "" {
		if id, err := strconv.ParseInt(f.GroupID, 10, 64); err != nil || id <= 0 {
			c.add("group_id", "form.invalid")
		} else {
			v.GroupID = &id
		}
	}
}

func (f *Form) checkChoices(c checker, v *Values) {
	v.Gender = c.choice("gender", f.Gender, true, Genders)
	v.Education = c.choice("education", f.Education, false, Educations)
	v.Category = c.choice("category", f.Category, true, Categories)
}

// checkBirthDate: required, a real day from 1900 to today.
func (f *Form) checkBirthDate(c checker, v *Values, today time.Time) {
	if f.BirthDate == "" {
		c.add("birth_date", "form.required")
	} else if d, err := time.Parse(dateLayout, f.BirthDate); err != nil {
		c.add("birth_date", "form.bad_date")
	} else if d.Year() < 1900 || d.After(today) {
		c.add("birth_date", "member.birth_date.range")
	} else {
		v.BirthDate = d
	}
}

// checkContact: the ID number (required when needID) is valid and agrees
// with the birth date; the phone is a mobile or landline number.
func (f *Form) checkContact(c checker, v *Values, needID bool) {
	switch {
	case f.IDNumber == "" && needID:
		c.add("id_number", "form.required")
	case f.IDNumber != "":
		birth, problem := pii.CheckIDNumber(f.IDNumber)
		if problem != "" {
			c.add("id_number", problem)
		} else if !v.BirthDate.IsZero() && !birth.Equal(v.BirthDate) {
			c.add("id_number", pii.IDBirthDiffer)
		}
		v.IDNumber = f.IDNumber
	}
	if f.Phone != "" && !ValidPhone(f.Phone) {
		c.add("phone", "member.phone.format")
	}
	v.Phone = f.Phone
}

// checkStages checks the stage dates: each a real day, not in the future,
// in order, and present exactly up to the category's stage.
func (f *Form) checkStages(c checker, v *Values, today time.Time) {
	stages := []struct {
		field string
		raw   string
		dst   **time.Time
	}{
		{"applied_on", f.AppliedOn, &v.AppliedOn},
		{"activist_on", f.ActivistOn, &v.ActivistOn},
		{"target_on", f.TargetOn, &v.TargetOn},
		{"admitted_on", f.AdmittedOn, &v.AdmittedOn},
		{"converted_on", f.ConvertedOn, &v.ConvertedOn},
	}
	reached := slices.Index(Categories, f.Category) // applicant 0 … full 4
	var prev *time.Time
	for i, s := range stages {
		if s.raw == "" {
			if stageRequired(i, reached) {
				c.add(s.field, "member.stage.required")
			}
			continue
		}
		d, problem := checkStage(s.raw, i, reached, v.BirthDate, prev, today)
		if problem != "" {
			c.add(s.field, problem)
			continue
		}
		*s.dst = &d
		prev = &d
	}
}

// stageRequired: admission and conversion dates are what make a member
// probationary or full.
func stageRequired(stage, reached int) bool {
	return reached >= 3 && stage == 3 || reached == 4 && stage == 4
}

// checkStage parses one stage date and returns it, or the message key of
// its first problem.
func checkStage(raw string, stage, reached int, birth time.Time, prev *time.Time, today time.Time) (time.Time, string) {
	d, err := time.Parse(dateLayout, raw)
	switch {
	case err != nil:
		return d, "form.bad_date"
	case d.After(today):
		return d, "member.stage.future"
	case reached >= 0 && stage > reached:
		return d, "member.stage.beyond_category"
	case !birth.IsZero() && !d.After(birth):
		return d, "member.stage.before_birth"
	case prev != nil && d.Before(*prev):
		return d, "member.stage.order"
	}
	return d, ""
}

// ValidPhone reports whether s is a mainland mobile number (11 digits,
// 13x–19x) or a landline with its area code and an optional extension
// (010-12345678, 0755-1234567-801, 010-12345678转801).
func ValidPhone(s string) bool { return mobileRE.MatchString(s) || landlineRE.MatchString(s) }

// Member is one roster record as read from the store (ID and phone numbers
// still sealed).
type Member struct {
	ID                  int64
	BranchID            int64
	BranchName          string
	BranchPath          []int64
	GroupID             *int64
	GroupName           *string
	Name                string
	Gender              string
	Ethnicity           string
	BirthDate           time.Time
	NativePlace         string
	Education           string
	IDNumberEnc         []byte
	IDNumberTail        string
	PhoneEnc            []byte
	PhoneTail           string
	Department          string
	JobTitle            string
	Category            string
	AppliedOn           *time.Time
	ActivistOn          *time.Time
	TargetOn            *time.Time
	AdmittedOn          *time.Time
	ConvertedOn         *time.Time
	ProbationExtendedTo *time.Time
	PartyStatus         string
	Notes               string
	Version             int
	UpdatedAt           time.Time
}

// ConversionDue is the day a probationary member is due for conversion:
// one year after admission, or the end of an extended probation.
func (m *Member) ConversionDue() *time.Time {
	if m.Category != "probationary" || m.AdmittedOn == nil {
		return nil
	}
	if m.ProbationExtendedTo != nil {
		d := *m.ProbationExtendedTo
		return &d
	}
	d := dates.AddYears(*m.AdmittedOn, 1)
	return &d
}

// ConversionState is "overdue", "due" (within 30 days) or "" for a member.
func (m *Member) ConversionState(today time.Time) string {
	d := m.ConversionDue()
	switch {
	case d == nil:
		return ""
	case d.Before(today):
		return "overdue"
	case d.Before(today.AddDate(0, 0, 31)):
		return "due"
	}
	return ""
}

// FormOf fills a form with a stored member, ID and phone left empty (they
// are only replaced when typed).
func FormOf(m *Member) Form {
	f := Form{
		Version: m.Version, BranchID: strconv.FormatInt(m.BranchID, 10), Name: m.Name, Gender: m.Gender,
		Ethnicity: m.Ethnicity, BirthDate: m.BirthDate.Format(dateLayout), NativePlace: m.NativePlace,
		Education: m.Education, Department: m.Department, JobTitle: m.JobTitle, Category: m.Category,
		AppliedOn: fmtDate(m.AppliedOn), ActivistOn: fmtDate(m.ActivistOn), TargetOn: fmtDate(m.TargetOn),
		AdmittedOn: fmtDate(m.AdmittedOn), ConvertedOn: fmtDate(m.ConvertedOn), Notes: m.Notes,
	}
	if m.GroupID != nil {
		f.GroupID = strconv.FormatInt(*m.GroupID, 10)
	}
	return f
}

func fmtDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(dateLayout)
}
