//! Tests of the sandbox framework: faults, knobs, the request log, and several servers (and
//! threads) on one state file. Service behaviour is tested in each service's module.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::testkit::Harness;
use super::*;

/// A new agent, approved by its owner (through the generic owner-approval entry point), so
/// that wallet routes answer.
fn register(h: &Harness, name: &str) -> (u16, Value) {
    let (status, body) = h.post_json("/fluxa/agentid/register", &json!({"agent_name": name}));
    if status == 200 {
        set_owner_approval(
            h.state_path(),
            "AGENTCRED_FLUXA_WALLET_URL",
            body["agent_id"].as_str().unwrap(),
            true,
        )
        .unwrap();
    }
    (status, body)
}

fn state_file(h: &Harness) -> Value {
    h.state_doc_key().0
}

#[test]
fn service_urls_cover_every_service() {
    let urls = service_urls("http://127.0.0.1:8787/");
    assert_eq!(
        urls,
        vec![
            (
                "AGENTCRED_FLUXA_AGENTID_URL",
                "http://127.0.0.1:8787/fluxa/agentid".to_owned()
            ),
            (
                "AGENTCRED_FLUXA_WALLET_URL",
                "http://127.0.0.1:8787/fluxa/wallet".to_owned()
            ),
            (
                "AGENTCRED_FLUXA_AGENTWALLET_URL",
                "http://127.0.0.1:8787/fluxa/agentwallet".to_owned()
            ),
            (
                "AGENTCRED_FLUXRA_URL",
                "http://127.0.0.1:8787/fluxra".to_owned()
            ),
            (
                "AGENTCRED_AUTHPI_URL",
                "http://127.0.0.1:8787/authpi/api".to_owned()
            ),
            (
                "AGENTCRED_AUTHPI_IDP_URL",
                "http://127.0.0.1:8787/authpi/idp".to_owned()
            ),
            (
                "AGENTCRED_PROXY_URL",
                "http://127.0.0.1:8787/proxy".to_owned()
            ),
        ]
    );
}

#[test]
fn the_registry_derives_the_demo_keys_and_lifetimes() {
    assert_eq!(
        demo_operator_keys(),
        vec![
            ("AUTHPI_KEY_ID", "key_sandbox"),
            ("AUTHPI_KEY_SECRET", "sandbox-demo-key-secret"),
            ("PROXY_API_KEY", "lk_dev_sandbox"),
        ]
    );
    assert_eq!(
        jwt_ttl_defaults().collect::<Vec<_>>(),
        vec![("fluxa", 900), ("fluxra", 3600), ("authpi", 300)]
    );
}

#[test]
fn the_registry_is_consistent() {
    use std::collections::BTreeSet;

    use state::{RESERVED_KEYS, ServiceState};

    let keys: BTreeSet<&str> = SERVICES.iter().map(|s| s.key).collect();
    assert_eq!(keys.len(), SERVICES.len(), "service keys are unique");
    for key in &keys {
        assert!(!RESERVED_KEYS.contains(key), "{key} is a state file key");
    }
    for key in [
        fluxa::FluxaState::KEY,
        fluxra::FluxraState::KEY,
        authpi::AuthpiState::KEY,
        proxy::ProxyState::KEY,
    ] {
        assert!(keys.contains(key), "{key} is registered");
    }
    let all: Vec<&Mount> = mounts().collect();
    for (i, mount) in all.iter().enumerate() {
        assert!(mount.prefix.starts_with('/') && !mount.prefix.ends_with('/'));
        assert!(!under(mount.prefix, CONTROL_PREFIX), "{}", mount.prefix);
        assert!(mount.env_var.starts_with("AGENTCRED_") && mount.env_var.ends_with("_URL"));
        for other in &all[i + 1..] {
            assert!(
                !under(mount.prefix, other.prefix) && !under(other.prefix, mount.prefix),
                "{} and {} overlap",
                mount.prefix,
                other.prefix
            );
            assert_ne!(mount.env_var, other.env_var);
        }
    }
}

#[test]
fn ttl_override_values_parse_as_seconds_or_durations() {
    assert_eq!(parse_ttl("120").unwrap(), 120);
    assert_eq!(parse_ttl(" 2m ").unwrap(), 120);
    assert_eq!(parse_ttl("0").unwrap(), 0);
    assert!(parse_ttl("soon").is_err());
}

