package benchcmd

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"-h"}, []string{"zhibu-bench [measure]", "zhibu-bench seed"}},
		{[]string{"help"}, []string{"zhibu-bench [measure]", "zhibu-bench seed"}},
		{[]string{"measure", "-h"}, []string{"Usage: zhibu-bench [measure]", "-preset", "-duration", "ZHIBU_DATA_KEY"}},
		{[]string{"--duration", "1s", "-h"}, []string{"Usage: zhibu-bench [measure]"}},
		{[]string{"seed", "-h"}, []string{"Usage: zhibu-bench seed", "-preset", "-branches", "ZHIBU_DATA_KEY"}},
	} {
		var out, errb bytes.Buffer
		if err := Run(context.Background(), tc.args, envOf(nil), &out, &errb); err != nil {
			t.Errorf("%v: %v", tc.args, err)
		}
		got := out.String() + errb.String()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: no %q in\n%s", tc.args, w, got)
			}
		}
		if strings.Contains(got, "-addr") {
			t.Errorf("%v lists -addr", tc.args)
		}
	}
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &errb); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestUnknownPresetIsRefused(t *testing.T) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"seed", "--preset", "huge"}, envOf(nil), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "unknown preset") {
		t.Fatalf("got %v", err)
	}
}
