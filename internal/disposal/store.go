// Package disposal runs the disposal of unqualified members (处置不合格
// 党员, rules.md §5): a case per member who breaches the six-month rule or
// is appraised unqualified, its steps each dated with its document — a
// reminding talk, correction within a deadline (normally six months, at
// most a year), then persuading to leave or removal decided by the branch
// general meeting and approved by the higher committee. The member's
// status changes only at the approved step.
package disposal

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/member"
	"zhibu/internal/todo"
)

// Sources cited on the pages.
const (
	CiteSteps    = "《中国共产党章程》第九条；《中国共产党党员教育管理工作条例》第三十条、第三十一条；《不合格党员组织处置办法》（2024）"
	CiteDeadline = "限期改正一般为六个月，最长不超过一年（《中国共产党党员教育管理工作条例》第三十条）"
)

// Grounds are why a case is opened.
var Grounds = []string{"six_months", "unqualified"}

// Steps are the steps of a case, in the order they may come.
var Steps = []string{"talk", "correction", "corrected", "persuade", "remove", "remove_left", "approved"}

// Next lists the steps that may follow last (the case's latest step, ""
// for none) for a case on ground.
func Next(last, ground string) []string {
	switch last {
	case "":
		return []string{"talk"}
	case "talk":
		if ground == "six_months" {
			return []string{"correction", "remove_left"}
		}
		return []string{"correction"}
	case "correction":
		if ground == "six_months" {
			return []string{"corrected", "persuade", "remove_left"}
		}
		return []string{"corrected", "persuade"}
	case "persuade":
		return []string{"approved", "remove"}
	case "remove", "remove_left":
		return []string{"approved"}
	}
	return nil
}

// outcomeOf is the outcome an approval (or a correction) closes a case
// with, from the branch's decision before it.
func outcomeOf(decision string) string {
	switch decision {
	case "persuade":
		return "persuaded"
	case "remove":
		return "removed"
	case "remove_left":
		return "left"
	}
	return "corrected"
}

// Case is a disposal case with its latest step.
type Case struct {
	ID         int64
	MemberID   int64
	MemberName string
	BranchID   int64
	BranchName string
	BranchPath []int64
	Ground     string
	OpenedOn   time.Time
	Status     string
	Outcome    *string
	ClosedOn   *time.Time
	Version    int
	LastStep   *string
	LastOn     *time.Time
	Deadline   *time.Time
}

// Missed reports whether the case's correction deadline passed with no
// step after it.
func (c Case) Missed(today time.Time) bool {
	return c.Status == "open" && c.LastStep != nil && *c.LastStep == "correction" && c.Deadline != nil && c.Deadline.Before(today)
}

// Last is the latest step's name, "" for none.
func (c Case) Last() string {
	if c.LastStep == nil {
		return ""
	}
	return *c.LastStep
}

// Step is one dated step of a case.
type Step struct {
	ID       int64
	Step     string
	DoneOn   time.Time
	Document string
	Deadline *time.Time
	Notes    string
}

const caseCols = `c.id, c.member_id, m.name AS member_name, c.branch_id, o.name AS branch_name, o.path AS branch_path, c.ground, c.opened_on,
       c.status, c.outcome, c.closed_on, c.version, l.step AS last_step, l.done_on AS last_on, l.deadline
  FROM disposal_cases c JOIN members m ON m.id = c.member_id JOIN organisations o ON o.id = c.branch_id
  LEFT JOIN LATERAL (SELECT s.step, s.done_on, s.deadline FROM disposal_steps s WHERE s.case_id = c.id ORDER BY s.done_on DESC, s.id DESC LIMIT 1) l ON true`

// List returns the cases inside roots: open first (missed deadlines
// first among them), then closed, newest first.
func List(ctx context.Context, q db.Querier, roots []int64, today time.Time, limit, offset int) ([]Case, int, error) {
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM disposal_cases c JOIN organisations o ON o.id = c.branch_id WHERE o.path && $1::bigint[]`, roots).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("disposal: count: %w", err)
	}
	out, err := db.Rows[Case](ctx, q, `SELECT `+caseCols+` WHERE o.path && $1::bigint[]
 ORDER BY c.status = 'closed', (l.step = 'correction' AND l.deadline < $2) IS NOT TRUE, c.opened_on DESC, c.id DESC LIMIT $3 OFFSET $4`, roots, today, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("disposal: list: %w", err)
	}
	return out, total, nil
}

// Get returns case id if inside roots.
func Get(ctx context.Context, q db.Querier, roots []int64, id int64) (Case, []Step, error) {
	c, err := db.One[Case](ctx, q, `SELECT `+caseCols+` WHERE c.id = $1 AND o.path && $2::bigint[]`, id, roots)
	if err != nil {
		return Case{}, nil, fmt.Errorf("disposal: get %d: %w", id, err)
	}
	steps, err := db.Rows[Step](ctx, q, `SELECT id, step, done_on, document, deadline, notes FROM disposal_steps WHERE case_id = $1 ORDER BY done_on, id`, id)
	if err != nil {
		return Case{}, nil, fmt.Errorf("disposal: steps %d: %w", id, err)
	}
	return c, steps, nil
}

// Candidate is a member a case may be opened for.
type Candidate struct {
	ID       int64
	Name     string
	BranchID int64
}

// Candidates lists the members in good standing of the branches in roots
// without an open case.
func Candidates(ctx context.Context, q db.Querier, roots []int64) ([]Candidate, error) {
	out, err := db.Rows[Candidate](ctx, q, `SELECT m.id, m.name, m.branch_id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.path && $1::bigint[] AND in_good_standing(m.category, m.party_status)
   AND NOT EXISTS (SELECT 1 FROM disposal_cases c WHERE c.member_id = m.id AND c.status = 'open')
 ORDER BY m.name, m.id`, roots)
	if err != nil {
		return nil, fmt.Errorf("disposal: candidates: %w", err)
	}
	return out, nil
}

// Open opens a case.
func Open(ctx context.Context, tx pgx.Tx, memberID, branchID int64, ground string, on time.Time) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO disposal_cases (member_id, branch_id, ground, opened_on) VALUES ($1, $2, $3, $4) RETURNING id`,
		memberID, branchID, ground, on).Scan(&id); err != nil {
		return 0, fmt.Errorf("disposal: open: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "disposal.open", Entity: "disposal_case", EntityID: id,
		After: map[string]any{"member_id": memberID, "branch_id": branchID, "ground": ground, "opened_on": on.Format("2006-01-02")}})
}