#[test]
fn health_names_the_state_file_and_services() {
    let h = Harness::start();
    let (status, body) = h.get("/_sandbox/health");
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["base_url"], h.sandbox.base_url());
    assert_eq!(
        body["services"]["AGENTCRED_FLUXA_WALLET_URL"],
        format!("{}/fluxa/wallet", h.sandbox.base_url())
    );
    assert!(!h.sandbox.base_url().ends_with('/'));
}

#[test]
fn requests_are_logged_and_counted_but_control_routes_are_not() {
    let h = Harness::start();
    let (_, reg) = register(&h, "Logged");
    h.send(
        h.client
            .get(h.url("/fluxa/wallet/api/agent/self/status?network=base&txLimit=3"))
            .bearer_auth(reg["jwt"].as_str().unwrap())
            .header("Idempotency-Key", "idem-1")
            .header("If-Match", "\"17\""),
    );
    h.send(
        h.client
            .post(h.url("/fluxa/agentid/refresh"))
            .basic_auth("ag_user", Some("pw"))
            .form(&[("agent_id", "a"), ("token", "b")]),
    );
    h.send(
        h.client
            .get(h.url("/proxy/v1/agents"))
            .header("Api-Key", "lk_dev_x"),
    );
    h.get("/_sandbox/knobs");

    let (status, log) = h.get("/_sandbox/requests");
    assert_eq!(status, 200);
    let requests = log["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 4, "{log}");
    assert_eq!(
        log["counts"],
        json!({
            "POST /fluxa/agentid/register": 1,
            "GET /fluxa/wallet/api/agent/self/status": 1,
            "POST /fluxa/agentid/refresh": 1,
            "GET /proxy/v1/agents": 1,
        })
    );
    let seqs: Vec<u64> = requests
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, vec![1, 2, 3, 4]);

    let reg_rec = &requests[0];
    assert_eq!(reg_rec["auth_scheme"], "none");
    assert_eq!(reg_rec["body"], json!({"agent_name": "Logged"}));
    assert_eq!(reg_rec["content_type"], "application/json");
    let status_rec = &requests[1];
    assert_eq!(status_rec["auth_scheme"], "bearer");
    assert_eq!(status_rec["query"], "network=base&txLimit=3");
    assert_eq!(status_rec["idempotency_key"], "idem-1");
    assert_eq!(status_rec["if_match"], "\"17\"");
    assert!(status_rec["body"].is_null());
    let form_rec = &requests[2];
    assert_eq!(form_rec["auth_scheme"], "basic");
    assert_eq!(form_rec["basic_user"], "ag_user");
    assert_eq!(
        form_rec["body"],
        json!({"agent_id": "a", "token": support::log_fingerprint("b")}),
        "a form's secret-named fields are logged as a digest"
    );
    assert_eq!(requests[3]["auth_scheme"], "api-key");

    // The log is a file of its own: recording a request leaves the world's file alone.
    let world = state_file(&h);
    assert!(world.get("counts").is_none() && world.get("requests").is_none());
    let lines = std::fs::read_to_string(h.state_path().with_extension("json.requests")).unwrap();
    assert_eq!(lines.lines().count(), 4, "{lines}");

    let (_, filtered) = h.get("/_sandbox/requests?method=post&path=/fluxa/agentid/refresh");
    assert_eq!(filtered["requests"].as_array().unwrap().len(), 1);

    let (status, cleared) = h.delete("/_sandbox/requests");
    assert_eq!(status, 200);
    assert_eq!(cleared["cleared"], 4);
    register(&h, "After");
    let (_, log) = h.get("/_sandbox/requests");
    assert_eq!(log["counts"], json!({"POST /fluxa/agentid/register": 1}));
    assert_eq!(log["requests"][0]["seq"], 5, "seq keeps increasing");
}

