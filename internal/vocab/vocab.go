// Package vocab is the vocabulary every area may use: the names of
// attendance statuses and commendation titles, the labels shown for them
// and for review results, and the one way hours are written. It depends on
// nothing but i18n, so any area can import it without importing another
// area.
package vocab

import (
	"context"
	"strconv"

	"zhibu/internal/i18n"
)

// The attendance statuses of a person at a meeting (attendance.status).
const (
	Present  = "present"
	Leave    = "leave"
	Absent   = "absent"
	Observer = "observer"
)

// FormatHours writes hours without trailing zeros: 2, 1.5.
func FormatHours(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) }

// CommendationTitleKinds are the kinds of commendation title: three
// preset titles and "other", a title typed by hand.
var CommendationTitleKinds = []string{"outstanding_member", "outstanding_worker", "advanced_org", "other"}

// CommendationTitle shows a stored commendation title in the reader's
// language: a preset title is stored in Chinese and translated here; a
// title typed by hand is shown as typed.
func CommendationTitle(ctx context.Context, title string) string {
	for _, k := range CommendationTitleKinds[:len(CommendationTitleKinds)-1] {
		if title == i18n.TL(i18n.ZH, "commend.preset."+k) {
			return i18n.T(ctx, "commend.preset."+k)
		}
	}
	return title
}

// ReviewStatus is the translated name of a rule's status in a review (met,
// pending, due soon, missed).
func ReviewStatus(ctx context.Context, status string) string {
	return i18n.T(ctx, "review.status."+status)
}

// Rating is the translated rating of a branch: a grade or stars.
func Rating(ctx context.Context, rating string) string {
	return i18n.T(ctx, "review.rating."+rating)
}

// MeetingKind is the translated label of a kind of meeting as the rules
// and the review name it.
func MeetingKind(ctx context.Context, kind string) string {
	return i18n.T(ctx, "rules.meeting_kind."+kind)
}

// Countdown says how far off a day is: today, tomorrow, in N days.
func Countdown(ctx context.Context, days int) string {
	switch {
	case days <= 0:
		return i18n.T(ctx, "workbench.today")
	case days == 1:
		return i18n.T(ctx, "workbench.tomorrow")
	}
	return i18n.T(ctx, "workbench.in_days", days)
}
