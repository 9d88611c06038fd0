// Package notices makes Party affairs public (党务公开): a branch publishes
// notices to its members (results of meetings, dues collected, the public
// notice before naming a 发展对象) for a period; during a public notice's
// period a member may raise an objection, which the branch must answer
// (an unanswered one is on the secretary's to-do list).
package notices

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// Kinds lists the kinds of notice; only a public notice (pre_target)
// takes objections.
var Kinds = []string{"meeting_result", "dues", "pre_target", "other"}

// KindPublic is the public notice before naming a 发展对象.
const KindPublic = "pre_target"

// Notice is one notice with its objection counts.
type Notice struct {
	ID          int64
	BranchID    int64
	BranchName  string
	BranchPath  []int64
	Kind        string
	Title       string
	Body        string
	PublishFrom time.Time
	PublishTo   time.Time
	Version     int
	Objections  int
	Unanswered  int
}

// Published reports whether the notice is up on day d: from its first
// day to its last, both included.
func Published(from, to, d time.Time) bool { return !d.Before(from) && !d.After(to) }

// IsPublished reports whether the notice is up on day d.
func (n Notice) IsPublished(d time.Time) bool { return Published(n.PublishFrom, n.PublishTo, d) }

// TakesObjections reports whether a member may object on day d: a public
// notice, within its period.
func (n Notice) TakesObjections(d time.Time) bool { return n.Kind == KindPublic && n.IsPublished(d) }

// Objection is a member's objection to a public notice and its answer.
type Objection struct {
	ID         int64
	NoticeID   int64
	MemberID   int64
	MemberName string
	Body       string
	RaisedOn   time.Time
	Answer     *string
	AnsweredAt *time.Time
}

// Reader is who reads notices: the organisations the scope reaches (all
// their notices) and the member's own branch (its published notices).
type Reader struct {
	Roots    []int64
	MemberID int64
}

// ReaderOf is the reader of a request.
func ReaderOf(ctx context.Context) Reader {
	r := Reader{Roots: auth.ScopeOf(ctx).ReadRoots()}
	if u := auth.UserOf(ctx); u != nil {
		r.MemberID = u.MemberID
	}
	return r
}

// visible selects the notices the reader ($1 roots, $2 member, $3 today)
// may read: every notice of an organisation in scope, and the published
// notices of the member's own branch.
// (and the notices the member objected to, to read the answer later).
const visible = `(o.path && $1::bigint[] OR (n.branch_id = (SELECT branch_id FROM members WHERE id = $2) AND $3::date BETWEEN n.publish_from AND n.publish_to)
 OR EXISTS (SELECT 1 FROM notice_objections vx WHERE vx.notice_id = n.id AND vx.member_id = $2))`

const noticeCols = `n.id, n.branch_id, o.name AS branch_name, o.path AS branch_path, n.kind, n.title, n.body, n.publish_from, n.publish_to, n.version,
 (SELECT count(*) FROM notice_objections x WHERE x.notice_id = n.id)::int AS objections,
 (SELECT count(*) FROM notice_objections x WHERE x.notice_id = n.id AND x.answer IS NULL)::int AS unanswered`

// Filter narrows the list.
type Filter struct {
	Kind   string
	Search string
	Limit  int
	Offset int
}

// List returns a page of the notices the reader may read, newest first,
// and the total.
func List(ctx context.Context, q db.Querier, r Reader, f Filter, today time.Time) ([]Notice, int, error) {
	where := ` FROM notices n JOIN organisations o ON o.id = n.branch_id WHERE ` + visible + `
   AND ($4 = '' OR n.kind = $4) AND ($5 = '' OR n.title ILIKE $5 OR n.body ILIKE $5)`
	search := ""
	if f.Search != "" {
		search = db.Contains(f.Search)
	}
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+where, r.Roots, r.MemberID, today, f.Kind, search).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("notices: count: %w", err)
	}
	out, err := db.Rows[Notice](ctx, q, `SELECT `+noticeCols+where+` ORDER BY n.publish_from DESC, n.id DESC LIMIT $6 OFFSET $7`,
		r.Roots, r.MemberID, today, f.Kind, search, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("notices: list: %w", err)
	}
	return out, total, nil
}

// Get loads a notice the reader may read; ErrNotFound otherwise.
func Get(ctx context.Context, q db.Querier, r Reader, id int64, today time.Time) (Notice, error) {
	out, err := db.One[Notice](ctx, q, `SELECT `+noticeCols+` FROM notices n JOIN organisations o ON o.id = n.branch_id
 WHERE `+visible+` AND n.id = $4`, r.Roots, r.MemberID, today, id)
	if err != nil {
		return Notice{}, fmt.Errorf("notices: get %d: %w", id, err)
	}
	return out, nil
}

