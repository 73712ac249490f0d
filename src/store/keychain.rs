//! The OS keychain backend, through keyring-core.
//!
//! The platform store (Secret Service on Linux, Keychain on macOS, Credential Manager on
//! Windows) is created once per process and also installed as keyring-core's default store.
//! Each item is the entry (service [`SERVICE`], user `ACCOUNT`); on Linux the
//! dbus-secret-service store turns that into the item attributes `service` and `username`.
//!
//! Every call runs on a worker thread and is abandoned after [`KEYCHAIN_TIMEOUT`]: a Secret
//! Service can hang (an unlock prompt nobody answers blocks for a year by default in
//! dbus-secret-service; D-Bus activation of a broken provider takes the bus's 25 s timeout),
//! and a CLI that agents run unattended must not. The abandoned thread keeps the platform
//! store's connection lock, so once a call has timed out every later call in the process fails
//! at once with the same cause rather than waiting another 3 s behind it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, LazyLock, Mutex, OnceLock};
use std::time::Duration;

use keyring_core::{CredentialStore, Entry};

use super::{KEYCHAIN_TIMEOUT, SERVICE, SecretStore, StoreEnv, StoreKind, WriteFault};
use crate::error::{Code, Error, Result};
use crate::secret::Secret;

/// An account that is never written: `check` reads it to see whether the keychain answers.
const PROBE_ACCOUNT: &str = "agentcred-availability-probe";

/// The way out that always works, appended to keychain hints.
const FILE_STORE_WAY_OUT: &str = "use `--store file` (or AGENTCRED_STORE=file)";

/// Secrets in the OS keychain.
pub struct KeychainStore {
    source: Source,
    env: StoreEnv,
    timeout: Duration,
    /// Set once a call has timed out; shared by every store over the same source.
    wedged: Arc<AtomicBool>,
}

enum Source {
    /// The OS keychain, created on first use.
    Platform,
    /// A store handed in by the caller (keyring-core's mock store in the tests).
    Injected(Arc<CredentialStore>),
}

impl std::fmt::Debug for KeychainStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Platform => "platform",
            Source::Injected(_) => "injected",
        };
        f.debug_struct("KeychainStore")
            .field("source", &source)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What a call was doing, for messages.
#[derive(Clone, Copy)]
enum Op {
    Read,
    Write,
    Delete,
    Check,
}

impl KeychainStore {
    /// The OS keychain. Nothing is contacted until the first call.
    pub(crate) fn platform(env: &StoreEnv) -> KeychainStore {
        static PLATFORM_WEDGED: LazyLock<Arc<AtomicBool>> = LazyLock::new(Arc::default);
        KeychainStore {
            source: Source::Platform,
            env: env.clone(),
            timeout: KEYCHAIN_TIMEOUT,
            wedged: PLATFORM_WEDGED.clone(),
        }
    }

    /// The keychain logic over any keyring-core store, such as `keyring_core::mock::Store`
    /// (the test knob is read from the environment, as in [`super::open`]).
    pub fn with_store(store: Arc<CredentialStore>) -> KeychainStore {
        Self::with_store_in(store, &StoreEnv::from_process())
    }

    pub(crate) fn with_store_in(store: Arc<CredentialStore>, env: &StoreEnv) -> KeychainStore {
        KeychainStore {
            source: Source::Injected(store),
            env: env.clone(),
            timeout: KEYCHAIN_TIMEOUT,
            wedged: Arc::default(),
        }
    }

    #[cfg(test)]
    fn with_timeout(mut self, timeout: Duration) -> KeychainStore {
        self.timeout = timeout;
        self
    }

