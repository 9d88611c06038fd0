// Package org keeps the organisation tree (committee → general branch →
// branch → Party group): its pages with member counts and structural
// warnings, and, for system administrators, creating, renaming, moving and
// dissolving organisations and recording committee terms and posts.
package org

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
)

// Kinds of organisation, from the top of the tree down.
var Kinds = []string{"committee", "general_branch", "branch", "group"}

// Posts are the committee posts, in the order they are shown.
var Posts = []string{"secretary", "deputy", "organisation", "publicity", "discipline"}

// allowedParents says under which kinds each kind may sit ("" = the root).
var allowedParents = map[string][]string{
	"committee":      {"", "committee"},
	"general_branch": {"committee"},
	"branch":         {"committee", "general_branch"},
	"group":          {"branch"},
}

// Store reads and writes organisations and committee terms.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the organisation store.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Org is one organisation with its member counts.
type Org struct {
	ID            int64      `db:"id"`
	ParentID      *int64     `db:"parent_id"`
	ParentName    *string    `db:"parent_name"`
	Kind          string     `db:"kind"`
	Name          string     `db:"name"`
	EstablishedOn time.Time  `db:"established_on"`
	DissolvedOn   *time.Time `db:"dissolved_on"`
	Path          []int64    `db:"path"`
	Version       int        `db:"version"`
	Members       int        `db:"members"`      // Party members (probationary and full) in good standing, whole subtree
	FullMembers   int        `db:"full_members"` // full members among them
	People        int        `db:"people"`       // everyone on the roster in good standing, applicants included
}

// Depth is the organisation's level in the tree, 0 for a root.
func (o Org) Depth() int { return len(o.Path) - 1 }

const orgColumns = `
SELECT o.id, o.parent_id, p.name AS parent_name, o.kind, o.name, o.established_on, o.dissolved_on, o.path, o.version,
       c.members, c.full_members, c.people
  FROM organisations o
  LEFT JOIN organisations p ON p.id = o.parent_id
  CROSS JOIN LATERAL (
       SELECT count(*) FILTER (WHERE m.category IN ('probationary', 'full')) AS members,
              count(*) FILTER (WHERE m.category = 'full') AS full_members,
              count(*) AS people
         FROM members m JOIN organisations b ON b.id = m.branch_id
        WHERE m.party_status IN ('normal', 'suspended')
          AND CASE WHEN o.kind = 'group' THEN m.group_id = o.id ELSE b.path @> ARRAY[o.id] END) c`

const treeSQL = orgColumns + `
 WHERE ($1 OR o.path && $2::bigint[]) AND ($3 OR o.dissolved_on IS NULL)
 ORDER BY o.path`

