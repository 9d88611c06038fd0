// Package leadgroup keeps the leadership groups of an agency (领导班子: the
// 党组, the 党委常委会 or the agency's leading body) and their members. A
// group belongs to the agency committee it reports through; its members
// are roster members who keep their branch membership (双重组织生活), and
// its yearly democratic-life meeting (民主生活会, internal/life) hangs on
// it (rules.md §6).
package leadgroup

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Kinds of leadership group, and roles in one.
var (
	Kinds = []string{"party_group", "standing_committee", "leading_body"}
	Roles = []string{"secretary", "deputy", "member"}
)

// The refusals of the schema's constraints, for the forms.
var (
	// ErrOverlap: the person already belongs to the group on some of the days.
	ErrOverlap = errors.New("leadgroup: membership overlaps another of the same person")
	// ErrSecondSecretary: the group has another secretary on some of the days.
	ErrSecondSecretary = errors.New("leadgroup: the group has another secretary then")
	// ErrNameTaken: the committee has a group of that name.
	ErrNameTaken = errors.New("leadgroup: name taken")
)

// Group is one leadership group with its committee.
type Group struct {
	ID            int64
	CommitteeID   int64
	CommitteeName string
	CommitteePath []int64
	Kind          string
	Name          string
	Version       int
}

const groupSQL = `SELECT g.id, g.committee_id, o.name AS committee_name, o.path AS committee_path, g.kind, g.name, g.version
  FROM leadership_groups g JOIN organisations o ON o.id = g.committee_id`

// Get loads one group; ErrNotFound when there is none.
func Get(ctx context.Context, q db.Querier, id int64) (Group, error) {
	g, err := db.One[Group](ctx, q, groupSQL+` WHERE g.id = $1`, id)
	if err != nil {
		return Group{}, fmt.Errorf("leadgroup: get %d: %w", id, err)
	}
	return g, nil
}

// ListRow is one group in the list: its members today and whether the
// year's democratic-life meeting was held.
type ListRow struct {
	ID            int64
	Name          string
	Kind          string
	CommitteeName string
	MembersNow    int
	HeldThisYear  bool
}

const listWhere = `
  FROM leadership_groups g JOIN organisations o ON o.id = g.committee_id
 WHERE o.path && $1::bigint[]`

// List returns a page of the groups whose committee lies inside roots (a
// reviewer's subtree), and the total.
func List(ctx context.Context, q db.Querier, roots []int64, today time.Time, limit, offset int) ([]ListRow, int, error) {
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+listWhere, roots).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("leadgroup: count: %w", err)
	}
	out, err := db.Rows[ListRow](ctx, q, `SELECT g.id, g.name, g.kind, o.name AS committee_name,
       (SELECT count(*) FROM leadership_group_members gm WHERE gm.group_id = g.id
           AND gm.from_on <= $2::date AND (gm.to_on IS NULL OR gm.to_on >= $2::date))::int AS members_now,
       EXISTS (SELECT 1 FROM life_meetings l WHERE l.group_id = g.id AND l.year = extract(year FROM $2::date)::int
           AND l.status IN ('held', 'submitted')) AS held_this_year`+listWhere+`
 ORDER BY o.path, g.name, g.id LIMIT $3 OFFSET $4`, roots, today, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("leadgroup: list: %w", err)
	}
	return out, total, nil
}

// Member is one membership of a group: a roster member with a role from a
// day to a day (ToOn nil while in office).
type Member struct {
	ID         int64
	GroupID    int64
	MemberID   int64
	Name       string
	BranchName string
	Role       string
	FromOn     time.Time
	ToOn       *time.Time
	Version    int
}

// On reports whether the membership covers day.
func (m Member) On(day time.Time) bool {
	d := day.Format(time.DateOnly)
	return m.FromOn.Format(time.DateOnly) <= d && (m.ToOn == nil || m.ToOn.Format(time.DateOnly) >= d)
}

