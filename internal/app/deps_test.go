package app

import (
	"os/exec"
	"strings"
	"testing"
)

// TestServedBinaryHoldsNoBenchmark keeps the benchmark (its data
// generator and load driver) out of the binary that agencies run: it lives
// in cmd/zhibu-bench.
func TestServedBinaryHoldsNoBenchmark(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the binary's packages: %v", err)
	}
	out, err := exec.Command(goCmd, "list", "-deps", "zhibu/cmd/zhibu").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 50 {
		t.Fatalf("go list -deps listed only %d packages: %q", len(deps), out)
	}
	for _, p := range deps {
		if p == "zhibu/internal/bench" || p == "zhibu/internal/benchdata" || p == "zhibu/internal/benchcmd" {
			t.Errorf("cmd/zhibu links %s", p)
		}
	}
}
