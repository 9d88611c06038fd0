package export

import (
	"slices"
	"testing"
)

func TestCellsAreNotFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=1+1": "'=1+1", "+x": "'+x", "-2": "'-2", "@SUM(A1)": "'@SUM(A1)",
		"\t=cmd": "'\t=cmd", "\r=cmd": "'\r=cmd", "=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"admin": "admin", "": "", "张三": "张三", "2026-01-02": "2026-01-02", "a=b": "a=b", "'=x": "'=x",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRowAndValues(t *testing.T) {
	in := []string{"=a", "b", "-c"}
	if got := Row(in); !slices.Equal(got, []string{"'=a", "b", "'-c"}) || in[0] != "=a" {
		t.Errorf("Row: %q (input now %q)", got, in)
	}
	vals := []any{"@x", -5, 2.5, "ok"}
	got := Values(vals)
	if got[0] != "'@x" || got[1] != -5 || got[2] != 2.5 || got[3] != "ok" || vals[0] != "@x" {
		t.Errorf("Values: %v (input now %v)", got, vals)
	}
}
