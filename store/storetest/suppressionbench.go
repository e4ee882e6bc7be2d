package storetest

import (
	"bufio"
	"context"
	"io"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/callstackhq/callstack/campaign"
	"github.com/callstackhq/callstack/store"
	"github.com/callstackhq/callstack/suppression"
)

// SuppressionBenchmark measures an adapter against the suppression
// targets: a registry load of 10,000,000 numbers through
// suppression.Service.LoadRegistry (under 60 s) and a check of 1,000,000
// numbers, half of them on the list, through suppression.Service.Check
// (under 5 s). CALLSTACK_BENCH_SUPPRESSION_LOAD and _CHECK change the
// sizes. settle, when not nil, runs between the load and the check (e.g.
// VACUUM ANALYZE) and returns what it did. The adapters' tests call it
// behind CALLSTACK_BENCH_SUPPRESSION=1.
func SuppressionBenchmark(t *testing.T, st store.Store, settle func(t *testing.T) string) {
	benchSuppression(t, st, settle)
}

// benchEnv returns the integer in environment variable name, or def.
func benchEnv(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 2 {
		t.Fatalf("%s=%q: want an integer of at least 2", name, v)
	}
	return n
}

// benchNumber returns the 10 digits of the j-th number of the benchmark's
// number space: area codes 200 and up, exchanges 200–999, lines
// 0000–9999, in order. The registry holds the even j; odd j are misses.
func benchNumber(b []byte, j int) []byte {
	npa, nxx, line := 200+j/8_000_000, 200+(j/10_000)%800, j%10_000
	b = strconv.AppendInt(b, int64(npa), 10)
	b = strconv.AppendInt(b, int64(nxx), 10)
	return append(b, byte('0'+line/1000), byte('0'+line/100%10), byte('0'+line/10%10), byte('0'+line%10))
}

// cpuTime returns the CPU time this process has used, user and system.
// The machine may be shared, so the benchmark reports it beside the wall
// time: it does not grow while the process waits for a core.
func cpuTime(t *testing.T) time.Duration {
	t.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchSuppression loads a generated registry into st and checks numbers
// against it, logging the time and rate of each. When settle is not nil,
// the check runs again after it (such as a VACUUM), and its time is logged
// too.
func benchSuppression(t *testing.T, st store.Store, settle func(t *testing.T) string) {
	ctx := context.Background()
	load := benchEnv(t, "CALLSTACK_BENCH_SUPPRESSION_LOAD", 10_000_000)
	check := benchEnv(t, "CALLSTACK_BENCH_SUPPRESSION_CHECK", 1_000_000)
	ss := st
	csvc, err := campaign.NewService(campaign.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	w, err := csvc.CreateWorkspace(ctx, campaign.Member{UserID: "admin", Name: "Admin"}, campaign.Workspace{Name: "bench"})
	if err != nil {
		t.Fatal(err)
	}
	admin := campaign.Actor{WorkspaceID: w.ID, UserID: "admin"}
	sup, err := suppression.NewService(suppression.Config{Store: ss, Authorizer: csvc})
	if err != nil {
		t.Fatal(err)
	}

	// The registry file, one 10-digit number a line in ascending order as
	// registries deliver them, is generated while it is read.
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriterSize(pw, 1<<16)
		var line []byte
		for i := range load {
			line = append(benchNumber(line[:0], 2*i), '\n')
			if _, err := bw.Write(line); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(bw.Flush())
	}()
	start, cpu := time.Now(), cpuTime(t)
	res, err := sup.LoadRegistry(ctx, admin, pr, suppression.Global(), suppression.Entry{Source: "bench-registry.txt"})
	elapsed, cpuUsed := time.Since(start), cpuTime(t)-cpu
	pr.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Loaded != load || res.Invalid != 0 {
		t.Fatalf("load: %+v, want %d loaded", res, load)
	}
	t.Logf("load:  %d numbers in %.2f s, %.0f rows/s (this process: %.2f s CPU, generator included)",
		load, elapsed.Seconds(), float64(load)/elapsed.Seconds(), cpuUsed.Seconds())

	// Half hits (even indexes), half misses (odd), spread over the whole
	// list: the k-th pair uses index k·p mod load, distinct for distinct
	// k because p is a prime not dividing load.
	const p = 1_000_003
	numbers := make([]string, 0, check)
	var b []byte
	for k := range check / 2 {
		r := k * p % load
		numbers = append(numbers, "+1"+string(benchNumber(b[:0], 2*r)), "+1"+string(benchNumber(b[:0], 2*r+1)))
	}
	runCheck := func(label string) {
		start, cpu := time.Now(), cpuTime(t)
		got, err := sup.Check(ctx, admin.WorkspaceID, suppression.Query{Numbers: numbers})
		elapsed, cpuUsed := time.Since(start), cpuTime(t)-cpu
		if err != nil {
			t.Fatal(err)
		}
		if want := check / 2; len(got) != want {
			t.Fatalf("check: %d numbers suppressed, want %d", len(got), want)
		}
		t.Logf("check%s: %d numbers (%d hits) in %.2f s, %.0f numbers/s (this process: %.2f s CPU)",
			label, len(numbers), len(got), elapsed.Seconds(), float64(len(numbers))/elapsed.Seconds(), cpuUsed.Seconds())
	}
	runCheck("")
	if settle != nil {
		start := time.Now()
		what := settle(t)
		t.Logf("%s in %.2f s", what, time.Since(start).Seconds())
		runCheck(" after " + what)
	}
}