    /// Run `job` on a worker thread against the store, giving up after `self.timeout`.
    fn run<T: Send + 'static>(
        &self,
        op: Op,
        account: &str,
        job: impl FnOnce(&CredentialStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        if matches!(self.source, Source::Platform) {
            precondition(&self.env)?;
        }
        if self.wedged.load(Ordering::SeqCst) {
            return Err(self.timeout_error(op, account, true));
        }
        let store = match &self.source {
            Source::Platform => None,
            Source::Injected(store) => Some(store.clone()),
        };
        let acct = account.to_owned();
        let (tx, rx) = mpsc::channel();
        let worker = std::thread::Builder::new()
            .name("agentcred-keychain".into())
            .spawn(move || {
                let result = match store {
                    Some(store) => job(&*store),
                    None => platform_store()
                        .map_err(|e| map_error(e, op, &acct))
                        .and_then(|store| job(&*store)),
                };
                // The receiver is gone if we were abandoned; nobody wants the answer then.
                let _ = tx.send(result);
            })
            .map_err(|e| Error::internal(format!("cannot start a keychain thread: {e}")))?;
        match rx.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => {
                self.wedged.store(true, Ordering::SeqCst);
                // Dropping the handle detaches the thread; it dies with the process.
                drop(worker);
                Err(self.timeout_error(op, account, false))
            }
            // The worker panicked. Only a build that unwinds gets here: a release build ends
            // in the panic hook, which has rescued any one-time secret being stored.
            Err(RecvTimeoutError::Disconnected) => Err(Error::internal(format!(
                "the keychain call to {} panicked",
                op.describe(account)
            ))),
        }
    }

    fn timeout_error(&self, op: Op, account: &str, earlier: bool) -> Error {
        let secs = self.timeout.as_secs_f64();
        let message = if earlier {
            format!(
                "the keychain did not answer within {secs} s earlier in this run, so it cannot {}",
                op.describe(account)
            )
        } else {
            format!(
                "the keychain did not answer within {secs} s (while trying to {})",
                op.describe(account)
            )
        };
        Error::store(message).with_hint(format!(
            "it may be locked and waiting on an unlock prompt, or hung: {}; or {FILE_STORE_WAY_OUT}",
            platform::UNLOCK_ADVICE
        ))
    }
}

impl Op {
    fn describe(self, account: &str) -> String {
        match self {
            Op::Read => format!("read {account}"),
            Op::Write => format!("store {account}"),
            Op::Delete => format!("delete {account}"),
            Op::Check => "check that it is usable".to_owned(),
        }
    }
}

impl SecretStore for KeychainStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Keychain
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        let acct = account.to_owned();
        self.run(Op::Read, account, move |store| {
            match entry(store, Op::Read, &acct)?.get_password() {
                Ok(value) => Ok(Some(Secret::new(value))),
                Err(keyring_core::Error::NoEntry) => Ok(None),
                Err(e) => Err(map_error(e, Op::Read, &acct)),
            }
        })
    }

    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        let fault = self.env.fault_store_write;
        if fault == WriteFault::Fail {
            fault.before_write()?;
        }
        let acct = account.to_owned();
        // The worker may outlive this call (timeout), so it owns its copy of the secret.
        let value = value.clone();
        self.run(Op::Write, account, move |store| {
            // A panicking write panics where a real one would: in the worker.
            fault.before_write()?;
            entry(store, Op::Write, &acct)?
                .set_password(value.expose())
                .map_err(|e| map_error(e, Op::Write, &acct))
        })
    }

    fn delete(&self, account: &str) -> Result<bool> {
        let acct = account.to_owned();
        self.run(Op::Delete, account, move |store| {
            match entry(store, Op::Delete, &acct)?.delete_credential() {
                Ok(()) => Ok(true),
                Err(keyring_core::Error::NoEntry) => Ok(false),
                Err(e) => Err(map_error(e, Op::Delete, &acct)),
            }
        })
    }

    fn check(&self) -> Result<()> {
        let platform = matches!(self.source, Source::Platform);
        self.run(Op::Check, PROBE_ACCOUNT, move |store| {
            match entry(store, Op::Check, PROBE_ACCOUNT)?.get_password() {
                // Found or not, the keychain answered.
                Ok(_) | Err(keyring_core::Error::NoEntry) => {}
                Err(e) => return Err(map_error(e, Op::Check, PROBE_ACCOUNT)),
            }
            // Reading a missing item succeeds even when nothing could be written (no default
            // collection, or a locked one whose unlock prompt would hang `set`), so look at
            // where `set` would write before the caller asks a service for one-time secrets.
            if platform {
                platform::check_writable()?;
            }
            Ok(())
        })
    }
}

fn entry(store: &CredentialStore, op: Op, account: &str) -> Result<Entry> {
    store
        .build(SERVICE, account, None)
        .map_err(|e| map_error(e, op, account))
}

/// Fail fast when the keychain cannot possibly be reached (Linux: no session bus), before any
/// thread or connection. Errors name the cause and the ways out.
pub(crate) fn precondition(env: &StoreEnv) -> Result<()> {
    platform::precondition(env)
}