#[test]
fn a_before_fault_answers_instead_of_the_service() {
    let h = Harness::start();
    let (status, added) = h.post_json(
        "/_sandbox/faults",
        &json!({"method": "post", "path": "/fluxa/agentid/register", "status": 503, "count": 2, "retry_after": 7}),
    );
    assert_eq!(status, 201, "{added}");
    assert_eq!(added["fault"]["method"], "POST");
    assert_eq!(added["fault"]["mode"], "before");

    for _ in 0..2 {
        let response = h
            .client
            .post(h.url("/fluxa/agentid/register"))
            .json(&json!({"agent_name": "Faulted"}))
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(response.headers()["retry-after"], "7");
        let body: Value = response.json().unwrap();
        assert_eq!(
            body["error"], "injected_fault",
            "FluxA Agent ID envelope: {body}"
        );
    }
    // Nothing was registered, the fault is used up, and the faulted requests were recorded.
    // (FluxA's sub-document is only written once FluxA has state.)
    let agents = &state_file(&h)["fluxa"]["agents"];
    assert!(agents.is_null() || *agents == json!({}), "{agents}");
    let (_, faults) = h.get("/_sandbox/faults");
    assert_eq!(faults["faults"], json!([]));
    assert_eq!(register(&h, "Now").0, 200);
    let (_, log) = h.get("/_sandbox/requests");
    assert_eq!(log["counts"]["POST /fluxa/agentid/register"], 3);

    // The Wallet API's faults come in its own envelope; a method-less fault matches any method;
    // the status defaults to 503.
    h.post_json(
        "/_sandbox/faults",
        &json!({"path": "/fluxa/wallet/api/mandates"}),
    );
    let (status, body) = h.get("/fluxa/wallet/api/mandates");
    assert_eq!(status, 503);
    assert_eq!(body["status"], "error");
    assert_eq!(body["code"], "injected_fault");
}

#[test]
fn a_bad_gateway_after_fault_keeps_the_change_but_loses_the_answer() {
    let h = Harness::start();
    h.post_json(
        "/_sandbox/faults",
        &json!({"method": "POST", "path": "/fluxa/agentid/register", "mode": "bad_gateway_after"}),
    );
    let (status, body) = register(&h, "Lost in transit");
    assert_eq!(status, 502);
    assert_eq!(body, json!({"error": "sandbox dropped the response"}));
    let agents = state_file(&h)["fluxa"]["agents"].clone();
    let agents = agents.as_object().unwrap();
    assert_eq!(agents.len(), 1, "the registration happened");
    assert_eq!(agents.values().next().unwrap()["name"], "Lost in transit");
    assert_eq!(register(&h, "Second").0, 200);
}

#[test]
fn a_drop_after_fault_keeps_the_change_and_closes_the_connection() {
    let h = Harness::start();
    h.post_json(
        "/_sandbox/faults",
        &json!({"method": "POST", "path": "/fluxa/agentid/register", "mode": "drop_after"}),
    );
    let err = h
        .client
        .post(h.url("/fluxa/agentid/register"))
        .json(&json!({"agent_name": "Lost in transit"}))
        .send()
        .expect_err("no response at all");
    let chain = std::iter::successors(Some(&err as &dyn std::error::Error), |e| e.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    assert!(
        chain.contains("connection closed before message completed"),
        "{chain}"
    );
    let agents = state_file(&h)["fluxa"]["agents"].clone();
    assert_eq!(
        agents.as_object().unwrap().len(),
        1,
        "the registration happened"
    );
    // The server goes on serving.
    assert_eq!(register(&h, "Second").0, 200);
}

/// Send one raw HTTP/1.1 request on `stream` and read its response: (status line, body).
fn raw_exchange(stream: &mut TcpStream, request: &str) -> (String, String) {
    stream
        .write_all(request.as_bytes())
        .expect("request written");
    let mut received = Vec::new();
    let head_end = loop {
        if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).expect("response read");
        assert!(n > 0, "connection closed mid-response: {received:?}");
        received.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(received[..head_end].to_vec()).expect("UTF-8 head");
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().expect("a length"))
        })
        .expect("a Content-Length");
    let mut body = received[head_end..].to_vec();
    body.resize(length, 0);
    stream
        .read_exact(&mut body[received.len() - head_end..])
        .expect("body read");
    let status = head.lines().next().unwrap_or_default().to_owned();
    (status, String::from_utf8(body).expect("UTF-8 body"))
}

