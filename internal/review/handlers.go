// Package review is the committee's view of its branches: the compliance
// dashboard (/review) over the reviewer's subtree, each branch's page with
// its rating history, the reviewer's rating and the secretary's answer,
// the .xlsx export and the printable yearly report.
package review

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/auth"
	"zhibu/internal/cases"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
)

// PageSize is the number of branches on a dashboard page.
const PageSize = 50

// Handler serves the review pages.
type Handler struct {
	pool *pgxpool.Pool
	jobs *Jobs
	now  func() time.Time
}

// New returns the review handler. With jobs (nil: none) the dashboard
// leaves whole-subtree recomputes to the background job.
func New(pool *pgxpool.Pool, jobs *Jobs) *Handler {
	return &Handler{pool: pool, jobs: jobs, now: time.Now}
}

// reader is the pool the request's reads go to: a streaming replica that
// has replayed the person's own last write, when there is one
// (db.Router), else the primary. Writes use h.pool.
func (h *Handler) reader(r *http.Request) *pgxpool.Pool { return db.ReadPool(r.Context(), h.pool) }

func (h *Handler) today() time.Time { return rules.Day(h.now().In(i18n.Shanghai)) }

// PeriodOption is one choice of the period selector.
type PeriodOption struct {
	Key   string
	Label string
}

// periodOptions lists this and last year, their quarters and this year's months so far.
func periodOptions(today time.Time) []PeriodOption {
	var out []PeriodOption
	for _, y := range []int{today.Year(), today.Year() - 1} {
		out = append(out, PeriodOption{Key: strconv.Itoa(y)})
		for q := 1; q <= 4; q++ {
			p := rules.Quarter(y, q)
			if !p.Start.After(today) {
				out = append(out, PeriodOption{Key: p.Key()})
			}
		}
		if y == today.Year() {
			for m := time.January; m <= today.Month(); m++ {
				out = append(out, PeriodOption{Key: rules.Month(y, m).Key()})
			}
		}
	}
	return out
}

// dashboardPeriod is the dashboard's period: the one asked for, else the
// current quarter (what is due now; the year and past periods are one
// click away).
func dashboardPeriod(r *http.Request, today time.Time) rules.Period {
	if p, err := rules.ParsePeriod(r.URL.Query().Get("period")); err == nil {
		return p
	}
	return rules.Quarter(today.Year(), (int(today.Month())-1)/3+1)
}

func periodParam(r *http.Request, today time.Time) rules.Period {
	if p, err := rules.ParsePeriod(r.URL.Query().Get("period")); err == nil {
		return p
	}
	return rules.Year(today.Year())
}

// reviewRoots is the subtree a reviewer reviews.
func reviewRoots(s auth.Scope) []int64 {
	if id := s.Committee(); id != 0 {
		return []int64{id}
	}
	return nil
}

// DashboardPage is the view model of /review.
type DashboardPage struct {
	D        *Dashboard
	Rows     []Row // the page shown
	Pager    ui.Pager
	Periods  []PeriodOption
	Problems bool
	Sort     string // the sort in force (sortKeys or RuleSortPrefix + a rule's code)
	Dir      string // asc or desc
	Filtered int    // branches after the filter
	Featured []cases.Case
}

// Dashboard shows every branch of the reviewer's subtree against the rules.
func (h *Handler) Dashboard(w http.ResponseWriter, r *http.Request) error {
	today := h.today()
	p := dashboardPeriod(r, today)
	q := r.URL.Query()
	opt := Options{Sort: q.Get("sort"), Desc: q.Get("dir") == "desc", Problems: q.Get("problems") == "1", Limit: PageSize, Jobs: h.jobs}
	if !slices.Contains(sortKeys, opt.Sort) && !strings.HasPrefix(opt.Sort, RuleSortPrefix) {
		opt.Sort, opt.Desc = "score", false // the lowest score first
	}
	// The sort in force goes into every link (headers, pages, periods), so
	// the header of the column sorted by shows it, the default included.
	dir := "asc"
	if opt.Desc {
		dir = "desc"
	}
	q.Set("sort", opt.Sort)
	q.Set("dir", dir)
	pager := ui.Pager{Page: ui.PageParam(q), PageSize: PageSize, Query: q, Path: "/review"}
	opt.Offset = pager.Offset()
	d, err := Subtree(r.Context(), h.reader(r), reviewRoots(auth.ScopeOf(r.Context())), p, today, opt)
	if err != nil {
		return err
	}
	pager.Total = d.Filtered
	page := DashboardPage{D: d, Rows: d.Rows, Periods: periodOptions(today), Problems: opt.Problems, Sort: opt.Sort, Dir: dir, Filtered: d.Filtered, Pager: pager}
	// --- cases (issue 23, part B): the featured exemplary practices ---
	if page.Featured, err = cases.Featured(r.Context(), h.pool, auth.ScopeOf(r.Context()), 5); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, DashboardView(page))
}

