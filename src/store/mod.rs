//! The credential store: where secrets live between invocations (docs/cli-contract.md §5).
//!
//! # Backends
//!
//! - **keychain** ([`StoreKind::Keychain`]): the OS keychain through keyring-core, with the
//!   Secret Service store on Linux (gnome-keyring, KeePassXC, KWallet over D-Bus), the macOS
//!   Keychain and the Windows Credential Manager. One item per secret: service [`SERVICE`]
//!   (`agentcred`), user/account as below. On Linux the items carry the Secret Service
//!   attributes `service=agentcred` and `username=ACCOUNT`, so
//!   `secret-tool lookup service agentcred username ACCOUNT` finds them.
//! - **file** ([`StoreKind::File`]): one JSON document `{"version":1,"secrets":{ACCOUNT: value}}`
//!   per profile, in the directory `secrets` next to [`Paths::secrets_file`] (the one file of
//!   earlier releases, read and moved on the first write), mode 0600 in 0700 directories, each
//!   replaced atomically under one cross-process lock. A file or directory open to group or
//!   others is refused.
//! - **vault** ([`StoreKind::Vault`]): one KV v2 document per profile in a HashiCorp Vault or
//!   OpenBao server shared by many hosts, holding the profile's secrets *and* its record, so
//!   another host can use the profile by name; see [`vault`]. It offers the two capabilities
//!   of a store shared between hosts: [`SharedProfile`] (the record, and destroying the
//!   document) and [`DistributedLock`] (the refresh lease that makes refreshes single-flight
//!   across hosts). Operator credentials are never kept there.
//!
//! # Accounts
//!
//! Agent secrets are stored under `PROFILE:KIND` ([`account`]), operator credentials under
//! `operator:PROVIDER` ([`operator_account`]). The profile layer must therefore not accept a
//! profile named `operator`.
//!
//! # Policy
//!
//! [`resolve`] turns `--store auto|keychain|file|vault` into a backend for a *new* profile or
//! credential: an explicit choice is taken as given (no silent fallback); `auto` picks the file
//! store for sandbox profiles without touching the keychain, and otherwise the keychain when it
//! answers, failing with exit 7 (naming the cause and the ways out) when it does not.
//! Existing profiles record their [`StoreKind`] (and, for the vault, its [`VaultLocation`])
//! and are reopened with [`open_profile`]; operator credentials with [`open`].
//!
//! # Guarantees
//!
//! - "Not found" is `Ok(None)` from [`SecretStore::get`] and `Ok(false)` from
//!   [`SecretStore::delete`], never an error; every error is [`ErrorKind::Store`] (exit 7)
//!   unless it is a bug.
//! - Every keychain call runs on a worker thread and is abandoned after [`KEYCHAIN_TIMEOUT`]
//!   (3 s): a keychain that does not answer (a hung D-Bus service, an unlock prompt nobody will
//!   answer) counts as unavailable, and later calls in the same process fail at once instead of
//!   queueing behind the stuck one.
//! - No error message and no `Debug` output contains a secret value.
//! - [`SecretStore::check`] must be called before a service is asked for a one-time secret. If
//!   `set` still fails after the service answered, the caller writes the secrets with
//!   [`rescue::write`] (which needs neither backend) and exits 7.
//!
//! # Test knob
//!
//! `AGENTCRED_FAULT_STORE_WRITE=1` makes [`SecretStore::set`] fail in both backends (while
//! `check` still passes) with "injected store write failure (AGENTCRED_FAULT_STORE_WRITE)";
//! `=panic` makes it panic instead (in the keychain's worker thread, or on the caller's thread
//! for the file store), as a bug would. They exist so that the CLI tests can prove one-time
//! secrets reach the rescue file whatever stops the write; they are read when a store is
//! opened.
//!
//! `AGENTCRED_FAULT_STORE_READ=ACCOUNT` makes [`SecretStore::get`] of that one account
//! (`PROFILE:KIND`) fail in a profile's store, so that the tests can prove a new one-time secret
//! is kept when reading another secret fails after the service answered.
//!
//! [`ErrorKind::Store`]: crate::error::ErrorKind::Store

use std::ffi::OsString;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::paths::Paths;
use crate::secret::Secret;

mod file;
mod keychain;
pub mod rescue;
pub mod vault;

