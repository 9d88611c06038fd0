package meeting

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// Upcoming is a planned meeting a member is due at, with their leave
// request's status ("" when none).
type Upcoming struct {
	ID       int64
	OrgName  string
	Kind     string
	Topic    string
	Place    string
	StartsAt time.Time
	EndsAt   time.Time
	Leave    string
}

const upcomingForSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.place, m.starts_at, m.ends_at, coalesce(l.status, '') AS leave
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
  JOIN members me ON me.id = $1
  LEFT JOIN leave_requests l ON l.meeting_id = m.id AND l.member_id = me.id
 WHERE m.status = 'planned' AND m.ends_at >= $2
   AND m.org_id IN (me.branch_id, me.group_id)
   AND (m.kind <> 'committee' OR EXISTS (
        SELECT 1 FROM committee_posts p JOIN terms_on(current_date) t ON t.id = p.term_id
         WHERE p.member_id = me.id AND t.org_id = m.org_id))
 ORDER BY m.starts_at, m.id
 LIMIT $3`

// UpcomingFor lists the next planned meetings a member is due at.
func UpcomingFor(ctx context.Context, q db.Querier, memberID int64, now time.Time, limit int) ([]Upcoming, error) {
	out, err := db.Rows[Upcoming](ctx, q, upcomingForSQL, memberID, now, limit)
	if err != nil {
		return nil, fmt.Errorf("meeting: upcoming for %d: %w", memberID, err)
	}
	return out, nil
}

// QueueUpcomingFor queues UpcomingFor's statement on a batch, for a page
// that reads everything in one round trip (/me).
func QueueUpcomingFor(b *pgx.Batch, dst *[]Upcoming, memberID int64, now time.Time, limit int) {
	b.Queue(upcomingForSQL, memberID, now, limit).Query(func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Upcoming])
		*dst = out
		return err
	})
}

// DaysFrom counts the calendar days (China time) from today to the
// meeting's day: 0 on the day itself.
func (u Upcoming) DaysFrom(today time.Time) int {
	t, d := today.In(i18n.Shanghai), u.StartsAt.In(i18n.Shanghai)
	from := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	to := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return int(to.Sub(from).Hours() / 24)
}

const hoursSQL = `
SELECT coalesce(sum(hours), 0)::float8 FROM study_credits
 WHERE member_id = $1 AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1)`

// HoursOf is a member's study hours in a year that count toward the
// minimum, and the minimum that applies to them (see StudyTerms).
func HoursOf(ctx context.Context, q db.Querier, memberID int64, year int) (hours, minimum float64, err error) {
	if err := q.QueryRow(ctx, hoursSQL, memberID, year).Scan(&hours); err != nil {
		return 0, 0, fmt.Errorf("meeting: hours of %d: %w", memberID, err)
	}
	terms, err := StudyTermsOf(ctx, q, memberID, year)
	return terms.Counted(hours), terms.Minimum, err
}

const unreadMinutesSQL = `
SELECT m.id, m.topic, m.starts_at
  FROM attendance a
  JOIN meetings m ON m.id = a.meeting_id
 WHERE a.member_id = $1 AND a.status IN ('leave', 'absent') AND m.status = 'submitted'
   AND m.starts_at >= $2
   AND NOT EXISTS (SELECT 1 FROM minutes_reads r WHERE r.meeting_id = m.id AND r.member_id = a.member_id)
 ORDER BY m.starts_at, m.id LIMIT 50`

// minutesReadDays is how long after a missed meeting its minutes stay on
// the member's to-do list.
const minutesReadDays = 180

// MemberTodos lists what a member must do: read the minutes of the
// meetings they missed, and reach the year's study minimum.
func MemberTodos(ctx context.Context, q db.Querier, memberID int64, today time.Time) ([]todo.Item, error) {
	var out []todo.Item
	rows, err := q.Query(ctx, unreadMinutesSQL, memberID, today.AddDate(0, 0, -minutesReadDays))
	if err != nil {
		return nil, fmt.Errorf("meeting: minutes to read of %d: %w", memberID, err)
	}
	for rows.Next() {
		var id int64
		var topic string
		var at time.Time
		if err := rows.Scan(&id, &topic, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("meeting: minutes to read of %d: %w", memberID, err)
		}
		out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.read_minutes", topic),
			Detail: i18n.T(ctx, "workbench.todo.held_on", i18n.Date(ctx, at)), URL: "/me/meetings/" + strconv.FormatInt(id, 10)})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meeting: minutes to read of %d: %w", memberID, err)
	}
	hours, minimum, err := HoursOf(ctx, q, memberID, today.Year())
	if err != nil {
		return nil, err
	}
	if hours < minimum {
		end := time.Date(today.Year(), 12, 31, 0, 0, 0, 0, time.UTC)
		out = append(out, todo.Item{Area: "meeting", Title: i18n.T(ctx, "workbench.todo.hours", strconv.FormatFloat(minimum-hours, 'f', 1, 64)),
			Detail: i18n.T(ctx, "workbench.todo.progress", strconv.FormatFloat(hours, 'f', -1, 64), strconv.FormatFloat(minimum, 'f', -1, 64)),
			URL:    "/me/credits/new", Due: end})
	}
	return out, nil
}

// MissedMeeting is a submitted meeting a member missed, as the member may
// read it: its minutes and decisions, and whether they confirmed reading.
type MissedMeeting struct {
	Meeting
	Attendance string
	ReadAt     *time.Time
}

// MissedFor loads a submitted meeting the member was marked on leave or
// absent at; ErrNotFound for any other.
func (s *Store) MissedFor(ctx context.Context, meetingID, memberID int64) (MissedMeeting, error) {
	var mm MissedMeeting
	err := s.pool.QueryRow(ctx, `
SELECT a.status, r.read_at FROM attendance a
  JOIN meetings m ON m.id = a.meeting_id
  LEFT JOIN minutes_reads r ON r.meeting_id = a.meeting_id AND r.member_id = a.member_id
 WHERE a.meeting_id = $1 AND a.member_id = $2 AND a.status IN ('leave', 'absent') AND m.status = 'submitted'`,
		meetingID, memberID).Scan(&mm.Attendance, &mm.ReadAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return mm, fmt.Errorf("meeting: %d not missed by %d: %w", meetingID, memberID, apperr.ErrNotFound)
	}
	if err != nil {
		return mm, fmt.Errorf("meeting: missed %d by %d: %w", meetingID, memberID, err)
	}
	mm.Meeting, err = s.Get(ctx, meetingID)
	return mm, err
}

// ConfirmRead records that the member has read the minutes of a meeting
// they missed (once; a second confirmation changes nothing).
func (s *Store) ConfirmRead(ctx context.Context, meetingID, memberID int64) error {
	if _, err := s.MissedFor(ctx, meetingID, memberID); err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO minutes_reads (meeting_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, meetingID, memberID)
		if err != nil {
			return fmt.Errorf("meeting: confirm read %d by %d: %w", meetingID, memberID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return audit.Record(ctx, tx, audit.Event{Action: "minutes.read", Entity: "meeting", EntityID: meetingID, After: map[string]any{"member_id": memberID}})
	})
}

// Load reads one meeting in the caller's transaction or pool.
func Load(ctx context.Context, q db.Querier, id int64) (Meeting, error) {
	return getMeeting(ctx, q, id, false)
}
