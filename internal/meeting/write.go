package meeting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/formtoken"
)

// ErrLocked: the meeting was submitted and its record is locked; only a
// correction with a reason may change the minutes.
var ErrLocked = fmt.Errorf("meeting: record locked: %w", apperr.ErrConflict)

// ErrNotHeld: attendance belongs to a meeting that has taken place, not to
// a planned one.
var ErrNotHeld = fmt.Errorf("meeting: not held yet: %w", apperr.ErrConflict)

// Input is a validated meeting form.
type Input struct {
	OrgID      int64
	Kind       string
	Topic      string
	StartsAt   time.Time
	EndsAt     time.Time
	Place      string
	HostID     *int64
	RecorderID *int64
	Lecturer   string
	Agenda     string
	Minutes    string
	Decisions  string
	StudyForm  *string
	StudyHours float64
	Status     string // planned or draft
	FormToken  string // the create form's one-time token (formtoken)
}

// Attendance is one person's attendance at a meeting.
type Attendance struct {
	MemberID int64
	Name     string
	Status   string
	Reason   string
	Hours    float64
}

// auditView is what the audit trail keeps of a meeting.
type auditView struct {
	OrgID      int64     `json:"org_id"`
	Kind       string    `json:"kind"`
	Topic      string    `json:"topic"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
	Place      string    `json:"place"`
	Status     string    `json:"status"`
	StudyHours float64   `json:"study_hours"`
	Minutes    string    `json:"minutes"`
	Decisions  string    `json:"decisions"`
}

func viewOfInput(in Input) auditView {
	return auditView{in.OrgID, in.Kind, in.Topic, in.StartsAt, in.EndsAt, in.Place, in.Status, in.StudyHours, in.Minutes, in.Decisions}
}

func viewOfMeeting(m Meeting) auditView {
	return auditView{m.OrgID, m.Kind, m.Topic, m.StartsAt, m.EndsAt, m.Place, m.Status, m.StudyHours, m.Minutes, m.Decisions}
}

// isLate reports whether a meeting recorded now counts as a late entry.
func isLate(ctx context.Context, q db.Querier, now, endsAt time.Time) (bool, error) {
	days, err := LateEntryDays(ctx, q)
	if err != nil {
		return false, err
	}
	return now.After(endsAt.Add(time.Duration(days) * 24 * time.Hour)), nil
}

const insertMeetingSQL = `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, host_id, recorder_id, lecturer,
       agenda, minutes, decisions, study_form, study_hours, status, late_entry, entered_at, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, NULLIF($18, 0))
