#!/usr/bin/env bash
# Stress: WRITERS processes (default 8) add, edit and remove profiles in one store for SECS
# seconds (default 30); prints how many commands ran and how many failed, and how many of
# those said "database is locked". Run inside a keyring session, e.g.
#   scripts/with-keyring.sh scripts/stress-writers.sh
set -euo pipefail
WRITERS=${WRITERS:-8}
SECS=${SECS:-30}
cd "$(dirname "$0")/.."
BIN=${OAUTHDESK_BIN:-target/debug/oauthdesk}
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
printf 's' | "$BIN" --data-dir "$DATA" add client-credentials --handle seed --set token_url=https://a.example.com/t \
  --set client_id=c --secret-stdin >/dev/null
writer() {
  local w=$1 end=$((SECONDS + SECS)) i=0 runs=0 fails=0 locked=0 err
  while [ $SECONDS -lt $end ]; do
    i=$((i + 1))
    case $((i % 3)) in
      0) err=$(printf 's' | "$BIN" --data-dir "$DATA" add client-credentials --handle "w$w-$i" \
            --set token_url=https://a.example.com/t --set client_id=c --secret-stdin 2>&1 >/dev/null) || fails=$((fails + 1)) ;;
      1) err=$(printf 's2' | "$BIN" --data-dir "$DATA" edit seed --label "L$w-$i" --secret-stdin 2>&1 >/dev/null) || fails=$((fails + 1)) ;;
      2) [ $i -gt 2 ] && { err=$("$BIN" --data-dir "$DATA" remove "w$w-$((i - 2))" 2>&1 >/dev/null) || fails=$((fails + 1)); } ;;
    esac
    runs=$((runs + 1))
    [ -n "$err" ] && echo "$err" >>"$DATA/errors.$w"
    case "$err" in *locked*|*busy*) locked=$((locked + 1)) ;; esac
  done
  echo "$runs $fails $locked"
}
for w in $(seq 1 "$WRITERS"); do writer "$w" >"$DATA/w$w" & done
wait
cat "$DATA"/w* | awk -v w="$WRITERS" -v s="$SECS" '{r += $1; f += $2; l += $3} END {
  printf "%d writers for %d s: %d commands, %d failed, %d of them \"database is locked\"\n", w, s, r, f, l }'
cat "$DATA"/errors.* 2>/dev/null | sort | uniq -c | sort -rn | head -5
