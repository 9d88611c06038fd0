package review

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// Ratings in each scale, best first.
var (
	Grades = []string{"advanced", "good", "fair", "lagging"}
	Stars  = []string{"5", "4", "3", "2", "1"}
)

// RatingsOf lists the ratings of a scale ("grades" or "stars"), best first.
func RatingsOf(scale string) []string {
	if scale == "stars" {
		return Stars
	}
	return Grades
}

// Review is a reviewer's rating of a branch for a period, with the branch's answer.
type Review struct {
	ID          int64      `db:"id"`
	BranchID    int64      `db:"branch_id"`
	Period      string     `db:"period"`
	Rating      string     `db:"rating"`
	Comments    string     `db:"comments"`
	Corrections string     `db:"corrections"`
	Reviewer    string     `db:"reviewer"`
	ReviewedAt  time.Time  `db:"reviewed_at"`
	Response    string     `db:"response"`
	Responder   string     `db:"responder"`
	RespondedAt *time.Time `db:"responded_at"`
	Version     int        `db:"version"`
}

// Rank orders ratings: the higher, the better (stars and grades alike).
func (r Review) Rank() int {
	if i := slices.Index(Grades, r.Rating); i >= 0 {
		return 4 - i
	}
	n, _ := strconv.Atoi(r.Rating)
	return n - 1
}

// Stars reports whether the rating is in stars.
func (r Review) Stars() bool { return slices.Contains(Stars, r.Rating) }

const reviewCols = `r.id, r.branch_id, r.period, r.rating, r.comments, r.corrections,
       coalesce(nullif(a.display_name, ''), a.username, '') AS reviewer, r.reviewed_at,
       r.response, coalesce(nullif(s.display_name, ''), s.username, '') AS responder, r.responded_at, r.version`

const historySQL = `
SELECT ` + reviewCols + `
  FROM branch_reviews r LEFT JOIN accounts a ON a.id = r.reviewer_id LEFT JOIN accounts s ON s.id = r.responder_id
 WHERE r.branch_id = $1 ORDER BY r.reviewed_at DESC, r.id DESC`

// History lists every review of a branch, newest first.
func History(ctx context.Context, q db.Querier, branchID int64) ([]Review, error) {
	out, err := db.Rows[Review](ctx, q, historySQL, branchID)
	if err != nil {
		return nil, fmt.Errorf("review: history %d: %w", branchID, err)
	}
	return out, nil
}

const oneSQL = `
SELECT ` + reviewCols + `
  FROM branch_reviews r LEFT JOIN accounts a ON a.id = r.reviewer_id LEFT JOIN accounts s ON s.id = r.responder_id
 WHERE r.id = $1`

// Get reads one review.
func Get(ctx context.Context, q db.Querier, id int64) (Review, error) {
	r, err := db.One[Review](ctx, q, oneSQL, id)
	if err != nil {
		return Review{}, fmt.Errorf("review: get %d: %w", id, err)
	}
	return r, nil
}

const insertReviewSQL = `
INSERT INTO branch_reviews (branch_id, period, rating, comments, corrections, reviewer_id)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0)) RETURNING id`

// SaveRating records a reviewer's rating.
func SaveRating(ctx context.Context, pool *pgxpool.Pool, r Review) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, insertReviewSQL, r.BranchID, r.Period, r.Rating, r.Comments, r.Corrections, audit.ActorOf(ctx).ID).Scan(&id); err != nil {
			return fmt.Errorf("review: rate branch %d: %w", r.BranchID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "review.rate", Entity: "branch_review", EntityID: id,
			After: map[string]string{"branch": strconv.FormatInt(r.BranchID, 10), "period": r.Period, "rating": r.Rating}})
	})
	return id, err
}

const respondSQL = `
UPDATE branch_reviews SET response = $3, responder_id = NULLIF($4, 0), responded_at = now(), version = version + 1
 WHERE id = $1 AND version = $2`

// Respond records the branch's answer to a review; ErrConflict when the
// review changed since version was read.
func Respond(ctx context.Context, pool *pgxpool.Pool, id int64, version int, response string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		before, err := Get(ctx, tx, id)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, respondSQL, id, version, response, audit.ActorOf(ctx).ID)
		if err != nil {
			return fmt.Errorf("review: respond %d: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("review: respond %d: %w", id, apperr.ErrConflict)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "review.respond", Entity: "branch_review", EntityID: id,
			Before: map[string]string{"response": before.Response}, After: map[string]string{"response": response}})
	})
}

// Links from figures to the records behind them. Other areas serve these
// addresses; keeping them here keeps every link of the review consistent.

// MeetingsURL lists a branch's meetings of a kind in a year ("" kind: all).
func MeetingsURL(branchID int64, kind string, year int) string {
	q := url.Values{"org": {strconv.FormatInt(branchID, 10)}, "year": {strconv.Itoa(year)}}
	if kind != "" {
		q.Set("kind", kind)
	}
	return "/meetings?" + q.Encode()
}

// MemberURL is a member's page.
func MemberURL(id int64) string { return "/members/" + strconv.FormatInt(id, 10) }

// MembersURL lists a branch's members.
func MembersURL(branchID int64) string { return "/members?org=" + strconv.FormatInt(branchID, 10) }

// OrgURL is an organisation's page (committee, terms).
func OrgURL(id int64) string { return "/orgs/" + strconv.FormatInt(id, 10) }

// ItemsURL lists a branch's rectification items.
func ItemsURL(branchID int64) string { return "/rectification?org=" + strconv.FormatInt(branchID, 10) }

// BranchURL is the branch's compliance page for a period.
func BranchURL(id int64, period string) string {
	return "/review/branches/" + strconv.FormatInt(id, 10) + "?period=" + url.QueryEscape(period)
}

// PeriodLabel names a period key in the request language.
func PeriodLabel(ctx context.Context, key string) string {
	p, err := rules.ParsePeriod(key)
	if err != nil {
		return key
	}
	switch p.Kind {
	case rules.PeriodQuarter:
		return ui.T(ctx, "review.period.quarter", p.Start.Year(), (int(p.Start.Month())-1)/3+1)
	case rules.PeriodMonth:
		return ui.T(ctx, "review.period.month", p.Start.Year(), int(p.Start.Month()))
	}
	return ui.T(ctx, "review.period.year", p.Start.Year())
}

// RuleURL is where the records behind a rule's figure live.
func RuleURL(r rules.Rule, branchID int64, year int) string {
	switch r.Kind {
	case rules.KindMeetings:
		return MeetingsURL(branchID, r.MeetingKindOf(), year)
	case rules.KindQuorum:
		return MeetingsURL(branchID, "committee", year)
	case rules.KindAppraisal:
		return MeetingsURL(branchID, "appraisal", year)
	case rules.KindOrgLife:
		return MeetingsURL(branchID, "org_life", year)
	case rules.KindTerm:
		return OrgURL(branchID)
	case rules.KindRectification:
		return ItemsURL(branchID)
	}
	return MembersURL(branchID)
}
