package cases

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

// MaxPhotos caps the photos of one case.
const MaxPhotos = 4

// Photo describes a photo of a case, without its bytes.
type Photo struct {
	ID         int64
	Caption    string
	SizeBytes  int
	UploadedAt time.Time
}

// Photo errors, shown beside the upload form.
var (
	ErrTooManyPhotos = fmt.Errorf("cases: more than %d photos: %w", MaxPhotos, apperr.ErrConflict)
	ErrCaseApproved  = fmt.Errorf("cases: the case is in the library: %w", apperr.ErrConflict)
)

// PhotoURL is the address a photo is shown from.
func PhotoURL(caseID, photoID int64) string {
	return fmt.Sprintf("/cases/%d/photos/%d", caseID, photoID)
}

const photosSQL = `SELECT id, caption, size_bytes, uploaded_at FROM case_photos WHERE case_id = $1 ORDER BY id`

// Photos lists a case's photos in the order they were added.
func Photos(ctx context.Context, q db.Querier, caseID int64) ([]Photo, error) {
	out, err := db.Rows[Photo](ctx, q, photosSQL, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: photos of %d: %w", caseID, err)
	}
	return out, nil
}

// LoadPhoto returns one photo of a case with its type and bytes.
func LoadPhoto(ctx context.Context, q db.Querier, caseID, id int64) (ctype string, data []byte, err error) {
	err = q.QueryRow(ctx, `SELECT content_type, data FROM case_photos WHERE case_id = $1 AND id = $2`, caseID, id).Scan(&ctype, &data)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, fmt.Errorf("cases: photo %d of %d: %w", id, caseID, apperr.ErrNotFound)
	}
	if err != nil {
		return "", nil, fmt.Errorf("cases: photo %d of %d: %w", id, caseID, err)
	}
	return ctype, data, nil
}

// lockOpen locks the case's row and refuses a case already approved
// (its photos change only before it is in the library).
func lockOpen(ctx context.Context, tx pgx.Tx, caseID int64) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM cases WHERE id = $1 FOR UPDATE`, caseID).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("cases: %d: %w", caseID, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("cases: lock %d: %w", caseID, err)
	}
	if status == StatusApproved {
		return ErrCaseApproved
	}
	return nil
}

// AddPhoto stores a checked photo with its caption, at most MaxPhotos
// per case, while the case is not yet approved.
func (s *Store) AddPhoto(ctx context.Context, caseID int64, caption string, f upload.File) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, caseID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM case_photos WHERE case_id = $1`, caseID).Scan(&n); err != nil {
			return fmt.Errorf("cases: count photos of %d: %w", caseID, err)
		}
		if n >= MaxPhotos {
			return ErrTooManyPhotos
		}
		if err := tx.QueryRow(ctx, `
INSERT INTO case_photos (case_id, caption, content_type, size_bytes, data, uploaded_by)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0::bigint)) RETURNING id`,
			caseID, caption, f.Type, len(f.Data), f.Data, audit.ActorOf(ctx).ID).Scan(&id); err != nil {
			return fmt.Errorf("cases: photo of %d: %w", caseID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "case.photo_add", Entity: "case_photo", EntityID: id,
			After: map[string]any{"case_id": caseID, "caption": caption, "filename": f.Name, "content_type": f.Type, "size_bytes": len(f.Data)}})
	})
	return id, err
}

// DeletePhoto removes a photo of a case not yet approved.
func (s *Store) DeletePhoto(ctx context.Context, caseID, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockOpen(ctx, tx, caseID); err != nil {
			return err
		}
		var caption string
		err := tx.QueryRow(ctx, `DELETE FROM case_photos WHERE case_id = $1 AND id = $2 RETURNING caption`, caseID, id).Scan(&caption)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("cases: photo %d of %d: %w", id, caseID, apperr.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("cases: delete photo %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "case.photo_delete", Entity: "case_photo", EntityID: id,
			Before: map[string]any{"case_id": caseID, "caption": caption}})
	})
}
