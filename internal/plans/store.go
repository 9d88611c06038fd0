// Package plans is the year's work plan (总体规划): a committee publishes
// its key points (工作要点) as tasks to the branches of its subtree, each
// branch answers its tasks with evidence (one of its meetings, a note, a
// short report), and the committee accepts or returns each answer and
// reminds the late ones. A branch adds its own plan items under the
// committee's.
package plans

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/upload"
)

// The states of an answer. Overdue is not stored: an answer still to do
// (open or returned) after its task's due day is shown as overdue.
const (
	Open     = "open"
	Answered = "answered"
	Accepted = "accepted"
	Returned = "returned"
	Overdue  = "overdue"
)

// Targets are the ways a committee names the branches that must answer.
var Targets = []string{"all", "kind", "list"}

// TargetKinds are the organisation kinds a task may go to.
var TargetKinds = []string{"branch", "general_branch"}

// DoneBy lists what may count as done.
var DoneBy = []string{"meeting", "document", "report"}

// IsOverdue reports whether an answer in state is late on today: still to
// do after the task's due day. On the due day itself it is not late yet.
func IsOverdue(state string, due, today time.Time) bool {
	return (state == Open || state == Returned) && today.After(due)
}

// Shown is the state to show on today: the stored one, or Overdue.
func Shown(state string, due, today time.Time) string {
	if IsOverdue(state, due, today) {
		return Overdue
	}
	return state
}

// AnsweredLate reports an answer given after the due day: it is kept, and
// marked late.
func AnsweredLate(answeredOn *time.Time, due time.Time) bool {
	return answeredOn != nil && answeredOn.After(due)
}

// Task is one plan task with its answers counted by state.
type Task struct {
	ID          int64
	OrgID       int64
	OrgName     string
	OrgPath     []int64
	ParentID    *int64
	ParentTitle *string
	Year        int
	Title       string
	Description string
	DueOn       time.Time
	Target      string
	TargetKind  *string
	DoneBy      string
	MeetingKind *string
	Total       int
	NOpen       int
	NAnswered   int
	NAccepted   int
	NReturned   int
}

// Own reports whether the task is a branch's own item.
func (t Task) Own() bool { return t.Target == "self" }

// Done counts the answers accepted (for a branch's own item, answered).
func (t Task) Done() int {
	if t.Own() {
		return t.NAccepted + t.NAnswered
	}
	return t.NAccepted
}

const taskCols = `t.id, t.org_id, o.name AS org_name, o.path AS org_path, t.parent_id, p.title AS parent_title, t.year, t.title, t.description, t.due_on,
       t.target, t.target_kind, t.done_by, t.meeting_kind`

// countCols count a task's answers inside the roots ($1).
const countCols = `,
       count(a.id)::int AS total,
       count(a.id) FILTER (WHERE a.state = 'open')::int AS n_open,
       count(a.id) FILTER (WHERE a.state = 'answered')::int AS n_answered,
       count(a.id) FILTER (WHERE a.state = 'accepted')::int AS n_accepted,
       count(a.id) FILTER (WHERE a.state = 'returned')::int AS n_returned`

const tasksSQL = `SELECT ` + taskCols + countCols + `
  FROM plan_tasks t JOIN organisations o ON o.id = t.org_id
  LEFT JOIN plan_tasks p ON p.id = t.parent_id
  JOIN plan_answers a ON a.task_id = t.id
  JOIN organisations ao ON ao.id = a.org_id AND ao.path && $1::bigint[]
 WHERE t.year = $2
 GROUP BY t.id, o.id, p.id
 ORDER BY coalesce(t.parent_id, t.id), t.parent_id NULLS FIRST, t.due_on, t.id`

// Tasks lists the tasks of a year that the organisations inside roots must
// answer (a committee: every task of its subtree; a branch: its own),
// each with its answers inside roots counted; a branch's own items follow
// the committee task they hang under.
func Tasks(ctx context.Context, q db.Querier, roots []int64, year int) ([]Task, error) {
	out, err := db.Rows[Task](ctx, q, tasksSQL, roots, year)
	if err != nil {
		return nil, fmt.Errorf("plans: tasks %d: %w", year, err)
	}
	return out, nil
}

