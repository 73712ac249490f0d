//! Approvals: a request the profile's policy holds until a person lets it through.
//!
//! - The gateway (or MCP `request`) refuses a held request with 403 `approval_required`, an
//!   `approval_id` and what was asked; it holds nothing open. [`request`] records the pending
//!   approval, bound to the exact request: method, endpoint, path and the SHA-256 of its body.
//!   Asking again for the same request while it is pending answers the same id.
//! - A person runs `agentcred approvals approve ID` (or `deny ID`) elsewhere; `approvals list`
//!   shows the pending ones. An approval given is usable once, for that exact request, until
//!   `approval_expiry` after it was given (default 10 minutes); a pending one that nobody
//!   answers lapses after the same time.
//! - The agent repeats the request; [`consume`] finds the approval and marks it used, in one
//!   step under the lock, so two concurrent repeats cannot both use it.
//!
//! They live in `DATA/approvals.json` (0600) under `LOCKS/approvals.lock`: local state of the
//! profile's host, which an isolated child cannot read, and no terminal prompt inside the
//! agent's own run is ever an approval channel.

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;

const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// Settled approvals are kept this long for `approvals list --all`, then dropped.
const KEEP_SETTLED_MS: i64 = 24 * 3600 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Pending,
    Approved,
    Denied,
    Used,
    Expired,
}

/// One approval, as `approvals list --json` shows it.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Approval {
    pub id: String,
    pub profile: String,
    pub method: String,
    pub endpoint: String,
    pub path: String,
    /// SHA-256 (hex) of the request body.
    pub body_sha256: String,
    /// The amount the request moves, in the amount shape of docs/cli-contract.md §7, when it is a money request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<serde_json::Value>,
    /// The policy rule that held it.
    pub rule: String,
    pub state: State,
    /// RFC 3339.
    pub requested_at: String,
    /// When it stops being usable (pending: lapses; approved: can no longer be used).
    pub expires_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(skip)]
    expires_ms: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    approvals: Vec<Stored>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Stored {
    #[serde(flatten)]
    approval: Approval,
    requested_ms: i64,
    expires_ms: i64,
    #[serde(default)]
    decided_ms: Option<i64>,
}

/// The request an approval is bound to.
#[derive(Debug, Clone)]
pub struct Binding<'a> {
    pub profile: &'a str,
    pub method: &'a str,
    pub endpoint: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

impl Binding<'_> {
    fn digest(&self) -> String {
        crate::audit::sha256_hex(self.body)
    }

    fn matches(&self, a: &Approval, digest: &str) -> bool {
        a.profile == self.profile
            && a.method == self.method
            && a.endpoint == self.endpoint
            && a.path == self.path
            && a.body_sha256 == digest
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn file_path(paths: &Paths) -> PathBuf {
    paths.data_dir.join("approvals.json")
}

fn update<T>(paths: &Paths, change: impl FnOnce(&mut File, i64) -> Result<(bool, T)>) -> Result<T> {
    let lock = paths.lock_dir.join("approvals.lock");
    let _lock = FileLock::acquire(&lock, LOCK_TIMEOUT)
        .map_err(|e| crate::profile::lock_error(&lock, "the approvals", e))?;
    let path = file_path(paths);
    let mut file: File = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Error::usage(format!(
                "the approvals file {} is not valid: {e}",
                path.display()
            ))
            .with_hint("remove it: pending approvals are asked for again")
        })?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => File::default(),
        Err(e) => {
            return Err(Error::usage(format!(
                "cannot read the approvals file {}: {e}",
                path.display()
            ))
            .with_hint("check that the data directory is yours and readable"));
        }
    };
    let now = now_ms();
    // Lapse what expired; forget what was settled long ago.
    for stored in &mut file.approvals {
        if matches!(stored.approval.state, State::Pending | State::Approved)
            && stored.expires_ms <= now
        {
            stored.approval.state = State::Expired;
        }
    }
    file.approvals
        .retain(|s| s.approval.state == State::Pending || s.expires_ms + KEEP_SETTLED_MS > now);
    let (write, out) = change(&mut file, now)?;
    if write {
        let text = serde_json::to_vec_pretty(&file)
            .map_err(|e| Error::internal(format!("cannot encode the approvals: {e}")))?;
        fsutil::write_private(&path, &text).map_err(|e| {
            Error::usage(format!(
                "cannot write the approvals file {}: {e}",
                path.display()
            ))
            .with_hint("check that the data directory is yours and writable")
        })?;
    }
    Ok(out)
}

