//! A selected profile with its store and endpoints, and the life of its short-lived credential.
//!
//! Contract (docs/providers.md §6): `refresh` and `token` take a per-profile lock across processes and re-read
//! the store after taking it, so that many concurrent invocations on one expired profile make
//! one refresh call: the first one through the lock refreshes, the others find a fresh
//! credential when their turn comes. A request rejected with 401 is refreshed once and retried
//! once, transparently; a second 401 is an authentication failure (exit 4).
//!
//! Every change of a profile's credentials (create, use, rotate, revoke) takes the same lock
//! ([`Session::lock_for_change`]) and re-reads the profile after taking it, so that a rotation
//! never races a refresh or another rotation. The lock is re-entrant on its thread.
//!
//! A store shared between hosts (the vault) offers a [`store::DistributedLock`]; the refresh lock then
//! takes it too, after the local file lock: the processes of one host queue on the file lock,
//! so only one per host contends for the shared one, and the first host through refreshes while
//! the others find the new credential when they re-read (docs/cli-contract.md §11).

use std::time::Duration;

use crate::error::{Code, Error, Result};
use crate::fsutil::FileLock;
use crate::http::{Http, Reply};
use crate::jwt;
use crate::paths::Paths;
use crate::profile::{Endpoints, Profile};
use crate::secret::Secret;
use crate::spec::{Minting, Provider, SecretSource};
use crate::store::{self, LockGuard, SecretStore};
use crate::timefmt;

/// Our own calls refresh when less than this remains (docs/providers.md §7).
pub const DEFAULT_MIN_VALID: Duration = Duration::from_secs(60);
const PROFILE_LOCK_TIMEOUT: Duration = Duration::from_secs(60);

pub struct Session<'a> {
    pub name: String,
    pub profile: Profile,
    pub endpoints: Endpoints,
    pub store: Box<dyn SecretStore>,
    pub http: &'a Http,
    pub paths: &'a Paths,
}

/// A short-lived credential good for at least the asked time.
#[derive(Debug)]
pub struct Fresh {
    pub token: Secret<String>,
    /// Unix seconds, from the JWT's `exp` (decoded locally).
    pub expires_at: Option<i64>,
    pub refreshed: bool,
}

impl Fresh {
    fn from_token(token: Secret<String>, refreshed: bool) -> Fresh {
        let expires_at = jwt::decode(token.expose()).and_then(|info| info.exp);
        Fresh {
            token,
            expires_at,
            refreshed,
        }
    }

    pub fn expires_at_rfc3339(&self) -> Option<String> {
        self.expires_at.map(timefmt::from_unix_secs)
    }
}

/// The agent's bearer credential as [`Session::bearer`] hands it out.
#[derive(Debug)]
pub struct Bearer {
    /// The secret kind it is stored under.
    pub kind: &'static str,
    pub token: Secret<String>,
    /// Unix seconds, from the JWT's `exp`; `None` for a credential that does not expire.
    pub expires_at: Option<i64>,
    /// Minted by this call.
    pub refreshed: bool,
}

impl Bearer {
    pub fn expires_at_rfc3339(&self) -> Option<String> {
        self.expires_at.map(timefmt::from_unix_secs)
    }

    /// Seconds of validity left now; `None` when it does not expire.
    pub fn expires_in_s(&self) -> Option<i64> {
        self.expires_at.map(|exp| exp - timefmt::now_unix())
    }

    /// The `min_valid_unmet` error when it stays valid for less than `min_valid`.
    pub fn shortfall(&self, provider: Provider, min_valid: Duration) -> Option<Error> {
        let left = self.expires_in_s()?;
        (left < min_valid.as_secs() as i64)
            .then(|| min_valid_unmet(provider, min_valid, &self.token, left))
    }
}

impl<'a> Session<'a> {
    pub fn provider(&self) -> Provider {
        self.profile.provider
    }

    pub fn endpoint(&self, name: &str) -> &str {
        self.endpoints
            .get(name)
            .map(String::as_str)
            .unwrap_or_default()
    }

