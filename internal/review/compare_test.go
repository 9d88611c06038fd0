package review_test

import (
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

// TestDashboardComparesBranches: the dashboard opens on the current
// quarter with the other periods one click away, counts branches with a
// miss and with something due soon each on its own (a branch may be in
// both), gives every branch a score and a rank, sorts by score, draws the
// branches' scores as a chart whose bars add up to the branches scored,
// and shows the same branches as cards for phones.
func TestDashboardComparesBranches(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	c := app.Login(t, "reviewer")
	today := time.Now().In(i18n.Shanghai)
	quarter := rules.Quarter(today.Year(), (int(today.Month())-1)/3+1).Key()

	r := c.Get("/review")
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	if cur := r.Doc().Find(`[data-testid="period-links"] a[aria-current]`); !strings.Contains(cur.AttrOr("href", ""), "period="+quarter) {
		t.Errorf("default period link %q, want the current quarter %s", cur.AttrOr("href", ""), quarter)
	}
	if n := r.Doc().Find(`[data-testid="period-links"] a`).Length(); n != 4 {
		t.Errorf("%d quick period links, want this month, quarter, year and last quarter", n)
	}
	if r.TestID("score-explained") == "" {
		t.Error("the page does not say how the score is computed")
	}

	// The counts are each on their own, from the rows.
	year := c.Get("/review?period=" + strconv.Itoa(today.Year()) + "&sort=score&dir=asc")
	rows := year.Doc().Find(`table[data-testid="branches"] tbody tr`)
	missed, dueSoon, scored := 0, 0, 0
	var scores []int
	rows.Each(func(_ int, tr *goquery.Selection) {
		if tr.Find(`td[data-rule] [data-status="missed"]`).Length() > 0 {
			missed++
		}
		if tr.Find(`td[data-rule] [data-status="due_soon"]`).Length() > 0 {
			dueSoon++
		}
		if s := tr.Find(`[data-testid="score"] strong`).Text(); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > 100 {
				t.Errorf("score %q", s)
			}
			scores = append(scores, n)
			scored++
			if tr.Find(`[data-testid="rank"]`).Length() != 1 {
				t.Errorf("%s: a score without a rank", tr.AttrOr("data-branch", ""))
			}
		}
		if tr.Find(`svg[data-testid="trend"] path`).Length() != 1 {
			t.Errorf("%s: no trend line", tr.AttrOr("data-branch", ""))
		}
	})
	if rows.Length() == 0 || scored == 0 {
		t.Fatalf("%d rows, %d scored", rows.Length(), scored)
	}
	if got := year.TestID("count-missed"); got != strconv.Itoa(missed) {
		t.Errorf("branches with a miss: card %q, rows %d", got, missed)
	}
	if got := year.TestID("count-due-soon"); got != strconv.Itoa(dueSoon) {
		t.Errorf("branches with something due soon: card %q, rows %d", got, dueSoon)
	}
	for i := 1; i < len(scores); i++ {
		if scores[i] < scores[i-1] {
			t.Errorf("sorted by score ascending: %v", scores)
			break
		}
	}
	sum := 0
	year.Doc().Find(`[data-testid="score-bucket"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(s.Text())
		sum += n
	})
	if sum != scored {
		t.Errorf("the score chart counts %d branches, the table scores %d", sum, scored)
	}
	if cards := year.Doc().Find(`[data-testid="branch-cards"] li`).Length(); cards != rows.Length() {
		t.Errorf("%d phone cards for %d rows", cards, rows.Length())
	}
}

// TestScoreAndRank: the Go score is the rules met of those settled or
// due soon, rounded half up, and undefined while nothing is.
func TestScoreAndRank(t *testing.T) {
	row := func(met, pending, due, missed int) review.Row {
		return review.Row{Summary: rules.Summary{Counts: map[rules.Status]int{rules.Met: met, rules.Pending: pending, rules.DueSoon: due, rules.Missed: missed}}}
	}
	cases := []struct {
		r    review.Row
		want int
		ok   bool
	}{
		{row(0, 5, 0, 0), 0, false},
		{row(3, 9, 0, 0), 100, true},
		{row(1, 0, 1, 1), 33, true},
		{row(2, 0, 0, 1), 67, true},
		{row(1, 0, 0, 1), 50, true},
		{row(0, 0, 2, 0), 0, true},
	}
	for _, c := range cases {
		if got, ok := c.r.Score(); got != c.want || ok != c.ok {
			t.Errorf("%v: %d %v, want %d %v", c.r.Summary.Counts, got, ok, c.want, c.ok)
		}
	}
}