/// The id of an approval given for exactly this request and still usable, if there is one.
pub fn find_approved(paths: &Paths, binding: &Binding<'_>) -> Result<Option<String>> {
    let digest = binding.digest();
    update(paths, |file, _| {
        let found = file
            .approvals
            .iter()
            .find(|s| s.approval.state == State::Approved && binding.matches(&s.approval, &digest));
        Ok((false, found.map(|s| s.approval.id.clone())))
    })
}

/// Mark approval `id` used, if it is still approved (and not expired): `false` when another
/// request used it first.
pub fn use_approval(paths: &Paths, id: &str) -> Result<bool> {
    update(paths, |file, now| {
        match file
            .approvals
            .iter_mut()
            .find(|s| s.approval.id == id && s.approval.state == State::Approved)
        {
            Some(stored) => {
                stored.approval.state = State::Used;
                stored.decided_ms = Some(now);
                Ok((true, true))
            }
            None => Ok((false, false)),
        }
    })
}

/// Use an approval given for exactly this request, if there is one: it is marked used.
pub fn consume(paths: &Paths, binding: &Binding<'_>) -> Result<Option<Approval>> {
    let digest = binding.digest();
    update(paths, |file, now| {
        let found = file
            .approvals
            .iter_mut()
            .find(|s| s.approval.state == State::Approved && binding.matches(&s.approval, &digest));
        Ok(match found {
            Some(stored) => {
                stored.approval.state = State::Used;
                stored.decided_ms = Some(now);
                (true, Some(public(stored)))
            }
            None => (false, None),
        })
    })
}

/// Record a pending approval for this request (or find the one already pending).
pub fn request(
    paths: &Paths,
    binding: &Binding<'_>,
    rule: &str,
    amount: Option<serde_json::Value>,
    expiry: Duration,
) -> Result<(Approval, bool)> {
    let digest = binding.digest();
    let expiry_ms = i64::try_from(expiry.as_millis()).unwrap_or(i64::MAX / 4);
    update(paths, |file, now| {
        if let Some(stored) = file
            .approvals
            .iter()
            .find(|s| s.approval.state == State::Pending && binding.matches(&s.approval, &digest))
        {
            return Ok((false, (public(stored), false)));
        }
        let id = format!("apr_{}", random_id());
        let stored = Stored {
            approval: Approval {
                id,
                profile: binding.profile.to_owned(),
                method: binding.method.to_owned(),
                endpoint: binding.endpoint.to_owned(),
                path: binding.path.to_owned(),
                body_sha256: digest.clone(),
                amount: amount.clone(),
                rule: rule.to_owned(),
                state: State::Pending,
                requested_at: String::new(),
                expires_at: String::new(),
                decided_at: None,
                expires_ms: 0,
            },
            requested_ms: now,
            expires_ms: now.saturating_add(expiry_ms),
            decided_ms: None,
        };
        let shown = public(&stored);
        file.approvals.push(stored);
        Ok((true, (shown, true)))
    })
}

