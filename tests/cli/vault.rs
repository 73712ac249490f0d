//! The vault store (docs/cli-contract.md §11) against a real OpenBao dev server: secrets and record in one
//! KV v2 document, a second host using the profile by name, the cross-host single-flight
//! refresh and its lease, moves between stores, and the errors that name cause and fix.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::support::{Bao, Home, Server};

/// A home (a "host") pointed at the sandbox server and the vault.
fn host(server: &Server, bao: &Bao) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    bao.configure(&mut home);
    home
}

/// Every file under `dir`, as text (lossy), for "no secret on local disk" checks.
fn all_files_text(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            text.push_str(&all_files_text(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
    text
}

#[test]
fn secrets_and_record_live_in_vault_and_a_second_host_uses_the_profile_by_name() {
    let server = Server::start();
    let bao = Bao::start();
    let first = host(&server, &bao);
    first
        .run(&["--profile", "fleet", "register", "fluxa", "--name", "demo"])
        .ok();
    first.approve_owner(&server, Some("fleet"));

    // Read as an operator would: `bao kv get secret/agentcred/fleet`.
    let got = bao
        .cli(&["kv", "get", "-format=json", "secret/agentcred/fleet"])
        .ok();
    let doc: serde_json::Value = serde_json::from_str(&got.stdout).unwrap();
    let data = &doc["data"]["data"];
    let token = data["secrets"]["token"].as_str().unwrap().to_owned();
    let jwt = data["secrets"]["jwt"].as_str().unwrap().to_owned();
    assert!(token.starts_with("tok_"), "{data}");
    assert_eq!(data["record"]["provider"], "fluxa");
    let agent_id = data["record"]["agent_id"].as_str().unwrap().to_owned();
    assert!(
        data["record"]["endpoints"]["agentid"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{data}"
    );

    // Nothing of it on local disk but the record in the config file.
    assert!(first.stored_secrets().is_empty());
    let local = all_files_text(first.path());
    assert!(!local.contains(&token) && !local.contains(&jwt));
    assert!(!local.contains(Bao::TOKEN));
    let config = first.config_text();
    assert!(config.contains("store = \"vault\""), "{config}");
    assert!(config.contains(&bao.addr), "{config}");

    // Another host: same vault settings, no register.
    let second = host(&server, &bao);
    let printed = second.run(&["--profile", "fleet", "token"]).ok();
    assert_eq!(printed.stdout.trim(), jwt);
    let show = second
        .run(&["--json", "profiles", "show", "fleet"])
        .ok()
        .json();
    assert_eq!(show["agent_id"], agent_id.as_str());
    assert_eq!(show["local"]["store"], "vault");
    // Learned: from now on it needs neither --store nor AGENTCRED_STORE.
    let mut second = second;
    second.env.retain(|(k, _)| k != "AGENTCRED_STORE");
    second.run(&["--profile", "fleet", "status"]).ok();
    assert!(!all_files_text(second.path()).contains(&token));

    // Registering the same name on the second host would overwrite the first one's agent.
    let third = host(&server, &bao);
    let taken = third
        .run(&["--profile", "fleet", "register", "fluxa", "--name", "other"])
        .code(5);
    taken.mentions(&["already exists", "--store vault"]);

    // An unknown name is still "not found", naming where it looked.
    third
        .run(&["--profile", "nosuch", "token"])
        .code(3)
        .mentions(&["nosuch", "secret/agentcred/nosuch"]);
}

#[test]
fn sandbox_profiles_can_live_in_vault_too() {
    let bao = Bao::start();
    let mut home = Home::new();
    home.set("VAULT_ADDR", &bao.addr)
        .set("VAULT_TOKEN", Bao::TOKEN);
    home.run(&[
        "--sandbox",
        "--store",
        "vault",
        "register",
        "fluxa",
        "--name",
        "demo",
    ])
    .ok();
    let doc = bao.document("fluxa").expect("the document");
    assert_eq!(doc["record"]["sandbox"], true);
    assert!(doc["secrets"]["jwt"].is_string());
    let printed = home.run(&["--sandbox", "token"]).ok();
    assert_eq!(
        printed.stdout.trim(),
        doc["secrets"]["jwt"].as_str().unwrap()
    );
    assert!(home.stored_secrets().is_empty());
}

#[test]
fn twenty_token_calls_on_five_hosts_make_one_refresh() {
    let server = Server::start();
    let bao = Bao::start();
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": -60}}));
    let hosts: Vec<Home> = (0..5).map(|_| host(&server, &bao)).collect();
    hosts[0]
        .run(&["--profile", "fleet", "register", "fluxa", "--name", "demo"])
        .ok();
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": null}}));
    let expired = bao.document("fleet").unwrap()["secrets"]["jwt"].clone();
    server.clear_requests();

    // Four processes per host, all started before any is waited for.
    let args = ["--profile", "fleet", "token"];
    let children: Vec<_> = hosts
        .iter()
        .flat_map(|home| (0..4).map(move |_| home))
        .map(|home| {
            home.command(&args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let tokens: std::collections::BTreeSet<String> = children
        .into_iter()
        .map(|child| crate::support::finish(child.wait_with_output().unwrap()))
        .map(|run| run.ok().stdout.trim().to_owned())
        .collect();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    assert_eq!(tokens.len(), 1, "every caller got the one new JWT");
    let doc = bao.document("fleet").unwrap();
    assert_ne!(doc["secrets"]["jwt"], expired);
    assert_eq!(
        tokens.first().unwrap(),
        doc["secrets"]["jwt"].as_str().unwrap()
    );
    assert!(doc.get("lease").is_none(), "the lease was released: {doc}");
}

#[test]
fn a_holder_killed_mid_refresh_is_taken_over_once_its_lease_expires() {
    let server = Server::start();
    let bao = Bao::start();
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": -60}}));
    let mut first = host(&server, &bao);
    first.set("AGENTCRED_VAULT_LEASE", "2s");
    first
        .run(&["--profile", "fleet", "register", "fluxa", "--name", "demo"])
        .ok();
    first.approve_owner(&server, Some("fleet"));
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": null}}));

    // The first host takes the lease and hangs in a slow refresh call; then it dies.
    server.knobs(json!({"latency_ms": 20_000}));
    let mut holder = first
        .command(&["--profile", "fleet", "token"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lease = None;
    for _ in 0..400 {
        lease = bao.document("fleet").unwrap().get("lease").cloned();
        if lease.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let lease = lease.expect("the first host took the lease");
    holder.kill().unwrap(); // SIGKILL: no chance to release anything
    holder.wait().unwrap();
    server.knobs(json!({"latency_ms": 0}));
    assert_eq!(
        bao.document("fleet").unwrap()["lease"],
        lease,
        "a dead holder's lease stays until it expires"
    );

    // Another host waits for the lease to expire, takes it over and refreshes.
    let mut second = host(&server, &bao);
    second.set("AGENTCRED_VAULT_LEASE", "2s");
    let printed = second.run(&["--profile", "fleet", "token"]).ok();
    let doc = bao.document("fleet").unwrap();
    assert_eq!(
        printed.stdout.trim(),
        doc["secrets"]["jwt"].as_str().unwrap()
    );
    assert!(doc.get("lease").is_none(), "{doc}");
    // The profile works on both hosts afterwards.
    first.run(&["--profile", "fleet", "status"]).ok();
    second.run(&["--profile", "fleet", "refresh"]).ok();
}

#[test]
fn move_file_to_vault_and_back_keeps_token_working_and_leaves_no_copy() {
    let server = Server::start();
    let bao = Bao::start();
    let mut home = Home::new();
    home.use_server(&server); // file store
    home.run(&["register", "fluxa", "--name", "demo"]).ok();
    home.approve_owner(&server, None);
    let token = home.stored("fluxa:token");
    home.set("VAULT_ADDR", &bao.addr)
        .set("VAULT_TOKEN", Bao::TOKEN);
    // AGENTCRED_STORE=file is still set: `move` names its own target.
    let moved = home
        .run(&["--json", "profiles", "move", "fluxa", "--to-store", "vault"])
        .ok()
        .json();
    assert_eq!(moved["from_store"], "file");
    assert_eq!(moved["to_store"], "vault");
    assert!(
        home.stored_secrets()
            .keys()
            .all(|k| !k.starts_with("fluxa:")),
        "the file store still holds {:?}",
        home.stored_secrets().keys().collect::<Vec<_>>()
    );
    let doc = bao.document("fluxa").unwrap();
    assert_eq!(doc["secrets"]["token"], token.as_str());
    assert_eq!(doc["record"]["provider"], "fluxa");
    home.env.retain(|(k, _)| k != "AGENTCRED_STORE");
    // A refresh through the lease, then the new JWT is what the document holds.
    home.run(&["refresh"]).ok();
    let jwt = home.run(&["token"]).ok();
    assert_eq!(
        jwt.stdout.trim(),
        bao.document("fluxa").unwrap()["secrets"]["jwt"]
            .as_str()
            .unwrap()
    );

    home.run(&["profiles", "move", "fluxa", "--to-store", "file"])
        .ok();
    assert!(
        !bao.has_metadata("fluxa"),
        "the vault document was destroyed"
    );
    assert_eq!(home.stored("fluxa:token"), token);
    assert_eq!(home.stored("fluxa:jwt"), jwt.stdout.trim());
    home.run(&["token"]).ok();
    home.run(&["profiles", "move", "fluxa", "--to-store", "file"])
        .code(2);
}

#[test]
fn a_failed_move_changes_nothing() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "demo"]).ok();
    home.approve_owner(&server, None);
    let before = home.stored_secrets();
    // A vault that does not answer.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    home.set("VAULT_ADDR", &addr).set("VAULT_TOKEN", "t");
    home.run(&["profiles", "move", "fluxa", "--to-store", "vault"])
        .code(7);
    assert_eq!(home.stored_secrets(), before);
    let show = home.run(&["--json", "profiles", "show"]).ok().json();
    assert_eq!(show["local"]["store"], "file");
    home.run(&["token"]).ok();
}

#[test]
fn remove_forgets_on_this_host_and_purge_destroys_every_version() {
    let server = Server::start();
    let bao = Bao::start();
    let first = host(&server, &bao);
    first
        .run(&["--profile", "fleet", "register", "fluxa", "--name", "demo"])
        .ok();
    first.approve_owner(&server, Some("fleet"));
    let second = host(&server, &bao);
    second.run(&["--profile", "fleet", "token"]).ok();

    let forgot = second.run(&["profiles", "remove", "fleet"]).ok();
    assert!(
        forgot.stdout.contains("Forgot profile 'fleet'"),
        "{}",
        forgot.stdout
    );
    assert!(forgot.stdout.contains("--purge"), "{}", forgot.stdout);
    assert!(bao.document("fleet").is_some(), "the shared document stays");
    first.run(&["--profile", "fleet", "token"]).ok();

    // Purging needs confirmation; there is no terminal here.
    first
        .run(&["profiles", "remove", "fleet", "--purge"])
        .code(2)
        .mentions(&["--yes"]);
    assert!(bao.document("fleet").is_some());
    let purged = first
        .run(&["--json", "profiles", "remove", "fleet", "--purge", "--yes"])
        .ok()
        .json();
    assert_eq!(purged["purged"], true);
    assert!(!bao.has_metadata("fleet"), "every version was destroyed");
    // A host that still knows the profile is told what happened, and nothing is re-created.
    let third = host(&server, &bao);
    third.run(&["--profile", "fleet", "token"]).code(3);
    assert!(!bao.has_metadata("fleet"));
}

#[test]
fn one_time_secrets_reach_a_rescue_file_when_vault_writes_fail() {
    let server = Server::start();
    let bao = Bao::start();
    let mut home = host(&server, &bao);
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home
        .run(&["--json", "register", "fluxa", "--name", "demo"])
        .code(7);
    let error = run.error_json();
    let rescue = error["error"]["rescue_file"]
        .as_str()
        .map(str::to_owned)
        .or_else(|| {
            let message = error["error"]["message"].as_str().unwrap();
            let at = message.find("rescue file ")? + "rescue file ".len();
            Some(message[at..].split_whitespace().next()?.to_owned())
        })
        .expect("a rescue file is named");
    let text = std::fs::read_to_string(&rescue).unwrap();
    assert!(
        text.contains("tok_"),
        "the one-time token is in the rescue file"
    );
}

#[test]
fn vault_down_token_wrong_and_mount_missing_are_exit_7_naming_cause_and_fix() {
    let server = Server::start();
    let bao = Bao::start();

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_addr = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let mut down = host(&server, &bao);
    down.set("VAULT_ADDR", &dead_addr);
    let run = down
        .run(&["--json", "register", "fluxa", "--name", "demo"])
        .code(7);
    let error = &run.error_json()["error"];
    assert_eq!(error["code"], "store_unavailable");
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains(&dead_addr) && message.contains("did not answer"),
        "{message}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("start Vault/OpenBao"),
        "{error}"
    );
    assert_eq!(
        server.count("POST /fluxa/agentid/register"),
        0,
        "checked before"
    );

    let mut wrong = host(&server, &bao);
    wrong.set("VAULT_TOKEN", "s.not-a-real-token");
    let run = wrong
        .run(&["--json", "register", "fluxa", "--name", "demo"])
        .code(7);
    let error = &run.error_json()["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("refused the vault token (403"),
        "{error}"
    );
    assert!(
        error["hint"].as_str().unwrap().contains("VAULT_TOKEN"),
        "{error}"
    );
    assert!(!run.all().contains("s.not-a-real-token"));

    let mut nomount = host(&server, &bao);
    nomount.set("AGENTCRED_VAULT_MOUNT", "nosuch");
    let run = nomount
        .run(&["--json", "register", "fluxa", "--name", "demo"])
        .code(7);
    let error = &run.error_json()["error"];
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("no secrets engine is mounted at 'nosuch'"),
        "{error}"
    );
    assert!(
        error["hint"]
            .as_str()
            .unwrap()
            .contains("bao secrets enable -path=nosuch kv-v2"),
        "{error}"
    );

    let mut no_token = host(&server, &bao);
    no_token.env.retain(|(k, _)| k != "VAULT_TOKEN");
    no_token
        .run(&["register", "fluxa", "--name", "demo"])
        .code(7)
        .mentions(&["no vault token", "VAULT_TOKEN"]);
    assert_eq!(server.count("POST /fluxa/agentid/register"), 0);
}

#[test]
fn address_and_mount_are_pinned_and_the_token_never_shows() {
    let server = Server::start();
    let bao = Bao::start();
    let mut home = host(&server, &bao);
    home.run(&["register", "fluxa", "--name", "demo"]).ok();
    home.approve_owner(&server, None);

    // A trace shows the vault calls with the token header and the secrets redacted.
    let traced = home.run(&["-v", "refresh"]).ok();
    assert!(
        traced.stderr.contains("x-vault-token: <redacted>"),
        "{}",
        traced.stderr
    );
    assert!(
        traced.stderr.contains("\"secrets\":\"<redacted>\""),
        "{}",
        traced.stderr
    );
    let doc = bao.document("fluxa").unwrap();
    for secret in [Bao::TOKEN, doc["secrets"]["token"].as_str().unwrap()] {
        assert!(
            !traced.all().contains(secret),
            "{secret} leaked:\n{}",
            traced.all()
        );
    }

    // Another address (BAO_ADDR counts only when VAULT_ADDR is unset) or mount: exit 2.
    let elsewhere = bao.addr.replace("127.0.0.1", "localhost");
    home.set("VAULT_ADDR", &elsewhere);
    home.run(&["token"])
        .code(2)
        .mentions(&["VAULT_ADDR", &bao.addr]);
    home.env.retain(|(k, _)| k != "VAULT_ADDR");
    home.set("BAO_ADDR", &elsewhere);
    home.run(&["token"]).code(2).mentions(&["BAO_ADDR"]);
    home.set("VAULT_ADDR", &bao.addr);
    home.run(&["token"]).ok();
    home.set("AGENTCRED_VAULT_MOUNT", "kv");
    home.run(&["token"])
        .code(2)
        .mentions(&["AGENTCRED_VAULT_MOUNT", "'secret'"]);
    home.set("AGENTCRED_VAULT_MOUNT", "secret");
    home.run(&["token"]).ok();

    // Operator keys are never kept in the vault.
    home.run_with_stdin(&["login", "proxy"], "key\n").code(2);
}

#[test]
fn a_token_with_the_readme_policy_is_enough() {
    let server = Server::start();
    let bao = Bao::start();
    let policy = std::env::temp_dir().join(format!("agentcred-policy-{}.hcl", std::process::id()));
    std::fs::write(
        &policy,
        "path \"secret/data/agentcred/*\" { capabilities = [\"create\", \"read\", \"update\", \"delete\"] }\n\
         path \"secret/metadata/agentcred/*\" { capabilities = [\"delete\"] }\n",
    )
    .unwrap();
    bao.cli(&["policy", "write", "agentcred", policy.to_str().unwrap()])
        .ok();
    std::fs::remove_file(&policy).unwrap();
    let token = bao
        .cli(&["token", "create", "-policy=agentcred", "-field=token"])
        .ok()
        .stdout
        .trim()
        .to_owned();
    let mut home = host(&server, &bao);
    home.set("VAULT_TOKEN", &token);
    home.run(&["--profile", "fleet", "register", "fluxa", "--name", "demo"])
        .ok();
    home.approve_owner(&server, Some("fleet"));
    home.run(&["--profile", "fleet", "refresh"]).ok();
    let mut other = host(&server, &bao);
    other.set("VAULT_TOKEN", &token);
    other.run(&["--profile", "fleet", "status"]).ok();
    // Outside its path the token is refused, and the message says it is the policy.
    let mut elsewhere = host(&server, &bao);
    elsewhere
        .set("VAULT_TOKEN", &token)
        .set("AGENTCRED_VAULT_MOUNT", "nosuch");
    elsewhere
        .run(&["--profile", "x", "register", "fluxa", "--name", "demo"])
        .code(7)
        .mentions(&["policy"]);
    home.run(&["profiles", "remove", "fleet", "--purge", "--yes"])
        .ok();
    assert!(!bao.has_metadata("fleet"));
}
