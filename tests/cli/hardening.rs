//! The hardening rules of docs/cli-contract.md §12, each from a state a user (or an attacker with write
//! access to the config file) can produce.

use crate::support::{Home, Server};

/// A FluxA profile registered against `server`, whose recorded endpoints the test may edit.
fn registered(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.run(&["register", "fluxa", "--name", "edited"]).ok();
    // Only the config's record is used from now on: no override variables.
    home.env.retain(|(k, _)| !k.ends_with("_URL"));
    home
}

fn edit_config(home: &Home, from: &str, to: &str) {
    let path = home.profile_file("fluxa");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

#[test]
fn an_edited_endpoint_is_checked_before_any_secret_is_sent() {
    let server = Server::start();
    let base = server.base.trim_start_matches("http://").to_owned();
    // Plain http to a non-loopback address: refused before any connection (the commands run
    // with no network at all, so nothing could leave even if the check were missing).
    let home = registered(&server);
    edit_config(&home, &format!("http://{base}"), "http://203.0.113.7:80");
    for args in [
        &["refresh"][..],
        &["status"],
        &["token", "--min-valid", "14m"],
    ] {
        let run = home.run_offline(args).code(2);
        run.mentions(&["plain http", "203.0.113.7", "config file"]);
        let json = {
            let mut with_json = vec!["--json"];
            with_json.extend_from_slice(args);
            home.run_offline(&with_json).code(2).error_json()
        };
        assert_eq!(json["error"]["code"], "usage");
    }

    // Credentials inside the URL: refused, and never shown.
    let home = registered(&server);
    edit_config(
        &home,
        &format!("http://{base}"),
        &format!("https://agent:hunter2@{base}"),
    );
    let run = home.run_offline(&["status"]).code(2);
    run.mentions(&["user name or password", "config file"]);
    assert!(!run.all().contains("hunter2"), "{}", run.all());

    // Not a URL at all.
    let home = registered(&server);
    edit_config(&home, &format!("http://{base}"), "::not a url::");
    home.run_offline(&["refresh"])
        .code(2)
        .mentions(&["not a valid URL"]);
}

#[test]
fn override_urls_in_messages_never_show_credentials() {
    let server = Server::start();
    let mut home = registered(&server);
    home.set(
        "AGENTCRED_FLUXA_WALLET_URL",
        "https://me:hunter2@wallet.example",
    );
    let run = home.run_offline(&["status"]).code(2);
    assert!(!run.all().contains("hunter2"), "{}", run.all());
    run.mentions(&["AGENTCRED_FLUXA_WALLET_URL"]);
}

#[test]
fn text_from_a_service_cannot_drive_the_terminal() {
    use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
    const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2Jshop";
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.set("PROXY_API_KEY", DEMO_API_KEY);
    home.run(&[
        "register",
        "proxy",
        "--external-id",
        "esc-1",
        "--user",
        DEMO_USER_ALICE,
        "--name",
        HOSTILE,
    ])
    .ok();
    home.run(&["cards", "create", "--purpose", HOSTILE]).ok();
    for args in [
        &["cards", "list"][..],
        &["status"],
        &["profiles", "show"],
        &["agent", "show"],
    ] {
        let run = home.run(args).ok();
        assert!(
            !run.all().contains('\u{1b}') && !run.all().contains('\u{7}'),
            "{args:?} printed a raw escape:\n{}",
            run.all()
        );
        assert!(
            run.stdout.contains("\\e]0;pwned\\a\\e[2Jshop"),
            "{args:?}:\n{}",
            run.stdout
        );
    }
    // JSON keeps the exact value (escaped as JSON).
    let cards = home.run(&["--json", "cards", "list"]).ok().json();
    assert_eq!(cards["cards"][0]["purpose"], HOSTILE);
}

#[test]
fn removing_a_real_profile_names_what_is_lost_and_needs_yes() {
    let server = Server::start();
    let home = registered(&server);
    let before = home.stored_secrets();
    let run = home.run(&["profiles", "remove", "fluxa"]).code(2);
    run.mentions(&["token", "for good", "--yes"]);
    assert_eq!(home.stored_secrets(), before, "nothing deleted");
    home.run(&["--json", "profiles", "show", "fluxa"]).ok();
    home.run(&["profiles", "remove", "fluxa", "--yes"]).ok();
    assert!(home.stored_secrets().is_empty());

    // A sandbox profile's secrets are fakes: no confirmation.
    let sandboxed = Home::new();
    sandboxed
        .run(&["--sandbox", "register", "fluxa", "--name", "demo"])
        .ok();
    sandboxed.run(&["profiles", "remove", "fluxa"]).ok();
}

#[test]
fn login_checks_the_key_and_the_store_before_keeping_anything() {
    use agentcred_sandbox::proxy::DEMO_API_KEY;
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    // A key the service refuses: exit 4, nothing stored.
    let refused = home
        .run_with_stdin(&["login", "proxy"], "lk_dev_not_a_real_key\n")
        .code(4);
    refused.mentions(&["not accepted", "--no-verify"]);
    assert!(home.stored_secrets().is_empty(), "nothing stored");
    // The demo organization's key is accepted after one read-only call.
    server.clear_requests();
    home.run_with_stdin(&["login", "proxy"], &format!("{DEMO_API_KEY}\n"))
        .ok();
    assert_eq!(home.stored("operator:proxy"), DEMO_API_KEY);
    assert_eq!(server.count("GET /proxy/v1/agents"), 1);

    // A store that cannot keep the key is found before the key is asked for: the piped key is
    // never read (it stays unconsumed) and the error is the store's.
    let mut keyless = Home::new();
    keyless.use_server(&server);
    keyless.set("AGENTCRED_STORE", "keychain");
    keyless
        .run_with_stdin(&["login", "proxy"], &format!("{DEMO_API_KEY}\n"))
        .code(7);
}

#[test]
fn local_problems_are_named_as_such() {
    // A home that is a file.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "").unwrap();
    let mut home = Home::new();
    home.set("AGENTCRED_HOME", file.to_str().unwrap());
    home.run(&["--sandbox", "register", "fluxa", "--name", "x"])
        .code(2)
        .mentions(&["AGENTCRED_HOME", "not a directory"]);

    // A corrupt config file: exit 2 naming it, never "internal error".
    let home = Home::new();
    std::fs::write(home.path().join("config.toml"), "garbage [[[").unwrap();
    let run = home.run(&["status"]).code(2);
    run.mentions(&["config.toml", "not valid"]);
    assert!(!run.stderr.contains("internal"), "{}", run.stderr);

    // A corrupt sandbox state file: exit 2 naming it before any request, not "the service is
    // failing" after three retries.
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "x"])
        .ok();
    std::fs::write(home.path().join("data/sandbox-state.json"), "{bad").unwrap();
    let run = home.run(&["status"]).code(2);
    run.mentions(&["sandbox-state.json", "not valid JSON", "move it away"]);
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);

    // A bad lifetime knob names its variable.
    let mut home = Home::new();
    home.set("AGENTCRED_SANDBOX_JWT_TTL", "soon");
    home.run(&["--sandbox", "register", "fluxa", "--name", "x"])
        .code(2)
        .mentions(&["AGENTCRED_SANDBOX_JWT_TTL"]);
}

