package callstack_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGoModTidy: go.mod names every direct dependency as direct and no
// unused one, so `go mod tidy` changes nothing. It reads the module cache
// first (GOPROXY=off); tidy needs the whole module graph, test-only
// dependencies of dependencies included, so on a fresh machine whose cache
// lacks some of them it asks the configured module proxy. It skips when the
// go command is not on the PATH or the graph cannot be fetched (no network),
// since tidiness cannot be judged without it.
func TestGoModTidy(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on the PATH")
	}
	tidy := func(env ...string) (string, error) {
		cmd := exec.Command(goTool, "mod", "tidy", "-diff")
		cmd.Env = append(cmd.Environ(), append([]string{"GOFLAGS="}, env...)...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := tidy("GOPROXY=off")
	if err != nil && strings.Contains(out, "module lookup disabled by GOPROXY=off") {
		t.Log("module cache incomplete; asking the module proxy")
		out, err = tidy()
		if err != nil && unreachable(out) {
			t.Skipf("module graph cannot be fetched (no network?):\n%s", out)
		}
	}
	if err != nil {
		t.Fatalf("go mod tidy -diff: %v: run `go mod tidy` and commit go.mod and go.sum:\n%s", err, out)
	}
}

// unreachable reports whether go's output says the module proxy could not
// be reached, as opposed to a diff or a bad go.mod.
func unreachable(out string) bool {
	for _, s := range []string{"dial tcp", "no such host", "connection refused", "i/o timeout", "lookup disabled", "TLS handshake"} {
		if strings.Contains(out, s) {
			return true
		}
	}
	return false
}
