//! Fluxra end to end: register (recovery key, first API key, JWT), the half-way states, keys
//! list/create/revoke/rotate, token and refresh by exchange, status, plain-text 401s, bad input.

use serde_json::{Value, json};

use crate::support::{Home, Server, logged};

const FLUXRA_URL: &str = "AGENTCRED_FLUXRA_URL";

fn registered(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.run(&["register", "fluxra", "--name", "weather-bot"])
        .ok();
    home
}

fn show(home: &Home) -> Value {
    home.run(&["--json", "profiles", "show"]).ok().json()
}

fn agent_id(home: &Home) -> String {
    show(home)["agent_id"].as_str().unwrap().to_owned()
}

fn key_in_use(home: &Home) -> Option<String> {
    show(home)["record"]["key_id"].as_str().map(str::to_owned)
}

fn stored_or_none(home: &Home, account: &str) -> Option<String> {
    home.stored_secrets()
        .get(account)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The sandbox's record of one of the agent's keys (revoked ones included).
fn sandbox_key(server: &Server, agent: &str, key_id: &str) -> Value {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    state["fluxra"]["agents"][agent]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["key_id"] == key_id)
        .cloned()
        .unwrap_or_else(|| panic!("no key {key_id} in the sandbox"))
}

fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
}

#[test]
fn readme_flow_with_the_embedded_sandbox() {
    let home = Home::new();
    let reg = home
        .run(&["--sandbox", "register", "fluxra", "--name", "weather-bot"])
        .ok();
    assert!(
        reg.stdout.contains("Registered Fluxra agent agt_"),
        "{}",
        reg.stdout
    );
    for kind in ["recovery_key", "api_key", "jwt"] {
        assert!(reg.stdout.contains(kind), "{}", reg.stdout);
    }

    let status = home.run(&["status"]).ok();
    assert!(
        status.stdout.contains("healthy, version 0.4.0"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("in use"), "{}", status.stdout);

    let json = home.run(&["--json", "status"]).ok().json();
    assert_eq!(json["provider"], "fluxra");
    assert_eq!(json["service"]["status"], "healthy");
    assert_eq!(json["service"]["version"], "0.4.0");
    assert!(
        json["agent"]["agent_id"]
            .as_str()
            .unwrap()
            .starts_with("agt_")
    );
    assert_eq!(json["agent"]["name"], "weather-bot");
    assert_eq!(json["keys_listed_with"], "jwt");
    let keys = json["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["in_use"], true);
    assert_eq!(keys[0]["key_id"], json["key_in_use"]);
    assert_eq!(keys[0]["expires_at"], Value::Null);
    let jwt = json["local"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "jwt")
        .unwrap();
    assert!(jwt["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(jwt["expires_in_s"].as_i64().unwrap() > 3000);

    let token = home.run(&["token"]).ok();
    assert_eq!(token.stdout.trim_end(), home.stored("fluxra:jwt"));
}

#[test]
fn each_call_has_the_documented_path_body_and_auth() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "register",
        "fluxra",
        "--name",
        "weather-bot",
        "--email",
        "bot@example.com",
        "--description",
        "forecasts",
        "--key-name",
        "cli",
        "--scope",
        "messages:read",
        "--scope",
        "messages:write",
        "--key-expires-in-days",
        "30",
    ])
    .ok();
    let agent = agent_id(&home);
    home.run(&["status"]).ok();
    home.run(&["refresh"]).ok();

    let log = server.requests();
    let register = logged(&log, "POST", "/fluxra/api/auth/register");
    assert_eq!(register.len(), 1);
    assert_eq!(register[0]["auth_scheme"], "none");
    assert_eq!(
        register[0]["body"],
        json!({"agent_name": "weather-bot", "email": "bot@example.com", "metadata": {"description": "forecasts"}})
    );
    assert!(
        register[0]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );

    let create = logged(&log, "POST", &format!("/fluxra/api/agents/{agent}"));
    assert_eq!(create.len(), 1);
    assert_eq!(create[0]["auth_scheme"], "basic");
    assert_eq!(create[0]["basic_user"], agent.as_str());
    assert_eq!(
        create[0]["body"],
        json!({"name": "cli", "scopes": ["messages:read", "messages:write"], "expires_in_days": 30})
    );

    let exchanges = logged(&log, "POST", "/fluxra/api/auth/token");
    assert_eq!(exchanges.len(), 2, "one at register, one for refresh");
    for exchange in exchanges {
        assert_eq!(exchange["auth_scheme"], "basic");
        assert_eq!(exchange["basic_user"], agent.as_str());
        assert_eq!(
            exchange["body"],
            json!({"grant_type": "client_credentials"})
        );
        assert!(
            exchange["content_type"]
                .as_str()
                .unwrap()
                .starts_with("application/json")
        );
    }

    let health = logged(&log, "GET", "/fluxra/health");
    assert_eq!(health.len(), 1);
    assert_eq!(health[0]["auth_scheme"], "none");
    let list = logged(&log, "GET", &format!("/fluxra/api/agents/{agent}"));
    assert_eq!(list.len(), 1);
    assert_eq!(
        list[0]["auth_scheme"], "bearer",
        "normal traffic uses the JWT"
    );

    // The key's lifetime and scopes reached the service.
    let json = home.run(&["--json", "keys", "list"]).ok().json();
    assert_eq!(json["keys"][0]["name"], "cli");
    assert_eq!(
        json["keys"][0]["scopes"],
        json!(["messages:read", "messages:write"])
    );
    assert!(json["keys"][0]["expires_at"].is_string());
}

#[test]
fn each_step_authenticates_with_its_own_secret() {
    let server = Server::start();
    let home = registered(&server);
    let recovery_key = home.stored("fluxra:recovery_key");
    let api_key = home.stored("fluxra:api_key");
    assert!(recovery_key.starts_with("rk_") && api_key.starts_with("sk_"));

    // A wrong recovery key: the exchange (API key) still works, key creation (recovery key) does not.
    home.overwrite_secret("fluxra:recovery_key", "rk_not_the_real_one");
    home.run(&["refresh"]).ok();
    let run = home.run(&["keys", "create"]).code(4);
    run.mentions(&["recovery key"]);
    home.overwrite_secret("fluxra:recovery_key", &recovery_key);

    // A wrong API key: the exchange fails, key management with the recovery key works.
    home.overwrite_secret("fluxra:api_key", "sk_not_the_real_one");
    let run = home.run(&["refresh"]).code(4);
    run.mentions(&["keys create --use"]);
    home.run(&["keys", "create", "--name", "spare"]).ok();
}

#[test]
fn register_whose_key_creation_fails_keeps_the_recovery_key_and_keys_create_use_finishes_it() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    // The sandbox refuses this key name (400 INVALID_KEY_NAME) after the agent was created.
    let run = home
        .run(&[
            "register",
            "fluxra",
            "--name",
            "half-way",
            "--key-name",
            "bad/name",
        ])
        .code(2);
    run.mentions(&[
        "recovery key",
        "INVALID_KEY_NAME",
        "agentcred keys create --use",
    ]);
    assert!(run.stdout.is_empty());
    assert!(
        stored_or_none(&home, "fluxra:recovery_key")
            .unwrap()
            .starts_with("rk_")
    );
    assert_eq!(stored_or_none(&home, "fluxra:api_key"), None);
    assert_eq!(key_in_use(&home), None);

    // `token` says what is missing; `keys create --use` and then `token` complete the profile.
    let run = home.run(&["token"]).code(4);
    run.mentions(&["keys create --use"]);
    let created = home.run(&["--json", "keys", "create", "--use"]).ok().json();
    assert_eq!(created["in_use"], true);
    assert_eq!(
        key_in_use(&home).as_deref(),
        created["key"]["key_id"].as_str()
    );
    let token = home.run(&["token"]).ok();
    assert_eq!(token.stdout.trim_end().split('.').count(), 3);
    home.run(&["status"]).ok();

    // With --json the half-way error is the envelope, with the cause's status and code.
    let mut other = Home::new();
    other.use_server(&server);
    let err = other
        .run(&[
            "--json",
            "register",
            "fluxra",
            "--name",
            "half-way-2",
            "--key-name",
            "bad/name",
        ])
        .code(2)
        .error_json();
    assert_eq!(err["error"]["http_status"], 400);
    assert_eq!(err["error"]["service_code"], "INVALID_KEY_NAME");
    assert_eq!(err["error"]["provider"], "fluxra");
}

