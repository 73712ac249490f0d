//! A profile's bearer credential for a long-running user that must never hold it: the
//! credential gateway and the MCP server.
//!
//! Contract (docs/cli-contract.md §6, §10):
//! - The credential is refreshed when less than a tenth of its lifetime remains (lifetime =
//!   the JWT's `exp - iat`, else what was left when it was first seen), lazily, on the next
//!   request that needs it: an idle gateway refreshes nothing. A credential without an `exp`
//!   (an agent token that does not expire, an opaque token) is used until the service rejects it.
//! - Refreshes are single-flight: inside the process one thread owns the profile's
//!   [`Session`] and answers every renewal request in turn, so many concurrent requests that
//!   find the credential stale make one refresh; across processes the session's profile lock
//!   and re-read of the store do the same (`agentcred token` running beside a gateway does not
//!   double the refreshes).
//! - After a 401, [`Broker::renew_rejected`] refreshes once unless someone already replaced
//!   the rejected credential, and only for a credential older than a floor (30 s, or a tenth
//!   of its lifetime if less): so each credential is replaced after a rejection at most once,
//!   and an endpoint that always answers 401 costs at most one mint per floor.
//! - [`Broker::secrets`] is every secret value the profile holds (each stored kind, the
//!   operator key wherever `login` stored it or in the environment, each half of a Basic
//!   key, the vault token, and every credential minted since), for
//!   [`crate::redact`]: nothing that leaves through the gateway or MCP may carry one.

use std::sync::{Arc, Mutex, PoisonError, RwLock, mpsc};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::jwt;
use crate::paths::Paths;
use crate::redact::Secrets;
use crate::secret::Secret;
use crate::session::{DEFAULT_MIN_VALID, Session};
use crate::spec::{self, Provider};
use crate::store;

/// Refresh when less than 1/REFRESH_FRACTION of the credential's lifetime is left.
const REFRESH_FRACTION: i64 = 10;
/// A credential the service rejects is replaced only once it is older than this (or than a
/// tenth of its lifetime, if that is less): an endpoint that answers 401 to a good credential
/// must not make every request mint a new one.
const REJECTION_FLOOR_MS: i64 = 30_000;

/// A credential and when it stops being good.
#[derive(Debug, Clone)]
struct Held {
    token: Secret<String>,
    /// Unix milliseconds, from the JWT's `exp`.
    expires_at_ms: Option<i64>,
    lifetime_ms: Option<i64>,
    /// When it was issued (the JWT's `iat`), else when this broker first held it.
    issued_ms: i64,
}

impl Held {
    fn new(token: Secret<String>) -> Held {
        let info = jwt::decode(token.expose());
        let exp = info.as_ref().and_then(|i| i.exp);
        let iat = info.as_ref().and_then(|i| i.iat);
        let expires_at_ms = exp.map(|e| e.saturating_mul(1000));
        let lifetime_ms = match (exp, iat) {
            (Some(exp), Some(iat)) if exp > iat => Some((exp - iat) * 1000),
            (Some(_), _) => expires_at_ms.map(|e| e - now_ms()),
            _ => None,
        };
        let issued_ms = iat.map_or_else(now_ms, |iat| iat.saturating_mul(1000));
        Held {
            token,
            expires_at_ms,
            lifetime_ms,
            issued_ms,
        }
    }

    /// Old enough that a rejection may be answered with a new credential.
    fn may_replace_after_rejection(&self, now_ms: i64) -> bool {
        let floor = self.lifetime_ms.map_or(REJECTION_FLOOR_MS, |l| {
            (l / REFRESH_FRACTION).min(REJECTION_FLOOR_MS)
        });
        now_ms - self.issued_ms >= floor
    }

