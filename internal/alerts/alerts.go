// Package alerts tells each person what needs doing soon: a secretary's
// branch items due within 14 days or overdue, a member's own study hours
// and the coming week's meetings, a reviewer's subtree. It also puts the count on
// the navigation bar.
package alerts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
	"zhibu/internal/review"
	"zhibu/internal/rules"
	"zhibu/internal/ui"
	"zhibu/internal/vocab"
)

// Scopes an alert belongs to.
const (
	ScopeBranch  = "branch"  // the secretary's branch
	ScopeOwn     = "own"     // the member's own
	ScopeSubtree = "subtree" // the reviewer's subtree
)

// Alert is one thing to act on.
type Alert struct {
	Scope   string
	Branch  string
	Title   string // the rule's title, or the meeting's topic
	Source  string // the rule's source; "" for meetings
	Subject string // member's name, item's problem …
	Detail  string // translated detail line
	Status  rules.Status
	DueOn   time.Time
	Href    string
}

// maxSubtreeAlerts caps a reviewer's alerts (the dashboard has the rest).
const maxSubtreeAlerts = 200

// Service computes alerts and caches each person's count for the badge.
type Service struct {
	pool  *pgxpool.Pool
	now   func() time.Time
	ttl   time.Duration
	mu    sync.Mutex
	cache map[int64]cached
	jobs  *review.Jobs
}

type cached struct {
	n  int
	at time.Time
}

// New returns the alert service.
func New(pool *pgxpool.Pool) *Service {
	return &Service{pool: pool, now: time.Now, ttl: time.Minute, cache: map[int64]cached{}}
}

// WithReviewJobs lets a reviewer's alerts leave whole-subtree recomputes
// to the review dashboards' background job (nil: none).
func (s *Service) WithReviewJobs(j *review.Jobs) *Service {
	s.jobs = j
	return s
}

func (s *Service) today() time.Time { return rules.Day(s.now().In(i18n.Shanghai)) }

// For lists the alerts of a user, the most pressing first.
func (s *Service) For(ctx context.Context, u *auth.User) ([]Alert, error) {
	today := s.today()
	var out []Alert
	year := rules.Year(today.Year())
	if b := u.BranchID(); b != 0 {
		branches, err := review.Branches(ctx, s.pool, []int64{b})
		if err != nil {
			return nil, err
		}
		d, err := review.Evaluate(ctx, s.pool, branches, year, today, false)
		if err != nil {
			return nil, err
		}
		out = append(out, fromUrgent(ctx, d.Urgent, ScopeBranch)...)
		unanswered, err := s.unanswered(ctx, b)
		if err != nil {
			return nil, err
		}
		out = append(out, unanswered...)
	}
	if root := u.OrgOf(auth.RoleReviewer); root != 0 {
		d, err := review.Subtree(ctx, s.pool, []int64{root}, year, today, review.Options{Limit: 1, Urgent: maxSubtreeAlerts, Jobs: s.jobs})
		if err != nil {
			return nil, err
		}
		out = append(out, fromUrgent(ctx, d.Urgent, ScopeSubtree)...)
	}
	if u.MemberID != 0 {
		own, err := s.own(ctx, s.pool, u.MemberID, today)
		if err != nil {
			return nil, err
		}
		out = append(out, own...)
	}
	slices.SortStableFunc(out, func(a, b Alert) int {
		if c := cmp.Compare(b.Status.Rank(), a.Status.Rank()); c != 0 {
			return c
		}
		return a.DueOn.Compare(b.DueOn)
	})
	s.remember(u.AccountID, len(out))
	return out, nil
}

// fromUrgent keeps the items due within 14 days or overdue.
func fromUrgent(ctx context.Context, list []review.Urgent, scope string) []Alert {
	var out []Alert
	for _, u := range list {
		a := Alert{Scope: scope, Branch: u.Branch.Name, Title: u.Rule.TitleText(ctx), Source: u.Rule.SourceText(ctx), Subject: u.Subject, Status: u.Status, DueOn: u.DueOn, Href: u.Href}
		if u.Rule.Kind == rules.KindInactivity {
			a.Detail = ui.T(ctx, "review.six_month_level", u.Level)
		}
		out = append(out, a)
	}
	return out
}

