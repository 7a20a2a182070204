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
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
start_oidc
URL="$OIDC_URL/token"

bench_profile
"$BIN" --data-dir "$DATA" token bench --force >/dev/null   # warm up both sides
curl -s -o /dev/null -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=api "$URL"

: >"$DATA/desk"; : >"$DATA/curl"; : >"$DATA/cached"
for _ in $(seq 1 "$RUNS"); do
  t=$(now); "$BIN" --data-dir "$DATA" token bench --force >/dev/null; echo $(( $(now) - t )) >>"$DATA/desk"
  t=$(now); curl -sf -o /dev/null -u cc-basic:basic-secret -d grant_type=client_credentials -d scope=api "$URL"; echo $(( $(now) - t )) >>"$DATA/curl"
  t=$(now); "$BIN" --data-dir "$DATA" token bench >/dev/null; echo $(( $(now) - t )) >>"$DATA/cached"
done

desk=$(median_ms "$DATA/desk"); curl_ms=$(median_ms "$DATA/curl"); cached=$(median_ms "$DATA/cached")
echo "runs: $RUNS each, interleaved, against oidc-provider on 127.0.0.1"
echo "median oauthdesk token --force: ${desk} ms"
echo "median curl exchange:           ${curl_ms} ms"
echo "median oauthdesk token (cache): ${cached} ms"
awk -v a="$desk" -v b="$curl_ms" -v c="$cached" 'BEGIN {
  printf "ratio exchange/curl: %.2fx (target: at most 1.1x)\n", a/b
  printf "ratio cached/curl:   %.2fx (target: at most 0.5x)\n", c/b }'

# --- Size independence: the same commands in a small and a large store, and with a small
# and a large keyring (every store adds one item, its data key; other stores' keys fill it).
store_with() { # DIR N: a store with N other profiles and the bench profile
  mkdir -p "$1"
  profiles_json "$2" "$URL" | "$BIN" --data-dir "$1" import - >/dev/null
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
  echo "$1 $(median_ms "$DATA/t") $(median_ms "$DATA/a") $(median_ms "$DATA/e")"
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
