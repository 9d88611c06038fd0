package server_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
)

// skipCrawl lists links the crawler must not follow: state changes are
// POSTs anyway, but downloads are not HTML.
var skipCrawl = regexp.MustCompile(`^/(static/|metrics|healthz|readyz)|\.(xlsx|csv|ics|pdf|png|jpg)(\?|$)|/attachments/`)

var idSegment = regexp.MustCompile(`/\d+`)

// crawl visits the pages reachable from / for a signed-in client, at most
// perPattern pages for each path shape (ids folded), and returns them.
func crawl(t *testing.T, c *apptest.Client, limit, perPattern int) map[string]*apptest.Response {
	t.Helper()
	seen := map[string]*apptest.Response{}
	patterns := map[string]int{}
	queue := []string{"/"}
	for len(queue) > 0 && len(seen) < limit {
		p := queue[0]
		queue = queue[1:]
		if _, ok := seen[p]; ok {
			continue
		}
		r := c.Get(p)
		seen[p] = r
		if r.Status >= 500 {
			t.Errorf("GET %s: %d", p, r.Status)
			continue
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		r.Doc().Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			u, err := url.Parse(href)
			if err != nil || u.IsAbs() || !strings.HasPrefix(u.Path, "/") || skipCrawl.MatchString(href) {
				return
			}
			next := u.Path
			if u.RawQuery != "" {
				next += "?" + u.RawQuery
			}
			pattern := idSegment.ReplaceAllString(u.Path, "/{id}")
			if _, ok := seen[next]; ok || patterns[pattern] >= perPattern {
				return
			}
			patterns[pattern]++
			queue = append(queue, next)
		})
	}
	return seen
}

// accessibilityProblems checks one page: a language, a label for every
// input, alt text on every image, unique ids, one h1 and no skipped
// heading level, error messages tied to their fields.
func accessibilityProblems(doc *goquery.Document) []string {
	var out []string
	if doc.Find("html[lang]").Length() == 0 {
		out = append(out, "html has no lang")
	}
	// The first link skips the navigation to the content.
	if first := doc.Find("body a").First(); first.AttrOr("href", "") != "#main" || doc.Find("main#main").Length() == 0 {
		out = append(out, "no skip-to-content link first on the page")
	}
	ids := map[string]int{}
	doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { ids[s.AttrOr("id", "")]++ })
	for id, n := range ids {
		if n > 1 {
			out = append(out, fmt.Sprintf("duplicate id %q (%d times)", id, n))
		}
	}
	doc.Find("img").Each(func(_ int, s *goquery.Selection) {
		if _, ok := s.Attr("alt"); !ok {
			out = append(out, fmt.Sprintf("img %q has no alt", s.AttrOr("src", "")))
		}
	})
	doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		typ := s.AttrOr("type", "text")
		if typ == "hidden" || typ == "submit" || typ == "button" || typ == "reset" {
			return
		}
		if _, ok := s.Attr("aria-label"); ok {
			return
		}
		if _, ok := s.Attr("aria-labelledby"); ok {
			return
		}
		if s.ParentsFiltered("label").Length() > 0 {
			return
		}
		id := s.AttrOr("id", "")
		if id != "" && doc.Find(`label[for="`+id+`"]`).Length() > 0 {
			return
		}
		out = append(out, fmt.Sprintf("%s name=%q has no label", goquery.NodeName(s), s.AttrOr("name", "")))
	})
	doc.Find("[aria-describedby]").Each(func(_ int, s *goquery.Selection) {
		for _, ref := range strings.Fields(s.AttrOr("aria-describedby", "")) {
			if ids[ref] == 0 {
				out = append(out, fmt.Sprintf("aria-describedby %q points nowhere", ref))
			}
		}
	})
	if n := doc.Find("h1").Length(); n != 1 {
		out = append(out, fmt.Sprintf("%d h1 headings, want 1", n))
	}
	last := 0
	doc.Find("h1, h2, h3, h4, h5, h6").Each(func(_ int, s *goquery.Selection) {
		level := int(goquery.NodeName(s)[1] - '0')
		if last > 0 && level > last+1 {
			out = append(out, fmt.Sprintf("heading h%d follows h%d", level, last))
		}
		last = level
	})
	return out
}

// TestEveryPageIsAccessible crawls the application as every demo user, in
// both languages, and checks each page's HTML.
func TestEveryPageIsAccessible(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	total := 0
	for _, user := range []string{"member", "secretary", "reviewer", "admin", "security", "auditor"} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(user+"/"+lang, func(t *testing.T) {
				c := app.Login(t, user)
				c.Lang = lang
				pages := crawl(t, c, 250, 2)
				for p, r := range pages {
					// Every link a page offers leads somewhere the user may go.
					if r.Status >= 400 {
						t.Errorf("GET %s: %d (a broken or forbidden link)", p, r.Status)
					}
					if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
						continue
					}
					for _, problem := range accessibilityProblems(r.Doc()) {
						t.Errorf("%s: %s", p, problem)
					}
				}
				total += len(pages)
			})
		}
	}
	// The anonymous pages too.
	login := app.Anon(t).Get("/login")
	for _, problem := range accessibilityProblems(login.Doc()) {
		t.Errorf("/login: %s", problem)
	}
	if total < 12 {
		t.Errorf("crawled only %d pages", total)
	}
	t.Logf("checked %d pages", total)
}

func TestAccessibilityCheckFindsProblems(t *testing.T) {
	bad := `<html><body><h1>a</h1><h3>skip</h3><img src="x.png"><input name="q"><p id="d"></p><p id="d"></p><input name="y" aria-describedby="nope"></body></html>`
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(accessibilityProblems(doc), "\n")
	for _, want := range []string{"html has no lang", "no skip-to-content link", `duplicate id "d"`, "has no alt", `name="q" has no label`, "points nowhere", "heading h3 follows h1"} {
		if !strings.Contains(got, want) {
			t.Errorf("check missed %q; found:\n%s", want, got)
		}
	}
}