const memberSQL = `SELECT gm.id, gm.group_id, gm.member_id, m.name, b.name AS branch_name, gm.role, gm.from_on, gm.to_on, gm.version
  FROM leadership_group_members gm JOIN members m ON m.id = gm.member_id JOIN organisations b ON b.id = m.branch_id`

// Members lists a group's memberships, those in office first, by role.
func Members(ctx context.Context, q db.Querier, groupID int64) ([]Member, error) {
	out, err := db.Rows[Member](ctx, q, memberSQL+` WHERE gm.group_id = $1
 ORDER BY gm.to_on IS NOT NULL, gm.to_on DESC, array_position(ARRAY['secretary', 'deputy', 'member'], gm.role), m.name, gm.id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("leadgroup: members of %d: %w", groupID, err)
	}
	return out, nil
}

// MembersOn lists the members of a group on a day: those due at its
// democratic-life meeting held that day.
func MembersOn(ctx context.Context, q db.Querier, groupID int64, day time.Time) ([]Member, error) {
	out, err := db.Rows[Member](ctx, q, memberSQL+` WHERE gm.group_id = $1
   AND gm.from_on <= $2::date AND (gm.to_on IS NULL OR gm.to_on >= $2::date) ORDER BY m.name, gm.id`, groupID, day)
	if err != nil {
		return nil, fmt.Errorf("leadgroup: members of %d on %s: %w", groupID, day.Format(time.DateOnly), err)
	}
	return out, nil
}

// GetMember loads one membership of a group.
func GetMember(ctx context.Context, q db.Querier, groupID, id int64) (Member, error) {
	m, err := db.One[Member](ctx, q, memberSQL+` WHERE gm.group_id = $1 AND gm.id = $2`, groupID, id)
	if err != nil {
		return Member{}, fmt.Errorf("leadgroup: member %d of %d: %w", id, groupID, err)
	}
	return m, nil
}

// Candidate is a roster member who may join a group: in good standing in
// a branch under the group's committee.
type Candidate struct {
	ID         int64
	Name       string
	BranchName string
}

// Candidates lists the members of the committee's subtree in good standing.
func Candidates(ctx context.Context, q db.Querier, committeeID int64) ([]Candidate, error) {
	out, err := db.Rows[Candidate](ctx, q, `SELECT m.id, m.name, o.name AS branch_name
  FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.path @> ARRAY[$1::bigint] AND in_good_standing(m.category, m.party_status)
 ORDER BY m.name, m.id`, committeeID)
	if err != nil {
		return nil, fmt.Errorf("leadgroup: candidates of %d: %w", committeeID, err)
	}
	return out, nil
}

// Mine is a group a member belongs to today, for /me.
type Mine struct {
	GroupID int64
	Name    string
	Kind    string
	Role    string
	FromOn  time.Time
}

// QueueMine adds the statement of the member's groups today to a batch,
// for pages that read many things in one round trip (/me); dst is filled
// when the batch runs.
func QueueMine(b *pgx.Batch, memberID int64, today time.Time, dst *[]Mine) {
	b.Queue(`SELECT g.id AS group_id, g.name, g.kind, gm.role, gm.from_on
  FROM leadership_group_members gm JOIN leadership_groups g ON g.id = gm.group_id
 WHERE gm.member_id = $1 AND gm.from_on <= $2::date AND (gm.to_on IS NULL OR gm.to_on >= $2::date)
 ORDER BY g.name, g.id`, memberID, today).Query(func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Mine])
		*dst = out
		return err
	})
}

// GroupInput is a group's kind and name; CommitteeID is set on creation.
type GroupInput struct {
	CommitteeID int64
	Kind        string
	Name        string
}

// MemberInput is one membership's person, role and dates.
type MemberInput struct {
	MemberID int64
	Role     string
	FromOn   time.Time
	ToOn     *time.Time
}

// Store makes the package's changes, each in its own transaction with its
// audit row.
type Store struct{ pool *pgxpool.Pool }

// NewStore returns the store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// constraintErr turns the schema's refusals into the package's errors.
func constraintErr(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch pg.ConstraintName {
	case "leadership_group_members_no_overlap":
		return fmt.Errorf("%w: %w", ErrOverlap, apperr.ErrInvalid)
	case "leadership_group_members_one_secretary":
		return fmt.Errorf("%w: %w", ErrSecondSecretary, apperr.ErrInvalid)
	case "leadership_groups_committee_id_name_key":
		return fmt.Errorf("%w: %w", ErrNameTaken, apperr.ErrInvalid)
	}
	return err
}

// Create adds a group to a committee and returns its id.
func (s *Store) Create(ctx context.Context, in GroupInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO leadership_groups (committee_id, kind, name) VALUES ($1, $2, $3) RETURNING id`,
			in.CommitteeID, in.Kind, in.Name).Scan(&id); err != nil {
			return 0, fmt.Errorf("leadgroup: create: %w", constraintErr(err))
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "leadgroup.create", Entity: "leadership_group", EntityID: id, After: in})
	})
}

