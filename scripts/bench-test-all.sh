#!/usr/bin/env bash
# Benchmark: `oauthdesk test --all --parallel N` over PROFILES client-credentials profiles
# against the same local oidc-provider as `curl --parallel --parallel-max N` making the same
# PROFILES token requests from one process (a config file of PROFILES url/user/data entries).
# The server's tokens live CC_TTL=30 seconds, less than the renewal margin (60 s), so every
# Test all exchanges every profile's token instead of answering from the cache: both sides
# make exactly PROFILES requests (the server's count is checked). Interleaved, RUNS times
# each; prints the medians and the ratio. Run through `make bench` (it provides the keyring
# session and a release build).
set -euo pipefail
RUNS=${RUNS:-7}
PROFILES=${PROFILES:-1000}
PARALLEL=${PARALLEL:-8}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
start_oidc CC_TTL=30
STORE="$DATA/store"
make_store "$STORE" "$PROFILES"

# curl's side: the same requests from one process, `next` between them.
for i in $(seq 1 "$PROFILES"); do
  [ "$i" -eq 1 ] || echo next
  printf 'url = "%s"\nuser = "cc-basic:basic-secret"\ndata = "grant_type=client_credentials&scope=api"\noutput = "/dev/null"\n' "$OIDC_URL/token"
done >"$DATA/curl.conf"

desk_run() { "$BIN" --data-dir "$STORE" test --all --parallel "$PARALLEL" >"$DATA/desk.out" || { tail -3 "$DATA/desk.out" >&2; echo "bench: Test all failed" >&2; return 1; }; }
curl_run() { curl -sf --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$DATA/curl.conf"; }

interleaved "Test all"
echo "Test all: $PROFILES client-credentials profiles, $PARALLEL at a time, $RUNS runs each, interleaved, against oidc-provider on 127.0.0.1"
echo "median oauthdesk test --all --parallel $PARALLEL: ${DESK_MS} ms"
echo "median curl --parallel --parallel-max $PARALLEL:  ${CURL_MS} ms"
awk -v a="$DESK_MS" -v b="$CURL_MS" 'BEGIN { printf "ratio test --all/curl: %.2fx (target: at most 1.5x)\n", a/b }'
echo "median of each run's own ratio: ${PAIRED}x"
