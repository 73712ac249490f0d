//! Proxy (Ledger API) end to end: operator key, idempotent register, agent tokens, cards,
//! spending limits, status, the agent's lifecycle, and bad input.

use agentcred_sandbox::proxy::{
    DEFAULT_PAGE_SIZE, DEMO_API_KEY, DEMO_LIVE_API_KEY, DEMO_USER_ALICE, DEMO_USER_BOB,
};
use serde_json::{Value, json};

use crate::support::{Home, Run, Server, logged};

/// A home using `server`, with the demo organization's dev key in `PROXY_API_KEY`.
fn operator_home(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("PROXY_API_KEY", DEMO_API_KEY);
    home
}

fn register(home: &Home, external_id: &str, user: &str, extra: &[&str]) -> Run {
    let mut args = vec![
        "--json",
        "register",
        "proxy",
        "--external-id",
        external_id,
        "--user",
        user,
        "--name",
        "Shopping Agent",
    ];
    args.extend_from_slice(extra);
    home.run(&args)
}

fn agent_id(home: &Home) -> String {
    home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn profile_record(home: &Home) -> Value {
    home.run(&["--json", "profiles", "show"]).ok().json()["record"].clone()
}

fn has_secret(home: &Home, account: &str) -> bool {
    home.stored_secrets().contains_key(account)
}

fn without_operator_key(home: &mut Home) {
    home.env.retain(|(k, _)| k != "PROXY_API_KEY");
}

/// An operator call straight to the sandbox (to set up more items than a test wants to
/// create one command at a time).
fn operator_post(server: &Server, path: &str, body: Value) -> Value {
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/proxy{path}", server.base))
        .header("Api-Key", DEMO_API_KEY)
        .json(&body)
        .send()
        .unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    response.json().unwrap()
}

#[test]
fn requests_follow_the_documented_api() {
    let server = Server::start();
    let home = operator_home(&server);
    let reg = register(
        &home,
        "shop-1",
        DEMO_USER_ALICE,
        &[
            "--description",
            "buys things",
            "--spending-limit",
            "500",
            "--frequency",
            "perMonth",
            "--on-limit-exceeded",
            "notify",
            "--max-cards",
            "4",
        ],
    )
    .ok()
    .json();
    assert_eq!(reg["created"], true);
    let id = reg["agent_id"].as_str().unwrap().to_owned();
    home.run(&["status"]).ok();
    home.run(&["limits", "set", "--spending-limit", "12.34"])
        .ok();
    home.run(&["tokens", "create", "--name", "ci"]).ok();
    home.run(&[
        "cards",
        "create",
        "--purpose",
        "Order dinner",
        "--type",
        "multi",
        "--max-amount",
        "25.50",
    ])
    .ok();
    home.run(&["agent", "suspend"]).ok();

    let log = server.requests();
    let posted = logged(&log, "POST", "/proxy/v1/agents/register");
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0]["auth_scheme"], "api-key");
    assert!(
        posted[0]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(
        posted[0]["body"],
        json!({"externalId": "shop-1", "userId": DEMO_USER_ALICE, "name": "Shopping Agent",
               "description": "buys things", "spendingLimit": 50000,
               "spendingLimitFrequency": "perMonth", "onLimitExceeded": "notify", "maxCards": 4})
    );
    for path in [
        format!("/proxy/v1/agents/{id}"),
        format!("/proxy/v1/agents/{id}/policy"),
        format!("/proxy/v1/agents/{id}/tokens"),
    ] {
        let gets = logged(&log, "GET", &path);
        assert!(!gets.is_empty(), "no GET {path}");
        assert!(gets.iter().all(|r| r["auth_scheme"] == "api-key"));
    }
    let patches = logged(&log, "PATCH", &format!("/proxy/v1/agents/{id}"));
    assert_eq!(patches[0]["body"], json!({"spendingLimit": 1234}));
    assert_eq!(patches[1]["body"], json!({"status": "suspended"}));
    let token = logged(&log, "POST", &format!("/proxy/v1/agents/{id}/tokens"));
    assert_eq!(token[0]["body"], json!({"name": "ci"}));
    let card = logged(&log, "POST", &format!("/proxy/v1/agents/{id}/cards"));
    assert_eq!(
        card[0]["body"],
        json!({"purpose": "Order dinner", "type": "multi", "maxAmount": 2550})
    );
}

