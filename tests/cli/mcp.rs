//! `agentcred mcp` from the outside, as an MCP client sees it: the real binary started by the
//! test, JSON-RPC 2.0 over its stdin and stdout (one message per line), against a real sandbox
//! server. (`tests/mcp_interop.py` checks the same server with the official Python SDK.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{Home, Server};

/// An MCP client on a running `agentcred mcp`.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    /// Every line the server wrote on stdout, to scan for secrets at the end.
    seen: Vec<String>,
    next_id: u64,
}

impl Client {
    fn start(home: &Home, args: &[&str]) -> Client {
        let mut child = home
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start agentcred mcp");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            lines,
            seen: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// Send a request and wait for the response with its id (the server may send nothing else
    /// on stdout: every line must be a JSON-RPC message).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(30))
                .unwrap_or_else(|e| panic!("no answer to {method} ({e})"));
            self.seen.push(line.clone());
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout carries a non-JSON line ({e}): {line}"));
            assert_eq!(message["jsonrpc"], "2.0", "{line}");
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{method}: {line}");
                return message["result"].clone();
            }
        }
    }

    fn call(&mut self, tool: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": tool, "arguments": arguments}))
    }

    /// Close stdin: the server must exit, with 0.
    fn finish(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let out = self.child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.code().unwrap_or(-1), stderr)
    }
}

#[test]
fn mcp_speaks_the_protocol_over_stdio_and_never_returns_a_secret() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    home.run(&[
        "--profile",
        "work",
        "register",
        "fluxra",
        "--name",
        "mcp-agent",
    ])
    .ok();
    let agent_id = home
        .run(&["--json", "--profile", "work", "status"])
        .ok()
        .json()["agent"]["agent_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let mut client = Client::start(&home, &["mcp"]);
    let init = client.request(
        "initialize",
        json!({
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "cargo-test", "version": "0"},
        }),
    );
    assert_eq!(init["protocolVersion"], "2025-06-18", "{init}");
    assert!(init["capabilities"]["tools"].is_object(), "{init}");
    assert!(init["serverInfo"]["name"].is_string(), "{init}");
    client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));

    // The tools, each with an input schema and its annotations.
    let listed = client.request("tools/list", json!({}));
    let tools = listed["tools"].as_array().unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["check", "list_profiles", "refresh", "request", "status"]
    );
    let tool = |name: &str| tools.iter().find(|t| t["name"] == name).unwrap();
    assert_eq!(tool("request")["inputSchema"]["required"], json!(["path"]));
    assert_eq!(tool("status")["annotations"]["readOnlyHint"], true);
    // Without --allow-writes, `request` only reads.
    assert_eq!(tool("request")["annotations"]["readOnlyHint"], true);
    assert_eq!(tool("refresh")["annotations"]["readOnlyHint"], false);

    let status = client.call("status", json!({"profile": "work"}));
    assert_ne!(status["isError"], true, "{status}");
    assert_eq!(
        status["structuredContent"]["provider"], "fluxra",
        "{status}"
    );
    assert_eq!(status["structuredContent"]["profile"], "work", "{status}");

    let health = client.call("check", json!({"profile": "work", "min_valid": "30s"}));
    assert_eq!(health["structuredContent"]["health"], "ok", "{health}");

    // A GET through the gateway logic reaches the service with the profile's credential.
    server.clear_requests();
    let answer = client.call(
        "request",
        json!({"profile": "work", "path": format!("/api/api/agents/{agent_id}")}),
    );
    assert_ne!(answer["isError"], true, "{answer}");
    assert_eq!(answer["structuredContent"]["status"], 200, "{answer}");
    assert_eq!(
        server.count(&format!("GET /fluxra/api/agents/{agent_id}")),
        1,
        "{}",
        server.requests()
    );

    // Refusals are tool errors carrying the JSON error object.
    let write = client.call(
        "request",
        json!({"profile": "work", "method": "POST", "path": format!("/api/api/agents/{agent_id}")}),
    );
    assert_eq!(write["isError"], true, "{write}");
    assert_eq!(
        write["structuredContent"]["error"]["exit_code"], 2,
        "{write}"
    );
    let escape = client.call("request", json!({"profile": "work", "path": "/api/../x"}));
    assert_eq!(escape["isError"], true, "{escape}");
    let unknown = client.call("status", json!({"profile": "no-such-profile"}));
    assert_eq!(unknown["isError"], true, "{unknown}");
    assert_eq!(unknown["structuredContent"]["error"]["code"], "not_found");
    assert_eq!(unknown["structuredContent"]["error"]["exit_code"], 3);

    let before = home.stored_secrets();
    let refreshed = client.call("refresh", json!({"profile": "work"}));
    assert_eq!(
        refreshed["structuredContent"]["refreshed"], true,
        "{refreshed}"
    );
    let after = home.stored_secrets();
    assert_ne!(before, after, "refresh stored a new credential");

    let seen = client.seen.join("\n");
    let (code, stderr) = client.finish();
    assert_eq!(code, 0, "the server exits 0 when stdin closes: {stderr}");
    // No stored secret, before or after the refresh, in anything the server wrote.
    let secrets: Vec<String> = before
        .values()
        .chain(after.values())
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    assert!(secrets.len() >= 3, "{secrets:?}");
    for secret in &secrets {
        assert!(
            !seen.contains(secret.as_str()),
            "a stored secret left the server"
        );
        assert!(
            !stderr.contains(secret.as_str()),
            "a stored secret on stderr"
        );
    }
}

#[test]
fn mcp_serves_only_the_profiles_given() {
    let server = Server::start();
    let mut home = Home::new();
    home.use_server(&server);
    for name in ["one", "two", "three"] {
        home.run(&[
            "--profile",
            name,
            "register",
            "fluxra",
            "--name",
            &format!("agent-{name}"),
        ])
        .ok();
    }
    let mut client = Client::start(&home, &["--profile", "one", "--profile", "two", "mcp"]);
    client.request(
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}),
    );
    client.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
    let listed = client.call("list_profiles", json!({}));
    let mut names: Vec<&str> = listed["structuredContent"]["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["one", "two"]);
    let other = client.call("status", json!({"profile": "three"}));
    assert_eq!(other["isError"], true, "a profile not served: {other}");
    assert_eq!(client.finish().0, 0);
}
