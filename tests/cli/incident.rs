//! The incident ladder end to end against the real sandbox: credentials minted for one run
//! and revoked at its end however it ends (`--ephemeral`), `freeze` stopping running gateways
//! and every host of a vault profile, and `leaks scan --rotate`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use agentcred_sandbox::authpi::{DEMO_ACCOUNT_ID, DEMO_ISSUER_ID, DEMO_KEY_ID, DEMO_KEY_SECRET};
use serde_json::{Value, json};

use crate::support::{Bao, Home, Server};

/// The child: requests `AGENTCRED_BASE_URL_<ENDPOINT>` + PATH through the gateway, once or in
/// a loop until a stop file appears, appending `{"t", "status", "code"}` lines to a report;
/// with a sixth argument, only once that file exists.
const CHILD: &str = r#"
import json, os, sys, time, urllib.request, urllib.error
endpoint, path, report, stop = sys.argv[1:5]
while len(sys.argv) > 5 and not os.path.exists(sys.argv[5]):
    time.sleep(0.05)
url = os.environ["AGENTCRED_BASE_URL_" + endpoint.upper()] + path
token = os.environ["AGENTCRED_GATEWAY_TOKEN"]
def once():
    t = time.time()
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, code = r.status, None
    except urllib.error.HTTPError as e:
        status, code = e.code, e.headers.get("x-agentcred-error")
    with open(report, "a") as f:
        f.write(json.dumps({"t": t, "status": status, "code": code}) + "\n")
once()
while stop != "-" and not os.path.exists(stop):
    time.sleep(0.05)
    once()
"#;

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn write_child(home: &Home) -> String {
    let path = home.path().join("child.py");
    std::fs::write(&path, CHILD).unwrap();
    path.to_str().unwrap().to_owned()
}

fn report(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

/// Every stored secret of the file store: `{"PROFILE:KIND": value}` (per-profile files, and
/// the single file of earlier releases).
fn stored_secrets(home: &Home) -> serde_json::Map<String, Value> {
    let data = home.path().join("data");
    let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("secrets"))
        .map(|e| e.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.push(data.join("secrets.json"));
    let mut all = serde_json::Map::new();
    for file in files {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let doc: Value = serde_json::from_str(&text).unwrap();
            all.extend(doc["secrets"].as_object().cloned().unwrap_or_default());
        }
    }
    all
}

fn stored(home: &Home, account: &str) -> String {
    stored_secrets(home)[account].as_str().unwrap().to_owned()
}