#[test]
fn register_twice_is_one_agent_and_keeps_the_stored_token() {
    let server = Server::start();
    let home = operator_home(&server);
    let first = register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok().json();
    assert_eq!(first["created"], true);
    assert_eq!(first["token_status"], "stored");
    assert!(first["secrets"][0].get("value").is_none(), "{first}");
    let token = home.stored("proxy:token");
    assert!(token.starts_with("at_dev_"));

    let again = register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok().json();
    assert_eq!(again["created"], false);
    assert_eq!(again["agent_id"], first["agent_id"]);
    assert_eq!(again["token_status"], "kept");
    assert_eq!(again["secrets"], json!([]));
    assert_eq!(
        home.stored("proxy:token"),
        token,
        "the stored token is unchanged"
    );
    let agents = home_agents(&server);
    assert_eq!(agents, 1);

    // Another user's external id: the service's 409, exit 5, with its message.
    let conflict = register(&home, "shop-1", DEMO_USER_BOB, &[]).code(5);
    let err = conflict.error_json();
    assert_eq!(err["error"]["http_status"], 409);
    assert_eq!(err["error"]["service_code"], "external_id_conflict");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already registered to another user"),
        "{err}"
    );
    assert_eq!(home.stored("proxy:token"), token);

    // A profile of that name for another external id is a plain name conflict.
    register(&home, "shop-2", DEMO_USER_ALICE, &[]).code(5);
    assert_eq!(home_agents(&server), 1, "the service was not asked");
}

fn home_agents(server: &Server) -> usize {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    state["proxy"]["agents"].as_object().map_or(0, |a| a.len())
}

#[test]
fn a_lost_register_response_is_retried_safely() {
    let server = Server::start();
    let home = operator_home(&server);
    server.fault(
        json!({"method": "POST", "path": "/proxy/v1/agents/register", "mode": "drop_after"}),
    );
    let run = register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let reg = run.json();
    assert_eq!(server.count("POST /proxy/v1/agents/register"), 2);
    assert_eq!(home_agents(&server), 1, "the retry found the agent");
    assert_eq!(reg["created"], false);
    // The replay carries no token: the profile is finished with a new one, and the token of
    // the lost answer, which nobody holds, is revoked; the output says both.
    assert_eq!(reg["token_status"], "stored", "{reg}");
    assert!(run.stderr.contains("lost in transit"), "{}", run.stderr);
    assert!(run.stderr.contains("was revoked"), "{}", run.stderr);
    let stored = home.stored("proxy:token");
    assert!(stored.starts_with("at_dev_"));
    let tokens = home.run(&["--json", "tokens", "list"]).ok().json();
    let tokens = tokens["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 2, "{tokens:?}");
    let active: Vec<_> = tokens.iter().filter(|t| t["active"] == true).collect();
    assert_eq!(
        active.len(),
        1,
        "only the profile's token is active: {tokens:?}"
    );
    assert_eq!(active[0]["id"], reg["token_id"], "{tokens:?}");
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["token"]["active"], true, "{status}");
    assert_eq!(home.run(&["--reveal", "token"]).ok().stdout.trim(), stored);
}

#[test]
fn a_lost_token_create_response_is_retried_with_its_key_and_makes_one_token() {
    for mode in ["drop_after", "bad_gateway_after"] {
        let server = Server::start();
        let home = operator_home(&server);
        register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
        let id = agent_id(&home);
        let path = format!("/proxy/v1/agents/{id}/tokens");
        server.fault(json!({"method": "POST", "path": path, "mode": mode}));
        let created = home
            .run(&["--json", "tokens", "create", "--name", "ci"])
            .ok()
            .json();
        let log = server.requests();
        let attempts = logged(&log, "POST", &path);
        assert_eq!(
            attempts.len(),
            2,
            "{mode}: the lost answer was asked for again"
        );
        let key = attempts[0]["idempotency_key"].as_str().unwrap();
        assert_eq!(attempts[1]["idempotency_key"], key, "{mode}");
        let tokens = home.run(&["--json", "tokens", "list"]).ok().json();
        let named: Vec<_> = tokens["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"] == "ci")
            .collect();
        assert_eq!(named.len(), 1, "{mode}: one token, not two: {tokens}");
        assert_eq!(named[0]["id"], created["token"]["id"], "{mode}: {created}");
    }
}

#[test]
fn a_lost_card_create_response_is_retried_and_makes_one_card() {
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let id = agent_id(&home);
    let path = format!("/proxy/v1/agents/{id}/cards");
    server.fault(json!({"method": "POST", "path": path, "mode": "drop_after"}));
    home.run(&["cards", "create", "--purpose", "groceries"])
        .ok();
    assert_eq!(server.count(&format!("POST {path}")), 2);
    let cards = home.run(&["--json", "cards", "list"]).ok().json();
    assert_eq!(cards["cards"].as_array().unwrap().len(), 1, "{cards}");
}

#[test]
fn non_idempotent_posts_are_not_retried() {
    // (Token and card creations carry an Idempotency-Key, so they are retried; deregistering
    // carries none.)
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let id = agent_id(&home);
    let path = format!("/proxy/v1/agents/{id}/deregister");
    server.fault(json!({"method": "POST", "path": path, "status": 503}));
    home.run(&["agent", "deregister", "--yes"]).code(6);
    assert_eq!(server.count(&format!("POST {path}")), 1);
}

