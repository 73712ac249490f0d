//! Policy, approval and audit at the boundary: what the gateway and MCP `request` let through,
//! what the sandbox saw (nothing of a refused request), spending caps that hold across
//! concurrent requests, gateways, hosts and restarts, approvals given from another process,
//! and the hash-chained audit log that records it all.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Bao, Home, Server};

/// `agentcred --json gateway` in the background, with what it printed.
struct Gw {
    child: Child,
    info: Value,
    http: reqwest::blocking::Client,
}

impl Gw {
    fn start(home: &Home, extra: &[&str]) -> Gw {
        let mut args = vec!["--json", "gateway"];
        args.extend(extra);
        let mut child = home
            .command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut text = String::new();
        let info = loop {
            let line = lines.next().expect("the gateway printed its URLs").unwrap();
            text.push_str(&line);
            if let Ok(info) = serde_json::from_str::<Value>(&text) {
                break info;
            }
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        Gw {
            child,
            info,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        }
    }

    fn token(&self) -> String {
        self.info["token"].as_str().unwrap().to_owned()
    }

    /// One request through the gateway: (status, JSON body or Null, Retry-After).
    fn send(
        &self,
        method: &str,
        endpoint: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value, Option<String>) {
        let url = format!("{}{path}", self.info["urls"][endpoint].as_str().unwrap());
        let mut request = self
            .http
            .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url)
            .bearer_auth(self.token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::Null),
            retry,
        )
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Gw {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn set_policy(home: &Home, profile: &str, text: &str) {
    let file = home.path().join(format!("policy-{profile}.toml"));
    std::fs::write(&file, text).unwrap();
    home.run(&["policy", "set", profile, file.to_str().unwrap()])
        .ok();
}

/// `policy check` for a request, as (decision, rule).
fn check(
    home: &Home,
    profile: &str,
    method: &str,
    target: &str,
    body: Option<&Value>,
) -> (String, String) {
    let mut args = vec![
        "--json",
        "--profile",
        profile,
        "policy",
        "check",
        method,
        target,
    ];
    let file = home.path().join("check-body.json");
    if let Some(body) = body {
        std::fs::write(&file, body.to_string()).unwrap();
        args.extend(["--body", file.to_str().unwrap()]);
    }
    let out = home.run(&args).ok().json();
    (
        out["decision"].as_str().unwrap().to_owned(),
        out["rule"].as_str().unwrap().to_owned(),
    )
}

fn audit(home: &Home) -> Vec<Value> {
    home.run(&["--json", "audit"]).ok().json()["entries"]
        .as_array()
        .unwrap()
        .clone()
}

fn requests_in_audit(home: &Home) -> Vec<Value> {
    audit(home)
        .into_iter()
        .filter(|e| e["event"] == "request")
        .collect()
}

fn proxy_home(server: &Server, profile: &str) -> (Home, String) {
    let mut home = Home::new();
    home.use_server(server);
    home.set("PROXY_API_KEY", agentcred_sandbox::proxy::DEMO_API_KEY);
    home.run(&[
        "--profile",
        profile,
        "register",
        "proxy",
        "--external-id",
        &format!("policy-{profile}"),
        "--user",
        agentcred_sandbox::proxy::DEMO_USER_ALICE,
        "--name",
        "Policy Agent",
    ])
    .ok();
    let agent_id = home
        .run(&["--json", "--profile", profile, "profiles", "show"])
        .ok()
        .json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (home, agent_id)
}

const PROXY_POLICY: &str = r#"
default = "deny"
writes = "approve"

[spend]
per_request = "25"

[[rule]]
match = "GET api:/v1/agents/*"
action = "allow"

[[rule]]
match = "GET api:/v1/agents/*/cards"
action = "deny"

[[rule]]
match = "POST api:/v1/agents/*/cards"
action = "allow"
as = "operator"

[[rule]]
match = "* api:/v1/agents/*/deregister"
action = "deny"

[[rule]]
match = "POST api:/v1/agents/*/tokens"
action = "allow"
as = "operator"
"#;

/// (method, path, body, expected status, decision, rule)
type Case<'a> = (&'a str, String, Option<Value>, u16, &'a str, &'a str);

#[test]
fn proxy_requests_are_allowed_denied_and_held_as_the_policy_says_and_check_agrees() {
    let server = Server::start();
    let (home, agent) = proxy_home(&server, "px");
    set_policy(&home, "px", PROXY_POLICY);

    // A bad file is refused with its line, and the policy in force stays.
    let bad = home.path().join("bad.toml");
    std::fs::write(
        &bad,
        "default = \"deny\"\n\n[[rule]]\nmatch = \"GET wallet:/x\"\naction = \"allow\"\n",
    )
    .unwrap();
    let run = home
        .run(&["--json", "policy", "set", "px", bad.to_str().unwrap()])
        .code(2);
    let message = run.error_json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("line 4") && message.contains("wallet"),
        "{message}"
    );
    std::fs::write(&bad, "default = \"deny\"\nwrites = \"sometimes\"\n").unwrap();
    let run = home
        .run(&["--json", "policy", "set", "px", bad.to_str().unwrap()])
        .code(2);
    assert!(
        run.error_json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 2")
    );
    let shown = home.run(&["--json", "policy", "show", "px"]).ok().json();
    assert_eq!(shown["policy"].as_str().unwrap(), PROXY_POLICY);

