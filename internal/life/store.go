// Package life runs the yearly democratic-life meeting of a leadership group
// (民主生活会) and the organisational-life meeting of a branch (组织生活会):
// set-up, preparation, the meeting with attendance and criticism, the
// rectification list, and the locked report to the committee.
package life

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
)

// The kinds of life meeting.
const (
	KindDemocratic = "democratic_life"
	KindOrgLife    = "org_life"
)

// The statuses of a life meeting.
const (
	StatusPreparing = "preparing"
	StatusHeld      = "held"
	StatusSubmitted = "submitted"
)

// Life is one yearly life meeting with its organisation.
type Life struct {
	ID          int64
	OrgID       int64
	OrgName     string
	OrgPath     []int64
	Kind        string
	Year        int
	Theme       string
	MeetingID   *int64
	Status      string
	SubmittedAt *time.Time
	Version     int
	StartsAt    *time.Time
	Place       *string
	// MeetingVersion is the version of the meetings row, once held.
	MeetingVersion *int
}

// Locked reports whether the record was submitted and no longer changes.
func (l Life) Locked() bool { return l.Status == StatusSubmitted }

// CanWrite reports whether the scope's user may change the life meeting: a
// democratic-life meeting belongs to the reviewing committee's Party
// office, an organisational-life meeting to its branch's secretary and
// committee.
func CanWrite(s auth.Scope, kind string, path []int64) bool {
	if kind == KindDemocratic {
		return s.CanWriteCommittee(path)
	}
	return s.CanWrite(path)
}

// Participant is a person due at the meeting with their own material.
type Participant struct {
	MemberID      int64
	Name          string
	SelfExamOn    *time.Time
	SelfCriticism string
	Attendance    *string
	Reason        *string
	Version       int
}

// Step is one preparation step.
type Step struct {
	ID       int64
	Kind     string
	DoneOn   *time.Time
	Evidence string
}

// Opinion is one opinion solicited before the meeting.
type Opinion struct {
	ID         int64
	SourceType string
	Content    string
	ReceivedOn time.Time
}

// Criticism is what one participant said of another.
type Criticism struct {
	ID       int64
	FromID   int64
	FromName string
	ToID     int64
	ToName   string
	Content  string
}

// TalkHeld is a heart-to-heart talk of the organisation in the meeting's year.
type TalkHeld struct {
	HeldOn time.Time
	AName  string
	BName  string
	Topic  string
}

// Item is one rectification item.
type Item struct {
	ID        int64
	OrgID     int64
	OrgName   string
	LifeID    *int64
	LifeKind  *string
	LifeYear  *int
	Problem   string
	Measure   string
	OwnerID   *int64
	OwnerName *string
	Deadline  time.Time
	Status    string
	DoneOn    *time.Time
	Evidence  string
	Version   int
	Overdue   bool
}

const lifeCols = `l.id, l.org_id, o.name AS org_name, o.path AS org_path, l.kind, l.year, l.theme, l.meeting_id,
       l.status, l.submitted_at, l.version, m.starts_at, m.place, m.version AS meeting_version`

const getSQL = `SELECT ` + lifeCols + `
  FROM life_meetings l JOIN organisations o ON o.id = l.org_id LEFT JOIN meetings m ON m.id = l.meeting_id
 WHERE l.id = $1`

// Get loads one life meeting; ErrNotFound when there is none.
func Get(ctx context.Context, q db.Querier, id int64) (Life, error) {
	rows, err := q.Query(ctx, getSQL, id)
	if err != nil {
		return Life{}, fmt.Errorf("life: get %d: %w", id, err)
	}
	l, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Life])
	if errors.Is(err, pgx.ErrNoRows) {
		return Life{}, fmt.Errorf("life: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return Life{}, fmt.Errorf("life: get %d: %w", id, err)
	}
	return l, nil
}

// ListRow is one life meeting in the list.
type ListRow struct {
	ID       int64
	OrgName  string
	Kind     string
	Year     int
	Theme    string
	Status   string
	OpenN    int
	OverdueN int
}

// ListFilter narrows and orders the list.
type ListFilter struct {
	Roots  []int64
	Year   int
	Status string // preparing, held, submitted or ""
	Search string
	Sort   string
	Desc   bool
	Limit  int
	Offset int
}

var listSorts = map[string]string{"year": "l.year", "org": "o.name", "status": "l.status", "kind": "l.kind"}

