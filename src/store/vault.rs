//! The vault backend: a HashiCorp Vault or OpenBao KV v2 engine shared by many hosts
//! (docs/cli-contract.md §11).
//!
//! # Where
//!
//! Address `VAULT_ADDR` (or `BAO_ADDR`, read only when `VAULT_ADDR` is unset), token
//! `VAULT_TOKEN` (or `BAO_TOKEN`, likewise), mount `AGENTCRED_VAULT_MOUNT` (default `secret`).
//! Plain http is accepted for loopback hosts only. The address and the mount are recorded in
//! the profile ([`VaultLocation`]) and pinned like its endpoints: a later `VAULT_ADDR` or mount
//! that disagrees is refused with exit 2, so a hostile environment cannot redirect where the
//! profile's credentials are read from or written to. The token is never recorded.
//!
//! # Document
//!
//! One KV v2 secret per profile, at `MOUNT/data/agentcred/PROFILE`:
//!
//! ```json
//! {"agentcred": 1,
//!  "record":  {"provider": "...", "endpoints": {...}, "agent_id": "...", "record": {...}, ...},
//!  "secrets": {"KIND": "value", ...},
//!  "lease":   {"holder": "HOST/PID/NONCE", "expires_at": UNIX_SECONDS},
//!  "frozen":  {"frozen_at": "...", "reason": "...", "by": "..."}}
//! ```
//!
//! `frozen` is present while the profile is frozen (`agentcred freeze`): every host reads it
//! when it opens the profile, and a running gateway polls it. Members this version does not
//! know are kept as they are when the document is rewritten.
//!
//! `record` is the profile as `register` recorded it, minus where this host keeps it, so that
//! another host with the same Vault settings can use the profile by name ([`SharedProfile`]).
//! Every write is a check-and-set on the version just read (`options.cas`), so concurrent
//! writers of different keys never lose each other's change: a mismatch (HTTP 400 "check-and-set
//! parameter did not match the current version") is re-read and re-applied.
//!
//! # The refresh lease
//!
//! [`DistributedLock`]: a holder writes `lease` with check-and-set, refreshes, writes the new
//! credential (check-and-set again, the lease kept) and removes the lease. Waiters poll the
//! document. A lease expires `AGENTCRED_VAULT_LEASE` (default 30 s) after it was taken and may
//! then be taken over, so a holder that died blocks the others for at most that long. Times are
//! the Vault server's own (its `Date` header), so hosts whose clocks disagree still agree on when
//! a lease expires; as a second guard a waiter also takes over a lease it has watched unchanged
//! for longer than the lease lasts. A holder whose refresh outlasts its lease may see it taken
//! over: then two refreshes happen, both credentials are valid, and the last write wins.
//!
//! # Guarantees
//!
//! As for every store: "not found" is `Ok(None)`; every call gets its answer within
//! [`KEYCHAIN_TIMEOUT`] (3 s, no retries) or fails with exit 7, and every error names the cause
//! (Vault down, token refused, mount missing, KV version 1, sealed) and the fix. The token and
//! the secrets never appear in messages; in `-v` traces the `X-Vault-Token` header and the
//! document's `secrets` are redacted. No secret of the profile is written to local disk (its
//! record is, in this host's config, as for every store).
//!
//! Reads are cached for [`CACHE_FOR`] within one process, so that opening a session and reading
//! its credential cost one request; taking the lease always reads afresh, which is what the
//! single-flight refresh relies on.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{
    DistributedLock, KEYCHAIN_TIMEOUT, LockGuard, SecretStore, SharedProfile, StoreEnv, StoreKind,
    WriteFault,
};
use crate::error::{Error, ErrorKind, Result};
use crate::http::{Auth, Call, Http, Reply, RetryPolicy};
use crate::output::{ColorChoice, Printer};
use crate::secret::Secret;

pub const ADDR_ENV: &str = "VAULT_ADDR";
pub const TOKEN_ENV: &str = "VAULT_TOKEN";
pub const BAO_ADDR_ENV: &str = "BAO_ADDR";
pub const BAO_TOKEN_ENV: &str = "BAO_TOKEN";
pub const MOUNT_ENV: &str = "AGENTCRED_VAULT_MOUNT";
pub const LEASE_ENV: &str = "AGENTCRED_VAULT_LEASE";
pub const DEFAULT_MOUNT: &str = "secret";
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);
/// The folder under the mount that holds one document per profile.
const FOLDER: &str = "agentcred";
const FORMAT_VERSION: u32 = 1;
/// How long a read serves later reads in the same process (see the module doc).
const CACHE_FOR: Duration = Duration::from_secs(2);
/// Check-and-set rounds before a write gives up (each one lost to another writer).
const CAS_ATTEMPTS: u32 = 50;
const TOKEN_HEADER: &str = "X-Vault-Token";

