package meeting

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Sign-in at the door: the secretary's screen shows a QR code and a
// six-digit code that change every CodePeriod. Each is a keyed hash of
// the meeting and the time window, so a code photographed and passed on
// stops working within a minute; the code of the window before is still
// taken, for a member who scanned just before it changed.
const CodePeriod = 30 * time.Second

// Hasher is the keyed hash the codes are made with (pii.Sealer.Hash: a
// keyed SM3 under the data key, shared by every app instance).
type Hasher interface{ Hash(value string) []byte }

// Window is the number of the code period holding t.
func Window(t time.Time) int64 { return t.Unix() / int64(CodePeriod/time.Second) }

// Code is the six-digit sign-in code of a meeting in a window.
func Code(h Hasher, meetingID, window int64) string {
	sum := h.Hash("checkin:" + strconv.FormatInt(meetingID, 10) + ":" + strconv.FormatInt(window, 10))
	return fmt.Sprintf("%06d", binary.BigEndian.Uint32(sum[:4])%1000000)
}

// CodeValid reports whether a code typed or scanned at now is the
// meeting's current code or the one just before.
func CodeValid(h Hasher, meetingID int64, code string, now time.Time) bool {
	w := Window(now)
	return len(code) == 6 && (code == Code(h, meetingID, w) || code == Code(h, meetingID, w-1))
}

// CheckinOpen reports whether sign-in is open at now: from open before
// the start until the end, both included.
func CheckinOpen(startsAt, endsAt, now time.Time, open time.Duration) bool {
	return !now.Before(startsAt.Add(-open)) && !now.After(endsAt)
}

// CheckinOpenFor is how long before a meeting sign-in opens
// (meeting_settings).
func CheckinOpenFor(ctx context.Context, q db.Querier) (time.Duration, error) {
	v, err := setting(ctx, q, settingCheckinOpen)
	return time.Duration(v * float64(time.Minute)), err
}

// Reasons a sign-in is refused.
var (
	ErrCheckinClosed = errors.New("meeting: sign-in is not open")
	ErrCheckinCode   = errors.New("meeting: wrong or old code")
	ErrNotDue        = errors.New("meeting: not due at this meeting")
)

// SignIn marks a member present at a meeting with the code they scanned
// or typed: refused outside the sign-in window, with a wrong or old code,
// or for someone not due. Signing in twice changes nothing. It returns
// whether this call signed them in.
func (s *Store) SignIn(ctx context.Context, h Hasher, meetingID, memberID int64, code, method string, now time.Time) (bool, error) {
	signed := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockMeeting(ctx, tx, meetingID); errors.Is(err, pgx.ErrNoRows) {
			return ErrNotDue // a meeting that does not exist is one nobody is due at
		} else if err != nil {
			return err
		}
		m, err := getMeeting(ctx, tx, meetingID, false)
		if err != nil {
			return err
		}
		open, err := CheckinOpenFor(ctx, tx)
		if err != nil {
			return err
		}
		if m.Status == StatusSubmitted || !CheckinOpen(m.StartsAt, m.EndsAt, now, open) {
			return ErrCheckinClosed
		}
		if !CodeValid(h, meetingID, code, now) {
			return ErrCheckinCode
		}
		due, err := Due(ctx, tx, m)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(due, func(o Option) bool { return o.ID == memberID }) {
			return ErrNotDue
		}
		tag, err := tx.Exec(ctx, `INSERT INTO checkins (meeting_id, member_id, at, method) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, meetingID, memberID, now, method)
		if err != nil {
			return fmt.Errorf("meeting: sign in %d at %d: %w", memberID, meetingID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		signed = true
		hours := 0.0
		if m.Status == StatusDraft {
			hours = m.StudyHours
		}
		if _, err := tx.Exec(ctx, `
INSERT INTO attendance (meeting_id, member_id, status, reason, hours) VALUES ($1, $2, 'present', '', $3)
ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = 'present', reason = '', hours = EXCLUDED.hours`, meetingID, memberID, hours); err != nil {
			return fmt.Errorf("meeting: sign in %d at %d: %w", memberID, meetingID, err)
		}
		if m.Status == StatusDraft {
			if err := syncCredits(ctx, tx, meetingID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.checkin", Entity: "meeting", EntityID: meetingID,
			After: map[string]any{"member_id": memberID, "method": method}})
	})
	return signed, err
}

// Arrival is one member signed in at the door.
type Arrival struct {
	MemberID int64
	Name     string
	At       time.Time
}

// Arrivals lists who signed in at a meeting, the latest first, and how
// many are due.
func (s *Store) Arrivals(ctx context.Context, m Meeting) ([]Arrival, int, error) {
	out, err := db.Rows[Arrival](ctx, s.pool, `
SELECT c.member_id, mb.name, c.at FROM checkins c JOIN members mb ON mb.id = c.member_id
 WHERE c.meeting_id = $1 ORDER BY c.at DESC, c.member_id`, m.ID)
	if err != nil {
		return nil, 0, fmt.Errorf("meeting: arrivals at %d: %w", m.ID, err)
	}
	due, err := Due(ctx, s.pool, m)
	if err != nil {
		return nil, 0, err
	}
	return out, len(due), nil
}

const currentForSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.place, m.starts_at, m.ends_at, m.status
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
  JOIN members me ON me.id = $1
 WHERE m.status <> 'submitted' AND m.starts_at <= $2::timestamptz + $3::interval AND m.ends_at >= $2
   AND m.org_id IN (me.branch_id, me.group_id)
 ORDER BY m.starts_at, m.id LIMIT 10`

// CurrentFor lists the meetings of a member's branch or group open for
// sign-in now (the fallback page for typing the code).
func (s *Store) CurrentFor(ctx context.Context, memberID int64, now time.Time) ([]CalendarItem, error) {
	open, err := CheckinOpenFor(ctx, s.pool)
	if err != nil {
		return nil, err
	}
	out, err := db.Rows[CalendarItem](ctx, s.pool, currentForSQL, memberID, now, open)
	if err != nil {
		return nil, fmt.Errorf("meeting: current for %d: %w", memberID, err)
	}
	return out, nil
}
