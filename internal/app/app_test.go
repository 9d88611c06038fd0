package app

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"seed", "-h"}, {"backup", "-h"}, {"restore", "-h"}, {"seed", "bench", "-h"}, {"bench", "-h"}, {"help"}} {
		var out, errb bytes.Buffer
		if err := Run(context.Background(), args, envOf(nil), &out, &errb); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if out.Len()+errb.Len() == 0 {
			t.Errorf("%v printed no help", args)
		}
	}
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &errb); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestMigrateAndSeedCommands(t *testing.T) {
	t.Parallel()
	url := dbtest.EmptyURL(t)
	env := envOf(map[string]string{"DATABASE_URL": url, "ZHIBU_DATA_DIR": t.TempDir()})
	run := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if err := Run(context.Background(), args, env, &out, &errb); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errb.String())
		}
		return out.String()
	}
	if got := run("migrate", "version"); !strings.Contains(got, "schema version 0") {
		t.Errorf("fresh version: %q", got)
	}
	if got := run("migrate", "up"); strings.Contains(got, "schema version 0") {
		t.Errorf("after up: %q", got)
	}
	if got := run("seed", "demo"); !strings.Contains(got, "demo data loaded") || !strings.Contains(got, "secretary") {
		t.Errorf("seed: %q", got)
	}
	if got := run("seed", "demo"); !strings.Contains(got, "nothing changed") {
		t.Errorf("second seed: %q", got)
	}
	dir := t.TempDir() + "/bk"
	if got := run("backup", "--out", dir); !strings.Contains(got, "backup written") {
		t.Errorf("backup: %q", got)
	}
	restoreEnv := envOf(map[string]string{"DATABASE_URL": dbtest.EmptyURL(t), "ZHIBU_DATA_DIR": t.TempDir()})
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"restore", dir}, restoreEnv, &out, &errb); err != nil || !strings.Contains(out.String(), "row counts match") {
		t.Errorf("restore: %v %q %s", err, out.String(), errb.String())
	}
	if got := run("migrate", "down", "all"); !strings.Contains(got, "schema version 0") {
		t.Errorf("down all: %q", got)
	}
}

func TestServeRefusesToStartWithoutADataKey(t *testing.T) {
	env := envOf(map[string]string{"DATABASE_URL": "postgres://127.0.0.1:1/none", "ZHIBU_DATA_DIR": t.TempDir()})
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"serve"}, env, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "ZHIBU_DATA_KEY") {
		t.Fatalf("got %v, want a refusal naming ZHIBU_DATA_KEY", err)
	}
	env = envOf(map[string]string{"ZHIBU_DATA_KEY": "short", "DATABASE_URL": "postgres://127.0.0.1:1/none"})
	if err := Run(context.Background(), []string{"serve"}, env, &out, &errb); err == nil || !strings.Contains(err.Error(), "64 hexadecimal") {
		t.Fatalf("bad key: %v", err)
	}
}

func TestBadLogSettingsAreRefused(t *testing.T) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"serve", "--log-level", "loud"}, envOf(nil), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "log level") {
		t.Fatalf("got %v", err)
	}
}

func TestSeedBenchCommand(t *testing.T) {
	t.Parallel()
	env := envOf(map[string]string{"DATABASE_URL": dbtest.EmptyURL(t), "ZHIBU_DATA_DIR": t.TempDir()})
	var out, errb bytes.Buffer
	args := []string{"seed", "bench", "--preset", "tiny", "--branches", "10", "--members", "250", "--until", "2026-11-27"}
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
		if err := Run(context.Background(), append([]string{"seed", "bench"}, bad...), env, &out, &errb); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
