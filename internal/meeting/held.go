package meeting

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
)

// The meeting package is the one writer of meetings and attendance. Other
// packages that keep a meeting for one of their records (a life meeting)
// write it through the functions below, inside their own transaction, so
// every writer takes the meeting's row lock before it changes attendance
// (the order migration 000100 asks for).

// Held is a held meeting recorded for another package's record: when and
// where it took place.
type Held struct {
	OrgID    int64
	Kind     string
	Topic    string
	StartsAt time.Time
	EndsAt   time.Time
	Place    string
}

// Mark is one person's attendance as another package records it: a
// status and its reason (hours stay as they are).
type Mark struct {
	Status string
	Reason string
}

const insertHeldSQL = `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, status, created_by)
VALUES ($1, $2, $3, $4, $5, $6, 'draft', NULLIF($7, 0)) RETURNING id`

const updateHeldSQL = `
UPDATE meetings SET starts_at = $2, ends_at = $3, place = $4, version = version + 1
 WHERE id = $1 AND version = $5`

// RecordHeld creates the held meeting (id 0) or moves the existing one to
// a new time and place at the version the user loaded (ErrConflict when it
// changed meanwhile), and returns its id. It runs in the caller's
// transaction.
func RecordHeld(ctx context.Context, tx pgx.Tx, id int64, version int, h Held, actor int64) (int64, error) {
	if id == 0 {
		if err := tx.QueryRow(ctx, insertHeldSQL, h.OrgID, h.Kind, h.Topic, h.StartsAt, h.EndsAt, h.Place, actor).Scan(&id); err != nil {
			return 0, fmt.Errorf("meeting: record held: %w", err)
		}
		return id, nil
	}
	tag, err := tx.Exec(ctx, updateHeldSQL, id, h.StartsAt, h.EndsAt, h.Place, version)
	if err != nil {
		return 0, fmt.Errorf("meeting: record held %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, fmt.Errorf("meeting: record held %d at version %d: %w", id, version, apperr.ErrConflict)
	}
	return id, nil
}

const lockMeetingSQL = `SELECT id FROM meetings WHERE id = $1 FOR UPDATE`

// lockMeeting takes the meeting's row lock, which every attendance writer
// takes first.
func lockMeeting(ctx context.Context, tx pgx.Tx, id int64) error {
	var got int64
	if err := tx.QueryRow(ctx, lockMeetingSQL, id).Scan(&got); err != nil {
		return fmt.Errorf("meeting: lock %d: %w", id, err)
	}
	return nil
}

const markAttendanceSQL = `
INSERT INTO attendance (meeting_id, member_id, status, reason)
SELECT $1, u.member_id, u.status, u.reason
  FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u(member_id, status, reason)
ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason`

// MarkAttendance records the given people's attendance at the meeting,
// leaving everyone else's as it is. It runs in the caller's transaction.
func MarkAttendance(ctx context.Context, tx pgx.Tx, id int64, marks map[int64]Mark) error {
	if err := lockMeeting(ctx, tx, id); err != nil {
		return err
	}
	if len(marks) == 0 {
		return nil
	}
	members := make([]int64, 0, len(marks))
	statuses := make([]string, 0, len(marks))
	reasons := make([]string, 0, len(marks))
	for m, a := range marks {
		members, statuses, reasons = append(members, m), append(statuses, a.Status), append(reasons, a.Reason)
	}
	if _, err := tx.Exec(ctx, markAttendanceSQL, id, members, statuses, reasons); err != nil {
		return fmt.Errorf("meeting: mark attendance at %d: %w", id, err)
	}
	return nil
}

const removeAttendeeSQL = `DELETE FROM attendance WHERE meeting_id = $1 AND member_id = $2`

// RemoveAttendee takes a person off the meeting's attendance and study
// credits. It locks the meeting first, like every attendance writer, and
// moves its version on, so an attendance form loaded before is a stale
// edit rather than one that brings the row back. It runs in the caller's
// transaction.
func RemoveAttendee(ctx context.Context, tx pgx.Tx, id, memberID int64) error {
	if err := lockMeeting(ctx, tx, id); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, removeAttendeeSQL, id, memberID)
	if err != nil {
		return fmt.Errorf("meeting: remove %d from %d: %w", memberID, id, err)
	}
	if tag.RowsAffected() == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE meetings SET version = version + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("meeting: remove %d from %d: %w", memberID, id, err)
	}
	return syncCredits(ctx, tx, id)
}

const submitHeldSQL = `
UPDATE meetings SET status = 'submitted', submitted_at = now()
 WHERE id = $1 AND status <> 'submitted'`

// SubmitHeld locks the record of a meeting held for another package's
// record when that record is submitted. It runs in the caller's
// transaction.
func SubmitHeld(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := tx.Exec(ctx, submitHeldSQL, id); err != nil {
		return fmt.Errorf("meeting: submit %d: %w", id, err)
	}
	return nil
}
