//! Hardening: `import` of rescue files for every service, `doctor`, one rule
//! for create / use / revoke of a profile's own credential, durations that do not fit; a table
//! of the bad inputs with their exit codes.

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
use serde_json::Value;

use crate::support::{Home, Run, Server};

// ------------------------------------------------------------------------------------------
// import

/// One provider's register command, and the environment its operator calls need.
struct Provider {
    id: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

const PROVIDERS: &[Provider] = &[
    Provider {
        id: "fluxa",
        args: &["register", "fluxa", "--name", "rescued"],
        env: &[],
    },
    Provider {
        id: "fluxra",
        args: &["register", "fluxra", "--name", "rescued-agent"],
        env: &[],
    },
    Provider {
        id: "authpi",
        args: &[
            "register",
            "authpi",
            "--account",
            DEMO_ACCOUNT_ID,
            "--issuer",
            DEMO_ISSUER_ID,
            "--name",
            "rescued",
        ],
        env: &[
            ("AUTHPI_KEY_ID", DEMO_KEY_ID),
            ("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET),
        ],
    },
    Provider {
        id: "proxy",
        args: &[
            "register",
            "proxy",
            "--external-id",
            "rescued",
            "--user",
            DEMO_USER_ALICE,
            "--name",
            "Rescued",
        ],
        env: &[("PROXY_API_KEY", DEMO_API_KEY)],
    },
];

fn home_for(server: &Server, provider: &Provider) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    for (k, v) in provider.env {
        home.set(k, v);
    }
    home
}

/// A register whose store writes fail: exit 7, and the JSON error names the rescue file.
fn failed_register(home: &mut Home, provider: &Provider) -> String {
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let mut args = vec!["--json"];
    args.extend_from_slice(provider.args);
    let run = home.run(&args).code(7);
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    let error = run.error_json();
    assert_eq!(
        error["error"]["code"], "store_unavailable",
        "{}",
        provider.id
    );
    let file = error["error"]["rescue_file"]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no rescue_file in {error}", provider.id))
        .to_owned();
    assert!(std::path::Path::new(&file).is_file(), "{file}");
    assert!(
        error["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("agentcred import"),
        "{error}"
    );
    file
}

#[test]
fn a_rescue_file_imports_into_a_working_profile_for_every_provider() {
    let server = Server::start();
    for provider in PROVIDERS {
        let mut home = home_for(&server, provider);
        let file = failed_register(&mut home, provider);
        let rescued: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let secrets = rescued["secrets"].as_object().unwrap().clone();
        let imported = home.run(&["--json", "import", &file]).ok().json();
        assert_eq!(imported["profile"], provider.id, "{imported}");
        assert_eq!(imported["provider"], provider.id);
        assert_eq!(imported["rescue_file_removed"], true);
        assert!(
            !std::path::Path::new(&file).exists(),
            "the rescue file is gone"
        );
        for (kind, value) in &secrets {
            assert_eq!(
                home.stored(&format!("{}:{kind}", provider.id)),
                value.as_str().unwrap(),
                "{}: {kind} is stored",
                provider.id
            );
        }
        // The profile works (a new FluxA agent once its owner approved it). Proxy's token
        // never expires, so `token` prints it only with --reveal.
        let token = if provider.id == "proxy" {
            home.run(&["--reveal", "token"]).ok()
        } else {
            home.run(&["token"]).ok()
        };
        assert!(!token.stdout.trim().is_empty(), "{}", provider.id);
        if provider.id == "fluxa" {
            home.approve_owner(&server, None);
        }
        home.run(&["--json", "status"]).ok();
    }
}

/// A store write that panics (a bug in a store backend, say) after the service answered: the
/// panic hook writes the rescue file before the process ends, which is the only thing that can
/// save the secrets in a release build (`panic = "abort"`: nothing unwinds to the error path).
/// The test binary unwinds (exit 101); the hook runs the same way under both.
#[test]
fn one_time_secrets_survive_a_store_write_that_panics_for_every_provider() {
    let server = Server::start();
    for provider in PROVIDERS {
        let mut home = home_for(&server, provider);
        home.set("AGENTCRED_FAULT_STORE_WRITE", "panic");
        let run = home.run(provider.args);
        home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
        assert!(
            run.code == 101 || run.code == -1,
            "{}: a panic ends the run: {} {}",
            provider.id,
            run.code,
            run.stderr
        );
        assert!(
            run.stderr.contains("injected store write panic"),
            "{}: the panic itself is shown: {}",
            provider.id,
            run.stderr
        );
        let file = run
            .stderr
            .split("saved to the rescue file ")
            .nth(1)
            .and_then(|rest| rest.split(" (mode 0600)").next())
            .unwrap_or_else(|| panic!("{}: no rescue file named: {}", provider.id, run.stderr))
            .to_owned();
        assert!(
            run.stderr.contains(&format!("agentcred import {file}")),
            "{}",
            run.stderr
        );
        let rescued: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(
            !rescued["secrets"].as_object().unwrap().is_empty(),
            "{rescued}"
        );
        home.run(&["import", &file]).ok();
        if provider.id == "fluxra" {
            // The panic came at the first secret, the recovery key, before the agent's first
            // API key existed: the key is made from the rescued recovery key.
            assert_eq!(
                rescued["secrets"].as_object().unwrap().len(),
                1,
                "{rescued}"
            );
            home.run(&["keys", "create", "--use"]).ok();
        }
        let token = if provider.id == "proxy" {
            home.run(&["--reveal", "token"]).ok()
        } else {
            home.run(&["token"]).ok()
        };
        assert!(!token.stdout.trim().is_empty(), "{}", provider.id);
    }
}

#[test]
fn a_failing_import_keeps_the_rescue_file() {
    let server = Server::start();
    let provider = &PROVIDERS[0];
    let mut home = home_for(&server, provider);
    let file = failed_register(&mut home, provider);

    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home.run(&["--json", "import", &file]).code(7);
    assert_eq!(run.error_json()["error"]["rescue_file"], file.as_str());
    assert!(std::path::Path::new(&file).is_file(), "the file stays");
    assert!(
        !home.run(&["profiles", "list"]).stdout.contains("fluxa"),
        "no profile was recorded"
    );

    // Without the fault it goes through.
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    home.run(&["import", &file]).ok();
    assert!(!std::path::Path::new(&file).exists());
    home.run(&["token"]).ok();
}

#[test]
fn a_rescued_spare_goes_into_the_existing_profile() {
    let server = Server::start();
    let provider = &PROVIDERS[3];
    let mut home = home_for(&server, provider);
    home.run(provider.args).ok();
    let before = home.stored("proxy:token");
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home.run(&["--json", "tokens", "create"]).code(7);
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    let file = run.error_json()["error"]["rescue_file"]
        .as_str()
        .unwrap()
        .to_owned();
    let imported = home.run(&["--json", "import", &file]).ok().json();
    assert_eq!(imported["created"], false);
    let kind = imported["secrets"][0].as_str().unwrap().to_owned();
    assert!(kind.starts_with("token:"), "a spare: {kind}");
    assert_eq!(
        home.stored("proxy:token"),
        before,
        "the profile's token stays"
    );
    let shown = home.run(&["--json", "profiles", "show"]).ok().json();
    assert!(
        shown.to_string().contains(&kind),
        "the spare is recorded, so `profiles remove` finds it: {shown}"
    );
}

/// The spare-credential flow too: a new Proxy token whose store write panics is rescued by the
/// hook, and imports as a spare of the existing profile.
#[test]
fn a_spare_whose_store_write_panics_is_rescued() {
    let server = Server::start();
    let provider = &PROVIDERS[3];
    let mut home = home_for(&server, provider);
    home.run(provider.args).ok();
    home.set("AGENTCRED_FAULT_STORE_WRITE", "panic");
    let run = home.run(&["tokens", "create"]);
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    assert!(run.code == 101 || run.code == -1, "{}", run.stderr);
    let file = run
        .stderr
        .split("saved to the rescue file ")
        .nth(1)
        .and_then(|rest| rest.split(" (mode 0600)").next())
        .unwrap_or_else(|| panic!("no rescue file named: {}", run.stderr))
        .to_owned();
    let imported = home.run(&["--json", "import", &file]).ok().json();
    assert_eq!(imported["created"], false);
    let kind = imported["secrets"][0].as_str().unwrap();
    assert!(kind.starts_with("token:"), "a spare: {kind}");
}

#[test]
fn import_refuses_what_is_not_a_rescue_file() {
    let home = Home::new();
    let bad = home.path().join("bad.json");
    std::fs::write(&bad, "{\"profile\": \"x\"}").unwrap();
    let run = home
        .run(&["--json", "import", bad.to_str().unwrap()])
        .code(2);
    let message = run.error_json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("not an agentcred rescue file"),
        "{message}"
    );
    assert!(bad.exists());
}

// ------------------------------------------------------------------------------------------
// doctor

fn doctor(home: &Home, code: i32) -> (Run, Value) {
    let run = home.run(&["--json", "doctor"]).code(code);
    let view = run.json();
    (run, view)
}

fn finding<'a>(view: &'a Value, check: &str) -> &'a Value {
    view["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == check)
        .unwrap_or_else(|| panic!("no {check} finding in {view}"))
}

