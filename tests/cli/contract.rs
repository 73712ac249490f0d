//! The machine contract (docs/cli-contract.md §9) from outside, where no other test already exercises it: JSON
//! help and version, clap's errors and bad environment variables under `--json`, the
//! rate-limit error, and the code tables `agentcred schema` publishes.

use serde_json::{Value, json};

use crate::support::{Home, Server};

#[test]
fn json_version_and_help_are_json() {
    let home = Home::new();
    let version: Value = serde_json::from_str(&home.run(&["--json", "--version"]).ok().stdout)
        .expect("--json --version prints JSON");
    assert_eq!(version["schema_version"], 1);
    assert_eq!(version["version"], env!("CARGO_PKG_VERSION"));
    let help: Value = serde_json::from_str(
        &home
            .run(&["--json", "keys", "create", "--help"])
            .ok()
            .stdout,
    )
    .expect("--json --help prints JSON");
    assert_eq!(help["schema_version"], 1);
    assert_eq!(help["path"], "keys create");
    assert!(
        help["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["long"] == "--use")
    );
}

#[test]
fn usage_errors_and_bad_variables_are_the_json_envelope() {
    let home = Home::new();
    for args in [&["--json", "no-such-command"][..], &["--json", "keys"]] {
        let run = home.run(args).code(2);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
        assert_eq!(run.error_json()["error"]["code"], "usage", "{args:?}");
    }
    let mut bad_output = Home::new();
    bad_output.set("AGENTCRED_OUTPUT", "xml");
    bad_output
        .run(&["profiles", "list"])
        .code(2)
        .mentions(&["AGENTCRED_OUTPUT", "xml"]);
    let mut bad_store = Home::new();
    bad_store.set("AGENTCRED_STORE", "bogus");
    let error = bad_store
        .run(&["--json", "profiles", "list"])
        .code(2)
        .error_json();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("AGENTCRED_STORE") && message.contains("bogus"),
        "{message}"
    );
    assert!(
        error["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("keychain"),
        "{error}"
    );
}

#[test]
fn a_service_that_keeps_rate_limiting_is_rate_limited_with_its_wait() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "busy"]).ok();
    home.approve_owner(&server, None);
    server.fault(
        json!({"method": "GET", "path": "/fluxa/wallet/api/agent/self/status",
        "status": 429, "count": 10, "retry_after": 1}),
    );
    let error = home.run(&["--json", "status"]).code(6).error_json();
    assert_eq!(error["error"]["code"], "rate_limited");
    assert_eq!(error["error"]["retry_after_s"], 1);
    assert_eq!(error["error"]["http_status"], 429);
}

#[test]
fn the_schema_binds_each_code_to_the_contract_exit_code() {
    let schema = crate::support::published_schema();
    let exit_of = |code: &str| {
        schema["error_codes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["code"] == code)
            .unwrap_or_else(|| panic!("{code} is not published"))["exit_code"]
            .as_u64()
            .unwrap()
    };
    let table: &[(u64, &[&str])] = &[
        (1, &["internal"]),
        (2, &["usage"]),
        (3, &["not_found"]),
        (
            4,
            &["auth_failed", "credential_revoked", "credential_expired"],
        ),
        (5, &["conflict"]),
        (6, &["service_unavailable", "rate_limited"]),
        (7, &["store_unavailable", "keychain_locked"]),
        (
            8,
            &[
                "agent_suspended",
                "agent_blocked",
                "agent_deregistered",
                "not_authorized_by_owner",
                "limit_reached",
                "min_valid_unmet",
            ],
        ),
    ];
    for (exit, codes) in table {
        for code in *codes {
            assert_eq!(exit_of(code), *exit, "{code}");
        }
    }
}
