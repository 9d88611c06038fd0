package review_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

// TestDashboardSortsByARuleColumn: every rule's column header sorts the
// branches (server-side, ?sort=rule:CODE&dir=) by their status under that
// rule, says so with aria-sort, and the sort stays in the period links,
// the period form and the pages.
func TestDashboardSortsByARuleColumn(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "reviewer")
	period := strconv.Itoa(time.Now().In(i18n.Shanghai).Year())
	base := c.Get("/review?period=" + period)
	if base.Status != 200 {
		t.Fatalf("status %d", base.Status)
	}
	// Every rule column is a sort link; pick one whose statuses differ between branches.
	code := ""
	base.Doc().Find(`table[data-testid="branches"] thead th[data-testid^="sort-"]`).Each(func(_ int, th *goquery.Selection) {
		k := strings.TrimPrefix(th.AttrOr("data-testid", ""), "sort-")
		if th.AttrOr("aria-sort", "") != "none" || !strings.Contains(th.Find("a").AttrOr("href", ""), url.QueryEscape(review.RuleSortPrefix+k)) {
			t.Errorf("rule column %s: aria-sort %q, link %q", k, th.AttrOr("aria-sort", ""), th.Find("a").AttrOr("href", ""))
		}
		seen := map[string]bool{}
		base.Doc().Find(`td[data-rule="` + k + `"]`).Each(func(_ int, td *goquery.Selection) { seen[cellStatus(td)] = true })
		if code == "" && len(seen) > 1 {
			code = k
		}
	})
	if code == "" {
		t.Fatal("no rule column whose statuses differ between branches")
	}
	for _, dir := range []string{"asc", "desc"} {
		r := c.Get("/review?period=" + period + "&sort=" + url.QueryEscape(review.RuleSortPrefix+code) + "&dir=" + dir)
		var ranks []int
		r.Doc().Find(`table[data-testid="branches"] tbody td[data-rule="` + code + `"]`).Each(func(_ int, td *goquery.Selection) {
			ranks = append(ranks, rules.Status(cellStatus(td)).Rank())
		})
		if len(ranks) < 2 {
			t.Fatalf("%s: %d rows", dir, len(ranks))
		}
		for i := 1; i < len(ranks); i++ {
			if (dir == "asc" && ranks[i] < ranks[i-1]) || (dir == "desc" && ranks[i] > ranks[i-1]) {
				t.Errorf("sorted by %s %s: ranks %v", code, dir, ranks)
				break
			}
		}
		want := map[string]string{"asc": "ascending", "desc": "descending"}[dir]
		if got := r.Doc().Find(`th[data-testid="sort-`+code+`"]`).AttrOr("aria-sort", ""); got != want {
			t.Errorf("aria-sort %q, want %q", got, want)
		}
		r.Doc().Find(`[data-testid="period-links"] a`).Each(func(_ int, a *goquery.Selection) {
			if h := a.AttrOr("href", ""); !strings.Contains(h, "sort="+url.QueryEscape(review.RuleSortPrefix+code)) || !strings.Contains(h, "dir="+dir) {
				t.Errorf("period link %q drops the sort", a.AttrOr("href", ""))
			}
		})
		if got := r.Doc().Find(`[data-testid="period-form"] input[name=sort]`).AttrOr("value", ""); got != review.RuleSortPrefix+code {
			t.Errorf("period form keeps sort %q", got)
		}
	}
	// An unknown rule falls back to the default order, not an error.
	if r := c.Get("/review?sort=" + url.QueryEscape(review.RuleSortPrefix+"no-such-rule")); r.Status != 200 {
		t.Errorf("unknown rule sort: %d", r.Status)
	}
}

// cellStatus is a rule cell's status ("na" when the rule does not apply).
func cellStatus(td *goquery.Selection) string {
	if s := td.Find("[data-status]").AttrOr("data-status", ""); s != "" {
		return s
	}
	return string(rules.NotApplicable)
}
