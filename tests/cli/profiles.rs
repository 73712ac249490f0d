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
