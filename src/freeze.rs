//! Frozen profiles (`agentcred freeze`): one switch that stops every use of a profile's
//! credentials.
//!
//! Contract:
//! - A freeze is a small JSON object (`frozen_at`, `reason`, `by`). For a profile in a store
//!   shared between hosts (the vault) it is written into the profile's shared document, so
//!   every host honours it and `unfreeze` on any host lifts it; otherwise (or when the shared
//!   store cannot be written, said on stderr) it is the file `DATA_DIR/frozen/PROFILE.json`,
//!   written atomically and durably, 0600 in a 0700 folder. Either one makes the profile frozen.
//! - `token`, `refresh`, `exec`, `gateway` and `mcp` refuse a frozen profile with exit 8, code
//!   `frozen` ([`refuse_if_frozen`]); `status` shows it and exits 8, `status --check` reports
//!   health `frozen`. The service's own commands (`keys`, `tokens`, `verifiers`, `agent`) still
//!   work, so a frozen profile's credentials can be rotated and its agent suspended.
//! - A running gateway asks a [`Watch`] before every request: one `stat` of the local file (no
//!   read unless it exists), and for a shared profile a flag a background thread refreshes
//!   from the shared document every [`SHARED_POLL`]. So a request that starts more than
//!   [`SHARED_POLL`] plus one read after `freeze` returned is refused with 403 `frozen`.
//! - `unfreeze` removes both. Nothing here talks to the agent's service.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::paths::Paths;
use crate::profile::Profile;
use crate::session::Session;
use crate::store::{self, SecretStore};

/// How often a running gateway re-reads a shared profile's freeze.
pub const SHARED_POLL: Duration = Duration::from_millis(250);

/// One freeze, as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct Freeze {
    /// RFC 3339.
    pub frozen_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The user and host that froze it.
    #[serde(default)]
    pub by: String,
}

impl Freeze {
    pub fn now(reason: Option<String>) -> Freeze {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|h| h.trim().to_owned())
            .ok()
            .filter(|h| !h.is_empty())
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_else(|| "unknown-host".into());
        Freeze {
            frozen_at: crate::timefmt::from_unix_secs(crate::timefmt::now_unix()),
            reason,
            by: format!("{user}@{host}"),
        }
    }
}

/// The local freeze file of profile `name`.
pub fn local_path(paths: &Paths, name: &str) -> PathBuf {
    paths.data_dir.join("frozen").join(format!("{name}.json"))
}

fn read_local(path: &Path) -> Result<Option<Freeze>> {
    // Only a regular file is read: a FIFO there would block every command for ever.
    match crate::fsutil::read_regular(path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
            // A damaged freeze file still freezes: failing open would lift it.
            Freeze {
                frozen_at: String::new(),
                reason: Some("the freeze file is damaged".into()),
                by: String::new(),
            }
        }))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            // A directory on the way is a file: name it, as the stores do, not the freeze file.
            let file = path
                .ancestors()
                .skip(1)
                .find(|dir| std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()))
                .unwrap_or(path);
            let kind = std::fs::metadata(file)
                .map(|m| crate::fsutil::file_type_name(&m))
                .unwrap_or("a file");
            let shown = file.display();
            Err(Error::store(format!(
                "{shown}, where agentcred keeps its data, is {kind}, not a directory"
            ))
            .with_hint(format!(
                "move it aside (`mv {shown} {shown}.bad`); agentcred creates the directory, private, on first use"
            )))
        }
        Err(e) => Err(Error::store(format!(
            "cannot read the freeze file {}: {e}",
            path.display()
        ))
        .with_hint("check the permissions of agentcred's data directory")),
    }
}

/// Profile `name`'s freeze, if it is frozen here or (shared store) on any host.
pub fn state(paths: &Paths, name: &str, store: Option<&dyn SecretStore>) -> Result<Option<Freeze>> {
    if let Some(local) = read_local(&local_path(paths, name))? {
        return Ok(Some(local));
    }
    let Some(shared) = store.and_then(|s| s.shared()) else {
        return Ok(None);
    };
    Ok(shared
        .read_freeze(false)?
        .map(|v| serde_json::from_value(v).unwrap_or_else(|_| Freeze::now(None))))
}

/// Exit 8, code `frozen`: what `token`, `exec`, the gateway and the others answer.
pub fn frozen_error(name: &str, freeze: &Freeze) -> Error {
    let reason = freeze
        .reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    let since = if freeze.frozen_at.is_empty() {
        String::new()
    } else {
        format!(" since {}", freeze.frozen_at)
    };
    let by = if freeze.by.is_empty() {
        String::new()
    } else {
        format!(" by {}", freeze.by)
    };
    Error::coded(
        Code::Frozen,
        format!("profile '{name}' is frozen{since}{by}{reason}"),
    )
    .with_hint(format!(
        "no credential of it is used until `agentcred unfreeze {name}`"
    ))
}

