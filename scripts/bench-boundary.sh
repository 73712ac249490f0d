#!/usr/bin/env bash
# The boundary's cost: the credential gateway with a 50-rule policy and the audit log against
# the same gateway without a policy, and (BASELINE_BIN=path) against a build without policy and
# audit at all. h2load (HTTP/1.1, keep-alive) sends 2000 requests of the wallet status through
# each: one client for the median latency, 16 clients for the throughput.
#
#   scripts/bench-boundary.sh [BIN]     # BIN defaults to target/release/agentcred (built by bench.sh)
#
# Prints a markdown table and writes it to target/bench/boundary.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v h2load >/dev/null || { echo "needs h2load: apt-get install nghttp2-client" >&2; exit 127; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
bin="${1:-$target/release/agentcred}"
baseline="${BASELINE_BIN:-}"
out="$target/bench"
mkdir -p "$out"
work="$(mktemp -d)"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
export AGENTCRED_STORE=file NO_COLOR=1
unset DBUS_SESSION_BUS_ADDRESS
requests=2000

AGENTCRED_HOME="$work/server" "$bin" --json sandbox serve --port 0 --state "$work/state.json" > "$work/serving.json" 2>/dev/null &
pids+=($!)
for _ in $(seq 200); do
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/serving.json" 2>/dev/null && break
    sleep 0.05
done
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
for var, url in d["services"].items(): print(f"export {var}={url}")' "$work/serving.json" > "$work/urls.sh"
. "$work/urls.sh"

# One home per gateway; the same agent for all (the sandbox keeps one state).
setup_home() {
    local home="$1" binary="$2"
    AGENTCRED_HOME="$home" "$binary" register fluxa --name bench-boundary >/dev/null
    local agent
    agent="$(AGENTCRED_HOME="$home" "$binary" --json profiles show | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_id"])')"
    curl -fsS -o /dev/null -X POST --data-urlencode "agentId=$agent" --data-urlencode action=approve \
        "$AGENTCRED_FLUXA_AGENTWALLET_URL/add-agent"
}

# 49 rules that do not match the request, then the one that allows it: every request scans
# all 50.
{
    echo 'default = "deny"'
    echo 'writes = "deny"'
    for i in $(seq 49); do
        printf '[[rule]]\nmatch = "GET wallet:/api/unused%d/**"\naction = "allow"\n' "$i"
    done
    printf '[[rule]]\nmatch = "GET wallet:/api/agent/*/status"\naction = "allow"\n'
} > "$work/policy.toml"

# Start `gateway` from HOME with BIN; sets gw_url and gw_token.
start_gateway() {
    local home="$1" binary="$2"
    AGENTCRED_HOME="$home" "$binary" --json gateway > "$home.gateway.json" 2>/dev/null &
    pids+=($!)
    for _ in $(seq 200); do
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$home.gateway.json" 2>/dev/null && break
        sleep 0.05
    done
    gw_url="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["urls"]["wallet"])' "$home.gateway.json")"
    gw_token="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$home.gateway.json")"
}

# h2load against URL with TOKEN: "median_ms requests_per_second"; every answer must be 200.
measure() {
    local url="$1" token="$2"
    local auth="authorization: Bearer $token"
    h2load --h1 -n 200 -c 4 -H "$auth" "$url" >/dev/null   # warm-up
    h2load --h1 -n "$requests" -c 1 -H "$auth" --log-file="$work/one.log" "$url" > "$work/one.txt"
    local median
    median="$(awk -F'\t' '$2 != 200 { bad++ } { print $3 } END { if (bad) exit 1 }' "$work/one.log" |
        sort -n | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] / 1000 }')"
    h2load --h1 -n "$requests" -c 16 -H "$auth" "$url" > "$work/many.txt"
    grep -q "status codes: $requests 2xx" "$work/many.txt" || { cat "$work/many.txt" >&2; exit 1; }
    local rps
    rps="$(awk '/^finished in/ { gsub(",", "", $4); printf "%.0f", $4 }' "$work/many.txt")"
    echo "$median $rps"
}

rows=()
status_path="/api/agent/self/status"
if [ -n "$baseline" ]; then
    setup_home "$work/base" "$baseline"
    start_gateway "$work/base" "$baseline"
    rows+=("gateway without policy or audit (BASELINE_BIN)|$(measure "$gw_url$status_path" "$gw_token")")
fi
setup_home "$work/plain" "$bin"
start_gateway "$work/plain" "$bin"
rows+=("gateway, no policy (audit only)|$(measure "$gw_url$status_path" "$gw_token")")
setup_home "$work/policy" "$bin"
AGENTCRED_HOME="$work/policy" "$bin" policy set fluxa "$work/policy.toml" >/dev/null 2>&1
start_gateway "$work/policy" "$bin"
rows+=("gateway, 50-rule policy + audit|$(measure "$gw_url$status_path" "$gw_token")")
entries="$(AGENTCRED_HOME="$work/policy" "$bin" --json audit | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')"
AGENTCRED_HOME="$work/policy" "$bin" audit verify >/dev/null

{
    echo "| gateway ($requests requests of the wallet status) | median, 1 keep-alive client | requests/s, 16 keep-alive clients |"
    echo "|---|---:|---:|"
    for row in "${rows[@]}"; do
        IFS='|' read -r name numbers <<< "$row"
        read -r median rps <<< "$numbers"
        echo "| $name | $median ms | $rps |"
    done
    echo
    echo "The policy gateway's audit log holds $entries entries, and \`audit verify\` passes."
} | tee "$out/boundary.md"