// TasksPage is one page of Tasks, with the number of tasks in all.
func TasksPage(ctx context.Context, q db.Querier, roots []int64, year, limit, offset int) ([]Task, int, error) {
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (`+tasksSQL+`) x`, roots, year).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("plans: count tasks %d: %w", year, err)
	}
	out, err := db.Rows[Task](ctx, q, tasksSQL+` LIMIT $3 OFFSET $4`, roots, year, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("plans: tasks %d: %w", year, err)
	}
	return out, total, nil
}

// MemberBranch is the branch of a member (0 when none): a member without
// a role reads the plan of their branch.
func MemberBranch(ctx context.Context, q db.Querier, memberID int64) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT branch_id FROM members WHERE id = $1`, memberID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("plans: branch of member %d: %w", memberID, err)
	}
	return id, nil
}

// LoadTask reads one task with its answers inside roots counted.
func LoadTask(ctx context.Context, q db.Querier, id int64, roots []int64) (Task, error) {
	out, err := db.One[Task](ctx, q, `SELECT `+taskCols+countCols+`
  FROM plan_tasks t JOIN organisations o ON o.id = t.org_id
  LEFT JOIN plan_tasks p ON p.id = t.parent_id
  LEFT JOIN (plan_answers a JOIN organisations ao ON ao.id = a.org_id AND ao.path && $1::bigint[]) ON a.task_id = t.id
 WHERE t.id = $2 GROUP BY t.id, o.id, p.id`, roots, id)
	if err != nil {
		return Task{}, fmt.Errorf("plans: task %d: %w", id, err)
	}
	return out, nil
}

// Answer is one branch's answer to a task, with the task it answers.
type Answer struct {
	ID            int64
	TaskID        int64
	OrgID         int64
	OrgName       string
	OrgPath       []int64
	State         string
	MeetingID     *int64
	MeetingTopic  *string
	Note          string
	Link          string
	AnsweredOn    *time.Time
	ReviewComment string
	ReviewedOn    *time.Time
	Version       int
	Reminders     int
	LastReminded  *time.Time
	TaskTitle     string
	TaskDesc      string
	TaskYear      int
	DueOn         time.Time
	DoneBy        string
	MeetingKind   *string
	Own           bool
	IssuerPath    []int64
}

// Shown is the answer's state on today.
func (a Answer) Shown(today time.Time) string { return Shown(a.State, a.DueOn, today) }

// Late reports an answer given after the due day.
func (a Answer) Late() bool { return AnsweredLate(a.AnsweredOn, a.DueOn) }

const answerCols = `a.id, a.task_id, a.org_id, o.name AS org_name, o.path AS org_path, a.state, a.meeting_id, m.topic AS meeting_topic,
       a.note, a.link, a.answered_on, a.review_comment, a.reviewed_on, a.version,
       (SELECT count(*)::int FROM plan_reminders r WHERE r.answer_id = a.id) AS reminders,
       (SELECT max(r.reminded_on) FROM plan_reminders r WHERE r.answer_id = a.id) AS last_reminded,
       t.title AS task_title, t.description AS task_desc, t.year AS task_year, t.due_on, t.done_by, t.meeting_kind, (t.target = 'self') AS own,
       io.path AS issuer_path`

const answerFrom = `
  FROM plan_answers a JOIN organisations o ON o.id = a.org_id
  JOIN plan_tasks t ON t.id = a.task_id JOIN organisations io ON io.id = t.org_id
  LEFT JOIN meetings m ON m.id = a.meeting_id`

// Answers lists the answers to a task from organisations inside roots,
// in the tree's order.
func Answers(ctx context.Context, q db.Querier, taskID int64, roots []int64) ([]Answer, error) {
	out, err := db.Rows[Answer](ctx, q, `SELECT `+answerCols+answerFrom+`
 WHERE a.task_id = $1 AND o.path && $2::bigint[] ORDER BY o.path, a.id`, taskID, roots)
	if err != nil {
		return nil, fmt.Errorf("plans: answers of %d: %w", taskID, err)
	}
	return out, nil
}

// YearAnswers lists every answer of a year's tasks from organisations
// inside roots: the matrix's cells.
func YearAnswers(ctx context.Context, q db.Querier, roots []int64, year int) ([]Answer, error) {
	out, err := db.Rows[Answer](ctx, q, `SELECT `+answerCols+answerFrom+`
 WHERE t.year = $1 AND o.path && $2::bigint[] ORDER BY o.path, t.due_on, t.id`, year, roots)
	if err != nil {
		return nil, fmt.Errorf("plans: answers of %d: %w", year, err)
	}
	return out, nil
}

// LoadAnswer reads one answer.
func LoadAnswer(ctx context.Context, q db.Querier, id int64) (Answer, error) {
	out, err := db.One[Answer](ctx, q, `SELECT `+answerCols+answerFrom+` WHERE a.id = $1`, id)
	if err != nil {
		return Answer{}, fmt.Errorf("plans: answer %d: %w", id, err)
	}
	return out, nil
}

