//! The rescue file: where one-time secrets go when the store fails after a service answered.
//!
//! A service returns some secrets exactly once (a refresh token, a recovery key, ...). If
//! the credential store then fails, printing them is not an option (no secret is printed
//! without `--reveal`) and dropping them loses them for good, so they are written here, and
//! the caller prints the path and exits 7. This depends on neither backend: it must work when
//! the keychain is what failed, and it only needs the data directory.
//!
//! File: `DATA_DIR/rescue/PROFILE-PROVIDER-UNIXMS.json`, mode 0600 in a 0700 directory:
//! `{"profile", "provider", "created_at" (RFC 3339 UTC), "reason", "secrets": {name: value},
//! "context"}`. An existing rescue file is never replaced: a second rescue in the same
//! millisecond gets a `-N` suffix.
//!
//! `context` holds `agent_id`, `sandbox`, `endpoints` and `store`, and (since `agentcred
//! import` exists) `profile_record`, the profile as it is to be recorded once the secrets are
//! stored, and `record_before`, the service's record of the profile in the config when the
//! store failed (null: the profile was not recorded yet). [`read`] reads files of both kinds.
//!
//! # A panic while the secrets are being stored
//!
//! Release builds abort on a panic (`panic = "abort"`): nothing unwinds back to the caller's
//! error path, so that path cannot be what saves the secrets. Secrets on their way into a store
//! are registered with [`in_flight`] (with everything their rescue file would hold), and the
//! panic hook that `main` installs ([`install_panic_hook`]) writes a rescue file for each one
//! still registered, prints its path and the `agentcred import` command, and only then lets the
//! process end. The guard [`in_flight`] returns unregisters them once they are stored or
//! rescued the ordinary way; a rescue the hook already wrote (a panicking keychain worker
//! thread in a build that unwinds) is reused, never written twice.

use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::fsutil;
use crate::paths::Paths;
use crate::secret::Secret;

pub const REASON: &str = "the credential store failed after the service returned one-time secrets";

/// Write the rescue file and return its path.
pub fn write(
    paths: &Paths,
    profile: &str,
    provider: &str,
    secrets: &[(&str, &Secret<String>)],
    context: serde_json::Value,
) -> std::io::Result<PathBuf> {
    let now = SystemTime::now();
    let millis = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let secrets: serde_json::Map<String, serde_json::Value> = secrets
        .iter()
        .map(|(name, value)| ((*name).to_owned(), value.expose().clone().into()))
        .collect();
    let document = serde_json::json!({
        "profile": profile,
        "provider": provider,
        "created_at": humantime::format_rfc3339_seconds(now).to_string(),
        "reason": REASON,
        "secrets": secrets,
        "context": context,
    });
    let mut bytes = serde_json::to_vec_pretty(&document)?;
    bytes.push(b'\n');

    let dir = paths.rescue_dir();
    fsutil::create_private_dir(&dir)?;
    let stem = format!("{}-{}-{millis}", file_safe(profile), file_safe(provider));
    for attempt in 0u32.. {
        let name = match attempt {
            0 => format!("{stem}.json"),
            n => format!("{stem}-{n}.json"),
        };
        match write_new_private(&dir.join(&name), &bytes) {
            Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
            other => return other,
        }
    }
    unreachable!("ran out of rescue file names")
}

/// One-time secrets on their way into a store, with what their rescue file would hold.
struct InFlight {
    id: u64,
    paths: Paths,
    profile: String,
    provider: String,
    secrets: Vec<(String, Secret<String>)>,
    context: serde_json::Value,
    /// The rescue file the panic hook wrote for them.
    rescued: Option<PathBuf>,
}

