#!/usr/bin/env bash
# Syscalls per letter of the lab under the side-by-side SMTP load (strace -c attached after start):
#   MODE=rule|1hop|fwd MSGS=500 [REUSE=-d] PORTBASE=21000 bash bench/smtp-syscalls.sh
set -euo pipefail
export SBS_RUN="${SBS_RUN:-/tmp/sbs-smtp-sys}" SBS_RESULTS="${SBS_RESULTS:-/tmp/sbs-smtp-sys-results}"
export LAB_CHECKOUT="${LAB_CHECKOUT:-$(cd "$(dirname "$0")/.." && pwd)}"
MSGS="${MSGS:-500}"
. /work/shared/bench/side-by-side/lib.sh
B="${PORTBASE:-21000}"
L_DNS=$((B+353)); L_SMTP=$((B+525)); L_SMTPB=$((B+526)); L_POP=$((B+110)); L_POPB=$((B+111)); L_IMAP=$((B+143)); L_IMAPB=$((B+144)); L_FWD=$((B+527))
MODE="${MODE:-rule}"
trap lab_stop EXIT
case $MODE in
  1hop) lab_topology; lab_start; port=$L_SMTP ;;
  fwd)  lab_topology; lab_start forward; port=$L_FWD ;;
  rule) lab_topology '"127.0.0.1"'; lab_start; port=$L_SMTPB ;;
esac
strace -f -c -o "$RUN/strace.txt" -p "$LAB_PID" 2>/dev/null & st=$!
sleep 1
"$PY" "$ANCH/tools/smtp_run.py" --maildir "$LMAILDIR" --expect "$MSGS" --timeout 300 -- "${SRC[@]}" ${REUSE:-} "127.0.0.1:$port" >/dev/null
sleep 0.5; kill -INT $st; wait $st 2>/dev/null || true
awk -v n="$MSGS" 'NR<=2 || /^-/ {next} $NF!="total" && NF>=5 {printf "%-16s %8.2f per letter\n", $NF, $4/n}' "$RUN/strace.txt" | sort -k2 -nr | head -25
