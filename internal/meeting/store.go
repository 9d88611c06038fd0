// Package meeting keeps a branch's organisational life: meetings of every
// kind with their attendance, minutes (locked on submission, corrected
// through a revision history), attachments and the study hours they credit;
// the branch calendar and its iCalendar feed; and the study-hour minimums.
package meeting

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/vocab"
)

// Kinds a secretary may log here, in the order the form offers them.
// Democratic-life meetings have their own workflow and are only listed.
var Kinds = []string{"general", "committee", "group", "lecture", "party_day", "study", "org_life", "appraisal", "talks", "other"}

// ListKinds are the kinds the list filter offers.
var ListKinds = append(append([]string{}, Kinds...), "democratic_life")

// StudyForms are the forms of a study session.
var StudyForms = []string{"central", "lecture", "online", "self"}

// Statuses of a meeting: planned ahead, held and being recorded, or
// submitted (minutes locked).
const (
	StatusPlanned   = "planned"
	StatusDraft     = "draft"
	StatusSubmitted = "submitted"
)

// Attendance statuses.
const (
	Present  = vocab.Present
	Leave    = vocab.Leave
	Absent   = vocab.Absent
	Observer = vocab.Observer
)

// Store reads and writes meetings, attendance and study credits.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time
	// onPlanned, when set, runs in the transaction that creates a planned
	// meeting (the notifier queues the meeting notice there).
	onPlanned func(ctx context.Context, tx pgx.Tx, meetingID int64) error
}

// NewStore returns a store over the pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool, now: time.Now} }

// Meeting is one meeting with the names of its organisation and people.
type Meeting struct {
	ID           int64
	OrgID        int64
	OrgName      string
	OrgKind      string
	OrgPath      []int64
	Kind         string
	Topic        string
	StartsAt     time.Time
	EndsAt       time.Time
	Place        string
	HostID       *int64
	HostName     string
	RecorderID   *int64
	RecorderName string
	Lecturer     string
	Agenda       string
	Minutes      string
	Decisions    string
	StudyForm    *string
	StudyHours   float64
	Status       string
	LateEntry    bool
	EnteredAt    time.Time
	SubmittedAt  *time.Time
	Version      int
}

// BranchID is the branch the meeting's organisation belongs to: itself, or
// the parent of a group (organisations.path ends with the group).
func (m Meeting) BranchID() int64 {
	if m.OrgKind == "group" && len(m.OrgPath) >= 2 {
		return m.OrgPath[len(m.OrgPath)-2]
	}
	return m.OrgID
}

