package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
	"zhibu/internal/pii"
)

func (b *Browser) set(id, value string) {
	b.t.Helper()
	b.Do(chromedp.SetValue(chromedp.ID(id), value))
}

// TestSecretaryJourney: a secretary adds a member, logs a themed Party day
// with attendance and minutes and submits it; the member then sees the
// hours on /me. Screenshots in both languages.
func TestSecretaryJourney(t *testing.T) {
	t.Parallel()
	for _, l := range langs {
		t.Run(l.code, func(t *testing.T) {
			app := apptest.New(t)
			ctx := context.Background()
			b := newBrowser(t, l.accept)
			signIn(b, app, "secretary")

			// Add an applicant.
			birth := time.Date(1994, 3, 8, 0, 0, 0, 0, time.UTC)
			b.Do(chromedp.Navigate(app.URL+"/members/new"), chromedp.WaitVisible(chromedp.ID("f-name")))
			b.set("f-name", "欧阳晓敏")
			b.set("f-gender", "female")
			b.set("f-birth_date", birth.Format(time.DateOnly))
			b.set("f-id_number", pii.MakeIDNumber("110101", birth, 128))
			b.set("f-phone", "13800138000")
			b.set("f-department", "办公室")
			b.set("f-category", "applicant")
			b.set("f-applied_on", "2026-09-01")
			b.Shoot("secretary-member-form-" + l.code)
			b.Do(chromedp.Click(chromedp.CSS(`[data-testid="save"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline"]`)))
			if got := b.Text("h1"); got != "欧阳晓敏" {
				t.Fatalf("after saving the member the page shows %q", got)
			}
			b.Shoot("secretary-member-added-" + l.code)

			// Log a themed Party day worth 2 hours, keep everyone present.
			var memberID int64
			if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
				t.Fatal(err)
			}
			year := time.Now().Year()
			before := hoursOf(t, app, memberID, year)
			b.Do(chromedp.Navigate(app.URL+"/meetings"), chromedp.Click(chromedp.CSS(`[data-testid="new-meeting"]`)), chromedp.WaitVisible(chromedp.ID("f-topic")))
			b.set("f-org_id", strconv.FormatInt(secretaryBranch(t, app), 10))
			b.set("f-kind", "party_day")
			b.set("f-topic", "重温入党誓词主题党日")
			b.set("f-study_hours", "2")
			b.set("f-minutes", "支部书记领誓，全体党员重温入党誓词并交流体会。")
			b.submit(`[data-testid="save"]`)
			b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="attendance-form"]`)))
			b.Shoot("secretary-attendance-" + l.code)
			b.submit(`[data-testid="attendance-form"] [data-testid="save"]`)
			b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-link"]`)))
			b.Do(chromedp.Click(chromedp.CSS(`[data-testid="submit-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-form"]`)))
			b.Do(chromedp.Click(chromedp.CSS(`[data-testid="submit-form"] input[name="confirm"]`)), chromedp.Click(chromedp.CSS(`[data-testid="submit-form"] button[type="submit"]`)))
			b.Do(chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="submit-form"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="attendance-table"]`)))
			b.Shoot("secretary-meeting-submitted-" + l.code)
			var status string
			if err := app.Pool.QueryRow(ctx, `SELECT status FROM meetings WHERE topic = '重温入党誓词主题党日'`).Scan(&status); err != nil || status != "submitted" {
				t.Fatalf("meeting status %q (%v), want submitted", status, err)
			}
			after := hoursOf(t, app, memberID, year)
			if after != before+2 {
				t.Fatalf("member's credited hours %v → %v, want +2", before, after)
			}

			// The member sees the new total on /me.
			m := newBrowser(t, l.accept)
			signIn(m, app, "member")
			m.Do(chromedp.Navigate(app.URL+"/me"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="total-hours"]`)))
			if got, want := m.Text(`[data-testid="total-hours"]`), strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", after), "0"), "."); got != want {
				t.Errorf("/me total %q, want %q", got, want)
			}
			m.Shoot("member-me-" + l.code)
			// On a phone: every month's hours inside the screen (none cut
			// off), and only the latest activities until "show all".
			m.Do(chromedp.EmulateViewport(390, 844))
			fit, err := chromedp.Run(m.ctx, chromedp.Evaluate[struct {
				Right   float64
				Visible int
				All     int
			}](`({right: document.querySelector('[data-testid="month-12"]').getBoundingClientRect().right,
  visible: Array.from(document.querySelectorAll('[data-testid="activity"]')).filter(r => r.checkVisibility()).length,
  all: document.querySelectorAll('[data-testid="activity"]').length})`))
			m.Do(chromedp.EmulateViewport(1280, 900))
			if err != nil {
				t.Fatal(err)
			}
			if fit.Right > 390 {
				t.Errorf("/me at 390 px: December's hours end at %.0f px, off the screen", fit.Right)
			}
			if fit.All > 8 && fit.Visible != 8 {
				t.Errorf("/me at 390 px: %d of %d activities shown before \"show all\", want 8", fit.Visible, fit.All)
			}
		})
	}
}

func hoursOf(t *testing.T, app *apptest.App, memberID int64, year int) float64 {
	t.Helper()
	var h float64
	err := app.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(hours), 0)::float8 FROM study_credits WHERE member_id = $1 AND extract(year FROM earned_on) = $2`, memberID, year).Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// secretaryBranch is the branch the demo secretary runs: the meeting form
// makes them choose it when they may also write its groups.
func secretaryBranch(t *testing.T, app *apptest.App) int64 {
	t.Helper()
	return app.Int(t, `SELECT ar.org_id FROM account_roles ar JOIN accounts a ON a.id = ar.account_id WHERE a.username = 'secretary' AND ar.role = 'secretary'`)
}
