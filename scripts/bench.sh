#!/usr/bin/env bash
# Benchmarks of the paths users and agents hit most, with hyperfine (apt-get install hyperfine).
#
#   scripts/bench.sh            # builds --release, prints a table, writes target/bench/*.md
#
# What is measured, each against a `sandbox serve` process on loopback with the file store:
# - token (fresh JWT): the hot path an agent calls before every request; no network at all.
# - token (refresh): the JWT is always too short for --min-valid, so every call refreshes.
# - status: one wallet status request plus decoding and rendering of the full JSON.
# - --sandbox token: the embedded sandbox (start-up of the in-process server included).
# - gateway: the same wallet status request with curl, direct with the JWT vs through
#   `agentcred gateway` with its token; the difference is the gateway's added latency.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine" >&2; exit 127; }
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/agentcred"
out="$PWD/target/bench"
mkdir -p "$out"
work="$(mktemp -d)"
gateway=""
trap 'kill "$server" $gateway 2>/dev/null || true; rm -rf "$work"' EXIT

export AGENTCRED_HOME="$work/home" AGENTCRED_STORE=file NO_COLOR=1
unset DBUS_SESSION_BUS_ADDRESS
"$bin" sandbox serve --port 0 --state "$work/state.json" > "$work/urls" 2>/dev/null &
server=$!
for _ in $(seq 100); do [ "$(wc -l < "$work/urls")" -ge 6 ] && break; sleep 0.05; done
set -a; . "$work/urls"; set +a

"$bin" register fluxa --name bench-agent >/dev/null

hyperfine --warmup 5 --runs 100 --export-markdown "$out/token.md" -N \
    --command-name "token (fresh JWT, file store)" "$bin token" \
    --command-name "token --min-valid 20m (refresh every call)" "$bin token --min-valid 20m" \
    --command-name "status (one wallet request)" "$bin status" \
    --command-name "status --json" "$bin --json status"
# The credential gateway's added latency per request: one curl per request either way.
"$bin" --json gateway > "$work/gateway.json" 2>/dev/null &
gateway=$!
for _ in $(seq 100); do
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/gateway.json" 2>/dev/null && break
    sleep 0.05
done
gw_token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$work/gateway.json")"
gw_wallet="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["urls"]["wallet"])' "$work/gateway.json")"
jwt="$("$bin" token --min-valid 10m)"
printf 'Authorization: Bearer %s\n' "$jwt" > "$work/direct.h"
printf 'Authorization: Bearer %s\n' "$gw_token" > "$work/gateway.h"
hyperfine --warmup 10 --runs 300 --export-markdown "$out/gateway.md" -N \
    --command-name "wallet status, direct" \
    "curl -sf -o /dev/null -H @$work/direct.h $AGENTCRED_FLUXA_WALLET_URL/api/agent/self/status" \
    --command-name "wallet status, through the gateway" \
    "curl -sf -o /dev/null -H @$work/gateway.h $gw_wallet/api/agent/self/status"
kill "$gateway"; gateway=""
# The embedded sandbox: no URL overrides (agentcred refuses them for a sandbox profile).
unset AGENTCRED_FLUXA_AGENTID_URL AGENTCRED_FLUXA_WALLET_URL AGENTCRED_FLUXRA_URL \
    AGENTCRED_AUTHPI_URL AGENTCRED_AUTHPI_IDP_URL AGENTCRED_PROXY_URL
AGENTCRED_HOME="$work/sandboxed" "$bin" --sandbox register fluxa --name bench-agent >/dev/null
AGENTCRED_HOME="$work/sandboxed" hyperfine --warmup 5 --runs 100 --export-markdown "$out/sandbox.md" -N \
    --command-name "token, embedded sandbox" "$bin --sandbox token" \
    --command-name "status, embedded sandbox" "$bin --sandbox status"
cat "$out/token.md" "$out/gateway.md" "$out/sandbox.md"
