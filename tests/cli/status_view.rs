//! One status view: the common part of `status --json` is at the same paths for every
//! service (and in `status --all`), with each service's own fields under `details`; the fields
//! that moved stay at the top level for one release, marked deprecated in the schema.

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
use serde_json::Value;

use crate::support::{Home, Server};

/// One home with a profile of every service, each registered at `server`.
fn every_service(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("PROXY_API_KEY", DEMO_API_KEY)
        .set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET);
    home.run(&["--profile", "fx", "register", "fluxa", "--name", "view-a"])
        .ok();
    home.approve_owner(server, Some("fx"));
    home.run(&["--profile", "fr", "register", "fluxra", "--name", "view-r"])
        .ok();
    home.run(&[
        "--profile",
        "ap",
        "register",
        "authpi",
        "--account",
        DEMO_ACCOUNT_ID,
        "--issuer",
        DEMO_ISSUER_ID,
        "--name",
        "view-p",
    ])
    .ok();
    home.run(&[
        "--profile",
        "px",
        "register",
        "proxy",
        "--external-id",
        "view-x",
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "View",
        "--spending-limit",
        "100",
    ])
    .ok();
    home
}

const COMMON: &[&str] = &[
    "profile",
    "provider",
    "sandbox",
    "agent_id",
    "agent_status",
    "budget",
    "credentials",
];

/// The common part: every field present, the same types for every service.
fn assert_common(view: &Value, profile: &str, agent_id: &str) {
    for key in COMMON {
        assert!(view.get(key).is_some(), "no {key} in {view}");
    }
    assert_eq!(view["profile"], profile);
    assert_eq!(view["agent_id"], agent_id, "{view}");
    assert!(view["sandbox"].is_boolean());
    assert!(view["budget"].is_null() || view["budget"].is_object());
    for fact in view["credentials"].as_array().unwrap() {
        // Present even when the secret does not expire (then null).
        for key in ["kind", "store", "expires_at", "expires_in_s"] {
            assert!(fact.get(key).is_some(), "no {key} in {fact}");
        }
        assert_eq!(fact["expires_at"].is_null(), fact["expires_in_s"].is_null());
    }
}

#[test]
fn every_service_reports_the_common_part_at_the_same_paths() {
    let server = Server::start();
    let home = every_service(&server);
    let profiles = home.run(&["--json", "profiles", "list"]).ok().json();
    let agent_of = |name: &str| -> String {
        profiles["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .and_then(|p| p["agent_id"].as_str())
            .unwrap_or_else(|| panic!("no agent id for {name} in {profiles}"))
            .to_owned()
    };
    for (profile, provider, short_lived, budget) in [
        ("fx", "fluxa", Some("jwt"), true),
        ("fr", "fluxra", Some("jwt"), false),
        ("ap", "authpi", Some("access_token"), false),
        ("px", "proxy", None, true),
    ] {
        let view = home
            .run(&["--json", "--profile", profile, "status"])
            .ok()
            .json();
        assert_common(&view, profile, &agent_of(profile));
        assert_eq!(view["provider"], provider);
        assert_eq!(view["agent_status"], "active", "{profile}: {view}");
        assert_eq!(view["budget"].is_object(), budget, "{profile}: {view}");
        let credentials = view["credentials"].as_array().unwrap();
        for fact in credentials {
            let expiring = Some(fact["kind"].as_str().unwrap()) == short_lived;
            assert_eq!(fact["expires_in_s"].is_i64(), expiring, "{profile}: {fact}");
        }
        // The service's own part, under `details`, and (deprecated) still at the top level.
        let details = view["details"].as_object().unwrap();
        assert!(!details.is_empty());
        for (key, value) in details {
            assert!(!COMMON.contains(&key.as_str()), "{key} is common");
            assert_eq!(&view[key], value, "{profile}: top-level {key}");
        }
        assert_eq!(view["local"]["store"], "file");
    }

    // `status --all` lists the same common part for every profile, from local facts only.
    let all = home.run(&["--json", "status", "--all"]).ok().json();
    let rows = all["profiles"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    for row in rows {
        let name = row["profile"].as_str().unwrap();
        assert_common(row, name, &agent_of(name));
        assert!(row["agent_status"].is_null(), "not asked: {row}");
        assert!(row["current"].is_boolean());
    }
}

#[test]
fn the_schema_marks_the_moved_fields_deprecated_and_has_one_expiry_spelling() {
    let home = Home::new();
    let schema = home.run_offline(&["schema"]).ok().json();
    let text = schema.to_string();
    assert!(
        !text.contains("expires_in_secs"),
        "two spellings of one field"
    );
    let outputs = &schema["commands"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == "status")
        .unwrap()["output"];
    let variants: Vec<&Value> = outputs["anyOf"]
        .as_array()
        .or(outputs["oneOf"].as_array())
        .map(|v| v.iter().collect())
        .unwrap_or_else(|| vec![outputs]);
    let services: Vec<&Value> = variants
        .iter()
        .copied()
        .filter(|v| v["properties"].get("details").is_some())
        .collect();
    assert_eq!(services.len(), 4, "one status view per service: {outputs}");
    for view in services {
        let props = view["properties"].as_object().unwrap();
        for key in COMMON {
            assert!(props.contains_key(*key), "no {key}");
            assert!(props[*key].get("deprecated").is_none(), "{key}");
        }
        assert_eq!(props["local"]["deprecated"], true, "local is replaced");
        for key in view["properties"]["details"]["properties"]
            .as_object()
            .unwrap()
            .keys()
        {
            assert_eq!(props[key]["deprecated"], true, "top-level {key}");
        }
    }
}
