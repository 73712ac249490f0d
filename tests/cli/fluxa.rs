//! FluxA end to end: register, status, token, refresh, expiry, single-flight, retries.

use serde_json::json;

use agentcred_sandbox::support::log_fingerprint;

use crate::support::{Home, Server, logged};

/// A FluxA agent registered against the server, and approved by its owner on the page the
/// registration names.
fn registered(server: &Server) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    let reg = home
        .run(&["--json", "register", "fluxa", "--name", "demo-agent"])
        .ok()
        .json();
    // (With a JWT lifetime knob of a second or two, the check may not get an answer.)
    assert_ne!(reg["owner_approved"], true, "{reg}");
    let page = format!(
        "{}/add-agent",
        server.url("AGENTCRED_FLUXA_AGENTWALLET_URL")
    );
    if reg["owner_approved"] == false {
        let url = reg["authorization_url"].as_str().unwrap();
        assert!(url.starts_with(&page), "the sandbox's own page: {url}");
    }
    let agent_id = reg["agent_id"].as_str().unwrap();
    assert_eq!(
        server.submit_form(&page, &[("agentId", agent_id), ("action", "approve")]),
        200
    );
    home
}

#[test]
fn a_new_agent_waits_for_its_owner_and_says_where_to_approve() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    let reg = home
        .run(&["register", "fluxa", "--name", "demo agent"])
        .ok();
    for words in [
        "owner must approve",
        "Authorization URL:",
        "/fluxa/agentwallet/add-agent?agentId=",
    ] {
        assert!(reg.stdout.contains(words), "{}", reg.stdout);
    }
    for args in [&["status"][..], &["limits", "show"][..]] {
        let mut full = vec!["--json"];
        full.extend_from_slice(args);
        let run = home.run(&full).code(8);
        let err = run.error_json();
        assert_eq!(err["error"]["code"], "not_authorized_by_owner", "{err}");
        let url = err["error"]["authorization_url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!(
                "{}/fluxa/agentwallet/add-agent?agentId=",
                server.base
            )),
            "{url}"
        );
        assert!(url.ends_with("&name=demo+agent"), "{url}");
    }
    let human = home.run(&["status"]).code(8);
    human.mentions(&["owner", "/fluxa/agentwallet/add-agent"]);

    // The page's Approve button, then the wallet answers; Revoke takes it back.
    let url = home.run(&["--json", "status"]).code(8).error_json()["error"]["authorization_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent_id = url
        .split("agentId=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        server.submit_form(&url, &[("agentId", &agent_id), ("action", "approve")]),
        200
    );
    home.run(&["status"]).ok();
    assert_eq!(
        server.submit_form(&url, &[("agentId", &agent_id), ("action", "revoke")]),
        200
    );
    home.run(&["status"]).code(8);
    // `sandbox approve` is for sandbox profiles only: this one talks to a served sandbox.
    home.run(&["sandbox", "approve"])
        .code(2)
        .mentions(&["not a sandbox profile"]);
}

