package plans

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

// MaxAnswerFiles caps the files sent with one answer.
const MaxAnswerFiles = 5

// AnswerFile describes a file sent as evidence with an answer, without
// its bytes.
type AnswerFile struct {
	ID          int64
	Filename    string
	ContentType string
	SizeBytes   int
	UploadedAt  time.Time
}

const addAnswerFileSQL = `
INSERT INTO plan_answer_files (answer_id, filename, content_type, size_bytes, data, uploaded_by)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0::bigint)) RETURNING id`

// addFiles stores checked files with an answer, in the answering
// transaction, each with its audit row.
func addFiles(ctx context.Context, tx pgx.Tx, answerID int64, files []upload.File, accountID int64) error {
	for _, f := range files {
		var id int64
		if err := tx.QueryRow(ctx, addAnswerFileSQL, answerID, f.Name, f.Type, len(f.Data), f.Data, accountID).Scan(&id); err != nil {
			return fmt.Errorf("plans: file of answer %d: %w", answerID, err)
		}
		if err := audit.Record(ctx, tx, audit.Event{Action: "plan.answer_file", Entity: "plan_answer_file", EntityID: id,
			After: map[string]any{"answer_id": answerID, "filename": f.Name, "content_type": f.Type, "size_bytes": len(f.Data)}}); err != nil {
			return err
		}
	}
	return nil
}

const answerFilesSQL = `
SELECT id, filename, content_type, size_bytes, uploaded_at FROM plan_answer_files
 WHERE answer_id = $1 ORDER BY id`

// AnswerFiles lists the files sent with an answer, oldest first.
func AnswerFiles(ctx context.Context, q db.Querier, answerID int64) ([]AnswerFile, error) {
	out, err := db.Rows[AnswerFile](ctx, q, answerFilesSQL, answerID)
	if err != nil {
		return nil, fmt.Errorf("plans: files of answer %d: %w", answerID, err)
	}
	return out, nil
}

const answerFileSQL = `
SELECT filename, content_type, data FROM plan_answer_files WHERE answer_id = $1 AND id = $2`

// LoadAnswerFile returns one file of an answer with its bytes.
func LoadAnswerFile(ctx context.Context, q db.Querier, answerID, id int64) (AnswerFile, []byte, error) {
	var f AnswerFile
	var data []byte
	err := q.QueryRow(ctx, answerFileSQL, answerID, id).Scan(&f.Filename, &f.ContentType, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return f, nil, fmt.Errorf("plans: file %d of answer %d: %w", id, answerID, apperr.ErrNotFound)
	}
	if err != nil {
		return f, nil, fmt.Errorf("plans: file %d of answer %d: %w", id, answerID, err)
	}
	f.ID, f.SizeBytes = id, len(data)
	return f, data, nil
}