pub use file::FileStore;
pub use keychain::KeychainStore;
pub use vault::{VaultLocation, VaultStore};

/// The keychain service name of every item agentcred stores.
pub const SERVICE: &str = "agentcred";

/// How long a keychain call may take before the keychain counts as unavailable.
pub const KEYCHAIN_TIMEOUT: Duration = Duration::from_secs(3);

/// The environment variable of the test knob described in the module doc.
pub const FAULT_STORE_WRITE_ENV: &str = "AGENTCRED_FAULT_STORE_WRITE";

/// The environment variable of the read-failure test knob described in the module doc.
pub const FAULT_STORE_READ_ENV: &str = "AGENTCRED_FAULT_STORE_READ";

pub use crate::secret::StoreKind;

/// The `--store` flag (env `AGENTCRED_STORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum StoreChoice {
    #[default]
    Auto,
    Keychain,
    File,
    Vault,
}

impl StoreChoice {
    /// The store this choice names, if it names one (`auto` names none).
    pub fn named(self) -> Option<StoreKind> {
        match self {
            StoreChoice::Auto => None,
            StoreChoice::Keychain => Some(StoreKind::Keychain),
            StoreChoice::File => Some(StoreKind::File),
            StoreChoice::Vault => Some(StoreKind::Vault),
        }
    }
}

/// A place to keep secrets, one value per account.
pub trait SecretStore: Send + Sync {
    fn kind(&self) -> StoreKind;
    /// The secret stored for `account`, or `Ok(None)` when there is none.
    fn get(&self, account: &str) -> Result<Option<Secret<String>>>;
    /// Store `value` for `account`, replacing any previous value.
    fn set(&self, account: &str, value: &Secret<String>) -> Result<()>;
    /// Remove the secret for `account`; `Ok(true)` if something was deleted.
    fn delete(&self, account: &str) -> Result<bool>;
    /// Is the store usable right now (answers, writable)? Called BEFORE a service is asked for a
    /// one-time secret.
    fn check(&self) -> Result<()>;
    /// The local files whose change means that `profile`'s secrets may have changed, for a
    /// process that watches them (the gateway, to learn a rotated secret); none for a store
    /// that keeps nothing in local files.
    fn files_of(&self, profile: &str) -> Vec<std::path::PathBuf> {
        let _ = profile;
        Vec::new()
    }
    /// A store shared between hosts keeps the profile's record beside its secrets.
    fn shared(&self) -> Option<&dyn SharedProfile> {
        None
    }
    /// A store shared between hosts offers a lock that every host honours, so that a refresh
    /// is single-flight across hosts and not only across this host's processes.
    fn distributed_lock(&self) -> Option<&dyn DistributedLock> {
        None
    }
}

/// One profile's place in a store shared between hosts: its secrets and its record.
pub trait SharedProfile {
    /// Where the profile lives, for messages.
    fn describe(&self) -> String;
    /// The profile's record as `register` wrote it (see `Profile::shared_record`), if any.
    fn read_record(&self) -> Result<Option<serde_json::Value>>;
    fn write_record(&self, record: &serde_json::Value) -> Result<()>;
    /// Whether the profile has a document there at all.
    fn exists(&self) -> Result<bool>;
    /// Destroy the profile's document with every version of it; `Ok(false)` if there was none.
    fn destroy(&self) -> Result<bool>;
    /// Where the store is, to record in the profile and pin.
    fn location(&self) -> Option<VaultLocation>;
    /// Change one part of the profile's shared state (`ledger`) with check-and-set: `change`
    /// sees the part as it is now and answers its new value, or `None` to write nothing; it
    /// runs again if another host wrote in between. `Ok(true)` when a value was written.
    fn update_part(
        &self,
        key: &str,
        change: &mut dyn FnMut(Option<&serde_json::Value>) -> Option<serde_json::Value>,
    ) -> Result<bool>;
    /// The profile's freeze as every host sees it (`fresh`: not from this process's cache).
    fn read_freeze(&self, fresh: bool) -> Result<Option<serde_json::Value>>;
    /// Record (`Some`) or lift (`None`) the freeze for every host.
    fn write_freeze(&self, freeze: Option<&serde_json::Value>) -> Result<()>;
}

