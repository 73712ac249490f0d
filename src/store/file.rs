//! The file backend: private JSON documents, one per profile.
//!
//! Layout: the secrets of a profile `P` (accounts `P:KIND`, see [`super::account`]) are in
//! `DATA_DIR/secrets/P.json`, `{"version":1,"secrets":{"P:KIND":"value",...}}`, mode 0600 in
//! 0700 directories; operator credentials (`operator:PROVIDER`) likewise in `operator.json`.
//! So reading or writing one profile's secrets costs the same however many profiles the home
//! holds. Writers take the one cross-process lock `LOCK_DIR/secrets.lock` for every
//! read-modify-write, because several agentcred processes (agents running in parallel, each
//! with its own `--profile`) update the store at once; each file is replaced atomically
//! (temp file, fsync, rename), so readers need no lock and never see half a file.
//!
//! Earlier releases kept every secret in one document at [`Paths::secrets_file`]
//! (`DATA_DIR/secrets.json`, same format). It is still read, and wins over a profile's file
//! (an older release may have written it since), until the first write moves its secrets
//! into the per-profile files and removes it: the files are written first, so a crash
//! leaves every secret in at least one place, and the next write finishes the move. An
//! account whose prefix cannot be a file name (none that agentcred makes) stays in it.
//!
//! A file is refused, never repaired: a file or directory open to group or others may
//! already have leaked, and a file that does not parse may hold the only copy of a one-time
//! secret, so both are reported with the command that fixes them and left as they are.

use std::collections::BTreeMap;
use std::io::ErrorKind as IoKind;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SecretStore, StoreKind, WriteFault};
use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;
use crate::secret::Secret;

const FORMAT_VERSION: u32 = 1;

/// Long enough to queue behind many concurrent writers, each of which holds the lock for a
/// read, a small write and an fsync.
const LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// Secrets in private JSON files.
#[derive(Debug, Clone)]
pub struct FileStore {
    /// The one document of earlier releases (see the module doc).
    path: PathBuf,
    /// The directory of the per-profile documents.
    dir: PathBuf,
    lock_path: PathBuf,
    fault_write: WriteFault,
}

/// A document on disk. No `Debug`: it holds secret values.
#[derive(Serialize, Deserialize, Default, schemars::JsonSchema)]
struct Document {
    version: u32,
    secrets: BTreeMap<String, String>,
}

impl FileStore {
    pub(crate) fn new(paths: &Paths, fault_write: WriteFault) -> FileStore {
        let path = paths.secrets_file();
        FileStore {
            dir: path.with_file_name("secrets"),
            path,
            lock_path: paths.lock_dir.join("secrets.lock"),
            fault_write,
        }
    }

    /// The single file of earlier releases; the store's files are in [`FileStore::dir`].
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory of the per-profile files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn data_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The file that keeps `account` (or every account of the profile `account`): its
    /// profile's, or the shared one for an account whose prefix cannot be a file name.
    pub fn file_of(&self, account: &str) -> PathBuf {
        let prefix = account.split(':').next().unwrap_or_default();
        let plain = !prefix.is_empty()
            && prefix.len() <= 64
            && !prefix.starts_with('.')
            && prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if plain {
            self.dir.join(format!("{prefix}.json"))
        } else {
            self.path.clone()
        }
    }

