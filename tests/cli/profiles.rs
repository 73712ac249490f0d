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

/// Rewrite `home`'s config the way the release before typed records wrote it: every profile
/// as a `[profiles.NAME]` table of `config.toml` (not a file of its own), the record's fields
/// as strings under `facts` (the AuthPI ids at the top), and the extra secrets
/// space-separated in `facts.extra_secrets`.
fn write_legacy_config(home: &Home) {
    let path = home.path().join("config.toml");
    let mut config: toml::Table = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut profiles = toml::Table::new();
    for entry in std::fs::read_dir(home.path().join("profiles")).unwrap() {
        let file = entry.unwrap().path();
        let name = file.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        profiles.insert(name, toml::Value::Table(toml::from_str(&text).unwrap()));
        std::fs::remove_file(file).unwrap();
    }
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
    config.insert("profiles".into(), toml::Value::Table(profiles));
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
    assert!(!text.contains("[profiles"), "{text}");
    let text = std::fs::read_to_string(home.profile_file("authpi")).unwrap();
    assert!(!text.contains("[facts]"), "{text}");
    assert!(text.contains("[record]"), "{text}");
}

/// Copy a home kept under `tests/fixtures` into `home` (files 0600, directories 0700).
fn copy_fixture(name: &str, home: &Home) {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::create_dir_all(to).unwrap();
        std::fs::set_permissions(to, std::fs::Permissions::from_mode(0o700)).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy(&entry.path(), &target);
            } else if entry.file_name() != "README.md" {
                std::fs::copy(entry.path(), &target).unwrap();
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
    }
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    copy(&fixture.join(name), home.path());
}

#[cfg(unix)]
#[test]
fn a_home_written_before_one_file_per_profile_works_and_is_moved() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    copy_fixture("home-one-config-file", &home);
    let old_secrets = home.stored_secrets();
    assert_eq!(old_secrets.len(), 7, "{old_secrets:?}");

    let listed = home.run(&["--json", "profiles", "list"]).ok().json();
    let names: Vec<&str> = listed["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["fluxa", "keys", "second"], "{listed}");
    // Reading changes nothing on disk.
    assert!(home.path().join("data/secrets.json").exists());
    assert!(!home.path().join("profiles").exists());

    // Every profile still works.
    for profile in ["fluxa", "second", "keys"] {
        let printed = home.run(&["--profile", profile, "token"]).ok();
        assert!(printed.stdout.starts_with("eyJ"), "{}", printed.stdout);
    }
    // The first write moves every secret into its profile's file.
    home.run(&["--profile", "second", "refresh"]).ok();
    assert!(!home.path().join("data/secrets.json").exists());
    assert!(home.secrets_file("second").exists() && home.secrets_file("keys").exists());
    let moved = home.stored_secrets();
    assert_eq!(moved["keys:api_key"], old_secrets["keys:api_key"]);
    assert_eq!(moved["second:token"], old_secrets["second:token"]);

    // The first config save moves every profile into its own file.
    home.run(&[
        "--sandbox",
        "--profile",
        "fourth",
        "register",
        "fluxa",
        "--name",
        "fourth",
    ])
    .ok();
    let head = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert_eq!(head.trim(), "current = \"fluxa\"");
    for profile in ["fluxa", "keys", "second", "fourth"] {
        assert!(home.profile_file(profile).exists(), "{profile}");
    }
    let keys = std::fs::read_to_string(home.profile_file("keys")).unwrap();
    assert!(keys.contains("agent_name = \"keys-agent\""), "{keys}");
    assert!(keys.contains("[record]"), "{keys}");
    let shown = home.run(&["--json", "profiles", "show"]).ok().json();
    assert_eq!(shown["name"], "fluxa");
    home.run(&["--profile", "keys", "token"]).ok();
    home.run(&["--profile", "fourth", "token"]).ok();
}
