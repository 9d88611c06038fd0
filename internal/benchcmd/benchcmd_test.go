package benchcmd

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

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

func TestSeedBenchCommand(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": dbtest.EmptyURL(t), "ZHIBU_DATA_DIR": t.TempDir()})
	var out, errb bytes.Buffer
	args := []string{"seed", "--preset", "tiny", "--branches", "10", "--members", "250", "--until", "2026-11-27"}
	if err := Run(context.Background(), args, env, &out, &errb); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "loaded") || !strings.Contains(out.String(), "10 branches, 250 members, 1 years") {
		t.Errorf("output %q", out.String())
	}
	if !strings.Contains(errb.String(), "attendance") {
		t.Errorf("no progress lines on stderr: %q", errb.String())
	}
	if err := Run(context.Background(), args, env, &out, &errb); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("second load into a full database: %v", err)
	}
	for _, bad := range [][]string{{"--preset", "huge"}, {"--until", "yesterday"}, {"--branches", "10", "--members", "20"}} {
		if err := Run(context.Background(), append([]string{"seed"}, bad...), env, &out, &errb); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
