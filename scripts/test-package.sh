#!/usr/bin/env bash
# Installs a .deb built by the Tauri bundler on this machine (as root, or with sudo), runs the
# installed `oauthdesk --version` and the installed window (under Xvfb, with a fresh home and
# data directory), then removes the package and checks that its files are gone and the data
# directory is kept. Usage: scripts/test-package.sh PATH/TO/oauth-desk_VERSION_ARCH.deb
set -euo pipefail

fail() {
  echo "test-package: $*" >&2
  exit 1
}

[ $# -eq 1 ] || fail "usage: $0 FILE.deb"
deb=$(realpath -m -- "$1")
[ -f "$deb" ] || fail "no package at $1: build it first (make test-package builds it)"

# The window needs a Secret Service and a display: run inside the private keyring session
# (as make test does) and under Xvfb.
if [ -z "${OAUTHDESK_KEYRING_SESSION:-}" ]; then
  exec "$(dirname "$0")/with-keyring.sh" "$0" "$deb"
fi
if [ -z "${OAUTHDESK_PACKAGE_XVFB:-}" ]; then
  OAUTHDESK_PACKAGE_XVFB=1 exec xvfb-run -a "$0" "$deb"
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
apt_get() { DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=120 -y -qq "$@"; }
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

name=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
expected_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$(dirname "$0")/../Cargo.toml" | head -1)
[ "$version" = "$expected_version" ] || fail "$deb has version $version, the workspace $expected_version"
if installed "$name"; then
  fail "$name is installed on this machine already; this test installs and removes it, so remove it first (${sudo:+$sudo }apt-get remove $name)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/oauthdesk-package.XXXXXX")
window=""
we_installed=""
cleanup() {
  if [ -n "$window" ] && kill -0 "$window" 2>/dev/null; then
    kill "$window" 2>/dev/null || true
    sleep 1
    kill -9 "$window" 2>/dev/null || true
  fi
  if [ -n "$we_installed" ] && installed "$name"; then
    apt_get remove "$name" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "test-package: installing $(basename "$deb")"
start=$SECONDS
we_installed=1
apt_get install --no-install-recommends "$deb" >"$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  fail "apt-get could not install $deb"
}
installed "$name" || fail "$name is not installed after apt-get install"

# What the package puts on the machine.
for f in /usr/bin/oauthdesk /usr/bin/oauthdesk-window; do
  [ -x "$f" ] || fail "$f is missing or not executable after installing $name"
  dpkg -S "$f" 2>/dev/null | grep -q "^$name: " || fail "$f is not owned by $name"
done
desktop=/usr/share/applications/$name.desktop
[ -f "$desktop" ] || fail "no desktop entry at $desktop"
grep -qx 'Exec=oauthdesk' "$desktop" || fail "$desktop does not start oauthdesk: $(grep '^Exec=' "$desktop")"
grep -qx 'Name=OAuth Desk' "$desktop" || fail "$desktop is not named OAuth Desk: $(grep '^Name=' "$desktop")"
icon=$(sed -n 's/^Icon=//p' "$desktop")
for size in 32x32 128x128 256x256; do
  [ -f "/usr/share/icons/hicolor/$size/apps/$icon.png" ] || fail "no $size icon named $icon (the desktop entry's Icon)"
done
wm_class=$(sed -n 's/^StartupWMClass=//p' "$desktop")

# The command line, from the installed files.
out=$(/usr/bin/oauthdesk --version) || fail "/usr/bin/oauthdesk --version failed"
[ "$out" = "oauthdesk $version" ] || fail "/usr/bin/oauthdesk --version printed '$out', expected 'oauthdesk $version'"
mkdir -m 700 "$work/home"
fresh=(env HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
  XDG_CACHE_HOME="$work/home/.cache" OAUTHDESK_DATA_DIR="$work/data")
"${fresh[@]}" /usr/bin/oauthdesk templates >"$work/templates.txt" 2>&1 || {
  cat "$work/templates.txt" >&2
  fail "/usr/bin/oauthdesk templates failed"
}
grep -q salesforce-client-credentials "$work/templates.txt" || fail "oauthdesk templates does not list salesforce-client-credentials"

# The window, as the desktop entry starts it: `oauthdesk` replaces itself with
# oauthdesk-window, so the process keeps its id.
"${fresh[@]}" /usr/bin/oauthdesk >"$work/window.log" 2>&1 &
window=$!
found=""
for _ in $(seq 1 120); do
  kill -0 "$window" 2>/dev/null || {
    cat "$work/window.log" >&2
    fail "the installed window exited before showing (its output is above)"
  }
  found=$(xdotool search --name '^OAuth Desk$' 2>/dev/null | head -1 || true)
  [ -n "$found" ] && break
  sleep 0.25
done
[ -n "$found" ] || {
  cat "$work/window.log" >&2
  fail "no window titled 'OAuth Desk' within 30 s of starting /usr/bin/oauthdesk"
}
exe=$(readlink "/proc/$window/exe")
[ "$exe" = /usr/bin/oauthdesk-window ] || fail "the window runs $exe, not the installed /usr/bin/oauthdesk-window"
[ -n "$(xdotool search --classname "^$wm_class\$" 2>/dev/null || true)" ] ||
  fail "no window of class '$wm_class' (the desktop entry's StartupWMClass)"
sleep 2
kill -0 "$window" 2>/dev/null || {
  cat "$work/window.log" >&2
  fail "the installed window exited within 2 s of showing"
}
[ -f "$work/data/logs/oauthdesk.log" ] || fail "the window made no log file at <data dir>/logs/oauthdesk.log"
kill "$window"
for _ in $(seq 1 50); do
  kill -0 "$window" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$window" 2>/dev/null; then
  kill -9 "$window" 2>/dev/null || true
  fail "the window did not stop within 5 s of SIGTERM"
fi
wait "$window" 2>/dev/null || true
window=""

# Removing the package removes its files and keeps the user's data.
apt_get remove "$name" >"$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  fail "apt-get could not remove $name"
}
we_installed=""
! installed "$name" || fail "$name is still installed after apt-get remove"
for f in /usr/bin/oauthdesk /usr/bin/oauthdesk-window "$desktop"; do
  [ ! -e "$f" ] || fail "$f is still there after removing $name"
done
[ -d "$work/data" ] || fail "removing the package removed the data directory"
echo "test-package: $name $version installed, --version and the window ran from /usr/bin, removed ($((SECONDS - start)) s)"
