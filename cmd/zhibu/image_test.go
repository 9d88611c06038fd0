package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// testKey is a data key for the served binary (64 hex digits).
const testKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// TestDockerfileFinalStageIsTheBinaryAlone reads the Dockerfile (no
// container engine is needed): the build stage turns cgo off, so the
// binary is static and runs on distroless's static image, which has no
// libc; the final stage copies that binary alone and runs it as a
// non-root user.
func TestDockerfileFinalStageIsTheBinaryAlone(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	stages := map[string][]string{} // stage name → its instructions
	var order []string
	var cur string
	for _, line := range joinContinued(string(b)) {
		f := strings.Fields(line)
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		if strings.EqualFold(f[0], "FROM") {
			cur = line
			if len(f) >= 4 && strings.EqualFold(f[2], "AS") {
				cur = f[3]
			}
			order = append(order, cur)
		}
		stages[cur] = append(stages[cur], line)
	}
	if len(order) < 2 || order[0] != "build" {
		t.Fatalf("stages %v: want a build stage first and the server last", order)
	}
	if build := strings.Join(stages["build"], "\n"); !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "go build") {
		t.Errorf("the build stage must build with CGO_ENABLED=0 (a static binary for distroless/static):\n%s", build)
	}
	final := stages[order[len(order)-1]]
	var copies, users []string
	for _, l := range final {
		switch f := strings.Fields(l); strings.ToUpper(f[0]) {
		case "FROM":
			if !strings.Contains(l, "gcr.io/distroless/static") {
				t.Errorf("final stage %q: want distroless's static image", l)
			}
		case "COPY", "ADD":
			copies = append(copies, l)
		case "USER":
			users = append(users, f[1])
		case "RUN":
			t.Errorf("final stage runs %q: distroless has no shell", l)
		}
	}
	if len(copies) != 1 || !strings.Contains(copies[0], "--from=build") || !strings.HasSuffix(copies[0], " /zhibu") {
		t.Errorf("final stage copies %q, want the binary alone from the build stage", copies)
	}
	if len(users) != 1 || strings.HasPrefix(users[0], "0") || strings.HasPrefix(users[0], "root") {
		t.Errorf("final stage users %q, want one non-root user", users)
	}

	// Nothing the binary links needs cgo: with it off every package of
	// cmd/zhibu still builds (go list, no compilation).
	cmd := exec.Command("go", "list", "-deps", "-e", "-f", "{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}", "zhibu/cmd/zhibu")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("CGO_ENABLED=0 go list -deps: %v\n%s", err, out)
	}
}

// joinContinued splits a Dockerfile into logical lines, joining those
// ending in a backslash.
func joinContinued(s string) []string {
	var out []string
	var cur strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") && cur.Len() > 0 {
			continue
		}
		if t, ok := strings.CutSuffix(strings.TrimRight(l, " \t"), "\\"); ok {
			cur.WriteString(t + " ")
			continue
		}
		cur.WriteString(l)
		out = append(out, strings.TrimSpace(cur.String()))
		cur.Reset()
	}
	return out
}

// TestBinaryServesAloneFromAnEmptyFolder is what the image relies on: the
// zhibu binary, copied alone into an empty folder it may not write to and
// run with no environment but its settings (no PATH, no HOME) — as an
// unprivileged user when the test runs as root — migrates an empty
// database from its embedded migrations, serves its embedded pages and
// static files, and stops cleanly on SIGTERM, leaving the folder empty.
func TestBinaryServesAloneFromAnEmptyFolder(t *testing.T) {
	t.Parallel()
	base, err := os.MkdirTemp("", "zhibu-image-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	bin := filepath.Join(base, "zhibu")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	run := filepath.Join(base, "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		t.Fatal(err)
	}
	// Readable by anyone, writable by no one but root.
	for _, p := range []string{base, run} {
		if err := os.Chmod(p, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _ = os.Chmod(base, 0o755) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534} // nobody, as the image's non-root user
	}
	command := func(ctx context.Context, env []string, args ...string) *exec.Cmd {
		c := exec.CommandContext(ctx, bin, args...)
		c.Dir = run
		c.Env = env
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		c.WaitDelay = 5 * time.Second
		return c
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	out, err := command(ctx, []string{}, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "zhibu ") {
		t.Fatalf("zhibu version: %v: %q", err, out)
	}

	srv := command(ctx, []string{
		"DATABASE_URL=" + dbtest.EmptyURL(t), "ZHIBU_DATA_KEY=" + testKey,
		"ZHIBU_ADDR=127.0.0.1:0", "ZHIBU_LOG_FORMAT=json", "ZHIBU_LOG_LEVEL=warn",
	}, "serve")
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	srv.Stderr = &stderr
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Zhibu is serving at "); ok {
				addr <- strings.TrimSuffix(a, "/")
			}
		}
		exited <- srv.Wait()
	}()
	var url string
	select {
	case url = <-addr:
	case err := <-exited:
		t.Fatalf("zhibu serve exited: %v\n%s", err, stderr.String())
	case <-ctx.Done():
		t.Fatalf("zhibu serve did not start\n%s", stderr.String())
	}

	get := func(path string) (int, string, string) {
		t.Helper()
		res, err := http.Get(url + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, res.Header.Get("Content-Type"), string(body)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if status, _, body := get(p); status != http.StatusOK {
			t.Errorf("GET %s: %d %s", p, status, body)
		}
	}
	status, _, page := get("/login")
	if status != http.StatusOK {
		t.Fatalf("GET /login: %d", status)
	}
	css := regexp.MustCompile(`<link rel="stylesheet" href="([^"]+)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatalf("the sign-in page links no stylesheet:\n%.500s", page)
	}
	if status, ctype, body := get(css[1]); status != http.StatusOK || !strings.HasPrefix(ctype, "text/css") || len(body) < 100 {
		t.Errorf("GET %s: %d %s, %d bytes (the embedded static files)", css[1], status, ctype, len(body))
	}

	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("zhibu serve after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("zhibu serve did not stop within 40 s of SIGTERM")
	}
	if entries, err := os.ReadDir(run); err != nil || len(entries) != 0 {
		t.Errorf("the binary wrote into its folder: %v %v", entries, err)
	}
	if s := stderr.String(); strings.Contains(s, `"level":"ERROR"`) {
		t.Errorf("errors logged:\n%s", s)
	}
}
