package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/go-chi/chi/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/pii"
	"zhibu/internal/seed"
)

//go:embed a11y.js
var a11yJS string

// contrastResult is what zhibuA11y.contrast() returns for a page.
type contrastResult struct {
	Checked  int      `json:"checked"`
	Skipped  int      `json:"skipped"`
	Failures []string `json:"failures"`
}

// focusStop is one focus the Tab key made.
type focusStop struct {
	I         int     `json:"i"`
	What      string  `json:"what"`
	Visible   bool    `json:"visible"`
	Indicator float64 `json:"indicator"`
	Text      float64 `json:"text"`
	Need      float64 `json:"need"`
	Scroller  bool    `json:"scroller"`
}

// maxTabs caps the Tab presses on one page: long tables of links are
// checked as far as this.
const maxTabs = 90

var (
	skipCrawl = regexp.MustCompile(`^/(static/|metrics|healthz|readyz|logout|lang)|\.(xlsx|csv|ics|pdf|png|jpg)(\?|$)|/attachments/`)
	idSegment = regexp.MustCompile(`/\d+`)
)

// crawlSamples is how many addresses of each route the crawler opens to
// find links: a page's links depend on the state of what it shows (a
// planned meeting links to its edit form, a held one to its record), so
// one address per route would miss pages.
const crawlSamples = 4

// routePattern is the GET route that serves path ("" when none does); a
// mounted list answers at /meetings and /meetings/ alike, as its route.
func routePattern(routes chi.Routes, path string) string {
	p := routes.Find(chi.NewRouteContext(), http.MethodGet, path)
	if p != "" && !strings.HasSuffix(p, "/") && routes.Find(chi.NewRouteContext(), http.MethodGet, path+"/") == p+"/" {
		return p + "/"
	}
	return p
}

// crawlRoutes follows the links of the pages a signed-in client reaches
// from / (and from the given addresses), as the HTML crawler in internal/server does, opening up to
// crawlSamples addresses of each route (its chi pattern: ids and queries
// folded), and returns each route that serves a page with the first
// address that reached it, in the order reached.
func crawlRoutes(t *testing.T, c *apptest.Client, routes chi.Routes, from []string) (patterns, addrs []string) {
	t.Helper()
	find := func(path string) string { return routePattern(routes, path) }
	queued, pages, samples := map[string]bool{}, map[string]bool{}, map[string]int{}
	queue := append([]string{"/"}, from...)
	for _, p := range queue {
		queued[p] = true
		samples[find(strings.SplitN(p, "?", 2)[0])]++
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		r := c.Get(p)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		if pattern := find(strings.SplitN(p, "?", 2)[0]); !pages[pattern] {
			pages[pattern] = true
			patterns = append(patterns, pattern)
			addrs = append(addrs, p)
		}
		r.Doc().Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			href := a.AttrOr("href", "")
			u, err := url.Parse(href)
			if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/") || skipCrawl.MatchString(href) {
				return
			}
			next := u.RequestURI()
			pattern := find(u.Path)
			if pattern == "" || queued[next] || samples[pattern] >= crawlSamples {
				return
			}
			queued[next] = true
			samples[pattern]++
			queue = append(queue, next)
		})
	}
	return patterns, addrs
}

// inject loads the checks into the current page.
func (b *Browser) inject() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[any](a11yJS)); err != nil {
		b.t.Fatalf("inject a11y.js: %v", err)
	}
}

// contrast measures every visible text of the current page.
func (b *Browser) contrast() contrastResult {
	b.t.Helper()
	b.inject()
	res, err := chromedp.Run(b.ctx, chromedp.Evaluate[contrastResult](`window.zhibuA11y.contrast()`))
	if err != nil {
		b.t.Fatalf("contrast: %v", err)
	}
	return res
}