    let gw = Gw::start(&home, &["--reason", "policy test"]);
    server.clear_requests();
    let agent_path = format!("/v1/agents/{agent}");
    let cards = format!("/v1/agents/{agent}/cards");
    // (method, path, body, expected status, decision, rule, the sandbox route it reaches)
    let cases: Vec<Case> = vec![
        (
            "GET",
            agent_path.clone(),
            None,
            200,
            "allow",
            "GET api:/v1/agents/*",
        ),
        (
            "GET",
            cards.clone(),
            None,
            403,
            "deny",
            "GET api:/v1/agents/*/cards",
        ),
        (
            "POST",
            cards.clone(),
            Some(json!({"purpose": "groceries", "maxAmount": 2000})),
            201,
            "allow",
            "POST api:/v1/agents/*/cards",
        ),
        (
            "POST",
            cards.clone(),
            Some(json!({"purpose": "a car", "maxAmount": 3000})),
            403,
            "deny",
            "spend.per_request",
        ),
        (
            "POST",
            cards.clone(),
            Some(json!({"purpose": "no limit"})),
            403,
            "deny",
            "spend.per_request",
        ),
        (
            "POST",
            format!("{agent_path}/deregister"),
            None,
            403,
            "deny",
            "* api:/v1/agents/*/deregister",
        ),
        (
            "GET",
            format!("{agent_path}/policy"),
            None,
            403,
            "deny",
            "default",
        ),
        (
            "PATCH",
            "/v1/cards/card_x".to_owned(),
            Some(json!({"status": "frozen"})),
            403,
            "approve",
            "writes",
        ),
        // A route that issues or revokes credentials: refused unless a rule names it...
        (
            "DELETE",
            format!("{agent_path}/tokens/tok_x"),
            None,
            403,
            "deny",
            "credential_route",
        ),
        // ...which this policy does for creating tokens, with the operator key.
        (
            "POST",
            format!("{agent_path}/tokens"),
            Some(json!({"name": "opened by the policy"})),
            201,
            "allow",
            "POST api:/v1/agents/*/tokens",
        ),
    ];
    for (method, path, body, status, decision, rule) in &cases {
        let before = server.count(&format!("{method} /proxy{path}"));
        let (got, answer, _) = gw.send(method, "api", path, body.clone());
        assert_eq!(got, *status, "{method} {path}: {answer}");
        let after = server.count(&format!("{method} /proxy{path}"));
        if *status == 403 {
            assert_eq!(after, before, "{method} {path} reached the service");
            let code = if *decision == "approve" {
                "approval_required"
            } else {
                "refused_by_policy"
            };
            assert_eq!(answer["error"]["code"], code, "{answer}");
            assert_eq!(answer["error"]["rule"], *rule, "{answer}");
            assert!(answer["error"]["message"].as_str().is_some());
        } else {
            assert_eq!(
                after,
                before + 1,
                "{method} {path} did not reach the service"
            );
        }
        // The dry run says what the gateway did.
        let (d, r) = check(&home, "px", method, &format!("api:{path}"), body.as_ref());
        assert_eq!(
            (d.as_str(), r.as_str()),
            (*decision, *rule),
            "policy check of {method} {path}"
        );
    }
    // The card was created with the operator key, which the agent never saw.
    let created = &state_cards(&server)[0];
    assert_eq!(created["max_amount"], 2000);
    // An encoded or differently cased path is the same path to the policy.
    let (status, _, _) = gw.send("GET", "api", &format!("/v1/%61gents/{agent}/CARDS"), None);
    assert_eq!(status, 403);
    gw.kill();

    // Every request is in the audit log once, in order, with its decision and rule.
    let logged = requests_in_audit(&home);
    assert_eq!(logged.len(), cases.len() + 1, "{logged:#?}");
    for ((method, path, _, status, decision, rule), entry) in cases.iter().zip(&logged) {
        assert_eq!(entry["method"], *method);
        assert_eq!(entry["path"], path.as_str());
        assert_eq!(entry["endpoint"], "api");
        assert_eq!(entry["status"], *status);
        assert_eq!(entry["decision"], *decision);
        assert_eq!(entry["rule"], *rule);
        assert_eq!(entry["reason"], "policy test");
        assert_eq!(entry["via"], "gateway");
    }
    assert_eq!(logged[2]["amount"]["atomic"], "2000");
    assert_eq!(logged[2]["as"], "operator");
    assert_no_secret_in_audit(&home, &[agentcred_sandbox::proxy::DEMO_API_KEY]);
}

fn state_cards(server: &Server) -> Vec<Value> {
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    let mut found = Vec::new();
    collect_cards(&state, &mut found);
    found
}

/// Every card object in the sandbox's state (objects with `maxAmount` and `purpose`).
fn collect_cards(value: &Value, found: &mut Vec<Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("purpose") && map.contains_key("last4") {
                found.push(value.clone());
            }
            for v in map.values() {
                collect_cards(v, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_cards(v, found)),
        _ => {}
    }
}

/// Every value the file store holds (one file per profile under `data/secrets/`, or the single
/// file of earlier releases).
fn file_store_values(home: &Home) -> Vec<String> {
    let data = home.path().join("data");
    let mut files = vec![data.join("secrets.json")];
    if let Ok(dir) = std::fs::read_dir(data.join("secrets")) {
        files.extend(dir.map(|e| e.unwrap().path()));
    }
    let mut values = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let doc: Value = serde_json::from_str(&text).unwrap();
        if let Some(secrets) = doc["secrets"].as_object() {
            values.extend(
                secrets
                    .values()
                    .filter_map(|v| v.as_str().map(str::to_owned)),
            );
        }
    }
    values
}

