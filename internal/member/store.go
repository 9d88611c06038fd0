package member

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/pii"
)

// ErrDuplicateID means another member of the agency has the ID number.
var ErrDuplicateID = errors.New("member: duplicate ID number")

// Store reads and writes members and their events.
type Store struct {
	pool   *pgxpool.Pool
	sealer *pii.Sealer
	// The masked numbers the roster showed, by their sealed bytes (see
	// pii.MaskCache).
	idMasks, phoneMasks *pii.MaskCache
}

// maskCacheSize bounds each of a store's caches of masked numbers: a few
// MB, the members of the roster pages read most.
const maskCacheSize = 20000

// NewStore returns a store sealing personal data with sealer.
func NewStore(pool *pgxpool.Pool, sealer *pii.Sealer) *Store {
	return &Store{pool: pool, sealer: sealer,
		idMasks: pii.NewMaskCache(pii.MaskIDNumber, maskCacheSize), phoneMasks: pii.NewMaskCache(pii.MaskPhone, maskCacheSize)}
}

// Filter selects and orders a roster page.
type Filter struct {
	Roots    []int64 // the user's read (or write) roots
	OrgID    int64   // 0: every organisation of the roots
	Q        string  // name, department, or ID-number suffix
	Category string
	Status   string
	GroupID  int64
	Sort     string
	Desc     bool
	Limit    int // 0: no limit
	Offset   int
}

// Row is one line of the roster.
type Row struct {
	ID                  int64      `db:"id"`
	Name                string     `db:"name"`
	Gender              string     `db:"gender"`
	Department          string     `db:"department"`
	JobTitle            string     `db:"job_title"`
	Category            string     `db:"category"`
	PartyStatus         string     `db:"party_status"`
	IDNumberEnc         []byte     `db:"id_number_enc"`
	PhoneEnc            []byte     `db:"phone_enc"`
	BirthDate           time.Time  `db:"birth_date"`
	Ethnicity           string     `db:"ethnicity"`
	NativePlace         string     `db:"native_place"`
	Education           string     `db:"education"`
	AppliedOn           *time.Time `db:"applied_on"`
	ActivistOn          *time.Time `db:"activist_on"`
	TargetOn            *time.Time `db:"target_on"`
	AdmittedOn          *time.Time `db:"admitted_on"`
	ConvertedOn         *time.Time `db:"converted_on"`
	ProbationExtendedTo *time.Time `db:"probation_extended_to"`
	Notes               string     `db:"notes"`
	BranchID            int64      `db:"branch_id"`
	BranchName          string     `db:"branch_name"`
	BranchPath          []int64    `db:"branch_path"`
	GroupName           *string    `db:"group_name"`
	Total               int        `db:"total"`
}

// scanRow reads a row of listSQL. It names each field by hand: the
// roster's 25 columns times 50 rows made pgx's by-name mapping (reflection
// on every row) a tenth of the page's CPU time.
func scanRow(row pgx.CollectableRow) (Row, error) {
	var r Row
	err := row.Scan(&r.ID, &r.Name, &r.Gender, &r.Department, &r.JobTitle, &r.Category, &r.PartyStatus,
		&r.IDNumberEnc, &r.PhoneEnc, &r.BirthDate, &r.Ethnicity, &r.NativePlace, &r.Education,
		&r.AppliedOn, &r.ActivistOn, &r.TargetOn, &r.AdmittedOn, &r.ConvertedOn, &r.ProbationExtendedTo, &r.Notes,
		&r.BranchID, &r.BranchName, &r.BranchPath, &r.GroupName, &r.Total)
	return r, err
}

// sortColumns whitelists the roster's sort keys. Chinese text sorts by its
// GB18030 bytes, which order the common characters by pinyin.
var sortColumns = map[string]string{
	"name":       "convert_to(m.name, 'GB18030')",
	"department": "convert_to(m.department, 'GB18030')",
	"category":   "array_position(ARRAY['applicant','activist','target','probationary','full'], m.category)",
	"branch":     "convert_to(b.name, 'GB18030')",
	"admitted":   "m.admitted_on",
	"status":     "m.party_status",
}