// StepInput is a step to record.
type StepInput struct {
	Step     string
	DoneOn   time.Time
	Document string
	Deadline *time.Time
	Notes    string
}

// ErrOrder means the step may not follow the case's latest step.
var ErrOrder = fmt.Errorf("disposal: the step does not follow the case's latest step: %w", apperr.ErrConflict)

// AddStep records a step of case id if nobody changed the case since
// version was read and the step may follow the latest. A correction
// closes the case as corrected; an approval closes it with the decision's
// outcome and ends the membership (member.EndMembership) on its day.
func AddStep(ctx context.Context, tx pgx.Tx, id int64, version int, in StepInput) error {
	c, err := db.One[Case](ctx, tx, `SELECT `+caseCols+` WHERE c.id = $1 FOR UPDATE OF c`, id)
	if err != nil {
		return fmt.Errorf("disposal: step %d: %w", id, err)
	}
	if c.Version != version {
		return fmt.Errorf("disposal: step %d: %w", id, apperr.ErrConflict)
	}
	if c.Status != "open" || !slices.Contains(Next(c.Last(), c.Ground), in.Step) {
		return fmt.Errorf("disposal: step %s after %q: %w", in.Step, c.Last(), ErrOrder)
	}
	if c.LastOn != nil && in.DoneOn.Before(*c.LastOn) {
		return fmt.Errorf("disposal: step %d before the latest step: %w", id, apperr.ErrInvalid)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO disposal_steps (case_id, step, done_on, document, deadline, notes) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, in.Step, in.DoneOn, in.Document, in.Deadline, in.Notes); err != nil {
		return fmt.Errorf("disposal: step %d: %w", id, err)
	}
	closing := ""
	switch in.Step {
	case "corrected":
		closing = "corrected"
	case "approved":
		closing = outcomeOf(c.Last())
		if err := member.EndMembership(ctx, tx, c.MemberID, "struck_off", in.DoneOn, fmt.Sprintf("处置不合格党员（%s）%s", closing, in.Document)); err != nil {
			return err
		}
	}
	if closing != "" {
		_, err = tx.Exec(ctx, `UPDATE disposal_cases SET status = 'closed', outcome = $2, closed_on = $3, version = version + 1 WHERE id = $1`, id, closing, in.DoneOn)
	} else {
		_, err = tx.Exec(ctx, `UPDATE disposal_cases SET version = version + 1 WHERE id = $1`, id)
	}
	if err != nil {
		return fmt.Errorf("disposal: step %d: %w", id, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "disposal.step", Entity: "disposal_case", EntityID: id,
		After: map[string]any{"step": in.Step, "done_on": in.DoneOn.Format("2006-01-02"), "document": in.Document, "deadline": in.Deadline, "outcome": closing}})
}

// Todos lists, for the workbench, the open cases of the organisations
// whose correction deadline falls within 30 days or has passed, and those
// whose branch decision waits for the higher committee's approval.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	cs, err := db.Rows[Case](ctx, q, `SELECT `+caseCols+` WHERE c.branch_id = ANY($1::bigint[]) AND c.status = 'open'
   AND ((l.step = 'correction' AND l.deadline <= $2::date + 30) OR l.step IN ('persuade', 'remove', 'remove_left'))
 ORDER BY c.id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("disposal: todos: %w", err)
	}
	out := make([]todo.Item, 0, len(cs))
	for _, c := range cs {
		it := todo.Item{Area: "disposal", URL: fmt.Sprintf("/disposals/%d", c.ID), Cite: CiteSteps}
		if c.Last() == "correction" {
			it.Title = i18n.T(ctx, "disposal.todo.deadline", c.MemberName)
			it.Due, it.Overdue = *c.Deadline, c.Deadline.Before(today)
		} else {
			it.Title = i18n.T(ctx, "disposal.todo.approve", c.MemberName)
		}
		out = append(out, it)
	}
	return out, nil
}

// Store makes the disposal changes, each in its own transaction.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Open opens a case.
func (s *Store) Open(ctx context.Context, memberID, branchID int64, ground string, on time.Time) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Open(ctx, tx, memberID, branchID, ground, on) })
}

// AddStep records a step.
func (s *Store) AddStep(ctx context.Context, id int64, version int, in StepInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return AddStep(ctx, tx, id, version, in) })
}