    /// The document at `path`; `None` when the file does not exist.
    fn load(&self, path: &Path) -> Result<Option<Document>> {
        for dir in [self.data_dir(), self.dir.as_path()] {
            if let Ok(meta) = std::fs::metadata(dir)
                && !meta.is_dir()
            {
                let dir = dir.display();
                return Err(Error::store(format!(
                    "{dir}, where the file store lives, is {}, not a directory",
                    fsutil::file_type_name(&meta)
                ))
                .with_hint(format!(
                    "move it aside (`mv {dir} {dir}.bad`); agentcred creates the directory, private, on first use"
                )));
            }
        }
        refuse_if_loose(self.data_dir(), "directory holding the file store", "700")?;
        if path.parent() == Some(self.dir.as_path()) {
            refuse_if_loose(&self.dir, "directory holding the file store", "700")?;
        }
        let bytes = match fsutil::read_regular(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == IoKind::NotFound => return Ok(None),
            Err(e) if e.kind() == IoKind::InvalidInput => {
                let path = path.display();
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
                    path.display()
                ))
                .with_hint(
                    "check the file's owner and permissions (it must be yours, mode 0600)",
                ));
            }
        };
        refuse_if_loose(path, "file store", "600")?;
        if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            // An editor's byte-order mark: the JSON after it may be fine, but it is not ours to
            // rewrite, and "not valid JSON at column 1" would not say why.
            let path = path.display();
            return Err(Error::store(format!(
                "the file store {path} starts with a UTF-8 byte-order mark (an editor added it); it was left untouched"
            ))
            .with_hint(format!(
                "remove the first three bytes (`sed -i '1s/^\\xEF\\xBB\\xBF//' {path}`), or save it again without a BOM"
            )));
        }
        let document: Document = serde_json::from_slice(&bytes).map_err(|e| corrupt(path, &e))?;
        if document.version != FORMAT_VERSION {
            return Err(Error::store(format!(
                "the file store {} has format version {}, which this agentcred does not know \
                 (it reads version {FORMAT_VERSION})",
                path.display(),
                document.version
            ))
            .with_hint("use the agentcred release that wrote it, or upgrade agentcred"));
        }
        Ok(Some(document))
    }

    fn write(&self, path: &Path, document: &Document) -> Result<()> {
        let failed = |e: std::io::Error| {
            Error::store(format!(
                "cannot write the file store {}: {e}",
                path.display()
            ))
            .with_hint("check free space and the permissions of its directory")
        };
        if document.secrets.is_empty() {
            return match std::fs::remove_file(path) {
                Err(e) if e.kind() != IoKind::NotFound => Err(failed(e)),
                _ => Ok(()),
            };
        }
        let mut bytes = serde_json::to_vec_pretty(document)
            .map_err(|e| Error::internal(format!("cannot encode the file store: {e}")))?;
        bytes.push(b'\n');
        fsutil::write_private(path, &bytes).map_err(failed)
    }

    /// Move the secrets of the single file of earlier releases into the per-profile files
    /// (the lock is held). The files first, then the single file, so a crash loses nothing.
    fn move_single_file(&self) -> Result<()> {
        let Some(single) = self.load(&self.path)? else {
            return Ok(());
        };
        let mut by_file: BTreeMap<PathBuf, Vec<(String, String)>> = BTreeMap::new();
        for (account, value) in single.secrets {
            by_file
                .entry(self.file_of(&account))
                .or_default()
                .push((account, value));
        }
        let kept = by_file.remove(&self.path).unwrap_or_default();
        for (path, secrets) in by_file {
            let mut document = self.load(&path)?.unwrap_or_else(empty);
            document.secrets.extend(secrets);
            self.write(&path, &document)?;
        }
        let mut rest = empty();
        rest.secrets.extend(kept);
        self.write(&self.path, &rest)
    }

    /// Read, change and write the file of `account` under the cross-process lock.
    fn update<T>(&self, account: &str, change: impl FnOnce(&mut Document) -> T) -> Result<T> {
        let _lock = FileLock::acquire(&self.lock_path, LOCK_TIMEOUT).map_err(|e| {
            Error::store(format!(
                "cannot lock the file store ({}): {e}",
                self.lock_path.display()
            ))
            .with_hint(
                "another agentcred process may be stuck holding it; retry, or end that process",
            )
        })?;
        self.move_single_file()?;
        let path = self.file_of(account);
        let mut document = self.load(&path)?.unwrap_or_else(empty);
        let out = change(&mut document);
        self.write(&path, &document)?;
        Ok(out)
    }

    /// Every per-profile file.
    fn files(&self) -> Result<Vec<PathBuf>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == IoKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(Error::store(format!(
                    "cannot list the file store {}: {e}",
                    self.dir.display()
                )));
            }
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            // Temp files of a write in progress start with a dot.
            if name.ends_with(".json") && !name.starts_with('.') {
                files.push(entry.path());
            }
        }
        files.sort();
        Ok(files)
    }

    /// For `doctor`: every file private and readable, nothing written. Returns what was found.
    pub fn inspect(&self) -> Result<String> {
        let mut count = 0;
        for path in std::iter::once(self.path.clone()).chain(self.files()?) {
            count += usize::from(self.load(&path)?.is_some());
        }
        refuse_if_loose(&self.dir, "directory holding the file store", "700")?;
        let dir = self.dir.display();
        Ok(match count {
            0 => format!("{dir} does not exist yet (it is created, private, on first use)"),
            n => format!(
                "{dir}: {n} file{} private (0600 in 0700 directories) and readable",
                if n == 1 { "" } else { "s" }
            ),
        })
    }

    fn lookup(&self, account: &str) -> Result<Option<String>> {
        // The single file wins while it exists: only an older release writes it now.
        if let Some(mut single) = self.load(&self.path)?
            && let Some(value) = single.secrets.remove(account)
        {
            return Ok(Some(value));
        }
        let path = self.file_of(account);
        if path == self.path {
            return Ok(None);
        }
        Ok(self
            .load(&path)?
            .and_then(|mut document| document.secrets.remove(account)))
    }
}