    /// Good for a request now: more than a tenth of its lifetime left.
    fn good(&self, now_ms: i64) -> bool {
        match (self.expires_at_ms, self.lifetime_ms) {
            (Some(exp), Some(lifetime)) => exp - now_ms > lifetime.max(0) / REFRESH_FRACTION,
            (Some(exp), None) => exp > now_ms,
            // No expiry known: good until the service says otherwise.
            (None, _) => true,
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

type Reply = tokio::sync::oneshot::Sender<Result<Secret<String>>>;

struct Ask {
    /// The credential the service just refused, if that is why we ask.
    rejected: Option<Secret<String>>,
    reply: Reply,
}

/// What the broker's thread is asked to do.
enum Work {
    Renew(Ask),
    /// Read the profile's secrets again (another process changed the profile's files).
    Reread(tokio::sync::oneshot::Sender<()>),
}

/// What identifies a version of a file without reading it: (modified, length, inode).
type Stamp = Option<(SystemTime, u64, u64)>;

fn stamps(files: &[std::path::PathBuf]) -> Vec<Stamp> {
    files
        .iter()
        .map(|f| {
            let meta = std::fs::metadata(f).ok()?;
            #[cfg(unix)]
            let inode = std::os::unix::fs::MetadataExt::ino(&meta);
            #[cfg(not(unix))]
            let inode = 0;
            Some((meta.modified().ok()?, meta.len(), inode))
        })
        .collect()
}

struct Shared {
    profile: String,
    provider: Provider,
    current: Mutex<Option<Held>>,
    secrets: RwLock<(Vec<Secret<String>>, Secrets)>,
    asks: Mutex<Option<mpsc::Sender<Work>>>,
    /// The files whose change means the profile's secrets may have changed (the config and
    /// the profile's file, which a rotation rewrites, and the file store's files of the
    /// profile), and their stamps when last read.
    watched: Vec<std::path::PathBuf>,
    seen: Mutex<Vec<Stamp>>,
}

impl Shared {
    fn current(&self) -> Option<Held> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn adopt(&self, token: &Secret<String>) {
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(Held::new(token.clone()));
        self.remember(std::slice::from_ref(token));
    }

    fn remember(&self, values: &[Secret<String>]) {
        let mut guard = self.secrets.write().unwrap_or_else(PoisonError::into_inner);
        let (known, _) = &mut *guard;
        let before = known.len();
        for value in values {
            if !known.contains(value) {
                known.push(value.clone());
            }
        }
        if known.len() != before {
            let rebuilt = Secrets::new(known.iter().map(|s| s.expose().as_str()));
            guard.1 = rebuilt;
        }
    }
}

/// A handle on one profile's credential; cheap to clone, usable from any thread or task.
#[derive(Clone)]
pub struct Broker {
    shared: Arc<Shared>,
}

impl Broker {
    /// Take over `session`'s profile: get a usable credential now (so that a broken profile
    /// fails before anything starts), then answer renewals on a thread of its own, which
    /// ends when the last handle is dropped.
    pub fn start(session: Session<'_>, trace: bool) -> Result<Broker> {
        let shared = Arc::new(Shared {
            profile: session.name.clone(),
            provider: session.provider(),
            current: Mutex::new(None),
            secrets: RwLock::new((Vec::new(), Secrets::default())),
            asks: Mutex::new(None),
            watched: [
                session.paths.config_file(),
                crate::profile::profile_file(session.paths, &session.name),
            ]
            .into_iter()
            .chain(session.store.files_of(&session.name))
            .collect(),
            seen: Mutex::new(Vec::new()),
        });
        *shared.seen.lock().unwrap_or_else(PoisonError::into_inner) = stamps(&shared.watched);
        shared.remember(&held_secrets(&session));
        renew(&session, &shared, None)?;

        let (tx, rx) = mpsc::channel::<Work>();
        *shared.asks.lock().unwrap_or_else(PoisonError::into_inner) = Some(tx);
        let Session {
            name,
            profile,
            endpoints,
            store,
            paths,
            http,
        } = session;
        let printer = http.printer().clone();
        let paths: Paths = paths.clone();
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name(format!("agentcred-broker-{name}"))
            .spawn(move || {
                // The thread's own client: the caller's lives in its context, which a thread
                // that outlives the call cannot borrow.
                let http = Http::new(trace, printer);
                let session = Session {
                    name,
                    profile,
                    endpoints,
                    store,
                    http: &http,
                    paths: &paths,
                };
                for work in rx {
                    match work {
                        Work::Renew(ask) => {
                            let outcome = renew(&session, &thread_shared, ask.rejected.as_ref());
                            let _ = ask.reply.send(outcome);
                        }
                        Work::Reread(done) => {
                            thread_shared.remember(&held_secrets(&session));
                            let _ = done.send(());
                        }
                    }
                }
            })
            .map_err(|e| Error::internal(format!("cannot start the credential thread: {e}")))?;
        Ok(Broker { shared })
    }

    pub fn profile(&self) -> &str {
        &self.shared.profile
    }

    pub fn provider(&self) -> Provider {
        self.shared.provider
    }

    /// Whether a rejected credential can be replaced by a new one.
    pub fn can_refresh(&self) -> bool {
        self.shared.provider.spec().short_lived.is_some()
    }

    /// A credential good for a request now, refreshing first if needed.
    pub async fn credential(&self) -> Result<Secret<String>> {
        if let Some(held) = self.shared.current()
            && held.good(now_ms())
        {
            return Ok(held.token);
        }
        self.ask(None).await
    }

    /// A replacement for `rejected`, which the service answered with 401; `None` when the
    /// 401 is to be passed on: `rejected` is younger than the floor (a fresh credential the
    /// service refuses will not be helped by another, and minting one per request would let
    /// whoever sends requests drive the mints).
    pub async fn renew_rejected(
        &self,
        rejected: &Secret<String>,
    ) -> Result<Option<Secret<String>>> {
        if let Some(held) = self.shared.current()
            && &held.token == rejected
            && !held.may_replace_after_rejection(now_ms())
        {
            return Ok(None);
        }
        self.ask(Some(rejected.clone())).await.map(Some)
    }

    /// Redact `value` from everything that leaves too (an operator key the policy sends).
    pub fn remember_secret(&self, value: &Secret<String>) {
        self.shared.remember(std::slice::from_ref(value));
    }

    /// Every secret value the profile holds or held while this broker ran.
    pub fn secrets(&self) -> Secrets {
        self.shared
            .secrets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .1
            .clone()
    }

    /// [`Broker::secrets`], first re-read if the profile's files changed since the last
    /// read: a key another process rotated (`keys rotate`, `tokens create --use`) while this
    /// broker runs is redacted from the next answer on, not only the ones this broker minted.
    pub async fn current_secrets(&self) -> Secrets {
        let now = stamps(&self.shared.watched);
        let changed = {
            let mut seen = self
                .shared
                .seen
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let changed = *seen != now;
            *seen = now;
            changed
        };
        if changed {
            let (done, finished) = tokio::sync::oneshot::channel();
            if self.send(Work::Reread(done)) {
                let _ = finished.await;
            }
        }
        self.secrets()
    }

    fn send(&self, work: Work) -> bool {
        self.shared
            .asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|tx| tx.send(work).is_ok())
            .unwrap_or(false)
    }

    async fn ask(&self, rejected: Option<Secret<String>>) -> Result<Secret<String>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self.send(Work::Renew(Ask { rejected, reply }));
        if !sent {
            return Err(Error::internal("the credential thread has stopped"));
        }
        answer
            .await
            .map_err(|_| Error::internal("the credential thread stopped while refreshing"))?
    }
}

/// Every secret value `session`'s profile holds, ready to redact with.
pub fn profile_secrets(session: &Session<'_>) -> Secrets {
    let values = held_secrets(session);
    Secrets::new(values.iter().map(|s| s.expose().as_str()))
}

/// Every secret value `session`'s profile holds: each stored kind and [`outside_secrets`].
fn held_secrets(session: &Session<'_>) -> Vec<Secret<String>> {
    let mut values = Vec::new();
    for kind in session.profile.secret_kinds() {
        if let Ok(Some(value)) = session.secret(&kind) {
            values.push(value);
        }
    }
    if let Ok(Some(key)) = session
        .store
        .get(&store::operator_account(session.provider().id()))
    {
        values.push(key);
    }
    values.extend(outside_secrets(session.paths, session.provider()));
    crate::redact::remember(&values);
    values
}

/// The secrets a profile's commands may send that are not the profile's own: its service's
/// operator key wherever `login` keeps it, each
/// half of a Basic pair too; operator keys in this process's environment; the vault token.
pub fn outside_secrets(paths: &Paths, provider: Provider) -> Vec<Secret<String>> {
    let mut values = Vec::new();
    let mut add = |value: Secret<String>| values.extend(with_halves(value));
    if provider.spec().operator.is_some()
        && let Ok(config) = crate::profile::Config::load(paths)
    {
        for sandbox in [false, true] {
            let slot = crate::profile::operator_slot(provider, sandbox);
            if let Some(entry) = config.operators.get(&slot)
                && let Ok(opened) = store::open(entry.store, paths)
                && let Ok(Some(key)) = opened.get(&store::operator_account(&slot))
            {
                add(key);
            }
        }
    }
    for provider in spec::all() {
        for var in provider
            .spec()
            .operator
            .iter()
            .flat_map(|scheme| scheme.env_vars())
        {
            if let Ok(value) = std::env::var(var) {
                add(Secret::new(value));
            }
        }
    }
    for var in store::CREDENTIAL_ENV {
        if let Ok(value) = std::env::var(var) {
            add(Secret::new(value));
        }
    }
    values
}

/// A stored operator key and, for a Basic pair (`key_id:key_secret`), each half: a service
/// that quotes one half must not show it either.
fn with_halves(value: Secret<String>) -> Vec<Secret<String>> {
    let mut values = Vec::new();
    if let Some((id, secret)) = crate::profile::split_operator_pair(value.expose()) {
        values.push(Secret::new(id.to_owned()));
        values.push(Secret::new(secret.to_owned()));
    }
    values.push(value);
    values
}

/// Every secret the profile `name` holds, read from its store when called: for
/// [`crate::redact::remember_lazily`], so that an error can be scrubbed of secrets the
/// command never read.
pub fn profile_secrets_later(
    paths: &Paths,
    name: &str,
    profile: &crate::profile::Profile,
) -> impl FnOnce() -> Vec<Secret<String>> + Send + 'static {
    let (paths, name, profile) = (paths.clone(), name.to_owned(), profile.clone());
    move || {
        let mut values = outside_secrets(&paths, profile.provider);
        if let Ok(opened) = profile.open_store(&name, &paths) {
            for kind in profile.secret_kinds() {
                if let Ok(Some(value)) = opened.get(&store::account(&name, &kind)) {
                    values.push(value);
                }
            }
        }
        values
    }
}

