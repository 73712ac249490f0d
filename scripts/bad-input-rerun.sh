#!/bin/bash
# Re-runs the bad inputs a new-user test found misleading, wrongly accepted or hanging (the
# row numbers are that test's), each against the binary given (default: the debug build),
# and prints one verdict per row: fixed, STILL, HANG or PANIC. Everything runs on loopback
# (a `sandbox serve` on a free port) or inside `unshare -rn`; nothing is left running.
#   scripts/bad-input-rerun.sh [path/to/agentcred]
B=$(realpath "${1:-target/debug/agentcred}")
S=$(mktemp -d)
export NO_COLOR=1 RUST_BACKTRACE=1
unset AGENTCRED_PROFILE AGENTCRED_STORE AGENTCRED_SANDBOX AGENTCRED_OUTPUT AGENTCRED_NO_INPUT
results=$S/results.tsv; : > $results
# run ROW EXPECT_CODE MUST_CONTAIN -- cmd...   (env via `env` in cmd)
run() {
  local row=$1 want=$2 must=$3; shift 4
  local out=$S/$row.out err=$S/$row.err
  timeout 30 "$@" >$out 2>$err </dev/null; local rc=$?
  local verdict=fixed
  if [ $rc = 124 ]; then verdict=HANG
  elif grep -q "panicked" $err || [ $rc = 101 ]; then verdict=PANIC
  elif [ "$want" != "*" ] && [ "$rc" != "$want" ]; then verdict=STILL
  elif [ -n "$must" ] && ! grep -qi -- "$must" $out $err; then verdict=STILL
  fi
  printf "%s\t%s\t%s\t%s\n" "$row" "$rc" "$verdict" "$(head -c 160 $err | tr '\n' ' ')" >> $results
}
# --- sandbox homes
A=$S/A; mkdir -p $A; export AGENTCRED_HOME=$A
$B -q --sandbox register fluxa --name demo-agent >/dev/null 2>&1; $B -q sandbox approve --profile fluxa >/dev/null 2>&1
$B -q --sandbox register proxy --external-id demo --user user_sandbox_alice --name Demo --spending-limit 500 >/dev/null 2>&1
$B -q --sandbox register fluxra --name weather-bot >/dev/null 2>&1
$B -q --sandbox register authpi --account acc_sandbox --issuer i_sandbox --name demo-agent >/dev/null 2>&1
run 11 2 "keeps no budget" -- $B --profile fluxra status --check --min-remaining 5
run 12 2 "shows no wallet" -- $B --profile proxy status --network base
run 13 2 "shows no wallet" -- $B --profile authpi status --tx-limit 5
run 31 0 "can spend nothing" -- $B --profile proxy limits set --spending-limit 0
run 33 0 "above the agent's spending limit" -- $B --profile proxy cards create --purpose x --max-amount 1000000
run 40 2 "decimal places" -- $B --json --profile proxy status --check --min-remaining 0.001
run 41 2 "negative" -- $B --profile fluxa token --min-valid -5m
run 79 2 "not in 0" -- $B --sandbox --profile n14 register proxy --external-id x4 --user user_sandbox_bob --name X --max-cards -1
run 91 2 "not a valid profile name" -- $B --sandbox --profile -dash register fluxa --name xyz
run 109 2 "--profile and --all" -- $B --profile fluxa status --all
run 142 2 "--sandbox" -- env AGENTCRED_FLUXRA_URL=http://127.0.0.1:47311/fluxra $B --sandbox --profile u6 register fluxra --name xyz-u6
run 257 2 "--tx-limit" -- $B --json status --check --all --tx-limit 5
run 304 2 "--reveal" -- $B --reveal profiles show fluxra
run 260 2 "cannot keep its state" -- $B sandbox serve --port 0 --state /proc/nope/state.json
# --- URLs in env (offline)
run 149 2 "query or fragment" -- unshare -rn env AGENTCRED_HOME=$S/u1 AGENTCRED_FLUXRA_URL='http://127.0.0.1:1/fluxra#frag' $B --store file --profile u1 register fluxra --name envurl-bot
run 150 2 "query or fragment" -- unshare -rn env AGENTCRED_HOME=$S/u1 AGENTCRED_FLUXRA_URL='http://127.0.0.1:1/fluxra?x=1' $B --store file --profile u1 register fluxra --name envurl-bot
# --- a sandbox serve for real profiles
$B sandbox serve --port 0 --state $S/serve-state.json > $S/serve.out 2>/dev/null & SP=$!
sleep 1.5
eval "$(sed -n 's/^\(AGENTCRED_[A-Z_]*_URL\)=\(.*\)$/export \1=\2/p' $S/serve.out)"
export PROXY_API_KEY=lk_dev_sandbox AGENTCRED_STORE=file
R=$S/R; mkdir -p $R; export AGENTCRED_HOME=$R
$B -q register fluxa --name real-agent >/dev/null 2>&1
$B -q --profile proxy register proxy --external-id rr-1 --user user_sandbox_alice --name R >/dev/null 2>&1
$B -q --profile fluxra register fluxra --name real-weather >/dev/null 2>&1
$B -q --profile race register fluxra --name race-bot >/dev/null 2>&1
run 155 2 "together or not at all" -- unshare -rn env -u AGENTCRED_FLUXA_WALLET_URL AGENTCRED_HOME=$S/mixed $B register fluxa --name mixed
unset AGENTCRED_FLUXA_AGENTID_URL AGENTCRED_FLUXA_WALLET_URL AGENTCRED_FLUXA_AGENTWALLET_URL AGENTCRED_FLUXRA_URL AGENTCRED_AUTHPI_URL AGENTCRED_AUTHPI_IDP_URL AGENTCRED_PROXY_URL
# config tampering on copies of R
tamper() { rm -rf $S/$1; cp -a $R $S/$1; python3 - "$S/$1/profiles/$4.toml" "$2" "$3" <<'PY'
import sys,re
p,old,new=sys.argv[1:4]; s=open(p).read(); s=re.sub(old,new,s,count=1); open(p,'w').write(s)
PY
}
tamper t169 '(agent_id = )"[^"]*"' '\1""' fluxa
run 169 2 "agent id recorded" -- env AGENTCRED_HOME=$S/t169 $B --profile fluxa refresh
tamper t170 '(agent_id = )"[^"]*"' '\1"../../../_sandbox/faults"' fluxa
run 170 2 "agent id recorded" -- env AGENTCRED_HOME=$S/t170 $B --profile fluxa status
tamper t181 '(api = "[^"]*)"' '\1?x=1"' proxy
run 181 2 "query or fragment" -- env AGENTCRED_HOME=$S/t181 $B --profile proxy agent show
tamper t189 '(agentid = )"[^"]*"' '\1"http://10.66.66.66:47999/fluxa/agentid"' fluxa
run 189 2 '"health": "config_error"' -- unshare -rn env AGENTCRED_HOME=$S/t189 $B --json --profile fluxa status --check
grep -q '"code":"usage"' $S/189.err || sed -i 's/^189\t\([0-9]*\)\tfixed/189\t\1\tSTILL/' $results
# store / data
rm -rf $S/t196; cp -a $R $S/t196; f=$(ls $S/t196/data/secrets/fluxa.json); rm $f; mkfifo -m 600 $f
run 196 7 "named pipe" -- env AGENTCRED_HOME=$S/t196 $B --profile fluxa token
run 472 7 "named pipe" -- env AGENTCRED_HOME=$S/t196 $B --store file doctor
rm -rf $S/t213; cp -a $R $S/t213; rm -rf $S/t213/data; touch $S/t213/data; chmod 644 $S/t213/data
run 213 "*" "not a directory" -- env AGENTCRED_HOME=$S/t213 $B --profile fluxra token
# login with a 10 MB key (sandbox)
python3 -c "print('lk_dev_' + 'a'*10_000_000)" > $S/bigkey
timeout 60 env AGENTCRED_HOME=$S/big $B --sandbox login proxy < $S/bigkey > $S/216.out 2> $S/216.err; rc=$?
v=fixed; [ $rc = 1 ] && v=STILL; [ $rc = 124 ] && v=HANG; printf "216\t%s\t%s\t%s\n" $rc $v "$(head -c 160 $S/216.err | tr '\n' ' ')" >> $results
# import --store vault into an existing profile
rm -rf $S/t322; cp -a $R $S/t322
AGENTCRED_HOME=$S/t322 AGENTCRED_FAULT_STORE_WRITE=1 $B --json --profile fluxra keys create > /dev/null 2> $S/322.pre
rf=$(python3 -c "import json,sys; print(json.loads(open('$S/322.pre').read().strip().splitlines()[-1])['error']['rescue_file'])")
run 322 2 "not the vault store" -- env AGENTCRED_HOME=$S/t322 $B --store vault import $rf
# doctor headlines
rm -rf $S/t470; mkdir -p $S/t470; echo 'current = [' > $S/t470/config.toml; chmod 700 $S/t470
run 470 2 "config file" -- env -u AGENTCRED_STORE AGENTCRED_HOME=$S/t470 $B doctor
rm -rf $S/t469; cp -a $R $S/t469; chmod 644 $S/t469/data/secrets/fluxa.json
run 469 7 "chmod 600" -- env -u AGENTCRED_STORE AGENTCRED_HOME=$S/t469 $B doctor
grep -q "^error:.*D-Bus" $S/469.err && sed -i 's/^469\t\([0-9]*\)\tfixed/469\t\1\tSTILL/' $results
run 468 2 "plain http" -- env -u AGENTCRED_STORE AGENTCRED_HOME=$S/t468 VAULT_ADDR=http://10.9.9.9:8200 VAULT_TOKEN=hvs.TESTVAULTTOKEN1234567890 unshare -rn $B doctor
grep -q "^error:.*D-Bus" $S/468.err && sed -i 's/^468\t\([0-9]*\)\tfixed/468\t\1\tSTILL/' $results
# concurrency: two rotations of a profile of its own
export AGENTCRED_HOME=$R
( $B --profile race keys rotate > $S/k1 2>&1; echo $? > $S/k1.rc ) & P1=$!
( $B --profile race keys rotate > $S/k2 2>&1; echo $? > $S/k2.rc ) & P2=$!
wait $P1 $P2
active=$($B --json --profile race keys list 2>/dev/null | python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(1 for k in d['keys'] if not k.get('stored') and not k.get('in_use')))" 2>/dev/null)
v=fixed; [ "$active" != "0" ] && v=STILL; printf "444\t%s/%s\t%s\tunheld active keys: %s\n" "$(cat $S/k1.rc)" "$(cat $S/k2.rc)" $v "$active" >> $results
# isolation rows (issue 19's): as they stand
export AGENTCRED_HOME=$A
run 334 "*" "" -- $B --profile fluxa exec --gateway -- $B --profile fluxa token
grep -q "eyJ" $S/334.out && sed -i 's/^334\t\([0-9]*\)\tfixed/334\t\1\tSTILL(isolation)/' $results
run 335 "*" "" -- $B --profile fluxa exec --gateway -- sh -c 'cat $AGENTCRED_HOME/data/secrets/*.json 2>/dev/null | head -c 100'
grep -q "secrets" $S/335.out && sed -i 's/^335\t\([0-9]*\)\tfixed/335\t\1\tSTILL(isolation)/' $results
run 344 "*" "" -- $B --profile fluxa exec --gateway -- $B --profile proxy token
grep -q "at_dev_" $S/344.out && sed -i 's/^344\t\([0-9]*\)\tfixed/344\t\1\tSTILL(isolation)/' $results
kill $SP; wait $SP 2>/dev/null
cut -f1,2,3 $results | column -t
echo; awk -F'\t' '{print $3}' $results | sort | uniq -c
rm -rf "$S"