// Objections lists a notice's objections: all of them (memberID 0) or one
// member's own.
func Objections(ctx context.Context, q db.Querier, noticeID, memberID int64) ([]Objection, error) {
	out, err := db.Rows[Objection](ctx, q, `SELECT x.id, x.notice_id, x.member_id, m.name AS member_name, x.body, x.raised_on, x.answer, x.answered_at
  FROM notice_objections x JOIN members m ON m.id = x.member_id
 WHERE x.notice_id = $1 AND ($2 = 0 OR x.member_id = $2) ORDER BY x.raised_at, x.id`, noticeID, memberID)
	if err != nil {
		return nil, fmt.Errorf("notices: objections of %d: %w", noticeID, err)
	}
	return out, nil
}

// MemberBranch is the branch of a member (0 for none).
func MemberBranch(ctx context.Context, q db.Querier, memberID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT branch_id FROM members WHERE id = $1`, memberID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("notices: branch of member %d: %w", memberID, err)
	}
	return id, nil
}

// Branch is a branch that may publish.
type Branch struct {
	ID   int64
	Name string
}

// WritableBranches lists the branches the scope's user publishes for.
func WritableBranches(ctx context.Context, q db.Querier, s auth.Scope) ([]Branch, error) {
	out, err := db.Rows[Branch](ctx, q, `SELECT id, name FROM organisations
 WHERE kind = 'branch' AND dissolved_on IS NULL AND path && $1::bigint[] ORDER BY path`, s.WriteRoots())
	if err != nil {
		return nil, fmt.Errorf("notices: branches: %w", err)
	}
	return out, nil
}

// Input is a notice to publish.
type Input struct {
	BranchID    int64
	Kind        string
	Title       string
	Body        string
	PublishFrom time.Time
	PublishTo   time.Time
}

// Store makes the changes, each in its own transaction.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Publish records a notice and returns its id.
func (s *Store) Publish(ctx context.Context, in Input) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO notices (branch_id, kind, title, body, publish_from, publish_to) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			in.BranchID, in.Kind, in.Title, in.Body, in.PublishFrom, in.PublishTo).Scan(&id); err != nil {
			return 0, fmt.Errorf("notices: publish: %w", err)
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "notice.publish", Entity: "notice", EntityID: id, After: in})
	})
}

// ErrClosed refuses an objection outside a public notice's period or by
// someone not a member of its branch.
var ErrClosed = errors.New("notices: not open to objections")

// Object records a member's objection to a public notice on day today,
// which must fall within its period; the member must belong to the branch.
func (s *Store) Object(ctx context.Context, n Notice, memberID int64, body string, today time.Time) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO notice_objections (notice_id, member_id, body, raised_on)
SELECT n.id, $2, $3, $4 FROM notices n
 WHERE n.id = $1 AND n.kind = 'pre_target' AND $4::date BETWEEN n.publish_from AND n.publish_to
   AND EXISTS (SELECT 1 FROM members m WHERE m.id = $2 AND m.branch_id = n.branch_id)
RETURNING id`, n.ID, memberID, body, today).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, ErrClosed
		}
		if err != nil {
			return 0, fmt.Errorf("notices: object to %d: %w", n.ID, err)
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "notice.objection", Entity: "notice_objection", EntityID: id,
			After: map[string]any{"notice_id": n.ID, "member_id": memberID, "body": body}})
	})
}

// Answer records the branch's answer to an objection; an answered one is
// ErrConflict.
func (s *Store) Answer(ctx context.Context, noticeID, objectionID, accountID int64, answer string) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		tag, err := tx.Exec(ctx, `UPDATE notice_objections SET answer = $3, answered_at = now(), answered_by = $4
 WHERE id = $2 AND notice_id = $1 AND answer IS NULL`, noticeID, objectionID, answer, accountID)
		if err != nil {
			return struct{}{}, fmt.Errorf("notices: answer %d: %w", objectionID, err)
		}
		if tag.RowsAffected() == 0 {
			return struct{}{}, fmt.Errorf("notices: objection %d answered already: %w", objectionID, apperr.ErrConflict)
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "notice.answer", Entity: "notice_objection", EntityID: objectionID,
			After: map[string]any{"answer": answer}})
	})
	return err
}

// Todos lists the objections the branches under orgIDs have not answered:
// due by the notice's last day, overdue after it.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	type row struct {
		NoticeID   int64
		Title      string
		MemberName string
		PublishTo  time.Time
	}
	rs, err := db.Rows[row](ctx, q, `SELECT n.id AS notice_id, n.title, m.name AS member_name, n.publish_to
  FROM notice_objections x JOIN notices n ON n.id = x.notice_id JOIN members m ON m.id = x.member_id
 WHERE n.branch_id = ANY ($1::bigint[]) AND x.answer IS NULL AND $2::date IS NOT NULL ORDER BY n.publish_to, x.id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("notices: todos: %w", err)
	}
	out := make([]todo.Item, 0, len(rs))
	for _, r := range rs {
		out = append(out, todo.Item{
			Area: "notices", Title: i18n.T(ctx, "notices.todo.answer", r.MemberName),
			Detail: r.Title, URL: fmt.Sprintf("/notices/%d", r.NoticeID), Due: r.PublishTo, Overdue: r.PublishTo.Before(today),
		})
	}
	return out, nil
}