#[test]
fn token_create_list_revoke_and_a_revoked_token_is_refused() {
    let server = Server::start();
    let mut home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let first_token = home.stored("proxy:token");
    let first_id = profile_record(&home)["token_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Without --use, the new token is a stored spare: the profile keeps its token.
    let created = home
        .run(&["--json", "tokens", "create", "--name", "ci"])
        .ok();
    let created_json = created.json();
    let new_id = created_json["token"]["id"].as_str().unwrap().to_owned();
    let new_token = home.stored(&format!("proxy:token:{new_id}"));
    assert_eq!(home.stored("proxy:token"), first_token);
    assert!(!created.all().contains(&new_token), "no --reveal, no token");
    assert_eq!(created_json["token"]["name"], "ci");
    assert_eq!(created_json["in_use"], false);
    assert_eq!(created_json["stored_as"], format!("token:{new_id}"));
    assert!(created_json["replaced_token_id"].is_null());
    let human = home.run(&["tokens", "create", "--name", "h"]).ok();
    assert!(human.stdout.contains("pass --use"), "{}", human.stdout);
    assert!(!human.stdout.contains("still active"), "{}", human.stdout);

    // --use switches the profile; the previous token stays stored as a spare.
    let revealed = home
        .run(&[
            "--json", "--reveal", "tokens", "create", "--name", "shown", "--use",
        ])
        .ok();
    let shown = home.stored("proxy:token");
    assert_eq!(revealed.json()["secrets"][0]["value"], shown.as_str());
    assert_eq!(revealed.json()["in_use"], true);
    assert_eq!(revealed.json()["token"]["in_profile"], true);
    assert_eq!(revealed.json()["replaced_token_id"], first_id.as_str());
    assert_eq!(home.stored(&format!("proxy:token:{first_id}")), first_token);
    let shown_id = revealed.json()["token"]["id"].as_str().unwrap().to_owned();

    let listed = home.run(&["--json", "tokens", "list"]).ok();
    for secret in [&first_token, &new_token, &shown] {
        assert!(!listed.stdout.contains(secret.as_str()));
    }
    let tokens = listed.json()["tokens"].as_array().unwrap().clone();
    assert_eq!(tokens.len(), 4);
    for t in &tokens {
        assert!(t["prefix"].as_str().unwrap().starts_with("at_dev_"));
        assert_eq!(t["active"], true);
        assert!(t["created_at"].as_str().unwrap().ends_with('Z'));
        for key in ["last_used_at", "expires_at", "name"] {
            assert!(t.get(key).is_some(), "{key} in {t}");
        }
    }
    assert_eq!(tokens.iter().filter(|t| t["in_profile"] == true).count(), 1);
    let human = home.run(&["tokens", "list"]).ok();
    assert!(human.stdout.contains("last used"), "{}", human.stdout);

    // Revoking a spare: no warning, its stored secret is gone.
    let other = home.run(&["--json", "tokens", "revoke", &new_id]).ok();
    assert!(!other.stderr.contains("warning"), "{}", other.stderr);
    assert_eq!(
        other.json()["removed_secrets"],
        json!([format!("token:{new_id}")])
    );
    assert!(!has_secret(&home, &format!("proxy:token:{new_id}")));
    let revoke_path = format!("/proxy/v1/agents/{}/tokens/{new_id}", agent_id(&home));
    let revokes = logged(&server.requests(), "DELETE", &revoke_path)
        .into_iter()
        .cloned()
        .collect::<Vec<_>>();
    assert_eq!(revokes.len(), 1, "DELETE {revoke_path}");
    assert_eq!(revokes[0]["auth_scheme"], "api-key");
    // Revoking the profile's own token needs --force, and says what stops working.
    server.clear_requests();
    let refused = home.run(&["--json", "tokens", "revoke", &shown_id]).code(2);
    let message = refused.error_json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("agentcred token"), "{message}");
    assert!(
        refused.error_json()["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--force")
    );
    assert_eq!(
        server.count(&format!(
            "DELETE /proxy/v1/agents/{}/tokens/{shown_id}",
            agent_id(&home)
        )),
        0
    );
    assert_eq!(home.stored("proxy:token"), shown);
    let own = home
        .run(&["--json", "tokens", "revoke", &shown_id, "--force"])
        .ok();
    assert_eq!(own.json()["profile_token_revoked"], true);
    assert_eq!(own.json()["token"]["active"], false);
    assert_eq!(own.json()["removed_secrets"], json!(["token"]));
    assert!(own.stderr.contains("stop working"), "{}", own.stderr);
    assert!(own.stderr.contains("tokens create --use"));
    assert!(!has_secret(&home, "proxy:token"));
    assert!(profile_record(&home)["token_id"].is_null());

    // A new token after that claims nothing about the revoked one.
    let again = home.run(&["--json", "tokens", "create", "--use"]).ok();
    assert!(again.json()["replaced_token_id"].is_null());
    let again_id = again.json()["token"]["id"].as_str().unwrap().to_owned();
    let shown = home.stored("proxy:token");
    home.run(&["tokens", "revoke", &again_id, "--force"]).ok();
    // A copy of the revoked token left in the store (as revoking it elsewhere would).
    home.overwrite_secret("proxy:token", &shown);

    // With the operator key, status says the token is revoked (and still answers).
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["token"]["active"], false);

    // Without it, status reads with the revoked token: refused, exit 4, and how to fix it.
    without_operator_key(&mut home);
    server.clear_requests();
    let refused = home.run(&["--json", "status"]).code(4);
    let err = refused.error_json();
    assert_eq!(err["error"]["http_status"], 401);
    assert_eq!(err["error"]["service_code"], "invalid_token");
    let hint = err["error"]["hint"].as_str().unwrap();
    assert!(
        hint.contains("tokens create") && hint.contains("PROXY_API_KEY"),
        "{hint}"
    );
    let log = server.requests();
    let id = agent_id(&home);
    let reads = logged(&log, "GET", &format!("/proxy/v1/agents/{id}"));
    assert_eq!(reads[0]["auth_scheme"], "bearer");
    assert!(!refused.all().contains(&shown));
}

