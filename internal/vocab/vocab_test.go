package vocab

import (
	"context"
	"testing"

	"zhibu/internal/i18n"
)

func TestFormatHours(t *testing.T) {
	for h, want := range map[float64]string{0: "0", 2: "2", 1.5: "1.5", 0.1: "0.1", 100: "100"} {
		if got := FormatHours(h); got != want {
			t.Errorf("FormatHours(%v) = %q, want %q", h, got, want)
		}
	}
}

// TestLabelsAreTranslated: every label this package gives has a
// translation in both languages (a missing key comes back as the key).
func TestLabelsAreTranslated(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		ctx := i18n.WithLang(context.Background(), lang)
		for _, s := range []string{"met", "pending", "due_soon", "missed"} {
			if got := ReviewStatus(ctx, s); got == "" || got == "review.status."+s {
				t.Errorf("%s: status %s has no label: %q", lang, s, got)
			}
		}
		for _, k := range CommendationTitleKinds[:len(CommendationTitleKinds)-1] {
			stored := i18n.TL(i18n.ZH, "commend.preset."+k)
			if got := CommendationTitle(ctx, stored); got == "" || got == "commend.preset."+k {
				t.Errorf("%s: title %s has no label: %q", lang, k, got)
			}
		}
		if got := CommendationTitle(ctx, "自拟称号"); got != "自拟称号" {
			t.Errorf("%s: a typed title became %q", lang, got)
		}
	}
}