    pub fn secret(&self, kind: &str) -> Result<Option<Secret<String>>> {
        let value = self.store.get(&store::account(&self.name, kind))?;
        // Whatever was read may come back quoted in a service's error.
        crate::redact::remember(value.iter());
        Ok(value)
    }

    /// A secret the profile must have; its absence is explained with `how_to_fix`.
    pub fn require_secret(&self, kind: &str, how_to_fix: &str) -> Result<Secret<String>> {
        self.secret(kind)?.ok_or_else(|| {
            Error::auth(format!(
                "profile '{}' has no {kind} in the {} store",
                self.name, self.profile.store
            ))
            .with_provider(self.provider().id())
            .with_hint(how_to_fix.to_owned())
        })
    }

    /// A secret of one of the service's own kinds, explained with the spec's words if missing.
    pub fn require_known_secret(&self, kind: &str) -> Result<Secret<String>> {
        let how_to_fix = self
            .provider()
            .spec()
            .secret(kind)
            .map_or("register the profile again", |s| s.when_missing);
        self.require_secret(kind, how_to_fix)
    }

    pub fn put_secret(&self, kind: &str, value: &Secret<String>) -> Result<()> {
        self.store.set(&store::account(&self.name, kind), value)
    }

    /// The per-profile lock that serializes refreshes across processes, and across hosts
    /// when the store offers a [`store::DistributedLock`]. The store re-read after taking it sees what
    /// the previous holder wrote.
    pub fn lock(&self) -> Result<RefreshLock> {
        refresh_lock(self.paths, &self.name, self.store.as_ref())
    }

    /// Take the profile's lock for a change of its credentials (create, use, rotate,
    /// revoke) and re-read the profile, which another process may have changed while this one
    /// waited: decisions (the key in use, the spares) are made from what holds under the lock.
    pub fn lock_for_change(&mut self) -> Result<RefreshLock> {
        let lock = self.lock()?;
        let config = crate::profile::Config::load(self.paths)?;
        self.profile = config.get(&self.name)?.clone();
        Ok(lock)
    }