/// `approve` (true) or `deny` a pending approval; an approval is usable for `expiry` from now.
pub fn decide(
    paths: &Paths,
    id: &str,
    approve: bool,
    expiry: impl Fn(&str) -> Duration,
) -> Result<Approval> {
    update(paths, |file, now| {
        let stored = file
            .approvals
            .iter_mut()
            .find(|s| s.approval.id == id)
            .ok_or_else(|| {
                Error::not_found(format!("no approval '{id}' on this host"))
                    .with_hint("see `agentcred approvals list`; approvals live on the host whose gateway asked")
            })?;
        if stored.approval.state != State::Pending {
            let state = serde_json::to_value(stored.approval.state).unwrap_or_default();
            return Err(Error::conflict(format!(
                "approval '{id}' is {}, not pending",
                state.as_str().unwrap_or("settled")
            ))
            .with_hint("the agent asks again by repeating the request, which makes a new one"));
        }
        stored.decided_ms = Some(now);
        if approve {
            stored.approval.state = State::Approved;
            let expiry_ms =
                i64::try_from(expiry(&stored.approval.profile).as_millis()).unwrap_or(i64::MAX / 4);
            stored.expires_ms = now.saturating_add(expiry_ms);
        } else {
            stored.approval.state = State::Denied;
        }
        Ok((true, public(stored)))
    })
}

/// Every approval kept (pending first), optionally for one profile.
pub fn list(paths: &Paths, profile: Option<&str>, all: bool) -> Result<Vec<Approval>> {
    update(paths, |file, _| {
        let mut out: Vec<Approval> = file
            .approvals
            .iter()
            .filter(|s| profile.is_none_or(|p| s.approval.profile == p))
            .filter(|s| all || s.approval.state == State::Pending)
            .map(public)
            .collect();
        out.sort_by_key(|a| (a.state != State::Pending, a.requested_at.clone()));
        // Lapsed ones are written as expired.
        Ok((true, out))
    })
}

fn public(stored: &Stored) -> Approval {
    let mut approval = stored.approval.clone();
    approval.requested_at = crate::timefmt::from_unix_millis(stored.requested_ms);
    approval.expires_at = crate::timefmt::from_unix_millis(stored.expires_ms);
    approval.decided_at = stored.decided_ms.map(crate::timefmt::from_unix_millis);
    approval.expires_ms = stored.expires_ms;
    approval
}

fn random_id() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 8];
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Approval {
    /// When it stops being usable, in unix milliseconds.
    pub fn expires_ms(&self) -> i64 {
        self.expires_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_approval_is_bound_used_once_and_expires() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        let bind = |body: &'static [u8]| Binding {
            profile: "p",
            method: "POST",
            endpoint: "api",
            path: "/v1/x",
            body,
        };
        let (first, created) = request(
            &paths,
            &bind(b"{}"),
            "writes",
            None,
            Duration::from_secs(60),
        )
        .unwrap();
        assert!(created);
        let (again, created) = request(
            &paths,
            &bind(b"{}"),
            "writes",
            None,
            Duration::from_secs(60),
        )
        .unwrap();
        assert_eq!((again.id.as_str(), created), (first.id.as_str(), false));
        assert!(
            consume(&paths, &bind(b"{}")).unwrap().is_none(),
            "pending is not approved"
        );
        decide(&paths, &first.id, true, |_| Duration::from_millis(300)).unwrap();
        assert!(
            consume(&paths, &bind(b"{\"x\":1}")).unwrap().is_none(),
            "another body"
        );
        assert!(consume(&paths, &bind(b"{}")).unwrap().is_some());
        assert!(
            consume(&paths, &bind(b"{}")).unwrap().is_none(),
            "used once"
        );
        assert!(decide(&paths, &first.id, true, |_| Duration::from_secs(1)).is_err());

        let (second, _) = request(
            &paths,
            &bind(b"{}"),
            "writes",
            None,
            Duration::from_secs(60),
        )
        .unwrap();
        decide(&paths, &second.id, true, |_| Duration::from_millis(100)).unwrap();
        std::thread::sleep(Duration::from_millis(200));
        assert!(consume(&paths, &bind(b"{}")).unwrap().is_none(), "expired");

        let (third, _) = request(
            &paths,
            &bind(b"{}"),
            "writes",
            None,
            Duration::from_secs(60),
        )
        .unwrap();
        decide(&paths, &third.id, false, |_| Duration::from_secs(60)).unwrap();
        assert!(consume(&paths, &bind(b"{}")).unwrap().is_none(), "denied");
    }
}
