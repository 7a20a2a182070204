#!/usr/bin/env bash
# Benchmark: `oauthdesk token HANDLE --force` (a whole process: store, key, exchange)
# against the same client-credentials exchange made by curl, against the same local
# oidc-provider, interleaved, RUNS times each; also the cached `token`. Then the same
# commands (and `add`, `edit`) in a store of 10 profiles and one of 10,000, and with a
# keyring of a few items and one of KEYRING_ITEMS more. Prints medians and ratios. Run
# through `make bench` (it provides the keyring session and a release build).
set -euo pipefail
RUNS=${RUNS:-40}
SIZE_RUNS=${SIZE_RUNS:-15}
BIG_STORE=${BIG_STORE:-10000}
KEYRING_ITEMS=${KEYRING_ITEMS:-1000}
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
  printf "ratio exchange/curl: %.2fx (target: at most 1.1x)\n", a/b
  printf "ratio cached/curl:   %.2fx (target: at most 0.5x)\n", c/b }'

# --- Size independence: the same commands in a small and a large store, and with a small
# and a large keyring (every store adds one item, its data key; other stores' keys fill it).
profiles_json() { # N: an export of N client-credentials profiles, without secrets
  node -e '
    const n = Number(process.argv[1]), url = process.argv[2];
    const profiles = Array.from({ length: n }, (_, i) => ({ handle: `p${i}`, label: `P ${i}`, template: "client-credentials",
      fields: { token_url: url, client_id: "cc-basic", client_auth: "basic", token_body: "form" } }));
    process.stdout.write(JSON.stringify({ format: "oauthdesk-profiles", version: 1, exported_at: new Date().toISOString(), profiles }));
  ' "$1" "$URL"
}
store_with() { # DIR N: a store with N other profiles and the bench profile
  mkdir -p "$1"
  profiles_json "$2" | "$BIN" --data-dir "$1" import - >/dev/null
  printf 'basic-secret' | "$BIN" --data-dir "$1" add client-credentials --handle bench \
    --set token_url="$URL" --set client_id=cc-basic --set scopes=api --secret-stdin >/dev/null
}
sizes() { # LABEL DIR: medians of token --force, add, edit in DIR
  local dir=$2 i
  : >"$DATA/t"; : >"$DATA/a"; : >"$DATA/e"
  for i in $(seq 1 "$SIZE_RUNS"); do
    t=$(now); "$BIN" --data-dir "$dir" token bench --force >/dev/null; echo $(( $(now) - t )) >>"$DATA/t"
    t=$(now); printf 's' | "$BIN" --data-dir "$dir" add client-credentials --handle "n$RANDOM$i" --set token_url="$URL" \
      --set client_id=c --secret-stdin >/dev/null; echo $(( $(now) - t )) >>"$DATA/a"
    t=$(now); printf 'basic-secret' | "$BIN" --data-dir "$dir" edit bench --label "L$i" --secret-stdin >/dev/null
    echo $(( $(now) - t )) >>"$DATA/e"
  done
  echo "$1 $(median "$DATA/t") $(median "$DATA/a") $(median "$DATA/e")"
}
store_with "$DATA/small" 10
store_with "$DATA/big" "$BIG_STORE"
small=$(sizes small "$DATA/small"); big=$(sizes big "$DATA/big")
for i in $(seq 1 "$KEYRING_ITEMS"); do   # other stores' keys: the keyring grows by one item each
  printf 's' | "$BIN" --data-dir "$DATA/k/$i" add client-credentials --handle k --set token_url="$URL" \
    --set client_id=c --secret-stdin >/dev/null
done
full=$(sizes full-keyring "$DATA/small")
echo
echo "medians of $SIZE_RUNS (ms):       token --force   add     edit"
echo "$small $big $full" | awk -v n="$BIG_STORE" -v k="$KEYRING_ITEMS" '{
  printf "store of 10 profiles        %8.2f %8.2f %8.2f\n", $2, $3, $4
  printf "store of %d profiles     %8.2f %8.2f %8.2f   (%.2fx %.2fx %.2fx; target at most 1.1x)\n", n, $6, $7, $8, $6/$2, $7/$3, $8/$4
  printf "keyring with %d more items %6.2f %8.2f %8.2f   (%.2fx %.2fx %.2fx; target at most 1.1x)\n", k, $10, $11, $12, $10/$2, $11/$3, $12/$4 }'