/// Whether vault requests are traced (`-v`), and where traces go (prose, or JSON lines under
/// `--json`); set once per process by the command context.
static TRACE: AtomicBool = AtomicBool::new(false);
static PRINTER: std::sync::OnceLock<Printer> = std::sync::OnceLock::new();

pub fn set_trace(on: bool, printer: &Printer) {
    TRACE.store(on, Ordering::Relaxed);
    let _ = PRINTER.set(printer.clone());
}

/// Where a profile's document lives; recorded in the profile and pinned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultLocation {
    pub addr: String,
    pub mount: String,
}

impl VaultLocation {
    /// The document's path for the `bao`/`vault` CLI: `MOUNT/agentcred/PROFILE`.
    pub fn cli_path(&self, profile: &str) -> String {
        format!("{}/{FOLDER}/{profile}", self.mount)
    }
}

/// What the environment says about the vault (captured in [`StoreEnv`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct VaultEnv {
    /// The address and the variable it came from.
    pub addr: Option<(String, &'static str)>,
    pub token: Option<Secret<String>>,
    pub mount: Option<String>,
    pub lease: Option<String>,
}

impl VaultEnv {
    /// The environment points at a vault (`VAULT_ADDR` or `BAO_ADDR`).
    pub fn configured(&self) -> bool {
        self.addr.is_some()
    }

    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> VaultEnv {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let addr = var(ADDR_ENV)
            .map(|a| (a, ADDR_ENV))
            .or_else(|| var(BAO_ADDR_ENV).map(|a| (a, BAO_ADDR_ENV)))
            .map(|(a, from)| (a.trim_end_matches('/').to_owned(), from));
        let token = var(TOKEN_ENV)
            .or_else(|| var(BAO_TOKEN_ENV))
            .map(Secret::new);
        VaultEnv {
            addr,
            token,
            mount: var(MOUNT_ENV).map(|m| m.trim_matches('/').to_owned()),
            lease: var(LEASE_ENV),
        }
    }
}

/// The location for a profile: the recorded one (refusing an environment that disagrees), or
/// for a new profile the environment's.
pub(crate) fn location(
    profile: &str,
    recorded: Option<&VaultLocation>,
    env: &VaultEnv,
) -> Result<VaultLocation> {
    let Some(recorded) = recorded else {
        let (addr, from) = env.addr.clone().ok_or_else(|| {
            Error::store("the vault store needs an address, and VAULT_ADDR is not set").with_hint(
                "set VAULT_ADDR (and VAULT_TOKEN) to your Vault or OpenBao server, e.g. \
                 VAULT_ADDR=https://vault.example.com:8200; or choose another store with --store",
            )
        })?;
        validate_addr(&addr, from)?;
        let mount = env
            .mount
            .clone()
            .unwrap_or_else(|| DEFAULT_MOUNT.to_owned());
        validate_mount(&mount)?;
        return Ok(VaultLocation { addr, mount });
    };
    // Checked on use, not only when recorded: the config file may have been edited.
    validate_addr(&recorded.addr, "the profile's recorded vault address")?;
    validate_mount(&recorded.mount)?;
    if let Some((addr, from)) = &env.addr
        && *addr != recorded.addr
    {
        return Err(Error::usage(format!(
            "{from} is set to {}, but profile '{profile}' keeps its secrets in the vault at {}; \
             they are only read from and written to the vault recorded in the profile",
            shown(addr),
            shown(&recorded.addr)
        ))
        .with_hint(format!(
            "unset {from} for this profile (or set it to {}); to change vaults, move the profile \
             with `agentcred profiles move {profile} --to-store file` and back",
            shown(&recorded.addr)
        )));
    }
    if let Some(mount) = &env.mount
        && *mount != recorded.mount
    {
        return Err(Error::usage(format!(
            "{MOUNT_ENV} is set to '{mount}', but profile '{profile}' keeps its secrets under the \
             mount '{}'",
            recorded.mount
        ))
        .with_hint(format!(
            "unset {MOUNT_ENV} for this profile (or set it to '{}')",
            recorded.mount
        )));
    }
    Ok(recorded.clone())
}

