//! The file backend: one JSON document, private to the user.
//!
//! Layout: `{"version":1,"secrets":{"PROFILE:KIND":"value",...}}` at [`Paths::secrets_file`],
//! mode 0600 in a 0700 directory. Writers take the cross-process lock `LOCK_DIR/secrets.lock`
//! for the whole read-modify-write, because several agentcred processes (agents running in
//! parallel, each with its own `--profile`) update the same file; the file itself is replaced
//! atomically, so readers need no lock and never see half a file.
//!
//! The file is refused, never repaired: a file or directory open to group or others may
//! already have leaked, and a file that does not parse may hold the only copy of a one-time
//! secret, so both are reported with the command that fixes them and left as they are.

use std::collections::BTreeMap;
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SecretStore, StoreKind, injected_write_failure};
use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;
use crate::secret::Secret;

const FORMAT_VERSION: u32 = 1;

/// Long enough to queue behind many concurrent writers, each of which holds the lock for a
/// read, a small write and an fsync.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Secrets in a private JSON file.
#[derive(Debug, Clone)]
pub struct FileStore {
    path: PathBuf,
    lock_path: PathBuf,
    fault_write: bool,
}

/// The document on disk. No `Debug`: it holds secret values.
#[derive(Serialize, Deserialize, Default, schemars::JsonSchema)]
struct Document {
    version: u32,
    secrets: BTreeMap<String, String>,
}

impl FileStore {
    pub(crate) fn new(paths: &Paths, fault_write: bool) -> FileStore {
        FileStore {
            path: paths.secrets_file(),
            lock_path: paths.lock_dir.join("secrets.lock"),
            fault_write,
        }
    }

    /// The file this store reads and writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The current document; an empty one when the file does not exist yet.
    fn load(&self) -> Result<Document> {
        if let Ok(meta) = std::fs::metadata(self.dir())
            && !meta.is_dir()
        {
            let dir = self.dir().display();
            return Err(Error::store(format!(
                "{dir}, where the file store lives, is {}, not a directory",
                fsutil::file_type_name(&meta)
            ))
            .with_hint(format!(
                "move it aside (`mv {dir} {dir}.bad`); agentcred creates the directory, private, on first use"
            )));
        }
        refuse_if_loose(self.dir(), "directory holding the file store", "700")?;
        let bytes = match fsutil::read_regular(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == IoKind::NotFound => {
                return Ok(Document {
                    version: FORMAT_VERSION,
                    secrets: BTreeMap::new(),
                });
            }
            Err(e) if e.kind() == IoKind::InvalidInput => {
                let path = self.path.display();
                return Err(Error::store(format!(
                    "cannot use the file store {path}: {e}"
                ))
                .with_hint(format!(
                    "move it aside (`mv {path} {path}.bad`); agentcred creates the file store, a regular file, on first use"
                )));
            }
            Err(e) => {
                return Err(Error::store(format!(
                    "cannot read the file store {}: {e}",
                    self.path.display()
                ))
                .with_hint(
                    "check the file's owner and permissions (it must be yours, mode 0600)",
                ));
            }
        };
        refuse_if_loose(&self.path, "file store", "600")?;
        let document: Document = serde_json::from_slice(&bytes).map_err(|e| self.corrupt(&e))?;
        if document.version != FORMAT_VERSION {
            return Err(Error::store(format!(
                "the file store {} has format version {}, which this agentcred does not know \
                 (it reads version {FORMAT_VERSION})",
                self.path.display(),
                document.version
            ))
            .with_hint("use the agentcred release that wrote it, or upgrade agentcred"));
        }
        Ok(document)
    }

    /// serde_json's message can quote the offending value, which may be a secret, so only its
    /// category and position are reported.
    fn corrupt(&self, e: &serde_json::Error) -> Error {
        let what = match e.classify() {
            serde_json::error::Category::Data => "does not have the expected layout",
            serde_json::error::Category::Eof => "is truncated",
            _ => "is not valid JSON",
        };
        let path = self.path.display();
        Error::store(format!(
            "the file store {path} {what} (line {}, column {}); it was left untouched",
            e.line(),
            e.column()
        ))
        .with_hint(format!(
            "repair it by hand ({{\"version\":1,\"secrets\":{{\"PROFILE:KIND\":\"value\"}}}}), or move \
             it aside (`mv {path} {path}.bad`) and store the secrets again"
        ))
    }

