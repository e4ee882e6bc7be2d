package callstack_test

import (
	"os/exec"
	"testing"
)

// TestGoModTidy: go.mod names every direct dependency as direct and no
// unused one, so `go mod tidy` changes nothing. It reads only the module
// cache (GOPROXY=off) and skips when the go command is not on the PATH.
func TestGoModTidy(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on the PATH")
	}
	cmd := exec.Command(goTool, "mod", "tidy", "-diff")
	cmd.Env = append(cmd.Environ(), "GOPROXY=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go mod tidy -diff: %v: run `go mod tidy` and commit go.mod and go.sum:\n%s", err, out)
	}
}