const listWhere = `
  FROM life_meetings l JOIN organisations o ON o.id = l.org_id
 WHERE o.path && $1::bigint[]
   AND ($2 = 0 OR l.year = $2)
   AND ($3 = '' OR o.name ILIKE '%' || $3 || '%' OR l.theme ILIKE '%' || $3 || '%')
   AND ($4 = '' OR l.status = $4)`

// List returns a page of the life meetings inside roots and the total.
func List(ctx context.Context, q db.Querier, f ListFilter) ([]ListRow, int, error) {
	f.Search = db.EscapeLike(f.Search)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+listWhere, f.Roots, f.Year, f.Search, f.Status).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("life: count: %w", err)
	}
	order, ok := listSorts[f.Sort]
	if !ok {
		order = "l.year"
		f.Desc = true
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	out, err := db.Rows[ListRow](ctx, q, `SELECT l.id, o.name AS org_name, l.kind, l.year, l.theme, l.status,
       (SELECT count(*) FROM rectification_items r WHERE r.life_id = l.id AND r.status <> 'done')::int AS open_n,
       (SELECT count(*) FROM rectification_items r WHERE r.life_id = l.id AND r.status <> 'done' AND r.deadline < current_date)::int AS overdue_n`+
		listWhere+` ORDER BY `+order+` `+dir+`, l.id DESC LIMIT $5 OFFSET $6`, f.Roots, f.Year, f.Search, f.Status, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("life: list: %w", err)
	}
	return out, total, nil
}

// OrgChoice is an organisation the user may set up a meeting for.
type OrgChoice struct {
	ID   int64
	Name string
	Kind string
}

// WritableOrgs lists the organisations the scope's user may set up a life
// meeting for: the reviewer's committee (democratic life) and the user's
// branches.
func WritableOrgs(ctx context.Context, q db.Querier, s auth.Scope) ([]OrgChoice, error) {
	ids := s.WriteRoots()
	if r := s.Committee(); r != 0 {
		ids = append(ids, r)
	}
	out, err := db.Rows[OrgChoice](ctx, q, `SELECT id, name, kind FROM organisations WHERE id = ANY($1) AND kind IN ('committee', 'branch') AND dissolved_on IS NULL ORDER BY path`, ids)
	if err != nil {
		return nil, fmt.Errorf("life: writable orgs: %w", err)
	}
	return out, nil
}

// dueSQL lists who takes part: for a committee the members holding posts in
// its current term; for a branch its full and probationary members.
const dueSQL = `
SELECT m.id FROM members m
 WHERE $2 = 'committee' AND m.id IN (
       SELECT p.member_id FROM committee_posts p
        WHERE p.term_id = (SELECT t.id FROM terms_on(current_date) t WHERE t.org_id = $1))
UNION
SELECT m.id FROM members m
 WHERE $2 <> 'committee' AND m.branch_id = $1 AND in_good_standing(m.category, m.party_status)`

// NewLife is what the set-up form creates.
type NewLife struct {
	OrgID int64
	Year  int
	Theme string
}

// Create sets up a year's life meeting with its participants.
func Create(ctx context.Context, tx pgx.Tx, n NewLife) (int64, error) {
	var orgKind string
	if err := tx.QueryRow(ctx, `SELECT kind FROM organisations WHERE id = $1`, n.OrgID).Scan(&orgKind); err != nil {
		return 0, fmt.Errorf("life: create: org %d: %w", n.OrgID, err)
	}
	kind := KindOrgLife
	if orgKind == "committee" {
		kind = KindDemocratic
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO life_meetings (org_id, kind, year, theme) VALUES ($1, $2, $3, $4)
ON CONFLICT (org_id, kind, year) DO NOTHING RETURNING id`, n.OrgID, kind, n.Year, n.Theme).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("life: create for %d/%d: %w", n.OrgID, n.Year, apperr.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("life: create: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id) SELECT $3, id FROM (`+dueSQL+`) d`, n.OrgID, orgKind, id); err != nil {
		return 0, fmt.Errorf("life: participants of %d: %w", id, err)
	}
	return id, nil
}

// Detail is everything recorded for one life meeting.
type Detail struct {
	Life         Life
	Participants []Participant
	Steps        []Step
	Opinions     []Opinion
	Criticisms   []Criticism
	Talks        []TalkHeld
	Items        []Item
}

// Due is the number of participants due at the meeting.
func (d Detail) Due() int { return len(d.Participants) }

