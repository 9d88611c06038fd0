// Package inspect holds the agency committee's inspections of its branches
// (督促检查): the plan over a set of branches with a checklist prefilled
// from the rules in force, the findings per branch and item, the
// rectification notices issued onto each branch's rectification list
// (internal/life's, which the branch answers), and the closing of each
// finding by the committee.
package inspect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/life"
	"zhibu/internal/rules"
)

// The states of an inspection.
const (
	StatusPlanned    = "planned"
	StatusInProgress = "in_progress"
	StatusIssued     = "findings_issued"
	StatusClosed     = "closed"
)

// Statuses lists the states in their order.
var Statuses = []string{StatusPlanned, StatusInProgress, StatusIssued, StatusClosed}

// Inspection is one planned inspection with its counts.
type Inspection struct {
	ID            int64
	CommitteeID   int64
	CommitteeName string
	Title         string
	StartsOn      time.Time
	EndsOn        time.Time
	Status        string
	IssuedOn      *time.Time
	ClosedOn      *time.Time
	Version       int
	Branches      int
	// Unmet counts the findings not met; Open those issued and not
	// closed; Overdue the open ones past their deadline.
	Unmet   int
	Open    int
	Overdue int
}

// Item is one line of an inspection's checklist.
type Item struct {
	ID       int64
	Position int
	Title    string
	Source   string
	RuleCode *string
}

// Branch is an inspected branch with how many checklist items have a
// finding recorded.
type Branch struct {
	ID       int64
	Name     string
	Path     []int64
	Recorded int
}

// Finding is what the committee found about one checklist item at one
// branch, with the rectification notice issued for it.
type Finding struct {
	ID              int64
	BranchID        int64
	BranchName      string
	ItemID          int64
	ItemTitle       string
	ItemSource      string
	Met             bool
	Note            string
	RectificationID *int64
	RectStatus      *string
	RectEvidence    *string
	Deadline        *time.Time
	ClosedOn        *time.Time
	ClosingNote     string
	Version         int
}

// Overdue reports whether an issued finding is still open after its
// deadline: the deadline day itself is still on time.
func Overdue(deadline, closedOn *time.Time, today time.Time) bool {
	return deadline != nil && closedOn == nil && deadline.Before(today)
}

// IsOverdue reports whether the finding is open past its deadline.
func (f Finding) IsOverdue(today time.Time) bool { return Overdue(f.Deadline, f.ClosedOn, today) }

// Answered reports whether the branch has marked its rectification done.
func (f Finding) Answered() bool { return f.RectStatus != nil && *f.RectStatus == "done" }

// inScope selects the inspections with a branch in the read roots $1.
const inScope = `EXISTS (SELECT 1 FROM inspection_branches sb JOIN organisations so ON so.id = sb.branch_id
 WHERE sb.inspection_id = i.id AND so.path && $1::bigint[])`

// countsCols counts per inspection; $2 is today.
const inspectionCols = `i.id, i.committee_id, c.name AS committee_name, i.title, i.starts_on, i.ends_on, i.status, i.issued_on, i.closed_on, i.version,
 (SELECT count(*) FROM inspection_branches b WHERE b.inspection_id = i.id)::int AS branches,
 (SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = i.id AND NOT f.met)::int AS unmet,
 (SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = i.id AND f.rectification_id IS NOT NULL AND f.closed_on IS NULL)::int AS open,
 (SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = i.id AND f.rectification_id IS NOT NULL AND f.closed_on IS NULL AND f.deadline < $2::date)::int AS overdue`

// Filter narrows the list.
type Filter struct {
	Status string
	Limit  int
	Offset int
}

// List returns a page of the inspections reaching a branch in scope s,
// newest first, and the total.
func List(ctx context.Context, q db.Querier, s auth.Scope, f Filter, today time.Time) ([]Inspection, int, error) {
	where := ` FROM inspections i JOIN organisations c ON c.id = i.committee_id WHERE ` + inScope + ` AND ($3 = '' OR i.status = $3)`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+where+` AND $2::date IS NOT NULL`, s.ReadRoots(), today, f.Status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("inspect: count: %w", err)
	}
	out, err := db.Rows[Inspection](ctx, q, `SELECT `+inspectionCols+where+` ORDER BY i.starts_on DESC, i.id DESC LIMIT $4 OFFSET $5`,
		s.ReadRoots(), today, f.Status, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("inspect: list: %w", err)
	}
	return out, total, nil
}

// Get loads one inspection reaching a branch in scope s; ErrNotFound
// otherwise.
func Get(ctx context.Context, q db.Querier, s auth.Scope, id int64, today time.Time) (Inspection, error) {
	out, err := db.One[Inspection](ctx, q, `SELECT `+inspectionCols+` FROM inspections i JOIN organisations c ON c.id = i.committee_id
 WHERE `+inScope+` AND i.id = $3`, s.ReadRoots(), today, id)
	if err != nil {
		return Inspection{}, fmt.Errorf("inspect: get %d: %w", id, err)
	}
	return out, nil
}

