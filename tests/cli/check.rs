//! `status --check` (docs/cli-contract.md §9): each exit code and `health` value from a state the test
//! really produces at the sandbox, one profile and `--all`.

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
use serde_json::Value;

use crate::support::{Home, Server};

fn check(home: &Home, args: &[&str], code: i32) -> Value {
    let mut argv = vec!["--json", "status", "--check"];
    argv.extend_from_slice(args);
    let run = home.run(&argv).code(code);
    run.json()
}

fn proxy_home(server: &Server, profile: &str, external_id: &str, extra: &[&str]) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("PROXY_API_KEY", DEMO_API_KEY);
    let mut args = vec![
        "--profile",
        profile,
        "register",
        "proxy",
        "--external-id",
        external_id,
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "Shopper",
    ];
    args.extend_from_slice(extra);
    home.run(&args).ok();
    home
}

fn authpi_home(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET);
    home.run(&[
        "register",
        "authpi",
        "--account",
        DEMO_ACCOUNT_ID,
        "--issuer",
        DEMO_ISSUER_ID,
        "--name",
        "checker",
    ])
    .ok();
    home
}

#[test]
fn a_healthy_profile_is_ok_with_its_credential_and_budget() {
    let server = Server::start();
    let home = proxy_home(&server, "shop", "chk-ok", &["--spending-limit", "100"]);
    let row = check(&home, &[], 0);
    assert_eq!(row["health"], "ok");
    assert_eq!(row["exit_code"], 0);
    assert_eq!(row["agent"], "active");
    assert_eq!(row["credential"]["kind"], "token");
    assert_eq!(row["budget"]["limit"]["formatted"], "100");
    assert_eq!(row["budget"]["unlimited"], false);
    // The human form is one line per profile.
    let human = home.run(&["status", "--check"]).ok();
    assert_eq!(human.stdout.trim(), "shop: ok");
}

#[test]
fn a_revoked_token_is_invalid() {
    let server = Server::start();
    let home = proxy_home(&server, "shop", "chk-revoked", &[]);
    let token_id = home.run(&["--json", "profiles", "show"]).ok().json()["record"]["token_id"]
        .as_str()
        .unwrap()
        .to_owned();
    home.run(&["tokens", "revoke", &token_id, "--force"]).ok();
    let row = check(&home, &[], 4);
    assert_eq!(row["health"], "invalid");
    assert_eq!(row["error"]["exit_code"], 4);
}

#[test]
fn suspended_blocked_and_deregistered_agents_may_not_act() {
    let server = Server::start();
    let authpi = authpi_home(&server);
    authpi.run(&["agent", "suspend", "--reason", "audit"]).ok();
    let row = check(&authpi, &[], 8);
    assert_eq!(row["health"], "suspended");
    let error = authpi
        .run(&["--json", "status", "--check"])
        .code(8)
        .error_json();
    assert_eq!(error["error"]["code"], "agent_suspended");

    // Blocked (from active: a suspended agent is activated or deleted, not blocked).
    authpi.run(&["agent", "activate"]).ok();
    authpi
        .run(&["agent", "block", "--reason", "abuse", "--yes"])
        .ok();
    assert_eq!(check(&authpi, &[], 8)["health"], "blocked");

    let proxy = proxy_home(&server, "shop", "chk-dereg", &[]);
    proxy.run(&["agent", "deregister", "--yes"]).ok();
    let row = check(&proxy, &[], 8);
    assert_eq!(row["health"], "deregistered");
}

#[test]
fn a_budget_below_min_remaining_is_low() {
    let server = Server::start();
    let home = proxy_home(&server, "shop", "chk-budget", &["--spending-limit", "20"]);
    assert_eq!(check(&home, &["--min-remaining", "10"], 0)["health"], "ok");
    let row = check(&home, &["--min-remaining", "50"], 8);
    assert_eq!(row["health"], "low_budget");
    assert_eq!(row["budget"]["remaining"]["formatted"], "20");
    // A malformed amount is a usage error, not a health verdict.
    home.run(&["status", "--check", "--min-remaining", "lots"])
        .code(2);
}

#[test]
fn an_unreachable_service_is_unknown_and_an_unreadable_store_is_store_unavailable() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.set("AGENTCRED_HTTP_TIMEOUT", "2");
    home.run(&["register", "fluxa", "--name", "checker"]).ok();
    home.approve_owner(&server, None);
    assert_eq!(check(&home, &[], 0)["health"], "ok");
    // The JWT is only checked locally; the probe meets a service that is gone.
    drop(server);
    let row = check(&home, &[], 6);
    assert_eq!(row["health"], "unknown");

    // A secrets file others may read is refused by the file store.
    use std::os::unix::fs::PermissionsExt;
    let secrets = home.secrets_file("fluxa");
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    let row = check(&home, &[], 7);
    assert_eq!(row["health"], "store_unavailable");
}

#[test]
fn all_checks_every_profile_and_exits_with_the_most_severe_code() {
    let server = Server::start();
    let mut home = proxy_home(&server, "first", "chk-all-1", &[]);
    let args = |profile: &'static str, id: &'static str| {
        vec![
            "--profile",
            profile,
            "register",
            "proxy",
            "--external-id",
            id,
            "--user",
            DEMO_USER_ALICE,
            "--name",
            "n",
        ]
    };
    home.run(&args("second", "chk-all-2")).ok();
    home.run(&args("third", "chk-all-3")).ok();
    assert_eq!(check(&home, &["--all"], 0)["health"], "ok");

    home.run(&["--profile", "second", "agent", "suspend"]).ok();
    home.run(&["--profile", "third", "agent", "deregister", "--yes"])
        .ok();
    let all = check(&home, &["--all"], 8);
    let health: Vec<(&str, &str)> = all["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap(),
                r["health"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        health,
        [
            ("first", "ok"),
            ("second", "suspended"),
            ("third", "deregistered")
        ]
    );

    // A store failure outranks everything else.
    use std::os::unix::fs::PermissionsExt;
    let secrets = home.secrets_file("first");
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    home.set("AGENTCRED_HTTP_TIMEOUT", "2");
    let all = check(&home, &["--all"], 7);
    assert_eq!(all["health"], "store_unavailable");
}

#[test]
fn an_agent_its_owner_has_not_approved_is_not_authorized() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "waiting"]).ok();
    let row = check(&home, &[], 8);
    assert_eq!(row["health"], "not_authorized");
    let error = home
        .run(&["--json", "status", "--check"])
        .code(8)
        .error_json();
    assert_eq!(error["error"]["code"], "not_authorized_by_owner");
    assert!(
        error["error"]["authorization_url"]
            .as_str()
            .is_some_and(|u| u.contains("add-agent")),
        "{error}"
    );
    // Approved by its owner, it is ok, and its budget is the monthly headroom.
    home.approve_owner(&server, None);
    let row = check(&home, &[], 0);
    assert_eq!(row["health"], "ok");
    assert_eq!(row["budget"]["period"], "month");
}
