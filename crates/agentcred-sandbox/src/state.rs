//! The sandbox's state document, its transactional persistence, the test knobs, the injected
//! faults and the request log.
//!
//! # Persistence and concurrency
//!
//! The emulated world is one JSON document in one file. Many processes may serve it at once
//! (`sandbox serve`, and every `agentcred --sandbox` invocation starts its own in-process
//! sandbox on the shared file), so the file is only ever replaced whole and atomically (temp
//! file + rename, mode 0600): a reader sees the old or the new document, never half of one.
//!
//! - A change is a transaction ([`StateStore::transact`]): take the exclusive cross-process
//!   lock on `<state file>.lock` (the state file's name with `.lock` appended; threads of one
//!   process queue on an in-process mutex first), read the file, apply the change, write it
//!   back, release. No update is lost.
//! - A read ([`StateStore::read`]) takes no lock and writes nothing: it uses the document as
//!   last parsed by this process while the file is still that version (same file, same
//!   length and modification time; the parsed version's file is held open so its inode cannot
//!   be reused), and parses the file afresh otherwise. Concurrent reads share one parsed
//!   document. Two things a read may need are written first, each in a transaction: a fresh
//!   world's signing key, and a named key nobody has asked for before
//!   ([`StateDoc::named_key`]): a token is never signed with a key that is not in the file.
//! - The request log is not in this document: it is appended to a file of its own
//!   ([`crate::reqlog`]), so recording a request rewrites nothing.
//!
//! A missing (or empty) file is a fresh world. A file that does not parse is never
//! overwritten: requests fail with a 500 naming the file instead. The file work blocks, so
//! [`AppState::transact`] and [`AppState::read`] run it on tokio's blocking pool; the server's
//! own runtime is current-thread and keeps accepting connections meanwhile.
//!
//! # Layout
//!
//! ```json
//! {
//!   "version": 1,
//!   "signing_key": {"alg": "ES256", "pkcs8_b64": "...", "created_at": "ISO"},
//!   "keys": {"SERVICE/rs256": {"alg": "RS256", "kid": "...", "pkcs8_b64": "...", "created_at": "ISO"}},
//!   "knobs": {"jwt_ttl_secs": {"SERVICE": 2}, "jwt_exp_in_secs": {"SERVICE": -60}, "latency_ms": 0}, // overrides only
//!   "faults": [{"method": "POST", "path": "/SERVICE/refresh", "status": 503, "count": 1,
//!               "retry_after": 2, "mode": "before"}],
//!   "SERVICE": { ... }           // each service's sub-document, under its registry key,
//!                                // once the service has state
//! }
//! ```
//!
//! The file is compact JSON (`jq . FILE` reads it). Documents written before the request log
//! moved out also have `counts`, `next_seq` and `requests`: they are ignored, and dropped at
//! the next write.
//!
//! # Per-service state
//!
//! This module names no service. Every top-level key other than the sandbox's own is a
//! service's sub-document ([`ServiceStates`]), kept as raw JSON until a handler asks for it by
//! type ([`StateDoc::service`], [`StateDoc::service_mut`] with a [`ServiceState`]); it is then
//! decoded once per transaction. On write, a sub-document nobody changed is copied back
//! verbatim, so a request to one service neither decodes nor re-encodes the others. A
//! sub-document this build does not know (a service removed since) is kept as it is; a
//! service's own unknown keys are dropped when that service next changes its state. A
//! sub-document that does not decode fails the transactions that need it (500 naming the file),
//! and is never overwritten.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use agentcred_core::fsutil::{FileLock, write_private_volatile};
use axum::response::Response;
use base64::Engine as _;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::ser::SerializeMap as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use super::reqlog::RequestLog;
// What the state file shares with the request log, defined below both.
pub use super::persist::{LOCK_TIMEOUT, REQUEST_LOG_LIMIT, RequestRecord, StateError};
use super::support::{Envelope, iso_ms, now_ms};
pub use super::tokens::StoredKey;
use super::tokens::{Alg, SigningKey, TokenError};

/// The current layout version of the state document.
pub const STATE_VERSION: u32 = 1;

/// The JWT lifetime of a service that declares none.
const FALLBACK_JWT_TTL: u64 = 900;