RETURNING id`

// Create records a new meeting. A held meeting (draft) starts with every
// member due marked present with the session's hours, and those hours are
// credited; a meeting entered too long after it ended is marked late.
func (s *Store) Create(ctx context.Context, in Input) (int64, error) {
	now := s.now()
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		earlier, done, err := formtoken.Claim(ctx, tx, in.FormToken, "meeting")
		if err != nil || done {
			id = earlier // the same form sent again: the meeting it created
			return err
		}
		late := false
		if in.Status == StatusDraft {
			var err error
			if late, err = isLate(ctx, tx, now, in.EndsAt); err != nil {
				return err
			}
		}
		err = tx.QueryRow(ctx, insertMeetingSQL, in.OrgID, in.Kind, in.Topic, in.StartsAt, in.EndsAt, in.Place,
			in.HostID, in.RecorderID, in.Lecturer, in.Agenda, in.Minutes, in.Decisions, in.StudyForm, in.StudyHours,
			in.Status, late, now, audit.ActorOf(ctx).ID).Scan(&id)
		if err != nil {
			return fmt.Errorf("meeting: create: %w", err)
		}
		if err := formtoken.Done(ctx, tx, in.FormToken, id); err != nil {
			return err
		}
		if in.Status == StatusDraft {
			if err := resetAttendance(ctx, tx, id); err != nil {
				return err
			}
		}
		after := viewOfInput(in)
		if err := audit.Record(ctx, tx, audit.Event{Action: "meeting.create", Entity: "meeting", EntityID: id, After: after}); err != nil {
			return err
		}
		if in.Status == StatusPlanned && s.onPlanned != nil {
			return s.onPlanned(ctx, tx, id)
		}
		return nil
	})
	return id, err
}

const updateMeetingSQL = `
UPDATE meetings SET org_id = $3, kind = $4, topic = $5, starts_at = $6, ends_at = $7, place = $8,
       host_id = $9, recorder_id = $10, lecturer = $11, agenda = $12, minutes = $13, decisions = $14,
       study_form = $15, study_hours = $16, status = $17, late_entry = $18, entered_at = $19,
       version = version + 1
 WHERE id = $1 AND version = $2`

// Update changes a meeting that is not yet submitted. A planned meeting
// becomes a held one (draft) with its attendance started; a change of
// organisation or kind starts the attendance afresh; a change of the
// session's hours moves everyone who had the old hours to the new ones.
func (s *Store) Update(ctx context.Context, id int64, version int, in Input) error {
	now := s.now()
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		old, err := getMeeting(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if old.Status == StatusSubmitted {
			return ErrLocked
		}
		if old.Version != version {
			return fmt.Errorf("meeting: update %d: %w", id, apperr.ErrConflict)
		}
		late, enteredAt := old.LateEntry, old.EnteredAt
		held := old.Status == StatusPlanned && in.Status == StatusDraft
		if held {
			enteredAt = now
			if late, err = isLate(ctx, tx, now, in.EndsAt); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, updateMeetingSQL, id, version, in.OrgID, in.Kind, in.Topic, in.StartsAt, in.EndsAt,
			in.Place, in.HostID, in.RecorderID, in.Lecturer, in.Agenda, in.Minutes, in.Decisions, in.StudyForm,
			in.StudyHours, in.Status, late, enteredAt)
		if err != nil {
			return fmt.Errorf("meeting: update %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("meeting: update %d: %w", id, apperr.ErrConflict)
		}
		switch {
		case in.Status != StatusDraft:
		case held || old.OrgID != in.OrgID || old.Kind != in.Kind:
			if err := resetAttendance(ctx, tx, id); err != nil {
				return err
			}
		default:
			if in.StudyHours != old.StudyHours {
				if _, err := tx.Exec(ctx, `UPDATE attendance SET hours = $3 WHERE meeting_id = $1 AND status = 'present' AND hours = $2`, id, old.StudyHours, in.StudyHours); err != nil {
					return fmt.Errorf("meeting: update hours of %d: %w", id, err)
				}
			}
			if err := syncCredits(ctx, tx, id); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.update", Entity: "meeting", EntityID: id, Before: viewOfMeeting(old), After: viewOfInput(in)})
	})
}

// dueSQL lists the members due at a meeting: full and probationary members
// in good standing admitted by the meeting day; for a committee meeting the
// members of the organisation's committee term current that day, otherwise
// the members of the organisation (a branch with its groups, or a group).
// The candidates are found by index (the organisation's subtree by path,
// then its members by branch or group) rather than by testing every member.
const dueSQL = `
WITH orgs AS MATERIALIZED (
    SELECT id FROM organisations WHERE $3 <> 'committee' AND path @> ARRAY[$1::bigint]),
candidates AS (
    SELECT id FROM members WHERE branch_id IN (SELECT id FROM orgs)
    UNION
    SELECT id FROM members WHERE group_id IN (SELECT id FROM orgs)
    UNION
    SELECT cp.member_id FROM committee_posts cp
     WHERE $3 = 'committee'
       AND cp.term_id = (SELECT t.id FROM terms_on($2::date) t WHERE t.org_id = $1))
