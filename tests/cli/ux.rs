//! What a new user hit, each reproduced from the outside first: a money guard that failed
//! open, flags that were silently ignored, waits without end, half-set endpoints, local
//! problems reported as remote ones, service text that forged lines, and exit codes that
//! collided or misled.

use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
use serde_json::Value;

use crate::support::{Home, Server};

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

// ---- the money guard ----

#[test]
fn min_remaining_with_too_many_decimals_is_refused_before_any_check() {
    let server = Server::start();
    let home = proxy_home(&server, "proxy", "ux-guard", &["--spending-limit", "500"]);
    home.run(&["limits", "set", "--spending-limit", "0"]).ok();
    server.clear_requests();
    // Used to print `"health": "ok"` and exit 0 with the usage error tucked inside.
    let run = home
        .run(&["--json", "status", "--check", "--min-remaining", "0.001"])
        .code(2);
    assert!(run.stdout.is_empty(), "no verdict is printed: {}", run.stdout);
    let err = run.error_json();
    assert_eq!(err["error"]["code"], "usage");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("0.001 has 3 decimal places but USD has 2"),
        "{err}"
    );
    assert_eq!(
        server.requests()["requests"].as_array().unwrap().len(),
        0,
        "refused before any request"
    );
    // A valid amount is judged: nothing remains.
    let run = home
        .run(&["--json", "status", "--check", "--min-remaining", "0.01"])
        .code(8);
    assert_eq!(run.json()["health"], "low_budget");
    assert_eq!(run.json()["min_remaining"], "checked");
}

#[test]
fn min_remaining_on_a_service_without_a_budget_is_refused_and_all_says_which_were_judged() {
    let server = Server::start();
    let mut home = proxy_home(&server, "shop", "ux-guard-all", &["--spending-limit", "20"]);
    home.run(&["--profile", "weather", "register", "fluxra", "--name", "weather-bot"])
        .ok();
    let run = home
        .run(&[
            "--json",
            "--profile",
            "weather",
            "status",
            "--check",
            "--min-remaining",
            "5",
        ])
        .code(2);
    let err = run.error_json();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("Fluxra keeps no budget"), "{message}");
    let hint = err["error"]["hint"].as_str().unwrap();
    assert!(hint.contains("FluxA") && hint.contains("Proxy"), "{hint}");

    // With --all, the profiles with a budget are judged against it and the others without.
    let all = home
        .run(&["--json", "status", "--check", "--all", "--min-remaining", "50"])
        .code(8);
    let rows: Vec<(String, String, String)> = all.json()["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap().to_owned(),
                r["health"].as_str().unwrap().to_owned(),
                r["min_remaining"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("shop".into(), "low_budget".into(), "checked".into()),
            ("weather".into(), "ok".into(), "no_budget".into()),
        ]
    );
    // A malformed amount is refused for --all too.
    home.run(&["status", "--check", "--all", "--min-remaining", "1.001"])
        .code(2)
        .mentions(&["1.001 has 3 decimal places"]);
}

// ---- flags that were silently ignored ----

#[test]
fn status_flags_that_cannot_apply_are_refused() {
    let server = Server::start();
    let mut home = proxy_home(&server, "shop", "ux-flags", &[]);
    home.run(&["--profile", "weather", "register", "fluxra", "--name", "wbot"])
        .ok();
    home.run(&["--profile", "shop", "status", "--network", "base"])
        .code(2)
        .mentions(&["--network", "Proxy status shows no wallet", "FluxA"]);
    home.run(&["--profile", "weather", "status", "--tx-limit", "5"])
        .code(2)
        .mentions(&["--tx-limit"]);
    home.run(&["--profile", "shop", "status", "--check", "--all"])
        .code(2)
        .mentions(&["--profile and --all"]);
    home.run(&["status", "--check", "--tx-limit", "5"])
        .code(2)
        .mentions(&["--tx-limit", "--check"]);
    home.run(&["status", "--all", "--network", "base"])
        .code(2)
        .mentions(&["--network"]);
    // AGENTCRED_PROFILE is a default, not a request: --all still shows everything.
    home.set("AGENTCRED_PROFILE", "shop");
    let all: Value = home.run(&["--json", "status", "--all"]).ok().json();
    assert_eq!(all["profiles"].as_array().unwrap().len(), 2);
}
