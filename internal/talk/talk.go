// Package talk records heart-to-heart talks (谈心谈话) and shows, per
// branch and year, who has talked with whom. A talk's summary is read only
// by the branch's committee.
package talk

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/formtoken"
	"zhibu/internal/i18n"
	"zhibu/internal/life"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// Talk is one recorded talk. Summary is nil when the reader may not see it.
type Talk struct {
	ID         int64
	BranchID   int64
	BranchName string
	HeldOn     time.Time
	AID        int64
	AName      string
	BID        int64
	BName      string
	Topic      string
	Summary    *string
	// Kind is heart, reminder, integrity or admonish (Kinds).
	Kind string
}

// Org is a branch (or the agency committee, for its leadership group)
// whose talks are recorded.
type Org struct {
	ID   int64
	Name string
	Kind string
	Path []int64
}

// Person is someone in an organisation's talk matrix.
type Person struct {
	ID        int64
	Name      string
	Committee bool
}

// CanWrite reports whether the scope's user records talks of the
// organisation: its secretary or committee, or for the agency committee
// its reviewer.
func CanWrite(s auth.Scope, o Org) bool {
	if o.Kind == "committee" {
		return s.Committee() == o.ID
	}
	return s.CanWrite(o.Path)
}

// CanReadSummary reports whether the scope's user may read the summaries
// of the organisation's talks: only its own committee may.
func CanReadSummary(s auth.Scope, o Org) bool { return CanWrite(s, o) }

// summaryCase selects the summary only for readers allowed to see it:
// $7 are the user's write roots, $8 the reviewer's committee (0 if none).
const summaryCase = `CASE WHEN (o.kind <> 'committee' AND o.path && $7::bigint[]) OR (o.kind = 'committee' AND o.id = $8) THEN t.summary END AS summary`

const listFrom = `
  FROM talks t JOIN organisations o ON o.id = t.branch_id
  JOIN members a ON a.id = t.a_id JOIN members b ON b.id = t.b_id
 WHERE o.path && $1::bigint[] AND ($2 = 0 OR t.branch_id = $2) AND ($3 = 0 OR extract(year FROM t.held_on)::int = $3)
   AND ($4 = '' OR a.name ILIKE '%' || $4 || '%' OR b.name ILIKE '%' || $4 || '%' OR t.topic ILIKE '%' || $4 || '%')`

// Filter narrows the talk list.
type Filter struct {
	BranchID int64
	Year     int
	Search   string
	Desc     bool
	Limit    int
	Offset   int
}

// List returns a page of talks in scope s, summaries only where s may
// read them, and the total.
func List(ctx context.Context, q db.Querier, s auth.Scope, f Filter) ([]Talk, int, error) {
	f.Search = db.EscapeLike(f.Search)
	var total int
	if err := q.QueryRow(ctx, `SELECT count(*)`+listFrom, s.ReadRoots(), f.BranchID, f.Year, f.Search).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("talk: count: %w", err)
	}
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	out, err := db.Rows[Talk](ctx, q, `SELECT t.id, t.branch_id, o.name AS branch_name, t.held_on, t.a_id, a.name AS a_name, t.b_id, b.name AS b_name, t.topic, t.kind, `+summaryCase+
		listFrom+` ORDER BY t.held_on `+dir+`, t.id LIMIT $5 OFFSET $6`,
		s.ReadRoots(), f.BranchID, f.Year, f.Search, f.Limit, f.Offset, s.WriteRoots(), s.Committee())
	if err != nil {
		return nil, 0, fmt.Errorf("talk: list: %w", err)
	}
	return out, total, nil
}

// Orgs lists the branches (and committees) in the read scope s.
func Orgs(ctx context.Context, q db.Querier, s auth.Scope) ([]Org, error) {
	out, err := db.Rows[Org](ctx, q, `SELECT id, name, kind, path FROM organisations
 WHERE path && $1::bigint[] AND kind IN ('committee', 'branch') AND dissolved_on IS NULL ORDER BY path`, s.ReadRoots())
	if err != nil {
		return nil, fmt.Errorf("talk: orgs: %w", err)
	}
	return out, nil
}

// People lists an organisation's people for talks: a branch's full and
// probationary members, or a committee's current post holders; Committee
// marks the holders of a post in the organisation's current term.
func People(ctx context.Context, q db.Querier, o Org) ([]Person, error) {
	out, err := db.Rows[Person](ctx, q, `
WITH term AS (SELECT id FROM terms_on(current_date) WHERE org_id = $1),
     posts AS (SELECT member_id FROM committee_posts WHERE term_id = (SELECT id FROM term))
SELECT m.id, m.name, m.id IN (SELECT member_id FROM posts) AS committee
  FROM members m
 WHERE ($2 = 'committee' AND m.id IN (SELECT member_id FROM posts))
    OR ($2 <> 'committee' AND m.branch_id = $1 AND in_good_standing(m.category, m.party_status))
 ORDER BY committee DESC, m.name, m.id`, o.ID, o.Kind)
	if err != nil {
		return nil, fmt.Errorf("talk: people of %d: %w", o.ID, err)
	}
	return out, nil
}