/// The whole emulated world. Its JSON keys are the fields below, in this order, with every
/// service's sub-document (under its key) after `faults`; a missing key is the field's
/// default.
#[derive(Debug, Default)]
pub struct StateDoc {
    pub version: u32,
    pub signing_key: Option<StoredKey>,
    /// Keys services asked for by name ([`StateDoc::named_key`]), generated on first use.
    pub keys: NamedKeys,
    pub knobs: Knobs,
    pub faults: Vec<Fault>,
    /// Each service's own state, by service key; see [`StateDoc::service`].
    pub services: ServiceStates,
    /// Set on a document shared by reads: where a named key it lacks is persisted first.
    key_writer: Option<StateFile>,
}

/// The sandbox's own top-level keys (and those it used to have); no service may use one as
/// its key.
pub const RESERVED_KEYS: &[&str] = &[
    "version",
    "signing_key",
    "keys",
    "knobs",
    "faults",
    "counts",
    "next_seq",
    "requests",
];

impl Serialize for StateDoc {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("version", &self.version)?;
        map.serialize_entry("signing_key", &self.signing_key)?;
        let keys = self.keys.snapshot();
        if !keys.is_empty() {
            map.serialize_entry("keys", &keys)?;
        }
        map.serialize_entry("knobs", &self.knobs)?;
        map.serialize_entry("faults", &self.faults)?;
        for (key, slot) in &self.services.slots {
            match (&slot.raw, slot.typed.get()) {
                (Some(raw), _) => map.serialize_entry(key, raw)?,
                (None, Some(typed)) => {
                    map.serialize_entry(key, &typed.to_raw().map_err(serde::ser::Error::custom)?)?
                }
                (None, None) => {}
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for StateDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DocVisitor;
        impl<'de> Visitor<'de> for DocVisitor {
            type Value = StateDoc;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sandbox state object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StateDoc, A::Error> {
                let mut doc = StateDoc::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "version" => doc.version = map.next_value()?,
                        "signing_key" => doc.signing_key = map.next_value()?,
                        "keys" => {
                            doc.keys =
                                NamedKeys::from(map.next_value::<BTreeMap<String, StoredKey>>()?)
                        }
                        "knobs" => doc.knobs = map.next_value()?,
                        "faults" => doc.faults = map.next_value()?,
                        // The request log's, before it moved to a file of its own.
                        "counts" | "next_seq" | "requests" => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                        _ => {
                            // Kept raw: decoded only if a handler asks for it.
                            let raw = map.next_value::<Box<RawValue>>()?;
                            doc.services.slots.insert(key, Slot::raw(raw));
                        }
                    }
                }
                Ok(doc)
            }
        }
        deserializer.deserialize_map(DocVisitor)
    }
}

/// A service's state: a `#[serde(default)]` document stored under the service's key.
pub trait ServiceState: Default + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The service's registry key ([`SandboxService::key`](crate::SandboxService)).
    const KEY: &'static str;
}

/// Every service's sub-document, raw as read until a handler asks for it by type.
#[derive(Default)]
pub struct ServiceStates {
    slots: BTreeMap<String, Slot>,
    /// The first sub-document that could not be used; fails the transaction.
    problem: OnceLock<Problem>,
}

#[derive(Default)]
struct Slot {
    /// The sub-document as read; `None` once its service may have changed it.
    raw: Option<Box<RawValue>>,
    /// The decoded sub-document, from the first time it was asked for.
    typed: OnceLock<Box<dyn ErasedState>>,
}

impl Slot {
    fn raw(raw: Box<RawValue>) -> Slot {
        Slot {
            raw: Some(raw),
            typed: OnceLock::new(),
        }
    }
}

/// A [`ServiceState`] of any type.
trait ErasedState: Any + Send + Sync {
    fn to_raw(&self) -> serde_json::Result<Box<RawValue>>;
}

impl<T: ServiceState> ErasedState for T {
    fn to_raw(&self) -> serde_json::Result<Box<RawValue>> {
        serde_json::value::to_raw_value(self)
    }
}

#[derive(Debug)]
enum Problem {
    /// A sub-document in the file does not decode as its service's state.
    Corrupt { key: &'static str, error: String },
    /// Two state types claim one key: a bug in the registry.
    KeyClash(&'static str),
}

impl std::fmt::Debug for ServiceStates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.slots.iter().map(|(key, slot)| {
                let state = match (&slot.raw, slot.typed.get()) {
                    (None, _) => "changed",
                    (Some(_), Some(_)) => "decoded",
                    (Some(_), None) => "raw",
                };
                (key, state)
            }))
            .finish()
    }
}