#[test]
fn doctor_on_a_healthy_file_store_home_is_ok() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    home.run(&["--sandbox", "register", "fluxa", "--name", "d"])
        .ok();
    let (_, view) = doctor(&home, 0);
    assert_eq!(view["ok"], true);
    for check in ["home", "config file", "file store"] {
        let f = finding(&view, check);
        assert_eq!(f["ok"], true, "{f}");
        assert!(f["fix"].is_null());
    }
    let human = home.run(&["doctor"]).ok();
    assert!(human.stdout.contains("[ok] file store"), "{}", human.stdout);
}

#[cfg(unix)]
#[test]
fn doctor_names_a_loose_file_store_and_its_fix() {
    use std::os::unix::fs::PermissionsExt;
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    home.run(&["--sandbox", "register", "fluxa", "--name", "d"])
        .ok();
    let secrets = home.secrets_file("fluxa");
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (run, view) = doctor(&home, 7);
    let f = finding(&view, "file store");
    assert_eq!(f["ok"], false);
    assert_eq!(f["exit_code"], 7);
    assert!(f["detail"].as_str().unwrap().contains("0644"), "{f}");
    assert_eq!(
        f["fix"].as_str().unwrap(),
        format!("chmod 600 {}", secrets.display())
    );
    assert_eq!(run.error_json()["error"]["code"], "store_unavailable");
    let human = home.run(&["doctor"]).code(7);
    assert!(human.stdout.contains("fix: chmod 600"), "{}", human.stdout);
}

