#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked GNOME Keyring, so the
# keyring code is tested against a real Secret Service without touching the user's own
# keyring. HOME is a temporary directory for the run; Rust's and npm's homes are kept.
set -euo pipefail
PASSWORD=oauthdesk-test

if [ -z "${OAUTHDESK_KEYRING_SESSION:-}" ]; then
  export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
  export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
  home=$(mktemp -d "${TMPDIR:-/tmp}/oauthdesk-test-home.XXXXXX")
  trap 'rm -rf "$home"' EXIT
  mkdir -m 700 "$home/run"
  # A client that calls the keyring while a crashed daemon is down makes D-Bus start one
  # (activation). The system's service file starts it locked, and every later call then
  # fails ("unlock prompt was dismissed"); this one, found first, starts it unlocked.
  mkdir -p "$home/.local/share/dbus-1/services"
  printf '[D-BUS Service]\nName=org.freedesktop.secrets\nExec=/bin/sh -c "printf %%s %s | exec gnome-keyring-daemon --foreground --unlock --components=secrets"\n' \
    "$PASSWORD" >"$home/.local/share/dbus-1/services/org.freedesktop.secrets.service"
  HOME="$home" XDG_RUNTIME_DIR="$home/run" XDG_DATA_HOME="$home/.local/share" OAUTHDESK_KEYRING_SESSION=1 \
    dbus-run-session -- "$0" "$@"
  exit $?
fi

# Inside the session: start the daemon with a known password, wait for it on the bus.
# GNOME Keyring has been seen to abort under many simultaneous sessions; a daemon that
# crashes is started again on the same keyring file (a new session is opened on the next
# call), while one stopped on purpose (TERM, INT, KILL: the reconnect test) stays stopped.
export OAUTHDESK_TEST_KEYRING_PASSWORD=$PASSWORD
pidfile="${XDG_RUNTIME_DIR:-/tmp}/oauthdesk-keyring.pid"
export OAUTHDESK_TEST_KEYRING_PIDFILE=$pidfile
(
  while :; do
    printf '%s' "$OAUTHDESK_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
    echo $! >"$pidfile"
    status=0
    wait $! || status=$?
    case $status in 0 | 130 | 137 | 143) break ;; esac
    [ "$status" -ge 128 ] || break
    echo "with-keyring: the keyring daemon crashed (status $status); starting it again" >&2
  done
) &
supervisor=$!
trap 'kill $supervisor 2>/dev/null || true; kill "$(cat "$pidfile" 2>/dev/null)" 2>/dev/null || true' EXIT
sleep 0.1
for _ in $(seq 1 50); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
    break
  fi
  sleep 0.1
done
"$@"