const branchSQL = `
SELECT o.id, o.name, coalesce(p.name, '') AS parent
  FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id
 WHERE o.id = $1 AND o.kind = 'branch'`

func (h *Handler) branch(r *http.Request) (Branch, []int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return Branch{}, nil, apperr.ErrNotFound
	}
	path, err := auth.OrgPath(r.Context(), h.reader(r), id)
	if err != nil {
		return Branch{}, nil, err
	}
	if err := auth.ScopeOf(r.Context()).CheckRead(path); err != nil {
		return Branch{}, nil, fmt.Errorf("review: branch %d: %w", id, err)
	}
	b, err := db.One[Branch](r.Context(), h.reader(r), branchSQL, id)
	if err != nil {
		return Branch{}, nil, fmt.Errorf("review: branch %d: %w", id, err)
	}
	return b, path, nil
}

// RateForm is the reviewer's rating form.
type RateForm struct {
	Period      string
	Rating      string
	Comments    string
	Corrections string
	Errors      ui.Errors
}

// RespondForm is the secretary's answer to a review.
type RespondForm struct {
	ReviewID int64
	Version  int
	Response string
	Errors   ui.Errors
	Conflict bool
}

// BranchPage is the view model of a branch's compliance page.
type BranchPage struct {
	D          *Dashboard
	Row        Row
	History    []Review
	Periods    []PeriodOption
	Scale      string
	CanRate    bool
	CanRespond bool
	Rate       RateForm
	Respond    RespondForm
}

func (h *Handler) branchPage(r *http.Request) (BranchPage, error) {
	b, path, err := h.branch(r)
	if err != nil {
		return BranchPage{}, err
	}
	s := auth.ScopeOf(r.Context())
	today := h.today()
	p := periodParam(r, today)
	d, err := Evaluate(r.Context(), h.reader(r), []Branch{b}, p, today, true)
	if err != nil {
		return BranchPage{}, err
	}
	page := BranchPage{D: d, Row: d.Rows[0], Periods: periodOptions(today), CanRate: s.CanWriteCommittee(path), CanRespond: s.CanWrite(path)}
	if page.History, err = History(r.Context(), h.reader(r), b.ID); err != nil {
		return BranchPage{}, err
	}
	if page.Scale, err = rules.RatingScale(r.Context(), h.reader(r)); err != nil {
		return BranchPage{}, err
	}
	page.Rate = RateForm{Period: p.Key()}
	page.Respond = RespondForm{}
	return page, nil
}

// Branch shows one branch against the rules, with its rating history.
func (h *Handler) Branch(w http.ResponseWriter, r *http.Request) error {
	page, err := h.branchPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, BranchView(page))
}