/// The platform store, created once per process and installed as keyring-core's default.
///
/// A failed creation is not remembered: the next call tries again (a Secret Service may have
/// been started meanwhile), and each attempt runs under the caller's timeout.
fn platform_store() -> keyring_core::Result<Arc<CredentialStore>> {
    static STORE: OnceLock<Arc<CredentialStore>> = OnceLock::new();
    static CREATING: Mutex<()> = Mutex::new(());
    if let Some(store) = STORE.get() {
        return Ok(store.clone());
    }
    let _creating = CREATING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(store) = STORE.get() {
        return Ok(store.clone());
    }
    let store = platform::new_store()?;
    keyring_core::set_default_store(store.clone());
    Ok(STORE.get_or_init(|| store).clone())
}

/// Turn a keyring-core error into a store error that names the cause. Never includes secret
/// data: `BadEncoding` and `BadDataFormat` carry the raw bytes, which are dropped here.
fn map_error(err: keyring_core::Error, op: Op, account: &str) -> Error {
    use keyring_core::Error as K;
    let (cause, hint) = match err {
        K::NoEntry => (
            format!("there is no keychain item for {account}"),
            "store it again".to_owned(),
        ),
        K::PlatformFailure(e) | K::NoStorageAccess(e) => platform::describe(e.as_ref()),
        K::BadEncoding(_) => (
            format!("the keychain item for {account} does not hold UTF-8 text"),
            format!(
                "delete the item (service {SERVICE}, account {account}) with your keychain tool and store it again"
            ),
        ),
        K::BadDataFormat(_, e) => (
            format!("the keychain item for {account} is malformed ({e})"),
            format!(
                "delete the item (service {SERVICE}, account {account}) with your keychain tool and store it again"
            ),
        ),
        K::Ambiguous(items) => (
            format!(
                "{} keychain items match service {SERVICE} and account {account}",
                items.len()
            ),
            format!(
                "remove the extra items: {}",
                platform::list_items_advice(account)
            ),
        ),
        K::NoDefaultStore => {
            return Error::internal("no keychain store was set up before use");
        }
        other => (
            format!("the keychain failed: {other}"),
            FILE_STORE_WAY_OUT.to_owned(),
        ),
    };
    let message = match op {
        Op::Check => cause,
        _ => format!(
            "could not {} in the keychain: {cause}",
            op.describe(account)
        ),
    };
    let hint = if hint.contains("--store file") {
        hint
    } else {
        format!("{hint}; or {FILE_STORE_WAY_OUT}")
    };
    let code = if message.contains("locked") {
        Code::KeychainLocked
    } else {
        Code::StoreUnavailable
    };
    Error::coded(code, message).with_hint(hint)
}

#[cfg(target_os = "linux")]
mod platform {
    use std::path::Path;

    use dbus_secret_service::{EncryptionType, SecretService};
    use keyring_core::CredentialStore;

    use super::{Arc, Code, Error, FILE_STORE_WAY_OUT, Result, SERVICE, StoreEnv};

    // `gnome-keyring-daemon --unlock` sent to a daemon that is already running neither unlocks
    // a locked login keyring nor creates a missing one; only a daemon started with the password
    // (or replaced by one) does, so that is what the hints offer.
    pub const UNLOCK_ADVICE: &str = "unlock the login keyring from the desktop session (for \
        instance with Seahorse), or run agentcred under a keyring started unlocked: \
        `dbus-run-session -- sh -c 'echo -n PASSWORD | gnome-keyring-daemon --unlock \
        --components=secrets; agentcred ...'`";

    fn start_hint() -> String {
        format!(
            "{FILE_STORE_WAY_OUT}, or start a Secret Service: `dbus-run-session -- sh -c 'echo -n pw \
             | gnome-keyring-daemon --unlock --components=secrets; agentcred ...'`"
        )
    }