// CanManage reports whether the scope's user runs the inspection: a
// reviewer of the committee that planned it.
func CanManage(s auth.Scope, in Inspection) bool {
	return s.Committee() != 0 && s.Committee() == in.CommitteeID
}

// Items lists an inspection's checklist.
func Items(ctx context.Context, q db.Querier, id int64) ([]Item, error) {
	out, err := db.Rows[Item](ctx, q, `SELECT id, position, title, source, rule_code FROM inspection_items WHERE inspection_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("inspect: items of %d: %w", id, err)
	}
	return out, nil
}

// Branches lists the inspected branches inside scope s.
func Branches(ctx context.Context, q db.Querier, s auth.Scope, id int64) ([]Branch, error) {
	out, err := db.Rows[Branch](ctx, q, `SELECT o.id, o.name, o.path,
 (SELECT count(*) FROM inspection_findings f WHERE f.inspection_id = b.inspection_id AND f.branch_id = b.branch_id)::int AS recorded
  FROM inspection_branches b JOIN organisations o ON o.id = b.branch_id
 WHERE b.inspection_id = $1 AND o.path && $2::bigint[] ORDER BY o.path`, id, s.ReadRoots())
	if err != nil {
		return nil, fmt.Errorf("inspect: branches of %d: %w", id, err)
	}
	return out, nil
}

const findingCols = `f.id, f.branch_id, o.name AS branch_name, f.item_id, it.title AS item_title, it.source AS item_source, f.met, f.note,
 f.rectification_id, r.status AS rect_status, r.evidence AS rect_evidence, f.deadline, f.closed_on, f.closing_note, f.version`

const findingFrom = ` FROM inspection_findings f JOIN organisations o ON o.id = f.branch_id
  JOIN inspection_items it ON it.id = f.item_id
  LEFT JOIN rectification_items r ON r.id = f.rectification_id`

// Findings lists an inspection's findings at the branches inside scope s
// (branchID 0: every such branch), by branch and checklist order.
func Findings(ctx context.Context, q db.Querier, s auth.Scope, id, branchID int64) ([]Finding, error) {
	out, err := db.Rows[Finding](ctx, q, `SELECT `+findingCols+findingFrom+`
 WHERE f.inspection_id = $1 AND o.path && $2::bigint[] AND ($3 = 0 OR f.branch_id = $3) ORDER BY o.path, it.position`, id, s.ReadRoots(), branchID)
	if err != nil {
		return nil, fmt.Errorf("inspect: findings of %d: %w", id, err)
	}
	return out, nil
}

// GetFinding loads one finding of an inspection at a branch in scope s.
func GetFinding(ctx context.Context, q db.Querier, s auth.Scope, inspectionID, id int64) (Finding, error) {
	out, err := db.One[Finding](ctx, q, `SELECT `+findingCols+findingFrom+`
 WHERE f.inspection_id = $1 AND f.id = $2 AND o.path && $3::bigint[]`, inspectionID, id, s.ReadRoots())
	if err != nil {
		return Finding{}, fmt.Errorf("inspect: finding %d: %w", id, err)
	}
	return out, nil
}

// Candidate is a branch the committee may inspect.
type Candidate struct {
	ID   int64
	Name string
}

// Candidates lists the committee's branches still in being.
func Candidates(ctx context.Context, q db.Querier, committeeID int64) ([]Candidate, error) {
	out, err := db.Rows[Candidate](ctx, q, `SELECT id, name FROM organisations
 WHERE kind = 'branch' AND dissolved_on IS NULL AND $1 = ANY (path) ORDER BY path`, committeeID)
	if err != nil {
		return nil, fmt.Errorf("inspect: candidates of %d: %w", committeeID, err)
	}
	return out, nil
}

// ChecklistItem is a checklist line offered when planning.
type ChecklistItem struct {
	Code   string
	Title  string
	Source string
}

// Checklist prefills a checklist from the branch rules in force on day d
// for the committee's subtree: the versions its organisation or one above
// it set (rules.Resolver), else the agency's defaults.
func Checklist(ctx context.Context, q db.Querier, committeeID int64, d time.Time) ([]ChecklistItem, error) {
	res, paths, err := rules.LoadFor(ctx, q, []int64{committeeID})
	if err != nil {
		return nil, err
	}
	var out []ChecklistItem
	for _, r := range rules.Versions(res.For(paths[committeeID]), d) {
		if r.AppliesTo != "branch" {
			continue
		}
		out = append(out, ChecklistItem{Code: r.Code, Title: r.Title, Source: r.Source})
	}
	return out, nil
}

// BranchSources returns, by rule code, the source of each rule version in
// force on day d for a branch (its subtree's override, else the default):
// a branch under an organisation with a rule of its own is inspected
// against that version, whatever the checklist's line cites.
func BranchSources(ctx context.Context, q db.Querier, branchID int64, d time.Time) (map[string]string, error) {
	res, paths, err := rules.LoadFor(ctx, q, []int64{branchID})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, r := range rules.Versions(res.For(paths[branchID]), d) {
		out[r.Code] = r.Source
	}
	return out, nil
}

// Plan is a new inspection.
type Plan struct {
	Title    string
	StartsOn time.Time
	EndsOn   time.Time
	Branches []int64
	Items    []ChecklistItem
}

// Store makes the inspection changes, each in its own transaction.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create plans an inspection by the committee and returns its id. Every
// branch must be one of the committee's.
func (s *Store) Create(ctx context.Context, committeeID int64, p Plan) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM organisations
 WHERE id = ANY ($1::bigint[]) AND kind = 'branch' AND dissolved_on IS NULL AND $2 = ANY (path)`, p.Branches, committeeID).Scan(&n); err != nil {
			return 0, fmt.Errorf("inspect: check branches: %w", err)
		}
		if n != len(p.Branches) || n == 0 {
			return 0, fmt.Errorf("inspect: a branch outside committee %d: %w", committeeID, apperr.ErrInvalid)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO inspections (committee_id, title, starts_on, ends_on) VALUES ($1, $2, $3, $4) RETURNING id`,
			committeeID, p.Title, p.StartsOn, p.EndsOn).Scan(&id); err != nil {
			return 0, fmt.Errorf("inspect: create: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO inspection_branches (inspection_id, branch_id) SELECT $1, unnest($2::bigint[])`, id, p.Branches); err != nil {
			return 0, fmt.Errorf("inspect: branches: %w", err)
		}
		for i, it := range p.Items {
			var code *string
			if it.Code != "" {
				code = &it.Code
			}
			if _, err := tx.Exec(ctx, `INSERT INTO inspection_items (inspection_id, position, title, source, rule_code) VALUES ($1, $2, $3, $4, $5)`,
				id, i+1, it.Title, it.Source, code); err != nil {
				return 0, fmt.Errorf("inspect: item: %w", err)
			}
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "inspection.create", Entity: "inspection", EntityID: id, After: p})
	})
}