/// A lock shared by every host that uses a store; see [`vault`] for the lease behind it.
pub trait DistributedLock {
    /// Wait up to about `wait` (longer if the store's lease needs it) until this process holds
    /// the lock; it is released when the guard is dropped.
    fn acquire(&self, wait: Duration) -> Result<Box<dyn LockGuard>>;
}

/// Holds a [`DistributedLock`] until dropped.
pub trait LockGuard {}

/// The environment variables that hold a store's own credentials (a vault token): long-lived
/// secrets that no child process may inherit and no output may carry, whichever store a
/// profile uses.
pub const CREDENTIAL_ENV: &[&str] = &[vault::TOKEN_ENV, vault::BAO_TOKEN_ENV];

/// Trace the stores' own requests on stderr (`-v`), through `printer`. Process-wide, set once
/// per context: a store is opened deep inside other calls, far from the flags.
pub fn set_trace(on: bool, printer: &crate::output::Printer) {
    vault::set_trace(on, printer);
}

impl From<StoreKind> for StoreChoice {
    fn from(kind: StoreKind) -> StoreChoice {
        match kind {
            StoreKind::Keychain => StoreChoice::Keychain,
            StoreKind::File => StoreChoice::File,
            StoreKind::Vault => StoreChoice::Vault,
        }
    }
}

/// Open the backend of `kind` for operator credentials and other host-local secrets. Opening
/// does not touch the keychain; the first call does. The vault keeps profiles only.
pub fn open(kind: StoreKind, paths: &Paths) -> Result<Box<dyn SecretStore>> {
    open_with(kind, paths, &StoreEnv::from_process())
}

/// Open the store of profile `name`: `vault` is where its vault store was recorded (`None` for
/// a new profile, which takes the environment's). Opening sends nothing anywhere.
pub fn open_profile(
    name: &str,
    kind: StoreKind,
    vault: Option<&VaultLocation>,
    paths: &Paths,
) -> Result<Box<dyn SecretStore>> {
    let env = StoreEnv::from_process();
    let store: Box<dyn SecretStore> = match kind {
        StoreKind::Vault => {
            let location = vault::location(name, vault, &env.vault)?;
            Box::new(VaultStore::new(name, location, &env)?)
        }
        _ => open_with(kind, paths, &env)?,
    };
    Ok(match env.fault_store_read {
        Some(account) => Box::new(FaultyRead {
            inner: store,
            account,
        }),
        None => store,
    })
}

/// A store whose reads of one account fail: the `AGENTCRED_FAULT_STORE_READ` test knob.
struct FaultyRead {
    inner: Box<dyn SecretStore>,
    account: String,
}

impl SecretStore for FaultyRead {
    fn kind(&self) -> StoreKind {
        self.inner.kind()
    }
    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        if account == self.account {
            return Err(Error::store(format!(
                "injected store read failure for {account} ({FAULT_STORE_READ_ENV})"
            ))
            .with_hint(format!(
                "unset {FAULT_STORE_READ_ENV}; it is a test knob that makes reading one secret fail"
            )));
        }
        self.inner.get(account)
    }
    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        self.inner.set(account, value)
    }
    fn delete(&self, account: &str) -> Result<bool> {
        self.inner.delete(account)
    }
    fn check(&self) -> Result<()> {
        self.inner.check()
    }
    fn files_of(&self, profile: &str) -> Vec<std::path::PathBuf> {
        self.inner.files_of(profile)
    }
    fn shared(&self) -> Option<&dyn SharedProfile> {
        self.inner.shared()
    }
    fn distributed_lock(&self) -> Option<&dyn DistributedLock> {
        self.inner.distributed_lock()
    }
}

/// Resolve --store for a NEW profile or credential: Keychain/File as given; Auto → File for
/// sandbox, else Keychain if it answers (probe within the 3 s limit), else Err(exit 7) naming
/// the cause and the ways out.
///
/// An explicit `Keychain` is not probed (the caller's [`SecretStore::check`] does that), but a
/// keychain that cannot possibly answer (no D-Bus session bus on Linux) is refused here already.
pub fn resolve(choice: StoreChoice, sandbox: bool, paths: &Paths) -> Result<StoreKind> {
    resolve_with(choice, sandbox, paths, &StoreEnv::from_process())
}

