//! A selected profile with its store and endpoints, and the life of its short-lived credential.
//!
//! Contract (§6): `refresh` and `token` take a per-profile lock across processes and re-read
//! the store after taking it, so that many concurrent invocations on one expired profile make
//! one refresh call: the first one through the lock refreshes, the others find a fresh
//! credential when their turn comes. A request rejected with 401 is refreshed once and retried
//! once, transparently; a second 401 is an authentication failure (exit 4).
//!
//! A store shared between hosts (the vault) offers a [`store::DistributedLock`]; the refresh lock then
//! takes it too, after the local file lock: the processes of one host queue on the file lock,
//! so only one per host contends for the shared one, and the first host through refreshes while
//! the others find the new credential when they re-read (contract §11).

use std::time::Duration;

use crate::error::{Error, Result};
use crate::fsutil::FileLock;
use crate::http::{Http, Reply};
use crate::jwt;
use crate::paths::Paths;
use crate::profile::{Endpoints, Profile};
use crate::secret::Secret;
use crate::spec::{Minting, Provider, SecretSource};
use crate::store::{self, LockGuard, SecretStore};
use crate::timefmt;

/// Our own calls refresh when less than this remains (providers.md §7).
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

    fn short_lived(&self) -> Result<&'static crate::spec::ShortLived> {
        self.provider().spec().short_lived.as_ref().ok_or_else(|| {
            Error::usage(format!(
                "{} agent tokens do not expire, so there is nothing to refresh",
                self.provider().display_name()
            ))
            .with_provider(self.provider().id())
        })
    }

    /// The stored short-lived credential if it stays valid for `min_valid`, else a new one.
    pub fn ensure_fresh(&self, min_valid: Duration) -> Result<Fresh> {
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

    /// [`Session::ensure_fresh`], and a stored credential that has not expired is also asked
    /// about at the service when it can tell ([`crate::spec::ShortLived::still_active`]): a
    /// revoked one is replaced. For handing a credential out (`token`), where no request of
    /// ours would meet the 401.
    pub fn ensure_fresh_and_active(&self, min_valid: Duration) -> Result<Fresh> {
        let fresh = self.ensure_fresh(min_valid)?;
        let short_lived = self.short_lived()?;
        let Some(still_active) = short_lived.still_active.filter(|_| !fresh.refreshed) else {
            return Ok(fresh);
        };
        let active = still_active(&self.minting(), &fresh.token)?;
        if active {
            Ok(fresh)
        } else {
            self.force_refresh(Some(&fresh.token))
        }
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
pub fn refresh_lock(paths: &Paths, name: &str, store: &dyn SecretStore) -> Result<RefreshLock> {
    let path = paths.lock_dir.join(format!("profile-{name}.lock"));
    let local = FileLock::acquire(&path, PROFILE_LOCK_TIMEOUT)
        .map_err(|e| crate::profile::lock_error(&path, &format!("profile '{name}'"), e))?;
    let shared = store
        .distributed_lock()
        .map(|lock| lock.acquire(PROFILE_LOCK_TIMEOUT))
        .transpose()?;
    Ok(RefreshLock {
        _shared: shared,
        _local: local,
    })
}

/// Held while a profile's credential is refreshed. The shared lock is released first (fields
/// drop in order), so this host's next process finds it free.
pub struct RefreshLock {
    _shared: Option<Box<dyn LockGuard>>,
    _local: FileLock,
}

/// Seconds of validity left; an unparsable token counts as expired.
pub fn remaining(token: &Secret<String>) -> i64 {
    jwt::remaining(token.expose(), timefmt::now_unix()).unwrap_or(i64::MIN)
}
