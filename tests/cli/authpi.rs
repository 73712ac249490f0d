//! AuthPI end to end: operator login, register (with a lost response), verifiers and secret
//! rotation, the verifier limit, stale ETags, the agent lifecycle, status, and bad input.

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use serde_json::{Value, json};

use agentcred_sandbox::support::log_fingerprint;

use crate::support::{Home, Server, logged};

const AGENTS: &str = "/authpi/api/v1/accounts/acc_sandbox/issuers/i_sandbox/agents";
const TOKEN: &str = "/authpi/idp/i_sandbox/token";

fn register_args(name: &str) -> Vec<&str> {
    vec![
        "register",
        "authpi",
        "--account",
        DEMO_ACCOUNT_ID,
        "--issuer",
        DEMO_ISSUER_ID,
        "--name",
        name,
    ]
}

/// A home pointed at `server`, with the demo org key in the environment.
fn operator_home(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET);
    home
}

fn registered(server: &Server) -> Home {
    let home = operator_home(server);
    home.run(&register_args("triage-bot")).ok();
    home
}

fn profile(home: &Home) -> Value {
    home.run(&["--json", "profiles", "show"]).ok().json()
}

fn agent_id(home: &Home) -> String {
    profile(home)["agent_id"].as_str().unwrap().to_owned()
}

#[test]
fn a_token_revoked_at_the_idp_is_replaced_and_status_says_whether_it_is_active() {
    let server = Server::start();
    let home = registered(&server);
    let id = agent_id(&home);
    let first = home.run(&["token"]).ok().stdout.trim().to_owned();
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["access_token_active"], true, "{status}");

    // The agent's own runtime revokes its token (RFC 7009), as AuthPI's SDK does.
    let secret = home.stored("authpi:client_secret");
    assert_eq!(
        server.submit_form(
            &format!("{}/authpi/idp/i_sandbox/revoke", server.base),
            &[
                ("token", &first),
                ("client_id", &id),
                ("client_secret", &secret)
            ],
        ),
        200
    );
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["access_token_active"], false, "{status}");
    let human = home.run(&["status"]).ok();
    assert!(human.stdout.contains("NOT active"), "{}", human.stdout);

    // `token` asks the IdP (with the agent's own credentials) and hands out a new one.
    let run = home.run(&["--json", "token"]).ok().json();
    assert_eq!(run["refreshed"], true, "{run}");
    let second = run["token"].as_str().unwrap();
    assert_ne!(second, first);
    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["access_token_active"], true, "{status}");
    // An active token is handed out as it is.
    assert_eq!(
        home.run(&["--json", "token"]).ok().json()["refreshed"],
        false
    );
}

/// Revoke `token` at the sandbox's IdP with the agent's own credentials (RFC 7009), as the
/// agent's runtime would.
fn revoke_at_idp(server: &Server, home: &Home, token: &str) {
    let id = agent_id(home);
    let secret = home.stored("authpi:client_secret");
    assert_eq!(
        server.submit_form(
            &format!("{}/authpi/idp/i_sandbox/revoke", server.base),
            &[
                ("token", token),
                ("client_id", &id),
                ("client_secret", &secret)
            ],
        ),
        200
    );
}

#[test]
fn exec_never_hands_the_child_a_token_revoked_at_the_idp() {
    let server = Server::start();
    let home = registered(&server);
    let first = home.run(&["token"]).ok().stdout.trim().to_owned();
    revoke_at_idp(&server, &home, &first);
    // Still within its `exp`, so only asking the IdP tells it is dead.
    assert_eq!(
        home.run(&["--json", "status"]).ok().json()["access_token_active"],
        false
    );

    let run = home
        .run(&["exec", "--", "sh", "-c", "printf %s \"$AGENTCRED_TOKEN\""])
        .ok();
    let handed = run.stdout.trim();
    assert!(!handed.is_empty(), "{}", run.all());
    assert_ne!(handed, first, "exec handed the child the revoked token");
    assert_eq!(
        handed,
        home.stored("authpi:access_token"),
        "the new one is stored"
    );
    assert_eq!(
        home.run(&["--json", "status"]).ok().json()["access_token_active"],
        true
    );

    // The gateway's broker starts from the same rule: a revoked token is not used.
    let second = handed.to_owned();
    revoke_at_idp(&server, &home, &second);
    home.run(&["exec", "--gateway", "--", "true"]).ok();
    assert_ne!(home.stored("authpi:access_token"), second);
}