// Org is an organisation a task may go to.
type Org struct {
	ID   int64
	Name string
	Kind string
	Path []int64
}

// Orgs lists the open branches and general branches below root, in the
// tree's order: the targets a committee may name.
func Orgs(ctx context.Context, q db.Querier, root int64) ([]Org, error) {
	out, err := db.Rows[Org](ctx, q, `SELECT id, name, kind, path FROM organisations
 WHERE path @> ARRAY[$1::bigint] AND id <> $1 AND kind IN ('branch', 'general_branch') AND dissolved_on IS NULL ORDER BY path`, root)
	if err != nil {
		return nil, fmt.Errorf("plans: orgs of %d: %w", root, err)
	}
	return out, nil
}

// TaskInput is a task to publish.
type TaskInput struct {
	OrgID       int64
	ParentID    *int64
	Year        int
	Title       string
	Description string
	DueOn       time.Time
	Target      string
	TargetKind  *string
	List        []int64
	DoneBy      string
	MeetingKind *string
	AccountID   int64
}

// ErrNoTargets is a task that names no branch of the subtree.
var ErrNoTargets = fmt.Errorf("no branch to answer: %w", apperr.ErrInvalid)

// targets resolves who must answer a task.
func targets(ctx context.Context, tx pgx.Tx, in TaskInput) ([]int64, error) {
	if in.Target == "self" {
		return []int64{in.OrgID}, nil
	}
	orgs, err := Orgs(ctx, tx, in.OrgID)
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, o := range orgs {
		switch {
		case in.Target == "all" && o.Kind == "branch",
			in.Target == "kind" && in.TargetKind != nil && o.Kind == *in.TargetKind,
			in.Target == "list" && slices.Contains(in.List, o.ID):
			out = append(out, o.ID)
		}
	}
	if len(out) == 0 || (in.Target == "list" && len(out) != len(in.List)) {
		return nil, ErrNoTargets
	}
	return out, nil
}