const listSQL = `
SELECT m.id, m.name, m.gender, m.department, m.job_title, m.category, m.party_status,
       m.id_number_enc, m.phone_enc, m.birth_date, m.ethnicity, m.native_place, m.education,
       m.applied_on, m.activist_on, m.target_on, m.admitted_on, m.converted_on, m.probation_extended_to, m.notes,
       b.id AS branch_id, b.name AS branch_name, b.path AS branch_path, g.name AS group_name,
       count(*) OVER () AS total
  FROM members m
  JOIN organisations b ON b.id = m.branch_id
  LEFT JOIN organisations g ON g.id = m.group_id
 WHERE b.path && $1::bigint[]%s
 ORDER BY %s %s NULLS LAST, m.id
 LIMIT $2 OFFSET $3`

// listQuery builds the roster statement for a filter. Only the filters in
// use go into the WHERE clause (still as parameters), so that each
// combination is its own prepared statement with a plan PostgreSQL can
// cache, instead of one catch-all statement ("$2 = 0 OR …") re-planned on
// every execution.
func listQuery(f Filter) (string, []any) {
	col, ok := sortColumns[f.Sort]
	if !ok {
		col = sortColumns["name"]
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	limit := any(nil)
	if f.Limit > 0 {
		limit = f.Limit
	}
	if f.Roots == nil {
		f.Roots = []int64{}
	}
	args := []any{f.Roots, limit, f.Offset}
	var where strings.Builder
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.OrgID != 0 {
		where.WriteString("\n   AND b.path @> ARRAY[" + arg(f.OrgID) + "::bigint]")
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		like := arg(db.Contains(q))
		where.WriteString("\n   AND (m.name ILIKE " + like + ` ESCAPE '\' OR m.department ILIKE ` + like + ` ESCAPE '\'`)
		if tailRE.MatchString(q) {
			tail := arg(strings.ToUpper(q))
			where.WriteString(" OR right(m.id_number_tail, length(" + tail + "::text)) = " + tail)
		}
		where.WriteString(")")
	}
	if f.Category != "" {
		where.WriteString("\n   AND m.category = " + arg(f.Category))
	}
	if f.Status != "" {
		where.WriteString("\n   AND m.party_status = " + arg(f.Status))
	}
	if f.GroupID != 0 {
		where.WriteString("\n   AND m.group_id = " + arg(f.GroupID))
	}
	return fmt.Sprintf(listSQL, where.String(), col, dir), args
}

// List returns one page of the roster and the number of matching rows.
func (s *Store) List(ctx context.Context, f Filter) ([]Row, int, error) {
	sql, args := listQuery(f)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("member: list: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanRow)
	if err != nil {
		return nil, 0, fmt.Errorf("member: list: %w", err)
	}
	total := 0
	if len(out) > 0 {
		total = out[0].Total
	} else if f.Offset > 0 {
		// Past the last page: count without paging.
		g := f
		g.Limit, g.Offset = 1, 0
		if r, _, err := s.List(ctx, g); err == nil && len(r) > 0 {
			total = r[0].Total
		}
	}
	return out, total, nil
}

const getSQL = `
SELECT m.id, m.branch_id, b.name, b.path, m.group_id, g.name, m.name, m.gender, m.ethnicity, m.birth_date,
       m.native_place, m.education, m.id_number_enc, m.id_number_tail, m.phone_enc, m.phone_tail, m.department,
       m.job_title, m.category, m.applied_on, m.activist_on, m.target_on, m.admitted_on, m.converted_on,
       m.probation_extended_to, m.party_status, m.notes, m.version, m.updated_at
  FROM members m
  JOIN organisations b ON b.id = m.branch_id
  LEFT JOIN organisations g ON g.id = m.group_id
 WHERE m.id = $1`

func scanMember(row pgx.Row) (*Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.BranchID, &m.BranchName, &m.BranchPath, &m.GroupID, &m.GroupName, &m.Name, &m.Gender,
		&m.Ethnicity, &m.BirthDate, &m.NativePlace, &m.Education, &m.IDNumberEnc, &m.IDNumberTail, &m.PhoneEnc,
		&m.PhoneTail, &m.Department, &m.JobTitle, &m.Category, &m.AppliedOn, &m.ActivistOn, &m.TargetOn,
		&m.AdmittedOn, &m.ConvertedOn, &m.ProbationExtendedTo, &m.PartyStatus, &m.Notes, &m.Version, &m.UpdatedAt)
	return &m, err
}

// Get returns a member; ErrNotFound when there is none.
func (s *Store) Get(ctx context.Context, id int64) (*Member, error) {
	return s.get(ctx, s.pool, id, false)
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *Store) get(ctx context.Context, q queryRower, id int64, lock bool) (*Member, error) {
	sql := getSQL
	if lock {
		sql += " FOR UPDATE OF m"
	}
	m, err := scanMember(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("member: get %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("member: get %d: %w", id, err)
	}
	return m, nil
}

// Open returns a member's ID and phone numbers in clear.
func (s *Store) Open(m *Member) (idNumber, phone string, err error) {
	if idNumber, err = s.sealer.Open(m.IDNumberEnc); err != nil {
		return "", "", fmt.Errorf("member: open id %d: %w", m.ID, err)
	}
	if phone, err = s.sealer.Open(m.PhoneEnc); err != nil {
		return "", "", fmt.Errorf("member: open phone %d: %w", m.ID, err)
	}
	return idNumber, phone, nil
}

// Masked returns a member's ID and phone numbers masked for display.
func (s *Store) Masked(idEnc, phoneEnc []byte) (idNumber, phone string) {
	return s.idMasks.Masked(s.sealer, idEnc), s.phoneMasks.Masked(s.sealer, phoneEnc)
}

// auditView is what the audit trail keeps of a member: ID and phone masked.
type auditView struct {
	Name        string     `json:"name"`
	BranchID    int64      `json:"branch_id"`
	GroupID     *int64     `json:"group_id,omitempty"`
	Gender      string     `json:"gender"`
	Ethnicity   string     `json:"ethnicity,omitempty"`
	BirthDate   string     `json:"birth_date"`
	NativePlace string     `json:"native_place,omitempty"`
	Education   string     `json:"education,omitempty"`
	IDNumber    string     `json:"id_number,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	Department  string     `json:"department,omitempty"`
	JobTitle    string     `json:"job_title,omitempty"`
	Category    string     `json:"category"`
	AppliedOn   *time.Time `json:"applied_on,omitempty"`
	ActivistOn  *time.Time `json:"activist_on,omitempty"`
	TargetOn    *time.Time `json:"target_on,omitempty"`
	AdmittedOn  *time.Time `json:"admitted_on,omitempty"`
	ConvertedOn *time.Time `json:"converted_on,omitempty"`
	Status      string     `json:"party_status,omitempty"`
	Notes       string     `json:"notes,omitempty"`
}

func (s *Store) viewOf(m *Member) auditView {
	id, phone := s.Masked(m.IDNumberEnc, m.PhoneEnc)
	return auditView{Name: m.Name, BranchID: m.BranchID, GroupID: m.GroupID, Gender: m.Gender, Ethnicity: m.Ethnicity,
		BirthDate: m.BirthDate.Format(dateLayout), NativePlace: m.NativePlace, Education: m.Education, IDNumber: id,
		Phone: phone, Department: m.Department, JobTitle: m.JobTitle, Category: m.Category, AppliedOn: m.AppliedOn,
		ActivistOn: m.ActivistOn, TargetOn: m.TargetOn, AdmittedOn: m.AdmittedOn, ConvertedOn: m.ConvertedOn,
		Status: m.PartyStatus, Notes: m.Notes}
}

func viewOfValues(v Values) auditView {
	return auditView{Name: v.Name, BranchID: v.BranchID, GroupID: v.GroupID, Gender: v.Gender, Ethnicity: v.Ethnicity,
		BirthDate: v.BirthDate.Format(dateLayout), NativePlace: v.NativePlace, Education: v.Education,
		IDNumber: maskOrEmpty(v.IDNumber, pii.MaskIDNumber), Phone: maskOrEmpty(v.Phone, pii.MaskPhone),
		Department: v.Department, JobTitle: v.JobTitle, Category: v.Category, AppliedOn: v.AppliedOn,
		ActivistOn: v.ActivistOn, TargetOn: v.TargetOn, AdmittedOn: v.AdmittedOn, ConvertedOn: v.ConvertedOn, Notes: v.Notes}
}

func maskOrEmpty(v string, mask func(string) string) string {
	if v == "" {
		return ""
	}
	return mask(v)
}

func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// IDNumberTaken reports whether another member (not except) holds the ID number.
func (s *Store) IDNumberTaken(ctx context.Context, idNumber string, except int64) (bool, error) {
	var n int
	// Hashes: during a data-key rotation a member not yet resealed carries the previous key's hash.
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE id_number_hash = ANY($1) AND id <> $2`, s.sealer.Hashes(idNumber), except).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("member: id taken: %w", err)
	}
	return n > 0, nil
}