/// https anywhere; plain http only to loopback hosts; no user:password.
fn validate_addr(addr: &str, source: &str) -> Result<()> {
    let url = url::Url::parse(addr).map_err(|e| {
        Error::usage(format!(
            "{source} is not a valid URL ({}): {e}",
            shown(addr)
        ))
        .with_hint("give the vault's address like https://vault.example.com:8200")
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::usage(format!(
            "{source} carries a user name or password ({})",
            shown(addr)
        ))
        .with_hint("give the address alone; the token goes in VAULT_TOKEN"));
    }
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(Error::usage(format!(
            "{source} uses plain http to a non-loopback host ({}); the vault token and the \
             secrets would travel unencrypted",
            shown(addr)
        ))
        .with_hint("use https://, or http:// only for 127.0.0.1, [::1] or localhost")),
        other => Err(Error::usage(format!(
            "{source} has the unsupported scheme '{other}' ({})",
            shown(addr)
        ))
        .with_hint("use an https:// URL")),
    }
}

fn validate_mount(mount: &str) -> Result<()> {
    let ok = !mount.is_empty()
        && mount.len() <= 128
        && mount
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && mount
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    if ok {
        Ok(())
    } else {
        Err(
            Error::usage(format!("{MOUNT_ENV}='{mount}' is not a valid mount path")).with_hint(
                "give the path of a KV v2 secrets engine, like `secret` or `teams/agents`",
            ),
        )
    }
}

/// A URL for messages: never its user:password.
pub(crate) fn shown(addr: &str) -> String {
    match url::Url::parse(addr) {
        Ok(mut url) if !url.username().is_empty() || url.password().is_some() => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.to_string().trim_end_matches('/').to_owned()
        }
        Ok(_) => addr.to_owned(),
        Err(_) => "(an invalid URL)".to_owned(),
    }
}

pub(crate) fn lease_ttl(env: &VaultEnv) -> Result<Duration> {
    let Some(text) = &env.lease else {
        return Ok(DEFAULT_LEASE);
    };
    let ttl = crate::duration::parse(text).map_err(|e| {
        Error::usage(format!("{LEASE_ENV}: {}", e.message)).with_hint(e.hint.unwrap_or_default())
    })?;
    if ttl < Duration::from_secs(1) {
        return Err(
            Error::usage(format!("{LEASE_ENV}={text} is too short")).with_hint(format!(
                "set {LEASE_ENV} to at least 1s (default {}s)",
                DEFAULT_LEASE.as_secs()
            )),
        );
    }
    Ok(ttl)
}

/// One profile's document in a KV v2 engine.
pub struct VaultStore {
    /// Shared with a held lease, which outlives the borrow of the store that took it.
    inner: Arc<Inner>,
}

impl std::ops::Deref for VaultStore {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

pub struct Inner {
    location: VaultLocation,
    token: Option<Secret<String>>,
    profile: String,
    lease_ttl: Duration,
    /// Who this process is in a lease: `HOST/PID/NONCE`.
    holder: String,
    fault_write: WriteFault,
    http: Http,
    cache: Mutex<Option<Cached>>,
}

impl std::fmt::Debug for VaultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultStore")
            .field("location", &self.location)
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("location", &self.location)
            .field("profile", &self.profile)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish_non_exhaustive()
    }
}

/// The document's data. No `Debug`: it holds secret values.
#[derive(Serialize, Deserialize, Default, Clone)]
struct Doc {
    #[serde(default)]
    agentcred: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    record: Option<Value>,
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lease: Option<Lease>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    frozen: Option<Value>,
    /// What a newer agentcred wrote, kept through a rewrite.
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize, Deserialize, Clone, PartialEq, Eq)]
struct Lease {
    holder: String,
    /// Unix seconds, by the Vault server's clock.
    expires_at: i64,
}

/// A read: the document (None when there is none), the version to check-and-set against (0:
/// none was ever written), and the server's time.
#[derive(Clone)]
struct Read {
    doc: Option<Doc>,
    version: u64,
    server_now: i64,
}

struct Cached {
    read: Read,
    at: Instant,
}

enum Written {
    Yes,
    CasMismatch,
}