/// The keychain account of one secret of a profile: `PROFILE:KIND`.
pub fn account(profile: &str, kind: &str) -> String {
    format!("{profile}:{kind}")
}

/// The keychain account of an operator credential: `operator:PROVIDER`.
pub fn operator_account(provider: &str) -> String {
    format!("operator:{provider}")
}

/// What the store layer reads from the process environment, captured once so that tests can
/// pass their own instead of mutating the (process-global, racy) environment.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreEnv {
    /// `AGENTCRED_FAULT_STORE_WRITE=1|panic`: see the module doc.
    pub fault_store_write: WriteFault,
    /// `AGENTCRED_FAULT_STORE_READ=ACCOUNT`: see the module doc.
    pub fault_store_read: Option<String>,
    /// `DBUS_SESSION_BUS_ADDRESS`, used on Linux to fail fast when there is no session bus.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub dbus_session_bus_address: Option<OsString>,
    /// `XDG_RUNTIME_DIR`, whose `bus` socket libdbus uses when the address is unset.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub xdg_runtime_dir: Option<OsString>,
    /// `VAULT_*`/`BAO_*` and agentcred's own vault variables.
    pub vault: vault::VaultEnv,
}

impl StoreEnv {
    pub fn from_process() -> StoreEnv {
        Self::from_lookup(|name| std::env::var_os(name))
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> StoreEnv {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.is_empty());
        StoreEnv {
            fault_store_write: non_empty(FAULT_STORE_WRITE_ENV).map_or(
                WriteFault::None,
                |v| match v.to_string_lossy().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => WriteFault::Fail,
                    "panic" => WriteFault::Panic,
                    _ => WriteFault::None,
                },
            ),
            fault_store_read: non_empty(FAULT_STORE_READ_ENV).and_then(|v| v.into_string().ok()),
            dbus_session_bus_address: non_empty("DBUS_SESSION_BUS_ADDRESS"),
            xdg_runtime_dir: non_empty("XDG_RUNTIME_DIR"),
            vault: vault::VaultEnv::from_lookup(&|name| {
                lookup(name).and_then(|v| v.into_string().ok())
            }),
        }
    }
}

pub(crate) fn open_with(
    kind: StoreKind,
    paths: &Paths,
    env: &StoreEnv,
) -> Result<Box<dyn SecretStore>> {
    Ok(match kind {
        StoreKind::File => Box::new(FileStore::new(paths, env.fault_store_write)),
        StoreKind::Keychain => Box::new(KeychainStore::platform(env)),
        StoreKind::Vault => {
            return Err(Error::usage(
                "the vault store keeps profiles only; operator credentials stay on this host",
            )
            .with_hint("use --store keychain or --store file for `agentcred login`"));
        }
    })
}

pub(crate) fn resolve_with(
    choice: StoreChoice,
    sandbox: bool,
    paths: &Paths,
    env: &StoreEnv,
) -> Result<StoreKind> {
    match choice {
        StoreChoice::File => Ok(StoreKind::File),
        // Its address and token are checked when it is opened and checked.
        StoreChoice::Vault => Ok(StoreKind::Vault),
        StoreChoice::Keychain => {
            keychain::precondition(env)?;
            Ok(StoreKind::Keychain)
        }
        // Sandbox secrets are fake; keeping them out of the user's keychain also makes the
        // sandbox work on a headless machine with no Secret Service.
        StoreChoice::Auto if sandbox => Ok(StoreKind::File),
        StoreChoice::Auto => match open_with(StoreKind::Keychain, paths, env)?.check() {
            Ok(()) => Ok(StoreKind::Keychain),
            Err(cause) => Err(auto_failed(cause, paths)),
        },
    }
}

/// `--store auto` found no usable keychain: say why, and offer both ways out.
fn auto_failed(cause: Error, paths: &Paths) -> Error {
    let file_way = format!(
        "use `--store file` (or AGENTCRED_STORE=file) to keep secrets in private files in {}",
        paths.data_dir.display()
    );
    let hint = match cause.hint {
        // The keychain's own hint already names `--store file` alongside its specific fix.
        Some(hint) if hint.contains("--store file") => hint,
        Some(hint) => format!("{hint}; or {file_way}"),
        None => file_way,
    };
    Error::store(format!(
        "--store auto found no usable keychain: {}",
        cause.message
    ))
    .with_hint(hint)
}

