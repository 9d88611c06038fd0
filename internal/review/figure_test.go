package review

import (
	"context"
	"testing"

	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

// TestBranchSizeFigureSaysWhatItCounts: the branch size cell names its
// numbers (full members, the range asked for) instead of a bare "25 / 3".
func TestBranchSizeFigureSaysWhatItCounts(t *testing.T) {
	fifty := 50.0
	size := rules.Rule{Kind: rules.KindBranchSize, Minimum: 3, Maximum: &fifty}
	cases := []struct {
		lang i18n.Lang
		cell Cell
		want string
	}{
		{i18n.ZH, Cell{Rule: size, Status: rules.Met, Actual: 25, Required: 3}, "正式党员25人（应为3–50人）"},
		{i18n.EN, Cell{Rule: size, Status: rules.Missed, Actual: 2, Required: 3}, "2 full members (3–50 required)"},
		{i18n.EN, Cell{Rule: rules.Rule{Kind: rules.KindBranchSize, Minimum: 3}, Status: rules.Met, Actual: 7, Required: 3}, "7 full members (at least 3 required)"},
		{i18n.ZH, Cell{Rule: rules.Rule{Kind: rules.KindMeetings}, Status: rules.Pending, Actual: 2, Required: 3}, "2 / 3"},
	}
	for _, c := range cases {
		if got := figure(i18n.WithLang(context.Background(), c.lang), c.cell); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.lang, c.cell.Rule.Kind, got, c.want)
		}
	}
}

// TestSourceLabelKeepsItsSpace: "Source: Constitution…", not "Source:Constitution…".
func TestSourceLabelKeepsItsSpace(t *testing.T) {
	if got := i18n.TL(i18n.EN, "review.source", "Constitution"); got != "Source: Constitution" {
		t.Errorf("English: %q", got)
	}
	if got := i18n.TL(i18n.ZH, "review.source", "《中国共产党章程》第九条"); got != "依据：《中国共产党章程》第九条" {
		t.Errorf("Chinese: %q", got)
	}
}