static IN_FLIGHT: Mutex<Vec<InFlight>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn in_flight_list() -> MutexGuard<'static, Vec<InFlight>> {
    // A panic never happens while the list is held, but a poisoned list is still the list.
    IN_FLIGHT.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Registers one-time secrets for the panic hook while they are being stored (see the module
/// doc); dropping it unregisters them.
#[must_use = "the secrets are unregistered when the guard is dropped"]
pub struct InFlightGuard {
    id: u64,
}

impl InFlightGuard {
    /// The rescue file the panic hook already wrote for these secrets, if it ran.
    pub fn rescued(&self) -> Option<PathBuf> {
        in_flight_list()
            .iter()
            .find(|entry| entry.id == self.id)
            .and_then(|entry| entry.rescued.clone())
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        in_flight_list().retain(|entry| entry.id != self.id);
    }
}

/// Register `secrets` of `profile` as being stored: until the guard is dropped, a panic
/// writes them to a rescue file holding `context` (as [`write`] would).
pub fn in_flight(
    paths: &Paths,
    profile: &str,
    provider: &str,
    secrets: &[(&str, &Secret<String>)],
    context: &serde_json::Value,
) -> InFlightGuard {
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    in_flight_list().push(InFlight {
        id,
        paths: paths.clone(),
        profile: profile.to_owned(),
        provider: provider.to_owned(),
        secrets: secrets
            .iter()
            .map(|(kind, value)| ((*kind).to_owned(), (*value).clone()))
            .collect(),
        context: context.clone(),
        rescued: None,
    });
    InFlightGuard { id }
}

/// Chain a hook to the current panic hook that, after it has printed the panic, writes every
/// registered in-flight secret to a rescue file (see the module doc). Called once by `main`.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        rescue_in_flight();
    }));
}

fn rescue_in_flight() {
    // `try_lock`: a panic on a thread that holds the list (none should) must not deadlock.
    let mut list = match IN_FLIGHT.try_lock() {
        Ok(list) => list,
        Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    for entry in list.iter_mut().filter(|entry| entry.rescued.is_none()) {
        let secrets: Vec<(&str, &Secret<String>)> = entry
            .secrets
            .iter()
            .map(|(kind, value)| (kind.as_str(), value))
            .collect();
        match write(
            &entry.paths,
            &entry.profile,
            &entry.provider,
            &secrets,
            entry.context.clone(),
        ) {
            Ok(path) => {
                eprintln!(
                    "agentcred: this run stopped on a bug while storing one-time secrets of \
                     profile '{}'; they were saved to the rescue file {} (mode 0600). Keep it \
                     safe, and run `agentcred import {}` to store them",
                    entry.profile,
                    path.display(),
                    path.display()
                );
                entry.rescued = Some(path);
            }
            Err(e) => {
                // As on the ordinary path: the terminal is the only place left.
                eprintln!(
                    "agentcred: this run stopped on a bug while storing one-time secrets of \
                     profile '{}', and the rescue file failed too ({e}); the secrets follow so \
                     they are not lost:",
                    entry.profile
                );
                for (kind, value) in &secrets {
                    eprintln!("  {kind}: {}", value.expose());
                }
            }
        }
    }
}

/// A rescue file as [`read`] finds it.
pub struct RescueFile {
    pub profile: String,
    pub provider: String,
    /// The secrets by kind, in the file's order.
    pub secrets: Vec<(String, Secret<String>)>,
    pub context: serde_json::Value,
}

/// Read a rescue file; anything that is not one is a usage error (exit 2) naming the path.
pub fn read(path: &Path) -> crate::error::Result<RescueFile> {
    use crate::error::Error;
    let shown = path.display();
    let not_one = |why: String| {
        Error::usage(format!("{shown} is not an agentcred rescue file: {why}")).with_hint(
            "give the path the failed command printed (the error's `rescue_file`); \
             rescue files are under the data directory, in rescue/",
        )
    };
    let text = crate::fsutil::read_regular(path)
        .and_then(|bytes| {
            String::from_utf8(bytes).map_err(|_| {
                std::io::Error::new(std::io::ErrorKind::InvalidData, "it is not UTF-8 text")
            })
        })
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData => {
                not_one(e.to_string())
            }
            _ => Error::usage(format!("cannot read the rescue file {shown}: {e}"))
                .with_hint("give the path the failed command printed (the error's `rescue_file`)"),
        })?;
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| not_one(format!("not JSON ({e})")))?;
    let field = |name: &str| {
        doc.get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| not_one(format!("no \"{name}\"")))
    };
    let profile = field("profile")?;
    let provider = field("provider")?;
    let secrets = doc
        .get("secrets")
        .and_then(serde_json::Value::as_object)
        .filter(|map| !map.is_empty())
        .ok_or_else(|| not_one("no \"secrets\"".into()))?
        .iter()
        .map(|(kind, value)| match value.as_str() {
            Some(value) if !value.is_empty() => Ok((kind.clone(), Secret::from(value))),
            _ => Err(not_one(format!("the secret \"{kind}\" is not a string"))),
        })
        .collect::<crate::error::Result<Vec<_>>>()?;
    Ok(RescueFile {
        profile,
        provider,
        secrets,
        context: doc.get("context").cloned().unwrap_or_default(),
    })
}