impl VaultStore {
    pub(crate) fn new(
        profile: &str,
        location: VaultLocation,
        env: &StoreEnv,
    ) -> Result<VaultStore> {
        let printer = PRINTER
            .get()
            .cloned()
            .unwrap_or_else(|| Printer::new(false, true, ColorChoice::Never));
        let http = Http::new(TRACE.load(Ordering::Relaxed), printer)
            .with_timeout(KEYCHAIN_TIMEOUT)
            // One answer within the limit or none: a retry would outlast it.
            .with_retry(RetryPolicy {
                max_attempts: 1,
                ..RetryPolicy::default()
            });
        Ok(VaultStore {
            inner: Arc::new(Inner {
                location,
                token: env.vault.token.clone(),
                profile: profile.to_owned(),
                lease_ttl: lease_ttl(&env.vault)?,
                holder: holder_id(),
                fault_write: env.fault_store_write,
                http,
                cache: Mutex::new(None),
            }),
        })
    }
}

impl Inner {
    fn where_(&self) -> String {
        format!("the vault at {}", shown(&self.location.addr))
    }

    fn doc_path(&self) -> String {
        format!("{}/data/{FOLDER}/{}", self.location.mount, self.profile)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v1/{path}", self.location.addr)
    }

    fn token(&self) -> Result<&Secret<String>> {
        self.token.as_ref().ok_or_else(|| {
            Error::store(format!(
                "profile '{}' keeps its secrets in {}, and no vault token is set",
                self.profile,
                self.where_()
            ))
            .with_hint(format!(
                "set {TOKEN_ENV} (or {BAO_TOKEN_ENV}) to a token that may read and write {}/{FOLDER}/*",
                self.location.mount
            ))
        })
    }

    fn send(&self, call: Call) -> Result<Reply> {
        let call = call
            .auth(Auth::Header {
                name: TOKEN_HEADER,
                value: self.token()?.clone(),
            })
            .secret_field("secrets");
        self.http.send("vault", &call).map_err(|e| match e.kind {
            ErrorKind::Unavailable => Error::store(format!(
                "{} did not answer within {} s: {}",
                self.where_(),
                KEYCHAIN_TIMEOUT.as_secs(),
                e.message
            ))
            .with_hint(format!(
                "start Vault/OpenBao or check that {} is reachable from this host (`bao status`); \
                 the profile's secrets are only there",
                shown(&self.location.addr)
            )),
            _ => e,
        })
    }