// tabThrough presses Tab through the current page and returns what it
// should reach and what it did.
func (b *Browser) tabThrough() (want []string, got []focusStop, capped bool) {
	b.t.Helper()
	b.inject()
	plan, err := chromedp.Run(b.ctx, chromedp.Evaluate[struct {
		Want  []string `json:"want"`
		Extra int      `json:"extra"`
	}](`window.zhibuA11y.keyboardPlan()`))
	if err != nil {
		b.t.Fatalf("keyboard plan: %v", err)
	}
	want = plan.Want
	// Press Tab for every control (and the parts of date fields), then
	// again as long as focus moves on and has not come to the end.
	presses := 0
	for round := 0; round < 4 && presses < maxTabs; round++ {
		n := len(want) + 2
		if round == 0 {
			n += plan.Extra
		} else {
			last := -1
			for _, s := range got {
				if s.I >= 0 {
					last = s.I
				}
			}
			if last >= len(want)-1 || len(got) == 0 || got[len(got)-1].I == 0 && len(got) > 1 {
				break
			}
			n = len(want) - last + 1
		}
		n = min(n, maxTabs-presses)
		presses += n
		b.Do(chromedp.KeyEvent(strings.Repeat(kb.Tab, n)))
		got, err = chromedp.Run(b.ctx, chromedp.Evaluate[[]focusStop](`window.zhibuA11ySeen`))
		if err != nil {
			b.t.Fatalf("focus stops: %v", err)
		}
	}
	capped = presses >= maxTabs
	return want, got, capped
}

// keyboardProblems compares the focus stops with the plan: every control
// reached in document order, each with a visible focus indicator of 3:1
// against its background and readable text, and focus leaving the page
// (or wrapping to its start) after the last one, so nothing traps it.
func keyboardProblems(want []string, got []focusStop, capped bool) []string {
	var out []string
	k := 0
	for _, s := range got {
		if s.I < 0 && s.Scroller {
			// A scrolling table takes focus so it can be scrolled by keys.
			if !s.Visible {
				out = append(out, "scroll region without a visible focus: "+s.What)
			}
			continue
		}
		if k >= len(want) {
			if s.I != 0 {
				out = append(out, fmt.Sprintf("after the last control focus went to %s, not out of the page", s.What))
			}
			break
		}
		if s.I != k {
			out = append(out, fmt.Sprintf("Tab %d reached %s, want %s (order or trap)", k+1, s.What, want[k]))
			return out
		}
		if !s.Visible {
			out = append(out, "no visible focus indicator: "+s.What)
		} else if s.Indicator < 3 {
			out = append(out, fmt.Sprintf("focus indicator contrast %.2f:1 < 3:1: %s", s.Indicator, s.What))
		}
		if s.Need > 0 && s.Text < s.Need {
			out = append(out, fmt.Sprintf("focused text contrast %.2f:1 < %.1f:1: %s", s.Text, s.Need, s.What))
		}
		k++
	}
	if !capped && k < len(want) {
		out = append(out, fmt.Sprintf("Tab reached %d of %d controls; the next is %s", k, len(want), want[k]))
	}
	return out
}

// wrongDate matches a date written the other language's way.
var wrongDate = map[string]*regexp.Regexp{
	"zh": regexp.MustCompile(`\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b`),
	"en": regexp.MustCompile(`\d{4}年\d{1,2}月(\d{1,2}日)?`),
}

// keyboardPages are the pages tabbed through, per role: the list.
// Each role's listed pages are checked for that role whatever other roles
// reach (a role's home page and navigation are its own).
var keyboardPages = map[string][]string{
	"member":    {"/", "/me", "/alerts"},
	"secretary": {"/", "/members", "/members/{member}", "/meetings", "/meetings/{meeting}", "/meetings/new", "/members/new", "/alerts", "/nope-404"},
	"reviewer":  {"/", "/review", "/review/branches/{branch}", "/alerts"},
	"admin":     {"/", "/admin/rules", "/admin/accounts", "/orgs"},
	"security":  {"/", "/admin/security"},
	"auditor":   {"/", "/audit"},
}

// extraPages are pages each role reaches without a link to them, checked
// and crawled from like the listed ones: the forms a redirect or a QR code
// leads to, the check-in screen a secretary puts on the wall, and the meeting pages of a state the crawl's first samples miss
// (a planned and a draft meeting, which link to their forms).
var extraPages = map[string][]string{
	"secretary": {"/meetings/{planned}", "/meetings/{draft}", "/meetings/{planned}/checkin", "/elections/new?org={branch}"},
	"member":    {"/password", "/account/totp", "/checkin"},
}

// a11yRoles are the demo users whose pages are checked, in the order a page
// is given to a role: a route two roles reach is checked as the first
// (the secretary, who sees a branch's pages with their controls, before
// the member, who sees fewer).
var a11yRoles = []string{"secretary", "reviewer", "admin", "member", "security", "auditor"}