#[test]
fn register_whose_exchange_fails_is_finished_by_refresh() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    server.fault(
        json!({"method": "POST", "path": "/fluxra/api/auth/token", "status": 503, "count": 1}),
    );
    let run = home
        .run(&["register", "fluxra", "--name", "no-jwt-yet"])
        .code(6);
    run.mentions(&["recovery key and API key", "agentcred refresh"]);
    assert!(stored_or_none(&home, "fluxra:recovery_key").is_some());
    assert!(stored_or_none(&home, "fluxra:api_key").is_some());
    assert_eq!(stored_or_none(&home, "fluxra:jwt"), None);
    assert!(key_in_use(&home).is_some());
    assert_eq!(
        server.count("POST /fluxra/api/auth/token"),
        1,
        "a POST is not retried blindly"
    );

    home.run(&["refresh"]).ok();
    assert!(stored_or_none(&home, "fluxra:jwt").is_some());
    home.run(&["token"]).ok();
}

#[test]
fn rotate_whose_new_key_fails_the_exchange_keeps_the_old_key_working() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let old_id = key_in_use(&home).unwrap();
    let old_secret = home.stored("fluxra:api_key");
    server.clear_requests();
    // Rotation makes exactly one exchange, with the new key: this fault hits it.
    server.fault(
        json!({"method": "POST", "path": "/fluxra/api/auth/token", "status": 503, "count": 1}),
    );

    let run = home.run(&["keys", "rotate"]).code(6);
    run.mentions(&["rotation stopped", &old_id, "still works", "keys revoke"]);
    assert_eq!(server.count("POST /fluxra/api/auth/token"), 1);
    assert_eq!(
        server.count(&format!("DELETE /fluxra/api/agents/{agent}/keys/{old_id}")),
        0
    );

    // The profile still uses the old key, which still works; the new key's secret is kept.
    assert_eq!(key_in_use(&home).as_deref(), Some(old_id.as_str()));
    assert_eq!(home.stored("fluxra:api_key"), old_secret);
    assert!(sandbox_key(&server, &agent, &old_id)["revoked_at"].is_null());
    home.run(&["refresh"]).ok();
    let listed = home.run(&["--json", "keys", "list"]).ok().json();
    let keys = listed["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    let new = keys
        .iter()
        .find(|k| k["key_id"] != old_id.as_str())
        .unwrap();
    let new_id = new["key_id"].as_str().unwrap().to_owned();
    assert_eq!(new["in_use"], false);
    assert_eq!(new["stored"], true);
    assert!(stored_or_none(&home, &format!("fluxra:api_key:{new_id}")).is_some());
    assert!(run.stderr.contains(&new_id), "{}", run.stderr);

    // The way out the message gave: revoke the unused key, rotate again.
    home.run(&["keys", "revoke", &new_id]).ok();
    assert_eq!(
        stored_or_none(&home, &format!("fluxra:api_key:{new_id}")),
        None
    );
    let rotated = home.run(&["--json", "keys", "rotate"]).ok().json();
    assert_eq!(rotated["old_key_id"], old_id.as_str());
    assert_eq!(rotated["old_key_revoked"], true);
    assert!(sandbox_key(&server, &agent, &old_id)["revoked_at"].is_number());
}

