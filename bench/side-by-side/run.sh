#!/usr/bin/env bash
# Side by side: mail-lab vs BIND 9 / Postfix 3.7 / Dovecot 2.3, the same load clients, alternating
# lab (A) and reference (B) every rep. PHASES picks parts (default: all, in this order).
#   PHASES="relaycheck dns smtp mail cold prof bench" REPS=3 bash bench/side-by-side/run.sh
#
# The project's copy of ../shared/bench/side-by-side/run.sh (that folder is read-only here): the
# same phases, clients and lib.sh, with two changes. The driver starts as `npm run lab` starts the
# lab, with -r lab/node-version.cjs (below), its topology dated back for the load cache. And the
# two-hop rows load Server-B's own SMTP port by a relay rule, as the issue asks: Server-B's
# topology gets relay 127.0.0.1 (an outside client from that address may relay,
# AccessRules.relayAllowed), and smtp-source talks to it straight, no forwarder in the lab process. TWOHOP=forward is the shared script's fall-back:
# lab-driver.ts's forwarder re-opens each connection from WinClient. Two references more than the
# shared script's: Postfix over the same two hops (smtp2hop-postfix, PF2=0 leaves it out) and the
# DNS row's floor, bench/dns-floor.cjs (side "floor", DNS_FLOOR=0). bench/side-by-side/table.py
# makes the README's table from one or more runs' results.
SHARED_SBS="${SHARED_SBS:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/bench/side-by-side}"
[ -f "$SHARED_SBS/lib.sh" ] || { echo "no $SHARED_SBS/lib.sh: set SHARED_SBS to ../shared/bench/side-by-side" >&2; exit 1; }
LAB_CHECKOUT="${LAB_CHECKOUT:-$(cd "$(dirname "$0")/../.." && pwd)}"
# results to /tmp/sbs-results unless SBS_RESULTS says where: lib.sh's default is the shared
# folder's results/, which is read-only for a user and would be written over by root
export SBS_RESULTS="${SBS_RESULTS:-/tmp/sbs-results}"
. "$SHARED_SBS/lib.sh"
# The lab as `npm run lab` builds it. lab/cli.js loads lab/node-version.cjs first, which turns
# Node's compile cache on before any .ts file is read, so the TypeScript stripper (a WebAssembly
# module, ~20 MB) is never loaded. lib.sh runs the shared driver as `node lab-driver.ts`: Node
# strips that file before any of the lab runs, so without the same -r every lab row measured the
# stripper too (idle PSS of the driver 86.7-92.9 -> 66.0-66.7 MB with it, 9 runs; queries/s the
# same). LAB_NODE_OPTS given from outside is kept after it.
LAB_NODE_OPTS="-r $LABDIR/lab/node-version.cjs ${LAB_NODE_OPTS:-}"
TWOHOP="${TWOHOP:-relay}"
case "$TWOHOP" in relay|forward) ;; *) log "TWOHOP is relay (Server-B by its relay rule) or forward (the forwarder)"; exit 1 ;; esac
two_hop_start() { if [ "$TWOHOP" = forward ]; then lab_start forward; TWO_PORT=$L_FWD; else lab_start; TWO_PORT=$L_SMTPB; fi; }
PHASES="${PHASES:-relaycheck dns smtp mail cold prof bench}"
DURATION="${DURATION:-20}"; WARMUP="${WARMUP:-3}"; MIX_SECONDS="${MIX_SECONDS:-10}"; MIX_PROCS="${MIX_PROCS:-4}"
trap cleanup_all EXIT
mkdir -p "$RES"; [ "${APPEND:-0}" = 1 ] || { : > "$OUT"; : > "$RAW"; }
echo "# $(date -u +%FT%TZ) two hops by $TWOHOP; lab $(git -C "$LABDIR" log --oneline -1) node $(node -v); loadavg $(cat /proc/loadavg)" >> "$RAW"
for p in $R_DNS $R_SMTP $R_IMAP $R_POP; do port_free $p || { log "reference port $p busy"; exit 1; }; done
ref_setup; lab_topology '"127.0.0.1"'   # Server-B relays for 127.0.0.1 (two-hop rows); Server's one hop is local delivery either way
has() { [[ " $PHASES " == *" $1 "* ]]; }
# lab_topology has just written perf.yaml and its zones; the lab's load cache does not keep a file
# written within the second before a load (lab/topology/load-cache.ts), so every start would load
# yaml and zod again (+14 MB). Dated back, they are kept by the first start, as a class's files are.
backdate() { touch -d '-5 seconds' "$LTOPO" "$LRUN"/*.zone; }
backdate
lab_start; lab_stop   # fills Node's compile cache and the load cache, as a class's first `npm run lab` does for the next

# ---------------------------------------------------------------- relay rule from outside
if has relaycheck; then
  lab_topology '"127.0.0.1", "127"'; backdate; lab_start
  { echo "## relaycheck: Server-B relay: [192.168.111, 127.0.0.1, 127]; swaks from outside to Server-B, no AUTH"
    grep -n 'relay:' "$LTOPO"
    swaks --server 127.0.0.1 --port $L_SMTPB --from kim@daum.net --to lee@naver.com --body relaycheck 2>&1 | grep -E '^<[-*~]|^ ->.*RCPT' || true; } >> "$RAW"
  lab_stop; lab_topology '"127.0.0.1"'; backdate
fi

# ---------------------------------------------------------------- 1. DNS
dns_side() {  # side pid rep
  local side=$1 pid=$2 rep=$3 before after perf
  ( cd "$ANCH" && dnsperf -s 127.0.0.1 -p "$4" -d dns/queries.txt -l "$WARMUP" -c 1 -T 1 -q 100 >/dev/null 2>&1 )
  before=$(mem "$pid")
  perf=$(cd "$ANCH" && dnsperf -s 127.0.0.1 -p "$4" -d dns/queries.txt -l "$DURATION" -c 1 -T 1 -q 100 2>&1)
  after=$(mem "$pid")
  { echo "## dns $side rep $rep: dnsperf -s 127.0.0.1 -p $4 -d dns/queries.txt -l $DURATION -c 1 -T 1 -q 100"; echo "$perf" | grep -E 'Queries|Response codes|Latency'; echo "before $before after $after"; } >> "$RAW"
  local qps lavg lost cpu
  qps=$(awk '/Queries per second:/{print $4}' <<<"$perf"); lost=$(awk '/Queries lost:/{print $3}' <<<"$perf")
  lavg=$(awk '/Average Latency \(s\):/{print $4*1000}' <<<"$perf"); cpu=$(jq -n "$(j .cpu_s "$after") - $(j .cpu_s "$before")")
  emit dns qps queries/s "$qps" "$rep" "$side"; emit dns latency_avg ms "$lavg" "$rep" "$side"
  emit dns queries_lost queries "$lost" "$rep" "$side"; emit dns server_cpu_20s CPU-s "$cpu" "$rep" "$side"
  emit dns rss_after KiB "$(j .rss_kb "$after")" "$rep" "$side"; emit dns pss_after KiB "$(j .pss_kb "$after")" "$rep" "$side"
  emit dns peak_rss_VmHWM KiB "$(j .hwm_kb_root "$after")" "$rep" "$side"
  log "dns $side rep $rep: $qps q/s, lat $lavg ms, lost $lost, cpu $cpu"
}
# The floor under the lab's DNS memory: bench/dns-floor.cjs, Node answering NXDOMAIN to every query
# and nothing else, its heap held small as the lab's is (side "floor"; DNS_FLOOR=0 leaves it out).
DNS_FLOOR="${DNS_FLOOR:-1}"; F_DNS=$((R_DNS + 1000)); FLOOR_PID=""
floor_start() {
  port_free $F_DNS || { log "floor port $F_DNS busy"; exit 1; }
  node --max-semi-space-size=2 --max-old-space-size=16 "$LABDIR/bench/dns-floor.cjs" $F_DNS > "$RUN/floor.out" 2>&1 & FLOOR_PID=$!
  for _ in $(seq 100); do grep -q READY "$RUN/floor.out" && return 0; sleep 0.05; done; log "dns-floor did not start"; exit 1
}
floor_stop() { [ -z "$FLOOR_PID" ] && return 0; kill "$FLOOR_PID" 2>/dev/null || true; wait "$FLOOR_PID" 2>/dev/null || true; FLOOR_PID=""; }
trap 'cleanup_all; floor_stop' EXIT
if has dns; then
  for rep in $(seq "$REPS"); do
    lab_start; dns_side lab "$LAB_PID" "$rep" $L_DNS; lab_stop
    named_stop; "$PY" "$ANCH/tools/coldstart.py" dns $R_DNS 30 -- named -c "$NAMED_D/named.conf" -u bind >/dev/null
    dns_side ref "$(named_pid)" "$rep" $R_DNS; named_stop
    if [ "$DNS_FLOOR" = 1 ]; then floor_start; dns_side floor "$FLOOR_PID" "$rep" $F_DNS; floor_stop; fi
  done
fi

# ---------------------------------------------------------------- 2+3+6. SMTP
smtp_side() {  # side bench "pid..." port maildir rep [extra]   (pids: every process tree measured, summed)
  local side=$1 b=$2 port=$4 md=$5 rep=$6; local -a pids; read -r -a pids <<<"$3"; shift 6
  local idle after peak r cpu sp stopf="$RUN/sampler.stop"
  idle=$(mem "${pids[@]}"); rm -f "$stopf"
  "$PY" "$ANCH/tools/procmem.py" --sample 0.2 --until "$stopf" "${pids[@]}" > "$RUN/sampler.out" & sp=$!
  r=$("$PY" "$ANCH/tools/smtp_run.py" --maildir "$md" --expect "$MSGS" --timeout 120 -- "${SRC[@]}" "$@" "127.0.0.1:$port")
  after=$(mem "${pids[@]}"); touch "$stopf"; wait "$sp"; peak=$(cat "$RUN/sampler.out")
  cpu=$(jq -n "$(j .cpu_s "$after") - $(j .cpu_s "$idle")")
  local n; n=$(find "$md/new" "$md/cur" -type f 2>/dev/null | wc -l)
  { echo "## $b $side rep $rep: ${SRC[*]} $* 127.0.0.1:$port"; echo "run: $r"; echo "idle $idle after $after peak $peak files $n"; } >> "$RAW"
  emit "$b" accept_time s "$(j .source_s "$r")" "$rep" "$side"
  emit "$b" all_delivered_time s "$(j '.deliver_all_s // "null"' "$r")" "$rep" "$side"
  emit "$b" files_in_maildir files "$n" "$rep" "$side"
  emit "$b" cpu_during_run CPU-s "$cpu" "$rep" "$side"
  emit "$b" peak_rss KiB "$(j .peak_rss_kb "$peak")" "$rep" "$side"; emit "$b" peak_pss KiB "$(j .peak_pss_kb "$peak")" "$rep" "$side"
  emit "$b" rss_idle KiB "$(j .rss_kb "$idle")" "$rep" "$side"; emit "$b" hwm_root KiB "$(j .hwm_kb_root "$after")" "$rep" "$side"
  log "$b $side rep $rep: accepted $(j .source_s "$r") s, all delivered $(j .deliver_all_s "$r") s, files $n, cpu $cpu, peak rss $(j .peak_rss_kb "$peak") pss $(j .peak_pss_kb "$peak"), smtp-source rc $(j .rc "$r") $(j .stderr_tail "$r" | tail -2 | tr '\n' ' ')"
}
# Postfix over the same two hops, the like-for-like reference of the lab's two-hop rows (which the
# issue holds against Postfix's ONE hop): a second instance, mail.daum.net on R_SMTPB, relays
# naver.com to the anchor instance (mail.naver.com) by transport_maps, as the lab's Server-B
# relays to Server; both instances' process trees are measured together. PF2=0 leaves it out.
R_SMTPB=$((R_SMTP + 1)); PFB="$RUN/postfix-b"; PFB_CONF="$PFB/etc"
pfb_setup() {
  mkdir -p "$PFB_CONF" "$PFB/spool" "$PFB/lib"; chown postfix:postfix "$PFB/lib"; : > "$PFB/maillog"
  sed -e "s#^queue_directory = .*#queue_directory = $PFB/spool#" -e "s#^data_directory = .*#data_directory = $PFB/lib#" \
      -e "s#^myhostname = .*#myhostname = mail.daum.net#" -e "s#^mydomain = .*#mydomain = daum.net#" \
      -e "s#^maillog_file = .*#maillog_file = $PFB/maillog#" -e "/^virtual_/d" "$PF_CONF/main.cf" > "$PFB_CONF/main.cf"
  printf '%s\n' '# Server-B: naver.com is relayed to the first instance (mail.naver.com)' 'relay_domains = naver.com' \
    "transport_maps = inline:{ naver.com=smtp:[127.0.0.1]:$R_SMTP }" >> "$PFB_CONF/main.cf"
  sed -e "s/^127.0.0.1:$R_SMTP /127.0.0.1:$R_SMTPB /" "$PF_CONF/master.cf" > "$PFB_CONF/master.cf"
  grep -q "^127.0.0.1:$R_SMTPB " "$PFB_CONF/master.cf" || { log "postfix-b port rewrite failed"; exit 1; }
  postfix -c "$PFB_CONF" check
}
pfb_pid() { local p; p=$(sed -n 's/ //gp;' "$PFB/spool/pid/master.pid" 2>/dev/null || true); pid_alive "$p" && echo "$p" || true; }
pfb_stop() { local p; p=$(pfb_pid); if [ -n "$p" ]; then postfix -c "$PFB_CONF" stop >/dev/null 2>&1 || true; for _ in $(seq 100); do pid_alive "$p" || break; sleep 0.1; done; fi; }
pfb_queue_count() { find "$PFB/spool/incoming" "$PFB/spool/active" "$PFB/spool/deferred" "$PFB/spool/maildrop" -type f 2>/dev/null | wc -l; }
PF2="${PF2:-1}"
if has smtp && [ "$PF2" = 1 ]; then port_free "$R_SMTPB" || { log "reference port $R_SMTPB busy"; exit 1; }; pfb_setup; trap 'cleanup_all; floor_stop; pfb_stop' EXIT; fi
ref_two_hops() {  # variant rep [extra]: Postfix-B -> Postfix -> lee's Maildir
  local variant=$1 rep=$2; shift 2
  pf_stop; pfb_stop; rm -rf "$RUN/mail/naver.com"
  [ "$(pf_queue_count)" = 0 ] && [ "$(pfb_queue_count)" = 0 ] || { log "postfix queue not empty"; exit 1; }
  "$PY" "$ANCH/tools/coldstart.py" smtp $R_SMTP 30 -- postfix -c "$PF_CONF" start >/dev/null
  "$PY" "$ANCH/tools/coldstart.py" smtp $R_SMTPB 30 -- postfix -c "$PFB_CONF" start >/dev/null
  smtp_side ref "smtp2hop-postfix:$variant" "$(pf_pid) $(pfb_pid)" $R_SMTPB "$RMAILDIR" "$rep" "$@"; pfb_stop; pf_stop
}
if has smtp; then
  for variant in conn-per-msg reuse-conn; do
    extra=(); [ "$variant" = reuse-conn ] && extra=(-d)
    for rep in $(seq "$REPS"); do
      lab_start; smtp_side lab "smtp1:$variant" "$LAB_PID" $L_SMTP "$LMAILDIR" "$rep" "${extra[@]}"; lab_stop
      cat "$LRUN/driver.err" | tail -1 >> "$RAW"
      # before the one hop: the corpus below is Postfix's one-hop letters
      if [ "$PF2" = 1 ]; then ref_two_hops "$variant" "$rep" "${extra[@]}"; fi
      pf_stop; rm -rf "$RUN/mail/naver.com"; [ "$(pf_queue_count)" = 0 ] || { log "postfix queue not empty"; exit 1; }
      "$PY" "$ANCH/tools/coldstart.py" smtp $R_SMTP 30 -- postfix -c "$PF_CONF" start >/dev/null
      smtp_side ref "smtp1:$variant" "$(pf_pid)" $R_SMTP "$RMAILDIR" "$rep" "${extra[@]}"; pf_stop
      two_hop_start; smtp_side lab "smtp2hop:$variant" "$LAB_PID" $TWO_PORT "$LMAILDIR" "$rep" "${extra[@]}"; lab_stop
      cat "$LRUN/driver.err" | tail -1 >> "$RAW"
    done
  done
  rm -rf "$RUN/corpus"; cp -a "$RMAILDIR/new" "$RUN/corpus"   # 5000 Postfix-delivered letters for step 4
fi

# ---------------------------------------------------------------- 4. IMAP / POP3
mail_side() {  # side pid imapport popport user pass rep
  local side=$1 pid=$2 ip=$3 pp=$4 u=$5 pw=$6 rep=$7 c0 c1 c2 c3 c4 cold warm pop mix sp peak stopf="$RUN/sampler.stop"
  rm -f "$stopf"; "$PY" "$ANCH/tools/procmem.py" --sample 0.2 --until "$stopf" "$pid" > "$RUN/sampler.out" & sp=$!
  c0=$(mem "$pid" | jq .cpu_s); cold=$("$PY" "$ANCH/tools/mailclient.py" imap "$ip" "$u" "$pw")
  c1=$(mem "$pid" | jq .cpu_s); warm=$("$PY" "$ANCH/tools/mailclient.py" imap "$ip" "$u" "$pw")
  c2=$(mem "$pid" | jq .cpu_s); pop=$("$PY" "$ANCH/tools/mailclient.py" pop3 "$pp" "$u" "$pw")
  c3=$(mem "$pid" | jq .cpu_s); mix=$("$PY" "$ANCH/tools/mailclient.py" imapmix "$ip" "$u" "$pw" "$MIX_SECONDS" "$MIX_PROCS")
  c4=$(mem "$pid" | jq .cpu_s); touch "$stopf"; wait "$sp"; peak=$(cat "$RUN/sampler.out")
  { echo "## mail $side rep $rep"; echo "cold $cold"; echo "warm $warm"; echo "pop3 $pop"; echo "mix $mix"; echo "cpu $c0 $c1 $c2 $c3 $c4 peak $peak"; } >> "$RAW"
  for k in cold warm; do local x=$cold; [ $k = warm ] && x=$warm
    emit "imap:$k" select ms "$(j '.select_s*1000' "$x")" "$rep" "$side"
    emit "imap:$k" fetch_envelope s "$(j .fetch_envelope_s "$x")" "$rep" "$side"
    emit "imap:$k" fetch_header s "$(j .fetch_header_s "$x")" "$rep" "$side"
    emit "imap:$k" fetch_body s "$(j .fetch_full_s "$x")" "$rep" "$side"
    emit "imap:$k" msgs_in_fetch msgs "$(j .fetch_full_msgs "$x")" "$rep" "$side"
  done
  emit imap:cold server_cpu_session CPU-s "$(jq -n "$c1 - $c0")" "$rep" "$side"
  emit imap:warm server_cpu_session CPU-s "$(jq -n "$c2 - $c1")" "$rep" "$side"
  emit pop3 retr_all s "$(j .retr_all_s "$pop")" "$rep" "$side"; emit pop3 messages msgs "$(j .messages "$pop")" "$rep" "$side"
  emit pop3 server_cpu_session CPU-s "$(jq -n "$c3 - $c2")" "$rep" "$side"
  emit imapmix sessions_per_s sessions/s "$(j .sessions_per_s "$mix")" "$rep" "$side"
  emit imapmix p50 ms "$(j .session_p50_ms "$mix")" "$rep" "$side"; emit imapmix p99 ms "$(j .session_p99_ms "$mix")" "$rep" "$side"
  emit imapmix errors count "$(j .errors "$mix")" "$rep" "$side"; emit imapmix server_cpu CPU-s "$(jq -n "$c4 - $c3")" "$rep" "$side"
  emit mailphase peak_rss KiB "$(j .peak_rss_kb "$peak")" "$rep" "$side"; emit mailphase peak_pss KiB "$(j .peak_pss_kb "$peak")" "$rep" "$side"
  log "mail $side rep $rep: cold env $(j .fetch_envelope_s "$cold") warm env $(j .fetch_envelope_s "$warm") body $(j .fetch_full_s "$warm") pop3 $(j .retr_all_s "$pop") mix $(j .sessions_per_s "$mix")/s err $(j .errors "$mix")"
}
if has mail; then
  [ "$(ls "$RUN/corpus" | wc -l)" = "$MSGS" ] || { log "no corpus: run PHASES=smtp first"; exit 1; }
  for rep in $(seq "$REPS"); do
    rm -rf "$LDATA"; mkdir -p "$LMAILDIR/new" "$LMAILDIR/cur" "$LMAILDIR/tmp"; cp "$RUN/corpus/"* "$LMAILDIR/new/"   # no mail-lab.index, no dovecot-uidlist: cold
    LAB_CLEAN=0 lab_start; mail_side lab "$LAB_PID" $L_IMAP $L_POP lee 1234 "$rep"; lab_stop
    dv_stop; rm -rf "$RUN/mail/naver.com/lee/Maildir"; mkdir -p "$RMAILDIR/cur" "$RMAILDIR/tmp"; cp -a "$RUN/corpus" "$RMAILDIR/new"; chown -R vmail:vmail "$RUN/mail"
    "$PY" "$ANCH/tools/coldstart.py" imap $R_IMAP 30 -- dovecot -c "$DV_CONF" >/dev/null
    mail_side ref "$(dv_pid)" $R_IMAP $R_POP lee@naver.com lab "$rep"; dv_stop
  done
fi

# ---------------------------------------------------------------- 5. cold start
if has cold; then
  LT=(dns:$L_DNS smtp:$L_SMTP smtp:$L_SMTPB pop3:$L_POP pop3:$L_POPB imap:$L_IMAP imap:$L_IMAPB)
  # One start untimed first, so that both rows find the lab's load cache (lab/topology/load-cache.ts)
  # as every start after a first one does: this run's topology file is new, and without it the
  # first rep's `npm run lab` missed the cache and the `node lab/cli.ts` after it did not.
  "$PY" "$SBS/coldstart_all.py" --kill 30 "${LT[@]}" -- bash -c "cd '$LABDIR' && exec node lab/cli.ts --topology '$LTOPO' --data '$LRUN/cold' --clean --no-color" > /dev/null
  for rep in $(seq "$REPS"); do
    r=$("$PY" "$SBS/coldstart_all.py" --kill 30 "${LT[@]}" -- bash -c "cd '$LABDIR' && exec npm run lab -- --topology '$LTOPO' --data '$LRUN/cold' --clean --no-color")
    echo "## cold npm run lab rep $rep: $r" >> "$RAW"; emit cold npm_run_lab ms "$(j .all_ms "$r")" "$rep" lab
    r=$("$PY" "$SBS/coldstart_all.py" --kill 30 "${LT[@]}" -- bash -c "cd '$LABDIR' && exec node lab/cli.ts --topology '$LTOPO' --data '$LRUN/cold' --clean --no-color")
    echo "## cold node lab/cli.ts rep $rep: $r" >> "$RAW"; emit cold node_cli ms "$(j .all_ms "$r")" "$rep" lab
    named_stop; pf_stop; dv_stop
    r=$("$PY" "$SBS/coldstart_all.py" 30 dns:$R_DNS smtp:$R_SMTP imap:$R_IMAP pop3:$R_POP -- bash -c \
        "named -c '$NAMED_D/named.conf' -u bind & postfix -c '$PF_CONF' start >/dev/null 2>&1 & dovecot -c '$DV_CONF' & wait")
    echo "## cold named+postfix+dovecot rep $rep: $r" >> "$RAW"; emit cold npm_run_lab ms "$(j .all_ms "$r")" "$rep" ref; emit cold node_cli ms "$(j .all_ms "$r")" "$rep" ref
    # 6. the three daemons idle, together
    m=$(mem "$(named_pid)" "$(pf_pid)" "$(dv_pid)"); echo "three daemons idle: $m" >> "$RAW"
    emit idle3 pss KiB "$(j .pss_kb "$m")" "$rep" ref; emit idle3 rss KiB "$(j .rss_kb "$m")" "$rep" ref
    named_stop; pf_stop; dv_stop
    lab_start; m=$(mem "$LAB_PID"); lab_stop; emit idle3 pss KiB "$(j .pss_kb "$m")" "$rep" lab; emit idle3 rss KiB "$(j .rss_kb "$m")" "$rep" lab
    log "cold rep $rep done"
  done
fi

# ---------------------------------------------------------------- CPU profile of the lab under SMTP load
if has prof; then
  P="$RES/prof"; rm -rf "$P"; mkdir -p "$P"
  LAB_NODE_OPTS="$LAB_NODE_OPTS --cpu-prof --cpu-prof-dir=$P/one-hop" lab_start; smtp_side lab prof:1hop-conn "$LAB_PID" $L_SMTP "$LMAILDIR" 1; lab_stop
  LAB_NODE_OPTS="$LAB_NODE_OPTS --cpu-prof --cpu-prof-dir=$P/two-hop" two_hop_start; smtp_side lab prof:2hop-reuse "$LAB_PID" $TWO_PORT "$LMAILDIR" 1 -d; lab_stop
  for d in one-hop two-hop; do "$PY" "$SBS/cpuprof_top.py" "$P/$d"/*.cpuprofile > "$P/$d.top.txt"; done
fi

# ---------------------------------------------------------------- the project's own bench
if has bench; then
  ( cd "$LABDIR" && timeout 600 npm run bench ) > "$RES/npm-run-bench.txt" 2>&1 || log "npm run bench rc $?"
fi
"$PY" "$SBS/summarize.py" "$OUT" > "$RES/summary.md"; log "summary: $RES/summary.md"
