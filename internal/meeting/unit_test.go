package meeting

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"zhibu/internal/i18n"
)

func TestStatsRateAndQuorum(t *testing.T) {
	rows := func(statuses ...string) []Attendance {
		var out []Attendance
		for i, s := range statuses {
			out = append(out, Attendance{MemberID: int64(i + 1), Status: s})
		}
		return out
	}
	cases := []struct {
		name     string
		kind     string
		rows     []Attendance
		want     Stats
		percent  int
		noQuorum bool
	}{
		{"all present", "committee", rows(Present, Present, Present, Present, Present), Stats{Due: 5, Present: 5}, 100, false},
		{"three of five", "committee", rows(Present, Present, Present, Leave, Absent), Stats{Due: 5, Present: 3, Leave: 1, Absent: 1}, 60, false},
		{"two of five", "committee", rows(Present, Present, Leave, Absent, Absent), Stats{Due: 5, Present: 2, Leave: 1, Absent: 2}, 40, true},
		{"exactly half", "committee", rows(Present, Present, Absent, Absent), Stats{Due: 4, Present: 2, Absent: 2}, 50, true},
		{"observers are not due", "committee", rows(Present, Present, Present, Absent, Absent, Observer, Observer), Stats{Due: 5, Present: 3, Absent: 2, Observers: 2}, 60, false},
		{"half is fine for a general meeting", "general", rows(Present, Absent), Stats{Due: 2, Present: 1, Absent: 1}, 50, false},
		{"nobody due", "committee", nil, Stats{}, 0, false},
		{"two of three rounds down", "study", rows(Present, Present, Absent), Stats{Due: 3, Present: 2, Absent: 1}, 66, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := StatsOf(tc.rows)
			if got != tc.want {
				t.Errorf("stats %+v, want %+v", got, tc.want)
			}
			if got.RatePercent() != tc.percent {
				t.Errorf("rate %d%%, want %d%%", got.RatePercent(), tc.percent)
			}
			if NoQuorum(tc.kind, got) != tc.noQuorum {
				t.Errorf("no quorum %v, want %v", !tc.noQuorum, tc.noQuorum)
			}
		})
	}
}

func TestParseHours(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"2", 2, true}, {"1.5", 1.5, true}, {"0", 0, true}, {"100", 100, true},
		{"1.25", 0, false}, {"-1", 0, false}, {"100.1", 0, false}, {"abc", 0, false}, {"NaN", 0, false}, {"1e1", 10, true},
	}
	for _, tc := range cases {
		got, ok := ParseHours(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseHours(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestSniffTypeChecksContentNotName(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 64)...)
	pdf := []byte("%PDF-1.7\n1 0 obj\n")
	cases := []struct {
		name string
		data []byte
		want string
		err  error
	}{
		{"png", png, "image/png", nil},
		{"jpeg", jpeg, "image/jpeg", nil},
		{"pdf", pdf, "application/pdf", nil},
		{"html", []byte("<html><script>alert(1)</script>"), "", ErrBadType},
		{"gif", []byte("GIF89a......"), "", ErrBadType},
		{"zip", []byte("PK\x03\x04...."), "", ErrBadType},
		{"empty", nil, "", ErrEmpty},
		{"exactly 10 MB", append(pdf, bytes.Repeat([]byte{' '}, MaxAttachmentBytes-len(pdf))...), "application/pdf", nil},
		{"over 10 MB", append(pdf, bytes.Repeat([]byte{' '}, MaxAttachmentBytes-len(pdf)+1)...), "", ErrTooLarge},
	}
	for _, tc := range cases {
		got, err := SniffType(tc.data)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("%s: got %q, %v; want %q, %v", tc.name, got, err, tc.want, tc.err)
		}
	}
}

func TestICalendarIsFoldedAndEscaped(t *testing.T) {
	start := time.Date(2026, 12, 3, 9, 0, 0, 0, i18n.Shanghai)
	items := []CalendarItem{{ID: 42, Kind: "committee", Topic: strings.Repeat("学习贯彻党的二十届四中全会精神", 4) + ";,", Place: "三楼会议室, 东侧", OrgName: "办公室党支部", StartsAt: start, EndsAt: start.Add(time.Hour), Status: StatusPlanned}}
	out := ICalendar(i18n.ZH, "办公室党支部", items, start)
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") || !strings.HasSuffix(out, "END:VCALENDAR\r\n") {
		t.Fatalf("not a calendar:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Errorf("line longer than 75 octets (%d): %q", len(line), line)
		}
		if !utf8Valid(line) {
			t.Errorf("line splits a character: %q", line)
		}
	}
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	for _, want := range []string{"UID:meeting-42@zhibu", "DTSTART:20261203T010000Z", "DTEND:20261203T020000Z", "LOCATION:三楼会议室\\, 东侧", "\\;\\,", "STATUS:TENTATIVE", "【支部委员会】"} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks %q:\n%s", want, unfolded)
		}
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

func TestMonthGridStartsOnMonday(t *testing.T) {
	month := time.Date(2026, 11, 1, 0, 0, 0, 0, i18n.Shanghai) // a Sunday
	at := time.Date(2026, 11, 27, 9, 0, 0, 0, i18n.Shanghai)
	weeks := monthGrid(month, at, []CalendarItem{{ID: 1, StartsAt: at}})
	if len(weeks) != 6 {
		t.Fatalf("%d weeks, want 6", len(weeks))
	}
	if d := weeks[0][0].Date; d.Month() != 10 || d.Day() != 26 || weeks[0][6].Date.Day() != 1 {
		t.Errorf("first week starts %v", d)
	}
	found := 0
	for _, w := range weeks {
		for _, d := range w {
			found += len(d.Items)
			if d.Today && d.Date.Day() != 27 {
				t.Errorf("today marked on %v", d.Date)
			}
		}
	}
	if found != 1 {
		t.Errorf("meeting shown %d times, want once", found)
	}
}

func TestJoinNamesPerLanguage(t *testing.T) {
	names := []string{"张三", "李四", "王五"}
	for _, c := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.ZH, "张三、李四、王五"}, {i18n.EN, "张三, 李四, 王五"}} {
		if got := joinNames(i18n.WithLang(context.Background(), c.lang), names); got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
	}
	if got := joinNames(context.Background(), nil); got != "" {
		t.Errorf("no names: %q", got)
	}
}

// DaysFrom counts China calendar days: 0 on the day, across a leap day,
// and a UTC afternoon that is already the next day in China.
func TestUpcomingDaysFrom(t *testing.T) {
	today := time.Date(2028, 2, 28, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2028, 2, 28, 23, 59, 0, 0, i18n.Shanghai), 0},
		{time.Date(2028, 2, 29, 0, 0, 0, 0, i18n.Shanghai), 1}, // leap day
		{time.Date(2028, 3, 1, 9, 0, 0, 0, i18n.Shanghai), 2},
		{time.Date(2028, 2, 28, 16, 30, 0, 0, time.UTC), 1}, // 00:30 on the 29th in China
		{time.Date(2028, 2, 27, 9, 0, 0, 0, i18n.Shanghai), -1},
	} {
		if got := (Upcoming{StartsAt: c.at}).DaysFrom(today); got != c.want {
			t.Errorf("DaysFrom(%v) = %d, want %d", c.at, got, c.want)
		}
	}
}