    pub fn new_store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(dbus_secret_service_keyring_store::Store::new()?)
    }

    pub fn precondition(env: &StoreEnv) -> Result<()> {
        if env.dbus_session_bus_address.is_some() {
            return Ok(());
        }
        // libdbus falls back to `$XDG_RUNTIME_DIR/bus` (systemd user sessions).
        if let Some(dir) = &env.xdg_runtime_dir
            && is_socket(&Path::new(dir).join("bus"))
        {
            return Ok(());
        }
        Err(Error::store(
            "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so the Secret Service \
             keychain cannot be reached",
        )
        .with_hint(start_hint()))
    }

    fn is_socket(path: &Path) -> bool {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_socket())
    }

    /// Is there an unlocked default collection for new items? (The keyring store creates items
    /// in the collection with alias `default`.)
    pub fn check_writable() -> Result<()> {
        let describe_err = |e: dbus_secret_service::Error| {
            let (message, hint) = describe(&e);
            Error::store(message).with_hint(hint)
        };
        // Plain: nothing secret crosses this connection, so skip the key exchange.
        let ss = SecretService::connect(EncryptionType::Plain).map_err(describe_err)?;
        let collection = ss.get_default_collection().map_err(describe_err)?;
        if collection.is_locked().map_err(describe_err)? {
            return Err(Error::coded(
                Code::KeychainLocked,
                "the Secret Service's default keyring (the login keyring) is locked",
            )
            .with_hint(format!("{UNLOCK_ADVICE}; or {FILE_STORE_WAY_OUT}")));
        }
        Ok(())
    }

    pub fn list_items_advice(account: &str) -> String {
        format!("`secret-tool search --all service {SERVICE} username {account}`, then delete them")
    }

    /// Cause and hint for an error from the Secret Service store.
    pub fn describe(err: &(dyn std::error::Error + Send + Sync + 'static)) -> (String, String) {
        use dbus_secret_service::Error as S;
        let Some(err) = err.downcast_ref::<S>() else {
            return (format!("the Secret Service failed: {err}"), start_hint());
        };
        let unlock_hint = || format!("{UNLOCK_ADVICE}; or {FILE_STORE_WAY_OUT}");
        match err {
            S::Dbus(e) => {
                let name = e.name().unwrap_or("unknown D-Bus error");
                let detail = e.message().unwrap_or("");
                let short = name.trim_start_matches("org.freedesktop.DBus.Error.");
                if matches!(short, "ServiceUnknown" | "NameHasNoOwner")
                    || short.starts_with("Spawn.")
                {
                    (
                        format!(
                            "no Secret Service provider (such as gnome-keyring or KeePassXC) is \
                             running on the D-Bus session bus ({detail})"
                        ),
                        start_hint(),
                    )
                } else if matches!(
                    short,
                    "NoServer"
                        | "FileNotFound"
                        | "BadAddress"
                        | "Disconnected"
                        | "NoNetwork"
                        | "AuthFailed"
                        | "NotSupported"
                        | "IOError"
                ) {
                    (
                        format!("cannot connect to the D-Bus session bus ({name}: {detail})"),
                        start_hint(),
                    )
                } else if matches!(short, "NoReply" | "Timeout" | "TimedOut") {
                    (
                        format!("the Secret Service did not reply ({detail})"),
                        format!("restart it, or {FILE_STORE_WAY_OUT}"),
                    )
                } else {
                    (
                        format!("the Secret Service failed ({name}: {detail})"),
                        start_hint(),
                    )
                }
            }
            S::Locked => (
                "the keyring holding the item is locked".to_owned(),
                unlock_hint(),
            ),
            S::Prompt => (
                "the keyring is locked and its unlock prompt was dismissed or could not be shown"
                    .to_owned(),
                unlock_hint(),
            ),
            S::NoResult => (
                "the Secret Service has no default keyring (collection alias `default`) to keep \
                 items in"
                    .to_owned(),
                format!(
                    "create the login keyring by restarting gnome-keyring with a password: `echo -n \
                     PASSWORD | gnome-keyring-daemon --replace --unlock --components=secrets`; or \
                     {FILE_STORE_WAY_OUT}"
                ),
            ),
            S::Unavailable => (
                "no D-Bus session bus or Secret Service provider was found".to_owned(),
                start_hint(),
            ),
            other => (format!("the Secret Service failed: {other}"), start_hint()),
        }
    }
}

#[cfg(target_os = "macos")]
mod platform {
    use keyring_core::CredentialStore;

    use super::{Arc, FILE_STORE_WAY_OUT, Result, SERVICE, StoreEnv};

    pub const UNLOCK_ADVICE: &str = "unlock the login keychain (`security unlock-keychain`)";

    pub fn new_store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(apple_native_keyring_store::keychain::Store::new()?)
    }

    pub fn precondition(_env: &StoreEnv) -> Result<()> {
        Ok(())
    }

    pub fn check_writable() -> Result<()> {
        Ok(())
    }

    pub fn list_items_advice(account: &str) -> String {
        format!("`security find-generic-password -s {SERVICE} -a {account}`")
    }

    pub fn describe(err: &(dyn std::error::Error + Send + Sync + 'static)) -> (String, String) {
        (
            format!("the macOS keychain failed: {err}"),
            format!("{UNLOCK_ADVICE}, or {FILE_STORE_WAY_OUT}"),
        )
    }
}