/// No stored secret, operator key or gateway token appears anywhere in the audit files.
fn assert_no_secret_in_audit(home: &Home, extra: &[&str]) {
    let mut text = String::new();
    for entry in std::fs::read_dir(home.path().join("data")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.starts_with("audit") {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(!text.is_empty());
    let mut secrets = file_store_values(home);
    assert!(!secrets.is_empty());
    secrets.extend(extra.iter().map(|s| (*s).to_owned()));
    for secret in secrets {
        assert!(secret.len() >= 8);
        assert!(!text.contains(&secret), "a secret is in the audit log");
    }
}

#[test]
fn fluxa_payouts_are_capped_per_request_and_per_window_and_other_services_follow_their_policy() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["--profile", "fa", "register", "fluxa", "--name", "payer"])
        .ok();
    home.approve_owner(&server, Some("fa"));
    set_policy(
        &home,
        "fa",
        r#"
default = "deny"
[spend]
per_request = "5"
window = "8"
window_length = "1h"
[[rule]]
match = "GET wallet:/api/**"
action = "allow"
[[rule]]
match = "POST wallet:/api/payouts"
action = "allow"
[[rule]]
match = "POST wallet:/api/mandates/create-intent"
action = "approve"
"#,
    );
    let gw = Gw::start(&home, &["--profile", "fa"]);
    server.clear_requests();
    let payout = |id: &str, amount: &str, currency: &str| {
        json!({"payoutId": id, "network": "base", "currency": currency,
               "toAddress": "0x1111111111111111111111111111111111111111", "amount": amount})
    };
    let (s, _, _) = gw.send("GET", "wallet", "/api/agent/self/status", None);
    assert_eq!(s, 200);
    let (s, body, _) = gw.send(
        "POST",
        "wallet",
        "/api/payouts",
        Some(payout("p1", "4000000", "USDC")),
    );
    assert_eq!(
        (s, body["status"].as_str()),
        (200, Some("pending_authorization")),
        "{body}"
    );
    let (s, body, _) = gw.send(
        "POST",
        "wallet",
        "/api/payouts",
        Some(payout("p2", "6000000", "USDC")),
    );
    assert_eq!(
        (s, body["error"]["rule"].as_str()),
        (403, Some("spend.per_request"))
    );
    let (s, body, _) = gw.send(
        "POST",
        "wallet",
        "/api/payouts",
        Some(payout("p3", "1000000", "XRP")),
    );
    assert_eq!(
        (s, body["error"]["rule"].as_str()),
        (403, Some("spend.per_request"))
    );
    let (s, _, _) = gw.send(
        "POST",
        "wallet",
        "/api/payouts",
        Some(payout("p4", "4000000", "USDC")),
    );
    assert_eq!(s, 200);
    let (s, body, _) = gw.send(
        "POST",
        "wallet",
        "/api/payouts",
        Some(payout("p5", "1", "USDC")),
    );
    assert_eq!(
        (s, body["error"]["rule"].as_str()),
        (403, Some("spend.window")),
        "{body}"
    );
    let intent = json!({"intent": {"naturalLanguage": "x", "limitAmount": "1000000", "validForSeconds": 60}});
    let (s, body, _) = gw.send(
        "POST",
        "wallet",
        "/api/mandates/create-intent",
        Some(intent),
    );
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("approval_required"))
    );
    assert!(
        body["error"]["approval_id"]
            .as_str()
            .unwrap()
            .starts_with("apr_")
    );
    assert_eq!(body["error"]["request"]["amount"]["atomic"], "1000000");
    let (s, body, _) = gw.send("POST", "agentid", "/refresh", Some(json!({})));
    assert_eq!((s, body["error"]["rule"].as_str()), (403, Some("default")));
    assert_eq!(server.count("POST /fluxa/wallet/api/payouts"), 2);
    assert_eq!(
        server.count("POST /fluxa/wallet/api/mandates/create-intent"),
        0
    );
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 0);
    gw.kill();

    // Fluxra and AuthPI: one allowed route each, the rest refused by default.
    let mut home = Home::new();
    home.use_server(&server);
    home.set("AUTHPI_KEY_ID", agentcred_sandbox::authpi::DEMO_KEY_ID)
        .set(
            "AUTHPI_KEY_SECRET",
            agentcred_sandbox::authpi::DEMO_KEY_SECRET,
        );
    home.run(&[
        "--profile",
        "fr",
        "register",
        "fluxra",
        "--name",
        "policy-bot",
    ])
    .ok();
    home.run(&[
        "--profile",
        "ap",
        "register",
        "authpi",
        "--account",
        agentcred_sandbox::authpi::DEMO_ACCOUNT_ID,
        "--issuer",
        agentcred_sandbox::authpi::DEMO_ISSUER_ID,
        "--name",
        "policy-bot",
    ])
    .ok();
    set_policy(
        &home,
        "fr",
        "default = \"deny\"\n[[rule]]\nmatch = \"GET api:/health\"\naction = \"allow\"\n",
    );
    set_policy(
        &home,
        "ap",
        "default = \"deny\"\n[[rule]]\nmatch = \"GET api:/v1/me\"\naction = \"allow\"\n",
    );
    for (profile, prefix, allowed, refused) in [
        ("fr", "/fluxra", "/health", "/api/auth/token"),
        (
            "ap",
            "/authpi/api",
            "/v1/me",
            "/v1/accounts/x/issuers/y/agents",
        ),
    ] {
        let gw = Gw::start(&home, &["--profile", profile]);
        server.clear_requests();
        let (s, _, _) = gw.send("GET", "api", allowed, None);
        assert_ne!(s, 403, "{profile} GET {allowed}");
        // (AuthPI answers the agent's token 401 there: refreshed once and retried.)
        assert_ne!(
            server.count(&format!("GET {prefix}{allowed}")),
            0,
            "{profile}"
        );
        let (s, body, _) = gw.send("GET", "api", refused, None);
        assert_eq!(
            (s, body["error"]["rule"].as_str()),
            (403, Some("default")),
            "{profile}"
        );
        assert_eq!(
            server.count(&format!("GET {prefix}{refused}")),
            0,
            "{profile}"
        );
        gw.kill();
    }
}

