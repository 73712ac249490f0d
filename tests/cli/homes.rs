//! Shared or loose homes, as two local users who are not root: a home, config file or lock
//! directory that another user can change is refused (it decides where secrets are sent),
//! lock files are never followed through a symlink, and `doctor` says which path and why.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::{Home, Run, finish};

const VICTIM: u32 = 1000;
const ATTACKER: u32 = 65534;

/// A directory every user can create entries in, like /tmp (sticky: nobody renames or
/// removes what is not theirs).
fn scratch() -> tempfile::TempDir {
    assert!(
        rustix_euid_is_root(),
        "these tests act as two non-root users with setpriv, which needs root (CI runs as root)"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    dir
}

fn rustix_euid_is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `agentcred ARGS` as `uid`, with its state in `home`.
fn run_as(uid: u32, home: &Path, args: &[&str]) -> Run {
    let inner = Home::new().command(args);
    let mut cmd = Command::new("setpriv");
    // The binary, copied where other users can run it if the checkout is not (root's home).
    cmd.arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        .arg(crate::isolate::bin())
        .args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.env("AGENTCRED_HOME", home)
        .env("AGENTCRED_STORE", "file")
        .env("HOME", home);
    let out = cmd.stdin(Stdio::null()).output().expect("setpriv runs");
    finish(out)
}

/// A shell command as `uid`.
fn sh_as(uid: u32, script: &str) {
    let status = Command::new("setpriv")
        .args([
            &format!("--reuid={uid}"),
            &format!("--regid={uid}"),
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .status()
        .unwrap();
    assert!(status.success(), "{script}");
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn register(home: &Path) -> Run {
    run_as(
        VICTIM,
        home,
        &[
            "--sandbox",
            "--profile",
            "fr",
            "register",
            "fluxra",
            "--name",
            "victim-work",
        ],
    )
}

#[test]
fn a_home_another_user_made_or_can_write_is_refused_before_anything_is_stored() {
    let scratch = scratch();
    // The attacker prepares a "shared" home that everyone may write.
    let shared = scratch.path().join("shared-home");
    sh_as(
        ATTACKER,
        &format!("mkdir -m 0777 {0} && chmod 0777 {0}", shared.display()),
    );
    let run = register(&shared).code(2);
    assert!(
        run.stderr.contains(&format!("belongs to uid {ATTACKER}")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("AGENTCRED_HOME"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_dir(&shared).unwrap().count(),
        0,
        "nothing was written"
    );

    // A home of the victim's own that has become writable by everyone: refused too.
    let mine = scratch.path().join("victim-home");
    register(&mine).ok();
    chmod(&mine, 0o777);
    let run = run_as(VICTIM, &mine, &["--profile", "fr", "status"]).code(2);
    assert!(
        run.stderr.contains("writable by all users (mode 0777)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("chmod go-w {}", mine.display())),
        "{}",
        run.stderr
    );

    // doctor names it (and runs at all, to say so).
    let doctor = run_as(VICTIM, &mine, &["--json", "doctor"]).code(2);
    let view: serde_json::Value = serde_json::from_str(&doctor.stdout).unwrap();
    let finding = view["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "ownership")
        .unwrap_or_else(|| panic!("no ownership finding: {view}"));
    assert_eq!(finding["ok"], false, "{finding}");
    assert!(
        finding["fix"].as_str().unwrap().contains("chmod go-w"),
        "{finding}"
    );
    chmod(&mine, 0o700);
    run_as(VICTIM, &mine, &["--profile", "fr", "status"]).ok();
    let doctor = run_as(VICTIM, &mine, &["--json", "doctor"]);
    assert!(doctor.stdout.contains("\"ownership\""), "{}", doctor.stdout);

    // A config file (which says where secrets go) or a lock directory others may write.
    let config = mine.join("config.toml");
    chmod(&config, 0o666);
    let run = run_as(VICTIM, &mine, &["--profile", "fr", "status"]).code(2);
    assert!(run.stderr.contains("the config file"), "{}", run.stderr);
    chmod(&config, 0o600);
    chmod(&mine.join("locks"), 0o777);
    let run = run_as(VICTIM, &mine, &["--profile", "fr", "status"]).code(2);
    assert!(run.stderr.contains("the lock directory"), "{}", run.stderr);
    chmod(&mine.join("locks"), 0o700);
}

#[test]
fn a_lock_file_that_is_a_symlink_or_not_ones_own_is_never_used() {
    let scratch = scratch();
    let mine = scratch.path().join("victim-home");
    register(&mine).ok();
    // A symlink at the config lock's name (planted before the home was tightened, or by the
    // user by mistake) must not make agentcred create or lock the file it points to.
    let target = mine.join("created-through-the-lock");
    let lock = mine.join("locks/config.lock");
    std::fs::remove_file(&lock).unwrap();
    sh_as(
        VICTIM,
        &format!("ln -s {} {}", target.display(), lock.display()),
    );
    let run = run_as(VICTIM, &mine, &["profiles", "use", "fr"]).code(2);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert!(run.stderr.contains("config.lock"), "{}", run.stderr);
    assert!(!target.exists(), "the symlink was followed");

    // A lock file of another user's that anyone may open.
    std::fs::remove_file(&lock).unwrap();
    std::fs::write(&lock, "").unwrap();
    std::os::unix::fs::chown(&lock, Some(ATTACKER), Some(ATTACKER)).unwrap();
    chmod(&lock, 0o666);
    let run = run_as(VICTIM, &mine, &["profiles", "use", "fr"]).code(2);
    assert!(
        run.stderr.contains(&format!("belongs to uid {ATTACKER}")),
        "{}",
        run.stderr
    );
    std::fs::remove_file(&lock).unwrap();
    run_as(VICTIM, &mine, &["profiles", "use", "fr"]).ok();
}