fn empty() -> Document {
    Document {
        version: FORMAT_VERSION,
        secrets: BTreeMap::new(),
    }
}

/// serde_json's message can quote the offending value, which may be a secret, so only its
/// category and position are reported.
fn corrupt(path: &Path, e: &serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Data => "does not have the expected layout",
        serde_json::error::Category::Eof => "is truncated",
        _ => "is not valid JSON",
    };
    let path = path.display();
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

impl SecretStore for FileStore {
    fn files_of(&self, profile: &str) -> Vec<PathBuf> {
        // The file of earlier releases wins while it exists, so it is watched too.
        vec![
            self.file_of(&super::account(profile, "")),
            self.path.clone(),
        ]
    }

    fn kind(&self) -> StoreKind {
        StoreKind::File
    }

    fn get(&self, account: &str) -> Result<Option<Secret<String>>> {
        Ok(self.lookup(account)?.map(Secret::new))
    }

    fn set(&self, account: &str, value: &Secret<String>) -> Result<()> {
        self.fault_write.before_write()?;
        self.update(account, |doc| {
            doc.secrets
                .insert(account.to_owned(), value.expose().clone());
        })
    }

    fn delete(&self, account: &str) -> Result<bool> {
        // Don't create a file (or take the lock) just to delete nothing.
        if self.lookup(account)?.is_none() {
            return Ok(false);
        }
        self.update(account, |doc| doc.secrets.remove(account).is_some())
    }

    fn check(&self) -> Result<()> {
        for dir in [self.data_dir(), &self.dir] {
            fsutil::create_private_dir(dir).map_err(|e| {
                Error::store(format!(
                    "cannot create the file store directory {}: {e}",
                    dir.display()
                ))
                .with_hint(
                    "set AGENTCRED_HOME=DIR to keep agentcred's state in a directory you can write",
                )
            })?;
        }
        refuse_if_loose(&self.dir, "directory holding the file store", "700")?;
        self.load(&self.path)?;
        // A file open to others may have leaked already: the store is refused, as a whole,
        // until it is fixed (a look at each file's mode, not a read).
        for path in self.files()? {
            refuse_if_loose(&path, "file store", "600")?;
        }
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
        FileStore::new(&Paths::under(home), WriteFault::None)
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
        assert!(
            !store.file_of("work:token").exists(),
            "deleting nothing writes nothing"
        );

        store.set("work:token", &Secret::from("tok_1")).unwrap();
        store.set("work:token", &Secret::from("tok_2")).unwrap();
        store.set("operator:demo", &Secret::from("key")).unwrap();
        assert_eq!(store.get("work:token").unwrap().unwrap().expose(), "tok_2");

        let on_disk = |path: PathBuf| -> serde_json::Value {
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
        };
        let work = home.path().join("data/secrets/work.json");
        assert_eq!(store.file_of("work:token"), work);
        assert_eq!(
            on_disk(work.clone()),
            serde_json::json!({"version": 1, "secrets": {"work:token": "tok_2"}})
        );
        assert_eq!(
            on_disk(home.path().join("data/secrets/operator.json")),
            serde_json::json!({"version": 1, "secrets": {"operator:demo": "key"}})
        );
        assert!(
            !store.path().exists(),
            "the single file of earlier releases is not made"
        );

        assert!(store.delete("work:token").unwrap());
        assert!(!store.delete("work:token").unwrap());
        assert!(store.get("work:token").unwrap().is_none());
        assert!(
            !work.exists(),
            "a profile's last secret takes its file with it"
        );
        assert_eq!(store.get("operator:demo").unwrap().unwrap().expose(), "key");
        assert_eq!(store.path(), Paths::under(home.path()).secrets_file());
    }