// notCrawled are the GET routes no page view checks, each with the reason:
// what a browser does not render as a page of the application (downloads,
// images, feeds, probes), or what a link never leads to (the page a
// signed-out or half-signed-in visitor gets, a form only a mistake
// re-shows). TestContrastAndKeyboard fails when a GET route is neither
// reached by the crawl nor listed here, so a new page is checked as soon
// as a link leads to it and cannot be left out silently.
var notCrawled = map[string]string{
	"/static/*":                            "stylesheets, scripts and icons",
	"/healthz":                             "a probe's plain text",
	"/readyz":                              "a probe's plain text",
	"/metrics":                             "Prometheus text",
	"/calendar/{token}.ics":                "an iCalendar feed",
	"/account/totp/qr.png":                 "an image",
	"/meetings/{id}/checkin/qr.svg":        "an image",
	"/meetings/{id}/checkin/state":         "JSON the check-in page polls",
	"/audit/export.csv":                    "a download",
	"/members/export.csv":                  "a download",
	"/members/export.xlsx":                 "a download",
	"/members/import/template.csv":         "a download",
	"/recruitment/import/template.xlsx":    "a download",
	"/commendations/export.xlsx":           "a download",
	"/dues/branches/{id}/report.xlsx":      "a download",
	"/dues/rollup.xlsx":                    "a download",
	"/review/export.xlsx":                  "a download",
	"/cases/{id}/photos/{pid}":             "an uploaded photo",
	"/me/credits/{rid}/file":               "an uploaded file",
	"/meetings/requests/credit/{rid}/file": "an uploaded file",
	"/meetings/{id}/attachments/{aid}":     "an uploaded file",
	"/plans/answers/{id}/files/{fid}":      "an uploaded file",
	"/login/totp":                          "the second step of signing in, for an account with TOTP on: no demo account has it (its form is the sign-in page's)",
	"/checkin/{id}":                        "the address a meeting's QR code holds, a one-time token: the same form as /checkin, which is checked",
	"/appraisals/{id}/members/{member}":    "the grading form of an open appraisal: the demo data's appraisals are closed, so every role is refused (403)",
	"/life/{id}/submit":                    "the submission of an organisational-life meeting not yet submitted: the demo data has none, so it is refused (403)",
	"/cases/{id}/edit":                     "the edit form of an open case: the demo data's cases are closed, so it redirects (303)",
	"/recruitment/transfers/{id}/print":    "a transfer letter: the demo data has none",
}

// a11yView is one page checked for one role.
type a11yView struct{ user, path string }