impl ServiceStates {
    /// The value of `T`, decoding it on first use.
    fn get<T: ServiceState>(&self) -> &T {
        let Some(slot) = self.slots.get(T::KEY) else {
            return default_of::<T>();
        };
        let typed = slot
            .typed
            .get_or_init(|| Box::new(decode::<T>(slot.raw.as_deref(), &self.problem)));
        match (&**typed as &dyn Any).downcast_ref::<T>() {
            Some(state) => state,
            None => {
                let _ = self.problem.set(Problem::KeyClash(T::KEY));
                default_of::<T>()
            }
        }
    }

    /// The value of `T` to change; it is written back (re-encoded) when the document is saved.
    fn get_mut<T: ServiceState>(&mut self) -> &mut T {
        let slot = self.slots.entry(T::KEY.to_owned()).or_default();
        let is_t = |t: &dyn ErasedState| (t as &dyn Any).is::<T>();
        if !slot.typed.get().is_some_and(|t| is_t(&**t)) {
            if slot.typed.get().is_some() {
                let _ = self.problem.set(Problem::KeyClash(T::KEY));
            }
            let value = decode::<T>(slot.raw.as_deref(), &self.problem);
            slot.typed = OnceLock::from(Box::new(value) as Box<dyn ErasedState>);
        }
        if self.problem.get().is_none() {
            // From now on the typed value is what gets written. (After a problem the raw text
            // stays, and the transaction is not written anyway.)
            slot.raw = None;
        }
        match slot
            .typed
            .get_mut()
            .and_then(|t| (&mut **t as &mut dyn Any).downcast_mut::<T>())
        {
            Some(state) => state,
            None => unreachable!("the slot of {} was just given a value of its type", T::KEY),
        }
    }
}

/// `raw` decoded as a `T`; the default when there is none, or (noting the problem) when it
/// does not decode.
fn decode<T: ServiceState>(raw: Option<&RawValue>, problem: &OnceLock<Problem>) -> T {
    let Some(raw) = raw else {
        return T::default();
    };
    serde_json::from_str(raw.get()).unwrap_or_else(|e| {
        let _ = problem.set(Problem::Corrupt {
            key: T::KEY,
            error: e.to_string(),
        });
        T::default()
    })
}

/// A shared `T::default()`, for reading a service that has no state yet.
fn default_of<T: ServiceState>() -> &'static T {
    static DEFAULTS: Mutex<BTreeMap<TypeId, &'static (dyn Any + Send + Sync)>> =
        Mutex::new(BTreeMap::new());
    let mut defaults = DEFAULTS.lock().unwrap_or_else(PoisonError::into_inner);
    let value = *defaults
        .entry(TypeId::of::<T>())
        .or_insert_with(|| Box::leak(Box::new(T::default())));
    match (value as &dyn Any).downcast_ref::<T>() {
        Some(value) => value,
        None => unreachable!("the default stored under T's TypeId is a T"),
    }
}

/// Keys by name, each generated the first time a service asks for it. Asking may happen in a
/// read, on a document shared by concurrent reads, so the set is behind a lock (see
/// [`StateDoc::named_key`] for how such a key is persisted before use).
#[derive(Debug, Default)]
pub struct NamedKeys {
    keys: Mutex<BTreeMap<String, StoredKey>>,
}

impl From<BTreeMap<String, StoredKey>> for NamedKeys {
    fn from(keys: BTreeMap<String, StoredKey>) -> Self {
        NamedKeys {
            keys: Mutex::new(keys),
        }
    }
}

impl NamedKeys {
    fn snapshot(&self) -> BTreeMap<String, StoredKey> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn get(&self, name: &str) -> Option<StoredKey> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    fn insert(&self, name: &str, key: StoredKey) {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), key);
    }

    /// The key stored under `name`, or a new one of `alg` (with `kid()` as its `kid`).
    fn get_or_generate(
        &self,
        name: &str,
        alg: Alg,
        kid: impl FnOnce() -> String,
    ) -> Result<StoredKey, TokenError> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(key) = keys.get(name) {
            return Ok(key.clone());
        }
        let der = alg.generate_pkcs8_for(name)?;
        let key = StoredKey {
            alg: alg.as_str().to_owned(),
            kid: Some(kid()),
            pkcs8_b64: base64::engine::general_purpose::STANDARD.encode(der),
            created_at: iso_ms(now_ms()),
        };
        keys.insert(name.to_owned(), key.clone());
        Ok(key)
    }
}

