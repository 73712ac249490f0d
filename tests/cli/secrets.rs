//! Secrets: never in output unless --reveal, never lost, and store failures explained.

use serde_json::json;

use crate::support::{Home, Run, Server};

fn assert_no_secret(run: &Run, secrets: &[String], what: &str) {
    let all = run.all();
    for secret in secrets {
        assert!(
            !all.contains(secret.as_str()),
            "{what} leaked a secret:\n{all}"
        );
        // A JWT's signature is the secret part; header.payload may show in traces.
        if let Some(signature) = secret
            .rsplit('.')
            .next()
            .filter(|_| secret.matches('.').count() == 2)
        {
            assert!(
                !all.contains(signature),
                "{what} leaked a JWT signature:\n{all}"
            );
        }
    }
}

#[test]
fn no_secret_in_any_output_without_reveal() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    // Every secret the profile ever held: each refresh mints a JWT that later runs replace, so
    // the store is read after every run, not only at the start and the end.
    let mut secrets: Vec<String> = Vec::new();
    let mut collect = |home: &Home| {
        for value in home.stored_secrets().values() {
            let value = value.as_str().unwrap().to_owned();
            if !secrets.contains(&value) {
                secrets.push(value);
            }
        }
    };
    let mut runs = vec![(
        "register -v",
        home.run(&["-v", "register", "fluxa", "--name", "demo-agent"])
            .ok(),
    )];
    collect(&home);
    // The owner approves the new agent, so that its wallet answers.
    let agent_id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = format!(
        "{}/add-agent",
        server.url("AGENTCRED_FLUXA_AGENTWALLET_URL")
    );
    assert_eq!(server.submit_form(&page, &[("agentId", &agent_id)]), 200);

    for args in [
        &["-v", "status"][..],
        &["-v", "--json", "status"],
        &["-v", "refresh"],
        &["-v", "--json", "refresh"],
        &["-v", "profiles", "show"],
        &["--json", "profiles", "show"],
        &["profiles", "list"],
        &["status", "--all"],
        &["-v", "limits", "show"],
    ] {
        runs.push((args.join(" ").leak(), home.run(args).ok()));
        collect(&home);
    }
    // Failures too: a rejected refresh token, with -v.
    home.overwrite_secret("fluxa:token", "tok_wrong_wrong_wrong");
    collect(&home);
    runs.push((
        "failing refresh -v",
        home.run(&["-v", "--json", "refresh"]).code(4),
    ));
    collect(&home);

    // At least the token, a JWT and the wrong token. (Register and the two refreshes mint
    // three JWTs, but RS256 is deterministic: two minted in one second are the same string.)
    assert!(secrets.len() >= 3, "{secrets:?}");
    for (what, run) in &runs {
        assert_no_secret(run, &secrets, what);
    }
    // The traces did happen, with the credential redacted.
    let (_, verbose) = &runs[1];
    assert!(
        verbose.stderr.contains("authorization: Bearer <redacted>"),
        "{}",
        verbose.stderr
    );
}

#[test]
fn reveal_prints_the_one_time_secrets() {
    let home = Home::new();
    let run = home
        .run(&[
            "--sandbox",
            "--reveal",
            "--json",
            "register",
            "fluxa",
            "--name",
            "demo-agent",
        ])
        .ok();
    let json = run.json();
    let token = home.stored("fluxa:token");
    let revealed = json["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "token")
        .unwrap();
    assert_eq!(revealed["value"], token.as_str());

    let plain = Home::new();
    let run = plain
        .run(&[
            "--sandbox",
            "--json",
            "register",
            "fluxa",
            "--name",
            "demo-agent",
        ])
        .ok();
    let json = run.json();
    let listed = json["secrets"].as_array().unwrap();
    assert!(!listed.is_empty(), "{json}");
    for secret in listed {
        assert!(secret.get("value").is_none(), "{secret}");
    }
    for kind in ["token", "jwt"] {
        let value = plain.stored(&format!("fluxa:{kind}"));
        assert!(
            !run.all().contains(&value),
            "{kind} printed without --reveal"
        );
    }
}

#[test]
fn a_store_failure_after_registration_rescues_the_secrets() {
    let mut home = Home::new();
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home
        .run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .code(7);
    let path = run
        .stderr
        .split_whitespace()
        .find(|w| w.contains("/rescue/"))
        .unwrap_or_else(|| panic!("no rescue path in: {}", run.stderr));
    let path = std::path::Path::new(path.trim_end_matches([',', '.', ')']));
    let rescue: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let token = rescue["secrets"]["token"].as_str().unwrap();
    assert!(token.starts_with("tok_"));
    assert!(
        !run.stderr.contains(token),
        "the rescue message must not print the secret"
    );

    // The rescued token is the agent's real refresh token at the service.
    let agents = home.sandbox_state()["fluxa"]["agents"].clone();
    let agent = agents.as_object().unwrap().values().next().unwrap();
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        agent["token_sha256"],
        hex.as_str(),
        "the sandbox keeps only the token's hash"
    );
    // No half-made profile was left behind.
    home.env.clear();
    assert_eq!(
        home.run(&["--json", "profiles", "list"]).ok().json()["profiles"],
        json!([])
    );
}

#[test]
fn keychain_without_a_session_bus_is_exit_7_naming_the_cause() {
    let home = Home::new();
    let run = home
        .run(&[
            "--sandbox",
            "--store",
            "keychain",
            "register",
            "fluxa",
            "--name",
            "demo-agent",
        ])
        .code(7);
    assert!(run.stderr.contains("D-Bus session bus"), "{}", run.stderr);
    assert!(run.stderr.contains("--store file"), "{}", run.stderr);
    // The store is checked before the service is called: no agent was created. The state
    // keeps only `token_sha256`, so count the agents instead of grepping for the token; a
    // registration would have created the state file, so its absence is the strongest answer.
    let state_path = home.path().join("data/sandbox-state.json");
    let agents = if state_path.exists() {
        let state = home.sandbox_state();
        state["fluxa"]["agents"].as_object().map_or(0, |a| a.len())
    } else {
        0
    };
    assert_eq!(
        agents, 0,
        "an agent was registered before the store was checked"
    );

    // auto: a real profile with no usable keychain fails the same way, before any request.
    let server = Server::start();
    let mut real = Home::new();
    for (var, url) in &server.urls {
        real.set(var, url);
    }
    let run = real
        .run(&["--json", "register", "fluxa", "--name", "demo-agent"])
        .code(7);
    assert_eq!(run.error_json()["error"]["code"], "store_unavailable");
    assert_eq!(server.count("POST /fluxa/agentid/register"), 0);
}

#[test]
fn a_loose_file_store_is_refused() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = home.secrets_file("fluxa");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let run = home.run(&["token"]).code(7);
        assert!(run.stderr.contains("chmod"), "{}", run.stderr);
    }
}

#[test]
fn config_and_store_files_are_private() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    let config = home.config_text();
    assert!(config.contains("demo-agent"), "{config}");
    assert!(
        !config.contains(&home.stored("fluxa:token")),
        "the config holds no secret"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [
            "config.toml",
            "profiles/fluxa.toml",
            "data/secrets/fluxa.json",
        ] {
            let mode = std::fs::metadata(home.path().join(file))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{file}");
        }
        for dir in ["data", "data/secrets", "profiles"] {
            let mode = std::fs::metadata(home.path().join(dir))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{dir}");
        }
    }
}
