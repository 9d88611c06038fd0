// Package commend grants commendations (表彰) to members and organisations,
// lists them by year and level, exports them, and lets a committee approve
// a list of nominees in one step.
package commend

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
)

// Levels lists the levels of a commendation, lowest first.
var Levels = []string{"branch", "committee", "province", "national"}

// Commendation is one commendation with its recipient.
type Commendation struct {
	ID         int64
	Title      string
	Level      string
	GrantedOn  time.Time
	Issuer     string
	DocumentNo string
	Citation   string
	MemberID   *int64
	MemberName *string
	OrgID      int64 // the organisation honoured, or the member's branch
	OrgName    string
	ForOrg     bool
	Status     string
}

// Recipient is who is honoured: the member's name or the organisation's.
func (c Commendation) Recipient() string {
	if c.MemberName != nil {
		return *c.MemberName
	}
	return c.OrgName
}

const cols = `c.id, c.title, c.level, c.granted_on, c.issuer, c.document_no, c.citation, c.member_id, m.name AS member_name,
       o.id AS org_id, o.name AS org_name, (c.org_id IS NOT NULL) AS for_org, c.status`

const from = `
  FROM commendations c LEFT JOIN members m ON m.id = c.member_id
  JOIN organisations o ON o.id = coalesce(c.org_id, m.branch_id)`

func collect(rows pgx.Rows, err error, what string) ([]Commendation, error) {
	if err != nil {
		return nil, fmt.Errorf("commend: %s: %w", what, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Commendation])
	if err != nil {
		return nil, fmt.Errorf("commend: %s: %w", what, err)
	}
	return out, nil
}

// ForMember lists the commendations granted to a member, newest first.
func ForMember(ctx context.Context, q db.Querier, memberID int64) ([]Commendation, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+from+` WHERE c.member_id = $1 AND c.status = 'granted' ORDER BY c.granted_on DESC, c.id`, memberID)
	return collect(rows, err, fmt.Sprintf("for member %d", memberID))
}

// ForOrg lists the commendations granted to an organisation itself,
// newest first.
func ForOrg(ctx context.Context, q db.Querier, orgID int64) ([]Commendation, error) {
	rows, err := q.Query(ctx, `SELECT `+cols+from+` WHERE c.org_id = $1 AND c.status = 'granted' ORDER BY c.granted_on DESC, c.id`, orgID)
	return collect(rows, err, fmt.Sprintf("for org %d", orgID))
}

// Filter narrows the list.
type Filter struct {
	Roots  []int64
	Year   int
	Level  string
	Status string
	Search string
	Sort   string
	Desc   bool
	Limit  int // 0: all
	Offset int
}

var sorts = map[string]string{"granted_on": "c.granted_on", "level": "array_position(ARRAY['branch','committee','province','national'], c.level)", "title": "c.title", "recipient": "coalesce(m.name, o.name)"}

const where = `
 WHERE o.path && $1::bigint[] AND ($2 = 0 OR extract(year FROM c.granted_on)::int = $2) AND ($3 = '' OR c.level = $3)
   AND c.status = $4 AND ($5 = '' OR c.title ILIKE '%' || $5 || '%' OR m.name ILIKE '%' || $5 || '%' OR o.name ILIKE '%' || $5 || '%')`

// List returns the commendations matching f and their total.
func List(ctx context.Context, q db.Querier, f Filter) ([]Commendation, int, error) {
	f.Search = db.EscapeLike(f.Search)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+from+where, f.Roots, f.Year, f.Level, f.Status, f.Search).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("commend: count: %w", err)
	}
	order, ok := sorts[f.Sort]
	if !ok {
		order, f.Desc = "c.granted_on", true
	}
	dir := " ASC"
	if f.Desc {
		dir = " DESC"
	}
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	rows, err := q.Query(ctx, `SELECT `+cols+from+where+` ORDER BY `+order+dir+`, c.id LIMIT $6 OFFSET $7`, f.Roots, f.Year, f.Level, f.Status, f.Search, limit, f.Offset)
	out, err := collect(rows, err, "list")
	return out, total, err
}