const insertSQL = `
INSERT INTO members (branch_id, group_id, name, gender, ethnicity, birth_date, native_place, education,
       id_number_enc, id_number_hash, id_number_tail, phone_enc, phone_tail, department, job_title, category,
       applied_on, activist_on, target_on, admitted_on, converted_on, notes)
VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21,$22)
RETURNING id`

const insertEventSQL = `
INSERT INTO member_events (member_id, kind, occurred_on, from_org_id, to_org_id, details, place, letter_no, actor_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULLIF($9, 0))`

// Arrival describes a member who joins the branch by transfer (optional).
type Arrival struct {
	From     string
	LetterNo string
}

// Create adds a member, its first event and the audit row in one transaction.
func (s *Store) Create(ctx context.Context, v Values, arrival Arrival, today time.Time) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		id, err = insertMember(ctx, tx, s.sealer, v, arrival, today)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("member: create: %w", err)
	}
	return id, nil
}

// insertMember writes a new member (the ID and phone numbers sealed, the
// ID number's keyed hash), its first event and the audit row in tx.
func insertMember(ctx context.Context, tx pgx.Tx, sealer *pii.Sealer, v Values, arrival Arrival, today time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, insertSQL, v.BranchID, v.GroupID, v.Name, v.Gender, v.Ethnicity, v.BirthDate, v.NativePlace,
		v.Education, sealer.Seal(v.IDNumber), sealer.Hash(v.IDNumber), pii.Tail(v.IDNumber, 4),
		sealer.Seal(v.Phone), pii.Tail(v.Phone, 4), v.Department, v.JobTitle, v.Category,
		v.AppliedOn, v.ActivistOn, v.TargetOn, v.AdmittedOn, v.ConvertedOn, v.Notes).Scan(&id)
	if isUniqueViolation(err, "members_id_number_hash_uq") {
		return 0, ErrDuplicateID
	}
	if err != nil {
		return 0, err
	}
	kind := "created"
	if arrival.From != "" {
		kind = "transferred_in"
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, kind, today, nil, v.BranchID, "", arrival.From, arrival.LetterNo, audit.ActorOf(ctx).ID); err != nil {
		return 0, err
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "member.create", Entity: "member", EntityID: id, After: viewOfValues(v)})
}

