#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked GNOME Keyring, so the
# keyring code is tested against a real Secret Service without touching the user's own
# keyring. HOME is a temporary directory for the run; Rust's and npm's homes are kept.
set -euo pipefail

if [ -z "${OAUTHDESK_KEYRING_SESSION:-}" ]; then
  export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
  export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
  home=$(mktemp -d "${TMPDIR:-/tmp}/oauthdesk-test-home.XXXXXX")
  trap 'rm -rf "$home"' EXIT
  mkdir -m 700 "$home/run"
  HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/.local/share" OAUTHDESK_KEYRING_SESSION=1 \
    dbus-run-session -- "$0" "$@"
  exit $?
fi

# Inside the session: start the daemon with a known password, wait for it on the bus.
export OAUTHDESK_TEST_KEYRING_PASSWORD=oauthdesk-test
printf '%s' "$OAUTHDESK_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
keyring_pid=$!
# The reconnect test stops this daemon and starts another; any daemon left goes with the bus.
export OAUTHDESK_TEST_KEYRING_PID=$keyring_pid
trap 'kill $keyring_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done
"$@"