// Pair is two people who talked, the smaller id first.
type Pair struct{ A, B int64 }

func pairOf(a, b int64) Pair {
	if a > b {
		a, b = b, a
	}
	return Pair{a, b}
}

// Counts returns how often each pair had a heart-to-heart talk in the
// organisation's year (the talks 支部工作条例 第十九条 asks for; reminder,
// clean-governance and admonishment talks do not count).
func Counts(ctx context.Context, q db.Querier, orgID int64, year int) (map[Pair]int, error) {
	rows, err := q.Query(ctx, `SELECT least(a_id, b_id), greatest(a_id, b_id), count(*)::int FROM talks
 WHERE branch_id = $1 AND kind = 'heart' AND extract(year FROM held_on)::int = $2 GROUP BY 1, 2`, orgID, year)
	if err != nil {
		return nil, fmt.Errorf("talk: counts of %d: %w", orgID, err)
	}
	out := map[Pair]int{}
	var a, b int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&a, &b, &n}, func() error { out[Pair{a, b}] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("talk: counts of %d: %w", orgID, err)
	}
	return out, nil
}

// HeartTalks counts, per branch, the heart-to-heart talks of each pair of
// members in the year, for the compliance rule of 第十九条 (one query for
// all the branches).
func HeartTalks(ctx context.Context, q db.Querier, branchIDs []int64, year int) (map[int64]map[rules.TalkPair]int, error) {
	rows, err := q.Query(ctx, `SELECT branch_id, least(a_id, b_id), greatest(a_id, b_id), count(*)::int FROM talks
 WHERE branch_id = ANY ($1) AND kind = 'heart' AND held_on >= make_date($2, 1, 1) AND held_on < make_date($2 + 1, 1, 1)
 GROUP BY 1, 2, 3`, branchIDs, year)
	if err != nil {
		return nil, fmt.Errorf("talk: heart talks: %w", err)
	}
	out := map[int64]map[rules.TalkPair]int{}
	var branch, a, b int64
	var n int
	_, err = pgx.ForEachRow(rows, []any{&branch, &a, &b, &n}, func() error {
		if out[branch] == nil {
			out[branch] = map[rules.TalkPair]int{}
		}
		out[branch][rules.PairOf(a, b)] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("talk: heart talks: %w", err)
	}
	return out, nil
}

// Input is a talk to record.
type Input struct {
	HeldOn  time.Time
	AID     int64
	BID     int64
	Topic   string
	Summary string
	// Kind is one of Kinds; OrderRef names the order of an admonishment;
	// Problem, Agreed and LookAgainOn are a reminder talk's.
	Kind        string
	OrderRef    string
	Problem     string
	Agreed      string
	LookAgainOn *time.Time
	// FormToken is the form's one-time token (formtoken): the same form
	// sent twice records one talk.
	FormToken string
}

// Create records a talk.
func Create(ctx context.Context, tx pgx.Tx, orgID int64, in Input) (int64, error) {
	earlier, done, err := formtoken.Claim(ctx, tx, in.FormToken, "talk")
	if err != nil || done {
		return earlier, err
	}
	var id int64
	if in.Kind == "" {
		in.Kind = "heart"
	}
	if err := tx.QueryRow(ctx, `INSERT INTO talks (branch_id, held_on, a_id, b_id, topic, summary, kind, order_ref, problem, agreed, look_again_on)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		orgID, in.HeldOn, in.AID, in.BID, in.Topic, in.Summary, in.Kind, in.OrderRef, in.Problem, in.Agreed, in.LookAgainOn).Scan(&id); err != nil {
		return 0, fmt.Errorf("talk: create: %w", err)
	}
	if err := formtoken.Done(ctx, tx, in.FormToken, id); err != nil {
		return 0, err
	}
	// The summary is private to the branch committee: the audit trail keeps
	// only its length.
	after := map[string]any{"branch_id": orgID, "held_on": in.HeldOn, "a_id": in.AID, "b_id": in.BID, "topic": in.Topic, "summary_chars": utf8.RuneCountInString(in.Summary),
		"kind": in.Kind, "order_ref": in.OrderRef, "look_again_on": in.LookAgainOn}
	return id, audit.Record(ctx, tx, audit.Event{Action: "talk.create", Entity: "talk", EntityID: id, After: after})
}

// Handler serves the talk pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
}

// New returns the talk handlers.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, store: NewStore(pool)} }

const pageSize = 50

// ListPage is the view model of the talk list.
type ListPage struct {
	Talks    []Talk
	Pager    ui.Pager
	Orgs     []Org
	BranchID string
	Year     string
	Search   string
	CanWrite bool
}

func findOrg(orgs []Org, id int64) (Org, bool) {
	i := slices.IndexFunc(orgs, func(o Org) bool { return o.ID == id })
	if i < 0 {
		return Org{}, false
	}
	return orgs[i], true
}

// List shows the talks in the user's scope.
func (h *Handler) List(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	q := r.URL.Query()
	orgs, err := Orgs(ctx, h.pool, s)
	if err != nil {
		return err
	}
	branchID, _ := strconv.ParseInt(q.Get("branch"), 10, 64)
	if _, ok := findOrg(orgs, branchID); !ok {
		branchID = 0
	}
	year, _ := strconv.Atoi(q.Get("year"))
	p := ui.Pager{Page: ui.PageParam(q), PageSize: pageSize, Query: q, Path: "/talks"}
	talks, total, err := List(ctx, h.pool, s, Filter{BranchID: branchID, Year: year, Search: strings.TrimSpace(q.Get("q")), Desc: q.Get("dir") != "asc", Limit: pageSize, Offset: p.Offset()})
	if err != nil {
		return err
	}
	p.Total = total
	canWrite := slices.ContainsFunc(orgs, func(o Org) bool { return CanWrite(s, o) })
	return ui.Render(w, r, http.StatusOK, ListView(ListPage{Talks: talks, Pager: p, Orgs: orgs, BranchID: q.Get("branch"), Year: q.Get("year"), Search: q.Get("q"), CanWrite: canWrite}))
}

// Form is the talk form's input.
type Form struct {
	Orgs        []Org
	Org         Org
	People      []Person
	HeldOn      string
	AID, BID    string
	Topic       string
	Summary     string
	Kind        string
	OrderRef    string
	Problem     string
	Agreed      string
	LookAgainOn string
	// FormToken is the one-time token of the form (formtoken).
	FormToken string
	Errors    ui.Errors
}

func (h *Handler) formOrg(ctx context.Context, s auth.Scope, raw string) (Org, []Org, error) {
	orgs, err := Orgs(ctx, h.pool, s)
	if err != nil {
		return Org{}, nil, err
	}
	var writable []Org
	for _, o := range orgs {
		if CanWrite(s, o) {
			writable = append(writable, o)
		}
	}
	if len(writable) == 0 {
		return Org{}, nil, fmt.Errorf("talk: nothing writable: %w", apperr.ErrForbidden)
	}
	id, _ := strconv.ParseInt(raw, 10, 64)
	if o, ok := findOrg(writable, id); ok {
		return o, writable, nil
	}
	if raw != "" {
		if _, ok := findOrg(orgs, id); ok {
			return Org{}, nil, fmt.Errorf("talk: org %d read-only: %w", id, apperr.ErrForbidden)
		}
		return Org{}, nil, fmt.Errorf("talk: org %d outside scope: %w", id, apperr.ErrNotFound)
	}
	return writable[0], writable, nil
}

// NewPage shows the talk form for a branch.
func (h *Handler) NewPage(w http.ResponseWriter, r *http.Request) error {
	f, err := h.form(r.Context(), r.URL.Query().Get("branch"))
	if err != nil {
		return err
	}
	f.HeldOn = today().Format("2006-01-02")
	f.Kind = r.URL.Query().Get("kind") // else "请选择": a link may choose the kind
	if !slices.Contains(Kinds, f.Kind) {
		f.Kind = ""
	}
	f.FormToken = formtoken.New()
	return ui.Render(w, r, http.StatusOK, NewView(f))
}

// form starts the talk form for the organisation raw names (or the
// user's first writable one), with the people who may take part.
func (h *Handler) form(ctx context.Context, raw string) (Form, error) {
	o, writable, err := h.formOrg(ctx, auth.ScopeOf(ctx), raw)
	if err != nil {
		return Form{}, err
	}
	people, err := People(ctx, h.pool, o)
	if err != nil {
		return Form{}, err
	}
	return Form{Orgs: writable, Org: o, People: people}, nil
}

// Create records a talk.
func (h *Handler) Create(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := h.form(ctx, r.PostFormValue("branch"))
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f.HeldOn, f.AID, f.BID, f.Topic, f.Summary = v("held_on"), v("a_id"), v("b_id"), v("topic"), v("summary")
	f.FormToken = v(formtoken.Field)
	f.Kind, f.OrderRef, f.Problem, f.Agreed, f.LookAgainOn = v("kind"), v("order_ref"), v("problem"), v("agreed"), v("look_again_on")
	if f.Kind == "" {
		f.Kind = "heart" // a form of before the kinds
	}
	in := Input{Topic: f.Topic, Summary: f.Summary, FormToken: f.FormToken}
	d, err := time.Parse("2006-01-02", f.HeldOn)
	if err != nil {
		f.Errors.Add("held_on", "talk.error.date")
	} else if d.After(today()) {
		f.Errors.Add("held_on", "talk.error.future")
	}
	in.HeldOn = d
	in.AID, _ = strconv.ParseInt(f.AID, 10, 64)
	in.BID, _ = strconv.ParseInt(f.BID, 10, 64)
	known := func(id int64) bool { return slices.ContainsFunc(f.People, func(p Person) bool { return p.ID == id }) }
	if !known(in.AID) {
		f.Errors.Add("a_id", "talk.error.person")
	}
	if !known(in.BID) {
		f.Errors.Add("b_id", "talk.error.person")
	} else if in.AID == in.BID {
		f.Errors.Add("b_id", "talk.error.same")
	}
	if f.Topic == "" || utf8.RuneCountInString(f.Topic) > 200 {
		f.Errors.Add("topic", "talk.error.topic")
	}
	if utf8.RuneCountInString(f.Summary) > 5000 {
		f.Errors.Add("summary", "talk.error.too_long")
	}
	validatePurpose(&f, &in)
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewView(f))
	}
	if _, err := h.store.Create(ctx, f.Org.ID, in); err != nil {
		return err
	}
	if in.Kind == "reminder" {
		return ui.Redirect(w, r, fmt.Sprintf("/talks/reminders?branch=%d", f.Org.ID), "talk.flash.created")
	}
	return ui.Redirect(w, r, fmt.Sprintf("/talks?branch=%d", f.Org.ID), "talk.flash.created")
}

// MatrixPage is the yearly who-talked-with-whom table of an organisation.
type MatrixPage struct {
	Orgs      []Org
	Org       Org
	Year      int
	Committee []Person
	People    []Person
	Counts    map[Pair]int
	// Missing lists, per committee member, the people not yet talked with.
	Missing map[int64][]Person
	// Overdue counts the overdue rectification items each person owns.
	Overdue map[int64]int
	// Pairs is the number of committee-member × person pairs the year's
	// heart-to-heart talks must cover; Covered how many have talked.
	Pairs, Covered int
}

// Count is how often a and b talked.
func (p MatrixPage) Count(a, b int64) int { return p.Counts[pairOf(a, b)] }

// Matrix shows who has talked with whom in a branch's year.
func (h *Handler) Matrix(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	q := r.URL.Query()
	orgs, err := Orgs(ctx, h.pool, auth.ScopeOf(ctx))
	if err != nil {
		return err
	}
	if len(orgs) == 0 {
		return fmt.Errorf("talk: no organisation in scope: %w", apperr.ErrNotFound)
	}
	id, _ := strconv.ParseInt(q.Get("branch"), 10, 64)
	if id == 0 {
		id = u.BranchID()
	}
	o, ok := findOrg(orgs, id)
	if !ok {
		if q.Get("branch") != "" {
			return fmt.Errorf("talk: org %d outside scope: %w", id, apperr.ErrNotFound)
		}
		o = orgs[0]
	}
	year, err := strconv.Atoi(q.Get("year"))
	if err != nil || year < 2000 || year > 2100 {
		year = today().Year()
	}
	people, err := People(ctx, h.pool, o)
	if err != nil {
		return err
	}
	counts, err := Counts(ctx, h.pool, o.ID, year)
	if err != nil {
		return err
	}
	overdue, err := life.OverdueByOwner(ctx, h.pool, []int64{o.ID})
	if err != nil {
		return err
	}
	p := MatrixPage{Orgs: orgs, Org: o, Year: year, People: people, Counts: counts, Missing: map[int64][]Person{}, Overdue: overdue}
	for _, c := range people {
		if !c.Committee {
			continue
		}
		p.Committee = append(p.Committee, c)
		for _, m := range people {
			if m.ID == c.ID {
				continue
			}
			p.Pairs++
			if counts[pairOf(c.ID, m.ID)] == 0 {
				p.Missing[c.ID] = append(p.Missing[c.ID], m)
			} else {
				p.Covered++
			}
		}
	}
	return ui.Render(w, r, http.StatusOK, MatrixView(p))
}

// today is the current day in China, as a date.
func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
