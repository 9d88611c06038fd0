package db

import "testing"

func TestEscapeLike(t *testing.T) {
	for in, want := range map[string]string{
		"":         "",
		"张三":       "张三",
		"100%":     `100\%`,
		"a_b":      `a\_b`,
		`C:\dir`:   `C:\\dir`,
		`\%_`:      `\\\%\_`,
		"plain ab": "plain ab",
	} {
		if got := EscapeLike(in); got != want {
			t.Errorf("EscapeLike(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Contains("5%"); got != `%5\%%` {
		t.Errorf("Contains: %q", got)
	}
	if got := Prefix("a_"); got != `a\_%` {
		t.Errorf("Prefix: %q", got)
	}
}