#[test]
fn waits_are_never_silent() {
    use serde_json::json;
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "patient"]).ok();
    home.approve_owner(&server, None);

    // Two 429s asking for a second each: one line per retry, saying why and for how long.
    server.fault(
        json!({"method": "GET", "path": "/fluxa/wallet/api/agent/self/status",
        "status": 429, "count": 2, "retry_after": 1}),
    );
    let run = home.run(&["status"]).ok();
    assert_eq!(
        run.stderr.matches("retrying in 1.0 s").count(),
        2,
        "{}",
        run.stderr
    );
    run.mentions(&["answered 429"]);

    // A slow answer: a line once it takes longer than a second (JSON lines under --json).
    server.knobs(json!({"latency_ms": 1500}));
    let slow = home.run(&["status"]).ok();
    slow.mentions(&["waiting for the service to answer GET"]);
    let slow = home.run(&["--json", "status"]).ok();
    let notice: serde_json::Value =
        serde_json::from_str(slow.stderr.lines().next().unwrap()).unwrap();
    assert_eq!(notice["notice"]["code"], "waiting");
    server.knobs(json!({"latency_ms": 0}));
}

#[test]
fn profile_is_given_once_except_to_the_mcp_server() {
    let home = Home::new();
    let run = home
        .run(&["--json", "--profile", "a", "--profile", "b", "status"])
        .code(2);
    let error = run.error_json();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("given 2 times"),
        "{error}"
    );
}