// Publish records a task and one open answer for each branch that must
// answer it, and returns the task's id.
func Publish(ctx context.Context, tx pgx.Tx, in TaskInput) (int64, error) {
	ids, err := targets(ctx, tx, in)
	if err != nil {
		return 0, fmt.Errorf("plans: publish: %w", err)
	}
	var acct *int64
	if in.AccountID != 0 {
		acct = &in.AccountID
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO plan_tasks (org_id, parent_id, year, title, description, due_on, target, target_kind, done_by, meeting_kind, created_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		in.OrgID, in.ParentID, in.Year, in.Title, in.Description, in.DueOn, in.Target, in.TargetKind, in.DoneBy, in.MeetingKind, acct).Scan(&id); err != nil {
		return 0, fmt.Errorf("plans: publish: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO plan_answers (task_id, org_id) SELECT $1, unnest($2::bigint[])`, id, ids); err != nil {
		return 0, fmt.Errorf("plans: publish answers: %w", err)
	}
	after := map[string]any{"task": in, "branches": ids}
	return id, audit.Record(ctx, tx, audit.Event{Action: "plan.publish", Entity: "plan_task", EntityID: id, After: after})
}

// AnswerInput is a branch's answer.
type AnswerInput struct {
	MeetingID *int64
	Note      string
	Link      string
	On        time.Time
	AccountID int64
	Files     []upload.File // evidence files, checked (internal/upload)
}

// ErrNotAnswerable is an answer in a state that cannot be answered again
// (answered and waiting, or accepted).
var ErrNotAnswerable = fmt.Errorf("not open: %w", apperr.ErrConflict)

// Respond records a branch's answer to an open or returned task.
func Respond(ctx context.Context, tx pgx.Tx, id int64, version int, in AnswerInput) error {
	before, err := LoadAnswer(ctx, tx, id)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE plan_answers SET state = 'answered', meeting_id = $3, note = $4, link = $5, answered_on = $6,
       answered_by = NULLIF($7, 0::bigint), version = version + 1
 WHERE id = $1 AND version = $2 AND state IN ('open', 'returned')`, id, version, in.MeetingID, in.Note, in.Link, in.On, in.AccountID)
	if err != nil {
		return fmt.Errorf("plans: answer %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("plans: answer %d: %w", id, ErrNotAnswerable)
	}
	if err := addFiles(ctx, tx, id, in.Files, in.AccountID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{Action: "plan.answer", Entity: "plan_answer", EntityID: id,
		Before: map[string]any{"state": before.State}, After: map[string]any{"state": Answered, "meeting_id": in.MeetingID, "note": in.Note, "link": in.Link}})
}

// Review accepts or returns an answered task with the committee's comment.
func Review(ctx context.Context, tx pgx.Tx, id int64, version int, accept bool, comment string, on time.Time, accountID int64) error {
	state := Returned
	if accept {
		state = Accepted
	}
	tag, err := tx.Exec(ctx, `UPDATE plan_answers SET state = $3, review_comment = $4, reviewed_on = $5, reviewed_by = NULLIF($6, 0::bigint), version = version + 1
 WHERE id = $1 AND version = $2 AND state = 'answered'`, id, version, state, comment, on, accountID)
	if err != nil {
		return fmt.Errorf("plans: review %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("plans: review %d: %w", id, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "plan." + state, Entity: "plan_answer", EntityID: id,
		Before: map[string]any{"state": Answered}, After: map[string]any{"state": state, "comment": comment}})
}

// ErrNotLate is a reminder for an answer that is not overdue.
var ErrNotLate = fmt.Errorf("not overdue: %w", apperr.ErrInvalid)

// Notifier sends a branch's keepers a reminder of a late task inside the
// transaction that records it.
type Notifier func(ctx context.Context, tx pgx.Tx, orgID int64, taskTitle, url, dedupe string) error

// BranchSender sends a note to the keepers of a branch, titled by a
// translation key (notify.Service.NotifyBranch; the server wires it).
type BranchSender func(ctx context.Context, tx pgx.Tx, orgID int64, kind, titleKey string, args []any, url, dedupe string) error

// NotifierOf makes a Notifier of send, with notes of kind.
func NotifierOf(send BranchSender, kind string) Notifier {
	return func(ctx context.Context, tx pgx.Tx, orgID int64, taskTitle, url, dedupe string) error {
		return send(ctx, tx, orgID, kind, "plans.notify.remind", []any{taskTitle}, url, dedupe)
	}
}

// Remind records the committee's reminder to a late branch: it shows on
// the branch's task and its to-do list, and notify (when set) sends it.
func Remind(ctx context.Context, tx pgx.Tx, id int64, today time.Time, accountID int64, notify Notifier) error {
	a, err := LoadAnswer(ctx, tx, id)
	if err != nil {
		return err
	}
	if !IsOverdue(a.State, a.DueOn, today) {
		return fmt.Errorf("plans: remind %d: %w", id, ErrNotLate)
	}
	var rid int64
	if err := tx.QueryRow(ctx, `INSERT INTO plan_reminders (answer_id, reminded_on, by_account) VALUES ($1, $2, NULLIF($3, 0::bigint)) RETURNING id`, id, today, accountID).Scan(&rid); err != nil {
		return fmt.Errorf("plans: remind %d: %w", id, err)
	}
	if notify != nil {
		url := fmt.Sprintf("/plans/answers/%d", id)
		if err := notify(ctx, tx, a.OrgID, a.TaskTitle, url, fmt.Sprintf("plan-remind:%d:%s", id, today.Format(time.DateOnly))); err != nil {
			return fmt.Errorf("plans: remind %d: %w", id, err)
		}
	}
	return audit.Record(ctx, tx, audit.Event{Action: "plan.remind", Entity: "plan_answer", EntityID: id, After: map[string]any{"reminded_on": today.Format(time.DateOnly)}})
}

// Store runs the plan changes, each in its own transaction.
type Store struct {
	pool   *pgxpool.Pool
	notify Notifier
}

// WithNotifier makes reminders send a note through n as well.
func (s *Store) WithNotifier(n Notifier) *Store {
	s.notify = n
	return s
}

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Publish records a task and its answers.
func (s *Store) Publish(ctx context.Context, in TaskInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Publish(ctx, tx, in) })
}

// Respond records a branch's answer.
func (s *Store) Respond(ctx context.Context, id int64, version int, in AnswerInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return Respond(ctx, tx, id, version, in) })
}

// Review accepts or returns an answer.
func (s *Store) Review(ctx context.Context, id int64, version int, accept bool, comment string, on time.Time, accountID int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return Review(ctx, tx, id, version, accept, comment, on, accountID) })
}

// Remind records reminders to the late answers ids, in one transaction.
func (s *Store) Remind(ctx context.Context, ids []int64, today time.Time, accountID int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, id := range ids {
			if err := Remind(ctx, tx, id, today, accountID, s.notify); err != nil {
				return err
			}
		}
		return nil
	})
}
