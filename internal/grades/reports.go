package grades

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

// Ratings are the committee's ratings of a secretary's annual report
// (好, 较好, 一般, 差), best first.
var Ratings = []string{"good", "fairly_good", "average", "poor"}

// Report is a branch secretary's annual report on the year's Party work
// (述职) with the committee's review (评议).
type Report struct {
	ID            int64
	OrgID         int64
	OrgName       string
	OrgPath       []int64
	Year          int
	SecretaryID   *int64
	SecretaryName *string
	Report        string
	SubmittedOn   time.Time
	ReviewedOn    *time.Time
	Rating        *string
	Comments      string
	Improvements  string
}

const reportCols = `r.id, r.org_id, o.name AS org_name, o.path AS org_path, r.year, r.secretary_id, m.name AS secretary_name, r.report, r.submitted_on,
       r.reviewed_on, r.rating, r.comments, r.improvements
  FROM secretary_reports r JOIN organisations o ON o.id = r.org_id LEFT JOIN members m ON m.id = r.secretary_id`

// Reports lists the reports inside roots, of one year (0: every year),
// by branch and year.
func Reports(ctx context.Context, q db.Querier, roots []int64, year int) ([]Report, error) {
	out, err := db.Rows[Report](ctx, q, `SELECT `+reportCols+`
 WHERE o.path && $1::bigint[] AND ($2 = 0 OR r.year = $2) ORDER BY o.path, r.year DESC`, roots, year)
	if err != nil {
		return nil, fmt.Errorf("grades: reports: %w", err)
	}
	return out, nil
}

// LoadReport reads one report.
func LoadReport(ctx context.Context, q db.Querier, id int64) (Report, error) {
	out, err := db.One[Report](ctx, q, `SELECT `+reportCols+` WHERE r.id = $1`, id)
	if err != nil {
		return Report{}, fmt.Errorf("grades: report %d: %w", id, err)
	}
	return out, nil
}

// ErrReported is a second report of one branch for one year.
var ErrReported = fmt.Errorf("already reported: %w", apperr.ErrInvalid)

// Submit records a secretary's report of a year for the branch.
func Submit(ctx context.Context, tx pgx.Tx, orgID int64, year int, secretaryID int64, text string, on time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO secretary_reports (org_id, year, secretary_id, report, submitted_on) VALUES ($1, $2, $3, $4, $5)
 ON CONFLICT (org_id, year) DO NOTHING RETURNING id`, orgID, year, nullID(secretaryID), text, on).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("grades: report %d/%d: %w", orgID, year, ErrReported)
	}
	if err != nil {
		return 0, fmt.Errorf("grades: submit report: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "report.submit", Entity: "secretary_report", EntityID: id, After: map[string]any{"year": year}})
}

// ReviewInput is the committee's review of a report.
type ReviewInput struct {
	On           time.Time
	Rating       string
	Comments     string
	Improvements string
	AccountID    int64
}

// ReviewReport records the review meeting's date, the rating, comments and
// points to improve; a report is reviewed once.
func ReviewReport(ctx context.Context, tx pgx.Tx, id int64, in ReviewInput) error {
	tag, err := tx.Exec(ctx, `UPDATE secretary_reports SET reviewed_on = $2, rating = $3, comments = $4, improvements = $5, reviewed_by = $6
 WHERE id = $1 AND reviewed_on IS NULL`, id, in.On, in.Rating, in.Comments, in.Improvements, nullID(in.AccountID))
	if err != nil {
		return fmt.Errorf("grades: review report %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("grades: review report %d: %w", id, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "report.review", Entity: "secretary_report", EntityID: id, After: in})
}

// Submit records a report.
func (s *Store) Submit(ctx context.Context, orgID int64, year int, secretaryID int64, text string, on time.Time) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Submit(ctx, tx, orgID, year, secretaryID, text, on) })
}

// ReviewReport records the committee's review.
func (s *Store) ReviewReport(ctx context.Context, id int64, in ReviewInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return ReviewReport(ctx, tx, id, in) })
}