    /// Read, change and write the document under the cross-process lock.
    fn update<T>(&self, change: impl FnOnce(&mut Document) -> T) -> Result<T> {
        let _lock = FileLock::acquire(&self.lock_path, LOCK_TIMEOUT).map_err(|e| {
            Error::store(format!(
                "cannot lock the file store ({}): {e}",
                self.lock_path.display()
            ))
            .with_hint(
                "another agentcred process may be stuck holding it; retry, or end that process",
            )
        })?;
        let mut document = self.load()?;
        let out = change(&mut document);
        let mut bytes = serde_json::to_vec_pretty(&document)
            .map_err(|e| Error::internal(format!("cannot encode the file store: {e}")))?;
        bytes.push(b'\n');
        fsutil::write_private(&self.path, &bytes).map_err(|e| {
            Error::store(format!(
                "cannot write the file store {}: {e}",
                self.path.display()
            ))
            .with_hint("check free space and the permissions of its directory")
        })?;
        Ok(out)
    }
}

impl SecretStore for FileStore {
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        Ok(self.load()?.secrets.remove(account).map(Secret::new))
    }

    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        if self.fault_write {
            return Err(injected_write_failure());
        }
        self.update(|doc| {
            doc.secrets
                .insert(account.to_owned(), value.expose().clone());
        })
    }

    fn delete(&self, account: &str) -> Result<bool> {
        // Don't create a file (or take the lock) just to delete nothing.
        if !self.load()?.secrets.contains_key(account) {
            return Ok(false);
        }
        self.update(|doc| doc.secrets.remove(account).is_some())
    }

    fn check(&self) -> Result<()> {
        let dir = self.dir();
        fsutil::create_private_dir(dir).map_err(|e| {
            Error::store(format!(
                "cannot create the file store directory {}: {e}",
                dir.display()
            ))
            .with_hint(
                "set AGENTCRED_HOME=DIR to keep agentcred's state in a directory you can write",
            )
        })?;
        self.load()?;
        // A writer will need the lock; make sure its directory can be created too.
        FileLock::acquire(&self.lock_path, LOCK_TIMEOUT)
            .map(drop)
            .map_err(|e| {
                Error::store(format!(
                    "cannot lock the file store ({}): {e}",
                    self.lock_path.display()
                ))
            })
    }
}

/// Refuse `path` if group or others may read or write it.
fn refuse_if_loose(path: &Path, what: &str, wanted: &str) -> Result<()> {
    match fsutil::is_loose(path) {
        Ok(false) => Ok(()),
        Err(e) if e.kind() == IoKind::NotFound => Ok(()),
        Err(e) => Err(Error::store(format!(
            "cannot inspect the {what} {}: {e}",
            path.display()
        ))),
        Ok(true) => {
            let mode = mode_of(path);
            let access = if mode & 0o044 != 0 {
                "readable"
            } else {
                "writable"
            };
            Err(Error::store(format!(
                "the {what} {} is {access} by other users (mode {:04o}); refusing to use it",
                path.display(),
                mode & 0o7777
            ))
            .with_hint(format!("chmod {wanted} {}", path.display())))
        }
    }
}

#[cfg(unix)]
fn mode_of(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map_or(0, |m| m.permissions().mode())
}