    fn short_lived(&self) -> Result<&'static crate::spec::ShortLived> {
        self.provider().spec().short_lived.as_ref().ok_or_else(|| {
            Error::usage(format!(
                "{} agent tokens do not expire, so there is nothing to refresh",
                self.provider().display_name()
            ))
            .with_provider(self.provider().id())
        })
    }

    /// The one way to get the agent's bearer credential valid for at least `min_valid`, for
    /// every user that hands it on or checks it (`token`, `exec`; the gateway and MCP broker
    /// and `status --check` through [`Session::bearer_at_best`]):
    ///
    /// - a service without a short-lived credential: the stored agent credential, which does
    ///   not expire;
    /// - otherwise the stored short-lived one if it stays valid for `min_valid` and the
    ///   service (when it can tell, [`crate::spec::ShortLived::still_active`]) still honours
    ///   it, else a new one minted under the profile lock;
    /// - a credential that even freshly minted falls short of `min_valid` is refused
    ///   (`min_valid_unmet`): a caller that asked for that long must not get one it cannot use.
    pub fn bearer(&self, min_valid: Duration) -> Result<Bearer> {
        let bearer = self.bearer_at_best(min_valid)?;
        match bearer.shortfall(self.provider(), min_valid) {
            Some(err) => Err(err),
            None => Ok(bearer),
        }
    }

    /// [`Session::bearer`] without the final refusal: the best credential the service gives,
    /// even when it falls short of `min_valid`, for a caller that reports the shortfall with
    /// the credential's facts (`status --check`, through [`Bearer::shortfall`]) or renews it
    /// again before it matters (the gateway and MCP broker).
    pub fn bearer_at_best(&self, min_valid: Duration) -> Result<Bearer> {
        let spec = self.provider().spec();
        let Some(short_lived) = spec.short_lived.as_ref() else {
            let token = self.require_known_secret(spec.agent_credential)?;
            return Ok(Bearer {
                kind: spec.agent_credential,
                token,
                expires_at: None,
                refreshed: false,
            });
        };
        let fresh = self.ensure_fresh(min_valid)?;
        let fresh = match short_lived.still_active.filter(|_| !fresh.refreshed) {
            Some(still_active) if !still_active(&self.minting(), &fresh.token)? => {
                self.force_refresh(Some(&fresh.token))?
            }
            _ => fresh,
        };
        Ok(Bearer {
            kind: short_lived.kind,
            token: fresh.token,
            expires_at: fresh.expires_at,
            refreshed: fresh.refreshed,
        })
    }

    /// The stored short-lived credential if it stays valid for `min_valid`, else a new one.
    /// Only for this profile's own requests ([`Session::with_credential`]), which meet a
    /// revoked credential as a 401 and replace it then; whoever hands a credential on uses
    /// [`Session::bearer`].
    fn ensure_fresh(&self, min_valid: Duration) -> Result<Fresh> {
        let kind = self.short_lived()?.kind;
        if let Some(token) = self.valid_for(kind, min_valid)? {
            return Ok(Fresh::from_token(token, false));
        }
        let _lock = self.lock()?;
        // Someone may have refreshed while we waited for the lock.
        if let Some(token) = self.valid_for(kind, min_valid)? {
            return Ok(Fresh::from_token(token, false));
        }
        self.mint_and_store()
    }

    /// A new credential whatever the stored one's state, unless another process replaced
    /// `rejected` while we waited for the lock (then that newer one is used).
    pub fn force_refresh(&self, rejected: Option<&Secret<String>>) -> Result<Fresh> {
        let kind = self.short_lived()?.kind;
        let _lock = self.lock()?;
        if let Some(rejected) = rejected
            && let Some(current) = self.secret(kind)?
            && &current != rejected
            && remaining(&current) > 0
        {
            return Ok(Fresh::from_token(current, false));
        }
        self.mint_and_store()
    }

    fn valid_for(&self, kind: &str, min_valid: Duration) -> Result<Option<Secret<String>>> {
        Ok(self
            .secret(kind)?
            .filter(|token| remaining(token) >= min_valid.as_secs() as i64))
    }

    /// What the service's mint and check functions may use of this profile.
    fn minting(&self) -> Minting<'_> {
        Minting {
            http: self.http,
            profile_name: &self.name,
            agent_id: &self.profile.agent_id,
            record: &self.profile.record,
            endpoints: &self.endpoints,
            secrets: self,
        }
    }

    /// Mint with the service's own function and store the result. Callers hold the lock.
    fn mint_and_store(&self) -> Result<Fresh> {
        let short_lived = self.short_lived()?;
        let token = (short_lived.mint)(&self.minting())?;
        self.put_secret(short_lived.kind, &token)?;
        Ok(Fresh::from_token(token, true))
    }

    /// Run `call` with a fresh short-lived credential; on a 401, refresh once and retry once.
    pub fn with_credential(
        &self,
        call: impl Fn(&Secret<String>) -> Result<Reply>,
    ) -> Result<Reply> {
        let fresh = self.ensure_fresh(DEFAULT_MIN_VALID)?;
        let reply = call(&fresh.token)?;
        if reply.status != 401 {
            return Ok(reply);
        }
        let renewed = self.force_refresh(Some(&fresh.token))?;
        call(&renewed.token)
    }
}

impl SecretSource for Session<'_> {
    fn require(&self, kind: &str, how_to_fix: &str) -> Result<Secret<String>> {
        self.require_secret(kind, how_to_fix)
    }
}

/// The lock [`Session::lock`] takes, for commands that change a profile's secrets without a
/// session (`profiles move`).
///
/// Re-entrant on one thread: a command that holds its profile's lock across a whole change
/// (a rotation) may call what takes it again (a refresh) without waiting on itself; another
/// thread of the process (the broker's, an MCP request's) waits like another process does.
pub fn refresh_lock(paths: &Paths, name: &str, store: &dyn SecretStore) -> Result<RefreshLock> {
    let path = paths.lock_dir.join(format!("profile-{name}.lock"));
    let key = path.to_string_lossy().into_owned();
    if held_here(&key) {
        return Ok(RefreshLock { _held: None });
    }
    let local = FileLock::acquire(&path, PROFILE_LOCK_TIMEOUT)
        .map_err(|e| crate::profile::lock_error(&path, &format!("profile '{name}'"), e))?;
    let shared = store
        .distributed_lock()
        .map(|lock| lock.acquire(PROFILE_LOCK_TIMEOUT))
        .transpose()?;
    mark_held(&key, true);
    Ok(RefreshLock {
        _held: Some(Held {
            key,
            _shared: shared,
            _local: local,
        }),
    })
}