    /// The document as it is now, bypassing the cache (and refreshing it).
    fn read_fresh(&self) -> Result<Read> {
        let reply = self.send(Call::get(self.url(&self.doc_path())))?;
        let server_now = server_now(&reply);
        let body = reply.json_value().unwrap_or(Value::Null);
        let read = match reply.status {
            200 => {
                let version = body["data"]["metadata"]["version"].as_u64().unwrap_or(0);
                let doc: Doc = serde_json::from_value(body["data"]["data"].clone()).map_err(|_| {
                    // serde's message could quote a value; say only what is wrong.
                    Error::store(format!(
                        "the document {} in {} is not an agentcred profile",
                        self.location.cli_path(&self.profile),
                        self.where_()
                    ))
                    .with_hint("it was written by something else; move it aside or pick another profile name")
                })?;
                if doc.agentcred > FORMAT_VERSION {
                    return Err(Error::store(format!(
                        "the document {} has format version {}, which this agentcred does not know",
                        self.location.cli_path(&self.profile),
                        doc.agentcred
                    ))
                    .with_hint("upgrade agentcred on this host"));
                }
                Read {
                    doc: Some(doc),
                    version,
                    server_now,
                }
            }
            // 404 is "no document", unless the mount itself is missing. A deleted (not
            // destroyed) document still has a version, which the next write must name.
            404 if !mount_missing(&body) => Read {
                doc: None,
                version: body["data"]["metadata"]["version"].as_u64().unwrap_or(0),
                server_now,
            },
            _ => return Err(self.failure(&reply, &body, "read")),
        };
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
            read: read.clone(),
            at: Instant::now(),
        });
        Ok(read)
    }

    fn read(&self) -> Result<Read> {
        if let Some(cached) = &*self.cache.lock().unwrap_or_else(|p| p.into_inner())
            && cached.at.elapsed() < CACHE_FOR
        {
            return Ok(cached.read.clone());
        }
        self.read_fresh()
    }

    /// Write `doc` if the document is still at `version`.
    fn write(&self, doc: &Doc, version: u64) -> Result<Written> {
        let mut call = Call::post(self.url(&self.doc_path())).json(json!({
            "options": {"cas": version},
            "data": doc,
        }));
        for value in doc.secrets.values() {
            call = call.body_secret(&Secret::new(value.clone()));
        }
        let reply = self.send(call)?;
        let body = reply.json_value().unwrap_or(Value::Null);
        match reply.status {
            200 | 204 => {
                let written = body["data"]["version"].as_u64().unwrap_or(version + 1);
                *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = Some(Cached {
                    read: Read {
                        doc: Some(doc.clone()),
                        version: written,
                        server_now: server_now(&reply),
                    },
                    at: Instant::now(),
                });
                Ok(Written::Yes)
            }
            400 if errors(&body).contains("check-and-set") => Ok(Written::CasMismatch),
            _ => Err(self.failure(&reply, &body, "write")),
        }
    }

    /// Read, change and write back with check-and-set until no other writer came between.
    fn update<T>(&self, mut change: impl FnMut(&mut Doc) -> Option<T>) -> Result<Option<T>> {
        for _ in 0..CAS_ATTEMPTS {
            let read = self.read_fresh()?;
            let mut doc = read.doc.unwrap_or_else(|| Doc {
                agentcred: FORMAT_VERSION,
                ..Doc::default()
            });
            // `None`: nothing to change, so nothing to write.
            let Some(out) = change(&mut doc) else {
                return Ok(None);
            };
            doc.agentcred = FORMAT_VERSION;
            match self.write(&doc, read.version)? {
                Written::Yes => return Ok(Some(out)),
                Written::CasMismatch => std::thread::sleep(jitter(5, 40)),
            }
        }
        Err(Error::store(format!(
            "could not update {} in {}: it changed under every one of {CAS_ATTEMPTS} attempts",
            self.location.cli_path(&self.profile),
            self.where_()
        ))
        .with_hint("many hosts are writing this profile at once; try again"))
    }

    /// An error reply as an exit-7 error naming the cause and the fix.
    fn failure(&self, reply: &Reply, body: &Value, op: &str) -> Error {
        let path = self.doc_path();
        let said = errors(body);
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(": {said}")
        };
        let status = reply.status;
        let err = match status {
            403 => {
                // A token Vault does not know, or one whose policy does not cover the path?
                let valid = self
                    .send(Call::get(self.url("auth/token/lookup-self")))
                    .map(|r| r.is_success())
                    .unwrap_or(false);
                if valid {
                    Error::store(format!(
                        "{} refused to {op} {path} (403 permission denied): the token's policy \
                         does not allow it, or no secrets engine is mounted at '{}'",
                        self.where_(),
                        self.location.mount
                    ))
                    .with_hint(format!(
                        "grant the token create, read, update and delete on {m}/data/{FOLDER}/* \
                         (and delete on {m}/metadata/{FOLDER}/* for --purge), or set {MOUNT_ENV} \
                         to the KV v2 mount it may use",
                        m = self.location.mount
                    ))
                } else {
                    Error::store(format!(
                        "{} refused the vault token (403 permission denied): it is wrong, \
                         expired or revoked",
                        self.where_()
                    ))
                    .with_hint(format!(
                        "set {TOKEN_ENV} to a valid token (for example from `bao login` or \
                         `vault login`); `bao token lookup` shows whether a token is valid"
                    ))
                }
            }
            404 => Error::store(format!(
                "no secrets engine is mounted at '{}' in {} (404{said})",
                self.location.mount,
                self.where_()
            ))
            .with_hint(format!(
                "enable a KV v2 engine there (`bao secrets enable -path={} kv-v2`), or set \
                 {MOUNT_ENV} to the KV v2 mount that holds agentcred's profiles",
                self.location.mount
            )),
            503 if said.contains("sealed") => {
                Error::store(format!("{} is sealed (503{said})", self.where_()))
                    .with_hint("unseal it (`bao operator unseal`), then try again")
            }
            400 if said.contains("data/") || said.contains("version") => Error::store(format!(
                "{} rejected the {op} of {path} (400{said})",
                self.where_()
            ))
            .with_hint(format!(
                "'{}' may be a KV version 1 engine; agentcred needs KV v2 \
                 (`bao kv enable-versioning {}`)",
                self.location.mount, self.location.mount
            )),
            _ => Error::store(format!(
                "{} answered the {op} of {path} with HTTP {status}{said}",
                self.where_()
            ))
            .with_hint("check the vault's health (`bao status`) and its logs, then try again"),
        };
        err.with_status(status)
    }

    fn kind_of<'a>(&self, account: &'a str) -> Result<&'a str> {
        match account.split_once(':') {
            Some((profile, kind)) if profile == self.profile => Ok(kind),
            _ => Err(Error::internal(format!(
                "the vault store of profile '{}' was asked for the account '{account}'",
                self.profile
            ))),
        }
    }

    /// The mount is a KV v2 engine (when the token may ask; many policies do not allow it).
    fn check_engine(&self) -> Result<()> {
        let path = format!(
            "sys/internal/ui/mounts/{}/{FOLDER}/{}",
            self.location.mount, self.profile
        );
        let reply = self.send(Call::get(self.url(&path)))?;
        if !reply.is_success() {
            // The document read that follows names the cause precisely.
            return Ok(());
        }
        let body = reply.json_value().unwrap_or(Value::Null);
        let data = &body["data"];
        let kind = data["type"].as_str().unwrap_or_default();
        let version = data["options"]["version"].as_str().unwrap_or("1");
        if kind == "kv" && version == "2" {
            return Ok(());
        }
        let what = if kind == "kv" {
            "a KV version 1 engine".to_owned()
        } else {
            format!("a '{kind}' engine")
        };
        Err(Error::store(format!(
            "the mount '{}' in {} is {what}; agentcred keeps profiles in a KV version 2 engine",
            self.location.mount,
            self.where_()
        ))
        .with_hint(format!(
            "upgrade it (`bao kv enable-versioning {m}`), or set {MOUNT_ENV} to a KV v2 mount \
             (`bao secrets enable -path=agentcred kv-v2`)",
            m = self.location.mount
        )))
    }

    /// The token may write the document (when the token may ask).
    fn check_writable(&self) -> Result<()> {
        let path = self.doc_path();
        let reply = self.send(
            Call::post(self.url("sys/capabilities-self")).json(json!({"paths": [path.clone()]})),
        )?;
        if !reply.is_success() {
            return Ok(());
        }
        let body = reply.json_value().unwrap_or(Value::Null);
        let caps: Vec<&str> = body["data"][&path]
            .as_array()
            .or_else(|| body["data"]["capabilities"].as_array())
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if caps
            .iter()
            .any(|c| matches!(*c, "root" | "create" | "update"))
        {
            return Ok(());
        }
        Err(Error::store(format!(
            "the vault token may not write {path} in {} (its capabilities there: {})",
            self.where_(),
            if caps.is_empty() {
                "none".to_owned()
            } else {
                caps.join(", ")
            }
        ))
        .with_hint(format!(
            "grant the token create, read, update and delete on {}/data/{FOLDER}/*",
            self.location.mount
        )))
    }
}