#[test]
fn status_reads_with_the_agent_token_when_there_is_no_operator_key() {
    let server = Server::start();
    let mut home = operator_home(&server);
    register(
        &home,
        "shop-1",
        DEMO_USER_ALICE,
        &["--spending-limit", "20"],
    )
    .ok();
    operator_post(
        &server,
        &format!("/v1/agents/{}/cards", agent_id(&home)),
        json!({"purpose": "x"}),
    );
    without_operator_key(&mut home);
    server.clear_requests();
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["read_with"], "agent_token");
    assert_eq!(status["operator_key"], Value::Null);
    assert_eq!(status["agent"]["status"], "active");
    assert_eq!(status["agent"]["user_id"], DEMO_USER_ALICE);
    assert!(
        status["agent"]["created_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(status["card_count"], 1);
    assert_eq!(
        status["policy"]["spending_limit"],
        json!({"atomic": "2000", "formatted": "20", "decimals": 2, "currency": "USD"})
    );
    assert_eq!(status["token"]["active"], true);
    assert_eq!(status["token"]["stored_in"], "file");
    let log = server.requests();
    for r in log["requests"].as_array().unwrap() {
        assert_eq!(r["auth_scheme"], "bearer", "{r}");
    }
    // What an agent token may not do needs the operator key, and says so (exit 2).
    let run = home.run(&["--no-input", "tokens", "list"]).code(2);
    assert!(run.stderr.contains("PROXY_API_KEY") && run.stderr.contains("login proxy"));
    // Its own cards and policy it may read.
    home.run(&["cards", "list"]).ok();
    home.run(&["limits", "show"]).ok();
}

#[test]
fn operator_key_login_env_precedence_and_dev_live_in_status() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run_with_stdin(&["login", "proxy"], &format!("{DEMO_API_KEY}\n"))
        .ok();
    assert_eq!(home.stored("operator:proxy"), DEMO_API_KEY);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let status = home.run(&["--json", "status"]).ok();
    assert_eq!(
        status.json()["operator_key"],
        json!({"environment": "dev", "source": "file"})
    );
    assert!(
        !status.all().contains(DEMO_API_KEY),
        "the key is never shown"
    );
    let human = home.run(&["status"]).ok();
    assert!(
        human.stdout.contains("dev key, stored in the file store"),
        "{}",
        human.stdout
    );

    // PROXY_API_KEY wins over the stored key: a live key does not see the dev agent.
    home.set("PROXY_API_KEY", DEMO_LIVE_API_KEY);
    let err = home.run(&["--json", "status"]).code(3).error_json();
    assert_eq!(err["error"]["service_code"], "agent_not_found");

    // A live registration is told apart.
    let live = register(&home, "shop-live", DEMO_USER_BOB, &["--profile", "live"])
        .ok()
        .json();
    assert_eq!(live["operator_key"]["environment"], "live");
    assert!(home.stored("live:token").starts_with("at_live_"));
    let status = home
        .run(&["--profile", "live", "--json", "status"])
        .ok()
        .json();
    assert_eq!(
        status["operator_key"],
        json!({"environment": "live", "source": "environment"})
    );
    assert_eq!(status["token"]["environment"], "live");

    let logout = home.run(&["logout", "proxy"]).ok();
    assert!(logout.stdout.contains("not revoked"), "{}", logout.stdout);
    assert!(!has_secret(&home, "operator:proxy"));
}

#[test]
fn limits_set_takes_dollars_exactly() {
    let server = Server::start();
    let home = operator_home(&server);
    register(
        &home,
        "shop-1",
        DEMO_USER_ALICE,
        &["--frequency", "perWeek"],
    )
    .ok();
    let refused = home
        .run(&["limits", "set", "--spending-limit", "12.345"])
        .code(2);
    assert!(refused.stderr.contains("12.345"), "{}", refused.stderr);
    assert_eq!(
        server.count(&format!("PATCH /proxy/v1/agents/{}", agent_id(&home))),
        0
    );

    let set = home
        .run(&["limits", "set", "--spending-limit", "12.34"])
        .ok();
    assert!(
        set.stdout.contains("12.34 USD (1234 atomic, 2 decimals)"),
        "{}",
        set.stdout
    );
    let shown = home.run(&["--json", "limits", "show"]).ok().json();
    assert_eq!(
        shown["policy"]["spending_limit"],
        json!({"atomic": "1234", "formatted": "12.34", "decimals": 2, "currency": "USD"})
    );
    assert_eq!(
        shown["policy"]["remaining"],
        json!({"atomic": "1234", "formatted": "12.34", "decimals": 2, "currency": "USD"})
    );
    assert_eq!(shown["policy"]["current_spend"]["atomic"], "0");
    assert_eq!(shown["policy"]["frequency"], "perWeek");

    home.run(&[
        "limits",
        "set",
        "--frequency",
        "allTime",
        "--on-limit-exceeded",
        "suspend",
    ])
    .ok();
    let shown = home.run(&["--json", "limits", "show"]).ok().json();
    assert_eq!(shown["policy"]["frequency"], "allTime");
    assert_eq!(shown["policy"]["on_limit_exceeded"], "suspend");
    home.run(&["limits", "set"]).code(2);
}

