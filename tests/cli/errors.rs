//! Bad input: each case has its exit code, a message that names the problem and the way out,
//! and the JSON envelope with `--json`.

use crate::support::{Home, Server};

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    code: i32,
    mentions: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "unknown provider",
        args: &["register", "stripe", "--name", "x"],
        env: &[],
        code: 2,
        mentions: &["stripe"],
    },
    Case {
        name: "missing --name",
        args: &["register", "fluxa"],
        env: &[],
        code: 2,
        mentions: &["--name"],
    },
    Case {
        name: "plain http to a non-loopback host",
        args: &["register", "fluxa", "--name", "x"],
        env: &[("AGENTCRED_FLUXA_AGENTID_URL", "http://agentid.example.com")],
        code: 2,
        mentions: &["AGENTCRED_FLUXA_AGENTID_URL", "https"],
    },
    Case {
        name: "not a URL",
        args: &["register", "fluxa", "--name", "x"],
        env: &[("AGENTCRED_FLUXA_WALLET_URL", "wallet.example.com")],
        code: 2,
        mentions: &["AGENTCRED_FLUXA_WALLET_URL"],
    },
    Case {
        name: "no profile selected",
        args: &["status"],
        env: &[],
        code: 2,
        mentions: &["no profile selected", "register"],
    },
    Case {
        name: "unknown profile",
        args: &["--profile", "ghost", "token"],
        env: &[],
        code: 3,
        mentions: &["ghost"],
    },
    Case {
        name: "bad duration",
        args: &["token", "--min-valid", "soon"],
        env: &[],
        code: 2,
        mentions: &["soon"],
    },
    Case {
        name: "bad profile name",
        args: &["--profile", "a b", "register", "fluxa", "--name", "x"],
        env: &[],
        code: 2,
        mentions: &["a b"],
    },
    Case {
        name: "--no-input when input is needed",
        args: &["--no-input", "login", "proxy"],
        env: &[("AGENTCRED_STORE", "file")],
        code: 2,
        mentions: &["PROXY_API_KEY", "login proxy"],
    },
];

#[test]
fn bad_input_table() {
    for case in CASES {
        let mut home = Home::new();
        for (k, v) in case.env {
            home.set(k, v);
        }
        let human = home.run(case.args);
        assert_eq!(human.code, case.code, "{}: {}", case.name, human.stderr);
        assert!(
            human.stdout.is_empty(),
            "{}: stdout must stay empty: {}",
            case.name,
            human.stdout
        );
        for word in case.mentions {
            assert!(
                human.stderr.contains(word),
                "{}: stderr should mention {word:?}:\n{}",
                case.name,
                human.stderr
            );
        }

        let mut args = vec!["--json"];
        args.extend_from_slice(case.args);
        let json = home.run(&args);
        assert_eq!(json.code, case.code, "{} (--json)", case.name);
        assert!(
            json.stdout.is_empty(),
            "{}: stdout must stay empty with --json",
            case.name
        );
        let envelope = json.error_json();
        let error = &envelope["error"];
        assert_eq!(error["exit_code"], case.code, "{}: {envelope}", case.name);
        assert!(
            error["code"].is_string() && error["message"].is_string(),
            "{}: {envelope}",
            case.name
        );
        assert!(
            error["hint"].is_string(),
            "{}: every error says what to do next: {envelope}",
            case.name
        );
    }
}

#[test]
fn a_command_of_another_provider_names_the_one_it_applies_to() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    for (args, applies_to) in [
        (&["keys", "list"][..], "Fluxra"),
        (&["verifiers", "list"][..], "AuthPI"),
        (&["tokens", "list"][..], "Proxy"),
        (&["cards", "list"][..], "Proxy"),
        (&["limits", "set", "--spending-limit", "5"][..], "Proxy"),
        (&["agent", "show"][..], "AuthPI and Proxy"),
    ] {
        let run = home.run(args).code(2);
        assert!(run.stderr.contains(applies_to), "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("FluxA"), "{args:?}: {}", run.stderr);
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(args);
        let envelope = home.run(&json_args).code(2).error_json();
        assert_eq!(envelope["error"]["provider"], "fluxa");
    }
}

#[test]
fn an_override_that_disagrees_with_the_profile_is_refused() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "demo-agent"])
        .ok();
    server.clear_requests();

    home.set(
        "AGENTCRED_FLUXA_WALLET_URL",
        "https://wallet.attacker.example",
    );
    let run = home.run(&["status"]).code(2);
    assert!(
        run.stderr.contains("AGENTCRED_FLUXA_WALLET_URL"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("recorded"), "{}", run.stderr);
    let envelope = home.run(&["--json", "status"]).code(2).error_json();
    assert_eq!(envelope["error"]["exit_code"], 2, "{envelope}");
    assert!(envelope["error"]["hint"].is_string(), "{envelope}");
    for account in ["fluxa:token", "fluxa:jwt"] {
        let secret = home.stored(account);
        assert!(!run.all().contains(&secret), "{account} in:\n{}", run.all());
        assert!(
            !envelope.to_string().contains(&secret),
            "{account} in {envelope}"
        );
    }
    assert_eq!(
        server.requests()["requests"].as_array().unwrap().len(),
        0,
        "nothing was sent anywhere"
    );

    // An override on a sandbox profile is refused the same way.
    let mut sandboxed = Home::new();
    sandboxed
        .run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    sandboxed.set(
        "AGENTCRED_FLUXA_AGENTID_URL",
        "https://agentid.attacker.example",
    );
    sandboxed.run(&["token"]).code(2);
}

#[test]
fn an_existing_profile_name_is_a_conflict_naming_the_flag() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    let run = home
        .run(&["--sandbox", "register", "fluxa", "--name", "other"])
        .code(5);
    assert!(run.stderr.contains("--profile"), "{}", run.stderr);
    home.run(&[
        "--sandbox",
        "--profile",
        "second",
        "register",
        "fluxa",
        "--name",
        "other",
    ])
    .ok();
}

#[test]
fn sandbox_flag_with_a_real_profile_is_refused() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "demo-agent"])
        .ok();
    let run = home.run(&["--sandbox", "status"]).code(2);
    assert!(run.stderr.contains("not a sandbox"), "{}", run.stderr);
}

#[test]
fn help_and_version_succeed_on_stdout() {
    let home = Home::new();
    let help = home.run(&["--help"]).ok();
    assert!(help.stdout.contains("register") && help.stdout.contains("Exit codes"));
    let version = home.run(&["--version"]).ok();
    assert!(version.stdout.starts_with("agentcred "));
}

#[test]
fn an_open_but_silent_stdin_does_not_hang_no_input() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    let mut cmd = home.command(&["--no-input", "login", "proxy"]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Keep our end of the pipe open and silent, like an agent that never writes.
    let _held_open = child.stdin.take();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "agentcred waited on stdin"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let out = crate::support::finish(child.wait_with_output().unwrap());
    assert_eq!(status.code(), Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("PROXY_API_KEY"), "{}", out.stderr);
    // The wait was not silent.
    assert!(out.stderr.contains("waiting for the"), "{}", out.stderr);
}

#[test]
fn authpi_login_takes_the_id_and_the_secret_on_two_piped_lines() {
    // A made-up key: stored unchecked; the endpoints are the sandbox's all the same, so that
    // nothing could ever go to the real service from a test.
    let server = crate::support::Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run_with_stdin(
        &["login", "authpi", "--no-verify"],
        "key_two_lines\nthe-secret\n",
    )
    .ok();
    assert_eq!(home.stored("operator:authpi"), "key_two_lines:the-secret");
}