// Tree lists the organisations inside the roots (all of them when all is
// set), in tree order, with member counts.
func (s *Store) Tree(ctx context.Context, all bool, roots []int64, withDissolved bool) ([]Org, error) {
	if roots == nil {
		roots = []int64{}
	}
	rows, err := s.pool.Query(ctx, treeSQL, all, roots, withDissolved)
	if err != nil {
		return nil, fmt.Errorf("org: tree: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Org])
	if err != nil {
		return nil, fmt.Errorf("org: tree: %w", err)
	}
	return out, nil
}

// Get returns an organisation; ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, id int64) (*Org, error) {
	rows, err := s.pool.Query(ctx, orgColumns+` WHERE o.id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("org: get %d: %w", id, err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[Org])
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("org: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("org: get %d: %w", id, err)
	}
	return o, nil
}

// Children lists an organisation's direct children with their counts.
func (s *Store) Children(ctx context.Context, id int64) ([]Org, error) {
	rows, err := s.pool.Query(ctx, orgColumns+` WHERE o.parent_id = $1 ORDER BY o.dissolved_on NULLS FIRST, o.name`, id)
	if err != nil {
		return nil, fmt.Errorf("org: children %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Org])
	if err != nil {
		return nil, fmt.Errorf("org: children %d: %w", id, err)
	}
	return out, nil
}

// Term is a committee term with its posts.
type Term struct {
	ID        int64      `db:"id"`
	TermNo    int        `db:"term_no"`
	ElectedOn time.Time  `db:"elected_on"`
	DueOn     time.Time  `db:"due_on"`
	EndedOn   *time.Time `db:"ended_on"`
	Current   bool       `db:"current"` // in office today (terms_on)
	Posts     []Post     `db:"-"`
}

// Post is a committee post held by a member.
type Post struct {
	TermID   int64  `db:"term_id"`
	Post     string `db:"post"`
	MemberID int64  `db:"member_id"`
	Name     string `db:"name"`
}

// Terms lists an organisation's terms, newest first, with their posts.
func (s *Store) Terms(ctx context.Context, orgID int64) ([]Term, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, term_no, elected_on, due_on, ended_on,
       id IN (SELECT c.id FROM terms_on(current_date) c WHERE c.org_id = $1) AS current
  FROM committee_terms WHERE org_id = $1 ORDER BY term_no DESC`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: terms %d: %w", orgID, err)
	}
	terms, err := pgx.CollectRows(rows, pgx.RowToStructByName[Term])
	if err != nil {
		return nil, fmt.Errorf("org: terms %d: %w", orgID, err)
	}
	rows, err = s.pool.Query(ctx, `
SELECT p.term_id, p.post, p.member_id, m.name FROM committee_posts p
  JOIN committee_terms t ON t.id = p.term_id JOIN members m ON m.id = p.member_id
 WHERE t.org_id = $1
 ORDER BY array_position(ARRAY['secretary','deputy','organisation','publicity','discipline','member'], p.post), m.name`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: posts %d: %w", orgID, err)
	}
	posts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Post])
	if err != nil {
		return nil, fmt.Errorf("org: posts %d: %w", orgID, err)
	}
	for i := range terms {
		for _, p := range posts {
			if p.TermID == terms[i].ID {
				terms[i].Posts = append(terms[i].Posts, p)
			}
		}
	}
	return terms, nil
}

// Candidate is a member who may hold a committee post.
type Candidate struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// Candidates lists the full members in good standing inside an organisation's subtree.
func (s *Store) Candidates(ctx context.Context, orgID int64) ([]Candidate, error) {
	rows, err := s.pool.Query(ctx, `
SELECT m.id, m.name FROM members m JOIN organisations b ON b.id = m.branch_id
 WHERE b.path @> ARRAY[$1::bigint] AND m.category = 'full' AND in_good_standing(m.category, m.party_status)
 ORDER BY m.name, m.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("org: candidates %d: %w", orgID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Candidate])
	if err != nil {
		return nil, fmt.Errorf("org: candidates %d: %w", orgID, err)
	}
	return out, nil
}

// ErrNameTaken means an open sibling has the name.
var ErrNameTaken = errors.New("org: name taken by a sibling")

func isUnique(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}

// orgAudit is what the audit trail keeps of an organisation.
type orgAudit struct {
	Name        string `json:"name"`
	Kind        string `json:"kind"`
	ParentID    *int64 `json:"parent_id,omitempty"`
	Established string `json:"established_on,omitempty"`
	Dissolved   string `json:"dissolved_on,omitempty"`
}

func auditOf(o *Org) orgAudit {
	a := orgAudit{Name: o.Name, Kind: o.Kind, ParentID: o.ParentID, Established: o.EstablishedOn.Format(dateLayout)}
	if o.DissolvedOn != nil {
		a.Dissolved = o.DissolvedOn.Format(dateLayout)
	}
	return a
}

// Create adds an organisation.
func (s *Store) Create(ctx context.Context, v Values) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, $2, $3, $4) RETURNING id`,
			v.ParentID, v.Kind, v.Name, v.EstablishedOn).Scan(&id)
		if isUnique(err) {
			return ErrNameTaken
		}
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "org.create", Entity: "organisation", EntityID: id,
			After: orgAudit{Name: v.Name, Kind: v.Kind, ParentID: v.ParentID, Established: v.EstablishedOn.Format(dateLayout)}})
	})
	if err != nil {
		return 0, fmt.Errorf("org: create: %w", err)
	}
	return id, nil
}

