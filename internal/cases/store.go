// Package cases is the library of exemplary practices (典型经验) and the
// record of Party work serving the agency's central work (服务中心): a
// branch's vanguard posts, model posts and task forces with each member's
// public commitment and what was delivered; cases a branch submits
// (resting on its meeting records, or grown from a post) which the
// committee approves or returns, tags and features; every member browses
// and searches the approved ones.
package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
)

// The states of a case.
const (
	StatusSubmitted = "submitted"
	StatusApproved  = "approved"
	StatusReturned  = "returned"
)

// Statuses lists the states.
var Statuses = []string{StatusSubmitted, StatusApproved, StatusReturned}

// Case is one exemplary practice.
type Case struct {
	ID          int64
	BranchID    int64
	BranchName  string
	BranchPath  []int64
	PostID      *int64
	Title       string
	Body        string
	Status      string
	Tags        []string
	Featured    bool
	ReviewNote  string
	SubmittedAt time.Time
	DecidedAt   *time.Time
	Version     int
	FirstPhoto  *int64 // the first of its photos, shown in the library
	// FirstCaption is the first photo's caption ("" without photos).
	FirstCaption string
}

// ThumbAlt is the text of the first photo's thumbnail where it stands
// for the case (the committee's dashboard): its caption, else the title.
func (c Case) ThumbAlt() string {
	if c.FirstCaption != "" {
		return c.FirstCaption
	}
	return c.Title
}

// Excerpt is the start of the text, for lists.
func (c Case) Excerpt() string {
	r := []rune(strings.ReplaceAll(c.Body, "\n", " "))
	if len(r) <= 80 {
		return string(r)
	}
	return string(r[:80]) + "…"
}

// MeetingRef is a meeting record a case rests on.
type MeetingRef struct {
	ID       int64
	Kind     string
	Topic    string
	StartsAt time.Time
}

const caseCols = `c.id, c.branch_id, o.name AS branch_name, o.path AS branch_path, c.post_id, c.title, c.body, c.status, c.tags, c.featured,
 c.review_note, c.submitted_at, c.decided_at, c.version,
 (SELECT min(ph.id) FROM case_photos ph WHERE ph.case_id = c.id) AS first_photo,
 coalesce((SELECT ph.caption FROM case_photos ph WHERE ph.case_id = c.id ORDER BY ph.id LIMIT 1), '') AS first_caption`

// visibleCase: approved cases for every reader; any case of an
// organisation in the read roots $1.
const visibleCase = `(c.status = 'approved' OR o.path && $1::bigint[])`

// Filter narrows the library.
type Filter struct {
	Search   string
	Tag      string
	Status   string
	Featured bool
	Limit    int
	Offset   int
}

// List returns a page of the cases the scope reads and the total:
// approved ones for everyone, every state for the branch's own and the
// committee's subtree. Search finds a word in the title, text or tags.
func List(ctx context.Context, q db.Querier, s auth.Scope, f Filter) ([]Case, int, error) {
	search := ""
	if f.Search != "" {
		search = db.Contains(f.Search)
	}
	where := ` FROM cases c JOIN organisations o ON o.id = c.branch_id WHERE ` + visibleCase + `
   AND ($2 = '' OR c.title ILIKE $2 OR c.body ILIKE $2 OR array_to_string(c.tags, ' ') ILIKE $2)
   AND ($3 = '' OR $3 = ANY (c.tags)) AND ($4 = '' OR c.status = $4) AND (NOT $5 OR c.featured)`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+where, s.ReadRoots(), search, f.Tag, f.Status, f.Featured).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cases: count: %w", err)
	}
	out, err := db.Rows[Case](ctx, q, `SELECT `+caseCols+where+` ORDER BY c.featured DESC, c.submitted_at DESC, c.id DESC LIMIT $6 OFFSET $7`,
		s.ReadRoots(), search, f.Tag, f.Status, f.Featured, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("cases: list: %w", err)
	}
	return out, total, nil
}

// Featured lists the featured cases of the branches in scope s, newest
// first, for the committee's dashboard.
func Featured(ctx context.Context, q db.Querier, s auth.Scope, limit int) ([]Case, error) {
	out, err := db.Rows[Case](ctx, q, `SELECT `+caseCols+` FROM cases c JOIN organisations o ON o.id = c.branch_id
 WHERE c.status = 'approved' AND c.featured AND o.path && $1::bigint[] ORDER BY c.decided_at DESC, c.id DESC LIMIT $2`, s.ReadRoots(), limit)
	if err != nil {
		return nil, fmt.Errorf("cases: featured: %w", err)
	}
	return out, nil
}

// Get loads a case the scope may read.
func Get(ctx context.Context, q db.Querier, s auth.Scope, id int64) (Case, error) {
	out, err := db.One[Case](ctx, q, `SELECT `+caseCols+` FROM cases c JOIN organisations o ON o.id = c.branch_id WHERE `+visibleCase+` AND c.id = $2`, s.ReadRoots(), id)
	if err != nil {
		return Case{}, fmt.Errorf("cases: get %d: %w", id, err)
	}
	return out, nil
}

// Meetings lists the meeting records a case rests on.
func Meetings(ctx context.Context, q db.Querier, caseID int64) ([]MeetingRef, error) {
	out, err := db.Rows[MeetingRef](ctx, q, `SELECT m.id, m.kind, m.topic, m.starts_at FROM case_meetings cm JOIN meetings m ON m.id = cm.meeting_id
 WHERE cm.case_id = $1 ORDER BY m.starts_at`, caseID)
	if err != nil {
		return nil, fmt.Errorf("cases: meetings of %d: %w", caseID, err)
	}
	return out, nil
}