// Day is the meeting's date in China time.
func (m Meeting) Day() time.Time {
	t := m.StartsAt.In(i18n.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

const selectMeetingSQL = `
SELECT m.id, m.org_id, o.name AS org_name, o.kind AS org_kind, o.path AS org_path,
       m.kind, m.topic, m.starts_at, m.ends_at, m.place,
       m.host_id, coalesce(h.name, '') AS host_name, m.recorder_id, coalesce(r.name, '') AS recorder_name,
       m.lecturer, m.agenda, m.minutes, m.decisions, m.study_form, m.study_hours::float8 AS study_hours,
       m.status, m.late_entry, m.entered_at, m.submitted_at, m.version
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
  LEFT JOIN members h ON h.id = m.host_id
  LEFT JOIN members r ON r.id = m.recorder_id`

// Get returns a meeting; ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, id int64) (Meeting, error) {
	return getMeeting(ctx, s.pool, id, false)
}

func getMeeting(ctx context.Context, q db.Querier, id int64, lock bool) (Meeting, error) {
	sql := selectMeetingSQL + ` WHERE m.id = $1`
	if lock {
		sql += ` FOR UPDATE OF m`
	}
	m, err := db.One[Meeting](ctx, q, sql, id)
	if err != nil {
		return Meeting{}, fmt.Errorf("meeting: get %d: %w", id, err)
	}
	return m, nil
}

// Stats are a meeting's attendance figures. Due counts everyone expected
// (present, on leave or absent); observers are not due.
type Stats struct {
	Due       int
	Present   int
	Leave     int
	Absent    int
	Observers int
}

// Rate is the share of those due who were present, 0 when nobody was due.
func (s Stats) Rate() float64 {
	if s.Due == 0 {
		return 0
	}
	return float64(s.Present) / float64(s.Due)
}

// RatePercent is Rate as a whole percentage, rounded down so that 99.6 %
// never shows as a full house.
func (s Stats) RatePercent() int {
	if s.Due == 0 {
		return 0
	}
	return s.Present * 100 / s.Due
}

// NoQuorum reports a branch committee meeting with half of the committee or
// fewer present (支部工作条例 Art. 12 requires more than half).
func NoQuorum(kind string, s Stats) bool {
	return kind == "committee" && s.Due > 0 && s.Present*2 <= s.Due
}

// StatsOf counts the attendance rows.
func StatsOf(rows []Attendance) Stats {
	var s Stats
	for _, a := range rows {
		switch a.Status {
		case Present:
			s.Present++
			s.Due++
		case Leave:
			s.Leave++
			s.Due++
		case Absent:
			s.Absent++
			s.Due++
		case Observer:
			s.Observers++
		}
	}
	return s
}

// ListFilter selects meetings for the list.
type ListFilter struct {
	Roots  []int64
	Kind   string
	Year   int
	Status string
	Query  string
	Sort   string // date, topic, kind
	Desc   bool
	Limit  int
	Offset int
}

// ListItem is one row of the meeting list.
type ListItem struct {
	ID        int64
	OrgName   string
	Kind      string
	Topic     string
	StartsAt  time.Time
	Status    string
	LateEntry bool
	Due       int
	Present   int
	Total     int
}

// Stats are the row's attendance figures.
func (i ListItem) Stats() Stats { return Stats{Due: i.Due, Present: i.Present} }

const listSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.starts_at, m.status, m.late_entry,
       coalesce(a.due, 0)::int AS due, coalesce(a.present, 0)::int AS present,
       (count(*) OVER ())::int AS total
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
  LEFT JOIN LATERAL (
       SELECT count(*) FILTER (WHERE status <> 'observer') AS due,
              count(*) FILTER (WHERE status = 'present') AS present
         FROM attendance WHERE meeting_id = m.id) a ON true
 WHERE o.path && $1::bigint[]
   AND ($2 = '' OR m.kind = $2)
   AND ($3 = 0 OR extract(year FROM m.starts_at AT TIME ZONE 'Asia/Shanghai') = $3)
   AND ($4 = '' OR m.status = $4)
   AND ($5 = '' OR m.topic ILIKE '%' || $5 || '%' OR o.name ILIKE '%' || $5 || '%')
 ORDER BY `

var listOrders = map[string]string{
	"date":  "m.starts_at",
	"topic": "m.topic",
	"kind":  "m.kind",
	"org":   "o.name",
}

// List returns one page of meetings inside the roots' subtrees.
func (s *Store) List(ctx context.Context, f ListFilter) ([]ListItem, error) {
	order, ok := listOrders[f.Sort]
	if !ok {
		order = listOrders["date"]
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	sql := listSQL + order + dir + `, m.id` + dir + ` LIMIT $6 OFFSET $7`
	items, err := db.Rows[ListItem](ctx, s.pool, sql, f.Roots, f.Kind, f.Year, f.Status, db.EscapeLike(f.Query), f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("meeting: list: %w", err)
	}
	return items, nil
}

// CalendarItem is a meeting on the calendar.
type CalendarItem struct {
	ID       int64
	OrgName  string
	Kind     string
	Topic    string
	Place    string
	StartsAt time.Time
	EndsAt   time.Time
	Status   string
}

const calendarSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.place, m.starts_at, m.ends_at, m.status
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
 WHERE o.path && $1::bigint[] AND m.starts_at >= $2 AND m.starts_at < $3
 ORDER BY m.starts_at, m.id`

// Between lists the meetings inside the roots' subtrees that start in [from, to).
func (s *Store) Between(ctx context.Context, roots []int64, from, to time.Time) ([]CalendarItem, error) {
	items, err := db.Rows[CalendarItem](ctx, s.pool, calendarSQL, roots, from, to)
	if err != nil {
		return nil, fmt.Errorf("meeting: calendar: %w", err)
	}
	return items, nil
}

// Option is an organisation or member offered in a form.
type Option struct {
	ID   int64
	Name string
}

// OrgOption is an organisation a meeting may belong to.
type OrgOption struct {
	ID   int64
	Name string
	Kind string
}

const writableOrgsSQL = `
SELECT o.id, o.name, o.kind FROM organisations o
 WHERE o.path && $1::bigint[] AND o.kind IN ('branch', 'group') AND o.dissolved_on IS NULL
 ORDER BY o.path, o.name`

// Orgs lists the branches and groups inside the roots' subtrees.
func (s *Store) Orgs(ctx context.Context, roots []int64) ([]OrgOption, error) {
	out, err := db.Rows[OrgOption](ctx, s.pool, writableOrgsSQL, roots)
	if err != nil {
		return nil, fmt.Errorf("meeting: organisations: %w", err)
	}
	return out, nil
}

const scopeMembersSQL = `
SELECT m.id, m.name FROM members m
  JOIN organisations b ON b.id = m.branch_id
 WHERE b.path && $1::bigint[] AND in_good_standing(m.category, m.party_status)
 ORDER BY m.id`

// Members lists the full and probationary members in good standing inside
// the roots' subtrees: the hosts, recorders and observers a form offers.
func (s *Store) Members(ctx context.Context, roots []int64) ([]Option, error) {
	return options(ctx, s.pool, scopeMembersSQL, roots)
}

func options(ctx context.Context, q db.Querier, sql string, args ...any) ([]Option, error) {
	out, err := db.Rows[Option](ctx, q, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("meeting: options: %w", err)
	}
	return out, nil
}