/// The renewal itself, on the broker's thread (or before it starts).
fn renew(
    session: &Session<'_>,
    shared: &Shared,
    rejected: Option<&Secret<String>>,
) -> Result<Secret<String>> {
    let now = now_ms();
    // Another request may have renewed it while this one waited its turn.
    if let Some(held) = shared.current()
        && held.good(now)
        && Some(&held.token) != rejected
    {
        return Ok(held.token);
    }
    let Some(kind) = session.provider().spec().short_lived_kind() else {
        // Nothing to mint: the stored credential is the credential (it may have been
        // replaced in the store since, by `tokens create --use` for instance).
        let bearer = session.bearer(Duration::ZERO)?;
        shared.adopt(&bearer.token);
        return Ok(bearer.token);
    };
    let stored = session.secret(kind)?;
    let token = match rejected {
        // Another process may have replaced the rejected one: the store is the source of truth.
        Some(rejected) => match stored {
            Some(token) if &token != rejected && Held::new(token.clone()).good(now) => token,
            // Under the profile lock: mints unless another process replaced the stale one
            // meanwhile.
            stored => {
                session
                    .force_refresh(stored.as_ref().or(Some(rejected)))?
                    .token
            }
        },
        // Good for more than a tenth of its lifetime, as a held one must be: a stored one
        // another process refreshed counts, one the service no longer honours is replaced.
        // Whatever the service gives is taken (never refused as too short): the broker renews
        // it again when it must.
        None => {
            let min_valid = stored
                .and_then(|token| Held::new(token).lifetime_ms)
                .map_or(DEFAULT_MIN_VALID, |ms| {
                    Duration::from_millis((ms.max(0) / REFRESH_FRACTION) as u64 + 1000)
                });
            session.bearer_at_best(min_valid)?.token
        }
    };
    shared.adopt(&token);
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(iat: i64, exp: i64) -> Secret<String> {
        use base64::Engine;
        let b64 = |v: serde_json::Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
        };
        Secret::new(format!(
            "{}.{}.",
            b64(serde_json::json!({"alg": "none"})),
            b64(serde_json::json!({"iat": iat, "exp": exp}))
        ))
    }

    #[test]
    fn good_until_a_tenth_of_the_lifetime_is_left() {
        let held = Held::new(jwt(1000, 1100));
        assert_eq!(held.lifetime_ms, Some(100_000));
        assert!(held.good(1_000_000));
        assert!(held.good(1_089_999));
        assert!(!held.good(1_090_000));
        assert!(!held.good(1_200_000));
    }

    #[test]
    fn a_basic_operator_key_is_redacted_whole_and_by_halves() {
        let values = with_halves(Secret::new("key_org_1:ks_0123456789abcdef".into()));
        let secrets = crate::redact::Secrets::new(values.iter().map(|s| s.expose().as_str()));
        assert_eq!(
            secrets.redact_str("bad key ks_0123456789abcdef for key_org_1"),
            "bad key <redacted> for <redacted>"
        );
        assert_eq!(with_halves(Secret::new("lk_live_single".into())).len(), 1);
    }

    #[test]
    fn opaque_tokens_are_good_until_rejected() {
        assert!(Held::new(Secret::new("at_opaque_token".into())).good(i64::MAX));
    }
}