// Rate records a reviewer's rating of a branch.
func (h *Handler) Rate(w http.ResponseWriter, r *http.Request) error {
	page, err := h.branchPage(r)
	if err != nil {
		return err
	}
	if !page.CanRate {
		return fmt.Errorf("review: rate: %w", apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	f := RateForm{Period: strings.TrimSpace(r.PostFormValue("period")), Rating: r.PostFormValue("rating"),
		Comments: strings.TrimSpace(r.PostFormValue("comments")), Corrections: strings.TrimSpace(r.PostFormValue("corrections"))}
	if _, err := rules.ParsePeriod(f.Period); err != nil {
		f.Errors.Add("period", "review.error.period")
	}
	if !slices.Contains(RatingsOf(page.Scale), f.Rating) {
		f.Errors.Add("rating", "review.error.rating")
	}
	if len([]rune(f.Comments)) > 5000 {
		f.Errors.Add("comments", "review.error.too_long")
	}
	if len([]rune(f.Corrections)) > 5000 {
		f.Errors.Add("corrections", "review.error.too_long")
	}
	if f.Errors.Any() {
		page.Rate = f
		return ui.Render(w, r, http.StatusUnprocessableEntity, BranchView(page))
	}
	if _, err := SaveRating(r.Context(), h.pool, Review{BranchID: page.Row.Branch.ID, Period: f.Period, Rating: f.Rating, Comments: f.Comments, Corrections: f.Corrections}); err != nil {
		return err
	}
	return ui.Redirect(w, r, BranchURL(page.Row.Branch.ID, f.Period), "review.flash.rated")
}

// Respond records the secretary's answer to a review.
func (h *Handler) Respond(w http.ResponseWriter, r *http.Request) error {
	rid, err := strconv.ParseInt(chi.URLParam(r, "rid"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	page, err := h.branchPage(r)
	if err != nil {
		return err
	}
	rev, err := Get(r.Context(), h.pool, rid)
	if err != nil {
		return err
	}
	if rev.BranchID != page.Row.Branch.ID {
		return apperr.ErrNotFound
	}
	if !page.CanRespond {
		return fmt.Errorf("review: respond: %w", apperr.ErrForbidden)
	}
	if err := r.ParseForm(); err != nil {
		return apperr.ErrInvalid
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	f := RespondForm{ReviewID: rid, Version: version, Response: strings.TrimSpace(r.PostFormValue("response"))}
	if n := len([]rune(f.Response)); n == 0 || n > 5000 {
		f.Errors.Add("response", "review.error.response")
	}
	if f.Errors.Any() {
		page.Respond = f
		return ui.Render(w, r, http.StatusUnprocessableEntity, BranchView(page))
	}
	if err := Respond(r.Context(), h.pool, rid, version, f.Response); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			f.Conflict = true
			page.Respond = f
			return ui.Render(w, r, http.StatusConflict, BranchView(page))
		}
		return err
	}
	return ui.Redirect(w, r, BranchURL(page.Row.Branch.ID, rev.Period), "review.flash.responded")
}

// ReportPage is the printable yearly report of a branch.
type ReportPage struct {
	D       *Dashboard
	Row     Row
	History []Review
	Year    int
}

// Report shows a branch's year on one printable page.
func (h *Handler) Report(w http.ResponseWriter, r *http.Request) error {
	b, _, err := h.branch(r)
	if err != nil {
		return err
	}
	today := h.today()
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 2000 || year > today.Year() {
		year = today.Year()
	}
	d, err := Evaluate(r.Context(), h.reader(r), []Branch{b}, rules.Year(year), today, false)
	if err != nil {
		return err
	}
	page := ReportPage{D: d, Row: d.Rows[0], Year: year}
	all, err := History(r.Context(), h.reader(r), b.ID)
	if err != nil {
		return err
	}
	for _, rv := range all {
		if strings.HasPrefix(rv.Period, strconv.Itoa(year)) {
			page.History = append(page.History, rv)
		}
	}
	return ui.Render(w, r, http.StatusOK, ReportView(page))
}

// Year shows a branch's breach record for a year, month by month, with
// the late corrections (the ledger the background computation keeps).
func (h *Handler) Year(w http.ResponseWriter, r *http.Request) error {
	b, _, err := h.branch(r)
	if err != nil {
		return err
	}
	today := h.today()
	year, err := strconv.Atoi(r.URL.Query().Get("year"))
	if err != nil || year < 2000 || year > today.Year() {
		year = today.Year()
	}
	list, err := BreachesOfYear(r.Context(), h.reader(r), b.ID, year)
	if err != nil {
		return err
	}
	set, paths, err := BranchRules(r.Context(), h.reader(r), []int64{b.ID})
	if err != nil {
		return err
	}
	page := yearPage(b, year, today, list, set.For(paths[b.ID]), set.Defaults())
	if page.Applied, err = appliedFor(r.Context(), h.reader(r), set, paths[b.ID], year, today); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, YearView(page))
}