#[test]
fn lists_longer_than_a_page_are_complete() {
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let id = agent_id(&home);
    let extra = DEFAULT_PAGE_SIZE + 2;
    for n in 0..extra {
        operator_post(
            &server,
            &format!("/v1/agents/{id}/tokens"),
            json!({"name": format!("t{n}")}),
        );
        operator_post(
            &server,
            &format!("/v1/agents/{id}/cards"),
            json!({"purpose": format!("c{n}")}),
        );
    }
    server.clear_requests();
    let tokens = home.run(&["--json", "tokens", "list"]).ok().json();
    assert_eq!(tokens["tokens"].as_array().unwrap().len(), extra + 1);
    let cards = home.run(&["--json", "cards", "list"]).ok().json();
    let cards = cards["cards"].as_array().unwrap();
    assert_eq!(cards.len(), extra);
    let purposes: Vec<&str> = cards
        .iter()
        .map(|c| c["purpose"].as_str().unwrap())
        .collect();
    assert_eq!(purposes.first(), Some(&"c0"));
    assert_eq!(
        purposes.last().copied(),
        Some(format!("c{}", extra - 1).as_str())
    );
    let log = server.requests();
    let pages = logged(&log, "GET", &format!("/proxy/v1/agents/{id}/cards"));
    assert_eq!(pages.len(), 2, "two pages");
    assert!(pages[1]["query"].as_str().unwrap().contains("cursor="));
}

#[test]
fn cards_show_last4_limits_and_expiry_never_a_pan() {
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &["--max-cards", "1"]).ok();
    let created = home
        .run(&[
            "--json",
            "cards",
            "create",
            "--purpose",
            "Order dinner",
            "--max-amount",
            "25",
        ])
        .ok()
        .json();
    let card = &created["card"];
    assert_eq!(card["type"], "single");
    assert_eq!(card["status"], "active");
    assert_eq!(card["last4"].as_str().unwrap().len(), 4);
    assert_eq!(
        card["max_amount"],
        json!({"atomic": "2500", "formatted": "25", "decimals": 2, "currency": "USD"})
    );
    let expiry = card["expiry"].as_str().unwrap();
    assert!(expiry.len() == 7 && &expiry[2..3] == "/", "{expiry}");
    let id = card["id"].as_str().unwrap();
    let shown = home.run(&["cards", "show", id]).ok();
    assert!(
        shown.stdout.contains("25 USD (2500 atomic, 2 decimals)"),
        "{}",
        shown.stdout
    );
    assert!(
        shown
            .stdout
            .contains(&format!("•••• {}", card["last4"].as_str().unwrap()))
    );
    let json = home.run(&["--json", "cards", "show", id]).ok().stdout;
    for forbidden in ["pan", "cvv"] {
        assert!(!json.to_lowercase().contains(&format!("\"{forbidden}\"")));
    }
    let log = server.requests();
    assert!(
        log["requests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| !r["path"].as_str().unwrap().ends_with("/details")),
        "card details are never requested"
    );
}