#[cfg(target_os = "windows")]
mod platform {
    use keyring_core::CredentialStore;

    use super::{Arc, FILE_STORE_WAY_OUT, Result, SERVICE, StoreEnv};

    pub const UNLOCK_ADVICE: &str = "check the Windows Credential Manager";

    pub fn new_store() -> keyring_core::Result<Arc<CredentialStore>> {
        Ok(windows_native_keyring_store::Store::new()?)
    }

    pub fn precondition(_env: &StoreEnv) -> Result<()> {
        Ok(())
    }

    pub fn check_writable() -> Result<()> {
        Ok(())
    }

    pub fn list_items_advice(account: &str) -> String {
        format!("open the Credential Manager and look for {account}.{SERVICE}")
    }

    pub fn describe(err: &(dyn std::error::Error + Send + Sync + 'static)) -> (String, String) {
        (
            format!("the Windows Credential Manager failed: {err}"),
            FILE_STORE_WAY_OUT.to_owned(),
        )
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod platform {
    use keyring_core::CredentialStore;

    use super::{Arc, Error, FILE_STORE_WAY_OUT, Result, StoreEnv};

    pub const UNLOCK_ADVICE: &str = "there is no keychain support on this system";

    pub fn new_store() -> keyring_core::Result<Arc<CredentialStore>> {
        Err(keyring_core::Error::NotSupportedByStore(
            "no OS keychain on this system".to_owned(),
        ))
    }

    pub fn precondition(_env: &StoreEnv) -> Result<()> {
        Err(Error::store(format!(
            "agentcred has no OS keychain support on {}",
            std::env::consts::OS
        ))
        .with_hint(FILE_STORE_WAY_OUT))
    }

    pub fn check_writable() -> Result<()> {
        Ok(())
    }

    pub fn list_items_advice(_account: &str) -> String {
        String::new()
    }

    pub fn describe(err: &(dyn std::error::Error + Send + Sync + 'static)) -> (String, String) {
        (
            format!("the keychain failed: {err}"),
            FILE_STORE_WAY_OUT.to_owned(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::time::Instant;

    use keyring_core::api::{Credential, CredentialApi, CredentialStoreApi};
    use keyring_core::mock;

    use super::*;
    use crate::error::ErrorKind;

    fn mock_backend() -> (Arc<mock::Store>, KeychainStore) {
        let mock = mock::Store::new().unwrap();
        let store = KeychainStore::with_store_in(mock.clone(), &StoreEnv::default());
        (mock, store)
    }

    /// Make the mock's next call on `account` fail with `err`.
    fn fail_next(mock: &mock::Store, account: &str, err: keyring_core::Error) {
        let entry = mock.build(SERVICE, account, None).unwrap();
        let cred: &mock::Cred = entry.as_any().downcast_ref().unwrap();
        cred.set_error(err);
    }

    #[test]
    fn round_trip_and_not_found() {
        let (mock, store) = mock_backend();
        assert_eq!(store.kind(), StoreKind::Keychain);
        store.check().unwrap();
        assert!(store.get("work:token").unwrap().is_none());
        assert!(!store.delete("work:token").unwrap());

        store.set("work:token", &Secret::from("tok_1")).unwrap();
        store.set("work:token", &Secret::from("tok_2")).unwrap();
        store.set("work:jwt", &Secret::from("eyJ.x.y")).unwrap();
        assert_eq!(store.get("work:token").unwrap().unwrap().expose(), "tok_2");
        assert_eq!(store.get("work:jwt").unwrap().unwrap().expose(), "eyJ.x.y");

        // The item is (service agentcred, user ACCOUNT) in the underlying store.
        let raw = mock.build("agentcred", "work:token", None).unwrap();
        assert_eq!(raw.get_password().unwrap(), "tok_2");

        assert!(store.delete("work:token").unwrap());
        assert!(store.get("work:token").unwrap().is_none());
        assert!(!store.delete("work:token").unwrap());
        assert!(store.get("work:jwt").unwrap().is_some());
    }

    #[test]
    fn platform_errors_are_store_errors_naming_the_account() {
        let (mock, store) = mock_backend();
        let denied = || {
            keyring_core::Error::NoStorageAccess(Box::new(std::io::Error::other(
                "collection is locked",
            )))
        };
        fail_next(&mock, "p:jwt", denied());
        let err = store.get("p:jwt").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Store);
        assert!(
            err.message.contains("could not read p:jwt in the keychain"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("collection is locked"),
            "{}",
            err.message
        );
        assert!(err.hint.unwrap().contains("--store file"));

        fail_next(&mock, "p:jwt", denied());
        let err = store.set("p:jwt", &Secret::from("v")).unwrap_err();
        assert!(
            err.message.starts_with("could not store p:jwt"),
            "{}",
            err.message
        );

        fail_next(
            &mock,
            "p:jwt",
            keyring_core::Error::PlatformFailure(Box::new(std::io::Error::other("boom"))),
        );
        let err = store.delete("p:jwt").unwrap_err();
        assert!(
            err.message.starts_with("could not delete p:jwt"),
            "{}",
            err.message
        );

        fail_next(&mock, PROBE_ACCOUNT, denied());
        let err = store.check().unwrap_err();
        assert_eq!(err.exit_code(), 7);
        assert!(
            err.message.contains("collection is locked"),
            "{}",
            err.message
        );
    }

    #[test]
    fn bad_encoding_never_shows_the_bytes() {
        let (mock, store) = mock_backend();
        fail_next(
            &mock,
            "p:token",
            keyring_core::Error::BadEncoding(b"tok_secret_bytes\xff".to_vec()),
        );
        let err = store.get("p:token").unwrap_err();
        let shown = format!("{err:?} {} {:?}", err.message, err.hint);
        assert!(!shown.contains("tok_secret_bytes"), "{shown}");
        assert!(err.message.contains("not hold UTF-8"), "{}", err.message);
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let (_mock, store) = mock_backend();
        store.set("p:token", &Secret::from("tok_hidden")).unwrap();
        let got = store.get("p:token").unwrap();
        let shown = format!("{store:?} {got:?}");
        assert!(!shown.contains("tok_hidden"), "{shown}");
    }

    /// A keyring-core store whose calls block until released, like a Secret Service waiting on
    /// an unlock prompt.
    #[derive(Debug)]
    struct HangingStore(Arc<Mutex<()>>);

    #[derive(Debug)]
    struct HangingCred(Arc<Mutex<()>>);

    impl CredentialStoreApi for HangingStore {
        fn vendor(&self) -> String {
            "hanging".into()
        }
        fn id(&self) -> String {
            "hanging".into()
        }
        fn build(
            &self,
            _service: &str,
            _user: &str,
            _mods: Option<&HashMap<&str, &str>>,
        ) -> keyring_core::Result<Entry> {
            let cred: Arc<Credential> = Arc::new(HangingCred(self.0.clone()));
            Ok(Entry::new_with_credential(cred))
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    impl CredentialApi for HangingCred {
        fn set_secret(&self, _secret: &[u8]) -> keyring_core::Result<()> {
            drop(self.0.lock());
            Ok(())
        }
        fn get_secret(&self) -> keyring_core::Result<Vec<u8>> {
            drop(self.0.lock());
            Err(keyring_core::Error::NoEntry)
        }
        fn delete_credential(&self) -> keyring_core::Result<()> {
            drop(self.0.lock());
            Err(keyring_core::Error::NoEntry)
        }
        fn get_credential(&self) -> keyring_core::Result<Option<Arc<Credential>>> {
            Ok(None)
        }
        fn get_specifiers(&self) -> Option<(String, String)> {
            None
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    #[test]
    fn a_keychain_that_does_not_answer_is_abandoned_and_stays_unavailable() {
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock().unwrap();
        let store = KeychainStore::with_store_in(
            Arc::new(HangingStore(gate.clone())),
            &StoreEnv::default(),
        )
        .with_timeout(Duration::from_millis(200));

        let started = Instant::now();
        let err = store.check().unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(2));
        assert_eq!(err.exit_code(), 7);
        assert!(
            err.message
                .starts_with("the keychain did not answer within 0.2 s"),
            "{}",
            err.message
        );

        // Later calls fail at once instead of queueing behind the stuck one.
        let started = Instant::now();
        let err = store.get("p:jwt").unwrap_err();
        assert!(started.elapsed() < Duration::from_millis(100));
        assert!(
            err.message.contains("earlier in this run"),
            "{}",
            err.message
        );
        assert!(err.message.contains("read p:jwt"), "{}", err.message);
        drop(held);
    }

    #[test]
    fn the_default_timeout_is_three_seconds() {
        let (_mock, store) = mock_backend();
        assert_eq!(store.timeout, Duration::from_secs(3));
        let err = store.timeout_error(Op::Write, "p:token", false);
        assert_eq!(
            err.message,
            "the keychain did not answer within 3 s (while trying to store p:token)"
        );
    }
}