/// Test knobs that change how the services behave.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Knobs {
    /// JWT lifetime overrides by service key; a service not listed uses its registry default
    /// ([`SandboxService::jwt_ttl_default`](crate::SandboxService)).
    pub jwt_ttl_secs: BTreeMap<String, u64>,
    /// Where a service's JWTs expire relative to when they are issued, by service key, winning
    /// over every lifetime: negative issues JWTs that expired that many seconds ago, a few
    /// seconds issues nearly expired ones. Tests use it instead of waiting for a JWT to age.
    pub jwt_exp_in_secs: BTreeMap<String, i64>,
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
            .unwrap_or(FALLBACK_JWT_TTL)
    }

    /// Every known service's lifetime, overrides applied.
    pub fn effective_jwt_ttls(&self) -> BTreeMap<String, u64> {
        let mut all: BTreeMap<String, u64> = crate::jwt_ttl_defaults()
            .map(|(s, ttl)| (s.to_owned(), ttl))
            .collect();
        all.extend(self.jwt_ttl_secs.iter().map(|(s, t)| (s.clone(), *t)));
        all
    }
}

/// The registry's default JWT lifetime of `service`, if it mints JWTs.
pub fn default_jwt_ttl(service: &str) -> Option<u64> {
    crate::jwt_ttl_defaults()
        .find(|(s, _)| *s == service)
        .map(|(_, ttl)| ttl)
}

/// An injected fault: the next `count` requests matching `method` (any when absent) and the
/// exact full `path` fail: with `status` (503 when absent) for `before`, with a closed
/// connection for `drop_after` and with 502 for `bad_gateway_after` (whose `status` is not used).
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
    /// Handle the request (its changes persist), then close the connection without answering:
    /// a response lost in transit.
    DropAfter,
    /// Handle the request (its changes persist), then answer 502 instead of the real response:
    /// a response lost behind a gateway in between.
    BadGatewayAfter,
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

impl StateDoc {
    /// A service's state (its default when it has none yet), decoded on first use.
    pub fn service<T: ServiceState>(&self) -> &T {
        self.services.get()
    }

    /// A service's state to change; it is written back with the document.
    pub fn service_mut<T: ServiceState>(&mut self) -> &mut T {
        self.services.get_mut()
    }

    /// Why a service's sub-document could not be used, as the error of the transaction.
    fn problem(&self, path: &Path) -> Option<StateError> {
        Some(match self.services.problem.get()? {
            Problem::Corrupt { key, error } => StateError::Corrupt(format!(
                "the sandbox state {} is not valid ({key}: {error}); move it away to start afresh",
                path.display()
            )),
            Problem::KeyClash(key) => {
                StateError::Internal(format!("two service states claim the key {key:?}"))
            }
        })
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
        stored.load("")
    }

    /// The key named `name` (one service's own, e.g. `"SERVICE/rs256"`), generated as an `alg`
    /// key with `kid()` as its `kid` the first time anyone asks. In a transaction the new key
    /// is written with the document. In a read it is generated in a transaction of its own
    /// (or taken from the file, where another process generated it meanwhile) before it is
    /// returned, so nothing is ever signed with a key the file does not keep.
    pub fn named_key(
        &self,
        name: &str,
        alg: Alg,
        kid: impl FnOnce() -> String,
    ) -> Result<SigningKey, TokenError> {
        let Some(writer) = &self.key_writer else {
            return self.keys.get_or_generate(name, alg, kid)?.load("");
        };
        if let Some(key) = self.keys.get(name) {
            return key.load("");
        }
        let stored = writer
            .transact(|doc| doc.keys.get_or_generate(name, alg, kid))
            .map_err(|e| TokenError::Malformed(format!("cannot keep a new key: {e}")))??;
        self.keys.insert(name, stored.clone());
        stored.load("")
    }

