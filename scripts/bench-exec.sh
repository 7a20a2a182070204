#!/usr/bin/env bash
# Benchmark: `oauthdesk exec H -- COMMAND` (a cached token put in COMMAND's environment)
# against what a script does without it: the token read into a variable with `oauthdesk
# token H`, then COMMAND run with it; also COMMAND alone with the token already in its
# environment (what neither can go below). Interleaved, RUNS times each; prints medians and
# the ratio exec/script. Run through `make bench` (a keyring session and a release build).
set -euo pipefail
RUNS=${RUNS:-40}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
start_oidc
URL="$OIDC_URL/token"

bench_profile
"$BIN" --data-dir "$DATA" token bench >/dev/null   # the token is cached from here on
CHECK='test -n "$OAUTHDESK_TOKEN"'
"$BIN" --data-dir "$DATA" exec bench -- sh -c "$CHECK"

: >"$DATA/exec"; : >"$DATA/script"; : >"$DATA/bare"
for _ in $(seq 1 "$RUNS"); do
  t=$(now); "$BIN" --data-dir "$DATA" exec bench -- sh -c "$CHECK"; echo $(( $(now) - t )) >>"$DATA/exec"
  t=$(now); OAUTHDESK_TOKEN=$("$BIN" --data-dir "$DATA" token bench) sh -c "$CHECK"; echo $(( $(now) - t )) >>"$DATA/script"
  t=$(now); OAUTHDESK_TOKEN=ready sh -c "$CHECK"; echo $(( $(now) - t )) >>"$DATA/bare"
done

exec_ms=$(median_ms "$DATA/exec"); script_ms=$(median_ms "$DATA/script"); bare_ms=$(median_ms "$DATA/bare")
echo "runs: $RUNS each, interleaved, a cached token"
echo "median oauthdesk exec H -- sh -c CHECK:                ${exec_ms} ms"
echo "median OAUTHDESK_TOKEN=\$(oauthdesk token H) sh -c CHECK: ${script_ms} ms"
echo "median sh -c CHECK with the token already set:          ${bare_ms} ms"
awk -v a="$exec_ms" -v b="$script_ms" 'BEGIN { printf "ratio exec/script: %.2fx (target: at most 1.2x)\n", a/b }'
