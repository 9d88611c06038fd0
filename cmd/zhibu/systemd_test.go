package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemdUnitsVerify runs `systemd-analyze verify` on deploy/'s units
// (with ExecStart pointing at an executable that exists here): an unknown
// or misspelt option, a bad value or a missing section fails the test, as
// it would be ignored by systemd with only a line in the journal. It also
// holds the hardening options docs/deploy.md promises.
func TestSystemdUnitsVerify(t *testing.T) {
	t.Parallel()
	units := []string{"zhibu.service", "zhibu-backup.service", "zhibu-backup.timer"}
	dir := t.TempDir()
	for _, u := range units {
		b, err := os.ReadFile(filepath.Join("../../deploy", u))
		if err != nil {
			t.Fatal(err)
		}
		s := strings.ReplaceAll(string(b), "/usr/local/bin/zhibu", "/bin/true")
		if err := os.WriteFile(filepath.Join(dir, u), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	service, _ := os.ReadFile(filepath.Join(dir, "zhibu.service"))
	for _, opt := range []string{
		"NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
		"CapabilityBoundingSet=\n", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
		"SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes", "User=zhibu",
		"EnvironmentFile=/etc/zhibu/env",
	} {
		if !strings.Contains(string(service), "\n"+opt) {
			t.Errorf("zhibu.service lacks %q", strings.TrimSpace(opt))
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not found (Debian: systemd): the units' syntax is not verified")
	}
	args := []string{"verify"}
	for _, u := range units {
		args = append(args, filepath.Join(dir, u))
	}
	cmd := exec.Command(analyze, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
