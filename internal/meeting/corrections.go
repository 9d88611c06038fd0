package meeting

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Fields of a submitted meeting that a correction may change besides the
// minutes and decisions (which keep their revisions in meeting_revisions).
const (
	FixAttendance = "attendance"
	FixTime       = "time"
	FixPlace      = "place"
)

// ErrNoReason: a correction must say why it is made.
var ErrNoReason = fmt.Errorf("meeting: correction without a reason: %w", apperr.ErrInvalid)

// ErrNotSubmitted: corrections are for a locked record; one not yet
// submitted is edited instead.
var ErrNotSubmitted = fmt.Errorf("meeting: not submitted: %w", apperr.ErrConflict)

// FixValue is one side (before or after) of a correction: a person's
// attendance, the meeting's time or its place, whichever the field holds.
type FixValue struct {
	Status   string    `json:"status,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	StartsAt time.Time `json:"starts_at,omitzero"`
	EndsAt   time.Time `json:"ends_at,omitzero"`
	Place    *string   `json:"place,omitempty"`
}

// Fix is one entry of a meeting's correction trail.
type Fix struct {
	ID         int64
	Field      string
	MemberName string
	Before     FixValue
	After      FixValue
	Reason     string
	ChangedBy  string
	ChangedAt  time.Time
}

// AttendanceFix corrects one person's attendance at a submitted meeting.
type AttendanceFix struct {
	MemberID int64
	Status   string // present, leave or absent
	Reason   string // the person's reason for leave or absence
	Why      string // the reason for the correction
}

// DetailsFix corrects a submitted meeting's time and place; only what
// differs from the saved record is corrected.
type DetailsFix struct {
	StartsAt time.Time
	EndsAt   time.Time
	Place    string
	Why      string
}

// lockSubmitted locks a submitted meeting for a correction at the version
// the user loaded: the same row lock an attendance save takes.
func lockSubmitted(ctx context.Context, tx pgx.Tx, id int64, version int) (Meeting, error) {
	m, err := getMeeting(ctx, tx, id, true)
	if err != nil {
		return m, err
	}
	switch {
	case m.Status != StatusSubmitted:
		return m, ErrNotSubmitted
	case m.Version != version:
		return m, fmt.Errorf("meeting: correct %d: %w", id, apperr.ErrConflict)
	}
	return m, nil
}

const insertFixSQL = `
INSERT INTO meeting_corrections (meeting_id, field, member_id, before, after, reason, changed_by, changed_at)
VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), $8)`

func (s *Store) recordFix(ctx context.Context, tx pgx.Tx, id int64, field string, member *int64, before, after FixValue, why string) error {
	if _, err := tx.Exec(ctx, insertFixSQL, id, field, member, before, after, why, audit.ActorOf(ctx).ID, s.now()); err != nil {
		return fmt.Errorf("meeting: record correction of %d: %w", id, err)
	}
	return nil
}

func bumpVersion(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := tx.Exec(ctx, `UPDATE meetings SET version = version + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("meeting: correct %d: %w", id, err)
	}
	return nil
}

// CorrectAttendance changes one person's attendance at a submitted
// meeting, keeping the earlier status and reason, who, when and why. The
// attendance is written as an attendance save writes it (under the
// meeting's row lock, credits following), so the rollups follow.
func (s *Store) CorrectAttendance(ctx context.Context, id int64, version int, f AttendanceFix) error {
	f.Why = strings.TrimSpace(f.Why)
	if f.Why == "" {
		return ErrNoReason
	}
	if f.Status != Present && f.Status != Leave && f.Status != Absent {
		return fmt.Errorf("meeting: correct attendance: status %q: %w", f.Status, apperr.ErrInvalid)
	}
	if f.Status == Present {
		f.Reason = ""
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := lockSubmitted(ctx, tx, id, version)
		if err != nil {
			return err
		}
		rows, err := db.Rows[Attendance](ctx, tx, attendanceSQL, id)
		if err != nil {
			return fmt.Errorf("meeting: attendance of %d: %w", id, err)
		}
		i := -1
		for j, a := range rows {
			if a.MemberID == f.MemberID && a.Status != Observer {
				i = j
			}
		}
		if i < 0 {
			return fmt.Errorf("meeting: correct attendance of %d at %d: %w", f.MemberID, id, apperr.ErrNotFound)
		}
		old := rows[i]
		if old.Status == f.Status && old.Reason == f.Reason {
			return fmt.Errorf("meeting: correct attendance of %d at %d: unchanged: %w", f.MemberID, id, apperr.ErrInvalid)
		}
		rows[i].Status, rows[i].Reason, rows[i].Hours = f.Status, f.Reason, 0
		if f.Status == Present {
			rows[i].Hours = m.StudyHours
		}
		if err := writeAttendance(ctx, tx, id, rows); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, id); err != nil {
			return err
		}
		before, after := FixValue{Status: old.Status, Reason: old.Reason}, FixValue{Status: f.Status, Reason: f.Reason}
		if err := s.recordFix(ctx, tx, id, FixAttendance, &f.MemberID, before, after, f.Why); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.correct_attendance", Entity: "meeting", EntityID: id,
			Before: map[string]any{"member_id": f.MemberID, "status": old.Status, "reason": old.Reason},
			After:  map[string]any{"member_id": f.MemberID, "status": f.Status, "reason": f.Reason, "why": f.Why}})
	})
}