#[test]
fn readme_flow_with_the_embedded_sandbox_and_no_dbus() {
    let home = Home::new();
    let reg = home
        .run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    assert!(
        reg.stdout.contains("Registered FluxA agent"),
        "{}",
        reg.stdout
    );
    // Like every real agent, it waits for its wallet's owner; the in-process sandbox's page is
    // gone when the command exits, so the way named is `sandbox approve`.
    for words in [
        "owner must approve",
        "agentcred sandbox approve --profile fluxa",
    ] {
        assert!(reg.stdout.contains(words), "{}", reg.stdout);
    }
    let waiting = home.run(&["--sandbox", "--json", "status"]).code(8);
    let err = waiting.error_json();
    assert_eq!(err["error"]["code"], "not_authorized_by_owner", "{err}");
    assert_eq!(err["error"]["exit_code"], 8);
    assert!(
        err["error"]["authorization_url"]
            .as_str()
            .unwrap()
            .contains("/fluxa/agentwallet/add-agent?agentId="),
        "{err}"
    );
    assert!(
        err["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("agentcred sandbox approve"),
        "{err}"
    );
    home.run(&["--sandbox", "limits", "show"]).code(8);

    let approved = home.run(&["--json", "sandbox", "approve"]).ok().json();
    assert_eq!(approved["owner_approved"], true, "{approved}");
    assert_eq!(approved["provider"], "fluxa");

    let status = home.run(&["--sandbox", "status"]).ok();
    assert!(
        status
            .stdout
            .contains("87.5 USDC (87500000 atomic, 6 decimals)"),
        "{}",
        status.stdout
    );
    assert!(status.stdout.contains("Monthly headroom"));
    assert!(status.stdout.contains("XRP"));

    let json = home.run(&["--sandbox", "--json", "status"]).ok().json();
    assert_eq!(json["provider"], "fluxa");
    assert_eq!(
        json["monthly"]["remaining"],
        json!({"atomic": "87500000", "formatted": "87.5", "decimals": 6, "currency": "USDC"})
    );
    let credits = json["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["currency"] == "FLUXA_MONETIZE_CREDITS")
        .unwrap();
    assert_eq!(credits["available"]["decimals"], 2);
    assert_eq!(json["local"]["store"], "file");
    let jwt = json["local"]["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "jwt")
        .unwrap();
    assert!(jwt["expires_at"].as_str().unwrap().ends_with('Z'));
    assert!(jwt["expires_in_s"].as_i64().unwrap() > 800);

    // Without --sandbox the sandbox profile still talks to the sandbox: it is in the profile.
    home.run(&["status"]).ok();
    // The owner can take the approval back, and give it again (the wallet keeps its funds).
    let revoked = home.run(&["sandbox", "approve", "--revoke"]).ok();
    assert!(revoked.stdout.contains("took back"), "{}", revoked.stdout);
    home.run(&["status"]).code(8);
    home.run(&["sandbox", "approve"]).ok();
    let again = home.run(&["--json", "status"]).ok().json();
    assert_eq!(again["monthly"], json["monthly"]);
    // Sandbox state persists across invocations: the same agent is seen each time.
    let state = home.sandbox_state();
    assert_eq!(
        state["fluxa"]["agents"]
            .as_object()
            .map(|a| a.len())
            .unwrap_or(0),
        1,
        "{state}"
    );
}

#[test]
fn requests_follow_the_documented_api() {
    let server = Server::start();
    let home = registered(&server);
    let agent_id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    home.run(&["status", "--network", "base", "--tx-limit", "5"])
        .ok();
    home.run(&["refresh"]).ok();

    let log = server.requests();
    let register = logged(&log, "POST", "/fluxa/agentid/register");
    assert_eq!(register.len(), 1);
    assert_eq!(register[0]["auth_scheme"], "none");
    assert_eq!(register[0]["body"]["agent_name"], "demo-agent");
    assert!(
        register[0]["body"]["client_info"]
            .as_str()
            .unwrap()
            .starts_with("agentcred/")
    );
    assert!(
        register[0]["content_type"]
            .as_str()
            .unwrap()
            .starts_with("application/json")
    );

    let status = logged(&log, "GET", "/fluxa/wallet/api/agent/self/status");
    assert_eq!(status.len(), 1);
    assert_eq!(status[0]["auth_scheme"], "bearer");
    assert!(
        status[0]["query"].as_str().unwrap().contains("txLimit=5"),
        "{}",
        status[0]
    );
    assert!(
        status[0]["query"]
            .as_str()
            .unwrap()
            .contains("network=base")
    );

    // Every request, not only the ones above, is a documented route with its auth scheme.
    for request in log["requests"].as_array().unwrap() {
        let route = format!("{} {}", request["method"], request["path"]);
        let scheme = match route.as_str() {
            r#""POST" "/fluxa/agentid/register""# | r#""POST" "/fluxa/agentid/refresh""# => "none",
            // The owner's Approve button (the test plays the owner).
            r#""POST" "/fluxa/agentwallet/add-agent""# => "none",
            r#""GET" "/fluxa/wallet/api/agent/self/status""#
            | r#""GET" "/fluxa/wallet/api/mandates""# => "bearer",
            _ => panic!("undocumented request {route}: {request}"),
        };
        assert_eq!(request["auth_scheme"], scheme, "{request}");
    }

    let refresh = logged(&log, "POST", "/fluxa/agentid/refresh");
    assert_eq!(refresh.len(), 1);
    assert_eq!(refresh[0]["auth_scheme"], "none");
    assert_eq!(refresh[0]["body"]["agent_id"], agent_id.as_str());
    assert_eq!(
        refresh[0]["body"]["token"],
        log_fingerprint(&home.stored("fluxa:token")),
        "the log keeps a digest of the refresh token, enough to tell which was sent"
    );
}

#[test]
fn expired_jwt_is_refreshed_once_before_status() {
    let server = Server::start();
    // Only the registration's JWT is expired (a minute ago); the refreshed one is not.
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": -60}}));
    let home = registered(&server);
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": null}}));
    let expired = home.stored("fluxa:jwt");
    server.clear_requests();
    home.run(&["status"]).ok();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    assert_eq!(server.count("GET /fluxa/wallet/api/agent/self/status"), 1);
    // Before, not after a 401: the refresh came first and the status call used the new JWT.
    let log = server.requests();
    let refresh = logged(&log, "POST", "/fluxa/agentid/refresh");
    let status = logged(&log, "GET", "/fluxa/wallet/api/agent/self/status");
    assert!(
        refresh[0]["seq"].as_u64() < status[0]["seq"].as_u64(),
        "{log}"
    );
    assert_ne!(home.stored("fluxa:jwt"), expired);
}

#[test]
fn token_min_valid_refreshes_when_less_remains_and_prints_only_the_jwt() {
    let server = Server::start();
    let home = registered(&server);
    server.clear_requests();

    // A fresh 15-minute JWT satisfies the default 60 s: no refresh.
    let first = home.run(&["token"]).ok();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 0);
    let jwt = first.stdout.trim_end();
    assert_eq!(first.stdout, format!("{jwt}\n"), "only the JWT on stdout");
    assert_eq!(jwt.split('.').count(), 3);
    assert_eq!(jwt, home.stored("fluxa:jwt"));

    // 20 minutes is more than a FluxA JWT ever has: it refreshes once, then refuses (exit 8,
    // `min_valid_unmet`, naming the longest lifetime) rather than print a JWT too short.
    let second = home.run(&["token", "--min-valid", "20m"]).code(8);
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    assert!(second.stdout.is_empty(), "{}", second.stdout);
    second.mentions(&["at most about 1", "--min-valid"]);
    let unmet = home
        .run(&["--json", "token", "--min-valid", "20m"])
        .code(8)
        .error_json();
    assert_eq!(unmet["error"]["code"], "min_valid_unmet");
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 2);

    // 10 minutes is within what a new JWT has: no further refresh.
    home.run(&["token", "--min-valid", "10m"]).ok();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 2);

    let json = home.run(&["--json", "token"]).ok().json();
    assert_eq!(json["token_type"], "Bearer");
    assert!(json["expires_in_s"].as_i64().unwrap() > 600);

    // The issue's own case: a JWT with 5 minutes left, `--min-valid 10m`: one refresh, and
    // only the new JWT on stdout.
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 300}}));
    home.run(&["refresh"]).ok();
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": null}}));
    let short = home.stored("fluxa:jwt");
    server.clear_requests();
    let third = home.run(&["token", "--min-valid", "10m"]).ok();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    let renewed = home.stored("fluxa:jwt");
    assert_ne!(renewed, short);
    assert_eq!(
        third.stdout,
        format!("{renewed}\n"),
        "only the JWT on stdout"
    );
}

