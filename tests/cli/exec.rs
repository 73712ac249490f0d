//! `agentcred exec`: what the child's environment holds (and never holds), exit codes,
//! signals, nesting and `--min-valid` (docs/cli-contract.md §10).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::{BIN, Home, Server, finish};

fn registered(server: &Server, service: &str, profile: &str) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.run(&[
        "--profile",
        profile,
        "register",
        service,
        "--name",
        "exec-agent",
    ])
    .ok();
    home
}

/// `env` output as a map.
fn env_of(stdout: &str) -> BTreeMap<String, String> {
    stdout
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// Every value the file store holds for `profile`, by kind.
fn stored_for(home: &Home, profile: &str) -> BTreeMap<String, String> {
    home.stored_secrets()
        .into_iter()
        .filter_map(|(account, value)| {
            let kind = account.strip_prefix(&format!("{profile}:"))?.to_owned();
            Some((kind, value.as_str()?.to_owned()))
        })
        .collect()
}

#[test]
fn the_child_gets_the_short_lived_credential_and_no_long_lived_secret() {
    let server = Server::start();
    let mut home = registered(&server, "fluxra", "fx");
    // Operator keys and stale same-name variables in agentcred's own environment.
    home.set("PROXY_API_KEY", "pk_operator_key_never_for_children")
        .set("AUTHPI_KEY_ID", "key_operator_never_for_children")
        .set("AUTHPI_KEY_SECRET", "sk_operator_never_for_children")
        .set("AGENTCRED_TOKEN", "stale-outer-token")
        .set("AGENTCRED_BASE_URL_STALE", "http://127.0.0.1:1/stale");
    let run = home.run(&["exec", "--", "env"]).ok();
    let env = env_of(&run.stdout);
    let stored = stored_for(&home, "fx");

    assert_eq!(env["AGENTCRED_PROFILE"], "fx");
    assert_eq!(env["AGENTCRED_PROVIDER"], "fluxra");
    assert_eq!(
        env["AGENTCRED_TOKEN"], stored["jwt"],
        "the stored JWT, not the stale one"
    );
    assert!(env["AGENTCRED_TOKEN_EXPIRES_AT"].ends_with('Z'));
    assert_eq!(
        env["AGENTCRED_BASE_URL_API"],
        server.url("AGENTCRED_FLUXRA_URL")
    );
    for gone in [
        "PROXY_API_KEY",
        "AUTHPI_KEY_ID",
        "AUTHPI_KEY_SECRET",
        "AGENTCRED_BASE_URL_STALE",
        "AGENTCRED_GATEWAY_TOKEN",
    ] {
        assert!(!env.contains_key(gone), "{gone} reached the child");
    }
    for kind in ["recovery_key", "api_key"] {
        let value = &stored[kind];
        assert!(
            !run.stdout.contains(value.as_str()),
            "the long-lived {kind} reached the child"
        );
    }
    assert!(!run.stdout.contains("operator_never_for_children"));
    assert!(!run.stdout.contains("pk_operator_key"));
}

#[test]
fn fluxa_tools_get_their_own_variables_and_a_placeholder_for_the_refresh_token() {
    let server = Server::start();
    let home = registered(&server, "fluxa", "fa");
    let run = home.run(&["exec", "--", "env"]).ok();
    let env = env_of(&run.stdout);
    let stored = stored_for(&home, "fa");
    let agent_id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();

    assert_eq!(env["AGENT_ID"], agent_id);
    assert_eq!(env["AGENT_JWT"], stored["jwt"]);
    assert_eq!(env["AGENTCRED_TOKEN"], stored["jwt"]);
    assert!(!env["AGENT_TOKEN"].is_empty());
    assert_ne!(env["AGENT_TOKEN"], stored["token"]);
    assert!(!run.stdout.contains(stored["token"].as_str()));
    assert_eq!(
        env["AGENT_ID_API"],
        server.url("AGENTCRED_FLUXA_AGENTID_URL")
    );
    assert_eq!(env["WALLET_API"], server.url("AGENTCRED_FLUXA_WALLET_URL"));
    assert_eq!(env["AGENTCRED_BASE_URL_AGENTID"], env["AGENT_ID_API"]);
    assert_eq!(env["AGENTCRED_BASE_URL_WALLET"], env["WALLET_API"]);
}

#[test]
fn fluxa_jwts_handed_to_the_wallet_cli_have_five_minutes_left() {
    let server = Server::start();
    let home = registered(&server, "fluxa", "fa");
    // A service that issues 2-minute JWTs cannot satisfy the wallet CLI's 5-minute rule.
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 120}}));
    home.run(&["refresh"]).ok();
    let marker = home.path().join("started");
    let marker_arg = marker.to_str().unwrap();
    let run = home
        .run(&["--json", "exec", "--", "touch", marker_arg])
        .code(8);
    assert!(!marker.exists(), "the child must not start");
    let error = run.error_json();
    assert_eq!(error["error"]["exit_code"], 8);
    assert_eq!(error["error"]["code"], "min_valid_unmet");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("at most"),
        "{error}"
    );
    // 10-minute JWTs do.
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 600}}));
    home.run(&["exec", "--", "touch", marker_arg]).ok();
    assert!(marker.exists());
}