// CorrectDetails changes a submitted meeting's time and place, one trail
// entry for each that changed. A new time moves the meeting's study
// credits to its day and its month in the rollups.
func (s *Store) CorrectDetails(ctx context.Context, id int64, version int, f DetailsFix) error {
	f.Why = strings.TrimSpace(f.Why)
	if f.Why == "" {
		return ErrNoReason
	}
	if !f.EndsAt.After(f.StartsAt) && !f.EndsAt.Equal(f.StartsAt) {
		return fmt.Errorf("meeting: correct %d: ends before it starts: %w", id, apperr.ErrInvalid)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := lockSubmitted(ctx, tx, id, version)
		if err != nil {
			return err
		}
		timeChanged := !m.StartsAt.Equal(f.StartsAt) || !m.EndsAt.Equal(f.EndsAt)
		placeChanged := m.Place != f.Place
		if !timeChanged && !placeChanged {
			return fmt.Errorf("meeting: correct %d: unchanged: %w", id, apperr.ErrInvalid)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET starts_at = $2, ends_at = $3, place = $4, version = version + 1 WHERE id = $1`,
			id, f.StartsAt, f.EndsAt, f.Place); err != nil {
			return fmt.Errorf("meeting: correct %d: %w", id, err)
		}
		if timeChanged {
			if err := s.recordFix(ctx, tx, id, FixTime, nil, FixValue{StartsAt: m.StartsAt, EndsAt: m.EndsAt},
				FixValue{StartsAt: f.StartsAt, EndsAt: f.EndsAt}, f.Why); err != nil {
				return err
			}
			m.StartsAt, m.EndsAt = f.StartsAt, f.EndsAt
			if err := s.redue(ctx, tx, m, f.Why); err != nil {
				return err
			}
		}
		if placeChanged {
			before, after := m.Place, f.Place
			if err := s.recordFix(ctx, tx, id, FixPlace, nil, FixValue{Place: &before}, FixValue{Place: &after}, f.Why); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.correct_details", Entity: "meeting", EntityID: id,
			Before: map[string]any{"starts_at": m.StartsAt, "ends_at": m.EndsAt, "place": m.Place},
			After:  map[string]any{"starts_at": f.StartsAt, "ends_at": f.EndsAt, "place": f.Place, "why": f.Why}})
	})
}

// redue brings a submitted meeting's attendance list in line with who was
// due on its corrected day, each change an entry of the trail with the
// time correction's reason: a member due that day with no row is added as
// absent (the secretary corrects it if they came); a member no longer due
// whose row is an absence or a leave is taken off the list, so that a day
// they were not due at does not count against them; a member present stays
// (they came). The credits follow the corrected day either way.
func (s *Store) redue(ctx context.Context, tx pgx.Tx, m Meeting, why string) error {
	due, err := Due(ctx, tx, m)
	if err != nil {
		return err
	}
	rows, err := db.Rows[Attendance](ctx, tx, attendanceSQL, m.ID)
	if err != nil {
		return fmt.Errorf("meeting: attendance of %d: %w", m.ID, err)
	}
	isDue := make(map[int64]bool, len(due))
	for _, d := range due {
		isDue[d.ID] = true
	}
	listed := make(map[int64]bool, len(rows))
	kept := rows[:0]
	for _, a := range rows {
		listed[a.MemberID] = true
		if isDue[a.MemberID] || a.Status == Present || a.Status == Observer {
			kept = append(kept, a)
			continue
		}
		if err := s.recordFix(ctx, tx, m.ID, FixAttendance, &a.MemberID, FixValue{Status: a.Status, Reason: a.Reason}, FixValue{}, why); err != nil {
			return err
		}
	}
	for _, d := range due {
		if listed[d.ID] {
			continue
		}
		kept = append(kept, Attendance{MemberID: d.ID, Name: d.Name, Status: Absent})
		if err := s.recordFix(ctx, tx, m.ID, FixAttendance, &d.ID, FixValue{}, FixValue{Status: Absent}, why); err != nil {
			return err
		}
	}
	return writeAttendance(ctx, tx, m.ID, kept)
}

const fixesSQL = `
SELECT c.id, c.field, coalesce(mb.name, '') AS member_name, c.before, c.after, c.reason,
       coalesce(NULLIF(a.display_name, ''), a.username, '') AS changed_by, c.changed_at
  FROM meeting_corrections c
  LEFT JOIN members mb ON mb.id = c.member_id
  LEFT JOIN accounts a ON a.id = c.changed_by
 WHERE c.meeting_id = $1 ORDER BY c.id DESC`

// Fixes lists a meeting's corrections of attendance, time and place,
// newest first.
func (s *Store) Fixes(ctx context.Context, id int64) ([]Fix, error) {
	out, err := db.Rows[Fix](ctx, s.pool, fixesSQL, id)
	if err != nil {
		return nil, fmt.Errorf("meeting: corrections of %d: %w", id, err)
	}
	return out, nil
}

// IsInvalid reports whether err is input the store refused.
func IsInvalid(err error) bool { return errors.Is(err, apperr.ErrInvalid) }