SELECT m.id AS member_id, m.name FROM members m
 WHERE m.id IN (SELECT id FROM candidates)
   AND in_good_standing(m.category, m.party_status) AND m.admitted_on <= $2::date
 ORDER BY m.id`

// Due lists the members expected at the meeting.
func Due(ctx context.Context, q db.Querier, m Meeting) ([]Option, error) {
	rows, err := q.Query(ctx, dueSQL, m.OrgID, m.Day(), m.Kind)
	if err != nil {
		return nil, fmt.Errorf("meeting: due at %d: %w", m.ID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Option, error) {
		var o Option
		err := r.Scan(&o.ID, &o.Name)
		return o, err
	})
	if err != nil {
		return nil, fmt.Errorf("meeting: due at %d: %w", m.ID, err)
	}
	return out, nil
}

// resetAttendance marks every member due present with the session's hours
// and credits them.
func resetAttendance(ctx context.Context, tx pgx.Tx, id int64) error {
	m, err := getMeeting(ctx, tx, id, false)
	if err != nil {
		return err
	}
	due, err := Due(ctx, tx, m)
	if err != nil {
		return err
	}
	// Rows written before the meeting was recorded stand: approved leave
	// (an excused absence) and sign-ins at the door. When anyone signed
	// in, those due who did not start as absent; otherwise as present.
	saved, err := db.Rows[Attendance](ctx, tx, `SELECT a.member_id, '' AS name, a.status, a.reason, a.hours::float8 AS hours
  FROM attendance a WHERE a.meeting_id = $1`, id)
	if err != nil {
		return fmt.Errorf("meeting: attendance of %d: %w", id, err)
	}
	before := map[int64]Attendance{}
	signedIn := false
	for _, a := range saved {
		before[a.MemberID] = a
		signedIn = signedIn || a.Status == Present
	}
	rows := make([]Attendance, len(due))
	for i, d := range due {
		rows[i] = Attendance{MemberID: d.ID, Name: d.Name, Status: Present, Hours: m.StudyHours}
		if a, ok := before[d.ID]; ok && a.Status == Leave {
			rows[i].Status, rows[i].Reason, rows[i].Hours = Leave, a.Reason, 0
		} else if !ok && signedIn {
			rows[i].Status, rows[i].Hours = Absent, 0
		}
	}
	return writeAttendance(ctx, tx, id, rows)
}

const savedAttendanceSQL = `SELECT member_id, status, reason, hours::float8 FROM attendance WHERE meeting_id = $1`

const deleteAttendanceSQL = `DELETE FROM attendance WHERE meeting_id = $1 AND member_id = ANY ($2::bigint[])`

const upsertAttendanceSQL = `
INSERT INTO attendance (meeting_id, member_id, status, reason, hours)
SELECT $1, u.member_id, u.status, u.reason, u.hours
  FROM unnest($2::bigint[], $3::text[], $4::text[], $5::numeric[]) AS u(member_id, status, reason, hours)
