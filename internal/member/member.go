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
	mobileRE   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlineRE = regexp.MustCompile(`^0[0-9]{2,3}-?[0-9]{7,8}$`)
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
	errs := map[string]string{}
	add := func(field, key string) {
		if _, ok := errs[field]; !ok {
			errs[field] = key
		}
	}
	var v Values
	text := func(field, s string, required bool, maxLen int) string {
		if required && s == "" {
			add(field, "form.required")
		}
		if utf8.RuneCountInString(s) > maxLen {
			add(field, "form.too_long")
		}
		if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00") {
			add(field, "form.invalid")
		}
		return s
	}
	v.Name = text("name", f.Name, true, 50)
	v.Ethnicity = text("ethnicity", f.Ethnicity, false, 20)
	v.NativePlace = text("native_place", f.NativePlace, false, 100)
	v.Department = text("department", f.Department, false, 100)
	v.JobTitle = text("job_title", f.JobTitle, false, 100)
	v.Notes = text("notes", f.Notes, false, 2000)

	if id, err := strconv.ParseInt(f.BranchID, 10, 64); err != nil || id <= 0 {
		add("branch_id", "form.required")
	} else {
		v.BranchID = id
	}
	if f.GroupID != "" {
		if id, err := strconv.ParseInt(f.GroupID, 10, 64); err != nil || id <= 0 {
			add("group_id", "form.invalid")
		} else {
			v.GroupID = &id
		}
	}
	switch {
	case f.Gender == "":
		add("gender", "form.required")
	case !slices.Contains(Genders, f.Gender):
		add("gender", "form.invalid")
	}
	v.Gender = f.Gender
	if f.Education != "" && !slices.Contains(Educations, f.Education) {
		add("education", "form.invalid")
	}
	v.Education = f.Education
	switch {
	case f.Category == "":
		add("category", "form.required")
	case !slices.Contains(Categories, f.Category):
		add("category", "form.invalid")
	}
	v.Category = f.Category

	if f.BirthDate == "" {
		add("birth_date", "form.required")
	} else if d, err := time.Parse(dateLayout, f.BirthDate); err != nil {
		add("birth_date", "form.bad_date")
	} else if d.Year() < 1900 || d.After(today) {
		add("birth_date", "member.birth_date.range")
	} else {
		v.BirthDate = d
	}

	switch {
	case f.IDNumber == "" && needID:
		add("id_number", "form.required")
	case f.IDNumber != "":
		birth, problem := pii.CheckIDNumber(f.IDNumber)
		if problem != "" {
			add("id_number", problem)
		} else if !v.BirthDate.IsZero() && !birth.Equal(v.BirthDate) {
			add("id_number", pii.IDBirthDiffer)
		}
		v.IDNumber = f.IDNumber
	}
	if f.Phone != "" && !mobileRE.MatchString(f.Phone) && !landlineRE.MatchString(f.Phone) {
		add("phone", "member.phone.format")
	}
	v.Phone = f.Phone

	// Stage dates: each a real day, not in the future, in order, and
	// present exactly up to the category's stage.
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
			// Admission and conversion dates are what make a member probationary or full.
			if reached >= 3 && i == 3 || reached == 4 && i == 4 {
				add(s.field, "member.stage.required")
			}
			continue
		}
		d, err := time.Parse(dateLayout, s.raw)
		if err != nil {
			add(s.field, "form.bad_date")
			continue
		}
		if d.After(today) {
			add(s.field, "member.stage.future")
			continue
		}
		if reached >= 0 && i > reached {
			add(s.field, "member.stage.beyond_category")
			continue
		}
		if !v.BirthDate.IsZero() && !d.After(v.BirthDate) {
			add(s.field, "member.stage.before_birth")
			continue
		}
		if prev != nil && d.Before(*prev) {
			add(s.field, "member.stage.order")
			continue
		}
		dd := d
		*s.dst = &dd
		prev = &dd
	}
	return v, errs
}

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
