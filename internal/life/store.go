// Package life runs the yearly democratic-life meeting of a leadership group
// (民主生活会) and the organisational-life meeting of a branch (组织生活会):
// set-up, preparation, the meeting with attendance and criticism, the
// rectification list, and the locked report to the committee.
package life

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
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

// Life is one yearly life meeting with its organisation: for a
// democratic-life meeting the leadership group (GroupID, GroupName) and the
// committee it belongs to (OrgID).
type Life struct {
	ID          int64
	OrgID       int64
	OrgName     string
	GroupID     *int64
	GroupName   *string
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

const lifeCols = `l.id, l.org_id, coalesce(g.name, o.name) AS org_name, l.group_id, g.name AS group_name, o.path AS org_path, l.kind, l.year, l.theme, l.meeting_id,
       l.status, l.submitted_at, l.version, m.starts_at, m.place, m.version AS meeting_version`

const getSQL = `SELECT ` + lifeCols + `
  FROM life_meetings l JOIN organisations o ON o.id = l.org_id LEFT JOIN meetings m ON m.id = l.meeting_id
  LEFT JOIN leadership_groups g ON g.id = l.group_id
 WHERE l.id = $1`

// Get loads one life meeting; ErrNotFound when there is none.
func Get(ctx context.Context, q db.Querier, id int64) (Life, error) {
	l, err := db.One[Life](ctx, q, getSQL, id)
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

var listSorts = map[string]string{"year": "l.year", "org": "coalesce(g.name, o.name)", "status": "l.status", "kind": "l.kind"}

const listWhere = `
  FROM life_meetings l JOIN organisations o ON o.id = l.org_id LEFT JOIN leadership_groups g ON g.id = l.group_id
 WHERE o.path && $1::bigint[]
   AND ($2 = 0 OR l.year = $2)
   AND ($3 = '' OR coalesce(g.name, o.name) ILIKE '%' || $3 || '%' OR l.theme ILIKE '%' || $3 || '%')
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
	out, err := db.Rows[ListRow](ctx, q, `SELECT l.id, coalesce(g.name, o.name) AS org_name, l.kind, l.year, l.theme, l.status,
       (SELECT count(*) FROM rectification_items r WHERE r.life_id = l.id AND r.status <> 'done')::int AS open_n,
       (SELECT count(*) FROM rectification_items r WHERE r.life_id = l.id AND r.status <> 'done' AND r.deadline < current_date)::int AS overdue_n`+
		listWhere+` ORDER BY `+order+` `+dir+`, l.id DESC LIMIT $5 OFFSET $6`, f.Roots, f.Year, f.Search, f.Status, f.Limit, f.Offset)
	if err != nil {
		return nil, 0, fmt.Errorf("life: list: %w", err)
	}
	return out, total, nil
}

// OrgChoice is an organisation (a branch: organisational life) or a
// leadership group (GroupID set: democratic life) the user may set up a
// meeting for.
type OrgChoice struct {
	ID      int64
	GroupID int64
	Name    string
	Kind    string
}

// Value is the choice's value in the set-up form: "g<id>" for a group.
func (c OrgChoice) Value() string {
	if c.GroupID != 0 {
		return fmt.Sprintf("g%d", c.GroupID)
	}
	return fmt.Sprint(c.ID)
}

// WritableOrgs lists what the scope's user may set up a life meeting for:
// the leadership groups of the reviewer's committee (democratic life) and
// the user's branches.
func WritableOrgs(ctx context.Context, q db.Querier, s auth.Scope) ([]OrgChoice, error) {
	out, err := db.Rows[OrgChoice](ctx, q, `SELECT * FROM (
SELECT g.committee_id AS id, g.id AS group_id, g.name, 'group' AS kind FROM leadership_groups g WHERE g.committee_id = $2
UNION ALL
SELECT id, 0, name, kind FROM organisations WHERE id = ANY($1) AND kind = 'branch' AND dissolved_on IS NULL) c
ORDER BY group_id = 0, name`, s.WriteRoots(), s.Committee())
	if err != nil {
		return nil, fmt.Errorf("life: writable orgs: %w", err)
	}
	return out, nil
}

// dueSQL lists who takes part ($1 the organisation, $2 the group or 0, $3
// the day): for a leadership group its members on that day (who keep
// their branch membership: 双重组织生活); for a branch its full and
// probationary members.
const dueSQL = `
SELECT gm.member_id AS id FROM leadership_group_members gm
 WHERE gm.group_id = $2 AND gm.from_on <= $3::date AND (gm.to_on IS NULL OR gm.to_on >= $3::date)
UNION
SELECT m.id FROM members m
 WHERE $2 = 0 AND m.branch_id = $1 AND in_good_standing(m.category, m.party_status)`

// NewLife is what the set-up form creates: a branch's organisational-life
// meeting (OrgID) or a leadership group's democratic-life meeting
// (GroupID).
type NewLife struct {
	OrgID   int64
	GroupID int64
	Year    int
	Theme   string
}

// setUpDay is the day whose group members a democratic-life meeting set up
// for year starts with: today, or the year's last day for a past year, or
// its first for a future one. Hold brings them to the meeting day.
func setUpDay(year int, today time.Time) time.Time {
	first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	last := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	if d.Before(first) {
		return first
	}
	if d.After(last) {
		return last
	}
	return d
}

// Create sets up a year's life meeting with its participants.
func Create(ctx context.Context, tx pgx.Tx, n NewLife) (int64, error) {
	kind := KindOrgLife
	var group *int64
	if n.GroupID != 0 {
		kind, group = KindDemocratic, &n.GroupID
		err := tx.QueryRow(ctx, `SELECT committee_id FROM leadership_groups WHERE id = $1`, n.GroupID).Scan(&n.OrgID)
		if errors.Is(err, pgx.ErrNoRows) {
			err = apperr.ErrNotFound
		}
		if err != nil {
			return 0, fmt.Errorf("life: create: group %d: %w", n.GroupID, err)
		}
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO life_meetings (org_id, group_id, kind, year, theme) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING RETURNING id`, n.OrgID, group, kind, n.Year, n.Theme).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("life: create for %d/%d/%d: %w", n.OrgID, n.GroupID, n.Year, apperr.ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("life: create: %w", err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id) SELECT $4, id FROM (`+dueSQL+`) d`,
		n.OrgID, n.GroupID, setUpDay(n.Year, time.Now().In(i18n.Shanghai)), id); err != nil {
		return 0, fmt.Errorf("life: participants of %d: %w", id, err)
	}
	return id, nil
}

// dateOf is the day of t in China, as a date.
func dateOf(t time.Time) time.Time {
	t = t.In(i18n.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// hasMaterial reports whether a participant has something of their own
// recorded (self-examination, self-criticism, a criticism given or
// received, attendance), which keeps them on the list whatever the day.
func (d Detail) hasMaterial(p Participant) bool {
	if p.SelfExamOn != nil || p.SelfCriticism != "" || p.Attendance != nil {
		return true
	}
	for _, c := range d.Criticisms {
		if c.FromID == p.MemberID || c.ToID == p.MemberID {
			return true
		}
	}
	return false
}

// DueOn lists who is due at the meeting if it is held on day: for a
// leadership group's meeting its members that day (added when missing)
// and the participants with material of their own; otherwise the
// participants as they are. Hold brings the list to the same.
func DueOn(ctx context.Context, q db.Querier, d Detail, day time.Time) ([]Participant, error) {
	if d.Life.GroupID == nil {
		return d.Participants, nil
	}
	day = dateOf(day)
	type member struct {
		MemberID int64
		Name     string
	}
	on, err := db.Rows[member](ctx, q, `SELECT gm.member_id, m.name FROM leadership_group_members gm JOIN members m ON m.id = gm.member_id
 WHERE gm.group_id = $1 AND gm.from_on <= $2::date AND (gm.to_on IS NULL OR gm.to_on >= $2::date)`, *d.Life.GroupID, day)
	if err != nil {
		return nil, fmt.Errorf("life: due at %d on %s: %w", d.Life.ID, day.Format(time.DateOnly), err)
	}
	onDay := map[int64]bool{}
	for _, m := range on {
		onDay[m.MemberID] = true
	}
	var out []Participant
	seen := map[int64]bool{}
	for _, p := range d.Participants {
		if onDay[p.MemberID] || d.hasMaterial(p) {
			out = append(out, p)
			seen[p.MemberID] = true
		}
	}
	for _, m := range on {
		if !seen[m.MemberID] {
			out = append(out, Participant{MemberID: m.MemberID, Name: m.Name})
		}
	}
	slices.SortStableFunc(out, func(a, b Participant) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.MemberID, b.MemberID))
	})
	return out, nil
}

// syncGroupParticipants brings a democratic-life meeting's participants to
// its group's members on the meeting day: members that day are added, and
// those who were not are dropped unless they already have material of
// their own (self-examination, criticism) or attendance to keep.
func syncGroupParticipants(ctx context.Context, tx pgx.Tx, l Life, day time.Time) error {
	if l.GroupID == nil {
		return nil
	}
	day = dateOf(day)
	if _, err := tx.Exec(ctx, `
DELETE FROM life_participants p
 WHERE p.life_id = $1 AND p.self_exam_on IS NULL AND p.self_criticism = ''
   AND NOT EXISTS (SELECT 1 FROM leadership_group_members gm WHERE gm.group_id = $2 AND gm.member_id = p.member_id
                      AND gm.from_on <= $3::date AND (gm.to_on IS NULL OR gm.to_on >= $3::date))
   AND NOT EXISTS (SELECT 1 FROM criticisms c WHERE c.life_id = $1 AND p.member_id IN (c.from_id, c.to_id))
   AND NOT EXISTS (SELECT 1 FROM life_meetings l JOIN attendance a ON a.meeting_id = l.meeting_id WHERE l.id = $1 AND a.member_id = p.member_id)`,
		l.ID, *l.GroupID, day); err != nil {
		return fmt.Errorf("life: participants of %d on %s: %w", l.ID, day.Format(time.DateOnly), err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id) SELECT $4, id FROM (`+dueSQL+`) d ON CONFLICT DO NOTHING`,
		l.OrgID, *l.GroupID, day, l.ID); err != nil {
		return fmt.Errorf("life: participants of %d on %s: %w", l.ID, day.Format(time.DateOnly), err)
	}
	return nil
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

// GroupYear is a leadership group's democratic-life meeting of one year.
type GroupYear struct {
	ID       int64
	Year     int
	Theme    string
	Status   string
	StartsAt *time.Time
}

// Held reports whether the meeting took place (held or submitted).
func (y GroupYear) Held() bool { return y.Status == StatusHeld || y.Status == StatusSubmitted }

// ForGroup lists a leadership group's democratic-life meetings, newest
// year first, for the group's page.
func ForGroup(ctx context.Context, q db.Querier, groupID int64) ([]GroupYear, error) {
	out, err := db.Rows[GroupYear](ctx, q, `SELECT l.id, l.year, l.theme, l.status, m.starts_at
  FROM life_meetings l LEFT JOIN meetings m ON m.id = l.meeting_id
 WHERE l.group_id = $1 ORDER BY l.year DESC`, groupID)
	if err != nil {
		return nil, fmt.Errorf("life: meetings of group %d: %w", groupID, err)
	}
	return out, nil
}
