package seed

import (
	"context"
	"fmt"
	"time"
)

// signedSheetPDF is a minimal PDF standing in for a scanned sign-in sheet.
var signedSheetPDF = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// corrections shows a submitted meeting corrected after locking: one
// person's attendance (present → on leave, the credit withdrawn) and the
// place, each with its reason, and the signed attendance sheet attached
// after submission.
func (g *gen) corrections(ctx context.Context) error {
	var meetingID, memberID, secretary int64
	var place string
	err := g.tx.QueryRow(ctx, `
SELECT m.id, m.place, a.member_id, (SELECT id FROM accounts WHERE username = 'secretary')
  FROM meetings m JOIN organisations o ON o.id = m.org_id
  JOIN attendance a ON a.meeting_id = m.id AND a.status = 'present'
 WHERE o.name = '办公室党支部' AND m.status = 'submitted' AND m.kind <> 'committee'
 ORDER BY m.starts_at DESC, a.member_id LIMIT 1`).Scan(&meetingID, &place, &memberID, &secretary)
	if err != nil {
		return fmt.Errorf("corrections: a submitted meeting: %w", err)
	}
	at := g.today.Add(-time.Duration(2) * day).Add(10 * time.Hour)
	newPlace := "党员活动室（二楼）"
	steps := []struct {
		sql  string
		args []any
	}{
		{`UPDATE attendance SET status = 'leave', reason = '外出参加业务培训', hours = 0 WHERE meeting_id = $1 AND member_id = $2`, []any{meetingID, memberID}},
		{`DELETE FROM study_credits WHERE meeting_id = $1 AND member_id = $2`, []any{meetingID, memberID}},
		{`UPDATE meetings SET place = $2, version = version + 2 WHERE id = $1`, []any{meetingID, newPlace}},
		{`INSERT INTO meeting_corrections (meeting_id, field, member_id, before, after, reason, changed_by, changed_at)
VALUES ($1, 'attendance', $2, '{"status": "present"}', '{"status": "leave", "reason": "外出参加业务培训"}', '核对签字的签到表：会前已书面请假', $3, $4)`, []any{meetingID, memberID, secretary, at}},
		{`INSERT INTO meeting_corrections (meeting_id, field, before, after, reason, changed_by, changed_at)
VALUES ($1, 'place', jsonb_build_object('place', $2::text), jsonb_build_object('place', $3::text), '会议室临时调整，记录时误填', $4, $5)`, []any{meetingID, place, newPlace, secretary, at.Add(5 * time.Minute)}},
		{`INSERT INTO meeting_attachments (meeting_id, kind, filename, content_type, size_bytes, data, uploaded_by, uploaded_at)
VALUES ($1, 'signed_sheet', '签到表（签字）.pdf', 'application/pdf', $2, $3, $4, $5)`, []any{meetingID, len(signedSheetPDF), signedSheetPDF, secretary, at.Add(-time.Hour)}},
	}
	for _, s := range steps {
		if _, err := g.tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("corrections: %w", err)
		}
	}
	return nil
}
