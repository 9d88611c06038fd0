// Package home renders the start page each role lands on after sign-in:
// the secretary's workbench (待办 ordered by urgency, the month's calendar,
// the branch's compliance at a glance), the member's (next meetings with a
// countdown, hours against the minimum, what to do) and the reviewer's
// (what waits for the committee, branches in trouble).
package home

import (
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/todo"
	"zhibu/internal/ui"
)

// Handler serves the home page.
type Handler struct {
	pool *pgxpool.Pool
	now  func() time.Time
	jobs *review.Jobs
}

// New returns the home page handler.
func New(pool *pgxpool.Pool) *Handler { return &Handler{pool: pool, now: time.Now} }

// WithReviewJobs lets the reviewer's workbench leave whole-subtree
// recomputes to the dashboards' background job (nil: none).
func (h *Handler) WithReviewJobs(j *review.Jobs) *Handler {
	h.jobs = j
	return h
}

// Card is one link on the home page.
type Card struct {
	Href  string
	Label string // translation key
}

// BranchBench is the secretary's workbench for their branch.
type BranchBench struct {
	Todos    []todo.Item
	Month    time.Time
	Meetings []meeting.CalendarItem
	Counts   map[rules.Status]int
	URL      string // the branch's compliance page
}

// MemberBench is a member's workbench.
type MemberBench struct {
	Upcoming []Countdown
	Hours    float64
	Minimum  float64
	Todos    []todo.Item
}

// Percent is how much of the minimum the hours reach, at most 100.
func (m MemberBench) Percent() int {
	if m.Minimum <= 0 {
		return 100
	}
	p := int(m.Hours * 100 / m.Minimum)
	return min(p, 100)
}

// Countdown is an upcoming meeting with the days left until it.
type Countdown struct {
	meeting.Upcoming
	Days int
}

// ReviewerBench is the reviewer's workbench for their subtree.
type ReviewerBench struct {
	Todos   []todo.Item
	Urgent  []review.Urgent
	Trouble []review.Row
	Total   int
	Behind  bool
}

// Page is the home page's view model.
type Page struct {
	Name     string
	Role     string // translation key
	Today    time.Time
	Branch   *BranchBench
	Member   *MemberBench
	Reviewer *ReviewerBench
	Cards    []Card
}

func (h *Handler) today() time.Time { return rules.Day(h.now().In(i18n.Shanghai)) }

// Home shows the signed-in person's start page: a workbench for each role
// that has one, the section links for the others.
func (h *Handler) Home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := auth.UserOf(ctx)
	today := h.today()
	p := Page{Name: u.DisplayName, Role: "role." + string(u.MainRole()), Today: today}
	if b := u.BranchID(); b != 0 {
		bb, err := h.branch(r, b, today)
		if err != nil {
			return err
		}
		p.Branch = bb
	}
	if root := u.OrgOf(auth.RoleReviewer); root != 0 {
		rb, err := h.reviewer(r, root, today)
		if err != nil {
			return err
		}
		p.Reviewer = rb
	}
	if u.MemberID != 0 {
		mb, err := h.member(r, u.MemberID, today)
		if err != nil {
			return err
		}
		p.Member = mb
	}
	if p.Branch == nil && p.Reviewer == nil && p.Member == nil {
		for _, n := range auth.NavFor(u) {
			if n.Href != "/" {
				p.Cards = append(p.Cards, Card{Href: n.Href, Label: n.Label})
			}
		}
	}
	return ui.Render(w, r, http.StatusOK, View(p))
}

func (h *Handler) branch(r *http.Request, branchID int64, today time.Time) (*BranchBench, error) {
	ctx := r.Context()
	todos, err := collect(ctx, h.pool, branchProviders, []int64{branchID}, today)
	if err != nil {
		return nil, err
	}
	month := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, i18n.Shanghai)
	items, err := meeting.NewStore(h.pool).Between(ctx, []int64{branchID}, month, month.AddDate(0, 1, 0))
	if err != nil {
		return nil, err
	}
	b := &BranchBench{Todos: todos, Month: month, Meetings: items, URL: review.BranchURL(branchID, rules.Year(today.Year()).Key())}
	branches, err := review.Branches(ctx, h.pool, []int64{branchID})
	if err != nil {
		return nil, err
	}
	if len(branches) > 0 {
		d, err := review.Evaluate(ctx, h.pool, branches, rules.Year(today.Year()), today, false)
		if err != nil {
			return nil, err
		}
		b.Counts = d.Counts
	}
	return b, nil
}

// upcomingShown is how many next meetings the member's home lists.
const upcomingShown = 5

func (h *Handler) member(r *http.Request, memberID int64, today time.Time) (*MemberBench, error) {
	ctx := r.Context()
	up, err := meeting.UpcomingFor(ctx, h.pool, memberID, h.now(), upcomingShown)
	if err != nil {
		return nil, err
	}
	m := &MemberBench{}
	for _, u := range up {
		m.Upcoming = append(m.Upcoming, Countdown{Upcoming: u, Days: u.DaysFrom(today)})
	}
	m.Hours, m.Minimum, err = meeting.HoursOf(ctx, h.pool, memberID, today.Year())
	if err != nil {
		return nil, err
	}
	m.Todos, err = meeting.MemberTodos(ctx, h.pool, memberID, today)
	if err != nil {
		return nil, err
	}
	todo.Sort(m.Todos)
	return m, nil
}

// troubleShown is how many branches in trouble the reviewer's home lists.
const troubleShown = 10

func (h *Handler) reviewer(r *http.Request, root int64, today time.Time) (*ReviewerBench, error) {
	ctx := r.Context()
	d, err := review.Subtree(ctx, h.pool, []int64{root}, rules.Year(today.Year()), today,
		review.Options{Problems: true, Limit: troubleShown, Urgent: 10, Jobs: h.jobs})
	if err != nil {
		return nil, err
	}
	rb := &ReviewerBench{Urgent: d.Urgent, Trouble: d.Rows, Total: d.Total, Behind: d.Behind}
	rb.Todos, err = collect(ctx, h.pool, committeeProviders, []int64{root}, today)
	if err != nil {
		return nil, err
	}
	return rb, nil
}

func statusClass(s rules.Status) string {
	switch s {
	case rules.Missed:
		return "bad"
	case rules.DueSoon:
		return "warn"
	case rules.Met:
		return "ok"
	}
	return "info"
}
