//! Credentials minted for one run (`exec --gateway --ephemeral`, `gateway --ephemeral`).
//!
//! Contract:
//! - At the start the profile's service mints a credential of its own kind
//!   ([`crate::service::Incident::mint_run`]) named `agentcred-run-<id>`, so a person finds it
//!   in the service's console. The gateway then uses it instead of the profile's secret: the
//!   session's store is wrapped in an [`Overlay`] that answers the run's credential (and keeps
//!   the short-lived credentials minted from it) in memory, so the profile's stored secrets
//!   are neither used nor replaced.
//! - Before the credential is used, a pending revocation is written to
//!   `DATA_DIR/runs/PROFILE/RUN_ID.json` (its id at the service, never its value) with the
//!   owner's pid. At the end of the run (the child exited or was killed, agentcred got SIGINT,
//!   SIGTERM or SIGHUP) it is revoked and the record removed. When that fails (the service is
//!   down) or never happens (agentcred was killed), the record stays: the next command on the
//!   profile and `doctor` retry every record whose owner is no longer running, and `doctor`
//!   lists those still pending.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::secret::Secret;
use crate::service::{Incident, RunCredential};
use crate::session::Session;
use crate::store::{self, DistributedLock, SecretStore, SharedProfile, StoreKind};

/// A revocation still to do.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Pending {
    pub run_id: String,
    pub profile: String,
    pub provider: String,
    /// The credential's name at the service (`agentcred-run-<id>`).
    pub name: String,
    /// The credential's id at the service (key id, verifier id, token id).
    pub credential_id: String,
    /// The secret kind it stood in for.
    pub kind: String,
    /// RFC 3339.
    pub created_at: String,
    /// The agentcred process that runs with it; 0 once the run is over.
    #[serde(default)]
    pub owner_pid: u32,
    /// Why the last revocation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// The folder of profile `name`'s pending revocations.
pub fn dir(paths: &Paths, name: &str) -> PathBuf {
    paths.data_dir.join("runs").join(name)
}

/// Written durably (a pending revocation must survive a crash), 0600 in a 0700 folder.
fn write(path: &Path, pending: &Pending) -> Result<()> {
    let text = serde_json::to_string_pretty(pending)
        .map_err(|e| Error::internal(format!("cannot record the run credential: {e}")))?;
    crate::fsutil::write_private(path, text.as_bytes()).map_err(|e| {
        Error::store(format!("cannot write {}: {e}", path.display()))
            .with_hint("check the permissions of agentcred's data directory")
    })
}

/// Profile `name`'s pending revocations (every profile's with `None`), oldest first.
pub fn list(paths: &Paths, name: Option<&str>) -> Vec<(PathBuf, Pending)> {
    let dirs: Vec<PathBuf> = match name {
        Some(name) => vec![dir(paths, name)],
        None => std::fs::read_dir(paths.data_dir.join("runs"))
            .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default(),
    };
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(|e| e.ok()) {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            if let Some(pending) = crate::fsutil::read_regular(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<Pending>(&b).ok())
            {
                out.push((path, pending));
            }
        }
    }
    out.sort_by(|a, b| a.1.created_at.cmp(&b.1.created_at));
    out
}

/// Whether profile `name` has any pending revocation (one directory read).
pub fn has_pending(paths: &Paths, name: &str) -> bool {
    std::fs::read_dir(dir(paths, name)).is_ok_and(|mut e| e.next().is_some())
}

