//! A profile's bearer credential for a long-running user that must never hold it: the
//! credential gateway and the MCP server.
//!
//! Contract (§6, §10):
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
//!   the rejected credential.
//! - [`Broker::secrets`] is every secret value the profile holds (each stored kind, the
//!   operator key if stored or in the environment, and every credential minted since), for
//!   [`crate::redact`]: nothing that leaves through the gateway or MCP may carry one.

use std::sync::{Arc, Mutex, PoisonError, RwLock, mpsc};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::jwt;
use crate::paths::Paths;
use crate::redact::Secrets;
use crate::secret::Secret;
use crate::session::Session;
use crate::spec::{self, Provider};
use crate::store;

/// Refresh when less than 1/REFRESH_FRACTION of the credential's lifetime is left.
const REFRESH_FRACTION: i64 = 10;

/// A credential and when it stops being good.
#[derive(Debug, Clone)]
struct Held {
    token: Secret<String>,
    /// Unix milliseconds, from the JWT's `exp`.
    expires_at_ms: Option<i64>,
    lifetime_ms: Option<i64>,
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
        Held {
            token,
            expires_at_ms,
            lifetime_ms,
        }
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

struct Shared {
    profile: String,
    provider: Provider,
    current: Mutex<Option<Held>>,
    secrets: RwLock<(Vec<Secret<String>>, Secrets)>,
    asks: Mutex<Option<mpsc::Sender<Ask>>>,
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
        });
        shared.remember(&held_secrets(&session));
        renew(&session, &shared, None)?;

        let (tx, rx) = mpsc::channel::<Ask>();
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
                for ask in rx {
                    let outcome = renew(&session, &thread_shared, ask.rejected.as_ref());
                    let _ = ask.reply.send(outcome);
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

    /// A replacement for `rejected`, which the service answered with 401.
    pub async fn renew_rejected(&self, rejected: &Secret<String>) -> Result<Secret<String>> {
        self.ask(Some(rejected.clone())).await
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

    async fn ask(&self, rejected: Option<Secret<String>>) -> Result<Secret<String>> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let sent = self
            .shared
            .asks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .map(|tx| tx.send(Ask { rejected, reply }).is_ok())
            .unwrap_or(false);
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

/// Every secret value `session`'s profile holds: each stored kind, its service's operator key
/// if stored, and operator keys in this process's environment.
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
    for provider in spec::all() {
        for var in provider
            .spec()
            .operator
            .iter()
            .flat_map(|scheme| scheme.env_vars())
        {
            if let Ok(value) = std::env::var(var) {
                values.push(Secret::new(value));
            }
        }
    }
    values
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
    let spec = session.provider().spec();
    let Some(short_lived) = spec.short_lived.as_ref() else {
        // Nothing to mint: the stored credential is the credential (it may have been
        // replaced in the store since, by `tokens create --use` for instance).
        let token = session.require_known_secret(spec.agent_credential)?;
        shared.adopt(&token);
        return Ok(token);
    };
    // Another process may have refreshed: the store is the source of truth.
    let stored = session.secret(short_lived.kind)?;
    if let Some(token) = &stored
        && Some(token) != rejected
        && Held::new(token.clone()).good(now)
    {
        shared.adopt(token);
        return Ok(token.clone());
    }
    // Under the profile lock: mints unless another process replaced the stale one meanwhile.
    let fresh = session.force_refresh(stored.as_ref().or(rejected))?;
    shared.adopt(&fresh.token);
    Ok(fresh.token)
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
    fn opaque_tokens_are_good_until_rejected() {
        assert!(Held::new(Secret::new("at_opaque_token".into())).good(i64::MAX));
    }
}