// TestContrastAndKeyboard checks every page each role reaches in both
// languages at both sizes: desktop (1280 px) and phone (390 px).
//
// Which pages: every GET route of the router (chi.Walk over the server's
// handler) that serves a page. Signed in as each demo role, a crawler
// follows the links from / (every role's navigation, home page, lists,
// and the links on them) and folds each address to its route pattern; a
// route is checked once, as the first role in a11yRoles that reaches it,
// at the first address that reached it, and each role's own pages in
// keyboardPages (its home page and navigation among them) are checked for
// that role too. Routes the crawl does not reach must be listed in
// notCrawled with the reason, or the test fails: a new page cannot escape.
//
// What, in each of the four views (zh and en, desktop and phone): axe-core
// with every WCAG 2.0 and 2.1 A and AA rule (axe_test.go), any violation
// failing; at desktop width dates written the page language's way, and in
// Chinese our own check of the contrast of every visible text (WCAG 2.1
// AA: 4.5:1, 3:1 for large text; the colours are the same in English,
// where axe-core's color-contrast rule checks it); at phone width that only wide tables scroll, inside their frame,
// and the page itself does not. On the listed pages, in Chinese, Tab goes
// through every control (the order is the same in both languages).
//
// Time: the two languages run in parallel, each in four parts; each page
// is loaded once per language (the phone view resizes the same load), and
// written into the same window as the page before it, so axe-core is
// loaded once per part and its code stays warm (see visit below).
func TestContrastAndKeyboard(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	routes, ok := app.Server.Config.Handler.(chi.Routes)
	if !ok {
		t.Fatalf("the server's handler is a %T, not a chi router", app.Server.Config.Handler)
	}
	ids := map[string]string{}
	for k, q := range map[string]string{ // the ids of the listed pages
		"member":  `SELECT member_id::text FROM accounts WHERE username = 'member'`,
		"branch":  `SELECT id::text FROM organisations WHERE name = '办公室党支部'`,
		"meeting": `SELECT m.id::text FROM meetings m JOIN organisations o ON o.id = m.org_id WHERE o.name = '办公室党支部' AND m.status = 'submitted' ORDER BY m.starts_at DESC LIMIT 1`,
		"planned": `SELECT m.id::text FROM meetings m JOIN organisations o ON o.id = m.org_id WHERE o.name = '办公室党支部' AND m.status = 'planned' ORDER BY m.starts_at LIMIT 1`,
		// A meeting held yesterday and not yet recorded (the demo data's
		// drafts fall on random branches).
		"draft": `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status)
SELECT r.org_id, 'committee', '支委会', now() - interval '1 day', now() - interval '1 day' + interval '1 hour', 'draft'
  FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary'
RETURNING id::text`,
	} {
		var v string
		if err := app.Pool.QueryRow(context.Background(), q).Scan(&v); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		ids["{"+k+"}"] = v
	}
	fill := func(p string) string {
		for k, v := range ids {
			p = strings.ReplaceAll(p, k, v)
		}
		return p
	}

	// The pages: each role's listed pages, then the routes it reaches first.
	var views []a11yView
	reached, listed := map[string]bool{"/login": true}, map[a11yView]bool{}
	for _, user := range a11yRoles {
		done := map[string]bool{}
		var from []string
		for i, p := range append(slices.Clone(keyboardPages[user]), extraPages[user]...) {
			p = fill(p)
			done[p] = true
			from = append(from, p)
			views = append(views, a11yView{user, p})
			listed[a11yView{user, p}] = i < len(keyboardPages[user])
			reached[routePattern(routes, strings.SplitN(p, "?", 2)[0])] = true
		}
		patterns, addrs := crawlRoutes(t, app.Login(t, user), routes, from)
		for i, pattern := range patterns {
			if !reached[pattern] && !done[addrs[i]] {
				views = append(views, a11yView{user, addrs[i]})
			}
			reached[pattern] = true
		}
	}
	var gets []string
	if err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == http.MethodGet {
			gets = append(gets, route)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, r := range gets {
		_, skip := notCrawled[r]
		switch {
		case !reached[r] && !skip:
			t.Errorf("GET %s: no role's crawl reaches this page, so no browser check sees it: link it from a page, or list it in notCrawled with the reason", r)
		case reached[r] && skip:
			t.Errorf("GET %s is listed in notCrawled but the crawl reaches it: remove it from the list", r)
		}
	}
	for r := range notCrawled {
		if !slices.Contains(gets, r) {
			t.Errorf("notCrawled lists %s, which is not a GET route", r)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d GET routes, %d reached by the crawl, %d listed as not pages; %d pages to check", len(gets), len(reached), len(notCrawled), len(views))

	// Four parts per language, each in a tab of its own: short enough that
	// a tab stays well inside its 300-s limit on a busy machine.
	const parts = 4
	var shards [][]a11yView
	for i := range parts {
		shards = append(shards, views[i*len(views)/parts:(i+1)*len(views)/parts])
	}
	// The parts run at once in this test, not as parallel subtests: those
	// would wait for a free slot behind every test already waiting and run
	// last, at the end of the package's run.
	var mu sync.Mutex
	var wg sync.WaitGroup
	var pages, elements, contrastFails, tabbed, controls, axeViews int
	for _, l := range langs {
		for si, shard := range shards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := newBrowser(t, l.accept)
				b.preloadAxe()
				count := func(p, e, c, tb, ctl, ax int) {
					mu.Lock()
					defer mu.Unlock()
					pages, elements, contrastFails, tabbed, controls, axeViews = pages+p, elements+e, contrastFails+c, tabbed+tb, controls+ctl, axeViews+ax
				}
				check := func(name string, keyboard bool) {
					t.Helper()
					name = l.code + " " + name
					// Desktop: contrast, dates, axe-core, the keyboard. The
					// hand-written contrast check runs in Chinese only: the
					// colours are the same in both languages, and axe-core's
					// color-contrast rule checks every view in both.
					var res contrastResult
					if l.code == "zh" {
						res = b.contrast()
						for _, f := range res.Failures {
							t.Errorf("%s: contrast %s", name, f)
						}
						if res.Checked == 0 {
							t.Errorf("%s: no text measured", name)
						}
					}
					text, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector('main').innerText`))
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					if m := wrongDate[l.code].FindString(text); m != "" {
						t.Errorf("%s: a date in the other language's form: %q", name, m)
					}
					for _, v := range b.axeRun() {
						t.Errorf("%s: %s", name, v)
					}
					tb, ctl := 0, 0
					if keyboard {
						want, got, capped := b.tabThrough()
						tb, ctl = 1, len(want)
						for _, prob := range keyboardProblems(want, got, capped) {
							t.Errorf("%s: keyboard: %s", name, prob)
						}
					}
					// Phone: the same load at 390 px.
					b.Do(chromedp.EmulateViewport(390, 844))
					wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(() => {
						const out = [];
						if (document.documentElement.scrollWidth > window.innerWidth + 1) {
							const over = Array.from(document.querySelectorAll('main *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'));
							const widest = over.filter(e => !over.includes(e.parentElement)).slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' + (e.textContent || '').trim().slice(0, 20));
							out.push('page ' + document.documentElement.scrollWidth + 'px wide: ' + widest.join('; '));
						}
						for (const t of document.querySelectorAll('main table')) {
							if (t.getBoundingClientRect().right > window.innerWidth + 1 && !t.closest('.table-wrap')) out.push('table outside a scrolling frame: ' + (t.dataset.testid || t.className));
						}
						return out; })()`))
					if err != nil {
						t.Errorf("%s: %v", name, err)
						return
					}
					for _, w := range wide {
						t.Errorf("%s at 390 px: %s", name, w)
					}
					for _, v := range b.axeRun() {
						t.Errorf("%s at 390 px: %s", name, v)
					}
					b.Do(chromedp.EmulateViewport(1280, 900))
					count(1, res.Checked, len(res.Failures), tb, ctl, 2)
				}
				// A shard's first page is a navigation; each later one is
				// fetched and written over the document in place
				// (document.open keeps the window): axe-core stays loaded
				// and its code stays compiled and optimised from one page
				// to the next, which halves what the checks cost (CPU of
				// the test: 105 s against 204 s with a navigation each).
				// The page is the same HTML, styles and scripts as a
				// navigation shows (compared page by page: the same text
				// and the same texts measured, but for the request id of
				// the 404 page).
				opened := false
				visit := func(p string) bool {
					t.Helper()
					if !opened {
						b.Do(chromedp.Navigate(app.URL+p), chromedp.WaitReady(chromedp.CSS("main")))
						opened = true
						return true
					}
					status, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`(async (u) => {
						const r = await fetch(u, {credentials: 'same-origin'});
						const html = await r.text();
						history.replaceState(null, '', u);
						// The window outlives the page: stop the old page's timers
						// (the check-in screen polls), as leaving it would.
						for (let id = setTimeout(() => {}, 0); id > 0; id--) { clearTimeout(id); clearInterval(id); }
						document.open(); document.write(html); document.close();
						if (document.readyState !== 'complete') await new Promise((ok) => window.addEventListener('load', ok, {once: true}));
						window.scrollTo(0, 0);
						return r.status; })(`+strconv.Quote(p)+`)`, chromedp.EvalAwaitPromise))
					if err != nil {
						t.Errorf("%s %s: %v", l.code, p, err)
						return false
					}
					if status >= 500 {
						t.Errorf("%s %s: status %d", l.code, p, status)
					}
					b.Do(chromedp.WaitReady(chromedp.CSS("main")))
					return true
				}
				if si == 0 {
					// The sign-in page, before anyone signs in.
					visit("/login")
					check("/login", l.code == "zh")
				}
				user := ""
				for _, v := range shard {
					if v.user != user {
						user = v.user
						signIn(b, app, user)
						opened = true
					}
					if visit(v.path) {
						check(user+" "+v.path, l.code == "zh" && listed[v])
					}
				}
			}()
		}
	}
	wg.Wait()
	t.Logf("contrast: %d page views, %d text elements, %d failures; keyboard: %d pages, %d controls; axe-core: %d page views", pages, elements, contrastFails, tabbed, controls, axeViews)
}

