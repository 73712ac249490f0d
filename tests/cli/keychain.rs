//! A real Secret Service. Ignored in a plain `cargo test`; `.ci/run` runs it inside
//! `scripts/with-keyring.sh` (dbus-run-session + an unlocked gnome-keyring-daemon).

use std::process::Command;

use crate::support::{Home, Server};

#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: scripts/with-keyring.sh"]
fn register_stores_in_the_real_keychain_and_token_status_read_it_back() {
    let server = Server::start();
    let mut home = Home::new();
    for (var, url) in &server.urls {
        home.set(var, url);
    }
    // The Secret Service of the surrounding dbus-run-session.
    for var in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
        if let Ok(value) = std::env::var(var) {
            home.set(var, &value);
        }
    }
    let profile = format!("kc-{}", std::process::id());
    home.run(&[
        "--profile",
        &profile,
        "--store",
        "keychain",
        "register",
        "fluxa",
        "--name",
        "demo-agent",
    ])
    .ok();
    home.approve_owner(&server, Some(&profile));

    let lookup = |kind: &str| {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                "agentcred",
                "username",
                &format!("{profile}:{kind}"),
            ])
            .output()
            .expect("secret-tool");
        String::from_utf8(out.stdout).unwrap()
    };
    let token = lookup("token");
    assert!(token.starts_with("tok_"), "secret-tool found {token:?}");
    let jwt = lookup("jwt");
    assert_eq!(jwt.matches('.').count(), 2);

    let printed = home.run(&["--profile", &profile, "token"]).ok();
    assert_eq!(printed.stdout.trim(), jwt.trim());
    let status = home
        .run(&["--profile", &profile, "--json", "status"])
        .ok()
        .json();
    assert_eq!(status["local"]["store"], "keychain");
    assert!(
        status["local"]["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["present"] == true)
    );

    home.run(&["profiles", "remove", &profile, "--yes"]).ok();
    assert_eq!(lookup("token"), "");
}

/// The keychain leg of `profiles move` (tests/cli/vault.rs has file → vault → file): keychain →
/// vault → keychain keeps `token` working and leaves no copy behind.
#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: scripts/with-keyring.sh"]
fn move_keychain_to_vault_and_back() {
    let server = Server::start();
    let bao = crate::support::Bao::start();
    let mut home = Home::new();
    for (var, url) in &server.urls {
        home.set(var, url);
    }
    for var in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
        if let Ok(value) = std::env::var(var) {
            home.set(var, &value);
        }
    }
    home.set("VAULT_ADDR", &bao.addr)
        .set("VAULT_TOKEN", crate::support::Bao::TOKEN);
    let profile = format!("kcv-{}", std::process::id());
    let p = ["--profile", profile.as_str()];
    home.run(&[
        p[0], p[1], "--store", "keychain", "register", "fluxa", "--name", "demo",
    ])
    .ok();
    let lookup = |kind: &str| {
        let out = Command::new("secret-tool")
            .args([
                "lookup",
                "service",
                "agentcred",
                "username",
                &format!("{profile}:{kind}"),
            ])
            .output()
            .expect("secret-tool");
        String::from_utf8(out.stdout).unwrap()
    };
    let token = lookup("token");
    assert!(token.starts_with("tok_"));

    home.run(&["profiles", "move", &profile, "--to-store", "vault"])
        .ok();
    assert_eq!(lookup("token"), "", "no copy left in the keychain");
    let doc = bao.document(&profile).unwrap();
    assert_eq!(doc["secrets"]["token"], token.as_str());
    home.run(&[p[0], p[1], "token"]).ok();

    home.run(&["profiles", "move", &profile, "--to-store", "keychain"])
        .ok();
    assert!(!bao.has_metadata(&profile), "no copy left in the vault");
    assert_eq!(lookup("token"), token);
    home.run(&[p[0], p[1], "token"]).ok();
    home.run(&["profiles", "remove", &profile, "--yes"]).ok();
}

#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: scripts/with-keyring.sh"]
fn doctor_finds_the_real_keychain_usable() {
    let mut home = Home::new();
    for var in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
        if let Ok(value) = std::env::var(var) {
            home.set(var, &value);
        }
    }
    let view = home.run(&["--json", "doctor"]).ok().json();
    assert_eq!(view["ok"], true, "{view}");
    let checks: Vec<&str> = view["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["ok"] == true)
        .filter_map(|f| f["check"].as_str())
        .collect();
    assert!(
        checks.contains(&"keychain: Secret Service, default collection, lock"),
        "{view}"
    );
}

/// A keychain write that panics in its worker thread after the service answered: the panic
/// hook rescues the secrets at once (all a release build, which aborts, gets to do); this
/// build unwinds, so the command goes on to its ordinary rescue (exit 7), which replaces the
/// hook's file rather than leave two.
#[test]
#[ignore = "needs a D-Bus session with an unlocked Secret Service: scripts/with-keyring.sh"]
fn a_keychain_write_that_panics_still_rescues_the_secrets_once() {
    let server = Server::start();
    let mut home = Home::new();
    for (var, url) in &server.urls {
        home.set(var, url);
    }
    for var in ["DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"] {
        if let Ok(value) = std::env::var(var) {
            home.set(var, &value);
        }
    }
    home.set("AGENTCRED_FAULT_STORE_WRITE", "panic");
    let profile = format!("kc-panic-{}", std::process::id());
    let run = home
        .run(&[
            "--profile",
            &profile,
            "--store",
            "keychain",
            "register",
            "fluxa",
            "--name",
            "demo-agent",
        ])
        .code(7);
    assert!(
        run.stderr.contains("injected store write panic"),
        "{}",
        run.stderr
    );
    // The hook's notice, then the ordinary error, each naming a file: the last one stays.
    let file = run
        .stderr
        .rsplit("saved to the rescue file ")
        .next()
        .and_then(|rest| rest.split(" (mode 0600)").next())
        .unwrap()
        .to_owned();
    assert!(std::path::Path::new(&file).is_file(), "{file}");
    let rescues: Vec<_> = std::fs::read_dir(std::path::Path::new(&file).parent().unwrap())
        .unwrap()
        .flatten()
        .collect();
    assert_eq!(rescues.len(), 1, "one rescue file, not two: {rescues:?}");
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    home.run(&["import", &file]).ok();
    home.run(&["--profile", &profile, "token"]).ok();
}
