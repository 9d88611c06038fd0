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
)

// Request statuses of leave and credit requests.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestRefused  = "refused"
)

// RequestKinds are the kinds of study a member may claim credit for.
var RequestKinds = []string{"online", "training", "lecture", "self"}

// LeaveRequest is a member's request to be excused from a planned meeting.
type LeaveRequest struct {
	ID          int64
	MeetingID   int64
	MemberID    int64
	MemberName  string
	Topic       string
	OrgName     string
	OrgPath     []int64
	StartsAt    time.Time
	Reason      string
	Status      string
	RequestedAt time.Time
	DecidedAt   *time.Time
	Note        string
}

const leaveCols = `
SELECT l.id, l.meeting_id, l.member_id, mb.name AS member_name, mt.topic, o.name AS org_name, o.path AS org_path,
       mt.starts_at, l.reason, l.status, l.requested_at, l.decided_at, l.note
  FROM leave_requests l
  JOIN meetings mt ON mt.id = l.meeting_id
  JOIN organisations o ON o.id = mt.org_id
  JOIN members mb ON mb.id = l.member_id`

// dueMeetingSQL finds a planned meeting the member is due at (their
// branch's or group's; committee meetings only for committee members)
// with its organisation's path and start.
const dueMeetingSQL = `
SELECT mt.id, mt.topic, mt.starts_at, mt.ends_at, mt.status, o.path
  FROM meetings mt
  JOIN organisations o ON o.id = mt.org_id
  JOIN members me ON me.id = $2
 WHERE mt.id = $1
   AND mt.org_id IN (me.branch_id, me.group_id)
   AND (mt.kind <> 'committee' OR EXISTS (
        SELECT 1 FROM committee_posts p JOIN terms_on(current_date) t ON t.id = p.term_id
         WHERE p.member_id = me.id AND t.org_id = mt.org_id))`

// DueMeeting is a meeting as a member due at it sees it.
type DueMeeting struct {
	ID       int64
	Topic    string
	StartsAt time.Time
	EndsAt   time.Time
	Status   string
	OrgPath  []int64
}

// MeetingDueFor returns the meeting when the member is due at it;
// ErrNotFound otherwise (a member learns nothing of other branches).
func MeetingDueFor(ctx context.Context, q db.Querier, meetingID, memberID int64) (DueMeeting, error) {
	var m DueMeeting
	err := q.QueryRow(ctx, dueMeetingSQL, meetingID, memberID).Scan(&m.ID, &m.Topic, &m.StartsAt, &m.EndsAt, &m.Status, &m.OrgPath)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, fmt.Errorf("meeting: %d for member %d: %w", meetingID, memberID, apperr.ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("meeting: %d for member %d: %w", meetingID, memberID, err)
	}
	return m, nil
}

// LeaveOf returns the member's leave request for a meeting, nil when none.
func (s *Store) LeaveOf(ctx context.Context, meetingID, memberID int64) (*LeaveRequest, error) {
	rows, err := db.Rows[LeaveRequest](ctx, s.pool, leaveCols+` WHERE l.meeting_id = $1 AND l.member_id = $2`, meetingID, memberID)
	if err != nil {
		return nil, fmt.Errorf("meeting: leave of %d at %d: %w", memberID, meetingID, err)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	return &rows[0], nil
}

// ErrTooLate is returned when a leave request comes once the meeting has
// started (leave is asked for before a meeting).
var ErrTooLate = errors.New("meeting: the meeting has started")

// RequestLeave records a member's leave request for a planned meeting that
// has not started. A refused request may be asked again with a new reason;
// a pending or approved one stands (ErrConflict).
func (s *Store) RequestLeave(ctx context.Context, meetingID, memberID int64, reason string, now time.Time) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := MeetingDueFor(ctx, tx, meetingID, memberID)
		if err != nil {
			return err
		}
		if m.Status != StatusPlanned || !now.Before(m.StartsAt) {
			return ErrTooLate
		}
		err = tx.QueryRow(ctx, `
INSERT INTO leave_requests (meeting_id, member_id, reason) VALUES ($1, $2, $3)
ON CONFLICT (meeting_id, member_id) DO UPDATE
   SET reason = EXCLUDED.reason, status = 'pending', requested_at = now(), decided_at = NULL, decided_by = NULL, note = ''
 WHERE leave_requests.status = 'refused'
RETURNING id`, meetingID, memberID, reason).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("meeting: leave of %d at %d already asked: %w", memberID, meetingID, apperr.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("meeting: leave of %d at %d: %w", memberID, meetingID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "leave.request", Entity: "leave_request", EntityID: id,
			After: map[string]any{"meeting_id": meetingID, "member_id": memberID, "reason": reason}})
	})
	return id, err
}