// FindingInput is one recorded finding.
type FindingInput struct {
	ItemID int64
	Met    bool
	Note   string
}

// lock takes the inspection's row lock and checks its state and version.
func lock(ctx context.Context, tx pgx.Tx, id int64, version int, states ...string) error {
	var status string
	var v int
	err := tx.QueryRow(ctx, `SELECT status, version FROM inspections WHERE id = $1 FOR UPDATE`, id).Scan(&status, &v)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("inspect: %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("inspect: lock %d: %w", id, err)
	}
	if (version != 0 && v != version) || !contains(states, status) {
		return fmt.Errorf("inspect: %d is %s at version %d: %w", id, status, v, apperr.ErrConflict)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// SaveFindings records the findings at one branch, item by item, while
// the inspection is planned or in progress; the first moves it in progress.
func (s *Store) SaveFindings(ctx context.Context, in Inspection, branchID int64, fs []FindingInput) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		if err := lock(ctx, tx, in.ID, 0, StatusPlanned, StatusInProgress); err != nil {
			return struct{}{}, err
		}
		for _, f := range fs {
			tag, err := tx.Exec(ctx, `INSERT INTO inspection_findings (inspection_id, branch_id, item_id, met, note)
SELECT $1, $2, it.id, $4, $5 FROM inspection_items it WHERE it.id = $3 AND it.inspection_id = $1
ON CONFLICT (inspection_id, branch_id, item_id) DO UPDATE SET met = EXCLUDED.met, note = EXCLUDED.note, version = inspection_findings.version + 1`,
				in.ID, branchID, f.ItemID, f.Met, f.Note)
			if err != nil {
				return struct{}{}, fmt.Errorf("inspect: finding: %w", err)
			}
			if tag.RowsAffected() != 1 {
				return struct{}{}, fmt.Errorf("inspect: item %d not of %d: %w", f.ItemID, in.ID, apperr.ErrInvalid)
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET status = 'in_progress', version = version + 1 WHERE id = $1 AND status = 'planned'`, in.ID); err != nil {
			return struct{}{}, fmt.Errorf("inspect: start %d: %w", in.ID, err)
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "inspection.findings", Entity: "inspection", EntityID: in.ID,
			After: map[string]any{"branch_id": branchID, "findings": fs}})
	})
	return err
}

// ErrIncomplete refuses to issue findings while a branch has an item
// without a finding.
var ErrIncomplete = errors.New("inspect: findings incomplete")

// Issue issues the findings: each item not met becomes a rectification
// notice on its branch's rectification list with the deadline. An
// inspection with every item met closes at once.
func (s *Store) Issue(ctx context.Context, in Inspection, version int, deadline, today time.Time) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		if err := lock(ctx, tx, in.ID, version, StatusInProgress); err != nil {
			return struct{}{}, err
		}
		var missing int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM inspection_branches b CROSS JOIN inspection_items it
 WHERE b.inspection_id = $1 AND it.inspection_id = $1
   AND NOT EXISTS (SELECT 1 FROM inspection_findings f WHERE f.inspection_id = $1 AND f.branch_id = b.branch_id AND f.item_id = it.id)`, in.ID).Scan(&missing); err != nil {
			return struct{}{}, fmt.Errorf("inspect: completeness of %d: %w", in.ID, err)
		}
		if missing > 0 {
			return struct{}{}, ErrIncomplete
		}
		type unmet struct {
			ID       int64
			BranchID int64
			Title    string
			Note     string
		}
		list, err := db.Rows[unmet](ctx, tx, `SELECT f.id, f.branch_id, it.title, f.note FROM inspection_findings f JOIN inspection_items it ON it.id = f.item_id
 WHERE f.inspection_id = $1 AND NOT f.met ORDER BY f.branch_id, it.position`, in.ID)
		if err != nil {
			return struct{}{}, fmt.Errorf("inspect: unmet of %d: %w", in.ID, err)
		}
		for _, u := range list {
			problem := clip(fmt.Sprintf("【%s】%s：%s", in.Title, u.Title, u.Note), 1000)
			rid, err := life.AddOrgItem(ctx, tx, u.BranchID, problem, "", deadline)
			if err != nil {
				return struct{}{}, err
			}
			if _, err := tx.Exec(ctx, `UPDATE inspection_findings SET rectification_id = $2, deadline = $3, version = version + 1 WHERE id = $1`, u.ID, rid, deadline); err != nil {
				return struct{}{}, fmt.Errorf("inspect: notice of %d: %w", u.ID, err)
			}
		}
		status, closed := StatusIssued, (*time.Time)(nil)
		if len(list) == 0 {
			status, closed = StatusClosed, &today
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET status = $2, issued_on = $3, closed_on = $4, version = version + 1 WHERE id = $1`,
			in.ID, status, today, closed); err != nil {
			return struct{}{}, fmt.Errorf("inspect: issue %d: %w", in.ID, err)
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "inspection.issue", Entity: "inspection", EntityID: in.ID,
			After: map[string]any{"status": status, "deadline": deadline, "notices": len(list)}})
	})
	return err
}

// ErrNotAnswered refuses to close a finding whose rectification the
// branch has not marked done.
var ErrNotAnswered = errors.New("inspect: rectification not done")

// CloseFinding closes an issued finding once its branch has marked the
// rectification done; the last one closes the inspection.
func (s *Store) CloseFinding(ctx context.Context, in Inspection, f Finding, version int, note string, today time.Time) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		if err := lock(ctx, tx, in.ID, 0, StatusIssued); err != nil {
			return struct{}{}, err
		}
		var done bool
		if err := tx.QueryRow(ctx, `SELECT coalesce(r.status = 'done', false) FROM inspection_findings f
  LEFT JOIN rectification_items r ON r.id = f.rectification_id WHERE f.id = $1`, f.ID).Scan(&done); err != nil {
			return struct{}{}, fmt.Errorf("inspect: finding %d: %w", f.ID, err)
		}
		if !done {
			return struct{}{}, ErrNotAnswered
		}
		tag, err := tx.Exec(ctx, `UPDATE inspection_findings SET closed_on = $3, closing_note = $4, version = version + 1
 WHERE id = $1 AND version = $2 AND closed_on IS NULL AND rectification_id IS NOT NULL`, f.ID, version, today, note)
		if err != nil {
			return struct{}{}, fmt.Errorf("inspect: close finding %d: %w", f.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return struct{}{}, fmt.Errorf("inspect: close finding %d at version %d: %w", f.ID, version, apperr.ErrConflict)
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET status = 'closed', closed_on = $2, version = version + 1 WHERE id = $1
   AND NOT EXISTS (SELECT 1 FROM inspection_findings WHERE inspection_id = $1 AND rectification_id IS NOT NULL AND closed_on IS NULL)`, in.ID, today); err != nil {
			return struct{}{}, fmt.Errorf("inspect: close %d: %w", in.ID, err)
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "inspection.finding.close", Entity: "inspection_finding", EntityID: f.ID,
			After: map[string]any{"closed_on": today, "note": note}})
	})
	return err
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// itemLines splits the extra checklist lines typed on the form.
func itemLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
