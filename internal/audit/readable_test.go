package audit

import (
	"context"
	"testing"

	"zhibu/internal/i18n"
)

func TestActionLabel(t *testing.T) {
	zh := i18n.WithLang(context.Background(), i18n.ZH)
	en := i18n.WithLang(context.Background(), i18n.EN)
	cases := []struct {
		code, zh, en string
	}{
		{"login", "登录", "Sign-in"},                     // its own entry
		{"meeting.create", "会议：创建", "Meeting created"}, // object + verb
		{"life.participant.add", "参会人员：添加", "Participant added"},
		{"member.transfer_out", "党员：转出", "Member transferred out"},
		{"account.password_reset", "账号：重置密码", "Account password reset"},
		{"recruit.something_new", "recruit.something_new", "recruit.something_new"}, // unknown: the code
	}
	for _, c := range cases {
		if got := ActionLabel(zh, c.code); got != c.zh {
			t.Errorf("zh %s: %q, want %q", c.code, got, c.zh)
		}
		if got := ActionLabel(en, c.code); got != c.en {
			t.Errorf("en %s: %q, want %q", c.code, got, c.en)
		}
	}
}

func TestChanges(t *testing.T) {
	rows, ok := Changes(`{"topic":"旧","place":"A","n":1}`, `{"topic":"新","place":"A","hours":2.5}`)
	if !ok {
		t.Fatal("two objects not laid out as fields")
	}
	want := []Change{
		{Field: "hours", Before: "", After: "2.5", Changed: true},
		{Field: "n", Before: "1", After: "", Changed: true},
		{Field: "place", Before: "A", After: "A", Changed: false},
		{Field: "topic", Before: "旧", After: "新", Changed: true},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: %+v, want %+v", i, rows[i], want[i])
		}
	}
	if rows, ok := Changes("", `{"reason":"locked"}`); !ok || len(rows) != 1 || rows[0].After != "locked" {
		t.Errorf("after only: %+v %v", rows, ok)
	}
	if _, ok := Changes(`[1,2]`, `{}`); ok {
		t.Error("an array was laid out as fields")
	}
}