/// One probe of [`diagnose`]: what was checked, and what was found (`Ok`: a description; `Err`:
/// the store's own error, whose hint is the fix).
pub struct Probe {
    pub check: &'static str,
    pub outcome: Result<String>,
    /// Whether a failure is a problem here: the store is used (by a profile or an operator
    /// key), asked for, or configured; otherwise a failure is only shown.
    pub required: bool,
}

/// For `agentcred doctor`: each store's own probes, without writing anything. `used` are the
/// stores that this home's profiles and operator keys live in, `choice` the store `--store`
/// asks for (`auto`, the default, means the keychain for a real profile).
pub fn diagnose(paths: &Paths, used: &[StoreKind], choice: Option<StoreChoice>) -> Vec<Probe> {
    let env = StoreEnv::from_process();
    let keychain_required = used.contains(&StoreKind::Keychain)
        || matches!(
            choice,
            None | Some(StoreChoice::Auto | StoreChoice::Keychain)
        );
    // A vault is probed when a profile lives there, --store asks for it, or the environment
    // points at one.
    let vault = used.contains(&StoreKind::Vault)
        || choice == Some(StoreChoice::Vault)
        || env.vault.configured();
    let mut probes = Vec::new();

    // The file store: its directories and files are private, and the files read.
    probes.push(Probe {
        check: "file store",
        required: true,
        outcome: FileStore::new(paths, WriteFault::None).inspect(),
    });

    // The keychain: the session bus first (Linux), then the Secret Service, its default
    // collection and its lock state, through the store's own check.
    let bus = keychain::precondition(&env);
    let bus_ok = bus.is_ok();
    if cfg!(target_os = "linux") {
        probes.push(Probe {
            check: "keychain: D-Bus session bus",
            required: keychain_required,
            outcome: bus.map(|()| "a D-Bus session bus is reachable".to_owned()),
        });
    }
    if bus_ok {
        probes.push(Probe {
            check: "keychain: Secret Service, default collection, lock",
            required: keychain_required,
            outcome: KeychainStore::platform(&env).check().map(|()| {
                "the keychain answers, and its default collection is unlocked and writable"
                    .to_owned()
            }),
        });
    }

    if vault {
        probes.push(Probe {
            check: "vault: reachable, token accepted, KV v2 mount writable",
            required: true,
            outcome: vault::location("agentcred-doctor", None, &env.vault)
                .and_then(|location| {
                    let shown = format!(
                        "{} (mount {})",
                        vault::shown(&location.addr),
                        location.mount
                    );
                    let store = VaultStore::new("agentcred-doctor", location, &env)?;
                    store.check().map(|()| shown)
                })
                .map(|shown| format!("{shown} answers and the token may write profiles there")),
        });
    }
    probes
}

/// The `AGENTCRED_FAULT_STORE_WRITE` test knob (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum WriteFault {
    #[default]
    None,
    Fail,
    Panic,
}

impl WriteFault {
    /// Fail or panic as the knob says, before a write.
    fn before_write(self) -> Result<()> {
        match self {
            WriteFault::None => Ok(()),
            WriteFault::Fail => Err(injected_write_failure()),
            WriteFault::Panic => {
                panic!("injected store write panic ({FAULT_STORE_WRITE_ENV}=panic)")
            }
        }
    }
}

