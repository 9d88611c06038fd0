package recruit

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/ui"
)

// Handler serves the recruitment pages.
type Handler struct {
	pool  *pgxpool.Pool
	store *Store
	// now is the clock (tests set it).
	now func() time.Time
}

// New returns the recruitment handlers.
func New(pool *pgxpool.Pool) *Handler {
	return &Handler{pool: pool, store: NewStore(pool), now: time.Now}
}

// today is the current day in China, as a date.
func (h *Handler) today() time.Time {
	n := h.now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// Branch is a branch in the reader's scope.
type Branch struct {
	ID   int64
	Name string
	Path []int64
}

const branchesSQL = `SELECT id, name, path FROM organisations
 WHERE path && $1::bigint[] AND kind = 'branch' AND dissolved_on IS NULL ORDER BY path`

// Branches lists the branches the scope reads.
func Branches(ctx context.Context, q db.Querier, s auth.Scope) ([]Branch, error) {
	out, err := db.Rows[Branch](ctx, q, branchesSQL, s.ReadRoots())
	if err != nil {
		return nil, fmt.Errorf("recruit: branches: %w", err)
	}
	return out, nil
}

// Card is one person on the board.
type Card struct {
	ID      int64
	Name    string
	Branch  string
	Due     Due
	HasDue  bool
	Late    int
	Flagged int
}

func cardOf(f File, r Rules, today time.Time) Card {
	c := Card{ID: f.Person.ID, Name: f.Person.Name, Branch: f.Person.BranchName}
	c.Due, c.HasDue = Next(f, r, today)
	c.Flagged = len(RosterFlags(f, r))
	for _, s := range f.Steps {
		if s.LateRule != "" {
			c.Late++
		}
		if s.FlagRule != "" {
			c.Flagged++
		}
	}
	return c
}

// Column is one stage of the board.
type Column struct {
	Stage string
	Cards []Card
}

// StageCount is one branch's row of the reviewer's counts.
type StageCount struct {
	Branch  Branch
	Counts  map[string]int
	Overdue int
}

// BoardPage is the view model of /recruitment.
type BoardPage struct {
	Branches []Branch
	Branch   *Branch // nil on the subtree overview
	CanWrite bool
	Columns  []Column
	Rules    Rules
	// The subtree overview.
	Counts    []StageCount
	Totals    map[string]int
	Waiting   []Card
	Year      int
	Admitted  int
	Converted int
}

// Board shows the pipeline: one branch as a board by stage (the
// secretary's own by default), or the reviewer's subtree overview.
func (h *Handler) Board(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	s := auth.ScopeOf(ctx)
	branches, err := Branches(ctx, h.pool, s)
	if err != nil {
		return err
	}
	today := h.today()
	rules, err := LoadRules(ctx, h.pool, today)
	if err != nil {
		return err
	}
	p := BoardPage{Branches: branches, Rules: rules, Year: today.Year()}
	raw := r.URL.Query().Get("branch")
	id, _ := strconv.ParseInt(raw, 10, 64)
	if raw == "" {
		id = auth.UserOf(ctx).BranchID()
	}
	if id != 0 {
		i := slices.IndexFunc(branches, func(b Branch) bool { return b.ID == id })
		if i < 0 {
			return fmt.Errorf("recruit: branch %d outside scope: %w", id, apperr.ErrNotFound)
		}
		b := branches[i]
		p.Branch, p.CanWrite = &b, s.CanWrite(b.Path)
		files, err := Pipeline(ctx, h.pool, []int64{b.ID}, nil)
		if err != nil {
			return err
		}
		for _, st := range Stages {
			c := Column{Stage: st}
			for _, f := range files {
				if f.Stage() == st {
					c.Cards = append(c.Cards, cardOf(f, rules, today))
				}
			}
			p.Columns = append(p.Columns, c)
		}
		return ui.Render(w, r, http.StatusOK, BoardView(p))
	}
	files, err := Pipeline(ctx, h.pool, nil, s.ReadRoots())
	if err != nil {
		return err
	}
	p.Totals = map[string]int{}
	rows := map[int64]*StageCount{}
	for _, b := range branches {
		rows[b.ID] = &StageCount{Branch: b, Counts: map[string]int{}}
	}
	for _, f := range files {
		row := rows[f.Person.BranchID]
		if row == nil {
			continue
		}
		c := cardOf(f, rules, today)
		row.Counts[f.Stage()]++
		p.Totals[f.Stage()]++
		if c.HasDue && c.Due.Overdue {
			row.Overdue++
		}
		if c.HasDue && c.Due.Committee {
			p.Waiting = append(p.Waiting, c)
		}
	}
	for _, b := range branches {
		p.Counts = append(p.Counts, *rows[b.ID])
	}
	slices.SortStableFunc(p.Waiting, func(a, b Card) int { return a.Due.On.Compare(b.Due.On) })
	if p.Admitted, p.Converted, err = Intake(ctx, h.pool, s.ReadRoots(), p.Year); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, OverviewView(p))
}

