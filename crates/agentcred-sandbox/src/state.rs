//! The sandbox's state document, its transactional persistence, the test knobs, the injected
//! faults and the request log.
//!
//! # Persistence and concurrency
//!
//! The whole emulated world is one JSON document in one file. Many processes may serve it at
//! once (every `agentcred --sandbox` invocation starts its own in-process sandbox on the shared
//! file), so every access is a transaction: take the exclusive cross-process lock on
//! `<state file>.lock` (the state file's name with `.lock` appended), read the file, apply the
//! change, write it back atomically (temp file + rename, mode 0600), release. A reader never sees
//! half a file, and no update is lost. A missing (or empty) file is a fresh world. A file that
//! does not parse is never overwritten: requests fail with a 500 naming the file instead.
//!
//! The file work blocks, so [`AppState::transact`] runs it on tokio's blocking pool; the
//! server's own runtime is current-thread and keeps accepting connections meanwhile.
//! A service request costs two transactions: the request-log entry (with fault and latency
//! lookup), then the handler's own ([`AppState::read`] skips the write when nothing changed).
//!
//! # Layout
//!
//! ```json
//! {
//!   "version": 1,
//!   "signing_key": {"alg": "ES256", "pkcs8_b64": "...", "created_at": "ISO"},
//!   "knobs": {"jwt_ttl_secs": {"fluxa": 2}, "latency_ms": 0},   // overrides only
//!   "faults": [{"method": "POST", "path": "/fluxa/agentid/refresh", "status": 503, "count": 1,
//!               "retry_after": 2, "mode": "before"}],
//!   "counts": {"POST /fluxa/agentid/register": 3},
//!   "next_seq": 42,
//!   "fluxa": { ... },            // one sub-document per service, each #[serde(default)]
//!   "requests": [{"seq": 41, "at": "ISO", "method": "POST", "path": "...", ...}]
//! }
//! ```
//!
//! The file is compact JSON (it is parsed and rewritten on every request, so size is speed;
//! `jq . FILE` reads it). Keys this build does not know are dropped on the next write.
//! The request log holds bodies as sent, fake secrets included; the file is mode 0600.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::authpi::AuthpiState;
use super::fluxa::FluxaState;
use super::fluxra::FluxraState;
use super::proxy::ProxyState;
use super::support::{Envelope, iso_ms, now_ms};
use super::tokens::{SigningKey, TokenError};
use agentcred_core::fsutil::{FileLock, write_private};

/// The request log keeps this many most recent requests (counts are kept for all).
pub const REQUEST_LOG_LIMIT: usize = 1000;

/// How long a request waits for the state lock before answering 503.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);

/// The current layout version of the state document.
pub const STATE_VERSION: u32 = 1;

/// Default JWT lifetimes per service, in seconds (providers.md §1.2, §7, §3.7).
pub const JWT_TTL_DEFAULTS: &[(&str, u64)] = &[("fluxa", 900), ("fluxra", 3600), ("authpi", 300)];

/// The whole emulated world.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StateDoc {
    pub version: u32,
    pub signing_key: Option<StoredKey>,
    pub knobs: Knobs,
    pub faults: Vec<Fault>,
    /// Requests per `"METHOD /full/path"`, since the last `DELETE /_sandbox/requests`.
    pub counts: BTreeMap<String, u64>,
    /// The `seq` the next logged request gets; never reset, so tests can use it as a cursor.
    pub next_seq: u64,
    pub fluxa: FluxaState,
    pub fluxra: FluxraState,
    pub authpi: AuthpiState,
    pub proxy: ProxyState,
    /// The last [`REQUEST_LOG_LIMIT`] requests, oldest first.
    pub requests: VecDeque<RequestRecord>,
}

/// The signing key shared by every service's tokens (see [`super::tokens`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredKey {
    pub alg: String,
    pub pkcs8_b64: String,
    pub created_at: String,
}