// ownHoursSQL reads what a member's own study alert needs: the year's
// hours up to today and their self-study part, whether the member sits on
// the branch's committee, the day they arrived (admission or the latest
// transfer in: the pro rata minimum, rules.StudyMonths), the branch's path
// (the subtree's version of the rule, rules.Resolver) and the agency's
// self-study setting; the same figures the branch's compliance view reads
// (internal/review).
const ownHoursSQL = `
SELECT coalesce(sum(s.hours), 0)::float8,
       (SELECT coalesce(sum(sc.hours), 0)::float8 FROM study_credits sc
         WHERE sc.member_id = m.id AND sc.kind = 'self' AND sc.earned_on >= $2 AND sc.earned_on < $3),
       EXISTS (SELECT 1 FROM committee_posts cp JOIN terms_on(current_date) ct ON ct.id = cp.term_id
                WHERE cp.member_id = m.id AND ct.org_id = m.branch_id),
       greatest(m.admitted_on,
                (SELECT max(e.occurred_on) FROM member_events e
                  WHERE e.member_id = m.id AND e.kind = 'transferred_in' AND e.occurred_on < $3)),
       coalesce(o.path, '{}'),
       (SELECT self_study_counts FROM review_settings WHERE id = 1)
  FROM members m LEFT JOIN organisations o ON o.id = m.branch_id
  LEFT JOIN member_month_stats s ON s.member_id = m.id AND s.month >= $2 AND s.month < $3
 WHERE m.id = $1 AND in_good_standing(m.category, m.party_status)
 GROUP BY m.id, o.path`

// A member's alerts list the meetings they are due at within a week (at
// most upcomingLimit), each leading to the leave request, or to /me when
// one is made.
const (
	upcomingDays  = 7
	upcomingLimit = 10
)

// own lists a member's own alerts: study hours behind the pace the yearly
// minimum needs, and the meetings of the coming week.
func (s *Service) own(ctx context.Context, q db.Querier, memberID int64, today time.Time) ([]Alert, error) {
	var out []Alert
	year := rules.Year(today.Year())
	me := rules.MemberFacts{ID: memberID, Category: "full"}
	var arrived *time.Time
	var path []int64
	var selfCounts *bool
	err := q.QueryRow(ctx, ownHoursSQL, memberID, year.Start, year.End).Scan(&me.Hours, &me.SelfHours, &me.Committee, &arrived, &path, &selfCounts)
	if err == nil {
		if arrived != nil {
			me.Arrived = *arrived
		}
		// The rule of the member's branch: its subtree's version in force,
		// else the agency's default (one load for the member's alerts).
		all, err := rules.LoadScoped(ctx, q)
		if err != nil {
			return nil, err
		}
		f := rules.Facts{Year: today.Year(), Members: []rules.MemberFacts{me}, SelfStudyCounts: selfCounts != nil && *selfCounts}
		for _, r := range rules.Evaluate(f, rules.NewResolver(all).For(path), year, today) {
			if r.Rule.Kind != rules.KindStudyHours {
				continue
			}
			for _, m := range r.Members {
				if m.Status.Problem() {
					out = append(out, Alert{Scope: ScopeOwn, Title: r.Rule.TitleText(ctx), Source: r.Rule.SourceText(ctx), Status: m.Status, DueOn: m.DueOn,
						Detail: ui.T(ctx, "review.hours_of", strconv.FormatFloat(m.Value, 'f', -1, 64), strconv.FormatFloat(m.Need, 'f', -1, 64)), Href: "/me"})
				}
			}
		}
	} else if !isNoRows(err) {
		return nil, fmt.Errorf("alerts: own hours %d: %w", memberID, err)
	}
	up, err := meeting.UpcomingFor(ctx, q, memberID, s.now(), upcomingLimit)
	if err != nil {
		return nil, err
	}
	for _, m := range up {
		days := m.DaysFrom(today)
		if days > upcomingDays {
			break
		}
		href := "/me/leave/" + strconv.FormatInt(m.ID, 10)
		if m.Leave != "" {
			href = "/me#upcoming"
		}
		detail := ui.T(ctx, "alerts.meeting_coming", vocab.Countdown(ctx, days), i18n.DateTime(ctx, m.StartsAt))
		if m.Leave != "" {
			detail += " · " + ui.T(ctx, "leave.status."+m.Leave)
		}
		out = append(out, Alert{Scope: ScopeOwn, Branch: m.OrgName, Title: ui.T(ctx, "meeting.kind_topic", vocab.MeetingKind(ctx, m.Kind), m.Topic),
			Status: rules.DueSoon, DueOn: rules.Day(m.StartsAt.In(i18n.Shanghai)), Detail: detail, Href: href})
	}
	return out, nil
}