fn injected_write_failure() -> Error {
    Error::store(format!(
        "injected store write failure ({FAULT_STORE_WRITE_ENV})"
    ))
    .with_hint(format!(
        "unset {FAULT_STORE_WRITE_ENV}; it is a test knob that makes every store write fail"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names() {
        assert_eq!(account("work", "token"), "work:token");
        assert_eq!(account("demo", "jwt"), "demo:jwt");
        assert_eq!(operator_account("demo"), "operator:demo");
        assert_eq!(SERVICE, "agentcred");
    }

    #[test]
    fn kinds_display_and_serialize_lowercase() {
        assert_eq!(StoreKind::Keychain.to_string(), "keychain");
        assert_eq!(StoreKind::File.to_string(), "file");
        assert_eq!(serde_json::to_string(&StoreKind::File).unwrap(), "\"file\"");
        let kind: StoreKind = serde_json::from_str("\"keychain\"").unwrap();
        assert_eq!(kind, StoreKind::Keychain);
        use clap::ValueEnum;
        let names: Vec<_> = StoreChoice::value_variants()
            .iter()
            .map(|v| v.to_possible_value().unwrap().get_name().to_owned())
            .collect();
        assert_eq!(names, ["auto", "keychain", "file", "vault"]);
    }

    #[test]
    fn env_parsing() {
        let env = StoreEnv::from_lookup(|name| match name {
            "AGENTCRED_FAULT_STORE_WRITE" => Some("1".into()),
            "DBUS_SESSION_BUS_ADDRESS" => Some("".into()),
            _ => None,
        });
        assert_eq!(env.fault_store_write, WriteFault::Fail);
        assert_eq!(env.dbus_session_bus_address, None, "empty counts as unset");
        let env = StoreEnv::from_lookup(|name| {
            (name == "AGENTCRED_FAULT_STORE_WRITE").then(|| "0".into())
        });
        assert_eq!(env.fault_store_write, WriteFault::None);
    }

    #[test]
    fn explicit_choices_are_taken_as_given() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let env = StoreEnv {
            dbus_session_bus_address: Some("unix:path=/nonexistent".into()),
            ..StoreEnv::default()
        };
        for sandbox in [false, true] {
            let kind = resolve_with(StoreChoice::File, sandbox, &paths, &env).unwrap();
            assert_eq!(kind, StoreKind::File);
            let kind = resolve_with(StoreChoice::Keychain, sandbox, &paths, &env).unwrap();
            assert_eq!(kind, StoreKind::Keychain);
        }
    }

    #[test]
    fn auto_for_sandbox_is_file_without_probing() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        // No session bus at all: a probe would fail, so success proves there was none.
        let kind = resolve_with(StoreChoice::Auto, true, &paths, &StoreEnv::default()).unwrap();
        assert_eq!(kind, StoreKind::File);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn keychain_without_session_bus_is_exit_7_naming_the_bus() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let env = StoreEnv::default();
        let err = resolve_with(StoreChoice::Keychain, false, &paths, &env).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Store);
        assert_eq!(err.exit_code(), 7);
        assert!(err.message.contains("D-Bus session bus"), "{}", err.message);
        assert!(
            err.message.contains("DBUS_SESSION_BUS_ADDRESS"),
            "{}",
            err.message
        );
        let hint = err.hint.unwrap();
        assert!(hint.contains("--store file"), "{hint}");
        assert!(hint.contains("gnome-keyring-daemon"), "{hint}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn auto_without_session_bus_is_exit_7_with_the_ways_out() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let err = resolve_with(StoreChoice::Auto, false, &paths, &StoreEnv::default()).unwrap_err();
        assert_eq!(err.exit_code(), 7);
        assert!(
            err.message
                .starts_with("--store auto found no usable keychain")
        );
        assert!(
            err.message.contains("no D-Bus session bus"),
            "{}",
            err.message
        );
        let hint = err.hint.unwrap();
        assert!(hint.contains("--store file"), "{hint}");
        assert!(hint.contains("dbus-run-session"), "{hint}");
    }

    #[test]
    fn fault_knob_fails_set_in_both_backends_after_check_passes() {
        let home = tempfile::tempdir().unwrap();
        let paths = Paths::under(home.path());
        let env = StoreEnv {
            fault_store_write: WriteFault::Fail,
            ..StoreEnv::default()
        };
        let mock = keyring_core::mock::Store::new().unwrap();
        let stores: Vec<Box<dyn SecretStore>> = vec![
            open_with(StoreKind::File, &paths, &env).unwrap(),
            Box::new(KeychainStore::with_store_in(mock, &env)),
        ];
        for store in stores {
            store.check().unwrap();
            let err = store
                .set("p:token", &Secret::from("tok_one_time"))
                .unwrap_err();
            assert_eq!(err.exit_code(), 7, "{}", store.kind());
            assert_eq!(
                err.message,
                "injected store write failure (AGENTCRED_FAULT_STORE_WRITE)"
            );
            assert!(
                store.get("p:token").unwrap().is_none(),
                "nothing was written"
            );
        }
    }
}