#[test]
fn agent_lifecycle_suspend_activate_deregister_and_register_again() {
    let server = Server::start();
    let mut home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok();
    let old_id = agent_id(&home);
    let shown = home.run(&["--json", "agent", "show"]).ok().json();
    assert_eq!(shown["agent"]["status"], "active");
    assert_eq!(shown["agent"]["external_id"], "shop-1");

    home.run(&["agent", "suspend"]).ok();
    let refused = home
        .run(&["--json", "cards", "create", "--purpose", "x"])
        .code(8);
    assert_eq!(
        refused.error_json()["error"]["service_code"],
        "agent_not_active"
    );
    assert!(refused.stderr.contains("agent activate"));
    let status = home.run(&["status"]).ok();
    assert!(status.stdout.contains("suspended"), "{}", status.stdout);
    home.run(&["agent", "activate"]).ok();
    home.run(&["cards", "create", "--purpose", "x"]).ok();

    // Destructive: confirmation needed, none possible without a terminal.
    let unconfirmed = home.run(&["agent", "deregister"]).code(2);
    assert!(unconfirmed.stderr.contains("--yes"));
    assert_eq!(
        server.count(&format!("POST /proxy/v1/agents/{old_id}/deregister")),
        0
    );
    let dereg = home
        .run(&["--json", "agent", "deregister", "--yes"])
        .ok()
        .json();
    assert_eq!(dereg["agent"]["status"], "deregistered");
    assert_eq!(
        server.count(&format!("POST /proxy/v1/agents/{old_id}/deregister")),
        1
    );
    assert_eq!(dereg["previous_status"], "active");
    let profile = home.run(&["--json", "profiles", "show"]).ok().json();
    assert!(
        profile["record"]["deregistered_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    // Afterwards the profile says so.
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["deregistered"], true);
    assert_eq!(status["token"]["active"], false);
    assert!(
        status["notes"][0]
            .as_str()
            .unwrap()
            .contains("register proxy")
    );
    let refused = home.run(&["--json", "tokens", "create"]).code(8);
    assert!(refused.stderr.contains("deregistered"));
    home.run(&["limits", "set", "--spending-limit", "5"])
        .code(8);
    // `token` does not hand out the revoked token of a deregistered agent.
    let token = home.run(&["token"]).code(8);
    assert!(token.stdout.is_empty());
    assert!(token.stderr.contains("deregistered"), "{}", token.stderr);
    // ...also with no operator key at all, from the profile alone.
    without_operator_key(&mut home);
    let local = home.run(&["--json", "status"]).ok().json();
    assert_eq!(local["read_with"], "none");
    assert_eq!(local["agent"]["status"], "deregistered");
    home.set("PROXY_API_KEY", DEMO_API_KEY);

    // The external id can be registered again, into the same profile.
    let again = register(&home, "shop-1", DEMO_USER_ALICE, &[]).ok().json();
    assert_eq!(again["created"], true);
    assert_ne!(again["agent_id"].as_str().unwrap(), old_id);
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["deregistered"], false);
    assert_eq!(status["token"]["active"], true);
}

#[test]
fn the_embedded_sandbox_works_with_its_demo_key() {
    let home = Home::new();
    let reg = home
        .run(&[
            "--sandbox",
            "register",
            "proxy",
            "--external-id",
            "demo",
            "--user",
            DEMO_USER_ALICE,
            "--name",
            "Demo",
            "--spending-limit",
            "500",
        ])
        .ok();
    assert!(reg.stderr.contains("demo key"), "{}", reg.stderr);
    assert!(
        reg.stdout.contains("Registered Proxy agent"),
        "{}",
        reg.stdout
    );
    let status = home.run(&["status"]).ok();
    assert!(
        status.stdout.contains("500 USD (50000 atomic, 2 decimals)"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("the sandbox's demo key"));
    home.run(&["cards", "create", "--purpose", "demo"]).ok();
    home.run(&["tokens", "list"]).ok();
}

#[test]
fn no_secret_in_any_output_without_reveal() {
    let server = Server::start();
    let home = operator_home(&server);
    let mut runs = vec![register(&home, "shop-1", DEMO_USER_ALICE, &["-v"]).ok()];
    let token = home.stored("proxy:token");
    for args in [
        &["-v", "status"][..],
        &["-v", "--json", "status"],
        &["-v", "tokens", "list"],
        &["-v", "tokens", "create"],
        &["-v", "cards", "create", "--purpose", "x"],
        &["-v", "limits", "show"],
        &["-v", "agent", "show"],
        &["profiles", "show"],
        &["status", "--all"],
    ] {
        runs.push(home.run(args).ok());
    }
    let latest = home.stored("proxy:token");
    for run in &runs {
        let all = run.all();
        for secret in [DEMO_API_KEY, token.as_str(), latest.as_str()] {
            assert!(!all.contains(secret), "leaked {secret}:\n{all}");
        }
    }
    assert!(
        runs[1].stderr.contains("api-key: <redacted>"),
        "{}",
        runs[1].stderr
    );
    // `token` prints the stored agent token, which never expires, only when asked to reveal.
    let refused = home.run(&["token"]).code(2);
    assert!(!refused.all().contains(latest.as_str()));
    let printed = home.run(&["--reveal", "token"]).ok();
    assert_eq!(printed.stdout.trim(), latest);
    let refresh = home.run(&["refresh"]).ok();
    assert!(refresh.stdout.contains("do not expire"));
}

struct Case {
    name: &'static str,
    args: &'static [&'static str],
    code: i32,
    mentions: &'static [&'static str],
}