const unansweredSQL = `
SELECT r.id, r.period, r.rating, r.reviewed_at, o.name FROM branch_reviews r JOIN organisations o ON o.id = r.branch_id
 WHERE r.branch_id = $1 AND r.responded_at IS NULL ORDER BY r.reviewed_at`

// unanswered lists the committee's reviews of a branch still waiting for
// the branch's answer.
func (s *Service) unanswered(ctx context.Context, branchID int64) ([]Alert, error) {
	rows, err := s.pool.Query(ctx, unansweredSQL, branchID)
	if err != nil {
		return nil, fmt.Errorf("alerts: unanswered reviews %d: %w", branchID, err)
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var id int64
		var period, rating, org string
		var at time.Time
		if err := rows.Scan(&id, &period, &rating, &at, &org); err != nil {
			return nil, fmt.Errorf("alerts: unanswered reviews %d: %w", branchID, err)
		}
		out = append(out, Alert{Scope: ScopeBranch, Branch: org, Title: ui.T(ctx, "alerts.review_waiting"), Subject: review.PeriodLabel(ctx, period) + " " + vocab.Rating(ctx, rating),
			Status: rules.DueSoon, DueOn: rules.Day(at.In(i18n.Shanghai)), Href: review.BranchURL(branchID, period) + "#reviews"})
	}
	return out, rows.Err()
}

func (s *Service) remember(account int64, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cache[account] = cached{n: n, at: s.now()}
}

// Count returns the number of a user's alerts, from a cache no older
// than a minute.
func (s *Service) Count(ctx context.Context, u *auth.User) (int, error) {
	s.mu.Lock()
	c, ok := s.cache[u.AccountID]
	s.mu.Unlock()
	if ok && s.now().Sub(c.at) < s.ttl {
		return c.n, nil
	}
	list, err := s.For(ctx, u)
	if err != nil {
		return 0, err
	}
	return len(list), nil
}

// Badge is middleware that puts the alert count on the navigation bar of
// every page a signed-in person fetches. A failure only leaves the badge off.
func (s *Service) Badge(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := ui.ViewerOf(r.Context())
		u := auth.UserOf(r.Context())
		if v != nil && u != nil {
			ctx := r.Context()
			for i := range v.Nav {
				if v.Nav[i].Href == "/alerts" {
					// Counted when the page is drawn, once: a redirect after
					// a post costs nothing, a form shown again has it.
					counted, n := false, 0
					v.Nav[i].Count = func() int {
						if !counted {
							counted = true
							if c, err := s.Count(ctx, u); err == nil {
								n = c
							}
						}
						return n
					}
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// Page is the view model of /alerts.
type Page struct {
	Alerts []Alert
}

// List shows the signed-in person's alerts.
func (s *Service) List(w http.ResponseWriter, r *http.Request) error {
	list, err := s.For(r.Context(), auth.UserOf(r.Context()))
	if err != nil {
		return err
	}
	if v := ui.ViewerOf(r.Context()); v != nil {
		for i := range v.Nav {
			if v.Nav[i].Href == "/alerts" {
				v.Nav[i].Badge, v.Nav[i].Count = len(list), nil
			}
		}
	}
	return ui.Render(w, r, http.StatusOK, View(Page{Alerts: list}))
}

func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

func statusClass(a Alert) string {
	if a.Status == rules.Missed {
		return "tag bad"
	}
	return "tag warn"
}

func scopeLabel(ctx context.Context, scope string) string {
	key := "alerts.scope." + scope
	return ui.T(ctx, key)
}