#[test]
fn a_drop_after_fault_sends_no_byte_and_closes_only_its_connection() {
    let h = Harness::start();
    let addr = h
        .sandbox
        .base_url()
        .trim_start_matches("http://")
        .to_owned();
    let connect = || {
        let stream = TcpStream::connect(&addr).expect("connected");
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    };
    let register = |name: &str| {
        let body = json!({"agent_name": name}).to_string();
        format!(
            "POST /fluxa/agentid/register HTTP/1.1\r\nHost: {addr}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    // A keep-alive connection, open before the fault and still open after it.
    let mut open_before = connect();
    let (status, body) = raw_exchange(&mut open_before, &register("First"));
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");

    h.post_json(
        "/_sandbox/faults",
        &json!({"method": "POST", "path": "/fluxa/agentid/register", "mode": "drop_after"}),
    );
    let mut dropped = connect();
    dropped.write_all(register("Lost").as_bytes()).unwrap();
    let mut received = Vec::new();
    let read = dropped.read_to_end(&mut received);
    // A clean close (FIN), not a reset, and not a byte: no status line, no header.
    assert!(
        matches!(read, Ok(0)),
        "{read:?}: {:?}",
        String::from_utf8_lossy(&received)
    );
    let agents = state_file(&h)["fluxa"]["agents"].clone();
    let mut names: Vec<_> = agents
        .as_object()
        .unwrap()
        .values()
        .map(|agent| agent["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["First", "Lost"],
        "the dropped registration happened"
    );

    // Only the faulted connection was dropped: the older one and a new one are served.
    let (status, body) = raw_exchange(&mut open_before, &register("Second"));
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let (status, body) = raw_exchange(&mut connect(), &register("Third"));
    assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
    let registered: Value = serde_json::from_str(&body).unwrap();
    assert!(registered["agent_id"].is_string(), "{registered}");
    let (_, log) = h.get("/_sandbox/requests");
    assert_eq!(log["counts"]["POST /fluxa/agentid/register"], 4);
}

#[test]
fn bad_faults_and_knobs_are_refused() {
    let h = Harness::start();
    for bad in [
        json!({"path": "fluxa/agentid/register", "status": 503}),
        json!({"path": "/x", "status": 200}),
        json!({"path": "/x", "status": 503, "count": 0}),
        json!({"path": "/x", "status": 503, "mode": "sometimes"}),
        json!({"path": "/x", "status": 503, "colour": "red"}),
        json!({"status": 503}),
        json!({"path": "/x", "status": 503, "retry_after": -1}),
    ] {
        let (status, body) = h.post_json("/_sandbox/faults", &bad);
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_request");
    }
    for bad in [
        json!({"jwt_ttl_secs": {"nosuch": 5}}),
        json!({"jwt_ttl_secs": {"fluxa": -1}}),
        json!({"jwt_ttl_secs": 5}),
        json!({"latency_ms": 10_000_000}),
        json!({"latncy_ms": 1}),
        json!({"jwt_exp_in_secs": {"proxy": -5}}),
        json!({"jwt_exp_in_secs": {"fluxa": 1.5}}),
    ] {
        let (status, body) = h.put_json("/_sandbox/knobs", &bad);
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let (status, knobs) = h.get("/_sandbox/knobs");
    assert_eq!(status, 200);
    assert_eq!(
        knobs,
        json!({"jwt_ttl_secs": {"fluxa": 900, "fluxra": 3600, "authpi": 300}, "jwt_exp_in_secs": {}, "latency_ms": 0, "jwt_ttl_override": null})
    );
    let (_, knobs) = h.put_json("/_sandbox/knobs", &json!({"jwt_ttl_secs": {"authpi": 2}}));
    assert_eq!(knobs["jwt_ttl_secs"]["authpi"], 2);
    assert_eq!(knobs["jwt_ttl_secs"]["fluxa"], 900);
    let (_, knobs) = h.put_json(
        "/_sandbox/knobs",
        &json!({"jwt_exp_in_secs": {"fluxa": -60}}),
    );
    assert_eq!(knobs["jwt_exp_in_secs"], json!({"fluxa": -60}));
    let (_, knobs) = h.put_json(
        "/_sandbox/knobs",
        &json!({"jwt_exp_in_secs": {"fluxa": null}}),
    );
    assert_eq!(knobs["jwt_exp_in_secs"], json!({}));
}

#[test]
fn latency_delays_service_requests_only() {
    // Long enough that a control request on a loaded 2-core machine (tests run in parallel)
    // does not take as long by itself, which a 300 ms bound did not guarantee.
    const LATENCY: Duration = Duration::from_millis(1500);
    let h = Harness::start();
    h.put_json(
        "/_sandbox/knobs",
        &json!({"latency_ms": LATENCY.as_millis() as u64}),
    );
    let started = Instant::now();
    h.get("/fluxa/agentid/.well-known/jwks.json");
    assert!(started.elapsed() >= LATENCY);
    let started = Instant::now();
    h.get("/_sandbox/health");
    assert!(started.elapsed() < LATENCY);
}

#[test]
fn the_process_ttl_override_wins_over_the_knob() {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = start_background(SandboxConfig {
        state_path: dir.path().join("s.json"),
        port: 0,
        jwt_ttl_override: Some(5),
    })
    .unwrap();
    let client = testkit::client();
    let url = |p: &str| format!("{}{p}", sandbox.base_url());
    client
        .put(url("/_sandbox/knobs"))
        .bearer_auth(sandbox.control_token())
        .json(&json!({"jwt_ttl_secs": {"fluxa": 100}}))
        .send()
        .unwrap();
    let reg: Value = client
        .post(url("/fluxa/agentid/register"))
        .json(&json!({"agent_name": "Override"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let claims = tokens::decode_unverified(reg["jwt"].as_str().unwrap())
        .unwrap()
        .claims;
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        5
    );
    let knobs: Value = client
        .get(url("/_sandbox/knobs"))
        .bearer_auth(sandbox.control_token())
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(knobs["jwt_ttl_override"], 5);
}

#[test]
fn routes_outside_every_service_answer_json_404() {
    let h = Harness::start();
    let (status, body) = h.get("/nowhere");
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    let (status, body) = h.get("/_sandbox/nowhere");
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    let (status, body) = h.delete("/_sandbox/knobs");
    assert_eq!(status, 405);
    assert_eq!(body["error"], "method_not_allowed");
}

#[test]
fn two_sandboxes_on_one_state_file_share_the_world() {
    let a = Harness::start();
    let b = Harness::on(a.state_path());
    assert_ne!(a.sandbox.base_url(), b.sandbox.base_url());

    let (_, reg) = register(&a, "Shared");
    // A JWT minted by one process is good at the other: the key lives in the state.
    let (status, body) = b.get_bearer(
        "/fluxa/wallet/api/agent/self/status",
        reg["jwt"].as_str().unwrap(),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agent"]["externalAgentId"], reg["agent_id"]);
    let (status, refreshed) = b.post_json(
        "/fluxa/agentid/refresh",
        &json!({"agent_id": reg["agent_id"], "token": reg["token"]}),
    );
    assert_eq!(status, 200);
    let (status, _) = a.get_bearer(
        "/fluxa/wallet/api/mandates",
        refreshed["jwt"].as_str().unwrap(),
    );
    assert_eq!(status, 200);

    // Knobs and faults set through one apply to the other.
    b.post_json(
        "/_sandbox/faults",
        &json!({"path": "/fluxa/agentid/register", "status": 500}),
    );
    assert_eq!(register(&a, "Faulted").0, 500);
}

#[test]
fn concurrent_requests_on_two_servers_are_all_recorded() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 6;
    let a = Harness::start();
    let b = Harness::on(a.state_path());
    let (_, reg) = register(&a, "Reader");
    let jwt = reg["jwt"].as_str().unwrap().to_owned();
    a.delete("/_sandbox/requests");

    std::thread::scope(|scope| {
        for t in 0..THREADS {
            let (a, b, jwt) = (&a, &b, &jwt);
            scope.spawn(move || {
                for i in 0..PER_THREAD {
                    let h = if (t + i) % 2 == 0 { a } else { b };
                    let (status, body) = register(h, &format!("agent-{t}-{i}"));
                    assert_eq!(status, 200, "{body}");
                    let (status, body) = h.get_bearer("/fluxa/wallet/api/mandates", jwt);
                    assert_eq!(status, 200, "{body}");
                }
            });
        }
    });

    let n = (THREADS * PER_THREAD) as u64;
    let doc = state_file(&a);
    let (_, log) = b.get("/_sandbox/requests");
    assert_eq!(log["counts"]["POST /fluxa/agentid/register"], n);
    assert_eq!(log["counts"]["GET /fluxa/wallet/api/mandates"], n);
    assert_eq!(
        doc["fluxa"]["agents"].as_object().unwrap().len() as u64,
        n + 1
    );
    let requests = log["requests"].as_array().unwrap();
    assert_eq!(requests.len() as u64, 2 * n);
    let seqs: Vec<u64> = requests
        .iter()
        .map(|r| r["seq"].as_u64().unwrap())
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "every request has its own seq, in log order: {seqs:?}"
    );
}

#[test]
fn reads_leave_the_state_file_alone() {
    use std::os::unix::fs::MetadataExt;
    let a = Harness::start();
    let b = Harness::on(a.state_path());
    let (_, reg) = register(&a, "Reader");
    let jwt = reg["jwt"].as_str().unwrap().to_owned();
    let before = std::fs::read(a.state_path()).unwrap();
    let ino = std::fs::metadata(a.state_path()).unwrap().ino();
    std::thread::scope(|scope| {
        for h in [&a, &b, &a, &b] {
            let jwt = &jwt;
            scope.spawn(move || {
                for path in [
                    "/fluxa/wallet/api/agent/self/status",
                    "/fluxa/wallet/api/mandates",
                ] {
                    for _ in 0..5 {
                        let (status, body) = h.get_bearer(path, jwt);
                        assert_eq!(status, 200, "{body}");
                    }
                }
            });
        }
    });
    assert_eq!(std::fs::read(a.state_path()).unwrap(), before);
    assert_eq!(std::fs::metadata(a.state_path()).unwrap().ino(), ino);
    let (_, log) = b.get("/_sandbox/requests");
    assert_eq!(log["counts"]["GET /fluxa/wallet/api/agent/self/status"], 20);

    // A change made through one server is seen by the next read at the other.
    let agent = reg["agent_id"].as_str().unwrap();
    set_owner_approval(a.state_path(), "AGENTCRED_FLUXA_WALLET_URL", agent, false).unwrap();
    let (status, _) = b.get_bearer("/fluxa/wallet/api/agent/self/status", &jwt);
    assert_eq!(status, 403);
}

#[test]
fn dropping_a_sandbox_stops_it() {
    let h = Harness::start();
    let url = h.url("/_sandbox/health");
    let client = h.client.clone();
    drop(h);
    assert!(client.get(url).send().is_err());
}

#[test]
fn the_control_routes_need_the_control_token_except_health() {
    let h = Harness::start();
    for (method, path) in [
        ("GET", "/_sandbox/requests"),
        ("DELETE", "/_sandbox/requests"),
        ("POST", "/_sandbox/faults"),
        ("PUT", "/_sandbox/knobs"),
        ("GET", "/_sandbox/knobs"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let request = h
            .client
            .request(method.clone(), h.url(path))
            .json(&json!({}));
        let (status, _) = h.send(request.bearer_auth("sbx_wrong"));
        assert_eq!(status, 401, "{method} {path} with a wrong token");
        let status = h
            .client
            .request(method.clone(), h.url(path))
            .send()
            .unwrap()
            .status();
        assert_eq!(status, 401, "{method} {path} without a token");
    }
    assert_eq!(h.get("/_sandbox/requests").0, 200, "with the token");
    let status = h
        .client
        .get(h.url("/_sandbox/health"))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 200);
}

#[test]
fn secret_named_fields_are_not_logged_in_clear() {
    let h = Harness::start();
    h.post_raw(
        "/authpi/idp/i_sandbox/token",
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials&client_id=c1&client_secret=cs_very_secret_value",
    );
    h.post_json(
        "/fluxa/agentid/refresh",
        &json!({"agent_id": "ag_1", "token": "tok_refresh_secret", "nested": {"apiKey": "sk_k"}}),
    );
    let (_, log) = h.get("/_sandbox/requests");
    let text = log.to_string();
    for secret in ["cs_very_secret_value", "tok_refresh_secret", "sk_k"] {
        assert!(!text.contains(secret), "{secret} logged: {text}");
    }
    assert!(
        text.contains(&support::log_fingerprint("cs_very_secret_value")),
        "{text}"
    );
    assert!(text.contains("\"client_id\":\"c1\""), "{text}");
}