/// Test knobs that change how the services behave.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// JWT lifetime overrides by service name; a service not listed uses [`JWT_TTL_DEFAULTS`].
    pub jwt_ttl_secs: BTreeMap<String, u64>,
    /// Delay added before every non-control request is handled.
    pub latency_ms: u64,
}

impl Knobs {
    /// The lifetime this document sets for `service` (without the process-level override).
    pub fn jwt_ttl(&self, service: &str) -> u64 {
        self.jwt_ttl_secs
            .get(service)
            .copied()
            .or_else(|| default_jwt_ttl(service))
            .unwrap_or(900)
    }

    /// Every known service's lifetime, overrides applied.
    pub fn effective_jwt_ttls(&self) -> BTreeMap<String, u64> {
        let mut all: BTreeMap<String, u64> = JWT_TTL_DEFAULTS
            .iter()
            .map(|(s, ttl)| ((*s).to_owned(), *ttl))
            .collect();
        all.extend(self.jwt_ttl_secs.iter().map(|(s, t)| (s.clone(), *t)));
        all
    }
}

pub fn default_jwt_ttl(service: &str) -> Option<u64> {
    JWT_TTL_DEFAULTS
        .iter()
        .find(|(s, _)| *s == service)
        .map(|(_, ttl)| *ttl)
}

/// An injected fault: the next `count` requests matching `method` (any when absent) and the
/// exact full `path` fail: with `status` (503 when absent) for `before`, with 502 for
/// `drop_after` (whose `status` is not used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    pub path: String,
    #[serde(default = "service_unavailable")]
    pub status: u16,
    #[serde(default = "one")]
    pub count: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(default)]
    pub mode: FaultMode,
}

fn one() -> u32 {
    1
}

fn service_unavailable() -> u16 {
    503
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultMode {
    /// Answer the fault instead of handling the request: nothing changes on the service.
    #[default]
    Before,
    /// Handle the request (its changes persist), then answer 502 instead of the real response:
    /// a response lost in transit.
    DropAfter,
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.count > 0
            && self.path == path
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// One request as the sandbox received it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestRecord {
    pub seq: u64,
    pub at: String,
    pub method: String,
    /// The full path (service prefix included), ids as they are.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// `none`, `bearer`, `basic`, `api-key` or `other`.
    pub auth_scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basic_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub if_match: Option<String>,
    /// Parsed JSON, a form's fields as an object, or the text; `null` when empty.
    pub body: Value,
}

impl RequestRecord {
    /// The key it is counted under: `"POST /fluxa/agentid/refresh"`.
    pub fn count_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

impl StateDoc {
    /// Append a request to the log (assigning its `seq`) and count it.
    pub fn record(&mut self, mut record: RequestRecord) -> u64 {
        self.next_seq += 1;
        record.seq = self.next_seq;
        *self.counts.entry(record.count_key()).or_insert(0) += 1;
        self.requests.push_back(record);
        while self.requests.len() > REQUEST_LOG_LIMIT {
            self.requests.pop_front();
        }
        self.next_seq
    }

    /// Consume one use of the first fault matching this request, if any.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|f| f.matches(method, path))?;
        let fault = self.faults[index].clone();
        self.faults[index].count -= 1;
        if self.faults[index].count == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }

    /// The shared signing key (present after the first transaction).
    pub fn signing_key(&self) -> Result<SigningKey, TokenError> {
        let stored = self
            .signing_key
            .as_ref()
            .ok_or_else(|| TokenError::Malformed("the state has no signing key".into()))?;
        SigningKey::from_pkcs8_b64(&stored.pkcs8_b64)
    }

    /// Fill in what a fresh document lacks. Returns whether anything changed.
    fn initialize(&mut self) -> Result<bool, StateError> {
        let mut changed = false;
        if self.version == 0 {
            self.version = STATE_VERSION;
            changed = true;
        }
        if self.signing_key.is_none() {
            let pkcs8_b64 = SigningKey::generate_pkcs8_b64()
                .map_err(|e| StateError::Internal(e.to_string()))?;
            self.signing_key = Some(StoredKey {
                alg: "ES256".into(),
                pkcs8_b64,
                created_at: iso_ms(now_ms()),
            });
            changed = true;
        }
        Ok(changed)
    }
}

/// Why the state could not be read or written.
#[derive(Debug)]
pub enum StateError {
    /// Another process held the lock for longer than [`LOCK_TIMEOUT`].
    Busy(String),
    /// The file exists but is not a state document; it is left untouched.
    Corrupt(String),
    Io(String),
    Internal(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::Busy(m) | StateError::Corrupt(m) | StateError::Io(m) => f.write_str(m),
            StateError::Internal(m) => write!(f, "sandbox internal error: {m}"),
        }
    }
}

