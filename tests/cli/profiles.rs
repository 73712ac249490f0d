//! `profiles list | show | use | remove`, and the rule that nothing switches implicitly.

use crate::support::Home;

#[test]
fn list_show_use_remove() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "first"])
        .ok();
    home.run(&[
        "--sandbox",
        "--profile",
        "second",
        "register",
        "fluxa",
        "--name",
        "second",
    ])
    .ok();

    let list = home.run(&["--json", "profiles", "list"]).ok().json();
    assert_eq!(
        list["current"], "fluxa",
        "the first register sets the current profile, later ones do not"
    );
    assert_eq!(list["profiles"].as_array().unwrap().len(), 2);

    let show = home
        .run(&["--json", "profiles", "show", "second"])
        .ok()
        .json();
    assert_eq!(show["provider"], "fluxa");
    assert_eq!(show["sandbox"], true);
    assert_eq!(show["current"], false);

    // --profile picks a profile for one command without switching the current one.
    home.run(&["--profile", "second", "token"]).ok();
    assert_eq!(
        home.run(&["--json", "profiles", "list"]).ok().json()["current"],
        "fluxa"
    );

    home.run(&["profiles", "use", "second"]).ok();
    assert_eq!(
        home.run(&["--json", "profiles", "list"]).ok().json()["current"],
        "second"
    );
    home.run(&["profiles", "use", "ghost"]).code(3);

    let removed = home.run(&["profiles", "remove", "second"]).ok();
    assert!(
        removed.stdout.contains("Nothing was revoked"),
        "{}",
        removed.stdout
    );
    assert!(
        !home
            .stored_secrets()
            .keys()
            .any(|k| k.starts_with("second:"))
    );
    let list = home.run(&["--json", "profiles", "list"]).ok().json();
    assert_eq!(list["profiles"].as_array().unwrap().len(), 1);
    assert!(list["current"].is_null());
    home.run(&["profiles", "remove", "second"]).code(3);
}

#[test]
fn status_all_shows_local_facts_of_every_profile() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "first"])
        .ok();
    home.run(&[
        "--sandbox",
        "--profile",
        "b",
        "register",
        "fluxa",
        "--name",
        "second",
    ])
    .ok();
    let json = home.run(&["--json", "status", "--all"]).ok().json();
    let profiles = json["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 2);
    for p in profiles {
        assert_eq!(p["local"]["store"], "file");
        assert!(
            p["local"]["secrets"]
                .as_array()
                .unwrap()
                .iter()
                .all(|s| s["present"] == true)
        );
    }
}

#[test]
fn environment_variables_mirror_the_global_flags() {
    let mut home = Home::new();
    home.set("AGENTCRED_SANDBOX", "1");
    home.set("AGENTCRED_OUTPUT", "json");
    let registered = home
        .run(&["register", "fluxa", "--name", "env-agent"])
        .ok()
        .json();
    assert_eq!(
        registered["sandbox"], true,
        "AGENTCRED_SANDBOX=1 acts like --sandbox"
    );
    home.run(&[
        "--profile",
        "second",
        "register",
        "fluxa",
        "--name",
        "other",
    ])
    .ok();

    // AGENTCRED_PROFILE picks the profile like --profile does; --profile wins over it.
    home.set("AGENTCRED_PROFILE", "second");
    assert_eq!(
        home.run(&["profiles", "show"]).ok().json()["name"],
        "second"
    );
    assert_eq!(
        home.run(&["--profile", "fluxa", "profiles", "show"])
            .ok()
            .json()["name"],
        "fluxa"
    );

    // AGENTCRED_OUTPUT=json also shapes errors.
    let err = home.run(&["--profile", "ghost", "token"]).code(3);
    assert_eq!(err.error_json()["error"]["code"], "not_found");

    // AGENTCRED_NO_INPUT=1 acts like --no-input; AGENTCRED_STORE like --store.
    home.set("AGENTCRED_NO_INPUT", "1");
    home.run(&["login", "proxy"]).code(2);
    home.set("AGENTCRED_STORE", "keychain");
    let refused = home.run(&["token"]).code(2);
    assert!(refused.stderr.contains("file store"), "{}", refused.stderr);
}

/// Rewrite every profile of `home`'s config the way the release before typed records wrote
/// it: the record's fields as strings under `facts` (the AuthPI ids at the top), and the
/// extra secrets space-separated in `facts.extra_secrets`.
fn write_legacy_config(home: &Home) {
    let path = home.path().join("config.toml");
    let mut config: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let profiles = config.get_mut("profiles").unwrap().as_table_mut().unwrap();
    for (_, profile) in profiles.iter_mut() {
        let profile = profile.as_table_mut().unwrap();
        let mut facts = toml::Table::new();
        if let Some(toml::Value::Table(record)) = profile.remove("record") {
            for (key, value) in record {
                if key == "account_id" || key == "issuer_id" {
                    profile.insert(key, value);
                } else {
                    facts.insert(key, value);
                }
            }
        }
        if let Some(toml::Value::Array(extra)) = profile.remove("extra_secrets") {
            let joined: Vec<String> = extra
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            facts.insert("extra_secrets".into(), joined.join(" ").into());
        }
        if !facts.is_empty() {
            profile.insert("facts".into(), toml::Value::Table(facts));
        }
    }
    let text = toml::to_string(&config).unwrap();
    assert!(text.contains("facts"), "{text}");
    std::fs::write(&path, text).unwrap();
}

#[test]
fn configs_written_by_the_previous_release_still_work() {
    use agentcred_sandbox::authpi::{
        DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET,
    };
    use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
    let server = crate::support::Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET)
        .set("PROXY_API_KEY", DEMO_API_KEY);
    home.run(&[
        "register",
        "authpi",
        "--account",
        DEMO_ACCOUNT_ID,
        "--issuer",
        DEMO_ISSUER_ID,
        "--name",
        "legacy",
    ])
    .ok();
    home.run(&[
        "register",
        "proxy",
        "--external-id",
        "legacy-1",
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "legacy",
    ])
    .ok();
    home.run(&["register", "fluxra", "--name", "legacy-agent"])
        .ok();
    let before: Vec<serde_json::Value> = ["authpi", "proxy", "fluxra"]
        .iter()
        .map(|p| home.run(&["--json", "profiles", "show", p]).ok().json())
        .collect();
    write_legacy_config(&home);
    for (profile, before) in ["authpi", "proxy", "fluxra"].iter().zip(&before) {
        let after = home
            .run(&["--json", "profiles", "show", profile])
            .ok()
            .json();
        assert_eq!(after["record"], before["record"], "{profile}");
        // The record is what the commands use: the AuthPI issuer to mint, the Proxy token id
        // to mark the token in use, the Fluxra key in use.
        home.run(&["--profile", profile, "refresh"]).ok();
        home.run(&["--profile", profile, "--json", "status"]).ok();
    }
    let tokens = home
        .run(&["--profile", "proxy", "--json", "tokens", "list"])
        .ok()
        .json();
    assert!(
        tokens["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["in_profile"] == true),
        "{tokens}"
    );
    // Saved again, the config has the new shape.
    home.run(&["profiles", "use", "proxy"]).ok();
    let text = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(!text.contains("[profiles.authpi.facts]"), "{text}");
    assert!(text.contains("[profiles.authpi.record]"), "{text}");
}
