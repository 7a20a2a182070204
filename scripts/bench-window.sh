#!/usr/bin/env bash
# Benchmark: OAuth Desk's window against a hello-world Tauri window (the example
# src-tauri/examples/hello-window: the same Tauri, release build and window configuration,
# an empty page), in the same run on the same display. For the hello-world window, and for
# OAuth Desk's with an empty store and with PROFILES profiles (each with its secret and a
# token, as after a Test all):
#   - start to painted: from starting the executable to the page's mark, sent two frames
#     after the profile list (the hello-world page: its first frame) is in the page, through
#     the `bench_mark` command, which appends the time to $OAUTHDESK_BENCH_MARK;
#   - memory: the PSS (/proc/PID/smaps_rollup) of the window's process and every process it
#     started (WebKit's web and network processes), summed, SETTLE seconds after the mark.
# Without a GPU render node OAuth Desk has Skia paint on the CPU (src-tauri/src/rendering.rs);
# the hello-world window is then measured twice: as plain Tauri draws it (through OpenGL, here
# Mesa's software rasteriser: the ratios' reference) and painting on the CPU as OAuth Desk
# does (like for like).
# Interleaved, RUNS times each after one warm-up round; prints the medians and the ratios.
# Needs a display and a keyring: `make bench` runs it inside scripts/with-keyring.sh and
# xvfb-run, after a release build.
set -euo pipefail
RUNS=${RUNS:-7}
PROFILES=${PROFILES:-1000}
SETTLE=${SETTLE:-2}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-lib.sh
. scripts/bench-lib.sh
WINDOW=${OAUTHDESK_WINDOW_BIN:-target/release/oauthdesk-window}
HELLO=${HELLO_WINDOW_BIN:-target/release/examples/hello-window}
[ -n "${DISPLAY:-}" ] || { echo "bench: no display (run under xvfb-run -a)" >&2; exit 1; }
for exe in "$BIN" "$WINDOW" "$HELLO"; do
  [ -x "$exe" ] || { echo "bench: $exe is not built (cargo build --release --bins --example hello-window)" >&2; exit 1; }
done
window=
stop_window() { # the window's process group (setsid made it), so WebKit's processes as well
  [ -n "$window" ] || return 0
  kill -TERM -- "-$window" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$window" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$window" 2>/dev/null || true
  wait "$window" 2>/dev/null || true
  # WebKit's processes outlive the window by a moment: the next start gets a quiet machine.
  for _ in $(seq 1 50); do pgrep -g "$window" >/dev/null || break; sleep 0.1; done
  sleep 0.5
  window=
}
trap 'stop_window; stop_oidc; rm -rf "$DATA"' EXIT

# The stores: an empty one, and one of PROFILES profiles, each with a token.
mkdir -p "$DATA/empty"
start_oidc
make_store "$DATA/full" "$PROFILES"
"$BIN" --data-dir "$DATA/full" test --all --parallel 8 >/dev/null
stop_oidc

# PID: that process and all its descendants.
tree() { ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 } END {
  n = 1; list[1] = root
  for (i = 1; i <= n; i++) for (p in parent) if (parent[p] == list[i]) list[++n] = p
  for (i = 1; i <= n; i++) print list[i] }'; }
# PID: the summed PSS (kB) of the process and its descendants.
tree_pss() {
  local total=0 p kb
  for p in $(tree "$1"); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

# NAME EXE DATA_DIR [VAR=VALUE...]: starts EXE (with those variables), waits for its mark,
# measures; appends the start-to-painted time (ns) to $DATA/NAME.start and the PSS (kB) to
# $DATA/NAME.pss.
measure() {
  local name=$1 exe=$2 dir=$3 t0 painted=
  shift 3
  rm -f "$DATA/mark"
  t0=$(now)
  OAUTHDESK_BENCH_MARK="$DATA/mark" OAUTHDESK_DATA_DIR="$dir" setsid env "$@" "$exe" >>"$DATA/window.log" 2>&1 &
  window=$!
  for _ in $(seq 1 1500); do   # at most 30 s
    painted=$(awk '/^painted/ {print $2; exit}' "$DATA/mark" 2>/dev/null || true)
    [ -n "$painted" ] && break
    kill -0 "$window" 2>/dev/null || break
    sleep 0.02
  done
  [ -n "$painted" ] || { tail -5 "$DATA/window.log" >&2; echo "bench: $name never said it was painted" >&2; exit 1; }
  sleep "$SETTLE"
  echo $((painted - t0)) >>"$DATA/$name.start"
  tree_pss "$window" >>"$DATA/$name.pss"
  stop_window
}

# As src-tauri/src/rendering.rs decides for OAuth Desk.
cpu_drawn=
if [ -z "${WEBKIT_SKIA_ENABLE_CPU_RENDERING+set}" ] && ! ls /dev/dri/renderD* >/dev/null 2>&1; then
  cpu_drawn=1
fi
names="hello${cpu_drawn:+ hello_cpu} empty full"
round() {
  measure hello "$HELLO" "$DATA/empty"
  [ -z "$cpu_drawn" ] || measure hello_cpu "$HELLO" "$DATA/empty" WEBKIT_SKIA_ENABLE_CPU_RENDERING=1
  measure empty "$WINDOW" "$DATA/empty"
  measure full "$WINDOW" "$DATA/full"
}
round   # warm-up: caches, WebKit's data directories, the empty store's creation
for f in $names; do : >"$DATA/$f.start"; : >"$DATA/$f.pss"; done
for _ in $(seq 1 "$RUNS"); do round; done

ms() { awk -v n="$(median "$DATA/$1.start")" 'BEGIN { printf "%.0f", n / 1e6 }'; }
mib() { awk -v n="$(median "$DATA/$1.pss")" 'BEGIN { printf "%.1f", n / 1024 }'; }
row() { printf '%-44s %8s ms %9s MiB\n' "$2" "$(ms "$1")" "$(mib "$1")"; }
ratios() { # LABEL REFERENCE: OAuth Desk's medians over REFERENCE's
  awk -v label="$1" -v n="$PROFILES" -v hs="$(median "$DATA/$2.start")" -v hm="$(median "$DATA/$2.pss")" \
      -v es="$(median "$DATA/empty.start")" -v em="$(median "$DATA/empty.pss")" \
      -v fs="$(median "$DATA/full.start")" -v fm="$(median "$DATA/full.pss")" 'BEGIN {
    printf "%s\n  empty store:    start %.2fx, memory %.2fx\n", label, es / hs, em / hm
    printf "  %d profiles: start %.2fx (target: at most 1.3x), memory %.2fx (target: at most 1.2x)\n", n, fs / hs, fm / hm }'
  printf '  %d profiles, the median of each round'"'"'s own ratio: start %sx, memory %sx\n' "$PROFILES" \
    "$(paired "$DATA/full.start" "$DATA/$2.start")" "$(paired "$DATA/full.pss" "$DATA/$2.pss")"
}
echo "Window: $RUNS runs each, interleaved, after a warm-up round; medians"
printf '%-44s %11s %13s\n' "" "start to painted" "memory (PSS)"
row hello "hello-world Tauri window"
[ -z "$cpu_drawn" ] || row hello_cpu "hello-world, Skia painting on the CPU"
row empty "OAuth Desk, empty store"
row full "OAuth Desk, $PROFILES profiles"
ratios "ratio to the hello-world window:" hello
if [ -n "$cpu_drawn" ]; then
  ratios "ratio to the hello-world window painting as OAuth Desk does here (no GPU: Skia on the CPU):" hello_cpu
fi
