// Package todo is the shared shape of a to-do item: something an area
// (meetings, recruitment, dues, discipline, …) says is due for a branch or a
// person, listed by the workbenches on the home pages. It holds no feature
// and no SQL; each area builds its own items from its own store.
package todo

import (
	"slices"
	"time"
)

// Item is one thing to do, with the link that does it.
type Item struct {
	Area    string    // the area that produced it: "meeting", "recruit", "dues", …
	Title   string    // already translated for the request's language
	Detail  string    // optional second line, translated
	URL     string    // the page that does it
	Due     time.Time // the day it is due; zero when it has no date
	Overdue bool      // past its due day (or breached)
	Cite    string    // the rule's source, when a rule sets the date
}

// Sort orders items by urgency: overdue first, then by due day (undated
// last), then by title, so the same items always come out in one order.
func Sort(items []Item) {
	slices.SortStableFunc(items, func(a, b Item) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		if a.Due.IsZero() != b.Due.IsZero() {
			if a.Due.IsZero() {
				return 1
			}
			return -1
		}
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		if a.Title < b.Title {
			return -1
		}
		if a.Title > b.Title {
			return 1
		}
		return 0
	})
}