ON CONFLICT (meeting_id, member_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, hours = EXCLUDED.hours`

// savedRow is what an attendance row holds, to compare with a new one.
type savedRow struct {
	Status string
	Reason string
	Hours  float64
}

// writeAttendance makes the meeting's attendance the given rows and its
// credits follow. It writes only the rows that differ from what is saved
// (removed, added or changed), so the rollups refresh only the members
// whose attendance changed and a save of an unchanged table writes nothing.
// The caller holds the meeting's row lock.
func writeAttendance(ctx context.Context, tx pgx.Tx, id int64, rows []Attendance) error {
	cur, err := tx.Query(ctx, savedAttendanceSQL, id)
	if err != nil {
		return fmt.Errorf("meeting: attendance of %d: %w", id, err)
	}
	saved := map[int64]savedRow{}
	var mid int64
	var r savedRow
	if _, err := pgx.ForEachRow(cur, []any{&mid, &r.Status, &r.Reason, &r.Hours}, func() error {
		saved[mid] = r
		return nil
	}); err != nil {
		return fmt.Errorf("meeting: attendance of %d: %w", id, err)
	}
	var members []int64
	var statuses, reasons []string
	var hours []float64
	for _, a := range rows {
		h := a.Hours
		if a.Status != Present {
			h = 0
		}
		want := savedRow{Status: a.Status, Reason: a.Reason, Hours: h}
		old, ok := saved[a.MemberID]
		delete(saved, a.MemberID)
		if ok && old == want {
			continue
		}
		members = append(members, a.MemberID)
		statuses, reasons, hours = append(statuses, want.Status), append(reasons, want.Reason), append(hours, want.Hours)
	}
	if len(saved) > 0 {
		gone := make([]int64, 0, len(saved))
		for m := range saved {
			gone = append(gone, m)
		}
		if _, err := tx.Exec(ctx, deleteAttendanceSQL, id, gone); err != nil {
			return fmt.Errorf("meeting: remove attendance of %d: %w", id, err)
		}
	}
	if len(members) > 0 {
		if _, err := tx.Exec(ctx, upsertAttendanceSQL, id, members, statuses, reasons, hours); err != nil {
			return fmt.Errorf("meeting: write attendance of %d: %w", id, err)
		}
	}
	return syncCredits(ctx, tx, id)
}

const deleteStaleCreditsSQL = `
DELETE FROM study_credits c
 WHERE c.meeting_id = $1
   AND NOT EXISTS (SELECT 1 FROM attendance a
                    WHERE a.meeting_id = c.meeting_id AND a.member_id = c.member_id
                      AND a.status = 'present' AND a.hours > 0)`

const upsertCreditsSQL = `
INSERT INTO study_credits (member_id, meeting_id, hours, kind, earned_on, created_by)
SELECT a.member_id, a.meeting_id, a.hours, 'meeting', (m.starts_at AT TIME ZONE 'Asia/Shanghai')::date, NULLIF($2, 0)
  FROM attendance a JOIN meetings m ON m.id = a.meeting_id
 WHERE a.meeting_id = $1 AND a.status = 'present' AND a.hours > 0
ON CONFLICT (member_id, meeting_id) DO UPDATE SET hours = EXCLUDED.hours, earned_on = EXCLUDED.earned_on
 WHERE (study_credits.hours, study_credits.earned_on) IS DISTINCT FROM (EXCLUDED.hours, EXCLUDED.earned_on)`

// syncCredits makes the meeting's study credits match its attendance: one
// credit per person present with hours, on the meeting's day.
func syncCredits(ctx context.Context, tx pgx.Tx, id int64) error {
	if _, err := tx.Exec(ctx, deleteStaleCreditsSQL, id); err != nil {
		return fmt.Errorf("meeting: drop credits of %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, upsertCreditsSQL, id, audit.ActorOf(ctx).ID); err != nil {
		return fmt.Errorf("meeting: credit %d: %w", id, err)
	}
	return nil
}

const attendanceSQL = `
SELECT a.member_id, m.name, a.status, a.reason, a.hours::float8 AS hours
  FROM attendance a JOIN members m ON m.id = a.member_id
 WHERE a.meeting_id = $1
 ORDER BY a.status = 'observer', a.member_id`

// AttendanceOf returns the meeting's saved attendance, observers last.
func (s *Store) AttendanceOf(ctx context.Context, id int64) ([]Attendance, error) {
	out, err := db.Rows[Attendance](ctx, s.pool, attendanceSQL, id)
	if err != nil {
		return nil, fmt.Errorf("meeting: attendance of %d: %w", id, err)
	}
	return out, nil
}

// DueOf lists the members due at the meeting.
func (s *Store) DueOf(ctx context.Context, m Meeting) ([]Option, error) {
	return Due(ctx, s.pool, m)
}

// SaveAttendance replaces the attendance of a held meeting and its credits.
func (s *Store) SaveAttendance(ctx context.Context, id int64, version int, rows []Attendance) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := lockHeld(ctx, tx, id, version, "attendance of"); err != nil {
			return err
		}
		if err := writeAttendance(ctx, tx, id, rows); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET version = version + 1 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("meeting: attendance of %d: %w", id, err)
		}
		st := StatsOf(rows)
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.attendance", Entity: "meeting", EntityID: id, After: st})
	})
}

// lockHeld locks a held meeting for a change at the version the user
// loaded: ErrLocked once submitted, ErrNotHeld while planned, a conflict
// when the version moved on; what names the change in the error.
func lockHeld(ctx context.Context, tx pgx.Tx, id int64, version int, what string) (Meeting, error) {
	m, err := getMeeting(ctx, tx, id, true)
	if err != nil {
		return m, err
	}
	switch {
	case m.Status == StatusSubmitted:
		return m, ErrLocked
	case m.Status == StatusPlanned:
		return m, ErrNotHeld
	case m.Version != version:
		return m, fmt.Errorf("meeting: %s %d: %w", what, id, apperr.ErrConflict)
	}
	return m, nil
}

// Submit locks a held meeting's record.
func (s *Store) Submit(ctx context.Context, id int64, version int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := lockHeld(ctx, tx, id, version, "submit")
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET status = 'submitted', submitted_at = $2, version = version + 1 WHERE id = $1`, id, s.now()); err != nil {
			return fmt.Errorf("meeting: submit %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.submit", Entity: "meeting", EntityID: id, Before: map[string]string{"status": m.Status}, After: map[string]string{"status": StatusSubmitted}})
	})
}