#[test]
fn doctor_names_a_corrupt_config_and_a_home_that_is_a_file() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    std::fs::write(home.path().join("config.toml"), "this is [not toml").unwrap();
    let (_, view) = doctor(&home, 2);
    let f = finding(&view, "config file");
    assert_eq!(f["ok"], false);
    assert_eq!(f["exit_code"], 2);
    assert!(f["fix"].is_string());

    let file = home.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    home.set("AGENTCRED_HOME", file.to_str().unwrap());
    let (run, view) = doctor(&home, 2);
    let f = finding(&view, "home");
    assert_eq!(f["ok"], false, "{f}");
    assert!(f["fix"].as_str().unwrap().contains("AGENTCRED_HOME"), "{f}");
    assert_eq!(run.error_json()["error"]["code"], "usage");
}

#[test]
fn doctor_without_a_session_bus_says_so_when_the_keychain_is_needed() {
    let home = Home::new();
    // The default store is auto: a real profile would need the keychain.
    let (run, view) = doctor(&home, 7);
    let f = finding(&view, "keychain: D-Bus session bus");
    assert_eq!(f["ok"], false);
    assert_eq!(f["required"], true);
    assert!(f["fix"].as_str().unwrap().contains("--store file"), "{f}");
    assert!(run.error_json()["error"]["message"].is_string());
}

// ------------------------------------------------------------------------------------------
// bad input

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    code: i32,
    mentions: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "11: --min-valid beyond i64 seconds",
        args: &["token", "--min-valid", "9223372036854775808s"],
        env: &[],
        code: 2,
        mentions: &["9223372036854775808s", "too large", "36500d"],
    },
    Case {
        name: "11: --min-valid beyond u64 seconds",
        args: &["token", "--min-valid", "99999999999999999999s"],
        env: &[],
        code: 2,
        mentions: &["too large"],
    },
    Case {
        name: "11: --if-expiring-within too large",
        args: &["refresh", "--if-expiring-within", "213503982334602d"],
        env: &[],
        code: 2,
        mentions: &["--if-expiring-within", "too large"],
    },
    Case {
        name: "11: status --check --min-valid too large",
        args: &["status", "--check", "--min-valid", "36501d"],
        env: &[],
        code: 2,
        mentions: &["too large"],
    },
    Case {
        name: "11: AGENTCRED_VAULT_LEASE too large",
        args: &[
            "--sandbox",
            "--store",
            "vault",
            "register",
            "fluxa",
            "--name",
            "x",
        ],
        env: &[
            ("AGENTCRED_VAULT_LEASE", "9223372036854775808s"),
            ("VAULT_ADDR", "http://127.0.0.1:9"),
            ("VAULT_TOKEN", "t"),
        ],
        code: 2,
        mentions: &["AGENTCRED_VAULT_LEASE", "too large"],
    },
    Case {
        name: "5: import of a missing file",
        args: &["import", "/nonexistent/rescue.json"],
        env: &[],
        code: 2,
        mentions: &["/nonexistent/rescue.json"],
    },
    Case {
        name: "5: import of something that is not a rescue file",
        args: &["import", "/dev/null"],
        env: &[],
        code: 2,
        mentions: &["/dev/null", "not a regular file"],
    },
    Case {
        name: "5: import without a file",
        args: &["import"],
        env: &[],
        code: 2,
        mentions: &["RESCUE_FILE"],
    },
    Case {
        name: "10: tokens revoke of another provider's profile",
        args: &["tokens", "revoke", "atok_1", "--force"],
        env: &[],
        code: 2,
        mentions: &["no profile selected"],
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
        assert!(human.stdout.is_empty(), "{}: {}", case.name, human.stdout);
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
        assert!(json.stdout.is_empty(), "{} (--json)", case.name);
        let error = &json.error_json()["error"];
        assert_eq!(error["exit_code"], case.code, "{}", case.name);
        assert!(error["hint"].is_string() || case.code == 2, "{}", case.name);
    }
}
