//! The smaller findings of the conformance checks, each from the outside: where a profile
//! name came from, a misspelt `exec` flag, a password in a recorded URL, the owner's
//! authorization URL for people too, and a Proxy profile left with no credential at all.

use serde_json::Value;

use crate::support::{Home, Server};

#[test]
fn a_bad_agentcred_profile_names_the_variable() {
    let mut home = Home::new();
    home.run(&[
        "--sandbox",
        "--profile",
        "fr",
        "register",
        "fluxra",
        "--name",
        "conf-one",
    ])
    .ok();
    home.set("AGENTCRED_PROFILE", "ghost");
    let run = home.run(&["status"]).code(3);
    run.mentions(&["AGENTCRED_PROFILE=ghost", "ghost"]);
    // Given on the command line, the flag is what is named (the variable is not).
    let run = home.run(&["--profile", "ghost2", "status"]).code(3);
    assert!(!run.stderr.contains("AGENTCRED_PROFILE"), "{}", run.stderr);
}

#[test]
fn an_unknown_exec_flag_is_a_usage_error_naming_it() {
    let home = Home::new();
    home.run(&[
        "--sandbox",
        "--profile",
        "fr",
        "register",
        "fluxra",
        "--name",
        "conf-two",
    ])
    .ok();
    let run = home.run(&["exec", "--isolat", "--", "true"]).code(2);
    run.mentions(&["--isolat", "exec --help"]);
    home.run(&["exec", "--", "true"]).ok();
}

#[test]
fn profiles_show_never_prints_a_password_in_a_recorded_endpoint() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "fr",
        "register",
        "fluxra",
        "--name",
        "conf-three",
    ])
    .ok();
    let path = home.profile_file("fr");
    let config = std::fs::read_to_string(&path).unwrap();
    let edited = config.replace("api = \"http://", "api = \"http://user:hunter2secret@");
    assert_ne!(edited, config);
    std::fs::write(&path, edited).unwrap();
    home.env.retain(|(k, _)| k != "AGENTCRED_FLUXRA_URL");
    for args in [
        &["profiles", "show"][..],
        &["--json", "profiles", "show"][..],
    ] {
        let run = home.run(args).ok();
        assert!(!run.all().contains("hunter2secret"), "{}", run.all());
        assert!(run.stdout.contains("127.0.0.1"), "{}", run.stdout);
    }
}

#[test]
fn an_unapproved_fluxa_agent_shows_its_authorization_url_to_people_too() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    let run = home
        .run(&[
            "--profile",
            "fa",
            "register",
            "fluxa",
            "--name",
            "conf-four",
        ])
        .ok();
    assert!(
        run.stdout.contains("Authorization URL: http"),
        "{}",
        run.stdout
    );
    let status = home.run(&["status"]);
    assert_ne!(status.code, 0);
    assert!(
        status.stderr.contains("authorization URL: http"),
        "{}",
        status.stderr
    );
    let json = home.run(&["--json", "status"]);
    let url = json.error_json()["error"]["authorization_url"].clone();
    assert!(status.stderr.contains(url.as_str().unwrap()), "{url}");
}

#[test]
fn a_proxy_profile_left_with_no_token_and_no_operator_key_has_no_working_credential() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.set("PROXY_API_KEY", agentcred_sandbox::proxy::DEMO_API_KEY);
    home.run(&[
        "--profile",
        "px",
        "register",
        "proxy",
        "--external-id",
        "conf-5",
        "--user",
        agentcred_sandbox::proxy::DEMO_USER_ALICE,
        "--name",
        "Conf Agent",
    ])
    .ok();
    let tokens = home.run(&["--json", "tokens", "list"]).ok().json();
    let id = tokens["tokens"][0]["id"].as_str().unwrap().to_owned();
    home.run(&["tokens", "revoke", "--force", &id]).ok();
    home.env.retain(|(k, _)| k != "PROXY_API_KEY");
    let run = home.run(&["status"]).code(4);
    run.mentions(&[
        "no working credential",
        "PROXY_API_KEY",
        "tokens create --use",
    ]);
    let json = home.run(&["--json", "status"]).code(4);
    let error: Value = json.error_json();
    assert_eq!(error["error"]["code"], "credential_revoked", "{error}");
}