// activeIs reports whether the focused element matches a CSS selector.
func (b *Browser) activeIs(css string) bool {
	b.t.Helper()
	ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`!!document.activeElement && document.activeElement.matches(%q)`, css)))
	if err != nil {
		b.t.Fatal(err)
	}
	return ok
}

// tabTo presses Tab until the focus is on css.
func (b *Browser) tabTo(css string) {
	b.t.Helper()
	for range 60 {
		if b.activeIs(css) {
			return
		}
		b.Do(chromedp.KeyEvent(kb.Tab))
	}
	b.t.Fatalf("Tab never reached %s", css)
}

// typeKeys types text into the focused field.
func (b *Browser) typeKeys(s string) { b.Do(chromedp.KeyEvent(s)) }

// chooseByKeys presses the down arrow in the focused select until its
// value is want.
func (b *Browser) chooseByKeys(want string) {
	b.t.Helper()
	for range 30 {
		v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.value`))
		if err != nil {
			b.t.Fatal(err)
		}
		if v == want {
			return
		}
		b.Do(chromedp.KeyEvent(kb.ArrowDown))
	}
	b.t.Fatalf("the arrow keys never chose %q", want)
}

// TestFormsByKeyboardAlone signs in and adds a member with the keyboard
// only: Tab, typing, arrow keys and Enter.
func TestFormsByKeyboardAlone(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "en-US,en")
	b.Do(chromedp.Navigate(app.URL + "/login"))
	b.tabTo("#f-username")
	b.typeKeys("secretary")
	b.tabTo("#f-password")
	b.typeKeys(seed.DemoPassword + kb.Enter)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="home-title"]`)))

	b.Do(chromedp.Navigate(app.URL + "/members/new"))
	b.tabTo("#f-name")
	b.typeKeys("Keyboard Only")
	b.tabTo("#f-gender")
	b.chooseByKeys("female")
	b.tabTo("#f-birth_date")
	// A date field takes its parts in the browser's order (en-US: month, day, year).
	b.typeKeys("03081994")
	if v, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.value`)); v != "1994-03-08" {
		t.Fatalf("date typed by keys reads %q", v)
	}
	b.tabTo("#f-id_number")
	b.typeKeys(pii.MakeIDNumber("110101", time.Date(1994, 3, 8, 0, 0, 0, 0, time.UTC), 131))
	b.tabTo("#f-category")
	b.chooseByKeys("applicant")
	b.tabTo(`[data-testid="save"]`)
	b.typeKeys(kb.Enter)
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeline"], .form-errors`)))
	if errs, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('.form-errors, .error')).map(e => (e.id || '') + ' ' + e.textContent.trim()).join(' | ')`)); errs != "" {
		t.Fatalf("the form sent by keyboard was refused: %s", errs)
	}
	if got := b.Text("h1"); got != "Keyboard Only" {
		t.Fatalf("after saving by keyboard the page shows %q", got)
	}
	b.Shoot("keyboard-member-added-en")
}

// TestA11yChecksFindProblems runs the checks on a page built to fail them:
// grey text on white, a button whose focus is invisible, and a field that
// swallows Tab.
func TestA11yChecksFindProblems(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><style>
.faint { color: #aaa; } .big { color: #949494; font-size: 30px; } button { outline: none !important; }
</style></head><body><main><p class="faint">hard to read</p><p class="big">large enough</p>
<a href="/x">fine link</a> <button type="button">no focus ring</button> <a href="/z" data-testid="figure"></a>
<input id="trap" aria-label="trap" onkeydown="if (event.key === 'Tab') event.preventDefault()"> <a href="/y">never reached</a>
</main></body></html>`)
	}))
	defer bad.Close()
	b := newBrowser(t, "en-US,en")
	b.Do(chromedp.Navigate(bad.URL))
	res := b.contrast()
	if len(res.Failures) != 1 || !strings.Contains(res.Failures[0], "hard to read") {
		t.Errorf("contrast failures %q, want only the faint paragraph (2.32:1); the large grey text passes at 3.03:1", res.Failures)
	}
	want, got, capped := b.tabThrough()
	probs := strings.Join(keyboardProblems(want, got, capped), "\n")
	for _, p := range []string{`no visible focus indicator: button "no focus ring"`, `Tab reached 4 of 5 controls; the next is a "never reached"`} {
		if !strings.Contains(probs, p) {
			t.Errorf("keyboard check missed %q; found:\n%s", p, probs)
		}
	}
	// axe-core finds the link without a name and the text below 4.5:1.
	if axeScript() != "" {
		found := strings.Join(b.axeRun(), "\n")
		for _, rule := range []string{"axe link-name", "axe color-contrast"} {
			if !strings.Contains(found, rule) {
				t.Errorf("axe-core missed %s; found:\n%s", rule, found)
			}
		}
	}
}