// FilePage is the view model of a person's file.
type FilePage struct {
	File     File
	Rules    Rules
	Due      Due
	HasDue   bool
	CanWrite bool
	Closed   bool
	Full     []FullMember
	Form     StepForm
	Spec     Spec
	Errors   ui.Errors
	Refusal  *Refusal
	Today    time.Time
	// Own: the person reads their own file (an account without a role
	// in the pipeline): read only, no link into the branch's pages.
	Own bool
}

// staff reports whether the user holds a role that works the pipeline of
// an organisation (the scope then says which files they read).
func staff(u *auth.User) bool {
	return u.Has(auth.RoleSecretary) || u.Has(auth.RoleBranchCommittee) || u.Has(auth.RoleReviewer)
}

// ownFile reports whether a person may read file f as their own: someone
// in the pipeline, or whose file was kept here (a full member since).
func ownFile(f File) bool {
	return len(f.Steps) > 0 || slices.Contains(Stages, f.Person.Category) && f.Person.PartyStatus == "normal"
}

// load reads member id's file after the scope check (404 outside it, 403
// for a write without the right).
func (h *Handler) load(ctx context.Context, r *http.Request, write bool) (FilePage, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return FilePage{}, fmt.Errorf("recruit: id: %w", apperr.ErrNotFound)
	}
	// Someone without a role in the pipeline reads only their own file
	// (issue 20): another's is not found; an account that is nobody's
	// (the administrators) is refused, as the role groups refuse it.
	u := auth.UserOf(ctx)
	own := !staff(u)
	if own && u.MemberID == 0 {
		return FilePage{}, fmt.Errorf("recruit: account %d has no file: %w", u.AccountID, apperr.ErrForbidden)
	}
	if own && (u.MemberID != id || write) {
		return FilePage{}, fmt.Errorf("recruit: file %d is not the reader's: %w", id, apperr.ErrNotFound)
	}
	path, err := Path(ctx, h.pool, id)
	if err != nil {
		return FilePage{}, err
	}
	s := auth.ScopeOf(ctx)
	if !own {
		if err := s.CheckRead(path); err != nil {
			return FilePage{}, err
		}
	}
	if write {
		if err := s.CheckWrite(path); err != nil {
			return FilePage{}, err
		}
	}
	f, err := GetFile(ctx, h.pool, id)
	if err != nil {
		return FilePage{}, err
	}
	if own && !ownFile(f) {
		return FilePage{}, fmt.Errorf("recruit: member %d has no file: %w", id, apperr.ErrNotFound)
	}
	today := h.today()
	rules, err := LoadRules(ctx, h.pool, today)
	if err != nil {
		return FilePage{}, err
	}
	p := FilePage{File: f, Rules: rules, CanWrite: !own && s.CanWrite(path), Today: today, Own: own}
	p.Due, p.HasDue = Next(f, rules, today)
	p.Closed = !p.HasDue
	if p.CanWrite && !p.Closed {
		if p.Full, err = FullMembers(ctx, h.pool, f.Person.BranchID); err != nil {
			return FilePage{}, err
		}
	}
	return p, nil
}

// prepare fills the form for kind (the next due step by default).
func (h *Handler) prepare(ctx context.Context, p *FilePage, kind string) error {
	if _, ok := SpecOf(kind); !ok {
		kind = p.Due.Kind
	}
	p.Spec, _ = SpecOf(kind)
	p.Form.Kind = kind
	if p.Form.DoneOn == "" {
		p.Form.DoneOn = p.Today.Format(dateLayout)
	}
	if p.Spec.Has("due_count") && p.Form.DueCount == "" {
		n, err := VotingMembers(ctx, h.pool, p.File.Person.BranchID, p.Today)
		if err != nil {
			return err
		}
		p.Form.DueCount = strconv.Itoa(n)
	}
	return nil
}

// Show is a person's file with the form of a step.
func (h *Handler) Show(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.load(ctx, r, false)
	if err != nil {
		return err
	}
	if p.Own {
		return ui.Render(w, r, http.StatusOK, FileView(p))
	}
	if err := h.prepare(ctx, &p, r.URL.Query().Get("kind")); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, FileView(p))
}

// Record records a step of a person's file.
func (h *Handler) Record(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p, err := h.load(ctx, r, true)
	if err != nil {
		return err
	}
	if p.Closed {
		return fmt.Errorf("recruit: file %d closed: %w", p.File.Person.ID, apperr.ErrConflict)
	}
	p.Form = ParseStepForm(r)
	step, errs := p.Form.Validate(p.Today)
	p.Errors = errs
	if !errs.Any() {
		_, err = h.store.Record(ctx, p.File.Person.ID, step)
		var ref *Refusal
		if errors.As(err, &ref) {
			p.Refusal = ref
			p.Errors.Add(ref.Field, ref.Key)
		} else if err != nil {
			return err
		}
	}
	if p.Errors.Any() {
		if err := h.prepare(ctx, &p, p.Form.Kind); err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, FileView(p))
	}
	return ui.Redirect(w, r, fmt.Sprintf("/recruitment/%d", p.File.Person.ID), "recruit.flash.recorded")
}

// Print is the person's 发展党员工作全程纪实表 and 入党材料 checklist.
func (h *Handler) Print(w http.ResponseWriter, r *http.Request) error {
	p, err := h.load(r.Context(), r, false)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PrintView(p))
}