fn verifier_in_use(home: &Home) -> String {
    profile(home)["record"]["secret_verifier_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn verifiers(home: &Home) -> Vec<Value> {
    home.run(&["--json", "verifiers", "list"]).ok().json()["verifiers"]
        .as_array()
        .unwrap()
        .clone()
}

/// Every agent the sandbox holds.
fn agents_in_state(server: &Server) -> serde_json::Map<String, Value> {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    state["authpi"]["agents"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn wallet(n: usize) -> String {
    format!("0x{n:040x}")
}

#[test]
fn sandbox_flow_with_the_demo_key_and_no_operator_login() {
    let home = Home::new();
    let reg = home
        .run(&[
            "--sandbox",
            "register",
            "authpi",
            "--account",
            "acc_sandbox",
            "--issuer",
            "i_sandbox",
            "--name",
            "demo-agent",
            "--model",
            "claude-sonnet-4-5",
            "--provider",
            "anthropic",
            "--scope",
            "tickets:read",
        ])
        .ok();
    assert!(
        reg.stdout.contains("Registered AuthPI agent agt_"),
        "{}",
        reg.stdout
    );
    assert!(
        reg.stderr.contains("demo key key_sandbox"),
        "{}",
        reg.stderr
    );

    let status = home.run(&["--json", "status"]).ok().json();
    assert_eq!(status["provider"], "authpi");
    assert_eq!(status["agent"]["status"], "active");
    assert_eq!(status["agent"]["model"], "claude-sonnet-4-5");
    assert_eq!(status["agent"]["scopes"], json!(["tickets:read"]));
    assert_eq!(status["verifiers"][0]["type"], "secret");
    assert_eq!(status["verifiers"][0]["in_use"], true);
    let token_fact = status["local"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "access_token")
        .unwrap();
    assert!(token_fact["expires_at"].as_str().unwrap().ends_with('Z'));
    let left = token_fact["expires_in_s"].as_i64().unwrap();
    assert!((240..=300).contains(&left), "{left}");

    let human = home.run(&["status"]).ok();
    assert!(human.stdout.contains("Verifiers"), "{}", human.stdout);
    assert!(human.stdout.contains("status:"), "{}", human.stdout);

    // The token is the at+jwt the IdP issued, and only it is on stdout.
    let token = home.run(&["token"]).ok();
    let jwt = token.stdout.trim_end();
    assert_eq!(token.stdout, format!("{jwt}\n"));
    assert_eq!(jwt, home.stored("authpi:access_token"));
    let header = jwt.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&base64_url_decode(header)).unwrap();
    assert_eq!(header["typ"], "at+jwt");
}

fn base64_url_decode(part: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .unwrap()
}

#[test]
fn requests_follow_the_documented_api() {
    let server = Server::start();
    let home = operator_home(&server);
    home.run(&[
        "register",
        "authpi",
        "--account",
        "acc_sandbox",
        "--issuer",
        "i_sandbox",
        "--name",
        "triage-bot",
        "--description",
        "Triage tickets",
        "--model",
        "claude-sonnet-4-5",
        "--provider",
        "anthropic",
        "--agent-version",
        "1.2.0",
        "--scope",
        "tickets:read",
        "--scope",
        "tickets:triage",
        "--metadata",
        "team=support",
    ])
    .ok();
    let id = agent_id(&home);
    home.run(&[
        "verifiers",
        "add",
        "wallet",
        "--address",
        &wallet(7),
        "--network",
        "eip155:8453",
    ])
    .ok();
    home.run(&["agent", "suspend", "--reason", "audit"]).ok();
    home.run(&["agent", "activate"]).ok();
    let wallet_id = verifiers(&home)
        .iter()
        .find(|v| v["type"] == "wallet")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    home.run(&["verifiers", "remove", &wallet_id]).ok();
    home.run(&["refresh"]).ok();

    let log = server.requests();
    let core: Vec<&Value> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"].as_str().unwrap().starts_with("/authpi/api/"))
        .collect();
    assert!(core.len() >= 8, "{core:?}");
    for request in &core {
        assert_eq!(request["auth_scheme"], "basic", "{request}");
        assert_eq!(request["basic_user"], DEMO_KEY_ID, "{request}");
    }

    let create = logged(&log, "POST", AGENTS);
    assert_eq!(create.len(), 1);
    assert_eq!(
        create[0]["body"],
        json!({"name": "triage-bot", "description": "Triage tickets", "model": "claude-sonnet-4-5",
               "provider": "anthropic", "version": "1.2.0", "scopes": ["tickets:read", "tickets:triage"],
               "metadata": {"team": "support"}})
    );
    assert!(
        create[0]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert!(!create[0]["idempotency_key"].as_str().unwrap().is_empty());

    let verifiers_path = format!("{AGENTS}/{id}/verifiers");
    let adds = logged(&log, "POST", &verifiers_path);
    assert_eq!(adds.len(), 2);
    assert_eq!(
        adds[0]["body"],
        json!({"type": "secret", "name": "agentcred authpi"})
    );
    // No --name: the key is still sent, as null.
    assert_eq!(
        adds[1]["body"],
        json!({"type": "wallet", "name": null, "address": wallet(7), "network": "eip155:8453"})
    );
    let keys: Vec<&str> = adds
        .iter()
        .chain(create.iter())
        .map(|r| r["idempotency_key"].as_str().unwrap())
        .collect();
    let distinct: std::collections::BTreeSet<&str> = keys.iter().copied().collect();
    assert_eq!(
        distinct.len(),
        keys.len(),
        "a fresh key per create: {keys:?}"
    );

    let patches = logged(&log, "PATCH", &format!("{AGENTS}/{id}"));
    assert_eq!(patches.len(), 2);
    assert_eq!(
        patches[0]["body"],
        json!({"status": "suspended", "status_reason": "audit"})
    );
    assert_eq!(patches[1]["body"], json!({"status": "active"}));
    assert!(
        patches
            .iter()
            .all(|p| p["if_match"].as_str().unwrap().starts_with('"'))
    );
    let removal = logged(&log, "DELETE", &format!("{verifiers_path}/{wallet_id}"));
    assert_eq!(removal.len(), 1);
    assert!(removal[0]["if_match"].as_str().unwrap().starts_with('"'));

    let tokens = logged(&log, "POST", TOKEN);
    assert_eq!(tokens.len(), 2, "register and refresh");
    for request in tokens {
        assert_eq!(request["auth_scheme"], "none");
        assert_eq!(request["content_type"], "application/x-www-form-urlencoded");
        assert_eq!(
            request["body"],
            json!({"grant_type": "client_credentials", "client_id": id,
                   "client_secret": log_fingerprint(&home.stored("authpi:client_secret"))})
        );
    }
}

#[test]
fn operator_login_logout_and_the_environment_winning() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    let login = home
        .run_with_stdin(
            &["login", "authpi"],
            &format!("{DEMO_KEY_ID}:{DEMO_KEY_SECRET}\n"),
        )
        .ok();
    assert!(
        login.stdout.contains("key id key_sandbox"),
        "{}",
        login.stdout
    );
    assert!(!login.all().contains(DEMO_KEY_SECRET));
    assert_eq!(
        home.stored("operator:authpi"),
        format!("{DEMO_KEY_ID}:{DEMO_KEY_SECRET}")
    );
    home.run(&register_args("logged-in")).ok();

    // The environment wins over the stored key: a wrong pair there is what gets sent.
    home.set("AUTHPI_KEY_ID", "key_other")
        .set("AUTHPI_KEY_SECRET", "wrong");
    let refused = home.run(&["--json", "agent", "show"]).code(4);
    let err = refused.error_json();
    assert_eq!(err["error"]["provider"], "authpi");
    assert_eq!(err["error"]["http_status"], 401);
    assert!(
        err["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("AUTHPI_KEY_ID")
    );
    let log = server.requests();
    let last = log["requests"].as_array().unwrap().last().unwrap();
    assert_eq!(last["basic_user"], "key_other");

    home.env.retain(|(k, _)| !k.starts_with("AUTHPI_"));
    home.run(&["agent", "show"]).ok();
    home.run(&["logout", "authpi"]).ok();
    assert!(!home.stored_secrets().contains_key("operator:authpi"));
    let missing = home.run(&["--no-input", "agent", "show"]).code(2);
    missing.mentions(&["AUTHPI_KEY_ID", "login authpi"]);
}

#[test]
fn a_lost_register_response_is_replayed_not_repeated() {
    // The connection closes before any answer ("connection closed before message completed").
    lost_register_response("drop_after");
}

#[test]
fn a_register_response_lost_behind_a_proxy_is_replayed_not_repeated() {
    // A 502 from a gateway that lost the answer.
    lost_register_response("bad_gateway_after");
}

fn lost_register_response(mode: &str) {
    let server = Server::start();
    let home = operator_home(&server);
    server.fault(json!({"method": "POST", "path": AGENTS, "mode": mode}));
    let mut args = vec!["-v"];
    args.extend(register_args("once-only"));
    let run = home.run(&args).ok();
    assert!(
        run.stderr.contains("idempotent-replayed: true"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("no second agent"), "{}", run.stderr);

    let log = server.requests();
    let attempts = logged(&log, "POST", AGENTS);
    assert_eq!(
        attempts.len(),
        2,
        "the first answer was lost, so it was sent again"
    );
    assert_eq!(
        attempts[0]["idempotency_key"],
        attempts[1]["idempotency_key"]
    );
    assert_eq!(attempts[0]["body"], attempts[1]["body"]);
    let agents = agents_in_state(&server);
    assert_eq!(agents.len(), 1, "{agents:?}");
    assert!(agents.contains_key(&agent_id(&home)));
    // The registration went on as usual: a secret and a token.
    home.run(&["token"]).ok();
}

#[test]
fn secret_rotation_end_to_end() {
    let server = Server::start();
    let home = registered(&server);
    let old = verifier_in_use(&home);
    let old_secret = home.stored("authpi:client_secret");

    let added = home
        .run(&[
            "--json",
            "verifiers",
            "add",
            "secret",
            "--name",
            "next",
            "--use",
        ])
        .ok()
        .json();
    let new = added["verifier"]["id"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(added["used"], true);
    assert_eq!(added["previous_verifier_id"], old.as_str());
    assert!(added["secret"]["value"].is_null(), "no --reveal, no secret");
    let new_secret = home.stored("authpi:client_secret");
    assert_ne!(new_secret, old_secret);
    assert!(!added.to_string().contains(&new_secret));
    assert_eq!(verifier_in_use(&home), new);
    // The replaced secret is kept until its verifier goes.
    assert_eq!(
        home.stored(&format!("authpi:client_secret@{old}")),
        old_secret
    );

    home.run(&["verifiers", "remove", &old]).ok();
    assert!(
        !home
            .stored_secrets()
            .contains_key(&format!("authpi:client_secret@{old}"))
    );
    server.clear_requests();
    home.run(&["refresh"]).ok();
    let log = server.requests();
    let minted = logged(&log, "POST", TOKEN);
    assert_eq!(minted.len(), 1);
    // The log keeps a digest of secret-named fields, enough to tell which secret was sent.
    assert_eq!(
        minted[0]["body"]["client_secret"],
        log_fingerprint(&new_secret)
    );
    home.run(&["token", "--min-valid", "4m"]).ok();

    // The verifier the profile uses needs --force, which says what breaks.
    let refused = home.run(&["verifiers", "remove", &new]).code(2);
    refused.mentions(&["--force", "agentcred token", "verifiers add secret --use"]);
    assert_eq!(verifiers(&home).len(), 1);
    let forced = home.run(&["verifiers", "remove", &new, "--force"]).ok();
    assert!(
        forced.stderr.contains("client secret, which is gone now"),
        "{}",
        forced.stderr
    );
    assert!(!home.stored_secrets().contains_key("authpi:client_secret"));
    let no_secret = home.run(&["refresh"]).code(4);
    no_secret.mentions(&["verifiers add secret --use"]);
}

#[test]
fn a_spare_secret_is_stored_revealed_on_request_and_removed_with_the_profile() {
    let server = Server::start();
    let home = registered(&server);
    let in_use = home.stored("authpi:client_secret");
    let added = home
        .run(&["--json", "--reveal", "verifiers", "add", "secret"])
        .ok()
        .json();
    let id = added["verifier"]["id"].as_str().unwrap();
    let account = format!("authpi:client_secret@{id}");
    assert_eq!(added["used"], false);
    assert_eq!(added["secret"]["account"], account.as_str());
    assert_eq!(added["secret"]["value"], home.stored(&account).as_str());
    assert_eq!(home.stored("authpi:client_secret"), in_use, "unchanged");
    let listed = home.run(&["verifiers", "list"]).ok();
    assert!(!listed.all().contains(&home.stored(&account)));

    // The client secrets are long-lived: without a terminal, removing them needs --yes.
    let refused = home
        .run(&["--json", "profiles", "remove", "authpi"])
        .code(2)
        .error_json();
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("client_secret"),
        "{refused}"
    );
    let removed = home
        .run(&["--json", "profiles", "remove", "authpi", "--yes"])
        .ok()
        .json();
    assert!(
        removed["removed_secrets"]
            .as_array()
            .unwrap()
            .contains(&json!(format!("client_secret@{id}")))
    );
    assert!(
        home.stored_secrets().is_empty(),
        "{:?}",
        home.stored_secrets()
    );
}

#[test]
fn the_21st_verifier_is_refused_by_the_limit() {
    let server = Server::start();
    let home = registered(&server);
    // The registration's secret is the first; 19 wallets make 20.
    for n in 1..=19 {
        home.run(&[
            "verifiers",
            "add",
            "wallet",
            "--address",
            &wallet(n),
            "--network",
            "eip155:8453",
        ])
        .ok();
    }
    assert_eq!(verifiers(&home).len(), 20);
    let run = home.run(&["verifiers", "add", "secret"]).code(8);
    run.mentions(&["verifier limit reached (20)", "verifiers remove"]);
    let json = home
        .run(&["--json", "verifiers", "add", "secret"])
        .code(8)
        .error_json();
    assert_eq!(json["error"]["code"], "limit_reached");
    assert_eq!(json["error"]["http_status"], 409);
    // Another conflict (a wallet already linked to an agent) stays a plain conflict.
    let duplicate = home
        .run(&[
            "verifiers",
            "add",
            "wallet",
            "--address",
            &wallet(1),
            "--network",
            "eip155:8453",
        ])
        .code(5);
    duplicate.mentions(&["already a verifier"]);
}

#[test]
fn a_stale_etag_is_a_conflict_that_says_it_changed_meanwhile() {
    let server = Server::start();
    let home = registered(&server);
    let id = agent_id(&home);
    home.run(&[
        "verifiers",
        "add",
        "wallet",
        "--address",
        &wallet(3),
        "--network",
        "eip155:1",
    ])
    .ok();
    let wallet_id = verifiers(&home)[1]["id"].as_str().unwrap().to_owned();

    // Whatever the server's reason for a 412, the client's answer is the same.
    let verifier_path = format!("{AGENTS}/{id}/verifiers/{wallet_id}");
    server.fault(json!({"method": "DELETE", "path": verifier_path, "status": 412}));
    let run = home.run(&["verifiers", "remove", &wallet_id]).code(5);
    run.mentions(&["changed meanwhile", "verifiers list"]);
    assert_eq!(verifiers(&home).len(), 2, "nothing was removed");

    server.fault(json!({"method": "PATCH", "path": format!("{AGENTS}/{id}"), "status": 412}));
    let json = home
        .run(&["--json", "agent", "suspend", "--reason", "audit"])
        .code(5)
        .error_json();
    assert_eq!(json["error"]["code"], "conflict");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed meanwhile")
    );
    let shown = home.run(&["--json", "agent", "show"]).ok().json();
    assert_eq!(shown["agent"]["status"], "active");
}

#[test]
fn a_suspended_agent_gets_no_token_until_it_is_activated() {
    let server = Server::start();
    let home = registered(&server);
    let suspended = home
        .run(&["--json", "agent", "suspend", "--reason", "credential leak"])
        .ok()
        .json();
    assert_eq!(suspended["agent"]["status"], "suspended");
    assert_eq!(suspended["agent"]["status_reason"], "credential leak");
    assert!(
        suspended["agent"]["status_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );

    let refused = home.run(&["refresh"]).code(8);
    refused.mentions(&["suspended", "agentcred agent activate"]);
    let json = home
        .run(&["--json", "token", "--min-valid", "6m"])
        .code(8)
        .error_json();
    assert_eq!(json["error"]["code"], "agent_suspended");
    assert_eq!(json["error"]["provider"], "authpi");
    // Its verifiers cannot change meanwhile either.
    home.run(&["verifiers", "add", "secret"]).code(8);

    let status = home.run(&["status"]).ok();
    assert!(
        status.stdout.contains("credential leak"),
        "{}",
        status.stdout
    );

    home.run(&["agent", "activate"]).ok();
    home.run(&["refresh"]).ok();
    home.run(&["token", "--min-valid", "4m"]).ok();

    // Blocking is for good: it asks first, and no activation follows.
    let unconfirmed = home.run(&["agent", "block", "--reason", "abuse"]).code(2);
    unconfirmed.mentions(&["--yes"]);
    home.run(&["agent", "block", "--reason", "abuse", "--yes"])
        .ok();
    let blocked = home.run(&["refresh"]).code(8);
    blocked.mentions(&["blocked", "cannot be reactivated"]);
    // Activating it again is refused as what it is: the agent is blocked (exit 8), with the
    // way forward, not "check the values given on the command line".
    let activate = home.run(&["agent", "activate"]).code(8);
    activate.mentions(&["blocked", "agent delete"]);
    assert!(
        !activate.stderr.contains("check the values"),
        "{}",
        activate.stderr
    );
    let json = home
        .run(&["--json", "agent", "activate"])
        .code(8)
        .error_json();
    assert_eq!(json["error"]["code"], "agent_blocked");
}

#[test]
fn a_deleted_agent_leaves_a_profile_that_says_so() {
    let server = Server::start();
    let home = registered(&server);
    let id = agent_id(&home);
    let unconfirmed = home.run(&["agent", "delete"]).code(2);
    unconfirmed.mentions(&["--yes"]);
    assert_eq!(agents_in_state(&server).len(), 1);

    let deleted = home
        .run(&["--json", "agent", "delete", "--yes"])
        .ok()
        .json();
    assert_eq!(deleted["agent_id"], id.as_str());
    assert!(agents_in_state(&server).is_empty());
    let log = server.requests();
    let delete = logged(&log, "DELETE", &format!("{AGENTS}/{id}"));
    assert!(delete[0]["if_match"].as_str().unwrap().starts_with('"'));
    assert!(
        home.stored_secrets().is_empty(),
        "its secrets are useless now"
    );

    let token = home.run(&["token"]).code(3);
    token.mentions(&["deleted", "profiles remove authpi"]);
    home.run(&["verifiers", "list"]).code(3);
    let status = home.run(&["--json", "status"]).ok().json();
    assert!(status["note"].as_str().unwrap().contains("deleted"));
    home.run(&["profiles", "remove", "authpi"]).ok();
}

#[test]
fn status_without_the_org_key_still_shows_the_local_facts() {
    let server = Server::start();
    let mut home = registered(&server);
    home.env.retain(|(k, _)| !k.starts_with("AUTHPI_"));
    let run = home.run(&["--json", "status"]).ok();
    assert!(run.stderr.contains("AUTHPI_KEY_ID"), "{}", run.stderr);
    let json = run.json();
    assert!(json["agent"].is_null());
    assert_eq!(json["local"]["secrets"][0]["kind"], "client_secret");
    assert_eq!(json["local"]["secrets"][0]["present"], true);
    // The agent's own credential needs no operator key.
    home.run(&["token"]).ok();
}

#[test]
fn secrets_stay_out_of_output_and_traces() {
    let server = Server::start();
    let home = operator_home(&server);
    let reg = home.run(&register_args("quiet")).ok();
    let secret = home.stored("authpi:client_secret");
    let token = home.stored("authpi:access_token");
    assert!(!reg.all().contains(&secret) && !reg.all().contains(&token));

    for args in [
        &["-v", "refresh"][..],
        &["-v", "status"],
        &["-v", "verifiers", "list"],
        &["-v", "agent", "show"],
    ] {
        let run = home.run(args).ok();
        let text = run.all();
        for leaked in [
            &secret,
            &home.stored("authpi:access_token"),
            &DEMO_KEY_SECRET.to_owned(),
        ] {
            assert!(!text.contains(leaked.as_str()), "{args:?} leaked:\n{text}");
        }
    }
    let added = home.run(&["-v", "verifiers", "add", "secret"]).ok();
    let id = verifiers(&home)[1]["id"].as_str().unwrap().to_owned();
    let spare = home.stored(&format!("authpi:client_secret@{id}"));
    assert!(!added.all().contains(&spare), "{}", added.all());
    assert!(
        added.stderr.contains("Idempotency-Key: agentcred-"),
        "{}",
        added.stderr
    );

    let revealed = home
        .run(&[
            "--json",
            "--reveal",
            "--profile",
            "again",
            "register",
            "authpi",
            "--account",
            "acc_sandbox",
            "--issuer",
            "i_sandbox",
            "--name",
            "loud",
        ])
        .ok()
        .json();
    let shown: Vec<&str> = revealed["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            home.stored("again:client_secret"),
            home.stored("again:access_token")
        ]
    );
}

#[test]
fn no_secret_registration_has_no_token_until_a_secret_is_added() {
    let server = Server::start();
    let home = operator_home(&server);
    let mut args = register_args("keyless");
    args.push("--no-secret");
    let reg = home.run(&args).ok();
    assert!(reg.stdout.contains("--no-secret"), "{}", reg.stdout);
    assert_eq!(server.count(&format!("POST {TOKEN}")), 0);
    let refused = home.run(&["token"]).code(4);
    refused.mentions(&["verifiers add secret --use"]);
    home.run(&["verifiers", "add", "secret", "--use"]).ok();
    home.run(&["token"]).ok();
}

#[test]
fn a_create_the_service_refuses_saves_nothing() {
    let server = Server::start();
    let home = operator_home(&server);
    let bad = home
        .run(&[
            "register",
            "authpi",
            "--account",
            "acc_sandbox",
            "--issuer",
            "i_nope",
            "--name",
            "x",
        ])
        .code(3);
    bad.mentions(&["i_nope"]);
    home.run(&["profiles", "show", "authpi"]).code(3);
    let other_account = home
        .run(&[
            "register",
            "authpi",
            "--account",
            "acc_other",
            "--issuer",
            "i_sandbox",
            "--name",
            "x",
        ])
        .code(4);
    other_account.mentions(&["acc_other", "--account"]);
    assert!(agents_in_state(&server).is_empty());
}

#[test]
fn a_client_secret_the_store_refuses_goes_to_a_rescue_file_and_still_works() {
    let server = Server::start();
    let mut home = operator_home(&server);
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home.run(&register_args("rescued")).code(7);
    run.mentions(&["rescue file"]);
    let dir = home.path().join("data/rescue");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let rescued: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let secret = rescued["secrets"]["client_secret"].as_str().unwrap();
    assert!(!run.all().contains(secret));
    let agent = rescued["context"]["agent_id"].as_str().unwrap();

    // The rescued secret is the real one: the IdP accepts it.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::blocking::Client::new()
        .post(format!("{}{TOKEN}", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", agent),
            ("client_secret", secret),
        ])
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

/// Whether AuthPI's IdP grants a token to `agent` with `secret`.
fn idp_accepts(server: &Server, agent: &str, secret: &str) -> bool {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::new()
        .post(format!("{}{TOKEN}", server.base))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", agent),
            ("client_secret", secret),
        ])
        .send()
        .unwrap()
        .status()
        .as_u16()
        == 200
}

#[test]
fn a_new_client_secret_survives_a_store_read_that_fails_after_authpi_answered() {
    let server = Server::start();
    let mut home = registered(&server);
    let agent = agent_id(&home);
    let old_verifier = verifier_in_use(&home);
    let old_secret = home.stored("authpi:client_secret");

    // Reading the secret in use (to keep it as a spare) fails once AuthPI has shown the new
    // one: the new one was stored first, so it is not lost.
    home.set("AGENTCRED_FAULT_STORE_READ", "authpi:client_secret");
    let run = home
        .run(&["--json", "verifiers", "add", "secret", "--use"])
        .code(7);
    let error = run.error_json();
    let message = error["error"]["message"].as_str().unwrap();
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_READ");
    let new_verifier = verifiers(&home)
        .into_iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .find(|id| *id != old_verifier)
        .expect("AuthPI created the new verifier");
    let spare = format!("authpi:client_secret@{new_verifier}");
    assert!(message.contains(&spare), "{message}");
    let kept = home.stored(&spare);
    assert!(!run.all().contains(&kept), "the secret was printed");
    assert!(
        idp_accepts(&server, &agent, &kept),
        "the stored spare is the real secret"
    );
    // Nothing was switched: the profile still uses (and holds) its old secret.
    assert_eq!(verifier_in_use(&home), old_verifier);
    assert_eq!(home.stored("authpi:client_secret"), old_secret);
    assert!(
        profile(&home)["extra_secrets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.as_str() == Some(&format!("client_secret@{new_verifier}"))),
        "the spare is recorded, so `profiles remove` finds it"
    );

    // A store that refuses the write: the new secret goes to the rescue file instead.
    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let run = home.run(&["verifiers", "add", "secret", "--use"]).code(7);
    run.mentions(&["rescue file"]);
    let file = std::fs::read_dir(home.path().join("data/rescue"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let rescued: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let (kind, secret) = rescued["secrets"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .unwrap();
    assert!(kind.starts_with("client_secret@"), "{kind}");
    assert!(idp_accepts(&server, &agent, &secret));
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    assert_eq!(verifier_in_use(&home), old_verifier);
}

#[test]
fn a_lost_answer_to_a_verifier_removal_is_checked_before_the_secret_is_deleted() {
    let server = Server::start();
    let home = registered(&server);
    let agent = agent_id(&home);
    let added = home
        .run(&["--json", "verifiers", "add", "secret"])
        .ok()
        .json();
    let id = added["verifier"]["id"].as_str().unwrap().to_owned();
    let spare = format!("authpi:client_secret@{id}");
    assert!(home.stored_secrets().contains_key(&spare));
    server.fault(json!({
        "method": "DELETE",
        "path": format!("{AGENTS}/{agent}/verifiers/{id}"),
        "mode": "bad_gateway_after",
    }));
    let run = home.run(&["verifiers", "remove", &id]).ok();
    assert!(run.stderr.contains("lost"), "{}", run.stderr);
    assert!(!verifiers(&home).iter().any(|v| v["id"] == id.as_str()));
    assert!(
        !home.stored_secrets().contains_key(&spare),
        "a stale secret stayed"
    );
}

/// Bad input: exit code, a message naming the problem and the way out, nothing sent.
#[test]
fn bad_input_table() {
    let server = Server::start();
    let home = registered(&server);
    server.clear_requests();
    let cases: &[(&str, &[&str], i32, &[&str])] = &[
        (
            "bad CAIP-2 network",
            &[
                "verifiers",
                "add",
                "wallet",
                "--address",
                "0x0000000000000000000000000000000000000001",
                "--network",
                "base",
            ],
            2,
            &["'base'", "CAIP-2", "eip155:8453"],
        ),
        (
            "bad EVM address",
            &[
                "verifiers",
                "add",
                "wallet",
                "--address",
                "0x12345",
                "--network",
                "eip155:8453",
            ],
            2,
            &["0x12345", "40 hex"],
        ),
        (
            "metadata without =",
            &[
                "--profile",
                "other",
                "register",
                "authpi",
                "--account",
                "acc_sandbox",
                "--issuer",
                "i_sandbox",
                "--name",
                "x",
                "--metadata",
                "team",
            ],
            2,
            &["'team'", "KEY=VALUE"],
        ),
        (
            "suspend without a reason",
            &["agent", "suspend"],
            2,
            &["reason", "--reason"],
        ),
        (
            "block with an empty reason",
            &["agent", "block", "--reason", " ", "--yes"],
            2,
            &["--reason"],
        ),
    ];
    for (name, args, code, words) in cases {
        let run = home.run(args);
        assert_eq!(run.code, *code, "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        for word in *words {
            assert!(
                run.stderr.contains(word),
                "{name}: {word:?} not in {}",
                run.stderr
            );
        }
        let json = home.run(&[&["--json"][..], args].concat()).error_json();
        assert_eq!(json["error"]["exit_code"], *code, "{name}");
    }
    assert_eq!(
        server.requests()["requests"].as_array().unwrap().len(),
        0,
        "local checks send nothing"
    );

    // An unknown verifier id is not found, after the list that shows it is not there.
    let unknown = home.run(&["verifiers", "remove", "vrf_nope"]).code(3);
    unknown.mentions(&["vrf_nope", "verifiers list"]);

    // No operator key and no way to ask for one.
    let mut keyless = Home::new();
    keyless.use_server(&server);
    let missing = keyless
        .run(&[&["--no-input"][..], &register_args("x")].concat())
        .code(2);
    missing.mentions(&["AUTHPI_KEY_ID", "login authpi"]);
    let half = {
        keyless.set("AUTHPI_KEY_ID", DEMO_KEY_ID);
        keyless.run(&register_args("x")).code(2)
    };
    half.mentions(&["AUTHPI_KEY_SECRET"]);

    // An AuthPI command on a Proxy profile names the provider it applies to.
    let proxy = Home::new();
    std::fs::write(
        proxy.path().join("config.toml"),
        "current = \"shop\"\n\n[profiles.shop]\nprovider = \"proxy\"\nstore = \"file\"\nagent_id = \"agent_1\"\n\
         created_at = \"2026-01-01T00:00:00Z\"\n\n[profiles.shop.endpoints]\napi = \"http://127.0.0.1:9/proxy\"\n",
    )
    .unwrap();
    for args in [&["verifiers", "list"][..], &["verifiers", "add", "secret"]] {
        let run = proxy.run(args).code(2);
        run.mentions(&["AuthPI", "Proxy profile"]);
    }
}

#[test]
fn the_readme_lists_the_sandbox_demo_values() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for value in [
        DEMO_KEY_ID,
        DEMO_KEY_SECRET,
        DEMO_ACCOUNT_ID,
        DEMO_ISSUER_ID,
    ] {
        assert!(
            readme.contains(&format!("`{value}`")),
            "{value} is not in README.md"
        );
    }
    // The README's commands work as written, after another provider's profile exists.
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "first"])
        .ok();
    home.run(&[
        "--sandbox",
        "register",
        "authpi",
        "--account",
        "acc_sandbox",
        "--issuer",
        "i_sandbox",
        "--name",
        "demo-agent",
    ])
    .ok();
    home.run(&["--profile", "authpi", "verifiers", "list"]).ok();
    home.run(&["--profile", "authpi", "token"]).ok();
}

#[test]
fn twenty_concurrent_token_calls_on_an_expired_profile_make_one_token_request() {
    let server = Server::start();
    server.knobs(json!({"jwt_exp_in_secs": {"authpi": -60}}));
    let home = registered(&server);
    server.knobs(json!({"jwt_exp_in_secs": {"authpi": null}}));
    server.clear_requests();

    let calls = vec![vec!["token".to_owned()]; 20];
    let tokens: std::collections::BTreeSet<String> = home
        .run_concurrently(&calls)
        .into_iter()
        .map(|run| run.ok().stdout.trim().to_owned())
        .collect();
    assert_eq!(server.count(&format!("POST {TOKEN}")), 1);
    assert_eq!(tokens.len(), 1, "every caller got the one new token");
}

#[test]
fn a_lost_verifier_response_is_replayed_with_the_same_secret() {
    let server = Server::start();
    let home = registered(&server);
    let path = format!("{AGENTS}/{}/verifiers", agent_id(&home));
    server.fault(json!({"method": "POST", "path": path, "mode": "drop_after"}));
    home.run(&["verifiers", "add", "secret", "--use"]).ok();
    assert_eq!(
        server.count(&format!("POST {path}")),
        3,
        "register, then twice"
    );
    assert_eq!(verifiers(&home).len(), 2, "one verifier was added, not two");
    // The replayed secret is the verifier's real one: the old verifier can go and tokens flow.
    let old = verifiers(&home)
        .iter()
        .find(|v| v["in_use"] == false)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    home.run(&["verifiers", "remove", &old]).ok();
    home.run(&["refresh"]).ok();
}

#[test]
fn a_store_that_cannot_keep_a_new_secret_is_found_before_the_verifier_is_made() {
    let server = Server::start();
    let home = registered(&server);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = home.secrets_file("authpi");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let run = home.run(&["verifiers", "add", "secret", "--use"]).code(7);
        assert!(run.stderr.contains("chmod"), "{}", run.stderr);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(verifiers(&home).len(), 1, "no verifier was created");
    }
}
