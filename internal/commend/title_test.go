package commend_test

import (
	"context"
	"testing"

	"zhibu/internal/i18n"
	"zhibu/internal/vocab"
)

func TestPresetTitlesAreTranslated(t *testing.T) {
	en, zh := i18n.WithLang(context.Background(), i18n.EN), i18n.WithLang(context.Background(), i18n.ZH)
	stored := i18n.TL(i18n.ZH, "commend.preset.outstanding_member")
	cases := []struct {
		ctx         context.Context
		title, want string
	}{
		{en, stored, "Outstanding Party member"},
		{zh, stored, stored},
		{en, "优秀党务工作标兵", "优秀党务工作标兵"}, // a named title stays as typed
	}
	for _, c := range cases {
		if got := vocab.CommendationTitle(c.ctx, c.title); got != c.want {
			t.Errorf("CommendationTitle(%s, %q) = %q, want %q", i18n.LangOf(c.ctx), c.title, got, c.want)
		}
	}
}
