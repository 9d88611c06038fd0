package me_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func memberOf(t *testing.T, app *apptest.App, username string) int64 {
	t.Helper()
	return app.Int(t, `SELECT member_id FROM accounts WHERE username = $1`, username)
}

// TestMeFiguresMatchTheAttendanceRecords checks every figure on /me
// against the records behind it: each month's hours equal the sum of the
// member's credits that month, the meeting credits equal the hours of the
// attendance rows marked present, and the activity counts equal the
// attendance rows.
func TestMeFiguresMatchTheAttendanceRecords(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	memberID := memberOf(t, app, "member")
	c := app.Login(t, "member")
	year := time.Now().In(i18n.Shanghai).Year()
	for _, y := range []int{year, year - 1} {
		t.Run(strconv.Itoa(y), func(t *testing.T) {
			r := c.Get("/me?year=" + strconv.Itoa(y))
			if r.Status != http.StatusOK {
				t.Fatalf("/me: %d", r.Status)
			}
			var total float64
			for month := 1; month <= 12; month++ {
				var credits, attended float64
				err := app.Pool.QueryRow(ctx, `
SELECT coalesce(sum(hours), 0)::float8 FROM study_credits
 WHERE member_id = $1 AND extract(year FROM earned_on) = $2 AND extract(month FROM earned_on) = $3`, memberID, y, month).Scan(&credits)
				if err != nil {
					t.Fatal(err)
				}
				err = app.Pool.QueryRow(ctx, `
SELECT coalesce(sum(a.hours), 0)::float8 FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.member_id = $1 AND a.status = 'present'
   AND extract(year FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = $2
   AND extract(month FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = $3`, memberID, y, month).Scan(&attended)
				if err != nil {
					t.Fatal(err)
				}
				var individual float64
				err = app.Pool.QueryRow(ctx, `
SELECT coalesce(sum(hours), 0)::float8 FROM study_credits
 WHERE member_id = $1 AND meeting_id IS NULL AND extract(year FROM earned_on) = $2 AND extract(month FROM earned_on) = $3`, memberID, y, month).Scan(&individual)
				if err != nil {
					t.Fatal(err)
				}
				if credits != attended+individual {
					t.Errorf("month %d: credits %v, but attendance %v + individual %v", month, credits, attended, individual)
				}
				if got := r.TestID("month-" + strconv.Itoa(month)); got != meeting.FormatHours(credits) {
					t.Errorf("month %d shows %q, records say %v", month, got, credits)
				}
				total += credits
			}
			if got := r.TestID("total-hours"); got != meeting.FormatHours(total) {
				t.Errorf("total %q, records say %v", got, total)
			}
			if got := r.TestID("minimum-hours"); got != "32" {
				t.Errorf("minimum %q, want 32", got)
			}
			var rows, present, missed int
			err := app.Pool.QueryRow(ctx, `
SELECT count(*), count(*) FILTER (WHERE a.status = 'present'), count(*) FILTER (WHERE a.status IN ('leave', 'absent'))
  FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.member_id = $1 AND extract(year FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = $2`, memberID, y).Scan(&rows, &present, &missed)
			if err != nil {
				t.Fatal(err)
			}
			if n := r.Doc().Find(`[data-testid="activity"]`).Length(); n != rows {
				t.Errorf("%d activities shown, %d attendance rows", n, rows)
			}
			if want := "参加 " + strconv.Itoa(present) + " 次，请假或缺席 " + strconv.Itoa(missed) + " 次"; r.TestID("activity-counts") != want {
				t.Errorf("counts %q, want %q", r.TestID("activity-counts"), want)
			}
			if y == year && total == 0 {
				t.Error("the demo member has no hours this year")
			}
		})
	}
}

func TestMeShowsOnlyTheirOwnRecord(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	r := c.Get("/me")
	var name string
	if err := app.Pool.QueryRow(context.Background(), `SELECT m.name FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member'`).Scan(&name); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Body, name) {
		t.Error("the page does not name the member")
	}
	// No parameter lets a member see another member's figures.
	other := c.Get("/me?member=" + strconv.FormatInt(memberOf(t, app, "secretary"), 10))
	if other.TestID("total-hours") != r.TestID("total-hours") || other.TestID("minimum-hours") != "32" {
		t.Error("a query parameter changed whose record is shown")
	}
	// The secretary holds a committee post: 56 hours.
	if got := app.Login(t, "secretary").Get("/me").TestID("minimum-hours"); got != "56" {
		t.Errorf("secretary's minimum %q, want 56", got)
	}
}

