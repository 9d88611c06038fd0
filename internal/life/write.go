package life

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// StepInput is one preparation step to record.
type StepInput struct {
	Kind     string
	DoneOn   time.Time
	Evidence string
}

// AddStep records a preparation step.
func AddStep(ctx context.Context, tx pgx.Tx, lifeID int64, in StepInput) error {
	if err := touch(ctx, tx, lifeID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO life_steps (life_id, kind, done_on, evidence) VALUES ($1, $2, $3, $4) RETURNING id`,
		lifeID, in.Kind, in.DoneOn, in.Evidence).Scan(&id); err != nil {
		return fmt.Errorf("life: add step to %d: %w", lifeID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.step.add", Entity: "life_step", EntityID: id, After: in})
}

// OpinionInput is one solicited opinion to record.
type OpinionInput struct {
	SourceType string
	Content    string
	ReceivedOn time.Time
}

// AddOpinion records an opinion solicited before the meeting.
func AddOpinion(ctx context.Context, tx pgx.Tx, lifeID int64, in OpinionInput) error {
	if err := touch(ctx, tx, lifeID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO life_opinions (life_id, source_type, content, received_on) VALUES ($1, $2, $3, $4) RETURNING id`,
		lifeID, in.SourceType, in.Content, in.ReceivedOn).Scan(&id); err != nil {
		return fmt.Errorf("life: add opinion to %d: %w", lifeID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.opinion.add", Entity: "life_opinion", EntityID: id, After: in})
}

// ParticipantInput is a participant's self-examination and self-criticism.
type ParticipantInput struct {
	MemberID      int64
	SelfExamOn    *time.Time
	SelfCriticism string
}

// SaveParticipant records a participant's self-examination material date
// and self-criticism at the version the user loaded; ErrConflict when it
// changed meanwhile.
func SaveParticipant(ctx context.Context, tx pgx.Tx, lifeID int64, version int, in ParticipantInput) error {
	if err := touch(ctx, tx, lifeID); err != nil {
		return err
	}
	var before ParticipantInput
	err := tx.QueryRow(ctx, `SELECT member_id, self_exam_on, self_criticism FROM life_participants WHERE life_id = $1 AND member_id = $2`,
		lifeID, in.MemberID).Scan(&before.MemberID, &before.SelfExamOn, &before.SelfCriticism)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("life: participant %d of %d: %w", in.MemberID, lifeID, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("life: participant %d of %d: %w", in.MemberID, lifeID, err)
	}
	tag, err := tx.Exec(ctx, `UPDATE life_participants SET self_exam_on = $3, self_criticism = $4, version = version + 1
 WHERE life_id = $1 AND member_id = $2 AND version = $5`, lifeID, in.MemberID, in.SelfExamOn, in.SelfCriticism, version)
	if err != nil {
		return fmt.Errorf("life: save participant %d of %d: %w", in.MemberID, lifeID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("life: participant %d of %d at version %d: %w", in.MemberID, lifeID, version, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.participant.update", Entity: "life_meeting", EntityID: lifeID, Before: before, After: in})
}

// HoldInput is the meeting itself: when and where, and who attended.
// MeetingVersion is the version of the meetings row the user loaded (0
// when the meeting was not yet recorded).
type HoldInput struct {
	MeetingVersion int
	StartsAt       time.Time
	Hours          float64
	Place          string
	Attendance     map[int64]AttendanceInput
}

// AttendanceInput is one participant's attendance.
type AttendanceInput struct {
	Status string
	Reason string
}

// Hold records the meeting (a meetings row of the life meeting's kind) and
// its attendance, and marks the life meeting held.
func Hold(ctx context.Context, tx pgx.Tx, l Life, in HoldInput) error {
	if err := touch(ctx, tx, l.ID); err != nil {
		return err
	}
	ends := in.StartsAt.Add(time.Duration(in.Hours * float64(time.Hour)))
	topic := l.Theme
	if len([]rune(topic)) > 200 {
		topic = string([]rune(topic)[:200])
	}
	var meetingID int64
	var current *int64
	if err := tx.QueryRow(ctx, `SELECT meeting_id FROM life_meetings WHERE id = $1 FOR UPDATE`, l.ID).Scan(&current); err != nil {
		return fmt.Errorf("life: lock %d: %w", l.ID, err)
	}
	if (current == nil) != (in.MeetingVersion == 0) {
		return fmt.Errorf("life: meeting of %d recorded meanwhile: %w", l.ID, apperr.ErrConflict)
	}
	if current != nil {
		meetingID = *current
	}
	meetingID, err := meeting.RecordHeld(ctx, tx, meetingID, in.MeetingVersion, meeting.Held{
		OrgID: l.OrgID, Kind: l.Kind, Topic: topic, StartsAt: in.StartsAt, EndsAt: ends, Place: in.Place,
	}, audit.ActorOf(ctx).ID)
	if err != nil {
		return fmt.Errorf("life: meeting of %d: %w", l.ID, err)
	}
	if err := syncGroupParticipants(ctx, tx, l, in.StartsAt.In(i18n.Shanghai)); err != nil {
		return err
	}
	var keep map[int64]bool // a group's list for the meeting day
	if l.GroupID != nil {
		rows, err := tx.Query(ctx, `SELECT member_id FROM life_participants WHERE life_id = $1`, l.ID)
		if err != nil {
			return fmt.Errorf("life: participants of %d: %w", l.ID, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("life: participants of %d: %w", l.ID, err)
		}
		keep = make(map[int64]bool, len(ids))
		for _, id := range ids {
			keep[id] = true
		}
	}
	marks := make(map[int64]meeting.Mark, len(in.Attendance))
	for memberID, a := range in.Attendance {
		if keep != nil && !keep[memberID] {
			continue
		}
		marks[memberID] = meeting.Mark{Status: a.Status, Reason: a.Reason}
	}
	if err := meeting.MarkAttendance(ctx, tx, meetingID, marks); err != nil {
		return fmt.Errorf("life: attendance at %d: %w", l.ID, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE life_meetings SET meeting_id = $2, status = 'held' WHERE id = $1`, l.ID, meetingID); err != nil {
		return fmt.Errorf("life: hold %d: %w", l.ID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.hold", Entity: "life_meeting", EntityID: l.ID, After: in})
}

// CriticismInput is a criticism given by one participant to another.
type CriticismInput struct {
	FromID  int64
	ToID    int64
	Content string
}

// AddCriticism records a criticism.
func AddCriticism(ctx context.Context, tx pgx.Tx, lifeID int64, in CriticismInput) error {
	if err := touch(ctx, tx, lifeID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO criticisms (life_id, from_id, to_id, content) VALUES ($1, $2, $3, $4) RETURNING id`,
		lifeID, in.FromID, in.ToID, in.Content).Scan(&id); err != nil {
		return fmt.Errorf("life: add criticism to %d: %w", lifeID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.criticism.add", Entity: "criticism", EntityID: id, After: in})
}

// ItemInput is a new rectification item.
type ItemInput struct {
	Problem  string
	Measure  string
	OwnerID  int64
	Deadline time.Time
}

// AddItem puts an item on the rectification list.
func AddItem(ctx context.Context, tx pgx.Tx, l Life, in ItemInput) error {
	if err := touch(ctx, tx, l.ID); err != nil {
		return err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO rectification_items (org_id, life_id, problem, measure, owner_id, deadline) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		l.OrgID, l.ID, in.Problem, in.Measure, in.OwnerID, in.Deadline).Scan(&id); err != nil {
		return fmt.Errorf("life: add item to %d: %w", l.ID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "rectification.add", Entity: "rectification_item", EntityID: id, After: in})
}

// AddOrgItem puts an item on an organisation's rectification list that
// no life meeting raised (an inspection's rectification notice, issued by
// internal/inspect in its own transaction), with no owner named yet, and
// returns its id.
func AddOrgItem(ctx context.Context, tx pgx.Tx, orgID int64, problem, measure string, deadline time.Time) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO rectification_items (org_id, problem, measure, deadline) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, problem, measure, deadline).Scan(&id); err != nil {
		return 0, fmt.Errorf("life: add item to org %d: %w", orgID, err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "rectification.add", Entity: "rectification_item", EntityID: id,
		After: map[string]any{"org_id": orgID, "problem": problem, "measure": measure, "deadline": deadline}})
}

// Submit reports the record to the committee and locks it; version is the
// version the user reviewed on the confirmation page.
func Submit(ctx context.Context, tx pgx.Tx, lifeID int64, version int) error {
	var meetingID *int64
	err := tx.QueryRow(ctx, `UPDATE life_meetings SET status = 'submitted', submitted_at = now(), version = version + 1
 WHERE id = $1 AND version = $2 AND status = 'held' RETURNING meeting_id`, lifeID, version).Scan(&meetingID)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("life: submit %d at version %d: %w", lifeID, version, apperr.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("life: submit %d: %w", lifeID, err)
	}
	if meetingID != nil {
		if err := meeting.SubmitHeld(ctx, tx, *meetingID); err != nil {
			return fmt.Errorf("life: submit meeting of %d: %w", lifeID, err)
		}
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.submit", Entity: "life_meeting", EntityID: lifeID, After: map[string]any{"status": StatusSubmitted}})
}

// ItemUpdate is the progress of a rectification item.
type ItemUpdate struct {
	Status   string
	DoneOn   *time.Time
	Evidence string
}

// UpdateItem records progress on a rectification item; it stays editable
// after the life meeting is submitted. A stale version is ErrConflict.
func UpdateItem(ctx context.Context, tx pgx.Tx, it Item, version int, in ItemUpdate) error {
	tag, err := tx.Exec(ctx, `UPDATE rectification_items SET status = $3, done_on = $4, evidence = $5, version = version + 1
 WHERE id = $1 AND version = $2`, it.ID, version, in.Status, in.DoneOn, in.Evidence)
	if err != nil {
		return fmt.Errorf("life: update item %d: %w", it.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("life: update item %d at version %d: %w", it.ID, version, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "rectification.update", Entity: "rectification_item", EntityID: it.ID,
		Before: ItemUpdate{Status: it.Status, DoneOn: it.DoneOn, Evidence: it.Evidence}, After: in})
}

func auditCreate(ctx context.Context, tx pgx.Tx, id int64, in NewLife) error {
	return audit.Record(ctx, tx, audit.Event{Action: "life.create", Entity: "life_meeting", EntityID: id, After: in})
}

// AddParticipant adds a member to the participants.
func AddParticipant(ctx context.Context, tx pgx.Tx, lifeID, memberID int64) error {
	if err := touch(ctx, tx, lifeID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, lifeID, memberID); err != nil {
		return fmt.Errorf("life: add participant %d to %d: %w", memberID, lifeID, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.participant.add", Entity: "life_meeting", EntityID: lifeID, After: map[string]int64{"member_id": memberID}})
}

// ErrInUse: a participant who gave or received criticism or owns an item
// cannot be removed.
var ErrInUse = fmt.Errorf("life: participant has records: %w", apperr.ErrInvalid)

// RemoveParticipant takes a member off the participants, with their
// attendance; ErrInUse when criticisms or items name them.
func RemoveParticipant(ctx context.Context, tx pgx.Tx, l Life, memberID int64) error {
	if err := touch(ctx, tx, l.ID); err != nil {
		return err
	}
	var used bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM criticisms WHERE life_id = $1 AND $2 IN (from_id, to_id))
    OR EXISTS (SELECT 1 FROM rectification_items WHERE life_id = $1 AND owner_id = $2)`, l.ID, memberID).Scan(&used); err != nil {
		return fmt.Errorf("life: participant %d in use: %w", memberID, err)
	}
	if used {
		return ErrInUse
	}
	var before ParticipantInput
	err := tx.QueryRow(ctx, `DELETE FROM life_participants WHERE life_id = $1 AND member_id = $2 RETURNING member_id, self_exam_on, self_criticism`,
		l.ID, memberID).Scan(&before.MemberID, &before.SelfExamOn, &before.SelfCriticism)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("life: participant %d of %d: %w", memberID, l.ID, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("life: remove participant %d of %d: %w", memberID, l.ID, err)
	}
	if l.MeetingID != nil {
		if err := meeting.RemoveAttendee(ctx, tx, *l.MeetingID, memberID); err != nil {
			return fmt.Errorf("life: remove attendance of %d: %w", memberID, err)
		}
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.participant.remove", Entity: "life_meeting", EntityID: l.ID, Before: before})
}

// UpdateTheme changes the theme at the version the user loaded;
// ErrConflict when the record changed meanwhile, ErrForbidden once submitted.
func UpdateTheme(ctx context.Context, tx pgx.Tx, l Life, version int, theme string) error {
	tag, err := tx.Exec(ctx, `UPDATE life_meetings SET theme = $3, version = version + 1 WHERE id = $1 AND version = $2 AND status <> 'submitted'`, l.ID, version, theme)
	if err != nil {
		return fmt.Errorf("life: theme of %d: %w", l.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("life: theme of %d at %d: %w", l.ID, version, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "life.update", Entity: "life_meeting", EntityID: l.ID, Before: map[string]string{"theme": l.Theme}, After: map[string]string{"theme": theme}})
}
