#!/usr/bin/env bash
# Installs what `make run` (deps.sh run) or `make test` (deps.sh test) needs and is missing:
# the Debian packages Tauri builds against, and for tests a display server, WebKit's
# WebDriver, a keyring daemon, xdotool (to answer the native Save dialog), faketime (the ranking
# tests move the clock of `oauthdesk` forward), Python's venv (for OpenBao's server, see the
# Makefile) and tauri-driver.
# Installed things are detected, not redone.
set -euo pipefail

RUN_PKGS=(build-essential pkg-config curl file libssl-dev libdbus-1-dev libwebkit2gtk-4.1-dev libgtk-3-dev
  libsoup-3.0-dev libayatana-appindicator3-dev librsvg2-dev nodejs npm)
TEST_PKGS=(xvfb xauth webkit2gtk-driver gnome-keyring dbus-x11 dbus xdotool faketime python3-venv)

want=("${RUN_PKGS[@]}")
[ "${1:-run}" = test ] && want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  # node and npm may come from elsewhere than Debian (nvm, NodeSource): accept any on PATH.
  case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  if ! command -v apt-get >/dev/null; then
    echo "deps: no apt-get here; install the equivalents of: ${missing[*]}" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
  echo "deps: Rust is missing; install it with rustup (https://rustup.rs), then run make again" >&2
  exit 1
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "deps: Node.js $(node --version) is too old for the UI build; install Node.js 20 or newer" >&2
  exit 1
fi

if [ "${1:-run}" = test ] && ! command -v tauri-driver >/dev/null; then
  echo "deps: installing tauri-driver"
  cargo install tauri-driver --version '^2' --locked --quiet
fi