/// Like [`fsutil::write_private`] (0600 from creation, fsync, atomic), but fails with
/// `AlreadyExists` instead of replacing a file: an earlier rescue file may hold the only copy
/// of other secrets.
fn write_new_private(path: &Path, contents: &[u8]) -> std::io::Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".agentcred-rescue-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    Ok(path.to_path_buf())
}

/// Profile and provider names end up in a file name: keep it one plain path component.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match safe.trim_start_matches('.') {
        "" => "_".to_owned(),
        s => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescue_file_holds_the_secrets_privately() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let token = Secret::from("tok_once");
        let key = Secret::from("rk_once");
        let context = serde_json::json!({"agent_id": "ag_1"});
        let path = write(
            &paths,
            "work",
            "demo",
            &[("api_key", &token), ("recovery_key", &key)],
            context.clone(),
        )
        .unwrap();

        assert_eq!(path.parent().unwrap(), paths.rescue_dir());
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(
            name.starts_with("work-demo-") && name.ends_with(".json"),
            "{name}"
        );
        let millis = &name["work-demo-".len()..name.len() - ".json".len()];
        assert!(millis.parse::<u128>().is_ok(), "{name}");

        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(doc["profile"], "work");
        assert_eq!(doc["provider"], "demo");
        assert_eq!(doc["reason"], REASON);
        assert_eq!(
            doc["secrets"],
            serde_json::json!({"api_key": "tok_once", "recovery_key": "rk_once"})
        );
        assert_eq!(doc["context"], context);
        let created = doc["created_at"].as_str().unwrap();
        assert!(humantime::parse_rfc3339(created).is_ok(), "{created}");
        assert!(created.ends_with('Z'), "{created}");

        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&paths.rescue_dir()), 0o700);
        }
    }

    #[test]
    fn rescues_never_replace_each_other() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let written: Vec<PathBuf> = (0..5)
            .map(|i| {
                let value = Secret::new(format!("tok_{i}"));
                write(
                    &paths,
                    "p",
                    "demo",
                    &[("token", &value)],
                    serde_json::Value::Null,
                )
                .unwrap()
            })
            .collect();
        let mut unique = written.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 5, "{written:?}");
        for (i, path) in written.iter().enumerate() {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
            assert_eq!(doc["secrets"]["token"], format!("tok_{i}"));
        }
    }

    #[test]
    fn names_are_one_path_component() {
        assert_eq!(file_safe("work"), "work");
        assert_eq!(file_safe("../etc/x"), "_etc_x");
        assert_eq!(file_safe("a b/c"), "a_b_c");
        assert_eq!(file_safe(""), "_");
        assert_eq!(file_safe(".."), "_");
    }
}
