// Package discipline keeps disciplinary sanctions (党纪处分) and their
// effects (rules.md §7): a member under 留党察看 has no vote (has_vote in
// SQL) and cannot introduce an applicant, a sanction in its period blocks
// a 优秀共产党员 nomination (a setting), 开除党籍 ends membership. Records
// are read only by the branch secretary, the committee's discipline member
// and reviewers above, and every read is audited.
package discipline

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/member"
	"zhibu/internal/todo"
)

// Kinds are the five sanctions of 党章 第四十一条, lightest first.
var Kinds = []string{"warning", "serious_warning", "post_removal", "probation", "expulsion"}

// Sources of the rules the pages cite. The 处分条例's article numbers moved
// between revisions (2015, 2018, 2023): the document is cited, not the
// article.
const (
	CiteKinds      = "《中国共产党章程》（2022）第四十一条"
	CiteRegulation = "《中国共产党纪律处分条例》（2023年修订）"
	CiteProbation  = "《中国共产党纪律处分条例》：留党察看一年或二年，期间没有表决权、选举权和被选举权；一年期满未改正的可延长一年，最长不超过二年"
	CiteIntroducer = "《中国共产党发展党员工作细则》：受留党察看处分、尚未恢复党员权利的党员不能作入党介绍人"
	CiteCommend    = "常见做法（可在设置中关闭）：处分影响期内不推荐评选优秀共产党员"
)

// PeriodMonths is the period of each kind in months (处分条例): warning a
// year, serious warning a year and a half, removal from post two years;
// 留党察看 is chosen (12 or 24); expulsion has none.
var PeriodMonths = map[string]int{"warning": 12, "serious_warning": 18, "post_removal": 24}

// Sanction is one disciplinary record.
type Sanction struct {
	ID         int64
	MemberID   int64
	MemberName string
	BranchID   int64
	BranchName string
	BranchPath []int64
	Kind       string
	Reason     string
	DecidedBy  string
	ApprovedBy string
	DocumentNo string
	DecidedOn  time.Time
	StartsOn   time.Time
	EndsOn     *time.Time
	Extended   bool
	RestoredOn *time.Time
	Version    int
}

// InPeriod reports whether day falls in the sanction's period.
func (s Sanction) InPeriod(day time.Time) bool {
	return !day.Before(s.StartsOn) && (s.EndsOn == nil || day.Before(*s.EndsOn))
}

// CanExtend reports whether the sanction is a one-year 留党察看 not yet
// extended (it may be extended once by a year, never beyond two).
func (s Sanction) CanExtend() bool {
	return s.Kind == "probation" && !s.Extended && s.EndsOn != nil && s.RestoredOn == nil && !s.EndsOn.After(s.StartsOn.AddDate(1, 0, 0))
}

// Open reports whether the period's end still waits for a decision
// (restore rights, or extend a 留党察看).
func (s Sanction) Open() bool { return s.EndsOn != nil && s.RestoredOn == nil }

const cols = `s.id, s.member_id, m.name AS member_name, s.branch_id, o.name AS branch_name, o.path AS branch_path, s.kind, s.reason,
       s.decided_by, s.approved_by, s.document_no, s.decided_on, s.starts_on, s.ends_on, s.extended, s.restored_on, s.version
  FROM sanctions s JOIN members m ON m.id = s.member_id JOIN organisations o ON o.id = s.branch_id`

// Access is who may read and record discipline records: the branches
// whose secretary the user is or whose committee's discipline member
// (纪检委员) the user is in the current term (they read and record), and
// the committees the user reviews (they read).
type Access struct {
	Read  []int64
	Write []int64
}