/// Refuse to use a frozen profile's credentials.
pub fn refuse_if_frozen(session: &Session) -> Result<()> {
    match state(session.paths, &session.name, Some(session.store.as_ref()))? {
        Some(freeze) => Err(frozen_error(&session.name, &freeze)),
        None => Ok(()),
    }
}

/// Freeze profile `name`: in its shared document for a shared profile (`Ok(true)`), else
/// on this host; a shared store that fails is reported to `fallback` and the freeze is
/// written here instead.
pub fn freeze(
    paths: &Paths,
    name: &str,
    profile: &Profile,
    freeze: &Freeze,
    fallback: &mut dyn FnMut(Error),
) -> Result<bool> {
    if profile.store.is_shared() {
        let written = store::open_profile(name, profile.store, profile.vault.as_ref(), paths)
            .and_then(|store| {
                let doc = store
                    .shared()
                    .ok_or_else(|| Error::internal("the shared store offers no shared document"))?;
                let value = serde_json::to_value(freeze)
                    .map_err(|e| Error::internal(format!("cannot write the freeze: {e}")))?;
                doc.write_freeze(Some(&value))
            });
        match written {
            Ok(()) => return Ok(true),
            Err(e) => fallback(e),
        }
    }
    let path = local_path(paths, name);
    let text = serde_json::to_string_pretty(freeze)
        .map_err(|e| Error::internal(format!("cannot write the freeze: {e}")))?;
    // Durable: a freeze must survive a crash.
    crate::fsutil::write_private(&path, text.as_bytes()).map_err(|e| {
        Error::store(format!("cannot write {}: {e}", path.display()))
            .with_hint("check the permissions of agentcred's data directory")
    })?;
    Ok(false)
}

/// Lift profile `name`'s freeze here and in its shared document; whether it was frozen.
pub fn unfreeze(paths: &Paths, name: &str, profile: &Profile) -> Result<bool> {
    let path = local_path(paths, name);
    let mut was = match std::fs::remove_file(&path) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            return Err(
                Error::store(format!("cannot remove {}: {e}", path.display()))
                    .with_hint("check the permissions of agentcred's data directory"),
            );
        }
    };
    if profile.store.is_shared() {
        let store = store::open_profile(name, profile.store, profile.vault.as_ref(), paths)?;
        if let Some(doc) = store.shared() {
            was |= doc.read_freeze(true)?.is_some();
            doc.write_freeze(None)?;
        }
    }
    Ok(was)
}

/// A running gateway's view of the freeze; see the module doc for its cost and delay.
#[derive(Clone)]
pub struct Watch {
    name: String,
    local: PathBuf,
    /// Set by the poller of a shared profile's document.
    shared: Option<Arc<AtomicBool>>,
}

impl Watch {
    /// Watch `session`'s profile; for a shared profile a thread polls its document until the
    /// last clone of the watch is dropped.
    pub fn start(session: &Session) -> Result<Watch> {
        let shared = if session.store.shared().is_some() {
            let store = store::open_profile(
                &session.name,
                session.profile.store,
                session.profile.vault.as_ref(),
                session.paths,
            )?;
            let flag = Arc::new(AtomicBool::new(
                store
                    .shared()
                    .map(|s| s.read_freeze(true))
                    .transpose()?
                    .flatten()
                    .is_some(),
            ));
            let weak = Arc::downgrade(&flag);
            std::thread::Builder::new()
                .name("agentcred-freeze-watch".into())
                .spawn(move || {
                    while let Some(flag) = weak.upgrade() {
                        // A read that fails keeps the last answer: a vault that is down
                        // also stops the gateway from getting credentials.
                        if let Some(Ok(state)) = store.shared().map(|s| s.read_freeze(true)) {
                            flag.store(state.is_some(), Ordering::Relaxed);
                        }
                        drop(flag);
                        std::thread::sleep(SHARED_POLL);
                    }
                })
                .map_err(|e| Error::internal(format!("cannot start the freeze watch: {e}")))?;
            Some(flag)
        } else {
            None
        };
        Ok(Watch {
            name: session.name.clone(),
            local: local_path(session.paths, &session.name),
            shared,
        })
    }

    /// The `frozen` error when the profile is frozen now.
    pub fn check(&self) -> Option<Error> {
        if self.local.exists() {
            let freeze = read_local(&self.local)
                .ok()
                .flatten()
                .unwrap_or_else(|| Freeze::now(None));
            return Some(frozen_error(&self.name, &freeze));
        }
        if self
            .shared
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
        {
            let freeze = Freeze {
                frozen_at: String::new(),
                reason: Some("frozen in the shared store, for every host".into()),
                by: String::new(),
            };
            return Some(frozen_error(&self.name, &freeze));
        }
        None
    }
}