    /// Whether the document lacks what [`StateDoc::initialize`] fills in.
    fn needs_initializing(&self) -> bool {
        self.version == 0 || self.signing_key.is_none()
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
                kid: None,
                alg: "ES256".into(),
                pkcs8_b64,
                created_at: iso_ms(now_ms()),
            });
            changed = true;
        }
        Ok(changed)
    }
}

/// The state file, its lock and its request log, with the document last parsed for reads.
/// Clones share all of it.
#[derive(Debug, Clone)]
pub struct StateStore {
    file: StateFile,
    cache: Arc<Mutex<Option<Parsed>>>,
    log: Arc<RequestLog>,
}

/// The state file and its lock: what a transaction needs.
#[derive(Debug, Clone)]
struct StateFile {
    path: PathBuf,
    lock_path: PathBuf,
    /// Threads of this process queue here, blocking, rather than on the file lock's polling.
    local: Arc<Mutex<()>>,
}

/// A version of the file, parsed, and what identifies that version.
#[derive(Debug)]
struct Parsed {
    version: FileVersion,
    /// Held open so that the version's inode is not reused while it is cached.
    _file: std::fs::File,
    doc: Arc<StateDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FileVersion {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

impl FileVersion {
    fn of(meta: &std::fs::Metadata) -> FileVersion {
        FileVersion {
            dev: crate::reqlog::file_dev(meta),
            ino: crate::reqlog::file_ino(meta),
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

impl StateStore {
    pub fn new(path: PathBuf) -> StateStore {
        let mut lock_name = path.file_name().unwrap_or_default().to_os_string();
        lock_name.push(".lock");
        let lock_path = path.with_file_name(lock_name);
        StateStore {
            log: Arc::new(RequestLog::for_state(&path)),
            file: StateFile {
                path,
                lock_path,
                local: Arc::default(),
            },
            cache: Arc::default(),
        }
    }

    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// The request log kept next to the state file.
    pub fn log(&self) -> &RequestLog {
        &self.log
    }

    /// Run `f` on the document under the lock and write the result back (blocking).
    pub fn transact<T>(&self, f: impl FnOnce(&mut StateDoc) -> T) -> Result<T, StateError> {
        self.file.transact(f)
    }

    /// Run `f` on the current document, without a lock and without writing (blocking); see the
    /// module doc.
    pub fn read<T>(&self, f: impl FnOnce(&StateDoc) -> T) -> Result<T, StateError> {
        let doc = self.current()?;
        let out = f(&doc);
        if let Some(problem) = doc.problem(&self.file.path) {
            return Err(problem);
        }
        Ok(out)
    }

    /// The document as the file holds it now: the cached one while the file is unchanged.
    fn current(&self) -> Result<Arc<StateDoc>, StateError> {
        // A fresh world is initialized (and written) once; the second pass reads it.
        for _ in 0..2 {
            let seen = match std::fs::metadata(&self.file.path) {
                Ok(meta) => Some(FileVersion::of(&meta)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(self.file.io("inspect", e)),
            };
            if let Some(seen) = &seen {
                let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(parsed) = cache.as_ref().filter(|p| &p.version == seen) {
                    return Ok(parsed.doc.clone());
                }
            }
            let Some((file, version, mut doc)) = self.file.open_and_load()? else {
                self.file.transact(|_| ())?;
                continue;
            };
            if doc.needs_initializing() {
                self.file.transact(|_| ())?;
                continue;
            }
            doc.key_writer = Some(self.file.clone());
            let doc = Arc::new(doc);
            *self.cache.lock().unwrap_or_else(PoisonError::into_inner) = Some(Parsed {
                version,
                _file: file,
                doc: doc.clone(),
            });
            return Ok(doc);
        }
        Err(StateError::Internal(format!(
            "the sandbox state {} keeps changing under a fresh start",
            self.file.path.display()
        )))
    }
}

impl StateFile {
    fn transact<T>(&self, f: impl FnOnce(&mut StateDoc) -> T) -> Result<T, StateError> {
        let _local = self.local.lock().unwrap_or_else(PoisonError::into_inner);
        let _lock = self.lock()?;
        let mut doc = self.load()?;
        doc.initialize()?;
        let out = f(&mut doc);
        if let Some(problem) = doc.problem(&self.path) {
            return Err(problem);
        }
        self.save(&doc)?;
        Ok(out)
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

    fn io(&self, what: &str, e: std::io::Error) -> StateError {
        StateError::Io(format!(
            "cannot {what} the sandbox state {}: {e}",
            self.path.display()
        ))
    }

    fn load(&self) -> Result<StateDoc, StateError> {
        Ok(self
            .open_and_load()?
            .map_or_else(StateDoc::default, |(_, _, doc)| doc))
    }

    /// The file, its version and its document; `None` for a missing or empty file.
    fn open_and_load(&self) -> Result<Option<(std::fs::File, FileVersion, StateDoc)>, StateError> {
        use std::io::Read as _;
        let mut file = match std::fs::File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io("read", e)),
        };
        let meta = file.metadata().map_err(|e| self.io("inspect", e))?;
        let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
        file.read_to_end(&mut bytes)
            .map_err(|e| self.io("read", e))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let doc = serde_json::from_slice(&bytes).map_err(|e| {
            StateError::Corrupt(format!(
                "the sandbox state {} is not valid ({e}); move it away to start afresh",
                self.path.display()
            ))
        })?;
        Ok(Some((file, FileVersion::of(&meta), doc)))
    }

    fn save(&self, doc: &StateDoc) -> Result<(), StateError> {
        let mut bytes = serde_json::to_vec(doc).map_err(|e| StateError::Internal(e.to_string()))?;
        bytes.push(b'\n');
        // The emulator's state is fake and rewritten on every change: atomic, not fsynced.
        write_private_volatile(&self.path, &bytes).map_err(|e| self.io("write", e))
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
    /// What the control routes (`/_sandbox/*`) require as `Authorization: Bearer`.
    control_token: String,
}

/// A random token for the control routes: other local users can reach the loopback port,
/// and must not read the request log or steer the sandbox. Empty (the control routes then
/// refuse everyone) if the system's random number generator fails.
fn new_control_token() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 24];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        return String::new();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sbx_{hex}")
}

impl AppState {
    pub fn new(store: StateStore, jwt_ttl_override: Option<u64>, base_url: String) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                store,
                jwt_ttl_override,
                base_url,
                control_token: new_control_token(),
            }),
        }
    }

