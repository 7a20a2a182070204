#!/usr/bin/env bash
# Benchmark: a team's health in CI. `oauthdesk test --all --team DIR --parallel N` over a
# team folder of PROFILES client-credentials profiles whose client secrets come from the
# vault (one KV v2 entry per profile, `vault://secret/bench/pNNNN#client_secret`, so every
# profile makes its own vault read: no read is shared), run as CI runs it (no keyring, a
# throwaway store), against `curl --parallel --parallel-max N` making the same requests from
# one process: PROFILES vault reads (GET v1/secret/data/bench/pNNNN with the vault token)
# and PROFILES token requests to the same local oidc-provider. OpenBao's dev server
# (`bao server -dev`, in memory) is the vault. The provider's tokens live CC_TTL=30 s and
# the store is new each run, so every run makes every exchange (the server's count is
# checked: both sides make exactly PROFILES token requests). Interleaved, RUNS times each;
# prints the medians and the ratio. Run through `make bench` (it provides the release build
# and .venv-test's bao); no keyring session is needed.
set -euo pipefail
RUNS=${RUNS:-5}
PROFILES=${PROFILES:-1000}
PARALLEL=${PARALLEL:-8}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
BAO=${BAO_BIN:-.venv-test/bin/bao}
SECRET="bench-team-client-secret-$$-$RANDOM$RANDOM"
start_oidc CC_TTL=30 ROTATING_SECRET="$SECRET"

# The vault: OpenBao's dev server on a free port, stopped with the provider on exit.
BAO_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
VAULT="http://127.0.0.1:$BAO_PORT"
ROOT="bench-root-token-$$"
HOME="$DATA" "$BAO" server -dev -dev-listen-address="127.0.0.1:$BAO_PORT" -dev-root-token-id="$ROOT" >"$DATA/bao.out" 2>&1 &
BAO_PID=$!
trap 'kill "$BAO_PID" 2>/dev/null || true; wait "$BAO_PID" 2>/dev/null || true; stop_oidc; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -sf "$VAULT/v1/sys/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -sf "$VAULT/v1/sys/health" >/dev/null || { echo "bench: the vault did not start" >&2; exit 1; }

handle() { printf 'p%04d' "$1"; }

# One KV entry per profile, written through the vault's API in parallel.
for i in $(seq 0 $((PROFILES - 1))); do
  [ "$i" -eq 0 ] || echo next
  printf 'url = "%s/v1/secret/data/bench/%s"\nheader = "X-Vault-Token: %s"\ndata = "{\\"data\\":{\\"client_secret\\":\\"%s\\"}}"\noutput = "/dev/null"\n' \
    "$VAULT" "$(handle "$i")" "$ROOT" "$SECRET"
done >"$DATA/put.conf"
curl -sf --no-progress-meter --parallel --parallel-max 16 -K "$DATA/put.conf"

# The team folder: the folder file and one file per profile.
TEAM="$DATA/team"
mkdir -p "$TEAM/profiles"
printf '{\n  "format": "oauthdesk-team",\n  "version": 1\n}\n' >"$TEAM/oauthdesk-team.json"
for i in $(seq 0 $((PROFILES - 1))); do
  h=$(handle "$i")
  printf '{\n  "fields": {\n    "client_id": "cc-rotating",\n    "scopes": "api",\n    "token_url": "%s"\n  },\n  "handle": "%s",\n  "label": "Profile %s",\n  "secret_ref": "vault://secret/bench/%s#client_secret",\n  "template": "client-credentials",\n  "version": 1\n}\n' \
    "$OIDC_URL/token" "$h" "$i" "$h" >"$TEAM/profiles/$h.json"
done

# curl's side: the same vault reads and token requests from one process, `next` between them.
for i in $(seq 0 $((PROFILES - 1))); do
  [ "$i" -eq 0 ] || echo next
  printf 'url = "%s/v1/secret/data/bench/%s"\nheader = "X-Vault-Token: %s"\noutput = "/dev/null"\nnext\n' "$VAULT" "$(handle "$i")" "$ROOT"
  printf 'url = "%s"\nuser = "cc-rotating:%s"\ndata = "grant_type=client_credentials&scope=api"\noutput = "/dev/null"\n' "$OIDC_URL/token" "$SECRET"
done >"$DATA/curl.conf"

# As a CI job runs it: no keyring, no D-Bus session, the vault's address and token from the environment.
desk_run() {
  env -u DBUS_SESSION_BUS_ADDRESS VAULT_ADDR="$VAULT" VAULT_TOKEN="$ROOT" \
    "$BIN" test --all --team "$TEAM" --parallel "$PARALLEL" >"$DATA/desk.out" 2>&1 \
    || { tail -5 "$DATA/desk.out" >&2; echo "bench: test --all --team failed" >&2; return 1; }
}
curl_run() { curl -sf --no-progress-meter --parallel --parallel-max "$PARALLEL" -K "$DATA/curl.conf"; }

interleaved "the team run"
echo "Team health: $PROFILES client-credentials profiles from a team folder, each secret read from its own vault entry (OpenBao dev server), $PARALLEL at a time, $RUNS runs each, interleaved"
echo "median oauthdesk test --all --team --parallel $PARALLEL: ${DESK_MS} ms"
echo "median curl --parallel --parallel-max $PARALLEL ($PROFILES vault reads + $PROFILES token requests): ${CURL_MS} ms"
awk -v a="$DESK_MS" -v b="$CURL_MS" 'BEGIN { printf "ratio test --all --team/curl: %.2fx (target: at most 1.5x)\n", a/b }'
echo "median of each run's own ratio: ${PAIRED}x"
