#!/usr/bin/env bash
# Run CMD against a real, throwaway Secret Service keychain, then tear it all down.
#
#   scripts/with-keyring.sh cargo test --test keychain_store -- --ignored
#
# CMD runs inside a private D-Bus session bus (dbus-run-session) on which gnome-keyring-daemon
# (secrets component only) holds an unlocked login keyring, with HOME and the XDG dirs in a
# temp dir, so the user's own keyring and files are never touched. The exit status is CMD's.
#
# Needs (Debian/Ubuntu): apt-get install -y gnome-keyring libsecret-tools dbus dbus-x11
#   gnome-keyring: the Secret Service;  libsecret-tools: secret-tool, which the test uses to
#   look items up independently of agentcred;  dbus: dbus-run-session, dbus-send.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 CMD [ARG...]" >&2
    exit 2
fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "$0: $tool not found; install: apt-get install -y gnome-keyring libsecret-tools dbus dbus-x11" >&2
        exit 127
    fi
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/agentcred-keyring.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/home" "$tmp/runtime" "$tmp/config" "$tmp/data" "$tmp/state" "$tmp/cache"
chmod 700 "$tmp/runtime"

# cargo and rustup find their homes through HOME unless told; keep the real ones.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$tmp/home"
export XDG_RUNTIME_DIR="$tmp/runtime"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_DATA_HOME="$tmp/data"
export XDG_STATE_HOME="$tmp/state"
export XDG_CACHE_HOME="$tmp/cache"
export KEYRING_LOG="$tmp/gnome-keyring.log"
# Nothing may reach the caller's own session, keyring or display.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK DISPLAY WAYLAND_DISPLAY \
    AGENTCRED_HOME AGENTCRED_STORE

# Inside the private bus: start the keyring, wait for it, run CMD, stop the keyring.
# shellcheck disable=SC2016
dbus-run-session -- bash -c '
    set -u
    # --unlock reads the password of the login keyring from stdin and creates that keyring
    # (as the default collection) when it does not exist. --foreground keeps the daemon our
    # child, so we know its pid and can stop it.
    printf %s "throwaway-test-password" \
        | gnome-keyring-daemon --foreground --unlock --components=secrets >"$KEYRING_LOG" 2>&1 &
    keyring_pid=$!
    stop_keyring() { kill "$keyring_pid" 2>/dev/null; wait "$keyring_pid" 2>/dev/null; }
    trap stop_keyring EXIT

    # NameHasOwner does not trigger D-Bus activation, which would start a second daemon
    # without an unlocked keyring.
    for _ in $(seq 100); do
        if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
            | grep -q "boolean true"; then
            ready=1
            break
        fi
        if ! kill -0 "$keyring_pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    if [ -z "${ready:-}" ]; then
        echo "with-keyring.sh: gnome-keyring-daemon did not come up on the session bus:" >&2
        cat "$KEYRING_LOG" >&2
        exit 1
    fi

    "$@"
' with-keyring "$@"