const updateSQL = `
UPDATE members SET branch_id = $3, group_id = $4, name = $5, gender = $6, ethnicity = $7, birth_date = $8,
       native_place = $9, education = $10,
       id_number_enc = CASE WHEN $11::bytea IS NULL THEN id_number_enc ELSE $11 END,
       id_number_hash = CASE WHEN $12::bytea IS NULL THEN id_number_hash ELSE $12 END,
       id_number_tail = CASE WHEN $11::bytea IS NULL THEN id_number_tail ELSE $13 END,
       phone_enc = CASE WHEN $14::bytea IS NULL THEN phone_enc ELSE $14 END,
       phone_tail = CASE WHEN $14::bytea IS NULL THEN phone_tail ELSE $15 END,
       department = $16, job_title = $17, category = $18, applied_on = $19, activist_on = $20, target_on = $21,
       admitted_on = $22, converted_on = $23, notes = $24, version = version + 1, updated_at = now()
 WHERE id = $1 AND version = $2`

// Update saves an edited member if nobody saved it since version was read;
// ErrConflict otherwise.
func (s *Store) Update(ctx context.Context, id int64, version int, v Values) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := s.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if before.Version != version {
			return apperr.ErrConflict
		}
		tag, err := tx.Exec(ctx, updateSQL, id, version, v.BranchID, v.GroupID, v.Name, v.Gender, v.Ethnicity, v.BirthDate,
			v.NativePlace, v.Education, s.sealer.Seal(v.IDNumber), s.sealer.Hash(v.IDNumber), pii.Tail(v.IDNumber, 4),
			s.sealer.Seal(v.Phone), pii.Tail(v.Phone, 4), v.Department, v.JobTitle, v.Category,
			v.AppliedOn, v.ActivistOn, v.TargetOn, v.AdmittedOn, v.ConvertedOn, v.Notes)
		if isUniqueViolation(err, "members_id_number_hash_uq") {
			return ErrDuplicateID
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.ErrConflict
		}
		after, err := s.get(ctx, tx, id, false)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "member.update", Entity: "member", EntityID: id, Before: s.viewOf(before), After: s.viewOf(after)})
	})
	if err != nil {
		return fmt.Errorf("member: update %d: %w", id, err)
	}
	return nil
}