// Present counts the participants recorded present.
func (d Detail) Present() int {
	n := 0
	for _, p := range d.Participants {
		if p.Attendance != nil && *p.Attendance == "present" {
			n++
		}
	}
	return n
}

// QuorumShort reports a democratic-life meeting held with fewer than two
// thirds of those due present.
func (d Detail) QuorumShort() bool {
	return d.Life.Kind == KindDemocratic && d.Life.MeetingID != nil && d.Present()*3 < d.Due()*2
}

// CriticismsOf lists the criticisms given to one participant.
func (d Detail) CriticismsOf(memberID int64) []Criticism {
	var out []Criticism
	for _, c := range d.Criticisms {
		if c.ToID == memberID {
			out = append(out, c)
		}
	}
	return out
}

// OverdueN counts the overdue rectification items.
func (d Detail) OverdueN() int {
	n := 0
	for _, it := range d.Items {
		if it.Overdue {
			n++
		}
	}
	return n
}

const participantsSQL = `
SELECT p.member_id, m.name, p.self_exam_on, p.self_criticism, a.status AS attendance, a.reason, p.version
  FROM life_participants p JOIN members m ON m.id = p.member_id
  JOIN life_meetings l ON l.id = p.life_id
  LEFT JOIN attendance a ON a.meeting_id = l.meeting_id AND a.member_id = p.member_id
 WHERE p.life_id = $1 ORDER BY m.name, m.id`

const itemCols = `r.id, r.org_id, o.name AS org_name, r.life_id, l.kind AS life_kind, l.year AS life_year, r.problem, r.measure,
       r.owner_id, mo.name AS owner_name, r.deadline, r.status, r.done_on, r.evidence, r.version,
       (r.status <> 'done' AND r.deadline < current_date) AS overdue`

const itemFrom = `
  FROM rectification_items r JOIN organisations o ON o.id = r.org_id
  LEFT JOIN life_meetings l ON l.id = r.life_id
  LEFT JOIN members mo ON mo.id = r.owner_id`

// Load reads the whole record of a life meeting.
func Load(ctx context.Context, q db.Querier, id int64) (Detail, error) {
	l, err := Get(ctx, q, id)
	if err != nil {
		return Detail{}, err
	}
	d := Detail{Life: l}
	rows, err := q.Query(ctx, participantsSQL, id)
	if err != nil {
		return Detail{}, fmt.Errorf("life: participants of %d: %w", id, err)
	}
	if d.Participants, err = pgx.CollectRows(rows, pgx.RowToStructByName[Participant]); err != nil {
		return d, fmt.Errorf("life: participants of %d: %w", id, err)
	}
	rows, err = q.Query(ctx, `SELECT id, kind, done_on, evidence FROM life_steps WHERE life_id = $1 ORDER BY done_on NULLS LAST, id`, id)
	if err != nil {
		return Detail{}, fmt.Errorf("life: steps of %d: %w", id, err)
	}
	if d.Steps, err = pgx.CollectRows(rows, pgx.RowToStructByName[Step]); err != nil {
		return d, fmt.Errorf("life: steps of %d: %w", id, err)
	}
	rows, err = q.Query(ctx, `SELECT id, source_type, content, received_on FROM life_opinions WHERE life_id = $1 ORDER BY received_on, id`, id)
	if err != nil {
		return Detail{}, fmt.Errorf("life: opinions of %d: %w", id, err)
	}
	if d.Opinions, err = pgx.CollectRows(rows, pgx.RowToStructByName[Opinion]); err != nil {
		return d, fmt.Errorf("life: opinions of %d: %w", id, err)
	}
	rows, err = q.Query(ctx, `SELECT c.id, c.from_id, f.name AS from_name, c.to_id, t.name AS to_name, c.content
  FROM criticisms c JOIN members f ON f.id = c.from_id JOIN members t ON t.id = c.to_id WHERE c.life_id = $1 ORDER BY c.id`, id)
	if err != nil {
		return Detail{}, fmt.Errorf("life: criticisms of %d: %w", id, err)
	}
	if d.Criticisms, err = pgx.CollectRows(rows, pgx.RowToStructByName[Criticism]); err != nil {
		return d, fmt.Errorf("life: criticisms of %d: %w", id, err)
	}
	rows, err = q.Query(ctx, `SELECT t.held_on, a.name AS a_name, b.name AS b_name, t.topic
  FROM talks t JOIN members a ON a.id = t.a_id JOIN members b ON b.id = t.b_id
 WHERE t.branch_id = $1 AND extract(year FROM t.held_on)::int IN ($2, $2 + 1) ORDER BY t.held_on`, l.OrgID, l.Year)
	if err != nil {
		return Detail{}, fmt.Errorf("life: talks of %d: %w", id, err)
	}
	if d.Talks, err = pgx.CollectRows(rows, pgx.RowToStructByName[TalkHeld]); err != nil {
		return d, fmt.Errorf("life: talks of %d: %w", id, err)
	}
	rows, err = q.Query(ctx, `SELECT `+itemCols+itemFrom+` WHERE r.life_id = $1 ORDER BY r.deadline, r.id`, id)
	if err != nil {
		return Detail{}, fmt.Errorf("life: items of %d: %w", id, err)
	}
	if d.Items, err = pgx.CollectRows(rows, pgx.RowToStructByName[Item]); err != nil {
		return d, fmt.Errorf("life: items of %d: %w", id, err)
	}
	return d, nil
}