// BranchMeetings lists the submitted meeting records of a branch (and its
// groups), newest first, to rest a case on.
func BranchMeetings(ctx context.Context, q db.Querier, branchID int64) ([]MeetingRef, error) {
	out, err := db.Rows[MeetingRef](ctx, q, `SELECT m.id, m.kind, m.topic, m.starts_at FROM meetings m JOIN organisations o ON o.id = m.org_id
 WHERE $1 = ANY (o.path) AND m.status = 'submitted' ORDER BY m.starts_at DESC, m.id DESC LIMIT 60`, branchID)
	if err != nil {
		return nil, fmt.Errorf("cases: meetings of branch %d: %w", branchID, err)
	}
	return out, nil
}

// Tags lists the tags in use on approved cases.
func Tags(ctx context.Context, q db.Querier) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT DISTINCT unnest(tags) AS t FROM cases WHERE status = 'approved' ORDER BY t`)
	if err != nil {
		return nil, fmt.Errorf("cases: tags: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("cases: tags: %w", err)
	}
	return out, nil
}

// Branch is a branch the user writes for.
type Branch struct {
	ID   int64
	Name string
}

// WritableBranches lists the branches the scope's user keeps.
func WritableBranches(ctx context.Context, q db.Querier, s auth.Scope) ([]Branch, error) {
	out, err := db.Rows[Branch](ctx, q, `SELECT id, name FROM organisations
 WHERE kind = 'branch' AND dissolved_on IS NULL AND path && $1::bigint[] ORDER BY path`, s.WriteRoots())
	if err != nil {
		return nil, fmt.Errorf("cases: branches: %w", err)
	}
	return out, nil
}

// Input is a case as the branch writes it.
type Input struct {
	BranchID int64
	PostID   *int64
	Title    string
	Body     string
	Meetings []int64
}

// Store makes the changes, each in its own transaction.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

func setMeetings(ctx context.Context, tx pgx.Tx, caseID, branchID int64, ids []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM case_meetings WHERE case_id = $1`, caseID); err != nil {
		return fmt.Errorf("cases: meetings of %d: %w", caseID, err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO case_meetings (case_id, meeting_id)
SELECT $1, m.id FROM meetings m JOIN organisations o ON o.id = m.org_id WHERE m.id = ANY ($3::bigint[]) AND $2 = ANY (o.path)`, caseID, branchID, ids)
	if err != nil {
		return fmt.Errorf("cases: meetings of %d: %w", caseID, err)
	}
	if int(tag.RowsAffected()) != len(ids) {
		return fmt.Errorf("cases: a meeting not of branch %d: %w", branchID, apperr.ErrInvalid)
	}
	return nil
}

// Submit records a new case for the committee's review.
func (s *Store) Submit(ctx context.Context, in Input) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO cases (branch_id, post_id, title, body)
SELECT $1, $2, $3, $4 WHERE $2::bigint IS NULL OR EXISTS (SELECT 1 FROM vanguard_posts WHERE id = $2 AND branch_id = $1) RETURNING id`,
			in.BranchID, in.PostID, in.Title, in.Body).Scan(&id); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return 0, fmt.Errorf("cases: post not of branch %d: %w", in.BranchID, apperr.ErrInvalid)
			}
			return 0, fmt.Errorf("cases: submit: %w", err)
		}
		if err := setMeetings(ctx, tx, id, in.BranchID, in.Meetings); err != nil {
			return 0, err
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "case.submit", Entity: "case", EntityID: id, After: in})
	})
}

// Resubmit changes a returned case and sends it back for review.
func (s *Store) Resubmit(ctx context.Context, c Case, version int, in Input) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		tag, err := tx.Exec(ctx, `UPDATE cases SET title = $3, body = $4, status = 'submitted', decided_at = NULL, submitted_at = now(), version = version + 1
 WHERE id = $1 AND version = $2 AND status = 'returned'`, c.ID, version, in.Title, in.Body)
		if err != nil {
			return struct{}{}, fmt.Errorf("cases: resubmit %d: %w", c.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return struct{}{}, fmt.Errorf("cases: resubmit %d at version %d: %w", c.ID, version, apperr.ErrConflict)
		}
		if err := setMeetings(ctx, tx, c.ID, c.BranchID, in.Meetings); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "case.resubmit", Entity: "case", EntityID: c.ID, After: in})
	})
	return err
}

// Decision is the committee's decision on a case.
type Decision struct {
	Approve  bool
	Tags     []string
	Featured bool
	Note     string
}

// Decide approves (with tags, maybe featured) or returns (with a note) a
// case; an approved case may be decided again (to tag, feature or
// unfeature it).
func (s *Store) Decide(ctx context.Context, c Case, version int, d Decision) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		status := StatusReturned
		if d.Approve {
			status = StatusApproved
		}
		tag, err := tx.Exec(ctx, `UPDATE cases SET status = $3, tags = $4, featured = $5, review_note = $6, decided_at = now(), version = version + 1
 WHERE id = $1 AND version = $2 AND status IN ('submitted', 'approved')`, c.ID, version, status, d.Tags, d.Featured && d.Approve, d.Note)
		if err != nil {
			return struct{}{}, fmt.Errorf("cases: decide %d: %w", c.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return struct{}{}, fmt.Errorf("cases: decide %d at version %d: %w", c.ID, version, apperr.ErrConflict)
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "case.decide", Entity: "case", EntityID: c.ID,
			Before: map[string]any{"status": c.Status, "tags": c.Tags, "featured": c.Featured}, After: d})
	})
	return err
}