/// Whether the run that owns `pending` is still going (its agentcred process is alive).
pub fn owner_running(pending: &Pending) -> bool {
    if pending.owner_pid == 0 {
        return false;
    }
    if pending.owner_pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        match Pid::from_raw(pending.owner_pid as i32) {
            // EPERM: alive, another user's.
            Some(pid) => !matches!(test_kill_process(pid), Err(rustix::io::Errno::SRCH)),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// What retrying one pending revocation did.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Retried {
    #[serde(flatten)]
    pub pending: Pending,
    pub revoked: bool,
}

/// Retry profile `session`'s pending revocations whose run is over; each outcome.
pub fn retry(ctx: &Ctx, session: &Session, incident: &dyn Incident) -> Vec<Retried> {
    let mut out = Vec::new();
    for (path, mut pending) in list(session.paths, Some(&session.name)) {
        if owner_running(&pending) {
            continue;
        }
        match incident.revoke_run(ctx, session, &pending.credential_id) {
            Ok(()) => {
                let _ = std::fs::remove_file(&path);
                ctx.printer.notice(
                    "run_credential_revoked",
                    format!(
                        "Revoked {} ({}), left over from an earlier run of profile '{}'.",
                        pending.name, pending.credential_id, pending.profile
                    ),
                );
                out.push(Retried {
                    pending,
                    revoked: true,
                });
            }
            Err(e) => {
                pending.owner_pid = 0;
                pending.last_error = Some(e.message.clone());
                let _ = write(&path, &pending);
                ctx.printer.warn_coded(
                    "run_credential_pending",
                    format!(
                        "the run credential {} ({}) of profile '{}' is still not revoked: {}",
                        pending.name, pending.credential_id, pending.profile, e.message
                    ),
                );
                out.push(Retried {
                    pending,
                    revoked: false,
                });
            }
        }
    }
    out
}

/// A credential minted for this run, until [`Minted::end`].
pub struct Minted {
    pub pending: Pending,
    path: PathBuf,
    incident: &'static dyn Incident,
    profile: crate::profile::Profile,
}

/// A new run id: 12 random hex digits.
fn run_id() -> Result<String> {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 6];
    ring::rand::SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::internal("the system's random number generator failed"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Mint the run's credential and give back `session` using it (unchanged when the service
/// mints nothing), with the record of what to revoke.
pub fn begin<'a>(
    ctx: &Ctx,
    session: Session<'a>,
    incident: &'static dyn Incident,
) -> Result<(Session<'a>, Option<Minted>)> {
    let id = run_id()?;
    let name = format!("agentcred-run-{id}");
    let Some(credential) = incident.mint_run(ctx, &session, &name)? else {
        ctx.printer.notice(
            "run_credential_not_needed",
            format!(
                "{} credentials are short-lived already: nothing was minted for this run.",
                session.provider().display_name()
            ),
        );
        return Ok((session, None));
    };
    let pending = Pending {
        run_id: id.clone(),
        profile: session.name.clone(),
        provider: session.provider().id().to_owned(),
        name: name.clone(),
        credential_id: credential.id.clone(),
        kind: credential.kind.to_owned(),
        created_at: crate::timefmt::from_unix_secs(crate::timefmt::now_unix()),
        owner_pid: std::process::id(),
        last_error: None,
    };
    let path = dir(session.paths, &session.name).join(format!("{id}.json"));
    if let Err(e) = write(&path, &pending) {
        // Unrecorded, it could outlive a crash unnoticed: revoke it now instead.
        let _ = incident.revoke_run(ctx, &session, &credential.id);
        return Err(e);
    }
    ctx.printer.notice(
        "run_credential_minted",
        format!(
            "Minted {name} ({}) for this run; it is revoked when the run ends.",
            credential.id
        ),
    );
    let profile = session.profile.clone();
    Ok((
        overlay(session, credential),
        Some(Minted {
            pending,
            path,
            incident,
            profile,
        }),
    ))
}

impl Minted {
    /// Revoke the run's credential (on a session of its own: the run's went with the
    /// gateway). A failure is kept for a later retry and reported as a warning, not an
    /// error, since the run itself is over; whether it was revoked.
    pub fn end(self, ctx: &Ctx) -> bool {
        let mut pending = self.pending;
        let revoked = ctx
            .session_for(pending.profile.clone(), self.profile)
            .and_then(|session| {
                self.incident
                    .revoke_run(ctx, &session, &pending.credential_id)
            });
        match revoked {
            Ok(()) => {
                let _ = std::fs::remove_file(&self.path);
                ctx.printer.notice(
                    "run_credential_revoked",
                    format!("Revoked {} ({}).", pending.name, pending.credential_id),
                );
                true
            }
            Err(e) => {
                pending.owner_pid = 0;
                pending.last_error = Some(e.message.clone());
                let _ = write(&self.path, &pending);
                ctx.printer.warn_coded(
                    "run_credential_pending",
                    format!(
                        "could not revoke this run's credential {} ({}): {}; it is recorded and \
                     revoked by the next command on profile '{}' or by `agentcred doctor`",
                        pending.name, pending.credential_id, e.message, pending.profile
                    ),
                );
                false
            }
        }
    }
}

/// `session` with the run's credential in place of the profile's secret of its kind.
fn overlay(session: Session<'_>, credential: RunCredential) -> Session<'_> {
    let Session {
        name,
        profile,
        endpoints,
        store: inner,
        http,
        paths,
    } = session;
    let mut memory = HashMap::new();
    let mut accounts = vec![store::account(&name, credential.kind)];
    memory.insert(accounts[0].clone(), credential.value);
    // Short-lived credentials minted from the run's credential stay in memory too: they die
    // with it, and must not replace the profile's own.
    if let Some(short) = profile.provider.spec().short_lived.as_ref() {
        accounts.push(store::account(&name, short.kind));
    }
    Session {
        store: Box::new(Overlay {
            inner,
            accounts,
            memory: Mutex::new(memory),
        }),
        name,
        profile,
        endpoints,
        http,
        paths,
    }
}

/// A store that keeps some accounts in memory and passes the rest through.
struct Overlay {
    inner: Box<dyn SecretStore>,
    accounts: Vec<String>,
    memory: Mutex<HashMap<String, Secret<String>>>,
}

impl Overlay {
    fn mine(&self, account: &str) -> bool {
        self.accounts.iter().any(|a| a == account)
    }
}

impl SecretStore for Overlay {
    fn kind(&self) -> StoreKind {
        self.inner.kind()
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        if self.mine(account) {
            return Ok(self
                .memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(account)
                .cloned());
        }
        self.inner.get(account)
    }

    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        if self.mine(account) {
            self.memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(account.to_owned(), value.clone());
            return Ok(());
        }
        self.inner.set(account, value)
    }

    fn delete(&self, account: &str) -> Result<bool> {
        if self.mine(account) {
            return Ok(self
                .memory
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(account)
                .is_some());
        }
        self.inner.delete(account)
    }

    fn check(&self) -> Result<()> {
        self.inner.check()
    }

    fn shared(&self) -> Option<&dyn SharedProfile> {
        self.inner.shared()
    }

    /// The run's credentials are this process's alone: nothing to coordinate with others.
    fn distributed_lock(&self) -> Option<&dyn DistributedLock> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(owner_pid: u32) -> Pending {
        Pending {
            run_id: "r".into(),
            profile: "p".into(),
            provider: "proxy".into(),
            name: "agentcred-run-r".into(),
            credential_id: "atok_1".into(),
            kind: "token".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            owner_pid,
            last_error: None,
        }
    }

    #[test]
    fn a_run_is_going_while_its_agentcred_process_lives() {
        assert!(owner_running(&pending(std::process::id())));
        assert!(!owner_running(&pending(0)));
        // A child that has exited and been reaped: its pid is free.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!owner_running(&pending(pid)));
    }

    #[test]
    fn records_are_listed_per_profile_and_hold_no_value() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        assert!(!has_pending(&paths, "p"));
        let path = dir(&paths, "p").join("r.json");
        write(&path, &pending(0)).unwrap();
        assert!(has_pending(&paths, "p"));
        assert_eq!(list(&paths, Some("p")).len(), 1);
        assert_eq!(list(&paths, None).len(), 1);
        assert!(list(&paths, Some("q")).is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("atok_1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o077, 0);
        }
    }
}
