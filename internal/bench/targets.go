package bench

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"zhibu/internal/benchdata"
)

// User names who a target signs in as.
type User string

// The benchmark's users (accounts made by benchdata).
const (
	Anonymous User = ""
	Reviewer  User = benchdata.ReviewerUser
	Secretary User = benchdata.SecretaryPrefix + "1"
	Member    User = benchdata.MemberPrefix + "1"
)

// Fixture holds the ids the targets' paths and bodies refer to, read from
// the loaded data set.
type Fixture struct {
	Root     int64   // the work committee the reviewer oversees
	Branch   int64   // the secretary's branch (50 members)
	Meeting  int64   // the latest branch-wide meeting of that branch
	Meetings []int64 // its latest 100 branch-wide meetings ({any_meeting} rotates over them)
	Members  []int64 // that branch's members
	Drafts   []int64 // fresh draft meetings of that branch ({draft_meeting} uses each once)
	MemberID int64   // the member account's member
	// Month is a recent dues month of the secretary's branch (2026-10):
	// the last one it handed in, else the month before the current one.
	Month string
	// Savers are the four benchmark secretaries with their branches'
	// members and fresh drafts, over which a Spread target rotates; the
	// first is Secretary with Branch, Members and Drafts.
	Savers []Saver
}

// Saver is one benchmark secretary and the drafts they save.
type Saver struct {
	User    User
	Branch  int64
	Members []int64
	Drafts  []int64
}

// Target is one page or action under load.
type Target struct {
	Name   string
	Method string
	// Path may hold {root}, {branch}, {meeting}, {member}, {month}, and
	// {any_meeting}, which takes the next of the branch's recent meetings
	// on each request (so that concurrent saves do not all edit one).
	Path string
	User User
	// Body builds the form of a POST.
	Body func(f *Fixture) url.Values
	// Want is the status a successful answer has.
	Want int
	// Planned marks a page being built on another branch: when the route
	// answers 404 or 405 the target is reported as not built yet.
	Planned bool
	// Floor marks a reference measurement served beside the application.
	Floor bool
	// Spread rotates the requests over the fixture's Savers (each signed
	// in as their own secretary, on their own branch's drafts) instead of
	// sending them all as User.
	Spread bool
	// Rate is the fixed request rate; 0 uses the run's default.
	Rate float64
	// TargetP95 is the latency goal, 0 for none.
	TargetP95 time.Duration
	// TargetRatio is the throughput goal as a share of the
	// fortunes floor, 0 for none.
	TargetRatio float64
}

// Targets is the mixed load: the floors first, then the pages. The lead
// adjusts the planned paths as the pages land.
var Targets = []Target{
	{Name: "floor: static", Method: http.MethodGet, Path: floorStaticPath, Want: 200, Floor: true},
	{Name: "floor: fortunes", Method: http.MethodGet, Path: floorFortunesPath, Want: 200, Floor: true},
	{Name: "health check", Method: http.MethodGet, Path: "/healthz", Want: 200},
	{Name: "home (reviewer)", Method: http.MethodGet, Path: "/", User: Reviewer, Want: 200},
	{Name: "sign in", Method: http.MethodPost, Path: "/login", Want: 303, Rate: 10, Body: func(*Fixture) url.Values {
		return url.Values{"username": {string(Member)}, "password": {benchdata.Password}}
	}},
	{Name: "member: /me", Method: http.MethodGet, Path: "/me", User: Member, Want: 200,
		TargetP95: 20 * time.Millisecond, TargetRatio: 0.4},
	{Name: "roster", Method: http.MethodGet, Path: "/members?org={branch}", User: Secretary, Want: 200,
		TargetP95: 20 * time.Millisecond, TargetRatio: 0.4},
	{Name: "meeting page", Method: http.MethodGet, Path: "/meetings/{meeting}", User: Secretary, Want: 200,
		TargetP95: 20 * time.Millisecond, TargetRatio: 0.4},
	{Name: "branch compliance", Method: http.MethodGet, Path: "/review/branches/{branch}", User: Reviewer, Want: 200, Rate: 20,
		TargetP95: 50 * time.Millisecond},
	{Name: "committee dashboard", Method: http.MethodGet, Path: "/review", User: Reviewer, Want: 200, Rate: 20,
		TargetP95: 300 * time.Millisecond},
	// Dues (issue 21): a branch's month is a branch page like the roster
	// (the read-page goals of /me, the roster and a meeting page); the
	// roll-up is the committee's page over the whole subtree like the
	// dashboard (its goal).
	{Name: "dues: branch month", Method: http.MethodGet, Path: "/dues/branches/{branch}?month={month}", User: Secretary, Want: 200,
		TargetP95: 20 * time.Millisecond, TargetRatio: 0.4},
	{Name: "dues: committee roll-up", Method: http.MethodGet, Path: "/dues?month={month}", User: Reviewer, Want: 200, Rate: 20,
		TargetP95: 300 * time.Millisecond},
	// Saves rotate over the four secretaries' branches: a branch's
	// secretary saves one meeting at a time, and 16 concurrent saves of one
	// branch's meetings of one month would queue on that branch's and its
	// members' rollup rows (see docs/performance.md).
	{Name: "save attendance (50 rows)", Method: http.MethodPost, Path: "/meetings/{draft_meeting}/attendance", User: Secretary, Want: 303,
		Rate: 50, TargetP95: 50 * time.Millisecond, Body: attendanceForm, Spread: true},
}

// attendanceForm marks every member of the branch on a fresh draft
// meeting (version 1): most present with 2 hours, a few on leave with a
// reason, one absent; the fields are those of the meeting attendance form.
func attendanceForm(f *Fixture) url.Values {
	v := url.Values{"version": {"1"}}
	for i, id := range f.Members {
		k := strconv.FormatInt(id, 10)
		v.Add("member", k)
		switch {
		case i%17 == 5:
			v.Set("status-"+k, "leave")
			v.Set("reason-"+k, "公务出差")
			v.Set("hours-"+k, "0")
		case i%23 == 7:
			v.Set("status-"+k, "absent")
			v.Set("hours-"+k, "0")
		default:
			v.Set("status-"+k, "present")
			v.Set("hours-"+k, "2")
		}
	}
	return v
}

// expand fills a target's path from the fixture.
func (t Target) expand(f *Fixture) string {
	// Runs for every request the load generator sends: no Replacer (whose
	// first use builds a lookup table), and nothing when there is nothing
	// to fill in.
	p := t.Path
	if !strings.Contains(p, "{") {
		return p
	}
	for _, r := range [...]struct {
		key string
		id  int64
	}{{"{root}", f.Root}, {"{branch}", f.Branch}, {"{meeting}", f.Meeting}, {"{member}", f.MemberID}} {
		if strings.Contains(p, r.key) {
			p = strings.ReplaceAll(p, r.key, strconv.FormatInt(r.id, 10))
		}
	}
	if strings.Contains(p, "{month}") {
		p = strings.ReplaceAll(p, "{month}", f.Month)
	}
	return p
}

// Select keeps the floors and the targets whose name or path contains one
// of the comma-separated parts of only; an empty only keeps them all.
func Select(targets []Target, only string) []Target {
	if strings.TrimSpace(only) == "" {
		return targets
	}
	var out []Target
	for _, t := range targets {
		keep := t.Floor
		for _, part := range strings.Split(only, ",") {
			part = strings.TrimSpace(part)
			if part != "" && (strings.Contains(t.Name, part) || strings.Contains(t.Path, part)) {
				keep = true
			}
		}
		if keep {
			out = append(out, t)
		}
	}
	return out
}