// Correction is a change to a submitted meeting's minutes and decisions.
type Correction struct {
	Minutes   string
	Decisions string
	Reason    string
}

// Correct changes a submitted meeting's minutes and decisions, keeping the
// earlier text, who changed it, when and why as a revision.
func (s *Store) Correct(ctx context.Context, id int64, version int, c Correction) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := getMeeting(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if m.Status != StatusSubmitted {
			return fmt.Errorf("meeting: correct %d: not submitted: %w", id, apperr.ErrConflict)
		}
		if m.Version != version {
			return fmt.Errorf("meeting: correct %d: %w", id, apperr.ErrConflict)
		}
		_, err = tx.Exec(ctx, `
INSERT INTO meeting_revisions (meeting_id, n, minutes, decisions, changed_by, changed_at, reason)
SELECT $1, coalesce(max(n), 0) + 1, $2, $3, NULLIF($4, 0), $5, $6 FROM meeting_revisions WHERE meeting_id = $1`,
			id, m.Minutes, m.Decisions, audit.ActorOf(ctx).ID, s.now(), c.Reason)
		if err != nil {
			return fmt.Errorf("meeting: revision of %d: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE meetings SET minutes = $2, decisions = $3, version = version + 1 WHERE id = $1`, id, c.Minutes, c.Decisions); err != nil {
			return fmt.Errorf("meeting: correct %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.correct", Entity: "meeting", EntityID: id,
			Before: map[string]string{"minutes": m.Minutes, "decisions": m.Decisions},
			After:  map[string]string{"minutes": c.Minutes, "decisions": c.Decisions, "reason": c.Reason}})
	})
}

// Revision is an earlier text of a submitted meeting's minutes.
type Revision struct {
	N         int
	Minutes   string
	Decisions string
	ChangedBy string
	ChangedAt time.Time
	Reason    string
}

const revisionsSQL = `
SELECT r.n, r.minutes, r.decisions, coalesce(NULLIF(a.display_name, ''), a.username, '') AS changed_by, r.changed_at, r.reason
  FROM meeting_revisions r LEFT JOIN accounts a ON a.id = r.changed_by
 WHERE r.meeting_id = $1 ORDER BY r.n DESC`

// Revisions lists a meeting's earlier texts, newest first.
func (s *Store) Revisions(ctx context.Context, id int64) ([]Revision, error) {
	out, err := db.Rows[Revision](ctx, s.pool, revisionsSQL, id)
	if err != nil {
		return nil, fmt.Errorf("meeting: revisions of %d: %w", id, err)
	}
	return out, nil
}

// IsConflict reports whether err is a stale edit.
func IsConflict(err error) bool { return errors.Is(err, apperr.ErrConflict) }
