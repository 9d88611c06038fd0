package review

import (
	"context"
	"strings"
	"testing"
	"time"

	"zhibu/internal/rules"
)

// The year view cites, for each breach, the version of the rule the
// branch was judged by in the breach's month: the override of the
// branch's subtree from its first day on, the default before it and in a
// sibling branch.
func TestYearViewCitesTheBranchsVersion(t *testing.T) {
	t.Parallel()
	d := func(m time.Month, day int) time.Time { return time.Date(2026, m, day, 0, 0, 0, 0, time.UTC) }
	kind := "party_day"
	def := rules.Rule{ID: 1, Code: "party_day", Kind: rules.KindMeetings, MeetingKind: &kind, Period: rules.PeriodMonth, Minimum: 1, Enabled: true,
		Title: "每月主题党日", Source: "默认依据", EffectiveFrom: time.Date(2019, 5, 6, 0, 0, 0, 0, time.UTC)}
	org := int64(10)
	over := def
	over.ID, over.OrgID, over.Minimum, over.Source, over.EffectiveFrom = 2, &org, 2, "某党总支〔2026〕1号", d(time.March, 1)
	set := rules.NewResolver([]rules.Rule{def, over})
	breaches := []Breach{
		{ID: 1, Code: "party_day", Period: "2026-02", Month: d(time.February, 1)},
		{ID: 2, Code: "party_day", Period: "2026-03", Month: d(time.March, 1)},
	}
	today := d(time.April, 10)
	ctx := context.Background()
	for _, c := range []struct {
		path       []int64
		feb, march string
	}{
		{[]int64{1, 10, 20}, "默认依据", "某党总支〔2026〕1号"},
		{[]int64{1, 11, 21}, "默认依据", "默认依据"},
	} {
		p := yearPage(Branch{ID: c.path[2]}, 2026, today, breaches, set.For(c.path), set.Defaults())
		for i, want := range []string{c.feb, c.march} {
			b := breaches[i]
			if got := breachSource(ctx, p, b); !strings.Contains(got, want) {
				t.Errorf("branch %d, %s: %q, want %q", c.path[2], b.Period, got, want)
			}
			need := "1"
			if want != "默认依据" {
				need = "2"
			}
			if got := breachDetail(ctx, p, b); !strings.Contains(got, "0") || !strings.Contains(got, need) {
				t.Errorf("branch %d, %s: figure %q, want 0 of %s", c.path[2], b.Period, got, need)
			}
		}
	}
}