#[test]
fn bad_input() {
    let server = Server::start();
    let mut home = operator_home(&server);
    register(&home, "shop-1", DEMO_USER_ALICE, &["--max-cards", "1"]).ok();
    home.run(&["cards", "create", "--purpose", "first"]).ok();
    let mut fluxa = Home::new();
    fluxa.use_server(&server);
    fluxa
        .run(&["register", "fluxa", "--name", "demo-agent"])
        .ok();
    let mut no_key = Home::new();
    no_key.use_server(&server);

    let cases = [
        Case {
            name: "unknown frequency",
            args: &["limits", "set", "--frequency", "hourly"],
            code: 2,
            mentions: &["hourly", "perMonth", "allTime"],
        },
        Case {
            name: "unknown limit action",
            args: &["limits", "set", "--on-limit-exceeded", "explode"],
            code: 2,
            mentions: &["explode", "suspend", "notify"],
        },
        Case {
            name: "negative amount",
            args: &["limits", "set", "--spending-limit", "-5"],
            code: 2,
            mentions: &["--spending-limit", "negative"],
        },
        Case {
            name: "more decimals than cents",
            args: &["cards", "create", "--purpose", "x", "--max-amount", "1.001"],
            code: 2,
            mentions: &["--max-amount", "1.001"],
        },
        Case {
            name: "card id not found",
            args: &["cards", "show", "card_nope"],
            code: 3,
            mentions: &["card_nope", "cards list"],
        },
        Case {
            name: "token id not found",
            args: &["tokens", "revoke", "atok_nope"],
            code: 3,
            mentions: &["atok_nope", "tokens list"],
        },
        Case {
            name: "max cards reached",
            args: &["cards", "create", "--purpose", "second"],
            code: 8,
            mentions: &["maxCards", "max_cards_reached"],
        },
        Case {
            name: "unknown user",
            args: &[
                "--profile",
                "other",
                "register",
                "proxy",
                "--external-id",
                "x",
                "--user",
                "user_nobody",
                "--name",
                "n",
            ],
            code: 3,
            mentions: &["user_nobody", "--user"],
        },
        Case {
            name: "agent block is AuthPI's",
            args: &["agent", "block", "--reason", "r", "--yes"],
            code: 2,
            mentions: &["AuthPI"],
        },
    ];
    for case in &cases {
        check(&home, case);
    }
    // Missing operator key with --no-input: exit 2 naming both ways to give one, no request.
    let registers = server.count("POST /proxy/v1/agents/register");
    let no_key_register = no_key.run(&[
        "--no-input",
        "--json",
        "register",
        "proxy",
        "--external-id",
        "x",
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "n",
    ]);
    without_operator_key(&mut home);
    let no_key_card = home.run(&["--no-input", "--json", "cards", "create", "--purpose", "x"]);
    for run in [no_key_register, no_key_card] {
        let err = run.code(2).error_json();
        let text = format!("{} {}", err["error"]["message"], err["error"]["hint"]);
        assert!(
            text.contains("PROXY_API_KEY") && text.contains("login proxy"),
            "{text}"
        );
    }
    assert_eq!(server.count("POST /proxy/v1/agents/register"), registers);
    // A Proxy command on a FluxA profile.
    for args in [
        &["tokens", "list"][..],
        &["cards", "list"],
        &["limits", "set", "--spending-limit", "5"],
    ] {
        let run = fluxa.run(args).code(2);
        assert!(
            run.stderr.contains("Proxy") && run.stderr.contains("FluxA"),
            "{}",
            run.stderr
        );
    }
}

fn check(home: &Home, case: &Case) {
    let run = home.run(case.args);
    assert_eq!(
        run.code, case.code,
        "{}: expected exit {}\n{}",
        case.name, case.code, run.stderr
    );
    for word in case.mentions {
        assert!(
            run.stderr.contains(word),
            "{}: no '{word}' in\n{}",
            case.name,
            run.stderr
        );
    }
    let mut args = vec!["--json"];
    args.extend_from_slice(case.args);
    let json = home.run(&args);
    assert_eq!(json.code, case.code, "{} with --json", case.name);
    assert_eq!(json.error_json()["error"]["exit_code"], case.code);
}

fn rescued_token(run: &Run) -> String {
    let path = run
        .stderr
        .split_whitespace()
        .find(|w| w.contains("/rescue/"))
        .unwrap_or_else(|| panic!("no rescue path in: {}", run.stderr));
    let path = std::path::Path::new(path.trim_end_matches([',', '.', ')']));
    let rescue: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    // `token` at registration; a new token of `tokens create` is rescued as the spare it
    // is until stored (`token:TOKEN_ID`), so that importing it replaces nothing.
    let token = rescue["secrets"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(kind, _)| *kind == "token" || kind.starts_with("token:"))
        .and_then(|(_, value)| value.as_str())
        .unwrap()
        .to_owned();
    assert!(
        !run.stderr.contains(&token),
        "the rescue message must not print the token"
    );
    token
}

/// The rescued token is a working agent token at the service.
fn works(server: &Server, agent_id: &str, token: &str) -> bool {
    reqwest::blocking::Client::new()
        .get(format!("{}/proxy/v1/agents/{agent_id}", server.base))
        .bearer_auth(token)
        .send()
        .unwrap()
        .status()
        .is_success()
}