// Update renames a group or changes its kind at the version the user
// loaded; ErrConflict when it changed meanwhile.
func (s *Store) Update(ctx context.Context, g Group, version int, in GroupInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE leadership_groups SET kind = $3, name = $4, version = version + 1 WHERE id = $1 AND version = $2`,
			g.ID, version, in.Kind, in.Name)
		if err != nil {
			return fmt.Errorf("leadgroup: update %d: %w", g.ID, constraintErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("leadgroup: update %d at version %d: %w", g.ID, version, apperr.ErrConflict)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "leadgroup.update", Entity: "leadership_group", EntityID: g.ID,
			Before: GroupInput{CommitteeID: g.CommitteeID, Kind: g.Kind, Name: g.Name}, After: in})
	})
}

// AddMember adds a membership to a group.
func (s *Store) AddMember(ctx context.Context, groupID int64, in MemberInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO leadership_group_members (group_id, member_id, role, from_on, to_on) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			groupID, in.MemberID, in.Role, in.FromOn, in.ToOn).Scan(&id); err != nil {
			return 0, fmt.Errorf("leadgroup: add member to %d: %w", groupID, constraintErr(err))
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "leadgroup.member.add", Entity: "leadership_group", EntityID: groupID, After: in})
	})
}

// UpdateMember changes a membership's role and dates at the version the
// user loaded; ErrConflict when it changed meanwhile.
func (s *Store) UpdateMember(ctx context.Context, m Member, version int, in MemberInput) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE leadership_group_members SET role = $4, from_on = $5, to_on = $6, version = version + 1
 WHERE id = $1 AND group_id = $2 AND version = $3`, m.ID, m.GroupID, version, in.Role, in.FromOn, in.ToOn)
		if err != nil {
			return fmt.Errorf("leadgroup: update member %d: %w", m.ID, constraintErr(err))
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("leadgroup: member %d at version %d: %w", m.ID, version, apperr.ErrConflict)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "leadgroup.member.update", Entity: "leadership_group", EntityID: m.GroupID,
			Before: MemberInput{MemberID: m.MemberID, Role: m.Role, FromOn: m.FromOn, ToOn: m.ToOn}, After: in})
	})
}

// RemoveMember deletes a membership entered in error (a member who leaves
// the group gets a last day instead, so past meetings keep their due list).
func (s *Store) RemoveMember(ctx context.Context, m Member) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM leadership_group_members WHERE id = $1 AND group_id = $2`, m.ID, m.GroupID)
		if err != nil {
			return fmt.Errorf("leadgroup: remove member %d: %w", m.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("leadgroup: member %d: %w", m.ID, apperr.ErrNotFound)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "leadgroup.member.remove", Entity: "leadership_group", EntityID: m.GroupID,
			Before: MemberInput{MemberID: m.MemberID, Role: m.Role, FromOn: m.FromOn, ToOn: m.ToOn}})
	})
}