#[cfg(not(unix))]
fn mode_of(_path: &Path) -> u32 {
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store_in(home: &Path) -> FileStore {
        FileStore::new(&Paths::under(home), false)
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        mode_of(path) & 0o777
    }

    #[cfg(unix)]
    fn chmod(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn round_trip_delete_and_layout() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        assert_eq!(store.kind(), StoreKind::File);
        store.check().unwrap();
        assert!(store.get("work:token").unwrap().is_none());
        assert!(!store.delete("work:token").unwrap());
        assert!(!store.path().exists(), "deleting nothing writes nothing");

        store.set("work:token", &Secret::from("tok_1")).unwrap();
        store.set("work:token", &Secret::from("tok_2")).unwrap();
        store.set("operator:demo", &Secret::from("key")).unwrap();
        assert_eq!(store.get("work:token").unwrap().unwrap().expose(), "tok_2");

        let on_disk: serde_json::Value =
            serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(
            on_disk,
            serde_json::json!({"version": 1, "secrets": {"work:token": "tok_2", "operator:demo": "key"}})
        );

        assert!(store.delete("work:token").unwrap());
        assert!(!store.delete("work:token").unwrap());
        assert!(store.get("work:token").unwrap().is_none());
        assert_eq!(store.get("operator:demo").unwrap().unwrap().expose(), "key");
        assert_eq!(store.path(), Paths::under(home.path()).secrets_file());
    }

    #[cfg(unix)]
    #[test]
    fn file_is_0600_in_a_0700_dir() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:jwt", &Secret::from("eyJ")).unwrap();
        assert_eq!(mode(store.path()), 0o600);
        assert_eq!(mode(store.path().parent().unwrap()), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_readable_by_others_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:jwt", &Secret::from("eyJ")).unwrap();
        chmod(store.path(), 0o644);

        let err = store.get("p:jwt").unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::Store);
        assert!(
            err.message
                .contains("is readable by other users (mode 0644)"),
            "{}",
            err.message
        );
        assert_eq!(
            err.hint.as_deref(),
            Some(format!("chmod 600 {}", store.path().display()).as_str())
        );
        assert!(store.set("p:jwt", &Secret::from("x")).is_err());
        assert!(store.delete("p:jwt").is_err());
        assert!(store.check().is_err());
        assert_eq!(mode(store.path()), 0o644, "refused, not silently fixed");

        chmod(store.path(), 0o620);
        let err = store.get("p:jwt").unwrap_err();
        assert!(
            err.message.contains("writable by other users (mode 0620)"),
            "{}",
            err.message
        );

        chmod(store.path(), 0o600);
        assert_eq!(store.get("p:jwt").unwrap().unwrap().expose(), "eyJ");
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_open_to_others_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:jwt", &Secret::from("eyJ")).unwrap();
        let dir = store.path().parent().unwrap().to_path_buf();
        chmod(&dir, 0o755);
        let err = store.check().unwrap_err();
        assert!(
            err.message.contains("directory holding the file store"),
            "{}",
            err.message
        );
        assert!(err.message.contains("(mode 0755)"), "{}", err.message);
        assert_eq!(err.hint.unwrap(), format!("chmod 700 {}", dir.display()));
        chmod(&dir, 0o700);
        store.check().unwrap();
    }

    #[test]
    fn a_corrupt_file_is_reported_and_never_overwritten() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:token", &Secret::from("tok_keep")).unwrap();
        // A value of the wrong type: serde_json would quote it in its message.
        let bad = br#"{"version":1,"secrets":["tok_leaky_value"]}"#;
        fsutil::write_private(store.path(), bad).unwrap();

        for err in [
            store.get("p:token").unwrap_err(),
            store.set("p:other", &Secret::from("x")).unwrap_err(),
            store.check().unwrap_err(),
        ] {
            assert_eq!(err.exit_code(), 7);
            assert!(
                err.message.contains("does not have the expected layout"),
                "{}",
                err.message
            );
            assert!(!err.message.contains("tok_leaky_value"), "{}", err.message);
            assert!(err.hint.unwrap().contains(".bad"));
        }
        assert_eq!(std::fs::read(store.path()).unwrap(), bad);

        fsutil::write_private(store.path(), b"{\"version\":1,").unwrap();
        assert!(
            store
                .get("p:token")
                .unwrap_err()
                .message
                .contains("is truncated")
        );
        fsutil::write_private(store.path(), b"not json").unwrap();
        assert!(
            store
                .get("p:token")
                .unwrap_err()
                .message
                .contains("is not valid JSON")
        );
        fsutil::write_private(store.path(), br#"{"version":2,"secrets":{}}"#).unwrap();
        assert!(
            store
                .get("p:token")
                .unwrap_err()
                .message
                .contains("format version 2")
        );
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let home = tempfile::tempdir().unwrap();
        let threads = 8;
        let per_thread = 15;
        std::thread::scope(|scope| {
            for t in 0..threads {
                let home = home.path();
                scope.spawn(move || {
                    // Each thread has its own store value, as separate processes would.
                    let store = store_in(home);
                    for i in 0..per_thread {
                        let value = Secret::new(format!("value-{t}-{i}"));
                        store.set(&format!("p{t}:k{i}"), &value).unwrap();
                    }
                });
            }
        });
        let store = store_in(home.path());
        for t in 0..threads {
            for i in 0..per_thread {
                let got = store.get(&format!("p{t}:k{i}")).unwrap();
                assert_eq!(got.unwrap().expose(), &format!("value-{t}-{i}"));
            }
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:token", &Secret::from("tok_hidden")).unwrap();
        let shown = format!("{store:?} {:?}", store.get("p:token").unwrap());
        assert!(!shown.contains("tok_hidden"), "{shown}");
    }
}
