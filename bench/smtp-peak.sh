#!/usr/bin/env bash
# The lab's peak memory and CPU under the side-by-side's SMTP load, one run, for A/B of a setting
# (LAB_OLD_GROWTH_PERCENT, LAB_YOUNG_GEN_MB, UV_THREADPOOL_SIZE ...) without the whole bench:
#   MODE=relay|1hop MSGS=5000 [REUSE=-d] PORTBASE=22000 bash bench/smtp-peak.sh
# relay: smtp-source -> Server-B by its relay rule -> Server (two hops); 1hop: smtp-source -> Server.
# Prints accepted/delivered seconds, the lab's CPU, its idle and peak PSS (procmem.py, every 0.2 s)
# and V8's heap when it stopped. Runs on the noisy machine: compare settings in alternating runs.
set -euo pipefail
export SBS_RUN="${SBS_RUN:-/tmp/sbs-smtp-peak}" SBS_RESULTS="${SBS_RESULTS:-/tmp/sbs-smtp-peak-results}"
export LAB_CHECKOUT="${LAB_CHECKOUT:-$(cd "$(dirname "$0")/.." && pwd)}"
MSGS="${MSGS:-5000}"
. "${SHARED_SBS:-$LAB_CHECKOUT/../shared/bench/side-by-side}/lib.sh"
LAB_NODE_OPTS="-r $LABDIR/lab/node-version.cjs ${LAB_NODE_OPTS:-}"   # as npm run lab: no TypeScript stripper (side-by-side/run.sh)
B="${PORTBASE:-22000}"
L_DNS=$((B+353)); L_SMTP=$((B+525)); L_SMTPB=$((B+526)); L_POP=$((B+110)); L_POPB=$((B+111)); L_IMAP=$((B+143)); L_IMAPB=$((B+144)); L_FWD=$((B+527))
trap lab_stop EXIT
lab_topology '"127.0.0.1"'; touch -d '-5 seconds' "$LTOPO" "$LRUN"/*.zone   # old enough for the load cache (run.sh's backdate)
case "${MODE:-relay}" in relay) port=$L_SMTPB ;; 1hop) port=$L_SMTP ;; *) echo "MODE is relay or 1hop" >&2; exit 1 ;; esac
lab_start; lab_stop   # the first start at a new path fills the load cache (as run.sh does): without it yaml and zod stay loaded (+8 MB idle, +20 at the peak)
lab_start
idle=$(mem "$LAB_PID"); stopf="$RUN/peak.stop"; rm -f "$stopf"
"$PY" "$ANCH/tools/procmem.py" --sample 0.2 --until "$stopf" "$LAB_PID" > "$RUN/sampler.out" & sp=$!
r=$("$PY" "$ANCH/tools/smtp_run.py" --maildir "$LMAILDIR" --expect "$MSGS" --timeout 300 -- "${SRC[@]}" ${REUSE:-} "127.0.0.1:$port")
after=$(mem "$LAB_PID"); touch "$stopf"; wait "$sp"
echo "${MODE:-relay} ${REUSE:-} accepted $(j .source_s "$r") s, all delivered $(j .deliver_all_s "$r") s, lab CPU $(jq -n "$(j .cpu_s "$after") - $(j .cpu_s "$idle")") s, PSS idle $(j .pss_kb "$idle") KiB, peak $(j .peak_pss_kb "$(cat "$RUN/sampler.out")") KiB"
lab_stop; grep -o 'memory {.*' "$LRUN/driver.err" | tail -1