thread_local! {
    /// The profile locks this thread holds, by lock file path.
    static HELD: std::cell::RefCell<std::collections::BTreeSet<String>> =
        const { std::cell::RefCell::new(std::collections::BTreeSet::new()) };
}

fn held_here(key: &str) -> bool {
    HELD.with(|held| held.borrow().contains(key))
}

fn mark_held(key: &str, held_now: bool) {
    HELD.with(|held| {
        let mut held = held.borrow_mut();
        if held_now {
            held.insert(key.to_owned());
        } else {
            held.remove(key);
        }
    });
}

/// Held while a profile's credential is refreshed or changed; `held` is `None` for a
/// re-entrant take on the thread that already holds it (the outer one releases).
pub struct RefreshLock {
    _held: Option<Held>,
}

/// The shared lock is released first (fields drop in order), so this host's next process
/// finds it free.
struct Held {
    key: String,
    _shared: Option<Box<dyn LockGuard>>,
    _local: FileLock,
}

impl Drop for Held {
    fn drop(&mut self) {
        mark_held(&self.key, false);
    }
}

/// Seconds of validity left; an unparsable token counts as expired.
pub fn remaining(token: &Secret<String>) -> i64 {
    jwt::remaining(token.expose(), timefmt::now_unix()).unwrap_or(i64::MIN)
}

/// The service issues credentials shorter than asked (the one just got, a JWT with `left`
/// seconds to go): names the longest lifetime it gives, the JWT's `exp - iat` when it says.
fn min_valid_unmet(
    provider: crate::spec::Provider,
    asked: std::time::Duration,
    token: &crate::secret::Secret<String>,
    left: i64,
) -> Error {
    let lifetime = crate::jwt::decode(token.expose())
        .and_then(|i| Some(i.exp? - i.iat?))
        .unwrap_or(left);
    let got = crate::duration::human(std::time::Duration::from_secs(lifetime.max(0) as u64));
    Error::coded(
        Code::MinValidUnmet,
        format!(
            "{} issues credentials valid for at most about {got}, less than the {} asked",
            provider.display_name(),
            crate::duration::human(asked)
        ),
    )
    .with_provider(provider.id())
    .with_hint(format!("ask for --min-valid {got} or less"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_lock_is_re_entrant_on_its_thread_and_exclusive_across_threads() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        std::fs::create_dir_all(&paths.lock_dir).unwrap();
        let store = crate::store::FileStore::new(&paths, crate::store::WriteFault::None);

        let outer = refresh_lock(&paths, "p", &store).unwrap();
        // The same thread again (a refresh inside a rotation): at once, not after a timeout.
        let started = std::time::Instant::now();
        let inner = refresh_lock(&paths, "p", &store).unwrap();
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(inner);

        // Another thread waits until the outer one is released (the inner one released
        // nothing).
        let (tx, rx) = std::sync::mpsc::channel();
        let other = {
            let paths = paths.clone();
            std::thread::spawn(move || {
                let store = crate::store::FileStore::new(&paths, crate::store::WriteFault::None);
                let _lock = refresh_lock(&paths, "p", &store).unwrap();
                tx.send(()).unwrap();
            })
        };
        assert!(
            rx.recv_timeout(Duration::from_millis(300)).is_err(),
            "not exclusive"
        );
        drop(outer);
        rx.recv_timeout(Duration::from_secs(10))
            .expect("the other thread got the lock once it was released");
        other.join().unwrap();

        // Another profile's lock is its own.
        let _p = refresh_lock(&paths, "p", &store).unwrap();
        let q = std::thread::spawn(move || {
            let store = crate::store::FileStore::new(&paths, crate::store::WriteFault::None);
            refresh_lock(&paths, "q", &store).map(drop).is_ok()
        });
        assert!(q.join().unwrap());
    }
}
