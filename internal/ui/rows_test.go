package ui

import (
	"bytes"
	"context"
	"html"
	"testing"
)

func TestAppendTextEscapesAsTempl(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "李娜", `<a href="x">&'`, "a&&b", "<<", "tail>"} {
		if got, want := string(AppendText([]byte("x"), s)), "x"+html.EscapeString(s); got != want {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
}

func TestRows(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	c := Rows([]string{"a", "<b>"}, func(_ context.Context, b []byte, s string) []byte {
		b = append(b, "<tr><td>"...)
		return append(AppendText(b, s), "</td></tr>"...)
	})
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "<tr><td>a</td></tr><tr><td>&lt;b&gt;</td></tr>" {
		t.Errorf("got %q", got)
	}
}