impl std::error::Error for StateError {}

impl StateError {
    /// The error as a response in a service's envelope: 503 (with `Retry-After`) when the lock
    /// was busy, since trying again helps; 500 otherwise.
    pub fn response(&self, envelope: Envelope) -> Response {
        let (status, code) = match self {
            StateError::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "sandbox_busy"),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "sandbox_state_error"),
        };
        let mut response = envelope.response(status, code, &self.to_string());
        if matches!(self, StateError::Busy(_)) {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
    }
}

/// The state file and its lock.
#[derive(Debug, Clone)]
pub struct StateStore {
    path: PathBuf,
    lock_path: PathBuf,
}

impl StateStore {
    pub fn new(path: PathBuf) -> StateStore {
        let mut lock_name = path.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        StateStore { path, lock_path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Run `f` on the document under the lock and write the result back (blocking).
    pub fn transact<T>(&self, f: impl FnOnce(&mut StateDoc) -> T) -> Result<T, StateError> {
        let _lock = self.lock()?;
        let mut doc = self.load()?;
        doc.initialize()?;
        let out = f(&mut doc);
        self.save(&doc)?;
        Ok(out)
    }

    /// Run `f` on the document under the lock without writing it back, unless the document was
    /// fresh (the signing key must be persisted before any token is signed with it).
    pub fn read<T>(&self, f: impl FnOnce(&StateDoc) -> T) -> Result<T, StateError> {
        let _lock = self.lock()?;
        let mut doc = self.load()?;
        if doc.initialize()? {
            self.save(&doc)?;
        }
        Ok(f(&doc))
    }

    fn lock(&self) -> Result<FileLock, StateError> {
        FileLock::acquire(&self.lock_path, LOCK_TIMEOUT).map_err(|e| {
            if e.kind() == std::io::ErrorKind::TimedOut {
                StateError::Busy(format!(
                    "the sandbox state {} is locked by another process",
                    self.path.display()
                ))
            } else {
                StateError::Io(format!(
                    "cannot lock the sandbox state {}: {e}",
                    self.lock_path.display()
                ))
            }
        })
    }

    fn load(&self) -> Result<StateDoc, StateError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(StateDoc::default()),
            Err(e) => {
                return Err(StateError::Io(format!(
                    "cannot read the sandbox state {}: {e}",
                    self.path.display()
                )));
            }
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(StateDoc::default());
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            StateError::Corrupt(format!(
                "the sandbox state {} is not valid ({e}); move it away to start afresh",
                self.path.display()
            ))
        })
    }

    fn save(&self, doc: &StateDoc) -> Result<(), StateError> {
        let mut bytes = serde_json::to_vec(doc).map_err(|e| StateError::Internal(e.to_string()))?;
        bytes.push(b'\n');
        write_private(&self.path, &bytes).map_err(|e| {
            StateError::Io(format!(
                "cannot write the sandbox state {}: {e}",
                self.path.display()
            ))
        })
    }
}

/// What every handler gets: the state store and this process's settings.
#[derive(Debug, Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: StateStore,
    jwt_ttl_override: Option<u64>,
    base_url: String,
}

