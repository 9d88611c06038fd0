package cases

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
)

// PostKinds are the kinds of vanguard post.
var PostKinds = []string{"vanguard_post", "model_post", "task_force"}

// Post is a vanguard post, model post or task force of a branch.
type Post struct {
	ID         int64
	BranchID   int64
	BranchName string
	BranchPath []int64
	Kind       string
	Name       string
	Task       string
	StartedOn  time.Time
	EndedOn    *time.Time
	Version    int
	Members    int
	Delivered  int
	Cases      int
}

// Pledge is a member's public commitment on a post and what was delivered.
type Pledge struct {
	MemberID   int64
	MemberName string
	Commitment string
	Delivered  string
}

const postCols = `p.id, p.branch_id, o.name AS branch_name, o.path AS branch_path, p.kind, p.name, p.task, p.started_on, p.ended_on, p.version,
 (SELECT count(*) FROM vanguard_members vm WHERE vm.post_id = p.id)::int AS members,
 (SELECT count(*) FROM vanguard_members vm WHERE vm.post_id = p.id AND vm.delivered <> '')::int AS delivered,
 (SELECT count(*) FROM cases c WHERE c.post_id = p.id)::int AS cases`

// Posts lists the posts of the branches in scope s (a branch its own, the
// committee across its subtree), newest first, and the total.
func Posts(ctx context.Context, q db.Querier, s auth.Scope, kind string, limit, offset int) ([]Post, int, error) {
	where := ` FROM vanguard_posts p JOIN organisations o ON o.id = p.branch_id WHERE o.path && $1::bigint[] AND ($2 = '' OR p.kind = $2)`
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+where, s.ReadRoots(), kind).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("cases: count posts: %w", err)
	}
	out, err := db.Rows[Post](ctx, q, `SELECT `+postCols+where+` ORDER BY p.started_on DESC, p.id DESC LIMIT $3 OFFSET $4`, s.ReadRoots(), kind, limit, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("cases: posts: %w", err)
	}
	return out, total, nil
}

// GetPost loads a post in scope s.
func GetPost(ctx context.Context, q db.Querier, s auth.Scope, id int64) (Post, error) {
	out, err := db.One[Post](ctx, q, `SELECT `+postCols+` FROM vanguard_posts p JOIN organisations o ON o.id = p.branch_id
 WHERE o.path && $1::bigint[] AND p.id = $2`, s.ReadRoots(), id)
	if err != nil {
		return Post{}, fmt.Errorf("cases: post %d: %w", id, err)
	}
	return out, nil
}

// Pledges lists a post's members with their commitments.
func Pledges(ctx context.Context, q db.Querier, postID int64) ([]Pledge, error) {
	out, err := db.Rows[Pledge](ctx, q, `SELECT vm.member_id, m.name AS member_name, vm.commitment, vm.delivered
  FROM vanguard_members vm JOIN members m ON m.id = vm.member_id WHERE vm.post_id = $1 ORDER BY m.name, m.id`, postID)
	if err != nil {
		return nil, fmt.Errorf("cases: pledges of %d: %w", postID, err)
	}
	return out, nil
}

// Person is a member who may join a post.
type Person struct {
	ID   int64
	Name string
}

// BranchMembers lists a branch's members in good standing.
func BranchMembers(ctx context.Context, q db.Querier, branchID int64) ([]Person, error) {
	out, err := db.Rows[Person](ctx, q, `SELECT m.id, m.name FROM members m
 WHERE m.branch_id = $1 AND in_good_standing(m.category, m.party_status) ORDER BY m.name, m.id`, branchID)
	if err != nil {
		return nil, fmt.Errorf("cases: members of %d: %w", branchID, err)
	}
	return out, nil
}

// PostInput is a new post.
type PostInput struct {
	BranchID  int64
	Kind      string
	Name      string
	Task      string
	StartedOn time.Time
	EndedOn   *time.Time
}

// CreatePost records a post.
func (s *Store) CreatePost(ctx context.Context, in PostInput) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO vanguard_posts (branch_id, kind, name, task, started_on, ended_on) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			in.BranchID, in.Kind, in.Name, in.Task, in.StartedOn, in.EndedOn).Scan(&id); err != nil {
			return 0, fmt.Errorf("cases: create post: %w", err)
		}
		return id, audit.Record(ctx, tx, audit.Event{Action: "vanguard.create", Entity: "vanguard_post", EntityID: id, After: in})
	})
}

// ErrNotMember refuses a pledge by someone not a member of the post's branch.
var ErrNotMember = errors.New("cases: not a member of the branch")

// SavePledge records (or changes) a member's commitment on a post and
// what was delivered.
func (s *Store) SavePledge(ctx context.Context, p Post, pl Pledge) error {
	_, err := db.InTx(ctx, s.pool, func(tx pgx.Tx) (struct{}, error) {
		tag, err := tx.Exec(ctx, `INSERT INTO vanguard_members (post_id, member_id, commitment, delivered)
SELECT $1, m.id, $3, $4 FROM members m WHERE m.id = $2 AND m.branch_id = $5
ON CONFLICT (post_id, member_id) DO UPDATE SET commitment = EXCLUDED.commitment, delivered = EXCLUDED.delivered`,
			p.ID, pl.MemberID, pl.Commitment, pl.Delivered, p.BranchID)
		if err != nil {
			return struct{}{}, fmt.Errorf("cases: pledge on %d: %w", p.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return struct{}{}, ErrNotMember
		}
		return struct{}{}, audit.Record(ctx, tx, audit.Event{Action: "vanguard.pledge", Entity: "vanguard_post", EntityID: p.ID, After: pl})
	})
	return err
}