/// The agent's keys still active at the sandbox, by id.
fn live_keys(server: &Server, agent: &str) -> Vec<String> {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    state["fluxra"]["agents"][agent]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["revoked_at"].is_null())
        .map(|k| k["key_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn concurrent_rotations_leave_every_live_key_stored() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let first = key_in_use(&home).unwrap();
    let rotate: Vec<String> = ["--json", "keys", "rotate"].map(String::from).to_vec();
    let runs = home.run_concurrently(&[rotate.clone(), rotate.clone(), rotate]);

    // They ran one after the other: each rotated what the one before it left, and each said
    // so truthfully (the old key it names was revoked by it).
    let mut old_ids = Vec::new();
    let mut new_ids = Vec::new();
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.all());
        let view = run.json();
        assert_eq!(view["old_key_revoked"], true, "{view}");
        old_ids.push(view["old_key_id"].as_str().unwrap().to_owned());
        new_ids.push(view["new_key"]["key_id"].as_str().unwrap().to_owned());
    }
    assert!(old_ids.contains(&first));
    old_ids.sort();
    old_ids.dedup();
    assert_eq!(old_ids.len(), 3, "each rotation revoked a different key");

    // Every key live at Fluxra is stored: the one in use, and nothing stranded.
    let live = live_keys(&server, &agent);
    let in_use = key_in_use(&home).unwrap();
    assert_eq!(live, vec![in_use.clone()], "a live key is stored nowhere");
    assert!(new_ids.contains(&in_use));
    let secrets = home.stored_secrets();
    let api_keys: Vec<&String> = secrets
        .keys()
        .filter(|k| k.starts_with("fluxra:api_key"))
        .collect();
    assert_eq!(api_keys, vec!["fluxra:api_key"], "{secrets:?}");
    assert!(
        show(&home)["extra_secrets"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    // And it works.
    home.run(&["refresh"]).ok();
}

#[test]
fn a_lost_revoke_answer_during_rotation_is_checked_with_fluxra_before_anything_is_said() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let old_id = key_in_use(&home).unwrap();
    // Fluxra revokes the old key, but its answer never arrives.
    server.fault(json!({
        "method": "DELETE",
        "path": format!("/fluxra/api/agents/{agent}/keys/{old_id}"),
        "mode": "bad_gateway_after",
    }));
    let run = home.run(&["--json", "keys", "rotate"]).ok();
    let view = run.json();
    assert_eq!(view["old_key_id"], old_id.as_str());
    assert_eq!(view["old_key_revoked"], true, "{view}");
    assert!(!run.stderr.contains("still works"), "{}", run.stderr);
    assert!(run.stderr.contains("lost"), "{}", run.stderr);
    assert!(sandbox_key(&server, &agent, &old_id)["revoked_at"].is_number());
    // No stale secret: the revoked key's secret is gone, and so is its spare entry.
    assert_eq!(
        stored_or_none(&home, &format!("fluxra:api_key:{old_id}")),
        None
    );
    assert!(
        show(&home)["extra_secrets"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    assert_eq!(live_keys(&server, &agent), vec![key_in_use(&home).unwrap()]);

    // A revoke Fluxra really did not do (its answer lost before it acted) is said as such,
    // and the old key stays stored as a spare.
    let old_id = key_in_use(&home).unwrap();
    server.fault(json!({
        "method": "DELETE",
        "path": format!("/fluxra/api/agents/{agent}/keys/{old_id}"),
        "status": 503,
        "count": 5,
    }));
    let run = home.run(&["keys", "rotate"]).code(6);
    run.mentions(&[
        "still lists the old key",
        "still works",
        &old_id,
        "keys revoke",
    ]);
    assert!(sandbox_key(&server, &agent, &old_id)["revoked_at"].is_null());
    assert!(stored_or_none(&home, &format!("fluxra:api_key:{old_id}")).is_some());
    let mut live = live_keys(&server, &agent);
    live.sort();
    let mut stored = vec![key_in_use(&home).unwrap(), old_id.clone()];
    stored.sort();
    assert_eq!(live, stored, "every live key is stored");
}

#[test]
fn a_lost_answer_to_a_key_creation_strands_no_key() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let old_id = key_in_use(&home).unwrap();
    let before = home.stored_secrets();
    // Fluxra makes the key, but its answer (the only copy of the secret) never arrives.
    server.fault(json!({
        "method": "POST",
        "path": format!("/fluxra/api/agents/{agent}"),
        "mode": "drop_after",
    }));
    let run = home.run(&["keys", "rotate"]).code(6);
    run.mentions(&["no answer", "revoked", &old_id, "still works"]);
    // Fluxra did make one: it is revoked now, so no live key is held by nobody.
    assert_eq!(live_keys(&server, &agent), vec![old_id.clone()]);
    assert_eq!(key_in_use(&home).as_deref(), Some(old_id.as_str()));
    assert_eq!(
        home.stored_secrets(),
        before,
        "nothing changed in the store"
    );

    // The same for `keys create`.
    server.fault(json!({
        "method": "POST",
        "path": format!("/fluxra/api/agents/{agent}"),
        "mode": "drop_after",
    }));
    let run = home.run(&["keys", "create", "--name", "spare-one"]).code(6);
    run.mentions(&["no answer", "revoked"]);
    assert_eq!(live_keys(&server, &agent), vec![old_id.clone()]);

    // An answer that is refused before Fluxra acts says that nothing was made.
    server.fault(json!({
        "method": "POST",
        "path": format!("/fluxra/api/agents/{agent}"),
        "status": 503,
        "count": 5,
    }));
    let run = home.run(&["keys", "create"]).code(6);
    assert!(!run.stderr.contains("revoked"), "{}", run.stderr);
    assert_eq!(live_keys(&server, &agent), vec![old_id]);
}

#[test]
fn keys_revoke_checks_a_lost_answer_and_cleans_up_a_key_already_gone() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let spare = |name: &str| -> String {
        home.run(&["--json", "keys", "create", "--name", name])
            .ok()
            .json()["key"]["key_id"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // Fluxra revokes the key, but its answer is lost: Fluxra's list says it is gone.
    let lost = spare("lost");
    server.fault(json!({
        "method": "DELETE",
        "path": format!("/fluxra/api/agents/{agent}/keys/{lost}"),
        "mode": "bad_gateway_after",
    }));
    let run = home.run(&["--json", "keys", "revoke", &lost]).ok();
    assert_eq!(run.json()["revoked"], true);
    assert_eq!(
        run.json()["removed_secrets"],
        json!([format!("api_key:{lost}")])
    );
    assert!(run.stderr.contains("lost"), "{}", run.stderr);
    assert!(sandbox_key(&server, &agent, &lost)["revoked_at"].is_number());
    assert_eq!(
        stored_or_none(&home, &format!("fluxra:api_key:{lost}")),
        None
    );

    // A stored spare revoked elsewhere: revoking it here cleans up its useless secret.
    let gone = spare("gone");
    let reply = http()
        .delete(format!(
            "{}/api/agents/{agent}/keys/{gone}",
            server.url(FLUXRA_URL)
        ))
        .basic_auth(&agent, Some(home.stored("fluxra:recovery_key")))
        .send()
        .unwrap();
    assert_eq!(reply.status(), 204);
    let run = home.run(&["--json", "keys", "revoke", &gone]).ok();
    assert_eq!(run.json()["revoked"], false);
    assert_eq!(
        run.json()["removed_secrets"],
        json!([format!("api_key:{gone}")])
    );
    assert!(
        show(&home)["extra_secrets"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    let human = home.run(&["keys", "revoke", &gone]).code(3);
    human.mentions(&["no active key"]);
}

#[test]
fn rotate_creates_proves_switches_then_revokes_in_that_order() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let old_id = key_in_use(&home).unwrap();
    let old_secret = home.stored("fluxra:api_key");
    server.clear_requests();

    let rotated = home.run(&["--json", "keys", "rotate"]).ok().json();
    let new_id = rotated["new_key"]["key_id"].as_str().unwrap().to_owned();
    assert_ne!(new_id, old_id);
    assert_eq!(
        rotated["new_key"]["name"], "agentcred",
        "the old key's name is kept"
    );
    assert!(
        rotated["secret"].get("value").is_none(),
        "no secret without --reveal"
    );
    assert!(rotated["jwt_expires_at"].as_str().unwrap().ends_with('Z'));

    let log = server.requests();
    let order: Vec<String> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["method"].as_str().unwrap(),
                r["path"].as_str().unwrap(),
                r["auth_scheme"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        order,
        vec![
            format!("GET /fluxra/api/agents/{agent} basic"),
            format!("POST /fluxra/api/agents/{agent} basic"),
            "POST /fluxra/api/auth/token basic".to_owned(),
            format!("DELETE /fluxra/api/agents/{agent}/keys/{old_id} basic"),
        ]
    );

    assert_eq!(key_in_use(&home).as_deref(), Some(new_id.as_str()));
    assert_ne!(home.stored("fluxra:api_key"), old_secret);
    assert_eq!(
        stored_or_none(&home, &format!("fluxra:api_key:{old_id}")),
        None
    );
    assert!(show(&home).get("extra_secrets").is_none());
    // The old key is refused now, in plain text; the new one works.
    let reply = http()
        .post(format!("{}/api/auth/token", server.url(FLUXRA_URL)))
        .basic_auth(&agent, Some(&old_secret))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .unwrap();
    assert_eq!(reply.status(), 401);
    home.run(&["refresh"]).ok();
}

#[test]
fn keys_create_use_and_revoke_keep_every_secret_accounted_for() {
    let server = Server::start();
    let home = registered(&server);
    let first = key_in_use(&home).unwrap();

    // A spare: stored under its own account, not used.
    let spare = home
        .run(&[
            "--json",
            "keys",
            "create",
            "--name",
            "ci",
            "--expires-in-days",
            "7",
        ])
        .ok()
        .json();
    let spare_id = spare["key"]["key_id"].as_str().unwrap().to_owned();
    assert_eq!(spare["in_use"], false);
    assert_eq!(spare["stored_as"], format!("api_key:{spare_id}"));
    assert!(spare["key"]["expires_at"].is_string());
    assert!(spare["secret"].get("value").is_none());
    assert_eq!(key_in_use(&home).as_deref(), Some(first.as_str()));
    let human = home.run(&["keys", "list"]).ok();
    assert!(
        human.stdout.contains("in use") && human.stdout.contains("stored"),
        "{}",
        human.stdout
    );

    // --reveal prints the new key once; --use switches to it and keeps the previous one.
    let used = home
        .run(&["--json", "--reveal", "keys", "create", "--use"])
        .ok()
        .json();
    let used_id = used["key"]["key_id"].as_str().unwrap().to_owned();
    assert_eq!(
        used["secret"]["value"],
        home.stored("fluxra:api_key").as_str()
    );
    assert_eq!(used["previous_key_id"], first.as_str());
    assert_eq!(key_in_use(&home).as_deref(), Some(used_id.as_str()));
    assert!(stored_or_none(&home, &format!("fluxra:api_key:{first}")).is_some());

    // Revoking the profile's own key needs --force, and leaves it without a key.
    let run = home.run(&["keys", "revoke", &used_id]).code(2);
    run.mentions(&["--force", "keys rotate"]);
    let revoked = home
        .run(&["--json", "keys", "revoke", &used_id, "--force"])
        .ok()
        .json();
    assert_eq!(revoked["was_in_use"], true);
    assert_eq!(revoked["removed_secrets"], json!(["api_key", "jwt"]));
    assert_eq!(key_in_use(&home), None);
    let run = home.run(&["token"]).code(4);
    run.mentions(&["keys create --use"]);

    // `profiles remove` deletes the spares too.
    home.run(&["profiles", "remove", "fluxra"]).code(2);
    assert!(
        !home.stored_secrets().is_empty(),
        "nothing is deleted unconfirmed"
    );
    home.run(&["profiles", "remove", "fluxra", "--yes"]).ok();
    let left: Vec<String> = home.stored_secrets().keys().cloned().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_plain_text_401_is_a_clear_auth_failure() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let key = key_in_use(&home).unwrap();
    // Revoke the profile's key behind its back.
    let reply = http()
        .delete(format!(
            "{}/api/agents/{agent}/keys/{key}",
            server.url(FLUXRA_URL)
        ))
        .basic_auth(&agent, Some(home.stored("fluxra:recovery_key")))
        .send()
        .unwrap();
    assert_eq!(reply.status(), 204);

    // The exchange with a revoked key is answered 401 text/plain.
    let run = home.run(&["refresh"]).code(4);
    run.mentions(&[
        "Unauthorized: API key revoked",
        "plain-text",
        "keys create --use",
    ]);
    assert!(!run.stderr.contains("unexpected body"), "{}", run.stderr);
    let err = home.run(&["--json", "refresh"]).code(4).error_json();
    assert_eq!(err["error"]["code"], "credential_revoked");
    assert_eq!(err["error"]["http_status"], 401);
    assert_eq!(err["error"]["provider"], "fluxra");

    // The JWT issued from it is refused in plain text too; listing falls back to the recovery
    // key and says why, and that the profile's key is gone.
    let run = home.run(&["--json", "keys", "list"]).ok();
    assert_eq!(run.json()["listed_with"], "recovery_key");
    run.mentions(&["recovery key instead", "not among the agent's active keys"]);
}

#[test]
fn an_expired_jwt_is_exchanged_again_once_even_under_concurrency() {
    let server = Server::start();
    server.knobs(json!({"jwt_exp_in_secs": {"fluxra": -60}}));
    let home = registered(&server);
    server.knobs(json!({"jwt_exp_in_secs": {"fluxra": null}}));
    server.clear_requests();

    let calls = vec![vec!["token".to_owned()]; 10];
    let tokens: std::collections::BTreeSet<String> = home
        .run_concurrently(&calls)
        .into_iter()
        .map(|run| run.ok().stdout.trim().to_owned())
        .collect();
    assert_eq!(server.count("POST /fluxra/api/auth/token"), 1);
    assert_eq!(tokens.len(), 1);

    // A JWT the service refuses (plain text) is exchanged again once, and the call retried.
    let agent = agent_id(&home);
    let mut forged = home.stored("fluxra:jwt");
    forged.truncate(forged.len() - 4);
    forged.push_str("AAAA");
    home.overwrite_secret("fluxra:jwt", &forged);
    server.clear_requests();
    home.run(&["keys", "list"]).ok();
    assert_eq!(server.count("POST /fluxra/api/auth/token"), 1);
    assert_eq!(server.count(&format!("GET /fluxra/api/agents/{agent}")), 2);
    assert_ne!(home.stored("fluxra:jwt"), forged);
}

#[test]
fn no_secret_in_any_output_without_reveal() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    let mut runs = vec![(
        "register -v",
        home.run(&["-v", "register", "fluxra", "--name", "quiet-bot"])
            .ok(),
    )];
    // Every secret the profile ever held, read after every run: `keys create --use` makes a key
    // that `keys rotate` revokes and forgets, and each exchange replaces the JWT.
    let mut secrets: Vec<String> = Vec::new();
    let collect = |home: &Home, secrets: &mut Vec<String>| {
        for value in home.stored_secrets().values() {
            let value = value.as_str().unwrap().to_owned();
            if !secrets.contains(&value) {
                secrets.push(value);
            }
        }
    };
    collect(&home, &mut secrets);
    for args in [
        &["-v", "status"][..],
        &["-v", "--json", "status"],
        &["-v", "refresh"],
        &["-v", "keys", "list"],
        &["-v", "--json", "keys", "create"],
        &["-v", "keys", "create", "--use"],
        &["-v", "keys", "rotate"],
        &["-v", "--json", "profiles", "show"],
        &["status", "--all"],
    ] {
        runs.push((args.join(" ").leak(), home.run(args).ok()));
        collect(&home, &mut secrets);
    }
    // Failures too: a wrong recovery key, with -v.
    home.overwrite_secret("fluxra:recovery_key", "rk_wrong_wrong_wrong");
    collect(&home, &mut secrets);
    runs.push((
        "failing keys create -v",
        home.run(&["-v", "keys", "create"]).code(4),
    ));
    // `token` prints the JWT on stdout by design; its trace on stderr must not.
    let token = home.run(&["-v", "token"]).ok();
    collect(&home, &mut secrets);
    // The recovery key, the wrong one, and at least four API keys (register, two creates,
    // rotate) and two JWTs.
    assert!(secrets.len() >= 8, "{secrets:?}");
    for (what, run) in &runs {
        for secret in &secrets {
            assert!(
                !run.all().contains(secret.as_str()),
                "{what} leaked a secret:\n{}",
                run.all()
            );
        }
    }
    for secret in &secrets {
        assert!(
            !token.stderr.contains(secret.as_str()),
            "token -v:\n{}",
            token.stderr
        );
    }
    let (_, traced) = &runs[0];
    assert!(
        traced.stderr.contains("authorization: Basic <redacted>"),
        "{}",
        traced.stderr
    );
    assert!(
        traced.stderr.contains("\"recovery_key\":\"<redacted>\""),
        "{}",
        traced.stderr
    );
}

#[test]
fn reveal_at_register_prints_the_one_time_secrets() {
    let home = Home::new();
    let json = home
        .run(&[
            "--sandbox",
            "--reveal",
            "--json",
            "register",
            "fluxra",
            "--name",
            "reveal-bot",
        ])
        .ok()
        .json();
    let value = |kind: &str| {
        json["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == kind)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(
        value("recovery_key"),
        home.stored("fluxra:recovery_key").as_str()
    );
    assert_eq!(value("api_key"), home.stored("fluxra:api_key").as_str());
    let plain = Home::new();
    let json = plain
        .run(&[
            "--sandbox",
            "--json",
            "register",
            "fluxra",
            "--name",
            "reveal-bot-2",
        ])
        .ok()
        .json();
    for secret in json["secrets"].as_array().unwrap() {
        assert!(secret.get("value").is_none(), "{secret}");
    }
}

/// One bad input: who runs it, what, and what it must answer.
type Case<'a> = (&'a str, &'a Home, Vec<&'a str>, i32, Vec<&'a str>);

/// The bad-input table: exit code, a message naming the problem and the way out, nothing on
/// stdout, and the JSON envelope with `--json`.
#[test]
fn bad_input_table() {
    let server = Server::start();
    let taken = registered(&server);
    taken.run(&["keys", "list"]).ok();

    // Every register case fails, so one home serves them all.
    let mut unregistered = Home::new();
    unregistered.use_server(&server);
    let authpi = Home::new();
    std::fs::write(
        authpi.path().join("config.toml"),
        "current = \"ap\"\n[profiles.ap]\nprovider = \"authpi\"\nsandbox = true\nstore = \"file\"\n\
         agent_id = \"agt_x\"\ncreated_at = \"2026-01-01T00:00:00Z\"\n",
    )
    .unwrap();
    let in_use = key_in_use(&taken).unwrap();

    let cases: Vec<Case> = vec![
        (
            "invalid agent name",
            &unregistered,
            vec!["register", "fluxra", "--name", "no spaces"],
            2,
            vec!["3-50", "--name"],
        ),
        (
            "too short agent name",
            &unregistered,
            vec!["register", "fluxra", "--name", "ab"],
            2,
            vec!["3-50"],
        ),
        (
            "duplicate agent name",
            &unregistered,
            vec!["register", "fluxra", "--name", "Weather-Bot"],
            5,
            vec!["taken", "--name"],
        ),
        (
            "revoke an unknown key",
            &taken,
            vec!["keys", "revoke", "aky_unknown"],
            3,
            vec!["aky_unknown", "keys list"],
        ),
        (
            "--expires-in-days 0",
            &taken,
            vec!["keys", "create", "--expires-in-days", "0"],
            2,
            vec!["--expires-in-days", "0"],
        ),
        (
            "--key-expires-in-days 0",
            &unregistered,
            vec![
                "register",
                "fluxra",
                "--name",
                "ok-name",
                "--key-expires-in-days",
                "0",
            ],
            2,
            vec!["--key-expires-in-days"],
        ),
        (
            "revoke the key in use",
            &taken,
            vec!["keys", "revoke", &in_use],
            2,
            vec!["--force"],
        ),
        (
            "a Fluxra command on an AuthPI profile",
            &authpi,
            vec!["keys", "list"],
            2,
            vec!["Fluxra", "AuthPI"],
        ),
    ];
    let registers_before = server.count("POST /fluxra/api/auth/register");
    for (name, home, args, code, mentions) in &cases {
        let human = home.run(args);
        assert_eq!(human.code, *code, "{name}: {}", human.stderr);
        assert!(
            human.stdout.is_empty(),
            "{name}: stdout must stay empty: {}",
            human.stdout
        );
        for word in mentions {
            assert!(
                human.stderr.contains(word),
                "{name}: stderr should mention {word:?}:\n{}",
                human.stderr
            );
        }
        let mut json_args = vec!["--json"];
        json_args.extend_from_slice(args);
        let json = home.run(&json_args);
        assert_eq!(json.code, *code, "{name} (--json)");
        assert!(
            json.stdout.is_empty(),
            "{name}: stdout must stay empty with --json"
        );
        let envelope = json.error_json();
        assert_eq!(envelope["error"]["exit_code"], *code, "{name}: {envelope}");
        assert!(envelope["error"]["hint"].is_string(), "{name}: {envelope}");
    }
    // Invalid names never reached the service; only the duplicate did (twice: human and --json).
    assert_eq!(
        server.count("POST /fluxra/api/auth/register") - registers_before,
        2
    );
}