// GetLeave loads one leave request with its meeting's organisation path.
func (s *Store) GetLeave(ctx context.Context, id int64) (LeaveRequest, error) {
	out, err := db.One[LeaveRequest](ctx, s.pool, leaveCols+` WHERE l.id = $1`, id)
	if err != nil {
		return LeaveRequest{}, fmt.Errorf("meeting: leave %d: %w", id, err)
	}
	return out, nil
}

// Decided is what a decision on a request tells the notifier: who asked,
// about what, and the outcome.
type Decided struct {
	MemberID int64
	Status   string
	Subject  string // the meeting's topic or the study's title
	Note     string
}

// OnDecided, when set, runs in the deciding transaction after a leave or
// credit request is decided (the notifier queues its message there, so
// the message goes out exactly when the decision commits).
type OnDecided func(ctx context.Context, tx pgx.Tx, kind string, d Decided) error

// DecideLeave approves or refuses a pending leave request. Approval marks
// the member on leave at the meeting with the request's reason: an
// excused absence in attendance. A request already decided is a conflict.
func (s *Store) DecideLeave(ctx context.Context, id int64, approve bool, note string, hook OnDecided) error {
	status := RequestRefused
	if approve {
		status = RequestApproved
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var meetingID, memberID int64
		var reason, topic string
		err := tx.QueryRow(ctx, `
UPDATE leave_requests l SET status = $2, decided_at = now(), decided_by = NULLIF($3, 0), note = $4
  FROM meetings mt
 WHERE l.id = $1 AND l.status = 'pending' AND mt.id = l.meeting_id
RETURNING l.meeting_id, l.member_id, l.reason, mt.topic`, id, status, audit.ActorOf(ctx).ID, note).Scan(&meetingID, &memberID, &reason, &topic)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("meeting: leave %d is not pending: %w", id, apperr.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("meeting: decide leave %d: %w", id, err)
		}
		if approve {
			if err := MarkAttendance(ctx, tx, meetingID, map[int64]Mark{memberID: {Status: Leave, Reason: reason}}); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, audit.Event{Action: "leave." + status, Entity: "leave_request", EntityID: id,
			After: map[string]any{"meeting_id": meetingID, "member_id": memberID, "note": note}}); err != nil {
			return err
		}
		if hook != nil {
			return hook(ctx, tx, "leave", Decided{MemberID: memberID, Status: status, Subject: topic, Note: note})
		}
		return nil
	})
}

// CreditRequest is a member's claim for study hours earned elsewhere.
type CreditRequest struct {
	ID            int64
	MemberID      int64
	MemberName    string
	BranchPath    []int64
	Title         string
	Kind          string
	Hours         float64
	EarnedOn      time.Time
	CertificateNo string
	FileName      *string
	Status        string
	RequestedAt   time.Time
	DecidedAt     *time.Time
	Note          string
}

const creditReqCols = `
SELECT c.id, c.member_id, mb.name AS member_name, o.path AS branch_path, c.title, c.kind, c.hours::float8 AS hours,
       c.earned_on, c.certificate_no, c.file_name, c.status, c.requested_at, c.decided_at, c.note
  FROM credit_requests c
  JOIN members mb ON mb.id = c.member_id
  JOIN organisations o ON o.id = mb.branch_id`

// CreditClaim is a validated credit request.
type CreditClaim struct {
	MemberID      int64
	Title         string
	Kind          string
	Hours         float64
	EarnedOn      time.Time
	CertificateNo string
	FileName      string `json:",omitempty"`
	FileType      string `json:",omitempty"`
	FileData      []byte `json:"-"`
}