// isParticipant reports whether memberID takes part in the life meeting.
func isParticipant(ctx context.Context, q db.Querier, lifeID, memberID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM life_participants WHERE life_id = $1 AND member_id = $2)`, lifeID, memberID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("life: participant %d of %d: %w", memberID, lifeID, err)
	}
	return ok, nil
}

// touch bumps the version of an unlocked life meeting, inside the
// transaction that changes one of its sections; a submitted one is
// ErrForbidden.
func touch(ctx context.Context, tx pgx.Tx, id int64) error {
	tag, err := tx.Exec(ctx, `UPDATE life_meetings SET version = version + 1 WHERE id = $1 AND status <> 'submitted'`, id)
	if err != nil {
		return fmt.Errorf("life: touch %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("life: %d is submitted: %w", id, apperr.ErrForbidden)
	}
	return nil
}

// OverdueForOrg lists the overdue rectification items of an organisation
// and everything under it, for the review dashboard and branch pages.
func OverdueForOrg(ctx context.Context, q db.Querier, orgID int64) ([]Item, error) {
	out, err := db.Rows[Item](ctx, q, `SELECT `+itemCols+itemFrom+`
 WHERE o.path @> ARRAY[$1::bigint] AND r.status <> 'done' AND r.deadline < current_date ORDER BY r.deadline, r.id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("life: overdue of org %d: %w", orgID, err)
	}
	return out, nil
}

// OverdueForMember lists the overdue rectification items a member owns,
// for the member page.
func OverdueForMember(ctx context.Context, q db.Querier, memberID int64) ([]Item, error) {
	out, err := db.Rows[Item](ctx, q, `SELECT `+itemCols+itemFrom+`
 WHERE r.owner_id = $1 AND r.status <> 'done' AND r.deadline < current_date ORDER BY r.deadline, r.id`, memberID)
	if err != nil {
		return nil, fmt.Errorf("life: overdue of member %d: %w", memberID, err)
	}
	return out, nil
}

