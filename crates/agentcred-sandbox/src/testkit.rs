//! Test helpers: a sandbox on a temporary state file and a blocking client for it.

use std::path::{Path, PathBuf};

use reqwest::blocking::{Client, RequestBuilder};
use serde_json::Value;

use super::tokens::SigningKey;
use super::{RunningSandbox, SandboxConfig, start_background};

pub struct Harness {
    // Declared before `_dir` so the server stops before its state directory is removed.
    pub sandbox: RunningSandbox,
    pub client: Client,
    state_path: PathBuf,
    _dir: Option<tempfile::TempDir>,
}

pub fn client() -> Client {
    // reqwest is built without a default TLS provider; plain http still needs one installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("reqwest client")
}

impl Harness {
    /// A sandbox on a fresh state file in a new temporary directory.
    pub fn start() -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let state_path = dir.path().join("sandbox-state.json");
        let mut h = Harness::on(&state_path);
        h._dir = Some(dir);
        h
    }

    /// Another sandbox on an existing state file (the caller keeps the directory alive).
    pub fn on(state_path: &Path) -> Harness {
        let sandbox = start_background(SandboxConfig {
            state_path: state_path.to_path_buf(),
            port: 0,
            jwt_ttl_override: None,
        })
        .expect("sandbox starts");
        Harness {
            sandbox,
            client: client(),
            state_path: state_path.to_path_buf(),
            _dir: None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    pub fn state_path(&self) -> &Path {
        &self.state_path
    }

    /// The state file as JSON, and the signing key in it.
    pub fn state_doc_key(&self) -> (Value, SigningKey) {
        let doc: Value =
            serde_json::from_slice(&std::fs::read(&self.state_path).expect("state file"))
                .expect("state JSON");
        let key = SigningKey::from_pkcs8_b64(doc["signing_key"]["pkcs8_b64"].as_str().unwrap())
            .expect("signing key");
        (doc, key)
    }

    /// Send and return (status, JSON body). A body that is not JSON fails the test: the
    /// sandbox answers JSON everywhere.
    /// Control routes (`/_sandbox/...`) get the control token unless the test set its own
    /// Authorization.
    pub fn send(&self, request: RequestBuilder) -> (u16, Value) {
        let mut request = request.build().expect("request built");
        let auth = reqwest::header::AUTHORIZATION;
        if request.url().path().starts_with(super::CONTROL_PREFIX)
            && !request.headers().contains_key(&auth)
        {
            let value = format!("Bearer {}", self.sandbox.control_token());
            request
                .headers_mut()
                .insert(auth, value.parse().expect("a header value"));
        }
        let response = self.client.execute(request).expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().expect("body read");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text:?}"));
        (status, body)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        self.send(self.client.get(self.url(path)))
    }

    pub fn get_bearer(&self, path: &str, token: &str) -> (u16, Value) {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
    }

    pub fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(self.client.post(self.url(path)).json(body))
    }

    pub fn post_json_bearer(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.send(
            self.client
                .post(self.url(path))
                .bearer_auth(token)
                .json(body),
        )
    }

    pub fn post_raw(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        self.send(
            self.client
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body.to_owned()),
        )
    }

    pub fn put_json(&self, path: &str, body: &Value) -> (u16, Value) {
        self.send(self.client.put(self.url(path)).json(body))
    }

    pub fn delete(&self, path: &str) -> (u16, Value) {
        self.send(self.client.delete(self.url(path)))
    }
}
