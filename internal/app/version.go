package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"runtime/debug"
)

// versionCmd runs "zhibu version" (also "zhibu --version").
func versionCmd(_ context.Context, args []string, _ Env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("zhibu version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = UsageFunc(fs, "Usage: zhibu version\n\nPrints the release (\"devel\" for a build from an untagged commit), the commit and the Go toolchain it was built with.", "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi))
	return nil
}

// pseudoVersion matches the version the go command gives a build from a
// commit without a release tag (v0.0.0-20261207124300-b4d3bf0abcde, and
// the forms after another tag).
var pseudoVersion = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+-(?:.*\.)?[0-9]{14}-[0-9a-f]{12}(?:\+dirty)?$`)

// versionLine describes the build: "zhibu v1.2.0 (commit 1a2b3c4d5e6f,
// 2026-12-07T12:00:00Z) go1.27.3 linux/amd64", or "zhibu devel (…)" for a
// build from an untagged commit; the commit is "unknown" when the binary
// was built without version-control information.
func versionLine(bi *debug.BuildInfo) string {
	version, commit, when, modified, goVersion := "devel", "unknown", "", false, runtime.Version()
	if bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" && !pseudoVersion.MatchString(v) {
			version = v
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
				if len(commit) > 12 {
					commit = commit[:12]
				}
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	detail := "commit " + commit
	if when != "" {
		detail += ", " + when
	}
	if modified {
		detail += ", with uncommitted changes"
	}
	return fmt.Sprintf("zhibu %s (%s) %s %s/%s", version, detail, goVersion, runtime.GOOS, runtime.GOARCH)
}
