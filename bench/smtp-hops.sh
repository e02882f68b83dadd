#!/usr/bin/env bash
# The side-by-side bench's SMTP rows for the lab alone, on ports of its own (no lock needed for a
# quick A/B; the figures with Postfix beside them come from run.sh under flock):
#   one hop        smtp-source -> Server (naver)
#   two hops, fwd  smtp-source -> lab-driver's forwarder -> Server-B (as WinClient) -> Server
#   two hops, rule smtp-source -> Server-B from outside, relayed by mail.relay "127.0.0.1" -> Server
# MODES="1hop fwd rule" VARIANTS="conn reuse" MSGS=2000 PORTBASE=36000 bash bench/smtp-hops.sh
# With PORTBASE unset it uses the side-by-side ports (then run it under flock /tmp/sbs.lock).
set -euo pipefail
export SBS_RUN="${SBS_RUN:-/tmp/sbs-smtp-hops}" SBS_RESULTS="${SBS_RESULTS:-/tmp/sbs-smtp-hops-results}"
export LAB_CHECKOUT="${LAB_CHECKOUT:-$(cd "$(dirname "$0")/.." && pwd)}"
. /work/shared/bench/side-by-side/lib.sh
if [ -n "${PORTBASE:-}" ]; then
  L_DNS=$((PORTBASE+353)); L_SMTP=$((PORTBASE+525)); L_SMTPB=$((PORTBASE+526)); L_POP=$((PORTBASE+110))
  L_POPB=$((PORTBASE+111)); L_IMAP=$((PORTBASE+143)); L_IMAPB=$((PORTBASE+144)); L_FWD=$((PORTBASE+527))
fi
MODES="${MODES:-1hop fwd rule}"; VARIANTS="${VARIANTS:-conn reuse}"
trap lab_stop EXIT
run_one() {  # mode variant
  local mode=$1 variant=$2 port extra=() idle after peak r sp stopf="$RUN/sampler.stop"
  [ "$variant" = reuse ] && extra=(-d)
  case $mode in
    1hop) lab_topology; lab_start; port=$L_SMTP ;;
    fwd)  lab_topology; lab_start forward; port=$L_FWD ;;
    rule) lab_topology '"127.0.0.1"'; lab_start; port=$L_SMTPB ;;
  esac
  idle=$(mem "$LAB_PID"); rm -f "$stopf"
  "$PY" "$ANCH/tools/procmem.py" --sample 0.2 --until "$stopf" "$LAB_PID" > "$RUN/sampler.out" & sp=$!
  r=$("$PY" "$ANCH/tools/smtp_run.py" --maildir "$LMAILDIR" --expect "$MSGS" --timeout 180 -- "${SRC[@]}" "${extra[@]}" "127.0.0.1:$port")
  after=$(mem "$LAB_PID"); touch "$stopf"; wait "$sp"; peak=$(cat "$RUN/sampler.out")
  local n; n=$(find "$LMAILDIR/new" "$LMAILDIR/cur" -type f 2>/dev/null | wc -l)
  lab_stop; sleep 1
  printf '%-5s %-5s accept %6s s  delivered %6s s  files %5s  cpu %6s s  peak rss %7s pss %7s KiB  idle pss %7s  rc %s | %s\n' \
    "$mode" "$variant" "$(j .source_s "$r")" "$(j .deliver_all_s "$r")" "$n" \
    "$(jq -n "$(j .cpu_s "$after") - $(j .cpu_s "$idle")")" "$(j .peak_rss_kb "$peak")" "$(j .peak_pss_kb "$peak")" \
    "$(j .pss_kb "$idle")" "$(j .rc "$r")" "$(tail -1 "$LRUN/driver.err" | cut -c1-400)"
}
for v in $VARIANTS; do for m in $MODES; do run_one "$m" "$v"; done; done
