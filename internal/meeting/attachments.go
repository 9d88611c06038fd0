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
	"zhibu/internal/upload"
)

// MaxAttachmentBytes caps one attachment (sign-in sheet photo, PDF).
const MaxAttachmentBytes = upload.MaxBytes

// AttachmentTypes are the content types accepted, as sniffed from the
// file's first bytes, never from its name.
var AttachmentTypes = upload.Documents

// Attachment errors, shown beside the upload field.
var (
	ErrTooLarge = upload.ErrTooLarge
	ErrBadType  = upload.ErrBadType
	ErrEmpty    = upload.ErrMissing
)

// SniffType returns the content type of data when it is one of
// AttachmentTypes, checking the size as well.
func SniffType(data []byte) (string, error) {
	return upload.Sniff(data, AttachmentTypes)
}

// Attachment kinds: any file while the record is open; the signed
// attendance sheet, which may also be attached after submission.
const (
	KindFile        = "file"
	KindSignedSheet = "signed_sheet"
)

// AttachmentInfo describes a stored attachment without its bytes.
type AttachmentInfo struct {
	ID          int64
	Kind        string
	Filename    string
	ContentType string
	SizeBytes   int
	UploadedAt  time.Time
}

// AddAttachment stores a checked file with the meeting. Once the record is
// locked only the signed attendance sheet may be added (audited as such).
func (s *Store) AddAttachment(ctx context.Context, meetingID int64, kind, filename string, data []byte) (int64, error) {
	ct, err := SniffType(data)
	if err != nil {
		return 0, err
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := getMeeting(ctx, tx, meetingID, true)
		if err != nil {
			return err
		}
		if m.Status == StatusSubmitted && kind != KindSignedSheet {
			return ErrLocked
		}
		err = tx.QueryRow(ctx, `
INSERT INTO meeting_attachments (meeting_id, kind, filename, content_type, size_bytes, data, uploaded_by, uploaded_at)
VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, 0), $8) RETURNING id`,
			meetingID, kind, filename, ct, len(data), data, audit.ActorOf(ctx).ID, s.now()).Scan(&id)
		if err != nil {
			return fmt.Errorf("meeting: attach to %d: %w", meetingID, err)
		}
		action := "meeting.attach"
		if m.Status == StatusSubmitted {
			action = "meeting.attach_after_submit"
		}
		return audit.Record(ctx, tx, audit.Event{Action: action, Entity: "meeting_attachment", EntityID: id,
			After: map[string]any{"meeting_id": meetingID, "kind": kind, "filename": filename, "content_type": ct, "size_bytes": len(data)}})
	})
	return id, err
}

// Attachments lists a meeting's attachments.
const attachmentsSQL = `
SELECT id, kind, filename, content_type, size_bytes, uploaded_at FROM meeting_attachments
 WHERE meeting_id = $1 ORDER BY id`

func (s *Store) Attachments(ctx context.Context, meetingID int64) ([]AttachmentInfo, error) {
	out, err := db.Rows[AttachmentInfo](ctx, s.pool, attachmentsSQL, meetingID)
	if err != nil {
		return nil, fmt.Errorf("meeting: attachments of %d: %w", meetingID, err)
	}
	return out, nil
}

// Attachment returns one attachment of a meeting with its bytes.
func (s *Store) Attachment(ctx context.Context, meetingID, id int64) (AttachmentInfo, []byte, error) {
	var a AttachmentInfo
	var data []byte
	err := s.pool.QueryRow(ctx, `
SELECT id, kind, filename, content_type, size_bytes, uploaded_at, data FROM meeting_attachments
 WHERE meeting_id = $1 AND id = $2`, meetingID, id).Scan(&a.ID, &a.Kind, &a.Filename, &a.ContentType, &a.SizeBytes, &a.UploadedAt, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil, fmt.Errorf("meeting: attachment %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return a, nil, fmt.Errorf("meeting: attachment %d: %w", id, err)
	}
	return a, data, nil
}

// DeleteAttachment removes an attachment of a meeting not yet submitted.
func (s *Store) DeleteAttachment(ctx context.Context, meetingID, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := getMeeting(ctx, tx, meetingID, true)
		if err != nil {
			return err
		}
		if m.Status == StatusSubmitted {
			return ErrLocked
		}
		var filename string
		err = tx.QueryRow(ctx, `DELETE FROM meeting_attachments WHERE meeting_id = $1 AND id = $2 RETURNING filename`, meetingID, id).Scan(&filename)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("meeting: attachment %d: %w", id, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("meeting: delete attachment %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "meeting.detach", Entity: "meeting_attachment", EntityID: id,
			Before: map[string]any{"meeting_id": meetingID, "filename": filename}})
	})
}
