// Package grades is the committee's yearly grading of its branches
// (分类定级): a grade from a list kept as data, with the branch's
// compliance facts beside the form and a required reason; a consolidation
// plan (整顿) for a branch graded weak, with measures, deadlines, the
// committee member who follows it and progress notes; and the branch
// secretaries' annual reports on their Party work (述职评议) with the
// committee's rating.
package grades

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
)

// Level is one grade of the agency's list (grade_levels).
type Level struct {
	Code    string
	LabelZh string
	LabelEn string
	Weak    bool
}

// Label is the grade's name in the request's language.
func (l Level) Label(ctx context.Context) string {
	if i18n.LangOf(ctx) == i18n.EN {
		return l.LabelEn
	}
	return l.LabelZh
}

// Levels lists the grades in use, best first.
func Levels(ctx context.Context, q db.Querier) ([]Level, error) {
	out, err := db.Rows[Level](ctx, q, `SELECT code, label_zh, label_en, weak FROM grade_levels WHERE active ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("grades: levels: %w", err)
	}
	return out, nil
}

// Grade is a branch's grade of one year.
type Grade struct {
	ID         int64
	OrgID      int64
	OrgName    string
	OrgPath    []int64
	Year       int
	Grade      string
	LabelZh    string
	LabelEn    string
	Weak       bool
	Assessment string
	Reason     string
	GradedOn   time.Time
	Version    int
	PlanID     *int64
}

// Label is the grade's name in the request's language.
func (g Grade) Label(ctx context.Context) string {
	return Level{LabelZh: g.LabelZh, LabelEn: g.LabelEn}.Label(ctx)
}

const gradeCols = `g.id, g.org_id, o.name AS org_name, o.path AS org_path, g.year, g.grade, l.label_zh, l.label_en, l.weak,
       g.assessment, g.reason, g.graded_on, g.version, p.id AS plan_id`

const gradeFrom = `
  FROM branch_grades g JOIN organisations o ON o.id = g.org_id JOIN grade_levels l ON l.code = g.grade
  LEFT JOIN consolidation_plans p ON p.grade_id = g.id`

// GradesIn lists the grades of the years given for the organisations
// inside roots.
func GradesIn(ctx context.Context, q db.Querier, roots []int64, years []int) ([]Grade, error) {
	out, err := db.Rows[Grade](ctx, q, `SELECT `+gradeCols+gradeFrom+`
 WHERE o.path && $1::bigint[] AND g.year = ANY($2::int[]) ORDER BY o.path, g.year`, roots, years)
	if err != nil {
		return nil, fmt.Errorf("grades: list: %w", err)
	}
	return out, nil
}

// History lists a branch's grades, newest first.
func History(ctx context.Context, q db.Querier, orgID int64) ([]Grade, error) {
	out, err := db.Rows[Grade](ctx, q, `SELECT `+gradeCols+gradeFrom+` WHERE g.org_id = $1 ORDER BY g.year DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("grades: history of %d: %w", orgID, err)
	}
	return out, nil
}

// LoadGrade reads one grade.
func LoadGrade(ctx context.Context, q db.Querier, id int64) (Grade, error) {
	out, err := db.One[Grade](ctx, q, `SELECT `+gradeCols+gradeFrom+` WHERE g.id = $1`, id)
	if err != nil {
		return Grade{}, fmt.Errorf("grades: grade %d: %w", id, err)
	}
	return out, nil
}

// Person is a member who may follow a consolidation plan: a member who
// reviews for the committee.
type Person struct {
	ID   int64
	Name string
}

// Followers lists the members with the reviewer role on the committee.
func Followers(ctx context.Context, q db.Querier, committee int64) ([]Person, error) {
	out, err := db.Rows[Person](ctx, q, `SELECT DISTINCT m.id, m.name FROM account_roles r JOIN accounts a ON a.id = r.account_id
  JOIN members m ON m.id = a.member_id
 WHERE r.role = 'reviewer' AND r.org_id = $1 AND a.disabled_at IS NULL ORDER BY m.name, m.id`, committee)
	if err != nil {
		return nil, fmt.Errorf("grades: followers: %w", err)
	}
	return out, nil
}

// GradeInput is a grade to record.
type GradeInput struct {
	OrgID      int64
	Year       int
	Grade      string
	Assessment string
	Reason     string
	On         time.Time
	AccountID  int64
	Version    int // 0 for a new grade
	// the consolidation plan of a weak grade
	FollowerID int64
	Goal       string
}