// AccessOf computes the user's access to discipline records.
func AccessOf(ctx context.Context, q db.Querier, u *auth.User) (Access, error) {
	var a Access
	if u == nil {
		return a, nil
	}
	for _, g := range u.Grants {
		switch {
		case g.OrgID == 0:
		case g.Role == auth.RoleSecretary:
			a.Write = append(a.Write, g.OrgID)
		case g.Role == auth.RoleReviewer:
			a.Read = append(a.Read, g.OrgID)
		case g.Role == auth.RoleBranchCommittee && u.MemberID != 0:
			var holds bool
			if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM terms_on(current_date) t JOIN committee_posts p ON p.term_id = t.id
 WHERE t.org_id = $1 AND p.member_id = $2 AND p.post = 'discipline')`, g.OrgID, u.MemberID).Scan(&holds); err != nil {
				return a, fmt.Errorf("discipline: access: %w", err)
			}
			if holds {
				a.Write = append(a.Write, g.OrgID)
			}
		}
	}
	a.Read = append(a.Read, a.Write...)
	return a, nil
}

func overlaps(roots, path []int64) bool {
	for _, r := range roots {
		for _, p := range path {
			if r == p {
				return true
			}
		}
	}
	return false
}

// CanRead reports whether the access reaches an organisation's records.
func (a Access) CanRead(path []int64) bool { return overlaps(a.Read, path) }

// CanWrite reports whether the access records sanctions of an organisation.
func (a Access) CanWrite(path []int64) bool { return overlaps(a.Write, path) }

// Any reports whether the user reaches any discipline record.
func (a Access) Any() bool { return len(a.Read) > 0 }

// List returns the sanctions inside the roots, newest first, and records
// the read in the audit trail.
func List(ctx context.Context, q db.Querier, roots []int64, limit, offset int) ([]Sanction, int, error) {
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM sanctions s JOIN organisations o ON o.id = s.branch_id WHERE o.path && $1::bigint[]`, roots).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("discipline: count: %w", err)
	}
	out, err := db.Rows[Sanction](ctx, q, `SELECT `+cols+` WHERE o.path && $1::bigint[] ORDER BY s.decided_on DESC, s.id DESC LIMIT $2 OFFSET $3`, roots, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("discipline: list: %w", err)
	}
	ids := make([]int64, len(out))
	for i, s := range out {
		ids[i] = s.ID
	}
	if err := audit.Record(ctx, q, audit.Event{Action: "sanction.read_list", Entity: "sanction", After: map[string]any{"ids": ids}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Get returns sanction id if it lies inside the roots (ErrNotFound
// otherwise) and records the read in the audit trail.
func Get(ctx context.Context, q db.Querier, roots []int64, id int64) (Sanction, error) {
	out, err := db.One[Sanction](ctx, q, `SELECT `+cols+` WHERE s.id = $1 AND o.path && $2::bigint[]`, id, roots)
	if err != nil {
		return Sanction{}, fmt.Errorf("discipline: get %d: %w", id, err)
	}
	if err := audit.Record(ctx, q, audit.Event{Action: "sanction.read", Entity: "sanction", EntityID: id}); err != nil {
		return Sanction{}, err
	}
	return out, nil
}

// PostsHeld lists the committee posts member id holds in terms in office
// today: under 留党察看 or 撤销党内职务 they end, which the page points out
// (the committee's composition changes by election, internal/org).
func PostsHeld(ctx context.Context, q db.Querier, memberID int64) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT p.post FROM committee_posts p JOIN terms_on(current_date) t ON t.id = p.term_id WHERE p.member_id = $1 ORDER BY p.post`, memberID)
	if err != nil {
		return nil, fmt.Errorf("discipline: posts of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("discipline: posts of %d: %w", memberID, err)
	}
	return out, nil
}

// Candidate is a member a sanction may be recorded for.
type Candidate struct {
	ID       int64
	Name     string
	BranchID int64
}

// Candidates lists the members of the branches in roots who are members
// (probationary or full) in normal standing.
func Candidates(ctx context.Context, q db.Querier, roots []int64) ([]Candidate, error) {
	out, err := db.Rows[Candidate](ctx, q, `SELECT m.id, m.name, m.branch_id FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.path && $1::bigint[] AND in_good_standing(m.category, m.party_status) ORDER BY m.name, m.id`, roots)
	if err != nil {
		return nil, fmt.Errorf("discipline: candidates: %w", err)
	}
	return out, nil
}

// Input is a sanction to record.
type Input struct {
	MemberID   int64
	BranchID   int64
	Kind       string
	Reason     string
	DecidedBy  string
	ApprovedBy string
	DocumentNo string
	DecidedOn  time.Time
	StartsOn   time.Time
	EndsOn     *time.Time
}

// Create records a sanction in tx. An expulsion ends the membership with
// its date (through member.EndMembership).
func Create(ctx context.Context, tx pgx.Tx, in Input) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO sanctions (member_id, branch_id, kind, reason, decided_by, approved_by, document_no, decided_on, starts_on, ends_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		in.MemberID, in.BranchID, in.Kind, in.Reason, in.DecidedBy, in.ApprovedBy, in.DocumentNo, in.DecidedOn, in.StartsOn, in.EndsOn).Scan(&id); err != nil {
		return 0, fmt.Errorf("discipline: create: %w", err)
	}
	if in.Kind == "expulsion" {
		if err := member.EndMembership(ctx, tx, in.MemberID, "expelled", in.StartsOn, "开除党籍 "+in.DocumentNo); err != nil {
			return 0, err
		}
	}
	after := map[string]any{"member_id": in.MemberID, "branch_id": in.BranchID, "kind": in.Kind, "document_no": in.DocumentNo,
		"decided_on": in.DecidedOn, "starts_on": in.StartsOn, "ends_on": in.EndsOn, "decided_by": in.DecidedBy, "approved_by": in.ApprovedBy}
	return id, audit.Record(ctx, tx, audit.Event{Action: "sanction.create", Entity: "sanction", EntityID: id, After: after})
}

// ErrCannotExtend means the sanction is not a one-year 留党察看 still open.
var ErrCannotExtend = fmt.Errorf("discipline: only a one-year 留党察看 not yet extended may be extended: %w", apperr.ErrConflict)

// Extend extends a one-year 留党察看 by one year (once; never beyond two).
func Extend(ctx context.Context, tx pgx.Tx, id int64, version int) error {
	tag, err := tx.Exec(ctx, `UPDATE sanctions SET ends_on = (ends_on + interval '1 year')::date, extended = true, version = version + 1
 WHERE id = $1 AND version = $2 AND kind = 'probation' AND NOT extended AND restored_on IS NULL AND ends_on <= (starts_on + interval '1 year')::date`, id, version)
	if err != nil {
		return fmt.Errorf("discipline: extend %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("discipline: extend %d: %w", id, ErrCannotExtend)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "sanction.extend", Entity: "sanction", EntityID: id})
}

// Restore records that the member's rights are restored on day on, at or
// after the period's end.
func Restore(ctx context.Context, tx pgx.Tx, id int64, version int, on time.Time) error {
	tag, err := tx.Exec(ctx, `UPDATE sanctions SET restored_on = $3, version = version + 1
 WHERE id = $1 AND version = $2 AND ends_on IS NOT NULL AND restored_on IS NULL AND ends_on <= $3`, id, version, on)
	if err != nil {
		return fmt.Errorf("discipline: restore %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("discipline: restore %d: %w", id, apperr.ErrConflict)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "sanction.restore", Entity: "sanction", EntityID: id, After: map[string]string{"restored_on": on.Format("2006-01-02")}})
}

// HasVote reports whether a sanction leaves member id a vote on day (the
// SQL function has_vote: false under 留党察看 in its period and from an
// expulsion on).
func HasVote(ctx context.Context, q db.Querier, memberID int64, day time.Time) (bool, error) {
	var ok bool
	if err := q.QueryRow(ctx, `SELECT has_vote($1, $2)`, memberID, day).Scan(&ok); err != nil {
		return false, fmt.Errorf("discipline: has vote %d: %w", memberID, err)
	}
	return ok, nil
}

// MayIntroduce reports whether member id may be an introducer (入党介绍人)
// on day: not under 留党察看 in its period (CiteIntroducer).
func MayIntroduce(ctx context.Context, q db.Querier, memberID int64, day time.Time) (bool, error) {
	var under bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM sanctions WHERE member_id = $1 AND kind IN ('probation', 'expulsion')
   AND starts_on <= $2 AND (ends_on IS NULL OR $2 < ends_on))`, memberID, day).Scan(&under); err != nil {
		return false, fmt.Errorf("discipline: may introduce %d: %w", memberID, err)
	}
	return !under, nil
}

// ErrSanctioned means a sanction in its period blocks the nomination.
var ErrSanctioned = fmt.Errorf("discipline: a sanction in its period blocks the nomination: %w", apperr.ErrInvalid)

// CheckCommendation returns ErrSanctioned when the setting says a sanction
// in its period blocks an 优秀共产党员 nomination and member id has one on
// day (the SQL function sanction_blocks_commend, which internal/commend
// asks in its own transaction: commend cannot import this package, which
// imports member, which imports commend).
func CheckCommendation(ctx context.Context, q db.Querier, memberID int64, day time.Time) error {
	var blocked bool
	if err := q.QueryRow(ctx, `SELECT sanction_blocks_commend($1, $2)`, memberID, day).Scan(&blocked); err != nil {
		return fmt.Errorf("discipline: commendation check %d: %w", memberID, err)
	}
	if blocked {
		return ErrSanctioned
	}
	return nil
}

// Settings are the uncertain values, kept by the system
// administrator.
type Settings struct {
	ElectionReminderDays  int
	SanctionBlocksCommend bool
}

// LoadSettings reads the settings.
func LoadSettings(ctx context.Context, q db.Querier) (Settings, error) {
	var s Settings
	if err := q.QueryRow(ctx, `SELECT election_reminder_days, sanction_blocks_commend FROM discipline_settings WHERE id = 1`).Scan(&s.ElectionReminderDays, &s.SanctionBlocksCommend); err != nil {
		return s, fmt.Errorf("discipline: settings: %w", err)
	}
	return s, nil
}

// SaveSettings changes the settings.
func SaveSettings(ctx context.Context, tx pgx.Tx, s Settings) error {
	before, err := LoadSettings(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE discipline_settings SET election_reminder_days = $1, sanction_blocks_commend = $2, updated_at = now() WHERE id = 1`,
		s.ElectionReminderDays, s.SanctionBlocksCommend); err != nil {
		return fmt.Errorf("discipline: save settings: %w", err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "discipline.settings", Entity: "discipline_settings", EntityID: 1, Before: before, After: s})
}

// Todos lists the sanction periods of the organisations that end within
// 30 days or have ended without a decision (restore rights, or extend a
// 留党察看 once by a year), for the workbench.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	rows, err := db.Rows[Sanction](ctx, q, `SELECT `+cols+` WHERE s.branch_id = ANY($1::bigint[]) AND s.ends_on IS NOT NULL AND s.restored_on IS NULL
   AND s.ends_on <= $2::date + 30 ORDER BY s.ends_on, s.id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("discipline: todos: %w", err)
	}
	out := make([]todo.Item, 0, len(rows))
	for _, s := range rows {
		key := "discipline.todo.restore"
		if s.CanExtend() {
			key = "discipline.todo.restore_or_extend"
		}
		out = append(out, todo.Item{Area: "discipline", Title: i18n.T(ctx, key, s.MemberName), Detail: i18n.T(ctx, "discipline.kind."+s.Kind),
			URL: fmt.Sprintf("/discipline/%d", s.ID), Due: *s.EndsOn, Overdue: s.EndsOn.Before(today), Cite: CiteRegulation})
	}
	return out, nil
}

// Store makes the discipline changes, each in its own transaction.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create records a sanction.
func (s *Store) Create(ctx context.Context, in Input) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Create(ctx, tx, in) })
}

// Extend extends a one-year 留党察看.
func (s *Store) Extend(ctx context.Context, id int64, version int) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return Extend(ctx, tx, id, version) })
}

// Restore records restored rights.
func (s *Store) Restore(ctx context.Context, id int64, version int, on time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return Restore(ctx, tx, id, version, on) })
}

// SaveSettings changes the settings.
func (s *Store) SaveSettings(ctx context.Context, v Settings) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return SaveSettings(ctx, tx, v) })
}
