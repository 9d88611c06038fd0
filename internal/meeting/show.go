package meeting

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
)

// ShowData is what a meeting's page shows: the meeting, its attendance,
// its revisions and its attachments.
type ShowData struct {
	M           Meeting
	Attendance  []Attendance
	Revisions   []Revision
	Attachments []AttachmentInfo
	Fixes       []Fix
}

// Show reads a meeting and everything its page shows in one round trip:
// the statements are pipelined in a batch. The caller checks the
// meeting's organisation before showing any of it.
func (s *Store) Show(ctx context.Context, id int64) (ShowData, error) {
	var d ShowData
	found := false
	b := &pgx.Batch{}
	b.Queue(selectMeetingSQL+` WHERE m.id = $1`, id).Query(func(rows pgx.Rows) error {
		m, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Meeting])
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		d.M, found = m, err == nil
		return err
	})
	queueRows(b, &d.Attendance, attendanceSQL, id)
	queueRows(b, &d.Revisions, revisionsSQL, id)
	queueRows(b, &d.Attachments, attachmentsSQL, id)
	queueRows(b, &d.Fixes, fixesSQL, id)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return d, fmt.Errorf("meeting: show %d: %w", id, err)
	}
	if !found {
		return d, fmt.Errorf("meeting: get %d: %w", id, apperr.ErrNotFound)
	}
	return d, nil
}

// queueRows adds a query to the batch whose rows, scanned by name, land
// in dst when the batch runs.
func queueRows[T any](b *pgx.Batch, dst *[]T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
		*dst = out
		return err
	})
}