fn agent_id(home: &Home) -> String {
    home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A profile of one service, ready, and what the sandbox calls its run credentials.
struct Setup {
    home: Home,
    agent: String,
    /// The endpoint and path the child reads through the gateway.
    endpoint: &'static str,
    path: String,
    /// (method, path prefix) of creating and revoking a run credential.
    create: (&'static str, String),
    revoke: (&'static str, String),
}

fn proxy(server: &Server) -> Setup {
    let mut home = Home::new();
    home.use_server(server)
        .set("PROXY_API_KEY", agentcred_sandbox::proxy::DEMO_API_KEY);
    home.run(&[
        "--profile",
        "p",
        "register",
        "proxy",
        "--external-id",
        "inc-1",
        "--user",
        agentcred_sandbox::proxy::DEMO_USER_ALICE,
        "--name",
        "Incident Agent",
    ])
    .ok();
    let agent = agent_id(&home);
    Setup {
        path: format!("/v1/agents/{agent}"),
        create: ("POST", format!("/proxy/v1/agents/{agent}/tokens")),
        revoke: ("DELETE", format!("/proxy/v1/agents/{agent}/tokens/")),
        endpoint: "api",
        home,
        agent,
    }
}

fn fluxra(server: &Server) -> Setup {
    let mut home = Home::new();
    home.use_server(server);
    home.run(&[
        "--profile",
        "p",
        "register",
        "fluxra",
        "--name",
        "incident-bot",
    ])
    .ok();
    let agent = agent_id(&home);
    Setup {
        path: format!("/api/agents/{agent}"),
        create: ("POST", format!("/fluxra/api/agents/{agent}")),
        revoke: ("DELETE", format!("/fluxra/api/agents/{agent}/keys/")),
        endpoint: "api",
        home,
        agent,
    }
}

fn authpi(server: &Server) -> Setup {
    let mut home = Home::new();
    home.use_server(server)
        .set("AUTHPI_KEY_ID", DEMO_KEY_ID)
        .set("AUTHPI_KEY_SECRET", DEMO_KEY_SECRET);
    home.run(&[
        "--profile",
        "p",
        "register",
        "authpi",
        "--account",
        DEMO_ACCOUNT_ID,
        "--issuer",
        DEMO_ISSUER_ID,
        "--name",
        "incident-bot",
    ])
    .ok();
    let agent = agent_id(&home);
    let agents = format!(
        "/authpi/api/v1/accounts/{DEMO_ACCOUNT_ID}/issuers/{DEMO_ISSUER_ID}/agents/{agent}/verifiers"
    );
    Setup {
        path: format!("/{DEMO_ISSUER_ID}/userinfo"),
        create: ("POST", agents.clone()),
        revoke: ("DELETE", format!("{agents}/")),
        endpoint: "idp",
        home,
        agent,
    }
}

/// Requests logged since the last clear that match (method, exact path or prefix ending '/').
fn logged(server: &Server, (method, path): &(&str, String)) -> usize {
    server.requests()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["method"] == *method && {
                let p = r["path"].as_str().unwrap();
                if path.ends_with('/') {
                    p.starts_with(path.as_str()) && p.len() > path.len()
                } else {
                    p == path
                }
            }
        })
        .count()
}

/// Every credential in the sandbox's state named `agentcred-run-...` (tokens, keys,
/// verifiers; not the copies of answers the sandbox keeps for idempotent replays, which
/// carry the secret itself).
fn run_credentials(server: &Server) -> Vec<Value> {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(map) => {
                if map
                    .get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.starts_with("agentcred-run-"))
                    && (map.contains_key("revoked_at") || map.contains_key("usage_count"))
                    && !map.contains_key("secret")
                    && !map.contains_key("token")
                {
                    out.push(v.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
    let mut out = Vec::new();
    walk(&state, &mut out);
    out
}

/// Whether the sandbox still accepts a run credential: active, not revoked, still listed.
fn still_valid(credential: &Value) -> bool {
    credential["revoked_at"].is_null()
        && credential["is_active"].as_bool().unwrap_or(true)
        && credential["status"].as_str().is_none_or(|s| s == "active")
}

fn pending_files(home: &Home) -> Vec<PathBuf> {
    let dir = home.path().join("data/runs/p");
    std::fs::read_dir(dir)
        .map(|e| e.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default()
}

fn ephemeral_run(setup: fn(&Server) -> Setup) {
    let server = Server::start();
    let s = setup(&server);
    let child = write_child(&s.home);
    let report_path = s.home.path().join("report.jsonl");
    let stored_before = stored_secrets(&s.home);
    server.clear_requests();
    let run = s.home.run(&[
        "exec",
        "--gateway",
        "--ephemeral",
        "--",
        "python3",
        &child,
        s.endpoint,
        &s.path,
        report_path.to_str().unwrap(),
        "-",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    let statuses = report(&report_path);
    assert_eq!(statuses.len(), 1, "{}", run.all());
    assert_eq!(statuses[0]["status"], 200, "{statuses:?} {}", run.all());
    run.mentions(&["agentcred-run-", "Revoked"]);

    // One create at the start, one revoke at the end.
    assert_eq!(logged(&server, &s.create), 1, "{}", run.all());
    assert_eq!(logged(&server, &s.revoke), 1, "{}", run.all());
    // The run's own credential, named for a person, now refused by the service (revoked, or
    // gone with its verifier).
    let minted = run_credentials(&server);
    assert!(minted.len() <= 1, "{minted:?}");
    assert!(
        minted.iter().all(|c| !still_valid(c)),
        "still valid: {minted:?}"
    );
    // The profile's own secrets were neither used for the run nor replaced.
    assert_eq!(stored_secrets(&s.home), stored_before);
    assert!(pending_files(&s.home).is_empty());
    let _ = s.agent;
}

#[test]
fn an_ephemeral_proxy_run_mints_uses_and_revokes_a_token_of_its_own() {
    ephemeral_run(proxy);
    // The child's requests carry the run's token, not the profile's: with the profile's own
    // token revoked at the service while the run goes on, they still succeed.
    with_own_credential_revoked_mid_run(proxy, |server, s| {
        let state: Value =
            serde_json::from_str(&std::fs::read_to_string(&server.state).unwrap()).unwrap();
        let own = state["proxy"]["tokens"]
            .as_object()
            .unwrap()
            .values()
            .find(|t| t["name"].is_null())
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        reqwest::blocking::Client::new()
            .delete(format!(
                "{}/v1/agents/{}/tokens/{own}",
                server.url("AGENTCRED_PROXY_URL"),
                s.agent
            ))
            .header("Api-Key", agentcred_sandbox::proxy::DEMO_API_KEY)
            .send()
            .unwrap()
            .status()
            .as_u16()
    });
}

/// Start a run whose child makes its request only after `revoke` revoked the profile's own
/// credential at the service: the request succeeding shows the gateway used the run's.
fn with_own_credential_revoked_mid_run(
    setup: fn(&Server) -> Setup,
    revoke: impl Fn(&Server, &Setup) -> u16,
) {
    let server = Server::start();
    let s = setup(&server);
    let child = write_child(&s.home);
    let report_path = s.home.path().join("r.jsonl");
    let go = s.home.path().join("go");
    let mut run = s
        .home
        .command(&[
            "exec",
            "--gateway",
            "--ephemeral",
            "--",
            "python3",
            &child,
            s.endpoint,
            &s.path,
            report_path.to_str().unwrap(),
            "-",
            go.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_run(&s.home, &mut run);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let status = revoke(&server, &s);
    assert!(
        (200..300).contains(&status),
        "revoking the profile's own credential: {status}"
    );
    std::fs::write(&go, "").unwrap();
    assert!(run.wait().unwrap().success());
    assert_eq!(report(&report_path)[0]["status"], 200);
}

#[test]
fn an_ephemeral_fluxra_run_mints_uses_and_revokes_an_api_key_of_its_own() {
    ephemeral_run(fluxra);
    // Fluxra refuses every JWT of a revoked key: the child's JWT came from the run's key.
    with_own_credential_revoked_mid_run(fluxra, |server, s| {
        let shown = s.home.run(&["--json", "profiles", "show"]).ok().json();
        let key = shown["record"]["key_id"].as_str().unwrap().to_owned();
        reqwest::blocking::Client::new()
            .delete(format!(
                "{}/api/agents/{}/keys/{key}",
                server.url("AGENTCRED_FLUXRA_URL"),
                s.agent
            ))
            .basic_auth(&s.agent, Some(stored(&s.home, "p:recovery_key")))
            .send()
            .unwrap()
            .status()
            .as_u16()
    });
}

#[test]
fn an_ephemeral_authpi_run_mints_uses_and_revokes_a_client_secret_of_its_own() {
    ephemeral_run(authpi);
    // The run's access tokens came from the run's verifier: the profile's was not used.
    let server = Server::start();
    let s = authpi(&server);
    let child = write_child(&s.home);
    let report_path = s.home.path().join("r.jsonl");
    let before = s.home.run(&["--json", "verifiers", "list"]).ok().json()["verifiers"].clone();
    s.home
        .run(&[
            "exec",
            "--gateway",
            "--ephemeral",
            "--",
            "python3",
            &child,
            "idp",
            &s.path,
            report_path.to_str().unwrap(),
            "-",
        ])
        .ok();
    let after = s.home.run(&["--json", "verifiers", "list"]).ok().json()["verifiers"].clone();
    assert_eq!(before, after, "the profile's verifier was used or changed");
}

#[test]
fn an_ephemeral_fluxa_run_mints_nothing_and_works() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["--profile", "p", "register", "fluxa", "--name", "inc-fa"])
        .ok();
    home.approve_owner(&server, Some("p"));
    let child = write_child(&home);
    let report_path = home.path().join("r.jsonl");
    let run = home.run(&[
        "exec",
        "--gateway",
        "--ephemeral",
        "--",
        "python3",
        &child,
        "wallet",
        "/api/agent/self/status",
        report_path.to_str().unwrap(),
        "-",
    ]);
    assert_eq!(run.code, 0, "{}", run.all());
    run.mentions(&["nothing was minted"]);
    assert_eq!(report(&report_path)[0]["status"], 200);
    assert!(run_credentials(&server).is_empty());
}

#[test]
fn ephemeral_needs_the_gateway() {
    let server = Server::start();
    let s = proxy(&server);
    s.home
        .run(&["exec", "--ephemeral", "--", "true"])
        .code(2)
        .mentions(&["--gateway"]);
    assert!(run_credentials(&server).is_empty());
}

#[test]
fn a_child_killed_by_sigkill_still_gets_its_run_credential_revoked() {
    let server = Server::start();
    let s = proxy(&server);
    let run = s.home.run(&[
        "exec",
        "--gateway",
        "--ephemeral",
        "--",
        "sh",
        "-c",
        "kill -KILL $$",
    ]);
    assert_eq!(run.code, 137, "{}", run.all());
    let minted = run_credentials(&server);
    assert_eq!(minted.len(), 1);
    assert!(!still_valid(&minted[0]), "{}", minted[0]);
    assert!(pending_files(&s.home).is_empty());
}

/// Wait until `home` records a pending run credential (the run is going).
fn wait_for_run(home: &Home, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while pending_files(home).is_empty() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it started"
        );
        assert!(Instant::now() < deadline, "no run started");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Let the gateway start and the child run.
    std::thread::sleep(Duration::from_millis(500));
}

fn signal(child: &Child, name: &str) {
    let ok = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

#[test]
fn agentcred_stopped_by_sigterm_revokes_the_run_credential() {
    let server = Server::start();
    let s = proxy(&server);
    let mut child = s
        .home
        .command(&["exec", "--gateway", "--ephemeral", "--", "sleep", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_run(&s.home, &mut child);
    assert!(still_valid(&run_credentials(&server)[0]));
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(143));
    let minted = run_credentials(&server);
    assert!(
        !still_valid(&minted[0]),
        "{} {}",
        minted[0],
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(pending_files(&s.home).is_empty());
}

#[test]
fn a_foreground_gateway_stopped_by_sighup_revokes_its_credential() {
    let server = Server::start();
    let s = fluxra(&server);
    let mut child = s
        .home
        .command(&["--json", "gateway", "--ephemeral"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut text = String::new();
    let info: Value = loop {
        text.push_str(&lines.next().expect("the gateway printed").unwrap());
        if let Ok(v) = serde_json::from_str(&text) {
            break v;
        }
    };
    assert!(
        info["run_credential"]
            .as_str()
            .unwrap()
            .starts_with("agentcred-run-")
    );
    let url = format!(
        "{}/api/agents/{}",
        info["urls"]["api"].as_str().unwrap(),
        s.agent
    );
    let _ = rustls::crypto::ring::default_provider().install_default();
    let status = reqwest::blocking::Client::new()
        .get(&url)
        .bearer_auth(info["token"].as_str().unwrap())
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 200, "{url}");
    assert!(still_valid(&run_credentials(&server)[0]));
    signal(&child, "HUP");
    child.wait().unwrap();
    assert!(!still_valid(&run_credentials(&server)[0]));
    assert!(pending_files(&s.home).is_empty());
}

#[test]
fn a_revocation_the_service_refused_is_listed_by_doctor_and_done_by_the_next_command() {
    let server = Server::start();
    let s = proxy(&server);
    // The child makes the service fail every revocation of the run's token, as a service
    // that is down at the end of the run would.
    let script = format!(
        r#"import glob, json, urllib.request
p = json.load(open(glob.glob("{home}/data/runs/p/*.json")[0]))
body = json.dumps({{"method": "DELETE", "path": "/proxy/v1/agents/{agent}/tokens/" + p["credential_id"], "count": 1000}}).encode()
urllib.request.urlopen(urllib.request.Request("{base}/_sandbox/faults", data=body, headers={{"Content-Type": "application/json", "Authorization": "Bearer {control}"}}))
"#,
        home = s.home.path().display(),
        agent = s.agent,
        base = server.base,
        control = server.control_token
    );
    let run = s.home.run(&[
        "exec",
        "--gateway",
        "--ephemeral",
        "--",
        "python3",
        "-c",
        &script,
    ]);
    assert_eq!(
        run.code,
        0,
        "the child's exit code stays the command's: {}",
        run.all()
    );
    run.mentions(&["could not revoke", "doctor"]);
    assert_eq!(pending_files(&s.home).len(), 1);
    assert!(still_valid(&run_credentials(&server)[0]));

    // doctor tries again (still refused) and lists it.
    let doctor = s.home.run(&["--json", "doctor"]);
    let listed = &doctor.json()["pending_revocations"];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{}", doctor.all());
    assert!(
        listed[0]["name"]
            .as_str()
            .unwrap()
            .starts_with("agentcred-run-")
    );
    assert!(listed[0]["last_error"].is_string());

    // The service is back: the next command on the profile revokes it.
    reqwest::blocking::Client::new()
        .delete(format!("{}/_sandbox/faults", server.base))
        .bearer_auth(&server.control_token)
        .send()
        .unwrap();
    let token = s.home.run(&["--reveal", "token"]).ok();
    token.mentions(&["Revoked", "earlier run"]);
    assert!(!still_valid(&run_credentials(&server)[0]));
    assert!(pending_files(&s.home).is_empty());
    let doctor = s.home.run(&["--json", "doctor"]);
    assert_eq!(doctor.json()["pending_revocations"], json!([]));
}

#[test]
fn a_run_killed_outright_is_revoked_by_the_next_command() {
    let server = Server::start();
    let s = proxy(&server);
    let mut child = s
        .home
        .command(&["exec", "--gateway", "--ephemeral", "--", "sleep", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_run(&s.home, &mut child);
    // While the run goes on, another command on the profile leaves its credential alone.
    s.home.run(&["--reveal", "token"]).ok();
    assert!(still_valid(&run_credentials(&server)[0]));
    signal(&child, "KILL");
    child.wait().unwrap();
    assert_eq!(pending_files(&s.home).len(), 1);
    s.home.run(&["status"]).ok();
    assert!(!still_valid(&run_credentials(&server)[0]));
    assert!(pending_files(&s.home).is_empty());
}

// ------------------------------------------------------------------------------------------
// freeze

#[test]
fn freeze_stops_a_running_gateway_within_a_second_and_unfreeze_restores_it() {
    let server = Server::start();
    let s = proxy(&server);
    let child = write_child(&s.home);
    let report_path = s.home.path().join("loop.jsonl");
    let stop = s.home.path().join("stop");
    let mut run = s
        .home
        .command(&[
            "exec",
            "--gateway",
            "--",
            "python3",
            &child,
            "api",
            &s.path,
            report_path.to_str().unwrap(),
            stop.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while report(&report_path).len() < 3 {
        assert!(Instant::now() < deadline, "the loop did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // From another process.
    let froze = s.home.run(&["freeze", "--reason", "runaway loop"]).ok();
    assert!(froze.stdout.contains("Froze"), "{}", froze.all());
    let frozen_at = now();
    std::thread::sleep(Duration::from_millis(2500));
    let refused = s.home.run(&["--json", "--reveal", "token"]).code(8);
    assert_eq!(refused.error_json()["error"]["code"], "frozen");
    refused.mentions(&["runaway loop"]);
    s.home.run(&["exec", "--", "true"]).code(8);
    s.home.run(&["refresh"]).code(8);
    let status = s.home.run(&["status"]).code(8);
    assert!(!status.stdout.is_empty(), "the status is still shown");
    s.home
        .run(&["--profile", "p", "mcp"])
        .code(8)
        .mentions(&["frozen"]);
    let check = s.home.run(&["--json", "status", "--check"]).code(8);
    assert_eq!(check.json()["health"], "frozen");
    // The window of the freeze ends when unfreeze starts: it lifts the freeze before it
    // returns.
    let unfreezing_at = now();
    s.home.run(&["unfreeze"]).ok();
    let unfrozen_at = now();
    std::thread::sleep(Duration::from_millis(2500));
    std::fs::write(&stop, "").unwrap();
    run.wait().unwrap();

    let lines = report(&report_path);
    let t = |l: &Value| l["t"].as_f64().unwrap();
    let while_frozen: Vec<&Value> = lines
        .iter()
        .filter(|l| t(l) > frozen_at + 1.0 && t(l) < unfreezing_at)
        .collect();
    assert!(while_frozen.len() >= 3, "{lines:?}");
    for l in &while_frozen {
        assert_eq!(l["status"], 403, "a request forwarded while frozen: {l}");
        assert_eq!(l["code"], "frozen", "{l}");
    }
    let first_refused = lines.iter().find(|l| l["status"] == 403).map(t).unwrap();
    eprintln!(
        "freeze: first refusal {:.0} ms after `freeze` returned",
        (first_refused - frozen_at) * 1000.0
    );
    let after: Vec<&Value> = lines.iter().filter(|l| t(l) > unfrozen_at + 1.0).collect();
    assert!(
        !after.is_empty() && after.iter().all(|l| l["status"] == 200),
        "{after:?}"
    );
    s.home.run(&["--reveal", "token"]).ok();

    // The freeze and its lifting are in the audit log, in order, with the reason.
    let audit = s.home.run(&["--json", "audit"]).ok().json();
    let events: Vec<&Value> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "freeze" || e["event"] == "unfreeze")
        .collect();
    assert_eq!(events.len(), 2, "{audit}");
    assert_eq!(events[0]["event"], "freeze");
    assert_eq!(events[0]["reason"], "runaway loop");
    assert_eq!(events[1]["event"], "unfreeze");
    assert_eq!(events[1]["was_frozen"], true);
    s.home.run(&["audit", "verify"]).ok();
}

#[test]
fn freeze_upstream_suspends_the_agents_and_revokes_spares_and_run_credentials() {
    let server = Server::start();
    let s = proxy(&server);
    s.home.run(&["tokens", "create"]).ok();
    // A run going on with a credential of its own.
    let mut run = s
        .home
        .command(&["exec", "--gateway", "--ephemeral", "--", "sleep", "30"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_run(&s.home, &mut run);
    assert!(still_valid(&run_credentials(&server)[0]));
    let view = s
        .home
        .run(&[
            "--json",
            "freeze",
            "--upstream",
            "--reason",
            "compromised host",
        ])
        .ok()
        .json();
    let actions = view["profiles"][0]["upstream"].as_array().unwrap();
    assert!(actions.iter().all(|a| a["done"] == true), "{actions:?}");
    assert!(
        actions
            .iter()
            .any(|a| a["action"].as_str().unwrap().contains("spare"))
    );
    let agent = s.home.run(&["--json", "agent", "show"]).ok().json();
    assert_eq!(agent["agent"]["status"], "suspended", "{agent}");
    let tokens = s.home.run(&["--json", "tokens", "list"]).ok().json();
    let active: Vec<&Value> = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["active"] == true)
        .collect();
    assert_eq!(active.len(), 1, "only the profile's own token: {tokens}");
    // The running run's credential was revoked too, and its record is gone.
    assert!(
        actions
            .iter()
            .any(|a| a["action"].as_str().unwrap().contains("agentcred-run-"))
    );
    assert!(!still_valid(&run_credentials(&server)[0]));
    assert!(pending_files(&s.home).is_empty());
    signal(&run, "TERM");
    run.wait().unwrap();

    let server2 = Server::start();
    let a = authpi(&server2);
    let view = a.home.run(&["--json", "freeze", "--upstream"]).ok().json();
    assert_eq!(view["profiles"][0]["upstream"][0]["done"], true, "{view}");
    let agent = a.home.run(&["--json", "agent", "show"]).ok().json();
    assert_eq!(agent["agent"]["status"], "suspended", "{agent}");

    // A service without a suspension says so, and the freeze itself still holds.
    let f = fluxra(&Server::start());
    let view = f.home.run(&["--json", "freeze", "--upstream"]).ok().json();
    let suspend = &view["profiles"][0]["upstream"][0];
    assert_eq!(suspend["done"], false);
    assert!(
        suspend["detail"]
            .as_str()
            .unwrap()
            .contains("no suspension")
    );
    f.home.run(&["token"]).code(8);
}

#[test]
fn a_vault_profile_frozen_on_one_host_is_refused_on_another() {
    let server = Server::start();
    let bao = Bao::start();
    let host = || {
        let mut home = Home::new();
        home.use_server(&server);
        bao.configure(&mut home);
        home
    };
    let first = host();
    first
        .run(&[
            "--profile",
            "fleet",
            "register",
            "fluxra",
            "--name",
            "fleet-bot",
        ])
        .ok();
    let second = host();
    second.run(&["--profile", "fleet", "token"]).ok();

    first.run(&["--profile", "fleet", "freeze"]).ok();
    let refused = second
        .run(&["--json", "--profile", "fleet", "token"])
        .code(8);
    assert_eq!(refused.error_json()["error"]["code"], "frozen");
    first.run(&["--profile", "fleet", "token"]).code(8);
    // Unfrozen from the other host: both work again.
    second.run(&["--profile", "fleet", "unfreeze"]).ok();
    first.run(&["--profile", "fleet", "token"]).ok();
    second.run(&["--profile", "fleet", "token"]).ok();
}

// ------------------------------------------------------------------------------------------
// leaks

/// Encodings of `value` as they appear in files, each inside longer text on its own line.
fn planted(value: &str) -> Vec<(&'static str, String)> {
    use base64::Engine;
    let std = base64::engine::general_purpose::STANDARD;
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let pct: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    vec![
        ("literal", format!("Authorization: Bearer {value}")),
        (
            "json_escaped",
            format!(
                "{{\"tool_result\": {}}}",
                serde_json::to_string(value).unwrap()
            ),
        ),
        ("percent_encoded", format!("GET /cb?token={pct}&x=1")),
        (
            "base64",
            format!("blob: {}", std.encode(format!("k={value};"))),
        ),
        (
            "base64_url",
            format!("blob: {}", url.encode(format!("ab{{\"t\":\"{value}\"}}"))),
        ),
    ]
}

/// `value` with one character changed.
fn decoy(value: &str) -> String {
    let mut bytes = value.as_bytes().to_vec();
    let at = bytes.len() - 1;
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    String::from_utf8(bytes).unwrap()
}

/// 1,000 files: 999 small ones (text with the values planted in every encoding at known
/// lines, decoys one character off in every encoding, binary files holding a value) and one
/// 50 MB log.
fn build_tree(root: &Path, values: &[(String, String)]) -> Vec<(String, u64, String)> {
    let mut expected = Vec::new();
    let filler = "2026-12-06T12:00:00Z INFO agent step done, nothing secret here at all\n";
    for i in 0..999 {
        let dir = root.join(format!("d{}", i % 10));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("f{i:04}.log"));
        if i % 100 == 7 {
            // Binary: a NUL near the start, a value inside; skipped.
            let mut bytes = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
            bytes.extend_from_slice(values[0].1.as_bytes());
            std::fs::write(&path, bytes).unwrap();
            continue;
        }
        let mut text = String::new();
        let mut line = 1;
        for _ in 0..(i % 13) {
            text.push_str(filler);
            line += 1;
        }
        if i % 50 == 3 {
            let (kind, value) = &values[(i / 50) % values.len()];
            for (_, encoded) in planted(value) {
                text.push_str(&encoded);
                text.push('\n');
                expected.push((path.display().to_string(), line, kind.clone()));
                line += 1;
            }
        }
        if i % 50 == 4 {
            for (_, value) in values {
                for (_, encoded) in planted(&decoy(value)) {
                    text.push_str(&encoded);
                    text.push('\n');
                }
            }
        }
        std::fs::write(&path, text).unwrap();
    }
    // The big one: 50 MB of log, values near the end (past many read chunks).
    let big = root.join("d0/big.log");
    let mut text = String::with_capacity(51 << 20);
    let mut line = 1;
    while text.len() < 50 << 20 {
        text.push_str(filler);
        line += 1;
    }
    for (kind, value) in values {
        for (_, encoded) in planted(value) {
            text.push_str(&encoded);
            text.push('\n');
            expected.push((big.display().to_string(), line, kind.clone()));
            line += 1;
        }
    }
    std::fs::write(&big, text).unwrap();
    expected.sort();
    expected.dedup();
    expected
}

#[test]
fn leaks_scan_finds_every_planted_value_and_no_decoy_and_rotate_replaces_them() {
    let server = Server::start();
    let s = proxy(&server);
    // A second profile of another service in the same home.
    s.home
        .run(&[
            "--profile",
            "k",
            "register",
            "fluxra",
            "--name",
            "leaky-bot",
        ])
        .ok();
    s.home.run(&["profiles", "use", "p"]).ok();
    let secrets = stored_secrets(&s.home);
    let token = secrets["p:token"].as_str().unwrap().to_owned();
    let api_key = secrets["k:api_key"].as_str().unwrap().to_owned();
    let recovery = secrets["k:recovery_key"].as_str().unwrap().to_owned();
    let values = vec![
        ("token".to_owned(), token.clone()),
        ("api_key".to_owned(), api_key.clone()),
        ("recovery_key".to_owned(), recovery.clone()),
    ];
    let tree = tempfile::tempdir().unwrap();
    let expected = build_tree(tree.path(), &values);

    let run = s
        .home
        .run(&["--json", "leaks", "scan", tree.path().to_str().unwrap()])
        .code(8);
    assert_eq!(run.error_json()["error"]["code"], "leaks_found");
    for value in [&token, &api_key, &recovery] {
        assert!(!run.stdout.contains(value.as_str()) && !run.stderr.contains(value.as_str()));
    }
    let view = run.json();
    let mut found: Vec<(String, u64, String)> = view["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    assert_eq!(found, expected, "findings differ from what was planted");
    let encodings: std::collections::BTreeSet<&str> = view["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["encoding"].as_str().unwrap())
        .collect();
    // These values need no escaping, so their JSON and percent forms are the literal one,
    // and their base64 forms use no character the two alphabets differ in.
    assert_eq!(
        encodings.into_iter().collect::<Vec<_>>(),
        ["base64", "literal"]
    );
    assert_eq!(view["files"], 1000);
    assert_eq!(view["binary_skipped"], 10);

    // Rotate: the token and the API key are replaced; the recovery key cannot be.
    let run = s
        .home
        .run(&[
            "--json",
            "leaks",
            "scan",
            "--rotate",
            tree.path().to_str().unwrap(),
        ])
        .code(8);
    let view = run.json();
    let rotations = view["rotations"].as_array().unwrap();
    let outcome = |profile: &str, kind: &str| {
        rotations
            .iter()
            .find(|r| r["profile"] == profile && r["kind"] == kind)
            .unwrap_or_else(|| panic!("no rotation of {profile} {kind}: {rotations:?}"))["outcome"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(outcome("p", "token"), "rotated", "{rotations:?}");
    assert_eq!(outcome("k", "api_key"), "rotated", "{rotations:?}");
    assert_eq!(outcome("k", "recovery_key"), "cannot_rotate");
    let rescan = view["rescan"]["findings"].as_array().unwrap();
    assert!(
        rescan.iter().all(|f| f["kind"] == "recovery_key"),
        "only the recovery key is still found: {rescan:?}"
    );
    assert!(!rescan.is_empty());

    // The old values are refused by the sandbox, the new ones work.
    let secrets = stored_secrets(&s.home);
    let new_token = secrets["p:token"].as_str().unwrap();
    assert_ne!(new_token, token);
    assert_ne!(secrets["k:api_key"].as_str().unwrap(), api_key);
    let http = reqwest::blocking::Client::new();
    let agent_url = format!(
        "{}/v1/agents/{}",
        server.url("AGENTCRED_PROXY_URL"),
        s.agent
    );
    let status = |bearer: &str| {
        http.get(&agent_url)
            .bearer_auth(bearer)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status(&token), 401);
    assert_eq!(status(new_token), 200);
    let fluxra_agent = s.home.run(&["--json", "profiles", "show", "k"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let exchange = |key: &str| {
        http.post(format!(
            "{}/api/auth/token",
            server.url("AGENTCRED_FLUXRA_URL")
        ))
        .basic_auth(&fluxra_agent, Some(key))
        .json(&json!({"grant_type": "client_credentials"}))
        .send()
        .unwrap()
        .status()
        .as_u16()
    };
    assert_eq!(exchange(&api_key), 401);
    assert_eq!(exchange(secrets["k:api_key"].as_str().unwrap()), 200);
    s.home.run(&["--profile", "k", "refresh"]).ok();
}

#[test]
fn leaks_scan_of_a_clean_tree_exits_zero() {
    let server = Server::start();
    let s = proxy(&server);
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(tree.path().join("a.log"), "nothing here\n").unwrap();
    let view = s
        .home
        .run(&["--json", "leaks", "scan", tree.path().to_str().unwrap()])
        .ok()
        .json();
    assert_eq!(view["findings"], json!([]));
    s.home
        .run(&["leaks", "scan", "/nonexistent/path"])
        .code(3)
        .mentions(&["/nonexistent/path"]);
}

#[test]
fn leaks_rotate_replaces_a_leaked_authpi_client_secret() {
    let server = Server::start();
    let s = authpi(&server);
    let old = stored(&s.home, "p:client_secret");
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(
        tree.path().join("transcript.json"),
        format!(
            "{{\"role\":\"tool\",\"content\":{}}}\n",
            serde_json::to_string(&format!("export CLIENT_SECRET={old}")).unwrap()
        ),
    )
    .unwrap();
    let view = s
        .home
        .run(&[
            "--json",
            "leaks",
            "scan",
            "--rotate",
            tree.path().to_str().unwrap(),
        ])
        .ok()
        .json();
    assert_eq!(view["findings"][0]["kind"], "client_secret", "{view}");
    assert_eq!(view["rotations"][0]["outcome"], "rotated", "{view}");
    assert_eq!(view["rescan"]["findings"], json!([]));
    let new = stored(&s.home, "p:client_secret");
    assert_ne!(new, old);
    let token = |secret: &str| {
        reqwest::blocking::Client::new()
            .post(format!(
                "{}/{DEMO_ISSUER_ID}/token",
                server.url("AGENTCRED_AUTHPI_IDP_URL")
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", s.agent.as_str()),
                ("client_secret", secret),
            ])
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(token(&old), 401);
    assert_eq!(token(&new), 200);
    let verifiers = s.home.run(&["--json", "verifiers", "list"]).ok().json();
    assert_eq!(
        verifiers["verifiers"].as_array().unwrap().len(),
        1,
        "the old verifier is removed: {verifiers}"
    );
}

// ------------------------------------------------------------------------------------------
// As local users who are not root

/// `agentcred ARGS` as `uid` with its state in `home` (setpriv; the tests run as root).
fn run_as(uid: u32, home: &Path, args: &[&str]) -> crate::support::Run {
    let inner = Home::new().command(args);
    let mut cmd = std::process::Command::new("setpriv");
    cmd.arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        // The binary, copied where other users can run it if the checkout is not (root's home).
        .arg(crate::isolate::bin())
        .args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.env("AGENTCRED_HOME", home)
        .env("AGENTCRED_STORE", "file")
        .env("HOME", home);
    crate::support::finish(cmd.stdin(Stdio::null()).output().expect("setpriv runs"))
}

#[test]
fn another_local_user_can_neither_lift_a_freeze_nor_read_what_a_scan_cannot() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    const USER: u32 = 1000;
    const OTHER: u32 = 65534;
    let scratch = tempfile::tempdir().unwrap();
    std::fs::set_permissions(scratch.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    let home = scratch.path().join("user-home");
    let r = run_as(
        USER,
        &home,
        &[
            "--profile",
            "p",
            "--sandbox",
            "register",
            "fluxra",
            "--name",
            "frozen-bot",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    run_as(USER, &home, &["freeze", "--reason", "test"]);
    let file = home.join("data/frozen/p.json");
    let meta = std::fs::metadata(&file).unwrap();
    assert_eq!((meta.uid(), meta.mode() & 0o777), (USER, 0o600));
    let dir = std::fs::metadata(file.parent().unwrap()).unwrap();
    assert_eq!(
        dir.mode() & 0o077,
        0,
        "the freeze folder is the user's alone"
    );

    // Another user cannot lift it, nor remove the file.
    let other = run_as(OTHER, &home, &["unfreeze", "p"]);
    assert_ne!(other.code, 0, "{}", other.all());
    assert!(file.exists());
    run_as(USER, &home, &["--sandbox", "token"]).code(8);

    // A scan as the user: a file only root may read is named as unreadable, the rest is
    // scanned, and no value is printed.
    let tree = scratch.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let secrets: Value =
        serde_json::from_str(&std::fs::read_to_string(home.join("data/secrets/p.json")).unwrap())
            .unwrap();
    let api_key = secrets["secrets"]["p:api_key"].as_str().unwrap().to_owned();
    std::fs::write(tree.join("open.log"), format!("key={api_key}\n")).unwrap();
    std::fs::write(tree.join("closed.log"), format!("key={api_key}\n")).unwrap();
    std::fs::set_permissions(
        tree.join("closed.log"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let scan = run_as(
        USER,
        &home,
        &["--json", "leaks", "scan", tree.to_str().unwrap()],
    );
    assert_eq!(scan.code, 8, "{}", scan.all());
    let view = scan.json();
    assert_eq!(view["findings"].as_array().unwrap().len(), 1, "{view}");
    assert!(
        view["findings"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("open.log")
    );
    assert!(
        view["unreadable"][0]
            .as_str()
            .unwrap()
            .contains("closed.log")
    );
    assert!(!scan.all().contains(&api_key));
}

#[test]
fn a_running_mcp_server_refuses_a_profile_frozen_meanwhile() {
    let server = Server::start();
    let s = proxy(&server);
    let mut mcp = crate::hostile::Mcp::start(&s.home, &["--profile", "p"]);
    let path = format!("/api{}", s.path);
    let request = json!({"profile": "p", "method": "GET", "path": path});
    let ok = mcp.call("request", request.clone());
    assert_ne!(ok["result"]["isError"], true, "{ok}");
    s.home.run(&["freeze"]).ok();
    let refused = mcp.call("request", request.clone());
    assert_eq!(refused["result"]["isError"], true, "{refused}");
    assert_eq!(
        refused["result"]["structuredContent"]["error"]["code"], "frozen",
        "{refused}"
    );
    let check = mcp.call("check", json!({"profile": "p"}));
    assert!(check.to_string().contains("frozen"), "{check}");
    s.home.run(&["unfreeze"]).ok();
    let again = mcp.call("request", request);
    assert_ne!(again["result"]["isError"], true, "{again}");
}