// RequestCredit records a member's credit request for the secretary.
func (s *Store) RequestCredit(ctx context.Context, c CreditClaim) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name, ctype *string
		var data []byte
		if len(c.FileData) > 0 {
			name, ctype, data = &c.FileName, &c.FileType, c.FileData
		}
		err := tx.QueryRow(ctx, `
INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, certificate_no, file_name, file_type, file_data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.MemberID, c.Title, c.Kind, c.Hours, c.EarnedOn, c.CertificateNo, name, ctype, data).Scan(&id)
		if err != nil {
			return fmt.Errorf("meeting: credit request of %d: %w", c.MemberID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "credit_request.create", Entity: "credit_request", EntityID: id, After: c})
	})
	return id, err
}

// GetCreditRequest loads one credit request with the member's branch path.
func (s *Store) GetCreditRequest(ctx context.Context, id int64) (CreditRequest, error) {
	out, err := db.One[CreditRequest](ctx, s.pool, creditReqCols+` WHERE c.id = $1`, id)
	if err != nil {
		return CreditRequest{}, fmt.Errorf("meeting: credit request %d: %w", id, err)
	}
	return out, nil
}

// CreditFile returns a credit request's evidence file.
func (s *Store) CreditFile(ctx context.Context, id int64) (name, ctype string, data []byte, err error) {
	err = s.pool.QueryRow(ctx, `SELECT file_name, file_type, file_data FROM credit_requests WHERE id = $1 AND file_data IS NOT NULL`, id).Scan(&name, &ctype, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		err = fmt.Errorf("meeting: credit file %d: %w", id, apperr.ErrNotFound)
	}
	return name, ctype, data, err
}

// DecideCredit approves or refuses a pending credit request; approval
// adds the hours to the member's study credits.
func (s *Store) DecideCredit(ctx context.Context, id int64, approve bool, note string, hook OnDecided) error {
	status := RequestRefused
	if approve {
		status = RequestApproved
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var c CreditClaim
		err := tx.QueryRow(ctx, `
SELECT member_id, title, kind, hours::float8, earned_on, certificate_no FROM credit_requests
 WHERE id = $1 AND status = 'pending' FOR UPDATE`, id).Scan(&c.MemberID, &c.Title, &c.Kind, &c.Hours, &c.EarnedOn, &c.CertificateNo)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("meeting: credit request %d is not pending: %w", id, apperr.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("meeting: decide credit %d: %w", id, err)
		}
		var creditID *int64
		if approve {
			evidence := c.Title
			if c.CertificateNo != "" {
				evidence += " · " + c.CertificateNo
			}
			var cid int64
			if err := tx.QueryRow(ctx, `
INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence, created_by)
VALUES ($1, $2, $3, $4, left($5, 500), NULLIF($6, 0)) RETURNING id`,
				c.MemberID, c.Hours, c.Kind, c.EarnedOn, evidence, audit.ActorOf(ctx).ID).Scan(&cid); err != nil {
				return fmt.Errorf("meeting: credit of request %d: %w", id, err)
			}
			creditID = &cid
		}
		if _, err := tx.Exec(ctx, `
UPDATE credit_requests SET status = $2, decided_at = now(), decided_by = NULLIF($3, 0), note = $4, credit_id = $5 WHERE id = $1`,
			id, status, audit.ActorOf(ctx).ID, note, creditID); err != nil {
			return fmt.Errorf("meeting: decide credit %d: %w", id, err)
		}
		if err := audit.Record(ctx, tx, audit.Event{Action: "credit_request." + status, Entity: "credit_request", EntityID: id,
			After: map[string]any{"member_id": c.MemberID, "hours": c.Hours, "note": note}}); err != nil {
			return err
		}
		if hook != nil {
			return hook(ctx, tx, "credit", Decided{MemberID: c.MemberID, Status: status, Subject: c.Title, Note: note})
		}
		return nil
	})
}

// Requests lists the leave and credit requests of the organisations under
// roots: pending ones first, then the last decided.
func (s *Store) Requests(ctx context.Context, roots []int64) ([]LeaveRequest, []CreditRequest, error) {
	leaves, err := db.Rows[LeaveRequest](ctx, s.pool, leaveCols+`
 WHERE o.path && $1::bigint[] AND (l.status = 'pending' OR l.decided_at > now() - interval '30 days')
 ORDER BY l.status <> 'pending', mt.starts_at, l.id LIMIT 200`, roots)
	if err != nil {
		return nil, nil, fmt.Errorf("meeting: leave requests: %w", err)
	}
	credits, err := db.Rows[CreditRequest](ctx, s.pool, creditReqCols+`
 WHERE o.path && $1::bigint[] AND (c.status = 'pending' OR c.decided_at > now() - interval '30 days')
 ORDER BY c.status <> 'pending', c.requested_at, c.id LIMIT 200`, roots)
	if err != nil {
		return nil, nil, fmt.Errorf("meeting: credit requests: %w", err)
	}
	return leaves, credits, nil
}

// MemberRequests lists a member's own leave and credit requests.
func (s *Store) MemberRequests(ctx context.Context, memberID int64) ([]LeaveRequest, []CreditRequest, error) {
	leaves, err := db.Rows[LeaveRequest](ctx, s.pool, leaveCols+` WHERE l.member_id = $1 ORDER BY mt.starts_at DESC LIMIT 50`, memberID)
	if err != nil {
		return nil, nil, fmt.Errorf("meeting: leave of %d: %w", memberID, err)
	}
	credits, err := db.Rows[CreditRequest](ctx, s.pool, creditReqCols+` WHERE c.member_id = $1 ORDER BY c.requested_at DESC LIMIT 50`, memberID)
	if err != nil {
		return nil, nil, fmt.Errorf("meeting: credit requests of %d: %w", memberID, err)
	}
	return leaves, credits, nil
}
