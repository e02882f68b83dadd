#!/usr/bin/env python3
"""The issue's table from one or more runs of bench/side-by-side/run.sh.

  python3 bench/side-by-side/table.py RESULTS_DIR... [--jsonl ALL.jsonl]

Each RESULTS_DIR holds a side-by-side.jsonl (SBS_RESULTS of a run). The reps of run k are
renumbered k*10+rep, so pairs stay within one run. Each row is the median of lab / reference
over the pairs of the same rep, with its min and max. The two-hop rows are paired twice: with
Postfix's one hop (the issue's goal) and with Postfix over the same two hops (smtp2hop-postfix,
two instances, mail.daum.net relaying to mail.naver.com: the like-for-like figure). The DNS
memory row has a third line, side "floor": bench/dns-floor.cjs under the same load.
"""
import json, statistics as st, sys
from collections import defaultdict

args = sys.argv[1:]
out = None
if '--jsonl' in args:
    i = args.index('--jsonl'); out = args[i + 1]; del args[i:i + 2]
if not args:
    sys.exit(__doc__)
rows = []
for k, folder in enumerate(args):
    try:
        lines = open(f'{folder}/side-by-side.jsonl').readlines()
    except OSError as err:
        sys.exit(f'table.py: {folder} holds no side-by-side.jsonl ({err.strerror}); give the SBS_RESULTS folder of a run (/tmp/sbs-results unless told)')
    for line in lines:
        if line.strip():
            r = json.loads(line); r['rep'] = (k + 1) * 10 + r['rep']; rows.append(r)
if out:
    open(out, 'w').write(''.join(json.dumps(r) + '\n' for r in rows))
d = defaultdict(lambda: defaultdict(dict))
for r in rows:
    d[(r['bench'], r['metric'])][r['side']][r['rep']] = r['value']

def pair(b, m, refb=None, side='lab'):
    lab = d[(b, m)][side]; ref = d[(refb or b, m)]['ref']
    ks = [k for k in lab if k in ref and lab[k] is not None and ref[k]]
    rat = [lab[k] / ref[k] for k in ks]
    return st.median(lab[k] for k in ks), st.median(ref[k] for k in ks), st.median(rat), min(rat), max(rat), len(rat)

def f(x):
    a = abs(x); return f'{x:,.0f}' if a >= 1000 else f'{x:.1f}' if a >= 100 else f'{x:.3g}'

P2 = 'smtp2hop-postfix:'
spec = [
    ('whole lab PSS idle (vs the three daemons)', 'idle3', 'pss', None, 'KiB', '<= 60 MB'),
    ('DNS RSS after 20 s of dnsperf', 'dns', 'rss_after', None, 'KiB', '<= 2x'),
    ('DNS RSS after the load: the floor, bench/dns-floor.cjs (vs named)', 'dns', 'rss_after', None, 'KiB', '-', 'floor'),
    ('DNS queries/s', 'dns', 'qps', None, 'q/s', '>= 0.8x'),
    ('DNS mean latency', 'dns', 'latency_avg', None, 'ms', '<= 1.5x'),
    ('two hops, new connection each: all in Maildir (vs Postfix one hop)', 'smtp2hop:conn-per-msg', 'all_delivered_time', 'smtp1:conn-per-msg', 's', '<= 1.0x'),
    ('two hops, new connection each: CPU (vs Postfix one hop)', 'smtp2hop:conn-per-msg', 'cpu_during_run', 'smtp1:conn-per-msg', 'CPU-s', '<= 1.0x'),
    ('two hops, reused connections: all in Maildir (vs Postfix one hop)', 'smtp2hop:reuse-conn', 'all_delivered_time', 'smtp1:reuse-conn', 's', '<= 1.0x'),
    ('two hops, reused: the last 250 (vs Postfix one hop)', 'smtp2hop:reuse-conn', 'accept_time', 'smtp1:reuse-conn', 's', '-'),
    ('two hops, new connection each: all in Maildir (vs Postfix two hops)', 'smtp2hop:conn-per-msg', 'all_delivered_time', P2 + 'conn-per-msg', 's', '-'),
    ('two hops, new connection each: CPU (vs Postfix two hops)', 'smtp2hop:conn-per-msg', 'cpu_during_run', P2 + 'conn-per-msg', 'CPU-s', '-'),
    ('two hops, reused connections: all in Maildir (vs Postfix two hops)', 'smtp2hop:reuse-conn', 'all_delivered_time', P2 + 'reuse-conn', 's', '-'),
    ('two hops, reused: CPU (vs Postfix two hops)', 'smtp2hop:reuse-conn', 'cpu_during_run', P2 + 'reuse-conn', 'CPU-s', '-'),
    ('one hop, new connection each', 'smtp1:conn-per-msg', 'all_delivered_time', None, 's', '<= 0.8x'),
    ('one hop, reused connections', 'smtp1:reuse-conn', 'all_delivered_time', None, 's', '<= 0.8x'),
    ('peak PSS, two hops, new connection each (vs Postfix one hop)', 'smtp2hop:conn-per-msg', 'peak_pss', 'smtp1:conn-per-msg', 'KiB', '<= 117 MB'),
    ('peak PSS, two hops, reused connections (vs Postfix one hop)', 'smtp2hop:reuse-conn', 'peak_pss', 'smtp1:reuse-conn', 'KiB', '<= 117 MB'),
    ('peak PSS, two hops, new connection each (vs Postfix two hops)', 'smtp2hop:conn-per-msg', 'peak_pss', P2 + 'conn-per-msg', 'KiB', '-'),
    ('IMAP cold SELECT', 'imap:cold', 'select', None, 'ms', '<= 1.0x'),
    ('IMAP cold FETCH 1:* ENVELOPE', 'imap:cold', 'fetch_envelope', None, 's', '<= 1.0x'),
    ('IMAP cold FETCH 1:* BODY.PEEK[HEADER]', 'imap:cold', 'fetch_header', None, 's', '<= 1.0x'),
    ('IMAP warm FETCH 1:* BODY.PEEK[HEADER]', 'imap:warm', 'fetch_header', None, 's', '<= 1.0x'),
    ('POP3 RETR 1..5000 in turn', 'pop3', 'retr_all', None, 's', '<= 1.0x'),
    ('cold start `node lab/cli.ts` (vs named+postfix+dovecot)', 'cold', 'node_cli', None, 'ms', '<= 1.0x'),
    ('cold start `npm run lab`', 'cold', 'npm_run_lab', None, 'ms', '<= 1.3x'),
]
print('| figure | lab / reference, median | ratio, median (min-max) | pairs | goal |')
print('|---|---|---|---:|---|')
for name, b, m, refb, u, goal, *side in spec:
    try:
        l, r, med, lo, hi, n = pair(b, m, refb, *side)
    except (ValueError, st.StatisticsError):
        continue   # not in these runs (PHASES, PF2=0)
    extra = f' (max {f(max(d[(b, m)]["lab"].values()) / 1000)} MB)' if m == 'peak_pss' else ''
    print(f'| {name} | {f(l)} / {f(r)} {u}{extra} | **{med:.3g}x** ({lo:.3g}-{hi:.3g}) | {n} | {goal} |')
