#!/usr/bin/env bash
# The floor under the side-by-side's DNS memory row: bench/dns-floor.cjs (Node answering NXDOMAIN
# to every query, nothing else) under the same dnsperf load as bench/side-by-side/run.sh, its RSS
# before and after, with Node's own heap sizes and with the young and old generations held small
# (the lab holds its heap in lab/runtime/heap-growth.ts). Compare with the row's reference: named
# after the same load, and 2x that is the issue's goal.
#   PORT=28353 DURATION=20 bash bench/dns-floor.sh
set -euo pipefail
ANCH="${ANCHORS_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/shared/bench/anchors}"
[ -f "$ANCH/dns/queries.txt" ] || { echo "no $ANCH/dns/queries.txt: set ANCHORS_DIR to ../shared/bench/anchors" >&2; exit 1; }
HERE="$(cd "$(dirname "$0")" && pwd)"; PORT="${PORT:-28353}"; DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-3}"
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
for flags in "" "--max-semi-space-size=2 --max-old-space-size=16"; do
  out=$(mktemp); node $flags "$HERE/dns-floor.cjs" "$PORT" > "$out" 2>&1 & pid=$!
  for _ in $(seq 100); do grep -q READY "$out" && break; kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  grep -q READY "$out" || { cat "$out" >&2; echo "dns-floor.cjs did not start on port $PORT (PORT= another)" >&2; kill $pid 2>/dev/null; exit 1; }
  before=$(rss $pid)
  ( cd "$ANCH" && dnsperf -s 127.0.0.1 -p "$PORT" -d dns/queries.txt -l "$WARMUP" -c 1 -T 1 -q 100 >/dev/null 2>&1 )
  qps=$(cd "$ANCH" && dnsperf -s 127.0.0.1 -p "$PORT" -d dns/queries.txt -l "$DURATION" -c 1 -T 1 -q 100 2>&1 | awk '/Queries per second:/{print $4}')
  label=${flags:-"(the heap as V8 sizes it)"}
  echo "node $label: RSS $before KiB idle, $(rss $pid) KiB after the load, $qps queries/s"
  kill $pid; wait $pid 2>/dev/null || true; rm -f "$out"
done