    #[cfg(unix)]
    #[test]
    fn file_is_0600_in_a_0700_dir() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:jwt", &Secret::from("eyJ")).unwrap();
        assert_eq!(mode(&store.file_of("p:jwt")), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
        assert_eq!(mode(store.path().parent().unwrap()), 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn a_file_readable_by_others_is_refused() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("p:jwt", &Secret::from("eyJ")).unwrap();
        let file = store.file_of("p:jwt");
        chmod(&file, 0o644);

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
            Some(format!("chmod 600 {}", file.display()).as_str())
        );
        assert!(store.set("p:jwt", &Secret::from("x")).is_err());
        assert!(store.delete("p:jwt").is_err());
        assert_eq!(mode(&file), 0o644, "refused, not silently fixed");

        chmod(&file, 0o620);
        let err = store.get("p:jwt").unwrap_err();
        assert!(
            err.message.contains("writable by other users (mode 0620)"),
            "{}",
            err.message
        );

        chmod(&file, 0o600);
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
    fn the_single_file_of_earlier_releases_is_read_then_moved_by_the_first_write() {
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        let single = br#"{"version":1,"secrets":{"a:jwt":"j1","a:token":"t1","b:token":"t2","operator:fluxra":"k","we/ird:x":"x"}}"#;
        fsutil::write_private(store.path(), single).unwrap();
        assert_eq!(store.get("a:jwt").unwrap().unwrap().expose(), "j1");
        assert_eq!(store.get("we/ird:x").unwrap().unwrap().expose(), "x");
        assert_eq!(
            std::fs::read(store.path()).unwrap(),
            single,
            "reading changes nothing"
        );

        store.set("c:token", &Secret::from("t3")).unwrap();
        for (account, value) in [
            ("a:jwt", "j1"),
            ("a:token", "t1"),
            ("b:token", "t2"),
            ("c:token", "t3"),
            ("operator:fluxra", "k"),
            ("we/ird:x", "x"),
        ] {
            assert_eq!(store.get(account).unwrap().unwrap().expose(), value);
        }
        assert!(store.file_of("a:jwt").exists() && store.file_of("b:token").exists());
        let left: serde_json::Value =
            serde_json::from_slice(&std::fs::read(store.path()).unwrap()).unwrap();
        assert_eq!(
            left,
            serde_json::json!({"version": 1, "secrets": {"we/ird:x": "x"}}),
            "only what cannot have a file of its own stays"
        );
        assert!(store.delete("a:token").unwrap());
        assert!(store.get("a:token").unwrap().is_none());
        assert_eq!(store.get("a:jwt").unwrap().unwrap().expose(), "j1");
    }

    #[test]
    fn the_single_file_wins_over_a_profile_file_until_it_is_moved() {
        // A move stopped by a crash, or an older release writing the single file again.
        let home = tempfile::tempdir().unwrap();
        let store = store_in(home.path());
        store.set("a:token", &Secret::from("old")).unwrap();
        fsutil::write_private(
            store.path(),
            br#"{"version":1,"secrets":{"a:token":"new"}}"#,
        )
        .unwrap();
        assert_eq!(store.get("a:token").unwrap().unwrap().expose(), "new");
        store.set("a:jwt", &Secret::from("j")).unwrap();
        assert!(!store.path().exists());
        assert_eq!(store.get("a:token").unwrap().unwrap().expose(), "new");
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