#[test]
fn a_window_cap_holds_across_two_gateways_on_two_homes_sharing_a_vault_profile_and_a_restart() {
    let bao = Bao::start();
    let server = Server::start();
    let mut homes: Vec<Home> = (0..2)
        .map(|_| {
            let mut home = Home::new();
            home.use_server(&server);
            bao.configure(&mut home);
            home.set("PROXY_API_KEY", agentcred_sandbox::proxy::DEMO_API_KEY);
            home
        })
        .collect();
    homes[0]
        .run(&[
            "--profile",
            "fleet",
            "register",
            "proxy",
            "--external-id",
            "fleet-1",
            "--user",
            agentcred_sandbox::proxy::DEMO_USER_ALICE,
            "--name",
            "Fleet Agent",
        ])
        .ok();
    let agent = homes[0]
        .run(&["--json", "--profile", "fleet", "profiles", "show"])
        .ok()
        .json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    set_policy(
        &homes[0],
        "fleet",
        r#"
default = "deny"
[spend]
per_request = "10"
window = "100"
window_length = "24h"
[[rule]]
match = "POST api:/v1/agents/*/cards"
action = "allow"
as = "operator"
"#,
    );
    // The second host learns the profile, and its policy, from the vault.
    homes[1].set("AGENTCRED_PROFILE", "fleet");
    homes[1]
        .run(&["--json", "--profile", "fleet", "status"])
        .ok();
    let on_second = homes[1]
        .run(&["--json", "policy", "show", "fleet"])
        .ok()
        .json();
    assert_eq!(on_second["set"], true, "{on_second}");
    homes[0].set("AGENTCRED_PROFILE", "fleet");

    let gateways: Vec<Gw> = homes.iter().map(|h| Gw::start(h, &[])).collect();
    server.clear_requests();
    let cards = format!("/v1/agents/{agent}/cards");
    let outcomes: Vec<(u16, Value)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..40)
            .map(|i| {
                let gw = &gateways[i % 2];
                let cards = &cards;
                s.spawn(move || {
                    let (status, body, _) = gw.send(
                        "POST",
                        "api",
                        cards,
                        Some(json!({"purpose": format!("card {i}"), "maxAmount": 1000})),
                    );
                    (status, body)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let forwarded = outcomes.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<_> = outcomes.iter().filter(|(s, _)| *s == 403).collect();
    assert_eq!(forwarded, 10, "{outcomes:?}");
    assert_eq!(refused.len(), 30, "{outcomes:?}");
    assert!(
        refused
            .iter()
            .all(|(_, b)| b["error"]["rule"] == "spend.window")
    );
    assert_eq!(server.count(&format!("POST /proxy{cards}")), 10);

    // The shared ledger holds exactly what the service recorded.
    let doc = bao.document("fleet").unwrap();
    let entries = doc["ledger"]["entries"].as_array().unwrap();
    let spent: i64 = entries
        .iter()
        .filter(|e| e["spent"] == true)
        .map(|e| e["amount"].as_str().unwrap().parse::<i64>().unwrap())
        .sum();
    let at_service: i64 = state_cards(&server)
        .iter()
        .map(|c| c["max_amount"].as_i64().unwrap())
        .sum();
    assert_eq!((spent, at_service), (10_000, 10_000));

    // The cap holds across a restart of both gateways.
    for gw in gateways {
        gw.kill();
    }
    let gw = Gw::start(&homes[1], &[]);
    let (status, body, _) = gw.send(
        "POST",
        "api",
        &cards,
        Some(json!({"purpose": "one more", "maxAmount": 100})),
    );
    assert_eq!(
        (status, body["error"]["rule"].as_str()),
        (403, Some("spend.window"))
    );
    assert_eq!(server.count(&format!("POST /proxy{cards}")), 10);
    for home in &homes {
        let logged = requests_in_audit(home);
        assert!(logged.iter().all(|e| e["profile"] == "fleet"));
    }
    let total: usize = homes.iter().map(|h| requests_in_audit(h).len()).sum();
    assert_eq!(total, 41, "each request once, on the host that served it");
}

#[test]
fn a_reservation_left_by_a_killed_gateway_expires_and_rates_are_answered_429() {
    let server = Server::start();
    let (mut home, agent) = proxy_home(&server, "px");
    home.set("AGENTCRED_PROFILE", "px");
    set_policy(
        &home,
        "px",
        r#"
default = "deny"
requests_per_minute = 3
[spend]
per_request = "10"
window = "10"
window_length = "1h"
reservation_expiry = "3s"
[[rule]]
match = "POST api:/v1/agents/*/cards"
action = "allow"
as = "operator"
[[rule]]
match = "GET api:/v1/agents/*"
action = "allow"
"#,
    );
    let cards = format!("/v1/agents/{agent}/cards");
    let small = json!({"purpose": "small", "maxAmount": 100});
    server.knobs(json!({"latency_ms": 2500}));
    let gw = Gw::start(&home, &[]);
    let token = gw.token();
    let url = format!("{}{cards}", gw.info["urls"]["api"].as_str().unwrap());
    let in_flight = std::thread::spawn(move || {
        let _ = reqwest::blocking::Client::new()
            .post(url)
            .bearer_auth(token)
            .json(&json!({"purpose": "mid-flight", "maxAmount": 1000}))
            .timeout(Duration::from_secs(10))
            .send();
    });
    std::thread::sleep(Duration::from_millis(800));
    gw.kill();
    in_flight.join().unwrap();
    server.knobs(json!({"latency_ms": 0}));
    // The killed gateway's reservation still fills the window...
    assert_eq!(
        check(&home, "px", "POST", &format!("api:{cards}"), Some(&small)),
        ("deny".into(), "spend.window".into())
    );
    // ...until it expires (reservation_expiry).
    std::thread::sleep(Duration::from_millis(3500));
    let gw = Gw::start(&home, &[]);
    let (status, body, _) = gw.send("POST", "api", &cards, Some(small.clone()));
    assert_eq!(status, 201, "{body}");

    // requests_per_minute = 3, across gateways and restarts: the killed gateway's POST, the
    // one above and one GET pass, the next is 429.
    let (status, _, _) = gw.send("GET", "api", &format!("/v1/agents/{agent}"), None);
    assert_eq!(status, 200);
    let (status, body, retry) = gw.send("GET", "api", &format!("/v1/agents/{agent}"), None);
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "refused_by_policy");
    assert_eq!(body["error"]["rule"], "requests_per_minute");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=60).contains(&retry));
}