#[test]
fn twenty_concurrent_token_calls_on_an_expired_profile_make_one_refresh() {
    let server = Server::start();
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": -60}}));
    let home = registered(&server);
    server.knobs(json!({"jwt_exp_in_secs": {"fluxa": null}}));
    server.clear_requests();

    let calls = vec![vec!["token".to_owned()]; 20];
    let tokens: std::collections::BTreeSet<String> = home
        .run_concurrently(&calls)
        .into_iter()
        .map(|run| run.ok().stdout.trim().to_owned())
        .collect();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    assert_eq!(tokens.len(), 1, "every caller got the one new JWT");
}

#[test]
fn a_rejected_jwt_is_refreshed_and_the_request_retried_once() {
    let server = Server::start();
    let home = registered(&server);
    // An Agent VC is a valid-looking, unexpired JWT that the wallet refuses with 401.
    let jwt = home.stored("fluxa:jwt");
    let (code, vc) = server.post(
        "/fluxa/agentid/agent/vc/issue",
        Some(&jwt),
        json!({"challenge": "c-1", "audience": "https://thirdparty.example.com", "ttl_seconds": 600}),
    );
    assert_eq!(code, 200, "{vc}");
    home.overwrite_secret("fluxa:jwt", vc["vc"].as_str().unwrap());
    server.clear_requests();

    home.run(&["status"]).ok();
    assert_eq!(server.count("GET /fluxa/wallet/api/agent/self/status"), 2);
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
    assert_ne!(home.stored("fluxa:jwt"), vc["vc"].as_str().unwrap());
}

#[test]
fn a_revoked_refresh_token_is_an_auth_failure_with_a_way_out() {
    let server = Server::start();
    let home = registered(&server);
    home.overwrite_secret("fluxa:token", "tok_not_the_real_one");
    let run = home.run(&["refresh"]).code(4);
    assert!(run.stderr.contains("register"), "{}", run.stderr);
    let json = home.run(&["--json", "refresh"]).code(4).error_json();
    assert_eq!(json["error"]["code"], "auth_failed");
    assert_eq!(json["error"]["provider"], "fluxa");
    assert_eq!(json["error"]["http_status"], 401);
}

