//! Who may change agentcred's local state: the home, the config file and the profile files
//! (which decide where secrets are sent), the data directory and the lock directory must be
//! the user's own.
//!
//! Rules, as ssh applies them to `~/.ssh` (unix only; elsewhere nothing is checked):
//! - each of those directories and the config file, where it exists, is owned by the user
//!   (or root) and not writable by group or others;
//! - every directory above them, up to `/`, is owned by the user or root and not writable by
//!   group or others, unless it has the sticky bit (like `/tmp`, where others cannot rename
//!   or remove what is not theirs);
//! - a directory that does not exist yet is judged by the chain it will be created in.
//!
//! Anything else is refused (exit 2) before a command reads the config, naming the path, its
//! owner or mode, and the fix; `doctor` reports the same findings.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths::Paths;

/// A home that cannot be one (AGENTCRED_HOME naming a file), or that another user could
/// change (the rules above), is a local problem, named as such before anything tries
/// to lock or write in it ("another process holds the lock" would mislead). `doctor`
/// skips this to report it among its findings.
pub fn check_home(paths: &Paths) -> Result<()> {
    let home = &paths.config_dir;
    if home.exists() && !home.is_dir() {
        let via = if std::env::var_os("AGENTCRED_HOME").is_some() {
            "AGENTCRED_HOME is"
        } else {
            "the config directory is"
        };
        return Err(Error::usage(format!(
            "{via} {}, which is not a directory",
            home.display()
        ))
        .with_hint("point AGENTCRED_HOME at a directory (it is created if missing), or unset it"));
    }
    // A home another user can change is one where they decide where secrets go.
    check(paths)
}

/// The problem with `paths`, if any: the first path that others could change.
pub fn check(paths: &Paths) -> Result<()> {
    for (what, path) in watched(paths) {
        check_path(what, &path)?;
    }
    Ok(())
}

/// Each checked path with its finding, for `doctor`.
pub fn report(paths: &Paths) -> Result<String> {
    check(paths)?;
    Ok(format!(
        "{}, its config, data and lock directories and the directories above them are yours and writable by nobody else",
        paths.config_dir.display()
    ))
}

fn watched(paths: &Paths) -> Vec<(&'static str, PathBuf)> {
    vec![
        ("the agentcred home", paths.config_dir.clone()),
        ("the config file", paths.config_file()),
        ("the profiles directory", paths.config_dir.join("profiles")),
        ("the data directory", paths.data_dir.clone()),
        ("the lock directory", paths.lock_dir.clone()),
    ]
}

/// The rules for one file in a directory [`check`] watches (a profile's file, read on its
/// own): the file itself, not the directories above it again.
pub fn check_file(what: &str, path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = std::fs::metadata(path) else {
            return Ok(());
        };
        let me = rustix::process::geteuid().as_raw();
        let shown = path.display();
        if meta.uid() != me && meta.uid() != 0 {
            return Err(Error::usage(format!(
                "{what} {shown} belongs to uid {}, not to you (uid {me}); another user could change where agentcred sends secrets",
                meta.uid()
            ))
            .with_hint(format!("remove it, or `chown {me} {shown}` if it is yours")));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(Error::usage(format!(
                "{what} {shown} is writable by {} (mode {:04o}); another user could change where agentcred sends secrets",
                if meta.mode() & 0o002 != 0 { "all users" } else { "its group" },
                meta.mode() & 0o7777
            ))
            .with_hint(format!("chmod go-w {shown}")));
        }
    }
    #[cfg(not(unix))]
    let _ = (what, path);
    Ok(())
}

#[cfg(unix)]
fn check_path(what: &str, path: &Path) -> Result<()> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    // The path itself where it exists, then every directory above it.
    let mut own = true;
    for at in path.ancestors() {
        let Ok(meta) = std::fs::metadata(at) else {
            // Not there yet: it will be created inside what is above it.
            own = false;
            continue;
        };
        let (uid, mode) = (meta.uid(), meta.mode());
        let shown = at.display();
        let whose = if own {
            what.to_owned()
        } else {
            format!("{shown}, a directory above {what},")
        };
        let what_path = if own {
            format!("{what} {shown}")
        } else {
            whose.clone()
        };
        if uid != me && uid != 0 {
            return Err(Error::usage(format!(
                "{what_path} belongs to uid {uid}, not to you (uid {me}); another user could change where agentcred sends secrets"
            ))
            .with_hint(format!(
                "use a home of your own (AGENTCRED_HOME=DIR in a directory only you can write), or `chown {me} {shown}` if it is yours"
            )));
        }
        let sticky = meta.is_dir() && mode & 0o1000 != 0;
        if mode & 0o022 != 0 && (own || !sticky) {
            return Err(Error::usage(format!(
                "{what_path} is writable by {} (mode {:04o}); another user could change where agentcred sends secrets",
                if mode & 0o002 != 0 { "all users" } else { "its group" },
                mode & 0o7777
            ))
            .with_hint(format!("chmod go-w {shown}")));
        }
        own = false;
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_path(_what: &str, _path: &Path) -> Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn chmod(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }

    #[test]
    fn loose_homes_configs_and_parents_are_refused_sticky_parents_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let paths = Paths::under(&home);
        // Nothing exists yet: judged by the parents (a 0700 tempdir).
        check(&paths).unwrap();
        std::fs::create_dir_all(paths.lock_dir.clone()).unwrap();
        chmod(&home, 0o700);
        std::fs::write(paths.config_file(), "").unwrap();
        chmod(&paths.config_file(), 0o600);
        check(&paths).unwrap();

        chmod(&paths.config_file(), 0o666);
        let err = check(&paths).unwrap_err();
        assert!(err.message.contains("the config file"), "{}", err.message);
        assert!(err.message.contains("mode 0666"), "{}", err.message);
        assert_eq!(err.exit_code(), 2);
        chmod(&paths.config_file(), 0o644);

        chmod(&paths.lock_dir, 0o770);
        let err = check(&paths).unwrap_err();
        assert!(err.message.contains("lock directory"), "{}", err.message);
        assert!(err.hint.unwrap().contains("chmod go-w"));
        chmod(&paths.lock_dir, 0o700);

        // A parent writable by others: refused, unless it is sticky.
        chmod(dir.path(), 0o777);
        let err = check(&paths).unwrap_err();
        assert!(err.message.contains("a directory above"), "{}", err.message);
        chmod(dir.path(), 0o1777);
        check(&paths).unwrap();
        // A sticky home itself is still refused.
        chmod(&home, 0o1777);
        assert!(check(&paths).is_err());
        chmod(&home, 0o700);
    }
}
