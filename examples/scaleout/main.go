// Command scaleout runs several dialer processes against one Postgres
// database and checks that they share the work safely: the same binary is
// re-executed as -processes worker processes, each running a dialer engine
// for every campaign against its own simulated carrier in compressed real
// time, with the campaign lease (campaign.Leaser) deciding which process
// paces each campaign. One worker is killed with SIGKILL at a random moment
// and restarted. When every contact is final or scheduled (or -timeout
// passes) the workers are stopped and the database is read back:
//
//	go run ./examples/scaleout -store postgres:DSN -processes 3 -contacts 20000 -kill 1
//	{"dials":…,"double_dials":0,"lost":0,"takeover_s":…,"campaign_owners_max":1}
//
// double_dials counts attempts on a contact that overlap an earlier one or
// start sooner than the campaign's retry interval after it; lost counts
// contacts neither final nor scheduled at the end; takeover_s is the longest
// time a killed process's campaign went undialled (last dial before the kill
// to first dial after); campaign_owners_max is the most lease holders one
// campaign had at one instant, from the lease grants each worker logs.
// Progress goes to stderr.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

func main() {
	if os.Getenv(workerEnv) != "" {
		if err := worker(context.Background(), os.Getenv(workerEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "scaleout worker:", err)
			os.Exit(2)
		}
		return
	}
	var o Options
	var spec string
	flag.StringVar(&spec, "store", "", "postgres:DSN (required)")
	flag.IntVar(&o.Processes, "processes", 3, "worker processes")
	flag.IntVar(&o.Contacts, "contacts", 20000, "contacts, spread over the campaigns")
	flag.IntVar(&o.Campaigns, "campaigns", 3, "campaigns")
	flag.IntVar(&o.Kill, "kill", 1, "workers to kill -9 (one after another) and restart")
	flag.DurationVar(&o.LeaseTTL, "lease-ttl", defaultLeaseTTL, "campaign lease TTL")
	flag.DurationVar(&o.Timeout, "timeout", defaultTimeout, "longest the dialling may take")
	flag.Uint64Var(&o.Seed, "seed", 0, "seed of the kill moment and the calls (0: random)")
	flag.Parse()
	dsn, ok := strings.CutPrefix(spec, "postgres:")
	if !ok || dsn == "" {
		fmt.Fprintln(os.Stderr, "scaleout: -store postgres:DSN is required")
		os.Exit(2)
	}
	o.DSN = dsn
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaleout:", err)
		os.Exit(2)
	}
	o.Exe = exe
	res, err := Run(context.Background(), o, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "scaleout:", err)
		os.Exit(2)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		os.Exit(1)
	}
}
