#!/usr/bin/env bash
# Dovecot's imaptest (MIT), the IMAP compliance and stress tester, built against Debian 12's
# dovecot-dev, run against a running IMAP server.
#
#   imaptest.sh scripted PORT [USER] [PASS]   the scripted tests (src/tests): prints each failure,
#                                             ends with "imaptest scripted: N groups failed of M"
#   imaptest.sh stress PORT [USER] [PASS] [SECS] [CLIENTS]
#                                             random concurrent sessions; ends with "... errors: N"
#   imaptest.sh build                         only build (cached under $IMAPTEST_HOME)
#
# Source: github.com/dovecot/imaptest at 924f619 (the last tree that builds against dovecot 2.3),
# with dovecot-2.3.patch. The project's copy of ../shared/tools/imaptest, so that CI on a clean
# clone has it; it also checks for libdovecot.so (dovecot-core), which the build links with.
# The tests APPEND, STORE and EXPUNGE in the account's mailboxes: point it at a lab started with
# --ports auto or --data on a scratch folder, never at mail you keep.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
home=${IMAPTEST_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/imaptest-924f619}
bin=$home/imaptest/src/imaptest

# What the build needs: dovecot-dev's headers and dovecot-core's libdovecot.so (dovecot-dev does
# not pull dovecot-core in), the autotools and a compiler.
packages="dovecot-core dovecot-dev build-essential autoconf automake libtool pkg-config"
build() {
  [ -x "$bin" ] && return 0
  if ! [ -d /usr/include/dovecot ] || ! [ -e /usr/lib/dovecot/libdovecot.so ] || ! command -v autoreconf >/dev/null || ! command -v make >/dev/null; then
    # IMAPTEST_INSTALL=0 (the test suite): say what is missing instead of installing it
    if [ "$(id -u)" != 0 ] || [ "${IMAPTEST_INSTALL:-1}" = 0 ] || ! command -v apt-get >/dev/null; then
      echo "imaptest needs: apt-get install $packages" >&2; exit 2
    fi
    apt-get update -qq >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $packages >/dev/null
  fi
  rm -rf "$home"; mkdir -p "$home"
  tar -xzf "$here/imaptest-924f619.tar.gz" -C "$home"
  (cd "$home/imaptest" && echo 0.0.0+924f619 > version && patch -p1 -s < "$here/dovecot-2.3.patch" \
    && ./autogen.sh >"$home/build.log" 2>&1 \
    && ./configure --with-dovecot=/usr/lib/dovecot >>"$home/build.log" 2>&1 \
    && make -j2 >>"$home/build.log" 2>&1) || { tail -20 "$home/build.log" >&2; echo "imaptest build failed (log: $home/build.log)" >&2; exit 2; }
}

mode=${1:-}; port=${2:-}
user=${3:-lee@naver.com}; pass=${4:-1234}
case "$mode" in
  build) build ;;
  scripted)
    [ -n "$port" ] || { echo "usage: $0 scripted PORT [USER] [PASS]" >&2; exit 2; }
    build
    out=$(mktemp)
    LD_LIBRARY_PATH=/usr/lib/dovecot "$bin" host=127.0.0.1 port="$port" user="$user" pass="$pass" \
      test="$home/imaptest/src/tests" 2>&1 | tee "$out" || true
    total=$(ls "$home/imaptest/src/tests" | grep -vc '\.mbox$' || true)
    line=$(grep -E '^[0-9]+ test groups: [0-9]+ failed' "$out" | tail -1 || true)
    echo "imaptest scripted: ${line:-no summary line (see above)}"
    rm -f "$out"
    ;;
  stress)
    [ -n "$port" ] || { echo "usage: $0 stress PORT [USER] [PASS] [SECS] [CLIENTS]" >&2; exit 2; }
    build
    secs=${5:-20}; clients=${6:-5}
    # the messages it APPENDs, each with its own Message-ID (imaptest tracks them by it)
    [ -s "$home/stress.mbox" ] || python3 "$here/make-mbox.py" "$home/stress.mbox"
    out=$(mktemp)
    LD_LIBRARY_PATH=/usr/lib/dovecot timeout $((secs + 30)) "$bin" host=127.0.0.1 port="$port" user="$user" pass="$pass" \
      mbox="$home/stress.mbox" secs="$secs" clients="$clients" 2>&1 | tee "$out" >/dev/null || true
    { grep -E '^Error:' "$out" || true; } | sed -E 's/\[[0-9]+\]//; s/: \* .*//; s/failed: [0-9.]+ /failed: /; s/uid=[0-9]+ [^:]*: /uid=N: /' | sort | uniq -c | sort -rn | head -20
    tail -4 "$out"
    echo "imaptest stress (${secs}s, ${clients} clients) errors: $(grep -c '^Error:' "$out" || true)"
    rm -f "$out"
    ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