#[test]
fn one_time_tokens_are_rescued_when_the_store_fails() {
    let server = Server::start();
    let mut home = operator_home(&server);
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = register(&home, "shop-1", DEMO_USER_ALICE, &[]).code(7);
    let token = rescued_token(&run);
    assert!(token.starts_with("at_dev_"));
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    let agent = state["proxy"]["agents"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    assert!(works(&server, &agent, &token));

    // Same for a token made by `tokens create`.
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    register(&home, "shop-2", DEMO_USER_ALICE, &[]).ok();
    let id = agent_id(&home);
    let before = home.stored("proxy:token");
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home.run(&["tokens", "create", "--use"]).code(7);
    let token = rescued_token(&run);
    assert_ne!(token, before);
    assert!(works(&server, &id, &token));
    assert_eq!(home.stored("proxy:token"), before);
}

#[test]
fn sandbox_and_real_operator_keys_live_in_separate_slots() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    // A made-up live key, stored unchecked (and only ever pointed at the local sandbox).
    home.run_with_stdin(
        &["login", "proxy", "--no-verify"],
        "lk_live_the_real_org_key\n",
    )
    .ok();
    home.env.retain(|(k, _)| !k.ends_with("_URL"));
    home.run_with_stdin(&["--sandbox", "login", "proxy"], "lk_dev_sandbox\n")
        .ok();
    // Neither login replaced the other.
    assert_eq!(home.stored("operator:proxy"), "lk_live_the_real_org_key");
    assert_eq!(home.stored("operator:sandbox-proxy"), "lk_dev_sandbox");

    // A sandbox profile uses the sandbox slot: the real key never reaches the sandbox.
    home.run(&[
        "--sandbox",
        "register",
        "proxy",
        "--external-id",
        "slots",
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "Slots",
    ])
    .ok();
    let status = home.run(&["--json", "status"]).ok().json();
    assert!(!status.to_string().contains("lk_live_the_real_org_key"));

    // Logging out of the sandbox leaves the real key alone.
    home.run(&["--sandbox", "logout", "proxy"]).ok();
    assert_eq!(home.stored("operator:proxy"), "lk_live_the_real_org_key");
    assert!(!home.stored_secrets().contains_key("operator:sandbox-proxy"));
}

#[test]
fn concurrent_token_switches_leave_every_live_token_stored() {
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "race-1", DEMO_USER_ALICE, &[]).ok();
    let create: Vec<String> = ["--json", "tokens", "create", "--use"]
        .map(String::from)
        .to_vec();
    let runs = home.run_concurrently(&[create.clone(), create.clone(), create]);
    // One after the other under the profile's lock: each replaced the one before it and
    // kept it as a spare, so each names a different previous token.
    let mut replaced = Vec::new();
    for run in &runs {
        assert_eq!(run.code, 0, "{}", run.all());
        replaced.push(run.json()["replaced_token_id"].as_str().unwrap().to_owned());
    }
    replaced.sort();
    replaced.dedup();
    assert_eq!(replaced.len(), 3, "{replaced:?}");

    // Every token live at Proxy is held: the profile's, or a stored spare that works.
    let stored = home.stored_secrets();
    let listed = home.run(&["--json", "tokens", "list"]).ok().json();
    let live: Vec<&Value> = listed["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["active"] != false)
        .collect();
    assert_eq!(live.len(), 4, "{listed}");
    let agent = agent_id(&home);
    for token in live {
        let id = token["id"].as_str().unwrap();
        let secret = if token["in_profile"] == true {
            stored["proxy:token"].as_str().unwrap()
        } else {
            stored
                .get(&format!("proxy:token:{id}"))
                .and_then(Value::as_str)
                .unwrap_or_else(|| panic!("live token {id} is stored nowhere: {stored:?}"))
        };
        assert!(works(&server, &agent, secret), "{id}");
    }
}

#[test]
fn a_lost_answer_to_a_token_revocation_is_checked_before_the_secret_is_deleted() {
    let server = Server::start();
    let home = operator_home(&server);
    register(&home, "lost-1", DEMO_USER_ALICE, &[]).ok();
    let agent = agent_id(&home);
    let created = home.run(&["--json", "tokens", "create"]).ok().json();
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    server.fault(json!({
        "method": "DELETE",
        "path": format!("/proxy/v1/agents/{agent}/tokens/{id}"),
        "mode": "bad_gateway_after",
    }));
    let run = home.run(&["--json", "tokens", "revoke", &id]).ok();
    assert!(run.stderr.contains("lost"), "{}", run.stderr);
    assert_eq!(run.json()["token"]["active"], false);
    assert_eq!(
        run.json()["removed_secrets"],
        json!([format!("token:{id}")])
    );
    assert!(
        !home
            .stored_secrets()
            .contains_key(&format!("proxy:token:{id}"))
    );

    // A revocation refused before the service acted keeps the secret: the token still works.
    let created = home.run(&["--json", "tokens", "create"]).ok().json();
    let id = created["token"]["id"].as_str().unwrap().to_owned();
    server.fault(json!({
        "method": "DELETE",
        "path": format!("/proxy/v1/agents/{agent}/tokens/{id}"),
        "status": 503,
        "count": 5,
    }));
    home.run(&["tokens", "revoke", &id]).code(6);
    let kept = home.stored(&format!("proxy:token:{id}"));
    assert!(works(&server, &agent, &kept));
}