// GetItem loads one rectification item with its organisation's path.
func GetItem(ctx context.Context, q db.Querier, id int64) (Item, []int64, error) {
	rows, err := q.Query(ctx, `SELECT `+itemCols+`, o.path`+itemFrom+` WHERE r.id = $1`, id)
	if err != nil {
		return Item{}, nil, fmt.Errorf("life: item %d: %w", id, err)
	}
	var it Item
	var path []int64
	found := false
	for rows.Next() {
		found = true
		if err := rows.Scan(&it.ID, &it.OrgID, &it.OrgName, &it.LifeID, &it.LifeKind, &it.LifeYear, &it.Problem, &it.Measure,
			&it.OwnerID, &it.OwnerName, &it.Deadline, &it.Status, &it.DoneOn, &it.Evidence, &it.Version, &it.Overdue, &path); err != nil {
			rows.Close()
			return it, nil, fmt.Errorf("life: item %d: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return it, nil, fmt.Errorf("life: item %d: %w", id, err)
	}
	if !found {
		return it, nil, fmt.Errorf("life: item %d: %w", id, apperr.ErrNotFound)
	}
	return it, path, nil
}

// ItemFilter narrows the rectification list.
type ItemFilter struct {
	Roots  []int64
	Status string // open, in_progress, done, overdue or ""
	Search string
	Sort   string
	Desc   bool
	Limit  int
	Offset int
}

var itemSorts = map[string]string{"deadline": "r.deadline", "org": "o.name", "status": "r.status", "owner": "mo.name"}

const itemWhere = `
 WHERE o.path && $1::bigint[]
   AND ($2 = '' OR ($2 = 'overdue' AND r.status <> 'done' AND r.deadline < current_date) OR r.status = $2)
   AND ($3 = '' OR r.problem ILIKE '%' || $3 || '%' OR o.name ILIKE '%' || $3 || '%' OR mo.name ILIKE '%' || $3 || '%')`

// ListItems returns a page of rectification items inside roots and the total.
func ListItems(ctx context.Context, q db.Querier, f ItemFilter) ([]Item, int, error) {
	f.Search = db.EscapeLike(f.Search)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+itemFrom+itemWhere, f.Roots, f.Status, f.Search).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("life: count items: %w", err)
	}
	order, ok := itemSorts[f.Sort]
	if !ok {
		order = "r.deadline"
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	out, err := db.Rows[Item](ctx, q, `SELECT `+itemCols+itemFrom+itemWhere+` ORDER BY (r.status <> 'done' AND r.deadline < current_date) DESC, `+order+` `+dir+`, r.id LIMIT $4 OFFSET $5`,
		f.Roots, f.Status, f.Search, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("life: list items: %w", err)
	}
	return out, total, nil
}

// StepsOf counts the preparation steps of a kind.
func (d Detail) StepsOf(kind string) int {
	n := 0
	for _, s := range d.Steps {
		if s.Kind == kind {
			n++
		}
	}
	return n
}

// SelfExamDone counts the participants who handed in their
// self-examination material.
func (d Detail) SelfExamDone() int {
	n := 0
	for _, p := range d.Participants {
		if p.SelfExamOn != nil {
			n++
		}
	}
	return n
}

// OwnsOverdue reports whether the member owns an overdue item of the list.
func (d Detail) OwnsOverdue(memberID int64) bool {
	for _, it := range d.Items {
		if it.Overdue && it.OwnerID != nil && *it.OwnerID == memberID {
			return true
		}
	}
	return false
}

// Candidate is a member who may be added to the participants.
type Candidate struct {
	ID   int64
	Name string
}

// Candidates lists the members of the organisation's subtree who are not
// yet participants.
func Candidates(ctx context.Context, q db.Querier, l Life) ([]Candidate, error) {
	out, err := db.Rows[Candidate](ctx, q, `SELECT m.id, m.name FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE o.path @> ARRAY[$1::bigint] AND in_good_standing(m.category, m.party_status)
   AND NOT EXISTS (SELECT 1 FROM life_participants p WHERE p.life_id = $2 AND p.member_id = m.id)
 ORDER BY m.name, m.id`, l.OrgID, l.ID)
	if err != nil {
		return nil, fmt.Errorf("life: candidates of %d: %w", l.ID, err)
	}
	return out, nil
}

// OverdueByOrg counts overdue rectification items per organisation inside
// roots, for lists and trees of organisations.
func OverdueByOrg(ctx context.Context, q db.Querier, roots []int64) (map[int64]int, error) {
	return overdueCounts(ctx, q, `SELECT r.org_id, count(*)::int`+itemFrom+`
 WHERE o.path && $1::bigint[] AND r.status <> 'done' AND r.deadline < current_date GROUP BY r.org_id`, roots)
}

// OverdueByOwner counts overdue rectification items per owner inside
// roots, for lists of members.
func OverdueByOwner(ctx context.Context, q db.Querier, roots []int64) (map[int64]int, error) {
	return overdueCounts(ctx, q, `SELECT r.owner_id, count(*)::int`+itemFrom+`
 WHERE o.path && $1::bigint[] AND r.owner_id IS NOT NULL AND r.status <> 'done' AND r.deadline < current_date GROUP BY r.owner_id`, roots)
}

func overdueCounts(ctx context.Context, q db.Querier, sql string, roots []int64) (map[int64]int, error) {
	rows, err := q.Query(ctx, sql, roots)
	if err != nil {
		return nil, fmt.Errorf("life: overdue counts: %w", err)
	}
	out := map[int64]int{}
	var id int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&id, &n}, func() error { out[id] = n; return nil }); err != nil {
		return nil, fmt.Errorf("life: overdue counts: %w", err)
	}
	return out, nil
}