#[test]
fn min_valid_that_the_service_cannot_meet_starts_nothing() {
    let server = Server::start();
    let home = registered(&server, "fluxra", "fx");
    server.knobs(json!({"jwt_ttl_secs": {"fluxra": 30}}));
    home.run(&["refresh"]).ok();
    let marker = home.path().join("started");
    home.run(&[
        "exec",
        "--min-valid",
        "10m",
        "--",
        "touch",
        marker.to_str().unwrap(),
    ])
    .code(8)
    .mentions(&["30s", "--gateway"]);
    assert!(!marker.exists());
    // What it can meet refreshes first if needed, then runs.
    home.run(&[
        "exec",
        "--min-valid",
        "10s",
        "--",
        "touch",
        marker.to_str().unwrap(),
    ])
    .ok();
    assert!(marker.exists());
}

#[test]
fn proxy_agent_tokens_do_not_expire_so_only_the_gateway_and_reveal_hand_them_on() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    let key = agentcred::sandbox_host::demo_credential("PROXY_API_KEY").unwrap();
    home.set("PROXY_API_KEY", key);
    home.run(&[
        "--profile",
        "px",
        "register",
        "proxy",
        "--external-id",
        "exec-1",
        "--user",
        agentcred_sandbox::proxy::DEMO_USER_ALICE,
        "--name",
        "Exec Agent",
    ])
    .ok();
    let stored = home.stored("px:token");
    // Plain exec would hand the child a secret that never expires: refused, naming the way.
    let run = home.run(&["exec", "--", "env"]).code(2);
    assert!(
        !run.stdout.contains(&stored),
        "the child ran with the token"
    );
    run.mentions(&["do not expire", "exec --gateway"]);
    let run = home.run(&["exec", "--gateway", "--", "env"]).ok();
    let env = env_of(&run.stdout);
    assert!(env.contains_key("AGENTCRED_GATEWAY_TOKEN"), "{env:?}");
    assert!(!run.stdout.contains(&stored));
    assert!(
        !env.contains_key("PROXY_API_KEY"),
        "the operator key stays out"
    );
    assert!(!run.stdout.contains(key));

    // `token` prints it only with --reveal, and says what it is.
    let run = home.run(&["token"]).code(2);
    assert!(!run.stdout.contains(&stored));
    run.mentions(&["--reveal", "exec --gateway"]);
    let run = home.run(&["--reveal", "token"]).ok();
    assert_eq!(run.stdout.trim(), stored);
    run.mentions(&["does not expire"]);
}

#[test]
fn the_childs_exit_code_is_agentcreds() {
    let server = Server::start();
    let home = registered(&server, "fluxra", "fx");
    home.run(&["exec", "--", "sh", "-c", "exit 3"]).code(3);
    home.run(&["exec", "--", "true"]).ok();
    // Killed by SIGTERM: 128 + 15, as a shell reports it.
    home.run(&["exec", "--", "sh", "-c", "kill -TERM $$"])
        .code(143);
    home.run(&["exec", "--", "no-such-command-agentcred-test"])
        .code(127)
        .mentions(&["no-such-command-agentcred-test"]);
}

fn wait_for(path: &Path) {
    let started = Instant::now();
    while !path.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn kill(signal: &str, pid: u32) {
    let status = std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn sigint_and_sigterm_sent_to_agentcred_reach_the_child() {
    let server = Server::start();
    let home = registered(&server, "fluxra", "fx");
    let dir = home.path().to_owned();
    let ready = dir.join("ready");
    let got = dir.join("got-int");
    let script = format!(
        "trap 'echo interrupted > {got}; exit 7' INT; touch {ready}; while :; do sleep 0.05; done",
        got = got.display(),
        ready = ready.display()
    );
    let child = home
        .command(&["exec", "--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&ready);
    kill("-INT", child.id());
    let run = finish(child.wait_with_output().unwrap());
    assert_eq!(run.code, 7, "the child's trap decides: {}", run.stderr);
    assert_eq!(std::fs::read_to_string(&got).unwrap().trim(), "interrupted");

    // SIGTERM, to a child that does not handle it: it dies of it, agentcred says 143.
    let ready = dir.join("ready-term");
    let script = format!("touch {}; exec sleep 30", ready.display());
    let child = home
        .command(&["exec", "--", "sh", "-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for(&ready);
    // `exec sleep` replaces the shell after `touch`; give it that instant.
    std::thread::sleep(Duration::from_millis(200));
    kill("-TERM", child.id());
    let run = finish(child.wait_with_output().unwrap());
    assert_eq!(run.code, 143, "{}", run.stderr);
}

#[test]
fn nested_exec_of_the_same_profile_is_refused_and_of_another_allowed() {
    let server = Server::start();
    let home = registered(&server, "fluxra", "outer");
    home.run(&[
        "--profile",
        "inner",
        "register",
        "fluxra",
        "--name",
        "inner-agent",
    ])
    .ok();
    let same = home
        .run(&[
            "--profile",
            "outer",
            "exec",
            "--",
            BIN,
            "exec",
            "--",
            "true",
        ])
        .code(2);
    assert!(
        same.stderr.contains("already runs inside"),
        "{}",
        same.stderr
    );
    let other = home
        .run(&[
            "--profile",
            "outer",
            "exec",
            "--",
            BIN,
            "--profile",
            "inner",
            "exec",
            "--",
            "env",
        ])
        .ok();
    let env = env_of(&other.stdout);
    assert_eq!(env["AGENTCRED_PROFILE"], "inner");
    assert_eq!(env["AGENTCRED_TOKEN"], home.stored("inner:jwt"));
}
