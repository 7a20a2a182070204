# What the benchmarks share (sourced, not run, from the repository's root): the oauthdesk
# binary (BIN), a temporary directory (DATA) removed on exit with the local oidc-provider
# stopped (a script that adds to the EXIT trap keeps both), the server itself, and a store
# of many client-credentials profiles that use it.
BIN=${OAUTHDESK_BIN:-target/release/oauthdesk}
DATA=$(mktemp -d)
trap 'stop_oidc; rm -rf "$DATA"' EXIT

# Starts tests/servers/oidc.mjs on 127.0.0.1 (an ephemeral port), with the environment given
# as arguments (CC_TTL=30 ...); sets OIDC_PID and OIDC_URL (its token endpoint's base).
start_oidc() {
  local fifo port
  fifo=$(mktemp -u)
  mkfifo "$fifo"
  exec 3<>"$fifo"   # the server stops when its stdin closes, so when this shell ends too
  rm -f "$fifo"
  env "$@" node tests/servers/oidc.mjs <&3 >"$DATA/server.out" 2>/dev/null &
  OIDC_PID=$!
  for _ in $(seq 1 100); do grep -q READY "$DATA/server.out" 2>/dev/null && break; sleep 0.1; done
  port=$(awk '/READY/ {print $2}' "$DATA/server.out")
  [ -n "$port" ] || { echo "bench: the OAuth server did not start" >&2; return 1; }
  OIDC_URL="http://127.0.0.1:$port"
}

stop_oidc() {
  if [ -n "${OIDC_PID:-}" ]; then
    exec 3>&- || true
    kill "$OIDC_PID" 2>/dev/null || true
    wait "$OIDC_PID" 2>/dev/null || true
    OIDC_PID=
  fi
}

# N URL: an export (`oauthdesk import -`) of N client-credentials profiles p0000… of the
# server's client cc-basic at token endpoint URL, without secrets (the format carries none).
profiles_json() {
  node -e '
    const n = Number(process.argv[1]), url = process.argv[2];
    const profiles = Array.from({ length: n }, (_, i) => ({ handle: `p${String(i).padStart(4, "0")}`,
      label: `Profile ${i}`, template: "client-credentials",
      fields: { token_url: url, client_id: "cc-basic", scopes: "api", client_auth: "basic", token_body: "form" } }));
    process.stdout.write(JSON.stringify({ format: "oauthdesk-profiles", version: 1, exported_at: new Date().toISOString(), profiles }));
  ' "$1" "$2"
}

# DIR N: a store of N such profiles for the server started by start_oidc, imported in one
# go, then each given its secret.
make_store() {
  local dir=$1 n=$2 i
  profiles_json "$n" "$OIDC_URL/token" | "$BIN" --data-dir "$dir" import - >/dev/null
  for i in $(seq 0 $((n - 1))); do
    printf 'basic-secret' | "$BIN" --data-dir "$dir" edit "$(printf 'p%04d' "$i")" --secret-stdin >/dev/null
  done
}

now() { date +%s%N; }

# FILE [FORMAT]: the median of the numbers in FILE, one per line, printed with FORMAT
# (printf's; whole numbers unless given).
median() { sort -n "$1" | awk -v f="${2:-%.0f}" '{a[NR]=$1} END {printf f, (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# A B: the median, over the lines of files A and B (one figure per round each), of A's
# figure over B's in the same round: launches made side by side, so that the machine's
# drift from one round to the next cancels.
paired() {
  local ratios
  ratios=$(mktemp)
  paste "$1" "$2" | awk '{ print $1 / $2 }' >"$ratios"
  median "$ratios" %.2f
  rm -f "$ratios"
}

# How many token requests the server started by start_oidc has answered.
requests() { curl -sf "$OIDC_URL/__stats" | node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s)["/token"] ?? 0))'; }

# NAME: OAuth Desk's side (desk_run) against curl's (curl_run), both defined by the caller.
# Warms both up and checks that each makes exactly PROFILES token requests, then times RUNS
# rounds of each, interleaved; sets DESK_MS and CURL_MS (the medians) and PAIRED (the
# median of each round's own ratio).
interleaved() {
  local name=$1 before after again t
  before=$(requests); desk_run; after=$(requests)
  [ $((after - before)) -eq "$PROFILES" ] || { echo "bench: $name made $((after - before)) token requests, not $PROFILES" >&2; exit 1; }
  curl_run; again=$(requests)
  [ $((again - after)) -eq "$PROFILES" ] || { echo "bench: curl made $((again - after)) token requests, not $PROFILES" >&2; exit 1; }
  : >"$DATA/desk"; : >"$DATA/curl"
  for _ in $(seq 1 "$RUNS"); do
    t=$(now); desk_run; echo $(( $(now) - t )) >>"$DATA/desk"
    t=$(now); curl_run; echo $(( $(now) - t )) >>"$DATA/curl"
  done
  DESK_MS=$(( $(median "$DATA/desk") / 1000000 )); CURL_MS=$(( $(median "$DATA/curl") / 1000000 ))
  PAIRED=$(paired "$DATA/desk" "$DATA/curl")
}

# FILE: the median of its nanoseconds, in milliseconds.
median_ms() { awk -v n="$(median "$1" %.0f)" 'BEGIN { printf "%.2f", n / 1e6 }'; }

# A client-credentials profile "bench" in the store DATA, for the server started by
# start_oidc (URL is its token endpoint).
bench_profile() {
  printf 'basic-secret' | "$BIN" --data-dir "$DATA" add client-credentials --handle bench \
    --set token_url="$URL" --set client_id=cc-basic --set scopes=api --secret-stdin >/dev/null
}