#[test]
fn an_approval_given_from_another_process_lets_that_exact_request_through_once() {
    let server = Server::start();
    let (mut home, agent) = proxy_home(&server, "px");
    home.set("AGENTCRED_PROFILE", "px");
    set_policy(
        &home,
        "px",
        r#"
default = "deny"
approval_expiry = "3s"
[[rule]]
match = "PATCH api:/v1/agents/*"
action = "approve"
as = "operator"
"#,
    );
    let gw = Gw::start(&home, &[]);
    server.clear_requests();
    let path = format!("/v1/agents/{agent}");
    let patched = || server.count(&format!("PATCH /proxy{path}"));
    let ask = |limit: i64| gw.send("PATCH", "api", &path, Some(json!({"spendingLimit": limit})));
    let held = |limit: i64| {
        let (status, body, _) = ask(limit);
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "approval_required", "{body}");
        assert_eq!(body["error"]["rule"], "PATCH api:/v1/agents/*");
        assert_eq!(body["error"]["request"]["method"], "PATCH");
        assert_eq!(body["error"]["request"]["path"], path.as_str());
        let id = body["error"]["approval_id"].as_str().unwrap().to_owned();
        assert_eq!(
            body["error"]["command"],
            format!("agentcred approvals approve {id}")
        );
        id
    };

    let first = held(500);
    assert_eq!(
        held(500),
        first,
        "asking again while pending answers the same approval"
    );
    let listed = home.run(&["--json", "approvals", "list"]).ok().json();
    assert_eq!(listed["approvals"][0]["id"], first.as_str());
    assert_eq!(listed["approvals"][0]["state"], "pending");
    home.run(&["approvals", "approve", &first]).ok();
    // Bound to the body: another one is held.
    let other = held(600);
    assert_ne!(other, first);
    // The approved one goes through, once.
    let (status, body, _) = ask(500);
    assert_eq!(status, 200, "{body}");
    assert_eq!(patched(), 1);
    let again = held(500);
    assert_ne!(again, first);
    home.run(&["--json", "approvals", "approve", &first])
        .code(5);
    // An approval expires.
    home.run(&["approvals", "approve", &again]).ok();
    std::thread::sleep(Duration::from_millis(3500));
    let after_expiry = held(500);
    assert_ne!(after_expiry, again);
    // A denied one never goes through.
    home.run(&["approvals", "deny", &after_expiry]).ok();
    let after_deny = held(500);
    assert_ne!(after_deny, after_expiry);
    assert_eq!(patched(), 1);
    gw.kill();

    let logged = requests_in_audit(&home);
    let decisions: Vec<(u64, &str)> = logged
        .iter()
        .map(|e| {
            (
                e["status"].as_u64().unwrap(),
                e["decision"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        decisions,
        vec![
            (403, "approve"),
            (403, "approve"),
            (403, "approve"),
            (200, "approve"),
            (403, "approve"),
            (403, "approve"),
            (403, "approve")
        ]
    );
    assert_eq!(logged[3]["approval_id"], first.as_str());
    let events: Vec<String> = audit(&home)
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(events.iter().filter(|e| *e == "approval_given").count(), 2);
    assert_eq!(events.iter().filter(|e| *e == "approval_denied").count(), 1);
}

#[test]
fn the_audit_log_chains_every_use_and_verify_names_the_first_bad_line() {
    let server = Server::start();
    let (mut home, agent) = proxy_home(&server, "px");
    home.set("AGENTCRED_PROFILE", "px");
    home.set("AGENTCRED_REASON", "nightly report");
    // Proxy's agent token never expires: `token` prints it only with --reveal, and `exec`
    // hands a child the gateway instead.
    home.run(&["--reveal", "token"]).ok();
    home.run(&["exec", "--gateway", "--", "true"]).ok();
    let gw = Gw::start(&home, &[]);
    for _ in 0..3 {
        gw.send("GET", "api", &format!("/v1/agents/{agent}"), None);
    }
    gw.kill();
    let entries = audit(&home);
    let events: Vec<&str> = entries
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        [
            "token",
            "exec_start",
            "exec_end",
            "request",
            "request",
            "request"
        ]
    );
    assert!(entries.iter().all(|e| e["reason"] == "nightly report"));
    assert_eq!(entries[2]["command"], "true");
    assert_eq!(entries[2]["exit_code"], 0);
    let seqs: Vec<u64> = entries.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [1, 2, 3, 4, 5, 6]);
    home.run(&["audit", "verify"]).ok();
    assert_no_secret_in_audit(&home, &[agentcred_sandbox::proxy::DEMO_API_KEY]);
    let log = home.path().join("data/audit.jsonl");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&log).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let original = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = original.lines().collect();
    let broken_at = |text: String| {
        std::fs::write(&log, text).unwrap();
        let err = home
            .run(&["--json", "audit", "verify"])
            .code(8)
            .error_json();
        assert_eq!(err["error"]["code"], "audit_broken");
        err["error"]["message"].as_str().unwrap().to_owned()
    };
    // One byte of entry 4 changed.
    let edited = original.replacen("\"status\":200", "\"status\":201", 1);
    assert_ne!(edited, original);
    assert!(broken_at(edited).contains("line 4"));
    // Entry 3 removed.
    let mut removed = lines.clone();
    removed.remove(2);
    assert!(broken_at(removed.join("\n") + "\n").contains("line 3"));
    // Entries 5 and 6 swapped.
    let mut swapped = lines.clone();
    swapped.swap(4, 5);
    assert!(broken_at(swapped.join("\n") + "\n").contains("line 5"));
    std::fs::write(&log, &original).unwrap();
    home.run(&["audit", "verify"]).ok();

    // `audit --follow` prints what is there, then each entry as it is appended.
    let mut follow = home
        .command(&["--json", "audit", "--follow"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut followed = BufReader::new(follow.stdout.take().unwrap()).lines();
    for seq in 1..=6 {
        let entry: Value = serde_json::from_str(&followed.next().unwrap().unwrap()).unwrap();
        assert_eq!(entry["seq"], seq);
    }
    home.run(&["--reveal", "token"]).ok();
    let entry: Value = serde_json::from_str(&followed.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (entry["seq"].as_u64(), entry["event"].as_str()),
        (Some(7), Some("token"))
    );
    let _ = follow.kill();
    let _ = follow.wait();

    // Rotation by size keeps the chain verifiable across files.
    home.set("AGENTCRED_AUDIT_MAX_BYTES", "2000");
    for _ in 0..12 {
        home.run(&["--reveal", "token"]).ok();
    }
    let rotated: Vec<_> = std::fs::read_dir(home.path().join("data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("audit.") && n != "audit.jsonl")
        .collect();
    assert!(rotated.len() >= 2, "{rotated:?}");
    let verified = home.run(&["--json", "audit", "verify"]).ok().json();
    assert_eq!(verified["entries"], 19);
    assert_eq!(audit(&home).len(), 19);
    assert_eq!(audit(&home).last().unwrap()["seq"], 19);
}

/// `agentcred mcp` over stdio, spoken to line by line.
fn mcp_call(home: &Home, calls: &[Value]) -> Vec<Value> {
    let mut child = home
        .command(&["mcp", "--allow-writes", "--reason", "mcp test"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut send = |v: Value| {
        writeln!(stdin, "{v}").unwrap();
        stdin.flush().unwrap();
    };
    send(
        json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}),
    );
    let _ = lines.next();
    send(json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let mut results = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        send(
            json!({"jsonrpc": "2.0", "id": i + 1, "method": "tools/call", "params": {"name": "request", "arguments": call}}),
        );
        let answer: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
        results.push(answer["result"].clone());
    }
    drop(stdin);
    let _ = child.wait();
    results
}

#[test]
fn mcp_request_passes_the_same_policy_and_is_audited() {
    let server = Server::start();
    let (mut home, agent) = proxy_home(&server, "px");
    home.set("AGENTCRED_PROFILE", "px");
    set_policy(&home, "px", PROXY_POLICY);
    server.clear_requests();
    let results = mcp_call(
        &home,
        &[
            json!({"method": "GET", "path": format!("/api/v1/agents/{agent}")}),
            json!({"method": "GET", "path": format!("/api/v1/agents/{agent}/cards")}),
            json!({"method": "POST", "path": format!("/api/v1/agents/{agent}/cards"), "body": {"purpose": "x", "maxAmount": 9000}}),
            json!({"method": "PATCH", "path": "/api/v1/cards/card_x", "body": {"status": "frozen"}}),
            json!({"method": "DELETE", "path": format!("/api/v1/agents/{agent}/tokens/t")}),
        ],
    );
    assert_eq!(results[0]["isError"], false, "{}", results[0]);
    for (result, (code, rule)) in results[1..].iter().zip([
        ("refused_by_policy", "GET api:/v1/agents/*/cards"),
        ("refused_by_policy", "spend.per_request"),
        ("approval_required", "writes"),
        ("refused_by_policy", "credential_route"),
    ]) {
        assert_eq!(result["isError"], true, "{result}");
        let error = &result["structuredContent"]["error"];
        assert_eq!(
            (error["code"].as_str(), error["rule"].as_str()),
            (Some(code), Some(rule)),
            "{result}"
        );
    }
    assert_ne!(server.count(&format!("GET /proxy/v1/agents/{agent}")), 0);
    assert_eq!(
        server.count(&format!("GET /proxy/v1/agents/{agent}/cards")),
        0
    );
    let logged = requests_in_audit(&home);
    assert_eq!(logged.len(), 5);
    assert!(
        logged
            .iter()
            .all(|e| e["via"] == "mcp" && e["reason"] == "mcp test")
    );
}

/// Every x402 payment the sandbox recorded (objects with `payment_record_id`), as
/// (route, amount).
fn state_payments(server: &Server) -> Vec<(String, u64)> {
    fn walk(value: &Value, found: &mut Vec<(String, u64)>) {
        match value {
            Value::Object(map) if map.contains_key("payment_record_id") => found.push((
                map["route"].as_str().unwrap().to_owned(),
                map["amount"].as_u64().unwrap(),
            )),
            Value::Object(map) => map.values().for_each(|v| walk(v, found)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
            _ => {}
        }
    }
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    let mut found = Vec::new();
    walk(&state, &mut found);
    found
}

/// A POST through the gateway whose answer is text: (status, text).
fn send_text(gw: &Gw, path: &str, body: &Value) -> (u16, String) {
    let url = format!("{}{path}", gw.info["urls"]["wallet"].as_str().unwrap());
    let response = gw
        .http
        .post(url)
        .bearer_auth(gw.token())
        .json(body)
        .send()
        .unwrap();
    (response.status().as_u16(), response.text().unwrap())
}

#[test]
fn fluxa_x402_payments_are_capped_per_request_and_per_window_and_the_ledger_matches_the_wallet() {
    const V1: &str = "/api/payment/x402V1Payment";
    const V3: &str = "/api/payment/x402V3Payment";
    const V2: &str = "/api/v2/payment/x402-payment";
    use base64::Engine as _;
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "fa",
        "register",
        "fluxa",
        "--name",
        "x402-buyer",
    ])
    .ok();
    home.approve_owner(&server, Some("fa"));
    set_policy(
        &home,
        "fa",
        r#"
default = "deny"
[spend]
per_request = "5"
window = "8"
window_length = "1h"
[[rule]]
match = "GET wallet:/api/**"
action = "allow"
[[rule]]
match = "POST wallet:/api/payment/*"
action = "allow"
[[rule]]
match = "POST wallet:/api/v2/payment/x402-payment"
action = "allow"
"#,
    );
    let gw = Gw::start(&home, &["--profile", "fa", "--reason", "x402 test"]);
    let (s, before, _) = gw.send("GET", "wallet", "/api/agent/self/status", None);
    assert_eq!(s, 200, "{before}");
    let atomic = |v: &Value| v.as_str().unwrap().parse::<u64>().unwrap();
    let balance = atomic(&before["balances"]["usdc"]["available"]);
    let monthly_spent = atomic(&before["agent"]["monthly"]["spent"]);
    let mandate = before["mandates"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "signed" && m["currency"] == "USDC")
        .unwrap();
    let mandate_id = mandate["mandateId"].as_str().unwrap().to_owned();
    let mandate_spent = atomic(&mandate["spentAmount"]);
    let pay = |amount: &str, mandate: Option<&str>| {
        let mut body = json!({"scheme": "exact", "network": "base", "amount": amount,
            "currency": "USDC", "assetAddress": "0x833589fCD6Edb6E08f4c7C32D4f71b54bdA02913",
            "payTo": "0x3333333333333333333333333333333333333333", "host": "api.example.com",
            "resource": "https://api.example.com/report", "validityWindowSeconds": 60});
        if let Some(id) = mandate {
            body["mandateId"] = json!(id);
        }
        body
    };
    let count = |path: &str| server.count(&format!("POST /fluxa/wallet{path}"));
    server.clear_requests();

    // (path, body, expected status, the policy's rule when it refuses, reaches the sandbox)
    let cases: Vec<(&str, Value, u16, Option<&str>, bool)> = vec![
        // Under the cap: paid from the wallet (V1 answers the X-PAYMENT value as text).
        (V1, pay("3000000", None), 200, None, true),
        // One over per_request: refused before anything is sent.
        (
            V3,
            pay("5000001", Some(&mandate_id)),
            403,
            Some("spend.per_request"),
            false,
        ),
        (V3, pay("4000000", Some(&mandate_id)), 200, None, true),
        // Passes the policy, refused by the wallet: its reservation is released.
        (V3, pay("1000000", Some("mand_unknown")), 404, None, true),
        // 7 of 8 used: 2 more does not fit, 1 does, then nothing.
        (V1, pay("2000000", None), 403, Some("spend.window"), false),
        (V1, pay("1000000", None), 200, None, true),
        (V1, pay("1", None), 403, Some("spend.window"), false),
        // The v2 route carries its amount inside an encoded payment request: a cap cannot
        // count it, so it is refused and reaches nothing.
        (
            V2,
            json!({"mandateId": mandate_id, "paymentRequestB64": "e30="}),
            403,
            Some("spend.per_request"),
            false,
        ),
    ];
    for (path, body, status, rule, reaches) in &cases {
        let sent_before = count(path);
        let (got, answer) = if *path == V1 && *status == 200 {
            // V1 answers the X-PAYMENT header value as text: the agent gets it as sent.
            let (got, text) = send_text(&gw, path, body);
            let header: Value = serde_json::from_slice(
                &base64::engine::general_purpose::STANDARD
                    .decode(&text)
                    .unwrap_or_else(|e| panic!("{text:?}: {e}")),
            )
            .unwrap();
            assert_eq!(header["x402Version"], 1, "{header}");
            assert_eq!(
                header["payload"]["authorization"]["value"], body["amount"],
                "{header}"
            );
            (got, Value::Null)
        } else {
            let (got, answer, _) = gw.send("POST", "wallet", path, Some(body.clone()));
            (got, answer)
        };
        assert_eq!(got, *status, "{path} {body}: {answer}");
        if let Some(rule) = rule {
            assert_eq!(answer["error"]["code"], "refused_by_policy", "{answer}");
            assert_eq!(answer["error"]["rule"], *rule, "{answer}");
        }
        if *status == 404 {
            assert_eq!(answer["code"], "mandate_not_found", "{answer}");
        }
        let sent = count(path) - sent_before;
        assert_eq!(sent, u64::from(*reaches), "{path} {body}: sent {sent}");
    }
    let v2_refusal = requests_in_audit(&home)
        .into_iter()
        .find(|e| e["path"] == V2)
        .unwrap();
    assert_eq!(v2_refusal["decision"], "deny", "{v2_refusal}");

    // The sandbox paid exactly the three payments the policy let through and it accepted.
    let paid = state_payments(&server);
    assert_eq!(
        paid,
        [
            ("x402V1Payment".to_owned(), 3_000_000),
            ("x402V3Payment".to_owned(), 4_000_000),
            ("x402V1Payment".to_owned(), 1_000_000),
        ]
    );
    let total: u64 = paid.iter().map(|(_, a)| a).sum();
    let (s, after, _) = gw.send("GET", "wallet", "/api/agent/self/status", None);
    assert_eq!(s, 200);
    assert_eq!(
        atomic(&after["balances"]["usdc"]["available"]),
        balance - total
    );
    assert_eq!(
        atomic(&after["agent"]["monthly"]["spent"]),
        monthly_spent + total
    );
    let (_, detail, _) = gw.send(
        "GET",
        "wallet",
        &format!("/api/mandates/agent/{mandate_id}"),
        None,
    );
    assert_eq!(
        atomic(&detail["mandate"]["spentAmount"]),
        mandate_spent + 4_000_000
    );
    gw.kill();

    // The ledger holds what the wallet paid: the refused and failed requests left nothing.
    let ledger: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("data/ledger/fa.json")).unwrap(),
    )
    .unwrap();
    let entries = ledger["entries"].as_array().unwrap();
    let spent: u64 = entries
        .iter()
        .filter(|e| e["spent"] == true)
        .map(|e| e["amount"].as_str().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(spent, total, "{ledger:#}");
    assert!(entries.iter().all(|e| e["spent"] == true), "{ledger:#}");

    // `status` shows the budget the payments used.
    let row = home
        .run(&["--json", "--profile", "fa", "status"])
        .ok()
        .json();
    let spent_now = (monthly_spent + total).to_string();
    let remaining = (100_000_000 - monthly_spent - total).to_string();
    assert_eq!(
        row["budget"]["spent"]["atomic"],
        spent_now.as_str(),
        "{row:#}"
    );
    assert_eq!(
        row["budget"]["remaining"]["atomic"],
        remaining.as_str(),
        "{row:#}"
    );

    // One audit line per payment request, in order, with its decision, amount and answer.
    let logged: Vec<Value> = requests_in_audit(&home)
        .into_iter()
        .filter(|e| e["path"].as_str().unwrap().contains("payment"))
        .collect();
    assert_eq!(logged.len(), cases.len(), "{logged:#?}");
    for ((path, body, status, rule, _), entry) in cases.iter().zip(&logged) {
        assert_eq!(entry["path"], *path);
        assert_eq!(entry["endpoint"], "wallet");
        assert_eq!(entry["status"], *status, "{entry}");
        assert_eq!(entry["via"], "gateway");
        assert_eq!(entry["reason"], "x402 test");
        if let Some(rule) = rule {
            assert_eq!(entry["decision"], "deny", "{entry}");
            assert_eq!(entry["rule"], *rule, "{entry}");
        }
        if let Some(amount) = body["amount"].as_str() {
            assert_eq!(entry["amount"]["atomic"], amount, "{entry}");
        }
    }
    assert_no_secret_in_audit(&home, &[]);
}

/// The child of `exec --gateway` that pays: one x402 V1 payment per argument (atomic USDC),
/// then a report of each answer's status and body.
const PAYING_CHILD: &str = r#"
import json, os, sys, urllib.request, urllib.error

base, token = os.environ["WALLET_API"], os.environ["AGENT_JWT"]
answers = []
for amount in sys.argv[2:]:
    body = json.dumps({"scheme": "exact", "network": "base", "amount": amount, "currency": "USDC",
                       "payTo": "0x4444444444444444444444444444444444444444",
                       "resource": "https://api.example.com/item"}).encode()
    request = urllib.request.Request(base + "/api/payment/x402V1Payment", data=body, method="POST",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            answers.append([response.status, response.read().decode()])
    except urllib.error.HTTPError as e:
        answers.append([e.code, e.read().decode()])
with open(sys.argv[1], "w") as f:
    json.dump(answers, f)
"#;

#[test]
fn a_child_behind_exec_gateway_pays_within_the_caps_and_nothing_more() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "fa",
        "register",
        "fluxa",
        "--name",
        "x402-child",
    ])
    .ok();
    home.approve_owner(&server, Some("fa"));
    set_policy(
        &home,
        "fa",
        "default = \"deny\"\n[spend]\nper_request = \"5\"\nwindow = \"8\"\nwindow_length = \"1h\"\n\
         [[rule]]\nmatch = \"POST wallet:/api/payment/*\"\naction = \"allow\"\n",
    );
    let script = home.path().join("pay.py");
    std::fs::write(&script, PAYING_CHILD).unwrap();
    let report = home.path().join("answers.json");
    server.clear_requests();
    let run = home.run(&[
        "--profile",
        "fa",
        "exec",
        "--gateway",
        "--",
        "python3",
        script.to_str().unwrap(),
        report.to_str().unwrap(),
        "4000000",
        "5000001",
        "4000000",
        "1",
    ]);
    let answers: Vec<(u16, String)> = serde_json::from_str(
        &std::fs::read_to_string(&report)
            .unwrap_or_else(|e| panic!("no report ({e}): {}", run.all())),
    )
    .unwrap();
    let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [200, 403, 200, 403], "{answers:?}");
    let rule = |i: usize| {
        serde_json::from_str::<Value>(&answers[i].1).unwrap()["error"]["rule"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (rule(1), rule(3)),
        ("spend.per_request".into(), "spend.window".into())
    );
    assert_eq!(
        server.count("POST /fluxa/wallet/api/payment/x402V1Payment"),
        2
    );
    let paid = state_payments(&server);
    assert_eq!(
        paid,
        [
            ("x402V1Payment".to_owned(), 4_000_000),
            ("x402V1Payment".to_owned(), 4_000_000)
        ]
    );
    let ledger: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("data/ledger/fa.json")).unwrap(),
    )
    .unwrap();
    let spent: Vec<&str> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["spent"] == true)
        .map(|e| e["amount"].as_str().unwrap())
        .collect();
    assert_eq!(spent, ["4000000", "4000000"], "{ledger:#}");
    let decisions: Vec<String> = requests_in_audit(&home)
        .iter()
        .map(|e| e["decision"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(decisions, ["allow", "deny", "allow", "deny"]);
}
