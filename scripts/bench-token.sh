#!/usr/bin/env bash
# Benchmark: `oauthdesk token HANDLE --force` (a whole process: store, keyring, exchange)
# against the same client-credentials exchange made by curl, against the same local
# oidc-provider, interleaved, RUNS times each; also the cached `token`. Prints medians and
# ratios. Run through `make bench` (it provides the keyring session and a release build).
set -euo pipefail
RUNS=${RUNS:-40}
cd "$(dirname "$0")/.."
BIN=${OAUTHDESK_BIN:-target/release/oauthdesk}
DATA=$(mktemp -d)
FIFO=$(mktemp -u)
mkfifo "$FIFO"
exec 3<>"$FIFO"
node tests/servers/oidc.mjs <&3 >"$DATA/server.out" 2>/dev/null &
server=$!
trap 'exec 3>&-; kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$DATA" "$FIFO"' EXIT
for _ in $(seq 1 100); do grep -q READY "$DATA/server.out" 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '/READY/ {print $2}' "$DATA/server.out")
[ -n "$PORT" ] || { echo "bench: the OAuth server did not start" >&2; exit 1; }
URL="http://127.0.0.1:$PORT/token"

printf 'basic-secret' | "$BIN" --data-dir "$DATA" add client-credentials --handle bench \
  --set token_url="$URL" --set client_id=cc-basic --set scopes=api --secret-stdin >/dev/null
"$BIN" --data-dir "$DATA" token bench --force >/dev/null   # warm up both sides
curl -s -o /dev/null -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=api "$URL"

now() { date +%s%N; }
: >"$DATA/desk"; : >"$DATA/curl"; : >"$DATA/cached"
for _ in $(seq 1 "$RUNS"); do
  t=$(now); "$BIN" --data-dir "$DATA" token bench --force >/dev/null; echo $(( $(now) - t )) >>"$DATA/desk"
  t=$(now); curl -sf -o /dev/null -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=api "$URL"; echo $(( $(now) - t )) >>"$DATA/curl"
  t=$(now); "$BIN" --data-dir "$DATA" token bench >/dev/null; echo $(( $(now) - t )) >>"$DATA/cached"
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1e6}'; }
desk=$(median "$DATA/desk"); curl_ms=$(median "$DATA/curl"); cached=$(median "$DATA/cached")
echo "runs: $RUNS each, interleaved, against oidc-provider on 127.0.0.1"
echo "median oauthdesk token --force: ${desk} ms"
echo "median curl exchange:           ${curl_ms} ms"
echo "median oauthdesk token (cache): ${cached} ms"
awk -v a="$desk" -v b="$curl_ms" -v c="$cached" 'BEGIN {
  printf "ratio exchange/curl: %.2fx (target: at most 1.5x)\n", a/b
  printf "ratio cached/curl:   %.2fx (target: below 1x)\n", c/b }'