impl SecretStore for VaultStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Vault
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        let kind = self.kind_of(account)?;
        Ok(self
            .read()?
            .doc
            .and_then(|mut doc| doc.secrets.remove(kind))
            .map(Secret::new))
    }

    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        let kind = self.kind_of(account)?;
        self.fault_write.before_write()?;
        self.update(|doc| {
            doc.secrets.insert(kind.to_owned(), value.expose().clone());
            Some(())
        })?;
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<bool> {
        let kind = self.kind_of(account)?;
        Ok(self
            .update(|doc| doc.secrets.remove(kind).map(|_| ()))?
            .is_some())
    }

    fn check(&self) -> Result<()> {
        self.token()?;
        self.check_engine()?;
        self.read_fresh()?;
        self.check_writable()
    }

    fn shared(&self) -> Option<&dyn SharedProfile> {
        Some(self)
    }

    fn distributed_lock(&self) -> Option<&dyn DistributedLock> {
        Some(self)
    }
}

impl SharedProfile for VaultStore {
    fn describe(&self) -> String {
        format!(
            "{} ({} in {})",
            self.location.cli_path(&self.profile),
            self.location.mount,
            self.where_()
        )
    }

    fn read_record(&self) -> Result<Option<Value>> {
        Ok(self.read()?.doc.and_then(|doc| doc.record))
    }

    fn write_record(&self, record: &Value) -> Result<()> {
        self.update(|doc| {
            if doc.record.as_ref() == Some(record) {
                return None;
            }
            doc.record = Some(record.clone());
            Some(())
        })?;
        Ok(())
    }