// Input is a commendation to grant or propose.
type Input struct {
	Title      string
	Level      string
	GrantedOn  time.Time
	Issuer     string
	DocumentNo string
	Citation   string
	MemberID   *int64
	OrgID      *int64
	Status     string
}

// Create records a commendation, granted or nominated.
func Create(ctx context.Context, tx pgx.Tx, in Input) (int64, error) {
	var id int64
	if in.MemberID != nil {
		var twice bool
		if _, err := tx.Exec(ctx, lockMemberSQL, *in.MemberID); err != nil {
			return 0, fmt.Errorf("commend: create: %w", err)
		}
		if err := tx.QueryRow(ctx, twiceSQL, *in.MemberID, in.Title, in.Level, in.GrantedOn).Scan(&twice); err != nil {
			return 0, fmt.Errorf("commend: create: %w", err)
		}
		if twice {
			return 0, fmt.Errorf("commend: create: member %d: %w", *in.MemberID, ErrTwice)
		}
		if in.Title == i18n.TL(i18n.ZH, "commend.preset.outstanding_member") {
			var blocked bool
			if err := tx.QueryRow(ctx, `SELECT sanction_blocks_commend($1, $2)`, *in.MemberID, in.GrantedOn).Scan(&blocked); err != nil {
				return 0, fmt.Errorf("commend: create: %w", err)
			}
			if blocked {
				return 0, fmt.Errorf("commend: create: member %d: %w", *in.MemberID, ErrSanctioned)
			}
		}
	}
	if err := tx.QueryRow(ctx, `INSERT INTO commendations (title, level, granted_on, issuer, document_no, citation, member_id, org_id, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, in.Title, in.Level, in.GrantedOn, in.Issuer, in.DocumentNo, in.Citation, in.MemberID, in.OrgID, in.Status).Scan(&id); err != nil {
		return 0, fmt.Errorf("commend: create: %w", err)
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "commendation." + in.Status, Entity: "commendation", EntityID: id, After: in})
}

// ErrSanctioned is an 优秀共产党员 nomination of a member with a
// disciplinary sanction in its period (a setting of internal/discipline).
var ErrSanctioned = fmt.Errorf("a sanction in its period: %w", apperr.ErrInvalid)

// ErrTwice is a member nominated or honoured twice with one title at one
// level in one year.
var ErrTwice = fmt.Errorf("the same title twice in one year: %w", apperr.ErrInvalid)

// lockMemberSQL serialises the commendations of one member (a transaction
// advisory lock, class 7301), so that two nominations sent at once are
// checked one after the other; twiceSQL runs after it, in a new snapshot.
const (
	lockMemberSQL = `SELECT pg_advisory_xact_lock(7301, $1::int)`
	twiceSQL      = `SELECT EXISTS (SELECT 1 FROM commendations WHERE member_id = $1 AND title = $2 AND level = $3
                  AND date_trunc('year', granted_on) = date_trunc('year', $4::date))`
)

// Approve grants the listed nominees inside the reviewer's committee in
// one step; it returns how many were granted. Any id that is not a pending
// nominee inside root makes the whole approval ErrConflict.
func Approve(ctx context.Context, tx pgx.Tx, root int64, ids []int64) (int, error) {
	var sanctioned bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM commendations WHERE id = ANY($1) AND member_id IS NOT NULL AND title = $2
   AND sanction_blocks_commend(member_id, granted_on))`, ids, i18n.TL(i18n.ZH, "commend.preset.outstanding_member")).Scan(&sanctioned); err != nil {
		return 0, fmt.Errorf("commend: approve: %w", err)
	}
	if sanctioned {
		return 0, fmt.Errorf("commend: approve: %w", ErrSanctioned)
	}
	rows, err := tx.Query(ctx, `UPDATE commendations c SET status = 'granted'
  FROM commendations x LEFT JOIN members m ON m.id = x.member_id
  JOIN organisations o ON o.id = coalesce(x.org_id, m.branch_id)
 WHERE c.id = x.id AND c.id = ANY($1) AND c.status = 'nominated' AND o.path @> ARRAY[$2::bigint]
 RETURNING c.id`, ids, root)
	if err != nil {
		return 0, fmt.Errorf("commend: approve: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("commend: approve: %w", err)
	}
	if len(done) != len(ids) {
		return 0, fmt.Errorf("commend: approve %d of %d: %w", len(done), len(ids), apperr.ErrConflict)
	}
	for _, id := range done {
		if err := audit.Record(ctx, tx, audit.Event{Action: "commendation.approve", Entity: "commendation", EntityID: id, Before: map[string]string{"status": "nominated"}, After: map[string]string{"status": "granted"}}); err != nil {
			return 0, err
		}
	}
	return len(done), nil
}

// Choice is a member or organisation that may be honoured.
type Choice struct {
	ID     int64
	Name   string
	Branch string // the member's branch; empty for an organisation
	Path   []int64
	// Category is the member's category (full, probationary); empty for
	// an organisation.
	Category string
}

// Members lists the members inside roots who may be honoured.
func Members(ctx context.Context, q db.Querier, roots []int64) ([]Choice, error) {
	out, err := db.Rows[Choice](ctx, q, `SELECT m.id, m.name, o.name AS branch, o.path, m.category FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.path && $1::bigint[] AND in_good_standing(m.category, m.party_status) ORDER BY o.path, m.name`, roots)
	if err != nil {
		return nil, fmt.Errorf("commend: members: %w", err)
	}
	return out, nil
}

// Orgs lists the organisations inside roots that may be honoured.
func Orgs(ctx context.Context, q db.Querier, roots []int64) ([]Choice, error) {
	out, err := db.Rows[Choice](ctx, q, `SELECT id, name, '' AS branch, path, '' AS category FROM organisations WHERE path && $1::bigint[] AND dissolved_on IS NULL ORDER BY path`, roots)
	if err != nil {
		return nil, fmt.Errorf("commend: orgs: %w", err)
	}
	return out, nil
}

// YearLevel is the number of commendations of one year and level.
type YearLevel struct {
	Year  int
	Level string
	N     int
}

// Summary counts the granted commendations inside roots by year and level.
func Summary(ctx context.Context, q db.Querier, roots []int64) ([]YearLevel, error) {
	out, err := db.Rows[YearLevel](ctx, q, `SELECT extract(year FROM c.granted_on)::int AS year, c.level, count(*)::int AS n`+from+`
 WHERE o.path && $1::bigint[] AND c.status = 'granted' GROUP BY 1, 2 ORDER BY 1 DESC, 2`, roots)
	if err != nil {
		return nil, fmt.Errorf("commend: summary: %w", err)
	}
	return out, nil
}

// SummaryYears arranges a summary as one row per year, newest first.
func SummaryYears(s []YearLevel) []YearRow {
	var out []YearRow
	for _, x := range s {
		if len(out) == 0 || out[len(out)-1].Year != x.Year {
			out = append(out, YearRow{Year: x.Year, ByLevel: map[string]int{}})
		}
		out[len(out)-1].ByLevel[x.Level] = x.N
	}
	return out
}

// YearRow is one year of the summary with its counts per level.
type YearRow struct {
	Year    int
	ByLevel map[string]int
}

// Store makes the commendation changes, each in its own transaction: the
// store owns its transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the store of commendations on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Create grants a commendation or proposes a nominee and returns its id.
func (s *Store) Create(ctx context.Context, in Input) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return Create(ctx, tx, in) })
}

// Approve grants the nominees ids inside root's subtree and returns how
// many it granted.
func (s *Store) Approve(ctx context.Context, root int64, ids []int64) (int, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int, error) { return Approve(ctx, tx, root, ids) })
}