// SaveGrade records (or changes) a branch's grade of a year; a weak grade
// opens its consolidation plan in the same transaction when it has none.
func SaveGrade(ctx context.Context, tx pgx.Tx, in GradeInput) (int64, error) {
	var weak bool
	if err := tx.QueryRow(ctx, `SELECT weak FROM grade_levels WHERE code = $1 AND active`, in.Grade).Scan(&weak); err != nil {
		return 0, fmt.Errorf("grades: level %q: %w", in.Grade, apperr.ErrInvalid)
	}
	acct := nullID(in.AccountID)
	var id int64
	var err error
	if in.Version == 0 {
		err = tx.QueryRow(ctx, `INSERT INTO branch_grades (org_id, year, grade, assessment, reason, graded_on, graded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (org_id, year) DO NOTHING RETURNING id`,
			in.OrgID, in.Year, in.Grade, in.Assessment, in.Reason, in.On, acct).Scan(&id)
	} else {
		err = tx.QueryRow(ctx, `UPDATE branch_grades SET grade = $3, assessment = $4, reason = $5, graded_on = $6, graded_by = $7, version = version + 1
 WHERE org_id = $1 AND year = $2 AND version = $8 RETURNING id`,
			in.OrgID, in.Year, in.Grade, in.Assessment, in.Reason, in.On, acct, in.Version).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("grades: grade %d/%d changed meanwhile: %w", in.OrgID, in.Year, apperr.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("grades: save grade: %w", err)
	}
	if weak {
		if _, err := tx.Exec(ctx, `INSERT INTO consolidation_plans (grade_id, follower_id, goal, created_on) VALUES ($1, $2, $3, $4)
 ON CONFLICT (grade_id) DO UPDATE SET follower_id = excluded.follower_id, goal = excluded.goal`, id, in.FollowerID, in.Goal, in.On); err != nil {
			return 0, fmt.Errorf("grades: consolidation plan: %w", err)
		}
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "grade.save", Entity: "branch_grade", EntityID: id, After: in})
}

func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// Plan is a consolidation plan with its grade.
type Plan struct {
	ID           int64
	GradeID      int64
	OrgID        int64
	OrgName      string
	OrgPath      []int64
	Year         int
	FollowerID   int64
	FollowerName string
	Goal         string
	CreatedOn    time.Time
	ClosedOn     *time.Time
}

// LoadPlan reads a consolidation plan.
func LoadPlan(ctx context.Context, q db.Querier, id int64) (Plan, error) {
	out, err := db.One[Plan](ctx, q, `SELECT p.id, p.grade_id, g.org_id, o.name AS org_name, o.path AS org_path, g.year, p.follower_id, m.name AS follower_name,
       p.goal, p.created_on, p.closed_on
  FROM consolidation_plans p JOIN branch_grades g ON g.id = p.grade_id JOIN organisations o ON o.id = g.org_id
  JOIN members m ON m.id = p.follower_id WHERE p.id = $1`, id)
	if err != nil {
		return Plan{}, fmt.Errorf("grades: plan %d: %w", id, err)
	}
	return out, nil
}

// Measure is one measure of a consolidation plan.
type Measure struct {
	ID      int64
	Measure string
	Owner   string
	DueOn   time.Time
	DoneOn  *time.Time
}

// Overdue reports a measure not done after its deadline; on the deadline
// itself it is not late yet.
func (m Measure) Overdue(today time.Time) bool { return MeasureOverdue(m.DueOn, m.DoneOn, today) }

// MeasureOverdue reports a measure not done by today past its due day.
func MeasureOverdue(due time.Time, done *time.Time, today time.Time) bool {
	return done == nil && today.After(due)
}

// Measures lists a plan's measures by deadline.
func Measures(ctx context.Context, q db.Querier, planID int64) ([]Measure, error) {
	out, err := db.Rows[Measure](ctx, q, `SELECT id, measure, owner, due_on, done_on FROM consolidation_measures WHERE plan_id = $1 ORDER BY due_on, id`, planID)
	if err != nil {
		return nil, fmt.Errorf("grades: measures of %d: %w", planID, err)
	}
	return out, nil
}

// Note is a progress note of a plan.
type Note struct {
	ID      int64
	NotedOn time.Time
	Note    string
	By      string
}

// Notes lists a plan's progress notes, newest first.
func Notes(ctx context.Context, q db.Querier, planID int64) ([]Note, error) {
	out, err := db.Rows[Note](ctx, q, `SELECT n.id, n.noted_on, n.note, coalesce(a.display_name, '') AS by
  FROM consolidation_notes n LEFT JOIN accounts a ON a.id = n.by_account WHERE n.plan_id = $1 ORDER BY n.noted_on DESC, n.id DESC`, planID)
	if err != nil {
		return nil, fmt.Errorf("grades: notes of %d: %w", planID, err)
	}
	return out, nil
}