    fn exists(&self) -> Result<bool> {
        Ok(self.read_fresh()?.doc.is_some())
    }

    fn read_freeze(&self, fresh: bool) -> Result<Option<Value>> {
        let read = if fresh {
            self.read_fresh()?
        } else {
            self.read()?
        };
        Ok(read.doc.and_then(|doc| doc.frozen))
    }

    fn write_freeze(&self, freeze: Option<&Value>) -> Result<()> {
        self.update(|doc| {
            if doc.frozen.as_ref() == freeze {
                return None;
            }
            doc.frozen = freeze.cloned();
            Some(())
        })?;
        Ok(())
    }

    fn destroy(&self) -> Result<bool> {
        let existed = self.exists()?;
        let path = format!("{}/metadata/{FOLDER}/{}", self.location.mount, self.profile);
        let reply = self.send(Call::delete(self.url(&path)))?;
        if !reply.is_success() {
            let body = reply.json_value().unwrap_or(Value::Null);
            return Err(self.failure(&reply, &body, "destroy"));
        }
        *self.cache.lock().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(existed)
    }

    fn location(&self) -> Option<VaultLocation> {
        Some(self.location.clone())
    }

    fn update_part(
        &self,
        key: &str,
        change: &mut dyn FnMut(Option<&Value>) -> Option<Value>,
    ) -> Result<bool> {
        Ok(self
            .update(|doc| {
                let next = change(doc.other.get(key))?;
                doc.other.insert(key.to_owned(), next);
                Some(())
            })?
            .is_some())
    }
}

/// Held while this process refreshes; dropping it removes the lease.
struct Held {
    store: Arc<Inner>,
}

impl LockGuard for Held {}

impl Drop for Held {
    fn drop(&mut self) {
        // Best effort: a lease we cannot remove expires by itself.
        let holder = &self.store.holder;
        let _ = self.store.update(|doc| match &doc.lease {
            Some(lease) if lease.holder == *holder => {
                doc.lease = None;
                Some(())
            }
            _ => None,
        });
    }
}

impl DistributedLock for VaultStore {
    fn acquire(&self, wait: Duration) -> Result<Box<dyn LockGuard>> {
        // A dead holder blocks us for one lease; a live one finishes its refresh well within.
        let wait = wait.max(self.lease_ttl + Duration::from_secs(10));
        let started = Instant::now();
        // The lease we have been watching, and since when (the second guard of the module doc).
        let mut watching: Option<(Lease, Instant)> = None;
        loop {
            let read = self.read_fresh()?;
            let Some(mut doc) = read.doc else {
                return Err(Error::not_found(format!(
                    "profile '{}' has no document in {} any more",
                    self.profile,
                    self.where_()
                ))
                .with_hint(format!(
                    "it was removed with `profiles remove --purge` on another host; forget it \
                     here with `agentcred profiles remove {}`",
                    self.profile
                )));
            };
            let held_by_other = match &doc.lease {
                Some(lease) if lease.holder != self.holder => {
                    let since = match &watching {
                        Some((seen, since)) if seen == lease => *since,
                        _ => {
                            watching = Some((lease.clone(), Instant::now()));
                            Instant::now()
                        }
                    };
                    let expired = read.server_now > lease.expires_at
                        || since.elapsed() > self.lease_ttl + Duration::from_secs(1);
                    (!expired).then(|| lease.clone())
                }
                _ => None,
            };
            match held_by_other {
                None => {
                    doc.lease = Some(Lease {
                        holder: self.holder.clone(),
                        expires_at: read
                            .server_now
                            .saturating_add(self.lease_ttl.as_secs() as i64),
                    });
                    doc.agentcred = FORMAT_VERSION;
                    match self.write(&doc, read.version)? {
                        Written::Yes => {
                            return Ok(Box::new(Held {
                                store: Arc::clone(&self.inner),
                            }));
                        }
                        Written::CasMismatch => continue,
                    }
                }
                Some(lease) if started.elapsed() >= wait => {
                    return Err(Error::unavailable(format!(
                        "profile '{}' is being refreshed by {} (its lease in {} lasts until {}), \
                         and it did not finish within {} s",
                        self.profile,
                        lease.holder,
                        self.where_(),
                        crate::timefmt::from_unix_secs(lease.expires_at),
                        wait.as_secs()
                    ))
                    .with_hint("try again; a lease whose holder died expires by itself"));
                }
                Some(_) => std::thread::sleep(jitter(100, 250)),
            }
        }
    }
}