// Event is one entry of a member's timeline.
type Event struct {
	ID         int64     `db:"id"`
	Kind       string    `db:"kind"`
	OccurredOn time.Time `db:"occurred_on"`
	FromOrg    *string   `db:"from_org"`
	ToOrg      *string   `db:"to_org"`
	Details    string    `db:"details"`
	Place      string    `db:"place"`
	LetterNo   string    `db:"letter_no"`
	Actor      *string   `db:"actor"`
	CreatedAt  time.Time `db:"created_at"`
}

const eventsSQL = `
SELECT e.id, e.kind, e.occurred_on, f.name AS from_org, t.name AS to_org, e.details, e.place, e.letter_no,
       coalesce(NULLIF(a.display_name, ''), a.username) AS actor, e.created_at
  FROM member_events e
  LEFT JOIN organisations f ON f.id = e.from_org_id
  LEFT JOIN organisations t ON t.id = e.to_org_id
  LEFT JOIN accounts a ON a.id = e.actor_id
 WHERE e.member_id = $1
 ORDER BY e.occurred_on DESC, e.id DESC`

// Events returns a member's timeline, newest first.
func (s *Store) Events(ctx context.Context, memberID int64) ([]Event, error) {
	out, err := db.Rows[Event](ctx, s.pool, eventsSQL, memberID)
	if err != nil {
		return nil, fmt.Errorf("member: events %d: %w", memberID, err)
	}
	return out, nil
}

// OrgOption is a branch or group a member may belong to.
type OrgOption struct {
	ID       int64  `db:"id"`
	Name     string `db:"name"`
	Kind     string `db:"kind"`
	ParentID *int64 `db:"parent_id"`
}

const orgOptionsSQL = `
SELECT id, name, kind, parent_id FROM organisations
 WHERE path && $1::bigint[] AND kind IN ('branch', 'group') AND dissolved_on IS NULL
 ORDER BY path`

// OrgOptions lists the open branches and groups inside the roots.
func (s *Store) OrgOptions(ctx context.Context, roots []int64) ([]OrgOption, error) {
	if roots == nil {
		roots = []int64{}
	}
	out, err := db.Rows[OrgOption](ctx, s.pool, orgOptionsSQL, roots)
	if err != nil {
		return nil, fmt.Errorf("member: org options: %w", err)
	}
	return out, nil
}

const moveTargetsSQL = `
SELECT o.id, o.name, o.kind, o.parent_id FROM organisations o, organisations src
 WHERE src.id = $1 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.id <> src.id AND o.path[1] = src.path[1]
 ORDER BY o.path`

// MoveTargets lists the other open branches of the agency a branch belongs to.
func (s *Store) MoveTargets(ctx context.Context, branchID int64) ([]OrgOption, error) {
	out, err := db.Rows[OrgOption](ctx, s.pool, moveTargetsSQL, branchID)
	if err != nil {
		return nil, fmt.Errorf("member: move targets: %w", err)
	}
	return out, nil
}

// RecordReveal audits that the user was shown a member's full ID and phone numbers.
func (s *Store) RecordReveal(ctx context.Context, memberID int64) error {
	if err := audit.Record(ctx, s.pool, audit.Event{Action: "member.reveal", Entity: "member", EntityID: memberID}); err != nil {
		return fmt.Errorf("member: reveal %d: %w", memberID, err)
	}
	return nil
}

// exportAudit is what the audit trail keeps of a roster export.
type exportAudit struct {
	Format      string  `json:"format"`
	Rows        int     `json:"rows"`
	FullNumbers int     `json:"full_numbers"`
	Reason      string  `json:"reason,omitempty"`
	Revealed    []int64 `json:"revealed,omitempty"`
}

// RecordExport audits a roster export: its format, its rows, and, like a
// reveal on the member page, the reason given and the members whose full
// ID and phone numbers it carried.
func (s *Store) RecordExport(ctx context.Context, format string, rows int, reason string, revealed []int64) error {
	err := audit.Record(ctx, s.pool, audit.Event{Action: "member.export", Entity: "member",
		After: exportAudit{Format: format, Rows: rows, FullNumbers: len(revealed), Reason: reason, Revealed: revealed}})
	if err != nil {
		return fmt.Errorf("member: export audit: %w", err)
	}
	return nil
}

