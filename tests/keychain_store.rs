//! The keychain backend against a real Secret Service (gnome-keyring).
//!
//! Ignored by default, so plain `cargo test` never touches a real keychain. Run it inside a
//! throwaway keyring:
//!
//! ```sh
//! apt-get install -y gnome-keyring libsecret-tools dbus dbus-x11
//! scripts/with-keyring.sh cargo test --test keychain_store -- --ignored
//! ```
//!
//! `secret-tool` (libsecret) is the independent witness: items agentcred writes must be
//! found by `secret-tool lookup service agentcred username ACCOUNT`, and the other way round.
//! One test, in phases, because the keychain is process-wide state and the last phase
//! (a locked keyring) leaves it unusable for the rest of the process.
#![cfg(target_os = "linux")]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use agentcred::paths::Paths;
use agentcred::secret::Secret;
use agentcred::store::{self, StoreChoice, StoreKind};

struct Output {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// Run a helper tool, killing it if it has not finished within 10 s (a Secret Service client
/// can block on a prompt forever).
fn run(program: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{program}: {e} (see scripts/with-keyring.sh for packages)"));
    let mut pipe = child.stdin.take().unwrap();
    if let Some(input) = stdin {
        pipe.write_all(input.as_bytes()).unwrap();
    }
    drop(pipe);
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{program} {args:?} did not finish within 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Output {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn secret_tool(args: &[&str], stdin: Option<&str>) -> Output {
    run("secret-tool", args, stdin)
}

fn lookup(account: &str) -> Option<String> {
    let out = secret_tool(
        &["lookup", "service", "agentcred", "username", account],
        None,
    );
    out.ok.then_some(out.stdout)
}

/// How many items carry this account, and their `NAME = VALUE` attributes, sorted.
/// (secret-tool prints each item's header and secret on stdout but its attributes on stderr.)
fn items(account: &str) -> (usize, Vec<String>) {
    let out = secret_tool(
        &[
            "search",
            "--all",
            "service",
            "agentcred",
            "username",
            account,
        ],
        None,
    );
    let count = out.stdout.lines().filter(|l| l.starts_with('[')).count();
    let mut attributes: Vec<String> = out
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("attribute."))
        .map(str::to_owned)
        .collect();
    attributes.sort();
    (count, attributes)
}

#[test]
#[ignore = "needs a Secret Service: scripts/with-keyring.sh cargo test --test keychain_store -- --ignored"]
fn keychain_store_against_gnome_keyring() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
        "run me through scripts/with-keyring.sh"
    );
    let home = tempfile::tempdir().unwrap();
    let paths = Paths::under(home.path());
    let unique = format!(
        "kc{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    );
    let account = store::account(&unique, "token");
    let operator = store::operator_account(&unique);

    // auto picks the keychain when it answers.
    assert_eq!(
        store::resolve(StoreChoice::Auto, false, &paths).unwrap(),
        StoreKind::Keychain
    );
    let keychain = store::open(StoreKind::Keychain, &paths).unwrap();
    assert_eq!(keychain.kind(), StoreKind::Keychain);
    keychain.check().unwrap();

    // Not found is None / false, not an error.
    assert!(keychain.get(&account).unwrap().is_none());
    assert!(!keychain.delete(&account).unwrap());

    // Store, read back, and find it with secret-tool.
    keychain.set(&account, &Secret::from("tok_first")).unwrap();
    assert_eq!(
        keychain.get(&account).unwrap().unwrap().expose(),
        "tok_first"
    );
    assert_eq!(lookup(&account).as_deref(), Some("tok_first"));
    let (count, attributes) = items(&account);
    assert_eq!(count, 1);
    assert_eq!(
        attributes,
        [
            "service = agentcred".to_owned(),
            format!("username = {account}")
        ],
        "the item's Secret Service attributes"
    );

    // Replacing updates the one item instead of adding a second.
    keychain.set(&account, &Secret::from("tok_second")).unwrap();
    assert_eq!(lookup(&account).as_deref(), Some("tok_second"));
    assert_eq!(items(&account).0, 1);

    // Accounts are independent; operator credentials use operator:PROVIDER.
    keychain.set(&operator, &Secret::from("op_key")).unwrap();
    assert_eq!(lookup(&operator).as_deref(), Some("op_key"));
    assert_eq!(
        keychain.get(&account).unwrap().unwrap().expose(),
        "tok_second"
    );

    // An item written by another tool with the same attributes is read by agentcred.
    let external = store::account(&unique, "jwt");
    let stored = secret_tool(
        &[
            "store",
            "--label",
            "external",
            "service",
            "agentcred",
            "username",
            &external,
        ],
        Some("eyJ.external"),
    );
    assert!(stored.ok, "{}", stored.stderr);
    assert_eq!(
        keychain.get(&external).unwrap().unwrap().expose(),
        "eyJ.external"
    );

    // Delete removes exactly the one item.
    assert!(keychain.delete(&account).unwrap());
    assert!(keychain.get(&account).unwrap().is_none());
    assert_eq!(lookup(&account), None);
    assert!(!keychain.delete(&account).unwrap());
    assert_eq!(lookup(&operator).as_deref(), Some("op_key"));
    assert!(keychain.delete(&operator).unwrap());
    assert!(keychain.delete(&external).unwrap());
    assert_eq!(lookup(&external), None);

    // Last, because it leaves the keychain unusable for this process: with the login keyring
    // locked (and no one to answer an unlock prompt), check() refuses with exit 7 and reads
    // fail within the 3 s limit instead of hanging.
    keychain.set(&account, &Secret::from("tok_locked")).unwrap();
    // (`secret-tool lock --collection=...` hangs on a GLib assertion, so call Lock directly.)
    let locked = run(
        "dbus-send",
        &[
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.secrets",
            "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login",
        ],
        None,
    );
    assert!(locked.ok, "locking the login keyring: {}", locked.stderr);

    let started = Instant::now();
    let err = keychain.check().unwrap_err();
    eprintln!(
        "check() on a locked keyring after {:?}: {}",
        started.elapsed(),
        err.message
    );
    assert_eq!(err.exit_code(), 7);
    assert!(err.message.contains("locked"), "{}", err.message);
    assert!(err.hint.unwrap().contains("--store file"));
    assert!(started.elapsed() < Duration::from_millis(3500));

    let err = store::resolve(StoreChoice::Auto, false, &paths).unwrap_err();
    assert_eq!(err.exit_code(), 7);
    assert!(
        err.message
            .starts_with("--store auto found no usable keychain"),
        "{}",
        err.message
    );

    let started = Instant::now();
    let err = keychain.get(&account).unwrap_err();
    eprintln!(
        "get() on a locked item after {:?}: {}",
        started.elapsed(),
        err.message
    );
    assert_eq!(err.exit_code(), 7);
    assert!(!err.message.contains("tok_locked"));
    assert!(started.elapsed() < Duration::from_millis(3500));
}