fn holder_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    format!("{host}/{}/{:08x}", std::process::id(), fastrand::u32(..))
}

fn jitter(min_ms: u64, max_ms: u64) -> Duration {
    Duration::from_millis(fastrand::u64(min_ms..=max_ms))
}

/// The server's clock (its `Date` header), falling back to ours.
fn server_now(reply: &Reply) -> i64 {
    reply
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d).ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or_else(crate::timefmt::now_unix, |d| d.as_secs() as i64)
}

/// Vault's `errors` array, joined.
fn errors(body: &Value) -> String {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter_map(Value::as_str)
                .map(|e| e.trim().replace("\n\t", " ").replace('\n', " "))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .unwrap_or_default()
}

/// A 404 for the mount rather than the document: Vault routes nothing there.
fn mount_missing(body: &Value) -> bool {
    errors(body).contains("no handler for route")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> VaultEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        VaultEnv::from_lookup(&|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn bao_variables_only_when_vault_ones_are_unset() {
        let e = env(&[
            ("BAO_ADDR", "http://127.0.0.1:1"),
            ("BAO_TOKEN", "b"),
            ("VAULT_TOKEN", "v"),
        ]);
        assert_eq!(e.addr, Some(("http://127.0.0.1:1".into(), "BAO_ADDR")));
        assert_eq!(e.token.unwrap().expose(), "v");
        let e = env(&[
            ("VAULT_ADDR", "https://v.example/"),
            ("BAO_ADDR", "https://b"),
        ]);
        assert_eq!(e.addr, Some(("https://v.example".into(), "VAULT_ADDR")));
    }

    #[test]
    fn new_locations_come_from_the_environment_and_need_https() {
        let loc = location("p", None, &env(&[("VAULT_ADDR", "http://127.0.0.1:8200")])).unwrap();
        assert_eq!(loc.mount, "secret");
        assert_eq!(loc.cli_path("p"), "secret/agentcred/p");
        let err = location("p", None, &env(&[("VAULT_ADDR", "http://vault.example")])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let err = location("p", None, &env(&[])).unwrap_err();
        assert_eq!(err.exit_code(), 7);
        assert!(err.hint.unwrap().contains("VAULT_ADDR"));
        let err =
            location("p", None, &env(&[("VAULT_ADDR", "https://u:pw@v.example")])).unwrap_err();
        assert!(!err.message.contains("pw"), "{}", err.message);
        let err = location(
            "p",
            None,
            &env(&[("VAULT_ADDR", "https://v"), (MOUNT_ENV, "../x")]),
        )
        .unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn recorded_locations_are_pinned() {
        let recorded = VaultLocation {
            addr: "https://v.example".into(),
            mount: "secret".into(),
        };
        let same = env(&[("VAULT_ADDR", "https://v.example/"), (MOUNT_ENV, "secret")]);
        assert_eq!(location("p", Some(&recorded), &same).unwrap(), recorded);
        assert_eq!(location("p", Some(&recorded), &env(&[])).unwrap(), recorded);
        let other = env(&[("BAO_ADDR", "https://evil.example")]);
        let err = location("p", Some(&recorded), &other).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains("BAO_ADDR"), "{}", err.message);
        let err = location("p", Some(&recorded), &env(&[(MOUNT_ENV, "kv")])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains(MOUNT_ENV), "{}", err.message);
    }

    #[test]
    fn lease_durations() {
        assert_eq!(lease_ttl(&env(&[])).unwrap(), DEFAULT_LEASE);
        assert_eq!(
            lease_ttl(&env(&[(LEASE_ENV, "2s")])).unwrap(),
            Duration::from_secs(2)
        );
        let err = lease_ttl(&env(&[(LEASE_ENV, "30")])).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.message.contains(LEASE_ENV), "{}", err.message);
        assert!(lease_ttl(&env(&[(LEASE_ENV, "0s")])).is_err());
    }

    #[test]
    fn vault_error_bodies() {
        let body =
            json!({"errors": ["no handler for route \"nomount/data/x\". route entry not found."]});
        assert!(mount_missing(&body));
        assert!(!mount_missing(&json!({"errors": []})));
        let body = json!({"errors": ["1 error occurred:\n\t* permission denied\n\n"]});
        assert_eq!(errors(&body), "1 error occurred: * permission denied");
    }
}