func TestMeFitsAPhoneAndPrints(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "member")
	r := c.Get("/me")
	if !r.Has(`meta[name=viewport][content*="width=device-width"]`) {
		t.Error("no viewport meta for phones")
	}
	if !r.Has(`progress[data-testid="hours-progress"][max="32"]`) || !r.Has(`svg.chart rect.bar`) {
		t.Error("no progress bar or chart")
	}
	if n := r.Doc().Find(`[data-testid="upcoming-item"]`).Length(); n < 2 {
		t.Errorf("%d upcoming meetings, want the demo branch's planned ones", n)
	}
	// Each upcoming meeting says how far off it is and offers a leave
	// request, or shows the request's status.
	items := r.Doc().Find(`[data-testid="upcoming-item"]`)
	if n := items.Find(`[data-testid="countdown"]`).Length(); n != items.Length() {
		t.Errorf("%d of %d upcoming meetings show a countdown", n, items.Length())
	}
	if n := items.Find(`a[data-testid="ask-leave"][href^="/me/leave/"], [data-testid="leave-status"]`).Length(); n != items.Length() {
		t.Errorf("%d of %d upcoming meetings offer a leave request or show its status", n, items.Length())
	}
	if want := regexp.MustCompile(`^(今天|明天|还有 \d+ 天)$`); !want.MatchString(strings.TrimSpace(items.First().Find(`[data-testid="countdown"]`).Text())) {
		t.Errorf("countdown reads %q", items.First().Find(`[data-testid="countdown"]`).Text())
	}
	if r.Has(`[style]`) || r.Has(`script`) {
		t.Error("inline style or script on /me")
	}
	tr := c.Get("/me/transcript")
	if tr.Status != http.StatusOK || tr.TestID("total-hours") == "" || !tr.Has(`[data-testid="transcript"]`) {
		t.Errorf("transcript: %d", tr.Status)
	}
}

func TestStudyMinimumIsTheRule(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	year := time.Now().Year()
	for _, tc := range []struct {
		user string
		want float64
	}{{"member", 32}, {"secretary", 56}} {
		got, err := meeting.StudyTermsOf(ctx, app.Pool, memberOf(t, app, tc.user), year)
		if err != nil || got.Minimum != tc.want || got.Full != tc.want {
			t.Errorf("%s: %+v (%v), want %v", tc.user, got, err, tc.want)
		}
	}
	// The same study-hours rule the committee's compliance view applies.
	if _, err := app.Pool.Exec(ctx, `UPDATE rules SET minimum = 40 WHERE code = 'study_hours_member' AND effective_to IS NULL`); err != nil {
		t.Fatal(err)
	}
	if got, _ := meeting.StudyTermsOf(ctx, app.Pool, memberOf(t, app, "member"), year); got.Minimum != 40 {
		t.Errorf("after the rule's change: %+v, want 40", got)
	}
}

// A member transferred in during the year is held to the pro rata
// minimum, said so on /me; self-study hours count only where the agency's
// setting says so.
func TestStudyMinimumProRataAndSelfStudy(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	year := time.Now().In(i18n.Shanghai).Year()
	id := memberOf(t, app, "member")
	if _, err := app.Pool.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, details) VALUES ($1, 'transferred_in', make_date($2, 7, 31), 'test')`, id, year); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `INSERT INTO study_credits (member_id, hours, kind, earned_on) VALUES ($1, 5, 'self', make_date($2, 1, 2))`, id, year); err != nil {
		t.Fatal(err)
	}
	terms, err := meeting.StudyTermsOf(ctx, app.Pool, id, year)
	if err != nil || terms.Months != 6 || terms.Minimum != 16 || terms.Self != 5 || terms.SelfCounts {
		t.Fatalf("terms after a transfer in on 31 July: %+v (%v)", terms, err)
	}
	if got := terms.Counted(20); got != 15 {
		t.Errorf("20 h with 5 of self-study count %v, want 15", got)
	}
	hours, minimum, err := meeting.HoursOf(ctx, app.Pool, id, year)
	if err != nil || minimum != 16 {
		t.Fatalf("HoursOf: %v %v %v", hours, minimum, err)
	}
	c := app.Login(t, "member")
	page := c.Get("/me")
	if page.TestID("minimum-hours") != "16" || !strings.Contains(page.Body, "6 个月") {
		t.Errorf("/me: minimum %q, note missing: %v", page.TestID("minimum-hours"), !strings.Contains(page.Body, "6 个月"))
	}
	if !strings.Contains(page.Body, "个人自学 5 学时不计入") {
		t.Errorf("/me does not say the self-study hours are left out")
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE review_settings SET self_study_counts = true`); err != nil {
		t.Fatal(err)
	}
	hours2, _, err := meeting.HoursOf(ctx, app.Pool, id, year)
	if err != nil || hours2 != hours+5 {
		t.Errorf("with self-study counted: %v, want %v", hours2, hours+5)
	}
}
