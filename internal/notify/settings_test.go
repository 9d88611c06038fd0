package notify_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/notify"
)

// TestReminderDaysSetting: the administrator changes the reminder days on
// /admin/jobs within 0–30 (both ends accepted, one over and a negative
// refused with 422 and the input kept), each change audited; others may not.
func TestReminderDaysSetting(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	admin := app.Login(t, "admin")
	if r := admin.Get("/admin/jobs"); r.Status != http.StatusOK || !r.Has(`#f-reminder_days[value="1"]`) {
		t.Fatalf("/admin/jobs: %d, form with the current value: %v", r.Status, r.Has(`#f-reminder_days[value="1"]`))
	}
	for _, c := range []struct {
		in     string
		status int
		want   int
	}{
		{"31", http.StatusUnprocessableEntity, 1},
		{"-1", http.StatusUnprocessableEntity, 1},
		{"two", http.StatusUnprocessableEntity, 1},
		{"30", http.StatusSeeOther, 30},
		{"0", http.StatusSeeOther, 0},
		{" 3 ", http.StatusSeeOther, 3},
	} {
		r := admin.PostForm("/admin/jobs/settings", url.Values{"reminder_days": {c.in}})
		if r.Status != c.status {
			t.Fatalf("%q: %d, want %d", c.in, r.Status, c.status)
		}
		if c.status == http.StatusUnprocessableEntity && !r.Has(`#f-reminder_days[aria-invalid="true"]`) {
			t.Errorf("%q: no message beside the field", c.in)
		}
		if c.status == http.StatusUnprocessableEntity {
			if v, _ := r.Doc().Find("#f-reminder_days").Attr("value"); v != c.in {
				t.Errorf("%q: input not kept: %q", c.in, v)
			}
		}
		if got, err := notify.ReminderDays(ctx, app.Pool); err != nil || got != c.want {
			t.Fatalf("%q: setting %d (%v), want %d", c.in, got, err, c.want)
		}
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'notify_settings.update'`); n != 3 {
		t.Errorf("%d audit rows, want 3", n)
	}
	if r := app.Login(t, "secretary").PostForm("/admin/jobs/settings", url.Values{"reminder_days": {"5"}}); r.Status != http.StatusForbidden {
		t.Errorf("secretary: %d, want 403", r.Status)
	}
}