#[test]
fn refresh_if_expiring_within_skips_a_fresh_jwt() {
    let server = Server::start();
    let home = registered(&server);
    server.clear_requests();
    let kept = home
        .run(&["--json", "refresh", "--if-expiring-within", "5m"])
        .ok()
        .json();
    assert_eq!(kept["refreshed"], false);
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 0);
    let done = home
        .run(&["--json", "refresh", "--if-expiring-within", "20m"])
        .ok()
        .json();
    assert_eq!(done["refreshed"], true);
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 1);
}

#[test]
fn idempotent_reads_are_retried_after_5xx_and_429() {
    let server = Server::start();
    let home = registered(&server);
    home.run(&["status"]).ok();
    server.clear_requests();
    server.fault(json!({"method": "GET", "path": "/fluxa/wallet/api/agent/self/status", "status": 503, "count": 1}));
    server.fault(json!({"method": "GET", "path": "/fluxa/wallet/api/agent/self/status", "status": 429, "count": 1, "retry_after": 1}));
    home.run(&["status"]).ok();
    assert_eq!(server.count("GET /fluxa/wallet/api/agent/self/status"), 3);

    // A service that keeps failing: exit 6 after a bounded number of attempts.
    server.clear_requests();
    server.fault(json!({"method": "GET", "path": "/fluxa/wallet/api/agent/self/status", "status": 500, "count": 10}));
    let json = home.run(&["--json", "status"]).code(6).error_json();
    assert_eq!(json["error"]["code"], "service_unavailable");
    assert_eq!(server.count("GET /fluxa/wallet/api/agent/self/status"), 4);
}

#[test]
fn register_is_not_retried_blindly() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    server.fault(
        json!({"method": "POST", "path": "/fluxa/agentid/register", "status": 503, "count": 1}),
    );
    home.run(&["register", "fluxa", "--name", "demo-agent"])
        .code(6);
    assert_eq!(server.count("POST /fluxa/agentid/register"), 1);
    // Nothing was recorded: the same name can be registered once the service is back.
    home.run(&["register", "fluxa", "--name", "demo-agent"])
        .ok();
}

#[test]
fn limits_show_reports_the_monthly_headroom() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "demo-agent"])
        .ok();
    home.run(&["sandbox", "approve"]).ok();
    let json = home.run(&["--json", "limits", "show"]).ok().json();
    assert_eq!(json["monthly"]["limit"]["formatted"], "100");
    assert_eq!(json["monthly"]["spent"]["atomic"], "12500000");
    let human = home.run(&["limits", "show"]).ok();
    assert!(
        human
            .stdout
            .contains("100 USDC (100000000 atomic, 6 decimals)"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_slow_service_times_out_with_exit_6_after_bounded_retries() {
    let server = Server::start();
    let mut home = registered(&server);
    server.knobs(json!({"latency_ms": 1500}));
    server.clear_requests();
    home.set("AGENTCRED_HTTP_TIMEOUT", "1");
    let run = home.run(&["--json", "status"]).code(6);
    let error = run.error_json();
    assert_eq!(error["error"]["code"], "service_unavailable");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("timed out"),
        "{error}"
    );
    // Reads are retried, so the service saw the request more than once, but not without bound.
    let seen = server.count("GET /fluxa/wallet/api/agent/self/status");
    assert!((2..=4).contains(&seen), "{seen} attempts");

    // Within the timeout, the same latency is just slow.
    server.knobs(json!({"latency_ms": 300}));
    home.run(&["status"]).ok();
}

#[test]
fn concurrent_sandbox_invocations_share_one_state_file() {
    let home = Home::new();
    let calls: Vec<Vec<String>> = (0..8)
        .map(|i| {
            let name = format!("agent-{i}");
            [
                "--sandbox",
                "--profile",
                &name,
                "register",
                "fluxa",
                "--name",
                &name,
            ]
            .map(str::to_owned)
            .to_vec()
        })
        .collect();
    for run in home.run_concurrently(&calls) {
        run.ok();
    }
    let state = home.sandbox_state();
    assert_eq!(
        state["fluxa"]["agents"].as_object().unwrap().len(),
        8,
        "no registration was lost"
    );
    let profiles = home.run(&["--json", "profiles", "list"]).ok().json();
    assert_eq!(
        profiles["profiles"].as_array().unwrap().len(),
        8,
        "no profile was lost"
    );
    for i in 0..8 {
        let profile = format!("agent-{i}");
        home.run(&["--profile", &profile, "status"]).code(8);
        home.run(&["--profile", &profile, "sandbox", "approve"])
            .ok();
        home.run(&["--profile", &profile, "status"]).ok();
    }
}