    /// The token the control routes require (printed by `sandbox serve`).
    pub fn control_token(&self) -> &str {
        &self.inner.control_token
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

    /// `iat` and `exp` (unix seconds) of a JWT `service` issues at `now_secs`: the lifetime of
    /// [`AppState::jwt_ttl`], unless the `jwt_exp_in_secs` knob places `exp` itself (then `iat`
    /// stays before `exp`, as a real issuer's would).
    pub fn jwt_times(&self, doc: &StateDoc, service: &str, now_secs: i64) -> (i64, i64) {
        match doc.knobs.jwt_exp_in_secs.get(service) {
            Some(&offset) => {
                let exp = now_secs.saturating_add(offset);
                (now_secs.min(exp.saturating_sub(1)), exp)
            }
            None => {
                let ttl = i64::try_from(self.jwt_ttl(doc, service)).unwrap_or(i64::MAX);
                (now_secs, now_secs.saturating_add(ttl))
            }
        }
    }

    /// [`StateStore::transact`] on the blocking pool.
    pub async fn transact<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&mut StateDoc) -> T + Send + 'static,
    {
        let job = StateJob::Transact(Box::new(move |doc| Box::new(f(doc))));
        unbox(self.on_blocking_pool(job).await?)
    }

    /// `job` on the blocking pool. Every handler's closure comes here boxed, as one type: a
    /// `spawn_blocking` and a [`StateStore::transact`] per closure type would compile tokio's
    /// task machinery and the transaction (lock, load, save) once per handler (about 75
    /// copies, a third of a megabyte of the binary).
    async fn on_blocking_pool(&self, job: StateJob) -> Result<Outcome, StateError> {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || match job {
            StateJob::Transact(f) => store.transact(f),
            StateJob::Read(f) => store.read(f),
        })
        .await
        .map_err(|e| StateError::Internal(format!("state task failed: {e}")))?
    }

    /// Log a service request, then consume one use of the first fault matching it (if any)
    /// and read the latency knob: what the layer in front of every service does first.
    pub async fn admit(&self, record: RequestRecord) -> Result<(Option<Fault>, u64), StateError> {
        let store = self.inner.store.clone();
        tokio::task::spawn_blocking(move || {
            let (method, path) = (record.method.clone(), record.path.clone());
            store.log().append(record)?;
            let (faulted, latency_ms) = store.read(|doc| {
                let faulted = doc.faults.iter().any(|f| f.matches(&method, &path));
                (faulted, doc.knobs.latency_ms)
            })?;
            // Consumed under the lock: the fault may have been used up meanwhile.
            let fault = match faulted {
                true => store.transact(|doc| doc.take_fault(&method, &path))?,
                false => None,
            };
            Ok((fault, latency_ms))
        })
        .await
        .map_err(|e| StateError::Internal(format!("state task failed: {e}")))?
    }

    /// [`StateStore::read`] on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, StateError>
    where
        T: Send + 'static,
        F: FnOnce(&StateDoc) -> T + Send + 'static,
    {
        let job = StateJob::Read(Box::new(move |doc| Box::new(f(doc))));
        unbox(self.on_blocking_pool(job).await?)
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

/// A job for [`AppState::on_blocking_pool`], its result boxed.
enum StateJob {
    Transact(Box<dyn FnOnce(&mut StateDoc) -> Outcome + Send>),
    Read(Box<dyn FnOnce(&StateDoc) -> Outcome + Send>),
}

/// What a [`StateJob`] returned, for [`unbox`].
type Outcome = Box<dyn Any + Send>;

/// The `T` a job of [`AppState::transact`] or [`AppState::read`] boxed.
fn unbox<T: 'static>(out: Outcome) -> Result<T, StateError> {
    out.downcast::<T>()
        .map(|out| *out)
        .map_err(|_| StateError::Internal("a state job returned another type".into()))
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

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Counter {
        n: u64,
    }

    impl ServiceState for Counter {
        const KEY: &'static str = "counter";
    }

    fn state_with(text: &str) -> (tempfile::TempDir, PathBuf, StateStore) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, text).unwrap();
        let store = StateStore::new(path.clone());
        (dir, path, store)
    }

    #[test]
    fn service_documents_are_copied_verbatim_until_their_service_changes_them() {
        let (_dir, path, store) = state_with(
            r#"{"counter":{"n":1,"extra":true},"gone":{"x" : [1, 2]},"next_seq":7,"requests":[]}"#,
        );
        assert_eq!(store.transact(|doc| doc.service::<Counter>().n).unwrap(), 1);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""counter":{"n":1,"extra":true}"#), "{text}");
        assert!(text.contains(r#""gone":{"x" : [1, 2]}"#), "{text}");
        assert!(text.contains(r#""faults":[],"counter""#), "{text}");
        assert!(
            !text.contains("next_seq"),
            "the old request log is dropped: {text}"
        );

        store
            .transact(|doc| doc.service_mut::<Counter>().n += 1)
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""counter":{"n":2}"#), "{text}");
        assert!(text.contains(r#""gone":{"x" : [1, 2]}"#), "{text}");
    }

    #[test]
    fn a_service_without_state_reads_as_its_default_and_is_not_written() {
        let doc = StateDoc::default();
        assert_eq!(doc.service::<Counter>(), &Counter::default());
        let text = serde_json::to_string(&doc).unwrap();
        assert!(!text.contains("counter"), "{text}");
        let mut doc = doc;
        doc.service_mut::<Counter>().n = 3;
        let back: StateDoc = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        assert_eq!(back.service::<Counter>().n, 3);
    }

    #[test]
    fn a_service_document_that_does_not_decode_fails_its_transactions_only() {
        let original = r#"{"counter":{"n":"many"},"next_seq":1}"#;
        let (_dir, path, store) = state_with(original);
        for result in [
            store.transact(|doc| doc.service_mut::<Counter>().n = 5),
            store.read(|doc| {
                let _ = doc.service::<Counter>();
            }),
        ] {
            match result {
                Err(StateError::Corrupt(message)) => {
                    assert!(message.contains("counter") && message.contains("state.json"));
                }
                other => panic!("{other:?}"),
            }
        }
        // The read wrote the fresh signing key before failing; the bad document is kept as is.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""counter":{"n":"many"}"#), "{text}");
        // Transactions that do not need it still work, and keep it.
        assert_eq!(store.transact(|doc| doc.version).unwrap(), STATE_VERSION);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""counter":{"n":"many"}"#), "{text}");
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
}