impl AppState {
    pub fn new(store: StateStore, jwt_ttl_override: Option<u64>, base_url: String) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                jwt_ttl_override,
                base_url,
            }),
        }
    }

    pub fn store(&self) -> &StateStore {
        &self.inner.store
    }

    /// `http://127.0.0.1:PORT` of this sandbox.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The process-level JWT lifetime (`AGENTCRED_SANDBOX_JWT_TTL`), if set.
    pub fn jwt_ttl_override(&self) -> Option<u64> {
        self.inner.jwt_ttl_override
    }

    /// The JWT lifetime to use for `service`: this process's override, else the document's knob,
    /// else the service's default.
    pub fn jwt_ttl(&self, doc: &StateDoc, service: &str) -> u64 {
        self.inner
            .jwt_ttl_override
            .unwrap_or_else(|| doc.knobs.jwt_ttl(service))
    }

    /// [`StateStore::transact`] on the blocking pool.
    pub async fn transact<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&mut StateDoc) -> T + Send + 'static,
    {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || store.transact(f))
            .await
            .map_err(|e| StateError::Internal(format!("state task failed: {e}")))?
    }

    /// [`StateStore::read`] on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&StateDoc) -> T + Send + 'static,
    {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || store.read(f))
            .await
            .map_err(|e| StateError::Internal(format!("state task failed: {e}")))?
    }

    /// A handler's whole body as one transaction; a state failure becomes an error response
    /// in `envelope`.
    pub async fn transact_response<F>(&self, envelope: Envelope, f: F) -> Response
    where
        F: FnOnce(&mut StateDoc) -> Response + Send + 'static,
    {
        self.transact(f)
            .await
            .unwrap_or_else(|e| e.response(envelope))
    }

    /// A read-only handler body; see [`AppState::transact_response`].
    pub async fn read_response<F>(&self, envelope: Envelope, f: F) -> Response
    where
        F: FnOnce(&StateDoc) -> Response + Send + 'static,
    {
        self.read(f).await.unwrap_or_else(|e| e.response(envelope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_fresh_world_with_a_persisted_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("state.json"));
        let key = store
            .read(|doc| doc.signing_key.clone().unwrap().pkcs8_b64)
            .unwrap();
        let again = store
            .read(|doc| doc.signing_key.clone().unwrap().pkcs8_b64)
            .unwrap();
        assert_eq!(key, again, "the key is generated once and kept");
        assert!(dir.path().join("state.json.lock").exists());
    }

    #[test]
    fn a_corrupt_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{not json").unwrap();
        let store = StateStore::new(path.clone());
        assert!(matches!(
            store.transact(|_| ()),
            Err(StateError::Corrupt(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
    }

    #[test]
    fn faults_are_consumed_in_order_and_removed() {
        let mut doc = StateDoc::default();
        doc.faults.push(Fault {
            method: Some("post".into()),
            path: "/a".into(),
            status: 503,
            count: 2,
            retry_after: None,
            mode: FaultMode::Before,
        });
        assert!(doc.take_fault("GET", "/a").is_none());
        assert!(doc.take_fault("POST", "/a/b").is_none());
        assert_eq!(doc.take_fault("POST", "/a").unwrap().status, 503);
        assert_eq!(doc.faults[0].count, 1);
        assert!(doc.take_fault("POST", "/a").is_some());
        assert!(doc.faults.is_empty());
    }

    #[test]
    fn the_request_log_is_bounded_but_counts_are_not() {
        let mut doc = StateDoc::default();
        for _ in 0..REQUEST_LOG_LIMIT + 5 {
            doc.record(RequestRecord {
                method: "GET".into(),
                path: "/x".into(),
                ..RequestRecord::default()
            });
        }
        assert_eq!(doc.requests.len(), REQUEST_LOG_LIMIT);
        assert_eq!(doc.requests[0].seq, 6);
        assert_eq!(doc.counts["GET /x"], (REQUEST_LOG_LIMIT + 5) as u64);
    }
}