// openPlan holds a plan open for a change in tx (a share lock, which a
// closing waits for): ErrConflict once it is closed.
func openPlan(ctx context.Context, tx pgx.Tx, planID int64) error {
	var closed *time.Time
	if err := tx.QueryRow(ctx, `SELECT closed_on FROM consolidation_plans WHERE id = $1 FOR SHARE`, planID).Scan(&closed); err != nil {
		return fmt.Errorf("grades: plan %d: %w", planID, err)
	}
	if closed != nil {
		return fmt.Errorf("grades: plan %d closed: %w", planID, apperr.ErrConflict)
	}
	return nil
}

// AddMeasure adds a measure to a plan.
func AddMeasure(ctx context.Context, tx pgx.Tx, planID int64, m Measure) (int64, error) {
	if err := openPlan(ctx, tx, planID); err != nil {
		return 0, err
	}
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO consolidation_measures (plan_id, measure, owner, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
		planID, m.Measure, m.Owner, m.DueOn).Scan(&id); err != nil {
		return 0, fmt.Errorf("grades: add measure: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "consolidation.measure", Entity: "consolidation_plan", EntityID: planID, After: m})
}

// MeasureDone marks a measure of the plan done on a day.
func MeasureDone(ctx context.Context, tx pgx.Tx, planID, measureID int64, on time.Time) error {
	if err := openPlan(ctx, tx, planID); err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE consolidation_measures SET done_on = $3 WHERE id = $1 AND plan_id = $2 AND done_on IS NULL`, measureID, planID, on)
	if err != nil {
		return fmt.Errorf("grades: measure %d done: %w", measureID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("grades: measure %d done: %w", measureID, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "consolidation.done", Entity: "consolidation_plan", EntityID: planID,
		After: map[string]any{"measure": measureID, "done_on": on.Format(time.DateOnly)}})
}

// AddNote adds a progress note to a plan.
func AddNote(ctx context.Context, tx pgx.Tx, planID int64, on time.Time, note string, accountID int64) (int64, error) {
	if err := openPlan(ctx, tx, planID); err != nil {
		return 0, err
	}
	return addNote(ctx, tx, planID, on, note, accountID)
}

func addNote(ctx context.Context, tx pgx.Tx, planID int64, on time.Time, note string, accountID int64) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO consolidation_notes (plan_id, noted_on, note, by_account) VALUES ($1, $2, $3, $4) RETURNING id`,
		planID, on, note, nullID(accountID)).Scan(&id); err != nil {
		return 0, fmt.Errorf("grades: add note: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "consolidation.note", Entity: "consolidation_plan", EntityID: planID, After: map[string]any{"note": note}})
}

// ClosePlan ends a consolidation plan on a day (整顿结束), once it has
// measures and every one is done, with the committee's closing note kept
// as its last progress note; a closed plan takes no more measures or
// notes. ErrConflict when it is closed already or a measure is open.
func ClosePlan(ctx context.Context, tx pgx.Tx, planID int64, on time.Time, note string, accountID int64) error {
	tag, err := tx.Exec(ctx, `UPDATE consolidation_plans p SET closed_on = $2
 WHERE p.id = $1 AND p.closed_on IS NULL AND p.created_on <= $2
   AND EXISTS (SELECT 1 FROM consolidation_measures m WHERE m.plan_id = p.id)
   AND NOT EXISTS (SELECT 1 FROM consolidation_measures m WHERE m.plan_id = p.id AND m.done_on IS NULL)`, planID, on)
	if err != nil {
		return fmt.Errorf("grades: close plan %d: %w", planID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("grades: close plan %d: %w", planID, apperr.ErrConflict)
	}
	if _, err := addNote(ctx, tx, planID, on, note, accountID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{Action: "consolidation.close", Entity: "consolidation_plan", EntityID: planID,
		After: map[string]any{"closed_on": on.Format(time.DateOnly), "note": note}})
}

// Store runs the grading changes, each in its own transaction.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// SaveGrade records a grade (and the plan of a weak one).
func (s *Store) SaveGrade(ctx context.Context, in GradeInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return SaveGrade(ctx, tx, in) })
}

// AddMeasure adds a measure.
func (s *Store) AddMeasure(ctx context.Context, planID int64, m Measure) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return AddMeasure(ctx, tx, planID, m) })
}

// MeasureDone marks a measure done.
func (s *Store) MeasureDone(ctx context.Context, planID, measureID int64, on time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return MeasureDone(ctx, tx, planID, measureID, on) })
}

// AddNote adds a progress note.
func (s *Store) AddNote(ctx context.Context, planID int64, on time.Time, note string, accountID int64) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return AddNote(ctx, tx, planID, on, note, accountID) })
}

// ClosePlan ends a plan.
func (s *Store) ClosePlan(ctx context.Context, planID int64, on time.Time, note string, accountID int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return ClosePlan(ctx, tx, planID, on, note, accountID) })
}
