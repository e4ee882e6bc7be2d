#!/usr/bin/env bash
# The claim design experiment (BENCHMARKS.md, issue 18): after a claimbench
# run on Postgres has left its schema, compare with pgbench, 8 clients, 150
# claims of 10 each, interleaved and repeated: the bare loop, today's claim
# statement and a claim that writes the lease on the hopper row.
#   go run ./examples/claimbench -store postgres:DSN -schema cb_design -contacts 1000000 -leases 1
#   examples/claimbench/design/run.sh DSN cb_design
set -euo pipefail
dsn=$1
schema=${2:-callstack_claimbench}
dir=$(cd "$(dirname "$0")" && pwd)
export PGOPTIONS="-c search_path=$schema"
psql "$dsn" -qX -v ON_ERROR_STOP=1 -f "$dir/setup.sql"
ws=$(psql "$dsn" -qXAt -c 'SELECT workspace_id FROM hop_today LIMIT 1')
cmp=$(psql "$dsn" -qXAt -c 'SELECT campaign_id FROM hop_today LIMIT 1')
if [ -z "$ws" ]; then
  echo "no ready contacts in schema $schema: run claimbench first, e.g. with -schema $schema -contacts 1000000 -leases 1" >&2
  exit 1
fi
now=$(psql "$dsn" -qXAt -c 'SELECT max(callable_from) FROM hop_today') # inside every entry's callable interval
for round in 1 2 3; do
  for s in bare today lease; do
    psql "$dsn" -qX -c "UPDATE bare SET lease_token = '' WHERE lease_token <> ''" -c "UPDATE hop_lease SET lease_token = '' WHERE lease_token <> ''" \
      -c 'VACUUM bare, hop_today, hop_lease' >/dev/null
    tps=$(pgbench "$dsn" -n -M prepared -c 8 -j 2 -t 150 -D ws="$ws" -D cmp="$cmp" -D now="$now" -f "$dir/$s.sql" 2>&1 |
      sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "round $round $s claims_per_s=$tps leases_per_s=$(awk -v t="$tps" 'BEGIN { printf "%.0f", t * 10 }')"
  done
done