// scopeOrgsSQL lists the open organisations inside the roots, tree order.
const scopeOrgsSQL = `
SELECT id, name, kind, parent_id FROM organisations
 WHERE path && $1::bigint[] AND dissolved_on IS NULL
 ORDER BY path`

// RosterPage is what the roster page reads: one page of rows with the
// number of matching rows, the organisations of the user's scope for the
// filter, and the path of the organisation the filter names (nil when it
// names none) for the caller's scope check.
type RosterPage struct {
	Rows    []Row
	Total   int
	Orgs    []OrgOption
	OrgPath []int64
}

// Roster reads a roster page in one round trip: the organisation's path,
// the page of rows and the scope's organisations are pipelined in a
// batch. The caller checks OrgPath against the user's scope before
// showing anything; the rows are limited to f.Roots in SQL regardless.
func (s *Store) Roster(ctx context.Context, f Filter, scopeRoots []int64) (RosterPage, error) {
	var p RosterPage
	if scopeRoots == nil {
		scopeRoots = []int64{}
	}
	orgFound := false
	b := &pgx.Batch{}
	if f.OrgID != 0 {
		b.Queue(`SELECT path FROM organisations WHERE id = $1`, f.OrgID).Query(func(rows pgx.Rows) error {
			path, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[[]int64])
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			p.OrgPath, orgFound = path, err == nil
			return err
		})
	}
	sql, args := listQuery(f)
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		var err error
		p.Rows, err = pgx.CollectRows(rows, scanRow)
		return err
	})
	b.Queue(scopeOrgsSQL, scopeRoots).Query(func(rows pgx.Rows) error {
		var err error
		p.Orgs, err = pgx.CollectRows(rows, pgx.RowToStructByName[OrgOption])
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return p, fmt.Errorf("member: roster: %w", err)
	}
	if f.OrgID != 0 && !orgFound {
		return p, fmt.Errorf("member: organisation %d: %w", f.OrgID, apperr.ErrNotFound)
	}
	if len(p.Rows) > 0 {
		p.Total = p.Rows[0].Total
	} else if f.Offset > 0 {
		// Past the last page: count without paging.
		_, total, err := s.List(ctx, f)
		if err != nil {
			return p, err
		}
		p.Total = total
	}
	return p, nil
}

// SetPhone changes one member's phone number, sealed and with its last four
// digits as the roster keeps them, inside the caller's transaction (a
// member changing their own contact details from /me). The caller validates
// the number with ValidPhone and writes the audit row. An empty phone keeps
// the stored number.
func SetPhone(ctx context.Context, tx pgx.Tx, sealer *pii.Sealer, memberID int64, phone string) error {
	if phone == "" {
		return nil
	}
	if !ValidPhone(phone) {
		return fmt.Errorf("member: set phone %d: %w", memberID, apperr.ErrInvalid)
	}
	tag, err := tx.Exec(ctx, `UPDATE members SET phone_enc = $2, phone_tail = $3, version = version + 1, updated_at = now() WHERE id = $1`,
		memberID, sealer.Seal(phone), pii.Tail(phone, 4))
	if err != nil {
		return fmt.Errorf("member: set phone %d: %w", memberID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("member: set phone %d: %w", memberID, apperr.ErrNotFound)
	}
	return nil
}

// PhoneOf returns a member's phone number in clear ("" when none).
func PhoneOf(ctx context.Context, q db.Querier, sealer *pii.Sealer, memberID int64) (string, error) {
	var enc []byte
	err := q.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, memberID).Scan(&enc)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("member: phone of %d: %w", memberID, apperr.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("member: phone of %d: %w", memberID, err)
	}
	p, err := sealer.Open(enc)
	if err != nil {
		return "", fmt.Errorf("member: phone of %d: %w", memberID, err)
	}
	return p, nil
}

// QueuePhone adds to a batch the read of a member's sealed phone number,
// which lands in dst when the batch runs (nil when none): /me reads it in
// its one round trip.
func QueuePhone(b *pgx.Batch, memberID int64, dst *[]byte) {
	b.Queue(`SELECT phone_enc FROM members WHERE id = $1`, memberID).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			if err := rows.Scan(dst); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}
