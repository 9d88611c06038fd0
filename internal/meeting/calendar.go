package meeting

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// CalDay is one day cell of the month calendar.
type CalDay struct {
	Date    time.Time
	InMonth bool
	Today   bool
	Items   []CalendarItem
}

// CalendarPage is the branch calendar's view model.
type CalendarPage struct {
	Month    time.Time
	Prev     string
	Next     string
	Weeks    [][]CalDay
	List     bool
	Items    []CalendarItem
	CanWrite bool
}

// monthGrid lays the month out in weeks from Monday to Sunday.
func monthGrid(month, today time.Time, items []CalendarItem) [][]CalDay {
	first := time.Date(month.Year(), month.Month(), 1, 0, 0, 0, 0, i18n.Shanghai)
	offset := (int(first.Weekday()) + 6) % 7
	start := first.AddDate(0, 0, -offset)
	next := first.AddDate(0, 1, 0)
	var weeks [][]CalDay
	for d := start; d.Before(next); {
		week := make([]CalDay, 7)
		for i := range week {
			cd := CalDay{Date: d, InMonth: d.Month() == month.Month(), Today: sameDay(d, today)}
			for _, it := range items {
				if sameDay(it.StartsAt.In(i18n.Shanghai), d) {
					cd.Items = append(cd.Items, it)
				}
			}
			week[i] = cd
			d = d.AddDate(0, 0, 1)
		}
		weeks = append(weeks, week)
	}
	return weeks
}

func sameDay(a, b time.Time) bool {
	return a.Year() == b.Year() && a.Month() == b.Month() && a.Day() == b.Day()
}

// Calendar shows the meetings of a month in the user's scope, as a month
// grid or as a list (?view=list).
func (h *Handler) Calendar(w http.ResponseWriter, r *http.Request) error {
	s := auth.ScopeOf(r.Context())
	now := time.Now().In(i18n.Shanghai)
	month := monthParam(r.URL.Query(), now)
	items, err := h.store.Between(r.Context(), s.ReadRoots(), month, month.AddDate(0, 1, 0))
	if err != nil {
		return err
	}
	view := ""
	if r.URL.Query().Get("view") == "list" {
		view = "&view=list"
	}
	p := CalendarPage{Month: month, Items: items, List: view != "", CanWrite: s.Writes(),
		Prev: "/meetings/calendar?month=" + month.AddDate(0, -1, 0).Format("2006-01") + view,
		Next: "/meetings/calendar?month=" + month.AddDate(0, 1, 0).Format("2006-01") + view}
	p.Weeks = monthGrid(month, now, items)
	return ui.Render(w, r, http.StatusOK, CalendarView(p))
}

var tokenRE = regexp.MustCompile(`^[a-z0-9]{32,64}$`)

const feedOwnerSQL = `
SELECT coalesce((SELECT m.branch_id FROM members m WHERE m.id = a.member_id),
                (SELECT r.org_id FROM account_roles r WHERE r.account_id = a.id AND r.role IN ('secretary', 'branch_committee') LIMIT 1), 0),
       coalesce((SELECT o.name FROM organisations o WHERE o.id = (SELECT m.branch_id FROM members m WHERE m.id = a.member_id)), '')
  FROM accounts a
 WHERE a.calendar_token = $1 AND a.disabled_at IS NULL`

const feedSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.place, m.starts_at, m.ends_at, m.status
  FROM meetings m JOIN organisations o ON o.id = m.org_id
 WHERE o.path @> ARRAY[$1::bigint]
   AND (m.status = 'planned' OR m.starts_at >= $2)
 ORDER BY m.starts_at, m.id
 LIMIT 500`

// Feed returns the branch name and the meetings of the iCalendar feed
// behind a secret token: the branch's planned meetings and those held in
// the last 30 days. ErrNotFound for an unknown token.
func (s *Store) Feed(ctx context.Context, token string) (string, []CalendarItem, error) {
	if !tokenRE.MatchString(token) {
		return "", nil, fmt.Errorf("meeting: feed: %w", apperr.ErrNotFound)
	}
	var branchID int64
	var name string
	err := s.pool.QueryRow(ctx, feedOwnerSQL, token).Scan(&branchID, &name)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && branchID == 0) {
		return "", nil, fmt.Errorf("meeting: feed: %w", apperr.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("meeting: feed: %w", err)
	}
	rows, err := s.pool.Query(ctx, feedSQL, branchID, s.now().AddDate(0, 0, -30))
	if err != nil {
		return "", nil, fmt.Errorf("meeting: feed: %w", err)
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[CalendarItem])
	if err != nil {
		return "", nil, fmt.Errorf("meeting: feed: %w", err)
	}
	return name, items, nil
}

// ICal serves the iCalendar feed behind a user's secret address.
func (h *Handler) ICal(w http.ResponseWriter, r *http.Request) error {
	name, items, err := h.store.Feed(r.Context(), chi.URLParam(r, "token"))
	if err != nil {
		return err
	}
	lang := i18n.LangOf(r.Context())
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=PUBLISH")
	w.Header().Set("Cache-Control", "private, max-age=300")
	_, err = w.Write([]byte(ICalendar(lang, name, items, time.Now())))
	return err
}

// ICalendar writes the meetings as an RFC 5545 calendar.
func ICalendar(lang i18n.Lang, name string, items []CalendarItem, now time.Time) string {
	var b strings.Builder
	line := func(s string) { b.WriteString(fold(s)) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Zhibu//Meetings//ZH")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + icalText(name+" "+i18n.TL(lang, "meeting.ical.name")))
	line("X-WR-TIMEZONE:Asia/Shanghai")
	stamp := now.UTC().Format("20060102T150405Z")
	for _, it := range items {
		line("BEGIN:VEVENT")
		line("UID:meeting-" + strconv.FormatInt(it.ID, 10) + "@zhibu")
		line("DTSTAMP:" + stamp)
		line("DTSTART:" + it.StartsAt.UTC().Format("20060102T150405Z"))
		line("DTEND:" + it.EndsAt.UTC().Format("20060102T150405Z"))
		line("SUMMARY:" + icalText(i18n.TL(lang, "meeting.kind_topic", i18n.TL(lang, kindKey(it.Kind)), it.Topic)))
		if it.Place != "" {
			line("LOCATION:" + icalText(it.Place))
		}
		line("DESCRIPTION:" + icalText(it.OrgName))
		if it.Status == StatusPlanned {
			line("STATUS:TENTATIVE")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// icalText escapes a TEXT value (RFC 5545 3.3.11).
func icalText(s string) string {
	r := strings.NewReplacer("\\", "\\\\", ";", "\\;", ",", "\\,", "\r\n", "\\n", "\n", "\\n", "\r", "\\n")
	return r.Replace(s)
}

// fold ends a content line with CRLF, folding it at 75 octets without
// splitting a UTF-8 character.
func fold(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		size := len(string(r))
		if n+size > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += size
	}
	b.WriteString("\r\n")
	return b.String()
}
