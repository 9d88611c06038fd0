package member

import (
	"testing"
	"time"

	"zhibu/internal/pii"
)

var today = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func goodForm() Form {
	birth := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
	return Form{BranchID: "1", Name: "张三", Gender: "male", BirthDate: "1990-05-17", IDNumber: pii.MakeIDNumber("110105", birth, 123),
		Phone: "13912345678", Category: "full", AppliedOn: "2012-03-01", ActivistOn: "2012-09-01", TargetOn: "2013-10-01",
		AdmittedOn: "2014-02-01", ConvertedOn: "2015-02-01"}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Form)
		field  string
		key    string
	}{
		{"good", func(*Form) {}, "", ""},
		{"lower-case x accepted", func(f *Form) {
			f.IDNumber = "11010519491231002x"
			f.BirthDate = "1949-12-31"
			f.AppliedOn, f.ActivistOn, f.TargetOn, f.AdmittedOn, f.ConvertedOn = "1970-01-01", "", "", "1971-01-01", "1972-01-01"
		}, "", ""},
		{"name required", func(f *Form) { f.Name = "  " }, "name", "form.required"},
		{"name too long", func(f *Form) { f.Name = string(make([]rune, 51)) }, "name", "form.too_long"},
		{"gender invalid", func(f *Form) { f.Gender = "x" }, "gender", "form.invalid"},
		{"birth date bad", func(f *Form) { f.BirthDate = "1990-02-30" }, "birth_date", "form.bad_date"},
		{"id length", func(f *Form) { f.IDNumber = "1101051990051712" }, "id_number", pii.IDBadLength},
		{"id check digit", func(f *Form) { f.IDNumber = f.IDNumber[:17] + string("0123456789X"[(indexOf(f.IDNumber[17])+1)%11]) }, "id_number", pii.IDBadCheck},
		{"id birth differs", func(f *Form) { f.BirthDate = "1990-05-18" }, "id_number", pii.IDBirthDiffer},
		{"id required on create", func(f *Form) { f.IDNumber = "" }, "id_number", "form.required"},
		{"phone format", func(f *Form) { f.Phone = "12345" }, "phone", "member.phone.format"},
		{"landline ok", func(f *Form) { f.Phone = "010-68881234" }, "", ""},
		{"category required", func(f *Form) { f.Category = "" }, "category", "form.required"},
		{"stage order", func(f *Form) { f.TargetOn = "2012-05-01" }, "target_on", "member.stage.order"},
		{"stage beyond category", func(f *Form) { f.Category = "activist" }, "target_on", "member.stage.beyond_category"},
		{"full needs converted", func(f *Form) { f.ConvertedOn = "" }, "converted_on", "member.stage.required"},
		{"probationary needs admitted", func(f *Form) { f.Category = "probationary"; f.ConvertedOn = ""; f.AdmittedOn = "" }, "admitted_on", "member.stage.required"},
		{"future stage", func(f *Form) { f.ConvertedOn = "2027-01-01" }, "converted_on", "member.stage.future"},
		{"stage before birth", func(f *Form) { f.AppliedOn = "1980-01-01" }, "applied_on", "member.stage.before_birth"},
		{"branch required", func(f *Form) { f.BranchID = "" }, "branch_id", "form.required"},
		{"education invalid", func(f *Form) { f.Education = "kindergarten" }, "education", "form.invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodForm()
			c.change(&f)
			_, errs := f.Validate(true, today)
			if c.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors %v", errs)
				}
				return
			}
			if errs[c.field] != c.key {
				t.Fatalf("%s: got %q (all: %v), want %q", c.field, errs[c.field], errs, c.key)
			}
		})
	}
}

func indexOf(c byte) int {
	if c == 'X' {
		return 10
	}
	return int(c - '0')
}

func TestUpdateKeepsNumbersWhenEmpty(t *testing.T) {
	f := goodForm()
	f.IDNumber, f.Phone = "", ""
	v, errs := f.Validate(false, today)
	if len(errs) != 0 || v.IDNumber != "" || v.Phone != "" {
		t.Fatalf("errs %v, values %q %q", errs, v.IDNumber, v.Phone)
	}
}

// The GB 11643 check character over a range of generated and known numbers.
func TestIDCheckDigit(t *testing.T) {
	// Published example numbers of GB 11643.
	known := map[string]byte{"11010519491231002": 'X', "44052418800101001": '4'}
	for first17, want := range known {
		if got, ok := pii.IDCheckDigit(first17); !ok || got != want {
			t.Errorf("%s: check %c, want %c", first17, got, want)
		}
	}
	// Every wrong check character for one number is refused, the right one accepted.
	base := "11010519491231002"
	for _, c := range "0123456789X" {
		f := Form{BranchID: "1", Name: "甲", Gender: "female", BirthDate: "1949-12-31", Category: "applicant", IDNumber: base + string(c)}
		_, errs := f.Validate(true, today)
		if (c == 'X') != (errs["id_number"] == "") {
			t.Errorf("check %c: error %q", c, errs["id_number"])
		}
	}
}

func FuzzMemberForm(f *testing.F) {
	g := goodForm()
	f.Add(g.Name, g.Gender, g.BirthDate, g.IDNumber, g.Phone, g.Category, g.AppliedOn, g.AdmittedOn, g.ConvertedOn)
	f.Add("", "", "", "", "", "", "", "", "")
	f.Add("\x00", "female", "2000-13-01", "X", "0", "full", "x", "2020-01-01", "2019-01-01")
	f.Fuzz(func(t *testing.T, name, gender, birth, id, phone, category, applied, admitted, converted string) {
		fm := Form{BranchID: "1", Name: name, Gender: gender, BirthDate: birth, IDNumber: id, Phone: phone, Category: category,
			AppliedOn: applied, AdmittedOn: admitted, ConvertedOn: converted}
		v, errs := fm.Validate(true, today)
		if len(errs) > 0 {
			return
		}
		// Whatever passes must satisfy the schema's own checks.
		if v.Name == "" || v.IDNumber == "" || v.BirthDate.IsZero() {
			t.Fatalf("accepted incomplete form %+v", fm)
		}
		if _, p := pii.CheckIDNumber(v.IDNumber); p != "" {
			t.Fatalf("accepted bad ID %q", v.IDNumber)
		}
		if (v.Category == "full" || v.Category == "probationary") && v.AdmittedOn == nil {
			t.Fatalf("member without admission date accepted")
		}
		if v.ConvertedOn != nil && (v.AdmittedOn == nil || v.ConvertedOn.Before(*v.AdmittedOn)) {
			t.Fatalf("conversion before admission accepted")
		}
	})
}

func TestValidPhone(t *testing.T) {
	for s, want := range map[string]bool{
		"13800138000": true, "19912345678": true, "138001380001": false, "1380013800": false, "12800138000": false,
		"010-12345678": true, "01012345678": true, "0755-1234567": true, "010-12345678-801": true, "010-12345678转801": true,
		"010-12345678-1234567": false, "12345": false, "": false, "+8613800138000": false,
	} {
		if got := ValidPhone(s); got != want {
			t.Errorf("ValidPhone(%q) = %v, want %v", s, got, want)
		}
	}
}
