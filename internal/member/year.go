package member

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/meeting"
)

// Year is what a member's page shows of the year: study hours against the
// minimum, and the meetings the member was due at, with what happened.
type Year struct {
	Year int
	// Hours are the year's hours that count toward the minimum (self-study
	// only where the agency counts it); Terms say how both are measured.
	Hours    float64
	Minimum  float64
	Terms    meeting.StudyTerms
	Meetings []YearMeeting
}

// YearMeeting is one meeting of the member's year.
type YearMeeting struct {
	MeetingID int64
	Kind      string
	Topic     string
	StartsAt  time.Time
	Status    string // attendance: present, leave, absent, observer
	Reason    string
}

// Percent is the hours as a share of the minimum, capped at 100 for the bar.
func (y Year) Percent() int {
	if y.Minimum <= 0 {
		return 100
	}
	return min(int(y.Hours*100/y.Minimum), 100)
}

const yearHoursSQL = `
SELECT coalesce(sum(hours), 0)::float8 FROM study_credits
 WHERE member_id = $1 AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1)`

const yearMeetingsSQL = `
SELECT m.id AS meeting_id, m.kind, m.topic, m.starts_at, a.status, a.reason
  FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.member_id = $1
   AND m.starts_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai')
   AND m.starts_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')
 ORDER BY m.starts_at DESC, m.id DESC`

// YearOf reads a member's year in one round trip.
func (s *Store) YearOf(ctx context.Context, memberID int64, year int) (Year, error) {
	y := Year{Year: year}
	b := &pgx.Batch{}
	b.Queue(yearHoursSQL, memberID, year).QueryRow(func(row pgx.Row) error { return row.Scan(&y.Hours) })
	meeting.QueueStudyTerms(b, memberID, year, &y.Terms)
	b.Queue(yearMeetingsSQL, memberID, year).Query(func(rows pgx.Rows) error {
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[YearMeeting])
		y.Meetings = list
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return y, fmt.Errorf("member: year %d of %d: %w", year, memberID, err)
	}
	y.Hours, y.Minimum = y.Terms.Counted(y.Hours), y.Terms.Minimum
	return y, nil
}

// count is the number of the year's meetings with an attendance status.
func (y Year) count(status string) int {
	n := 0
	for _, m := range y.Meetings {
		if m.Status == status {
			n++
		}
	}
	return n
}

func attClass(status string) string {
	switch status {
	case "present":
		return "tag ok"
	case "leave":
		return "tag info"
	case "absent":
		return "tag bad"
	}
	return "tag"
}
