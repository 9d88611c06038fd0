package app

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func envOf(m map[string]string) Env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"migrate", "-h"}, {"seed", "-h"}, {"backup", "-h"}, {"restore", "-h"}, {"admin", "-h"}, {"version", "-h"}, {"help"},
		// -h after the first argument is help too, for every command.
		{"migrate", "up", "-h"}, {"seed", "demo", "-h"}, {"restore", "some/dir", "-h"}, {"admin", "create", "-h"}} {
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

func TestMissingFirstArgument(t *testing.T) {
	for _, tc := range []struct{ cmd, want string }{
		{"migrate", "say up, down N or version"}, {"restore", "name the backup folder"}, {"seed", "say which data set"}, {"admin", "say create"},
	} {
		var out, errb bytes.Buffer
		err := Run(context.Background(), []string{tc.cmd}, envOf(nil), &out, &errb)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.cmd, err, tc.want)
		}
		if !strings.HasPrefix(errb.String(), "Usage: zhibu "+tc.cmd) {
			t.Errorf("%s printed no usage: %q", tc.cmd, errb.String())
		}
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

func TestSeedBenchIsNotInTheServedBinary(t *testing.T) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"seed", "bench"}, envOf(nil), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), `unknown data set "bench"`) {
		t.Errorf("zhibu seed bench: %v, want it refused (it is zhibu-bench seed)", err)
	}
}

func runHelp(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := Run(context.Background(), args, envOf(nil), &out, &errb); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out.String() + errb.String()
}

func TestTopLevelHelpListsTheCommands(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		got := runHelp(t, args...)
		for _, c := range commands {
			if !strings.Contains(got, "\n  "+c.name+" ") {
				t.Errorf("%v does not list %s:\n%s", args, c.name, got)
			}
		}
		if strings.Contains(got, "-addr") || strings.Contains(got, "-seed-demo") {
			t.Errorf("%v prints serve's flags:\n%s", args, got)
		}
		if !strings.Contains(got, "ZHIBU_DATA_KEY") {
			t.Errorf("%v does not name the data key", args)
		}
	}
}

func TestEachCommandHasItsOwnFlags(t *testing.T) {
	serveHelp := runHelp(t, "serve", "-h")
	for _, want := range []string{"-addr", "-https", "-seed-demo", "-database-url", "ZHIBU_DATA_KEY"} {
		if !strings.Contains(serveHelp, want) {
			t.Errorf("serve -h lacks %s:\n%s", want, serveHelp)
		}
	}
	for _, args := range [][]string{{"backup", "-h"}, {"restore", "-h"}, {"migrate", "-h"}, {"admin", "-h"}, {"admin", "create", "-h"}, {"seed", "-h"}, {"version", "-h"}} {
		got := runHelp(t, args...)
		if strings.Contains(got, "-addr") || strings.Contains(got, "-https") {
			t.Errorf("%v lists serve's flags:\n%s", args, got)
		}
		if !strings.HasPrefix(got, "Usage: zhibu "+args[0]) {
			t.Errorf("%v does not start with its usage:\n%s", args, got)
		}
	}
	if got := runHelp(t, "backup", "-h"); !strings.Contains(got, "-out") || !strings.Contains(got, "ZHIBU_DATA_KEY") {
		t.Errorf("backup -h:\n%s", got)
	}
	if got := runHelp(t, "seed", "-h"); !strings.Contains(got, "ZHIBU_DATA_KEY") {
		t.Errorf("seed -h does not name the data key:\n%s", got)
	}
	if got := runHelp(t, "help", "backup"); !strings.Contains(got, "Usage: zhibu backup") {
		t.Errorf("help backup:\n%s", got)
	}
	var out, errb bytes.Buffer
	if err := Run(context.Background(), []string{"backup", "--addr", ":1"}, envOf(nil), &out, &errb); err == nil || !strings.Contains(err.Error(), "addr") {
		t.Errorf("backup --addr: %v, want an unknown flag", err)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		if got := runHelp(t, args...); !strings.HasPrefix(got, "zhibu ") || !strings.Contains(got, "commit ") {
			t.Errorf("%v: %q", args, got)
		}
	}
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	rev := "b4d3bf0a1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f"
	for _, tc := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{nil, "zhibu devel (commit unknown) "},
		{&debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "(devel)"}}, "zhibu devel (commit unknown) go1.27.3 "},
		{&debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "v0.0.0-20261207124300-b4d3bf0a1c2d"},
			Settings: settings("vcs.revision", rev, "vcs.time", "2026-12-07T12:43:00Z", "vcs.modified", "false")},
			"zhibu devel (commit b4d3bf0a1c2d, 2026-12-07T12:43:00Z) go1.27.3 "},
		{&debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "v1.2.1-0.20261207124300-b4d3bf0a1c2d+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true")},
			"zhibu devel (commit b4d3bf0a1c2d, with uncommitted changes) go1.27.3 "},
		{&debug.BuildInfo{GoVersion: "go1.27.3", Main: debug.Module{Version: "v1.2.0"}, Settings: settings("vcs.revision", rev)},
			"zhibu v1.2.0 (commit b4d3bf0a1c2d) go1.27.3 "},
	} {
		if got := versionLine(tc.bi); !strings.HasPrefix(got, tc.want) {
			t.Errorf("versionLine(%+v) = %q, want prefix %q", tc.bi, got, tc.want)
		}
	}
}
