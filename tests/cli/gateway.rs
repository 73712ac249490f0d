//! The credential gateway (`exec --gateway`, `agentcred gateway`): a child works for several
//! credential lifetimes without seeing a credential, refreshes are one per lifetime, the
//! gateway token is required, nothing but the recorded endpoints is reachable, and stored
//! secrets are redacted from what comes back (docs/cli-contract.md §10).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use base64::Engine;
use serde_json::{Value, json};

use crate::support::{Home, Server};

/// The child of `exec --gateway`: requests from 4 threads for `secs` seconds, then a report.
const CHILD: &str = r#"
import json, os, sys, threading, time, urllib.request, urllib.error

base, token = os.environ["WALLET_API"], os.environ["AGENT_JWT"]
deadline = time.monotonic() + float(sys.argv[1])
statuses, lock = [], threading.Lock()

def get(path, auth=True):
    headers = {"Authorization": "Bearer " + token} if auth else {}
    request = urllib.request.Request(base + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

def worker():
    while time.monotonic() < deadline:
        status, _ = get("/api/agent/self/status")
        with lock:
            statuses.append(status)
        time.sleep(0.02)

threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
report = {
    "statuses": statuses,
    "without_token": get("/api/agent/self/status", auth=False)[0],
    "env": dict(os.environ),
}
with open(sys.argv[2], "w") as f:
    json.dump(report, f)
sys.exit(0 if statuses and all(s == 200 for s in statuses) else 1)
"#;

#[test]
fn a_child_works_through_many_jwt_lifetimes_with_one_refresh_each_and_no_credential() {
    let server = Server::start();
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 2}}));
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["--profile", "fa", "register", "fluxa", "--name", "gw-agent"])
        .ok();
    home.approve_owner(&server, Some("fa"));
    let script = home.path().join("child.py");
    std::fs::write(&script, CHILD).unwrap();
    let report_path = home.path().join("report.json");
    server.clear_requests();

    // Three 2-second lifetimes and then some.
    let run = home.run(&[
        "exec",
        "--gateway",
        "--",
        "python3",
        script.to_str().unwrap(),
        "7",
        report_path.to_str().unwrap(),
    ]);
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&report_path)
            .unwrap_or_else(|e| panic!("no report ({e}): {}", run.all())),
    )
    .unwrap();
    assert_eq!(run.code, 0, "a request failed: {}", run.all());
    let requests = report["statuses"].as_array().unwrap().len() as u64;
    assert_eq!(report["without_token"], 401);

    // One refresh per lifetime: not per request, not per concurrent request.
    let refreshes = server.count("POST /fluxa/agentid/refresh");
    let forwarded = server.count("GET /fluxa/wallet/api/agent/self/status");
    eprintln!("gateway: {requests} requests, {refreshes} refreshes in 7 s of 2 s JWTs");
    // A request that reaches the service just after its credential expired (the sandbox
    // queues requests on its state file) is refreshed and retried once: at most one retry per
    // request in flight (4) at each lifetime's end.
    assert!(
        (requests..=requests + 4 * refreshes).contains(&forwarded),
        "{forwarded} forwarded for {requests} requests and {refreshes} refreshes"
    );
    assert!(
        (3..=12).contains(&refreshes),
        "{refreshes} refreshes for {requests} requests over 7 s of 2 s JWTs"
    );
    assert!(
        requests >= 5 * refreshes,
        "{refreshes} refreshes for {requests} requests"
    );

    // The child saw no credential: nothing the store holds, and no real JWT at all.
    let env = report["env"].as_object().unwrap();
    let stored = home.stored_secrets();
    for (name, value) in env {
        let value = value.as_str().unwrap();
        for (account, secret) in &stored {
            assert_ne!(value, secret.as_str().unwrap(), "{name} holds {account}");
        }
        if let Some(claims) = jwt_header(value) {
            assert_eq!(claims["alg"], "none", "{name} holds a signed JWT");
        }
    }
    assert_eq!(env["AGENT_JWT"], env["AGENTCRED_GATEWAY_TOKEN"]);
    assert!(!env.contains_key("AGENTCRED_TOKEN"));
    assert!(
        env["WALLET_API"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
}

/// The header of a JWT-shaped value.
fn jwt_header(value: &str) -> Option<Value> {
    let header = value.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `agentcred --json gateway` in the background, with what it printed.
struct Gateway {
    child: Child,
    info: Value,
}

impl Gateway {
    fn start(home: &Home) -> Gateway {
        let mut child = home
            .command(&["--json", "gateway"])
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
        Gateway { child, info }
    }

    fn token(&self) -> &str {
        self.info["token"].as_str().unwrap()
    }

    fn url(&self, endpoint: &str) -> String {
        self.info["urls"][endpoint].as_str().unwrap().to_owned()
    }

    fn addr(&self) -> String {
        self.info["base_url"]
            .as_str()
            .unwrap()
            .trim_start_matches("http://")
            .to_owned()
    }

    /// A request written by hand, target exactly as given: (status, body).
    fn raw(&self, target: &str, token: Option<&str>) -> (u16, String) {
        let mut stream = TcpStream::connect(self.addr()).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream,
            "GET {target} HTTP/1.1\r\nHost: {}\r\n{auth}Connection: close\r\n\r\n",
            self.addr()
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    fn stop(mut self) -> i32 {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::blocking::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

fn proxy_home(server: &Server) -> (Home, String) {
    let mut home = Home::new();
    home.use_server(server);
    let key = agentcred::sandbox_host::demo_credential("PROXY_API_KEY").unwrap();
    home.set("PROXY_API_KEY", key);
    home.run(&[
        "--profile",
        "px",
        "register",
        "proxy",
        "--external-id",
        "gw-1",
        "--user",
        agentcred_sandbox::proxy::DEMO_USER_ALICE,
        "--name",
        "Gateway Agent",
    ])
    .ok();
    let agent_id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    (home, agent_id)
}

#[test]
fn only_the_gateway_token_opens_it_and_only_the_recorded_endpoints_are_reachable() {
    let server = Server::start();
    let (home, agent_id) = proxy_home(&server);
    let gateway = Gateway::start(&home);
    let token = gateway.token().to_owned();
    assert_eq!(gateway.info["profile"], "px");
    assert_eq!(
        gateway.info["env"]["AGENTCRED_GATEWAY_TOKEN"],
        token.as_str()
    );
    assert_eq!(
        gateway.info["env"]["AGENTCRED_BASE_URL_API"],
        gateway.url("api").as_str()
    );
    let agent = format!("/api/v1/agents/{agent_id}");

    assert_eq!(gateway.raw(&agent, Some(&token)).0, 200);
    assert_eq!(gateway.raw(&agent, None).0, 401);
    assert_eq!(gateway.raw(&agent, Some("agw_not_the_token")).0, 401);
    // The real credential is not a gateway token either.
    assert_eq!(gateway.raw(&agent, Some(&home.stored("px:token"))).0, 401);
    server.clear_requests();
    for target in [
        "/api/../proxy/v1/agents".to_owned(),
        "/api/v1/../../fluxa/agentid/register".to_owned(),
        "/api/%2e%2e/proxy/v1/agents".to_owned(),
        "/api/%2E%2E/proxy/v1/agents".to_owned(),
        "/api/v1/agents%2f..%2f..".to_owned(),
        "//127.0.0.2:1/x".to_owned(),
        "/api//127.0.0.2:1/x".to_owned(),
        format!("http://127.0.0.2:1{agent}"),
        format!("http://{}{agent}", gateway.addr()),
    ] {
        let (status, body) = gateway.raw(&target, Some(&token));
        assert_eq!(status, 400, "{target}: {body}");
    }
    assert_eq!(gateway.raw("/nope/v1/agents", Some(&token)).0, 404);
    let log = server.requests();
    assert_eq!(
        log["requests"].as_array().unwrap().len(),
        0,
        "a refused request reached the service: {log}"
    );
    assert_eq!(gateway.stop(), 0);
}

#[test]
fn stored_secrets_in_a_response_reach_the_child_redacted() {
    let server = Server::start();
    let (home, agent_id) = proxy_home(&server);
    let agent_token = home.stored("px:token");
    let key = agentcred::sandbox_host::demo_credential("PROXY_API_KEY").unwrap();
    // The operator writes the agent's own token into its description: the service now echoes
    // a stored secret in every answer about the agent.
    let patched = http()
        .patch(format!("{}/proxy/v1/agents/{agent_id}", server.base))
        .header("Api-Key", key)
        .json(&json!({"description": format!("leaked {agent_token} and {key} here")}))
        .send()
        .unwrap();
    assert!(patched.status().is_success(), "{}", patched.text().unwrap());

    let gateway = Gateway::start(&home);
    let response = http()
        .get(format!("{}/v1/agents/{agent_id}", gateway.url("api")))
        .bearer_auth(gateway.token())
        .send()
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.text().unwrap();
    assert!(!body.contains(&agent_token), "{body}");
    assert!(!body.contains(key), "the operator key too: {body}");
    let agent: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        agent["description"], "leaked <redacted> and <redacted> here",
        "{body}"
    );
    assert_eq!(agent["id"], agent_id.as_str(), "the rest is untouched");
}

#[test]
fn a_rejected_credential_is_refreshed_once_and_the_request_retried() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "fx",
        "register",
        "fluxra",
        "--name",
        "gw-fluxra",
    ])
    .ok();
    let agent_id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // A JWT that looks valid for an hour but the service does not accept (issued two minutes
    // ago: a credential younger than the floor is not replaced after a 401).
    let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let forged = format!(
        "{}.{}.c2lnbmF0dXJl",
        b64(json!({"alg": "ES256", "typ": "JWT"})),
        b64(json!({"sub": agent_id, "iat": now - 120, "exp": now + 3480}))
    );
    home.overwrite_secret("fx:jwt", &forged);
    let gateway = Gateway::start(&home);
    server.clear_requests();

    let keys = format!("{}/api/agents/{agent_id}", gateway.url("api"));
    for _ in 0..3 {
        let response = http()
            .get(&keys)
            .bearer_auth(gateway.token())
            .send()
            .unwrap();
        assert_eq!(response.status(), 200, "{}", response.text().unwrap());
    }
    assert_eq!(server.count("POST /fluxra/api/auth/token"), 1);
    assert_eq!(
        server.count(&format!("GET /fluxra/api/agents/{agent_id}")),
        4,
        "the first request twice, then one each"
    );
    assert_ne!(home.stored("fx:jwt"), forged, "the new JWT was stored");
}