// Update renames and moves an organisation if nobody changed it since
// version was read; ErrConflict otherwise.
func (s *Store) Update(ctx context.Context, id int64, version int, name string, parentID *int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE organisations SET name = $3, parent_id = $4, version = version + 1 WHERE id = $1 AND version = $2`, id, version, name, parentID)
		if isUnique(err) {
			return ErrNameTaken
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.ErrConflict
		}
		after := *before
		after.Name, after.ParentID = name, parentID
		return audit.Record(ctx, tx, audit.Event{Action: "org.update", Entity: "organisation", EntityID: id, Before: auditOf(before), After: auditOf(&after)})
	})
	if err != nil {
		return fmt.Errorf("org: update %d: %w", id, err)
	}
	return nil
}

// ErrNotEmpty means an organisation still has open children or members.
var ErrNotEmpty = errors.New("org: still has open sub-organisations or members")

// Dissolve marks an organisation dissolved on a day; it stays in the
// records. It must have no open children and no members in good standing.
func (s *Store) Dissolve(ctx context.Context, id int64, version int, on time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.Get(ctx, id)
		if err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM organisations WHERE parent_id = $1 AND dissolved_on IS NULL`, id).Scan(&open); err != nil {
			return err
		}
		if open > 0 || before.People > 0 {
			return ErrNotEmpty
		}
		tag, err := tx.Exec(ctx, `UPDATE organisations SET dissolved_on = $3, version = version + 1 WHERE id = $1 AND version = $2 AND dissolved_on IS NULL`, id, version, on)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.ErrConflict
		}
		after := *before
		after.DissolvedOn = &on
		return audit.Record(ctx, tx, audit.Event{Action: "org.dissolve", Entity: "organisation", EntityID: id, Before: auditOf(before), After: auditOf(&after)})
	})
	if err != nil {
		return fmt.Errorf("org: dissolve %d: %w", id, err)
	}
	return nil
}

// ErrTermTaken means the organisation already has a term with that number.
var ErrTermTaken = errors.New("org: term number taken")

// termAudit is what the audit trail keeps of a new term.
type termAudit struct {
	TermNo    int              `json:"term_no"`
	ElectedOn string           `json:"elected_on"`
	DueOn     string           `json:"due_on"`
	Posts     map[string]int64 `json:"posts"`
	Members   []int64          `json:"members,omitempty"`
}

// CreateTerm records a newly elected term with its posts, ending the
// previous open term on the election day.
func (s *Store) CreateTerm(ctx context.Context, orgID int64, t TermValues) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		id, err = createTerm(ctx, tx, orgID, t)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("org: create term %d: %w", orgID, err)
	}
	return id, nil
}

// createTerm records a term in tx (CreateTerm, and the approval of an
// election).
func createTerm(ctx context.Context, tx pgx.Tx, orgID int64, t TermValues) (int64, error) {
	var id int64
	if _, err := tx.Exec(ctx, `UPDATE committee_terms SET ended_on = greatest($2::date, elected_on) WHERE org_id = $1 AND ended_on IS NULL`, orgID, t.ElectedOn); err != nil {
		return 0, err
	}
	err := tx.QueryRow(ctx, `INSERT INTO committee_terms (org_id, term_no, elected_on, due_on) VALUES ($1, $2, $3, $4) RETURNING id`,
		orgID, t.TermNo, t.ElectedOn, t.DueOn).Scan(&id)
	if isUnique(err) {
		return 0, ErrTermTaken
	}
	if err != nil {
		return 0, err
	}
	posts := map[string]int64{}
	for _, p := range append(slices.Clone(Posts), "member") {
		for _, mid := range t.members(p) {
			if _, err := tx.Exec(ctx, `INSERT INTO committee_posts (term_id, member_id, post) VALUES ($1, $2, $3)`, id, mid, p); err != nil {
				return 0, err
			}
			if p != "member" {
				posts[p] = mid
			}
		}
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "org.term.create", Entity: "organisation", EntityID: orgID,
		After: termAudit{TermNo: t.TermNo, ElectedOn: t.ElectedOn.Format(dateLayout), DueOn: t.DueOn.Format(dateLayout), Posts: posts, Members: t.Members}})
}
