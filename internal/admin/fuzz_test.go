package admin

import (
	"net/url"
	"slices"
	"testing"

	"zhibu/internal/auth"
)

func FuzzParseSettingsForm(f *testing.F) {
	f.Add("lock_after=5&lock_minutes=30&password_min_length=8&password_max_age_days=90&version=1")
	f.Add("lock_after=2&lock_minutes=0&password_min_length=7&password_max_age_days=366&version=0")
	f.Add("lock_after=99999999999999999999&version=-1")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		s, form := ParseSettingsForm(v)
		if form.Errors.Any() {
			return
		}
		if s.LockAfter < 3 || s.LockAfter > 20 || s.LockMinutes < 1 || s.LockMinutes > 1440 || s.PasswordMinLength < 8 ||
			s.PasswordMinLength > 64 || s.PasswordMaxAgeDays < 1 || s.PasswordMaxAgeDays > 365 || s.Version < 1 {
			t.Fatalf("accepted %+v", s)
		}
	})
}

func FuzzParseGrantForm(f *testing.F) {
	f.Add("role=reviewer&org_id=1")
	f.Add("role=sysadmin&org_id=")
	f.Add("role=secretary")
	f.Add("role=root&org_id=-5")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, errs := ParseGrantForm(v)
		if errs.Any() {
			return
		}
		if !slices.Contains(auth.Roles, auth.Role(in.Role)) || isScopedRole(in.Role) != (in.OrgID > 0) {
			t.Fatalf("accepted %+v", in)
		}
	})
}

func FuzzParseAccountForm(f *testing.F) {
	f.Add("username=zhangsan&display_name=张三&member_id=12&password=Temp-Pass-2026x")
	f.Add("username=Zhang+San&display_name=&member_id=x&password=a")
	f.Add("username=ab&display_name=" + "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长")
	f.Fuzz(func(t *testing.T, body string) {
		v, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		in, form := ParseAccountForm(v, auth.DefaultSettings)
		if form.Errors.Any() {
			return
		}
		if !usernameRE.MatchString(in.Username) || in.DisplayName == "" || in.MemberID < 0 || auth.PasswordProblem(in.Password, in.Username) != "" {
			t.Fatalf("accepted %+v", in)
		}
	})
}
