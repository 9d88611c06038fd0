package todo

import (
	"testing"
	"time"
)

func TestSortByUrgency(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, time.UTC) }
	items := []Item{
		{Title: "undated"},
		{Title: "later", Due: day(20)},
		{Title: "overdue-late", Due: day(5), Overdue: true},
		{Title: "sooner-b", Due: day(10)},
		{Title: "sooner-a", Due: day(10)},
		{Title: "overdue-early", Due: day(1), Overdue: true},
	}
	Sort(items)
	want := []string{"overdue-early", "overdue-late", "sooner-a", "sooner-b", "later", "undated"}
	for i, w := range want {
		if items[i].Title != w {
			t.Fatalf("position %d: got %q, want %q (all: %v)", i, items[i].Title, w, items)
		}
	}
}
