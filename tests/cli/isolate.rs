//! `exec --isolate` tried as an attacker would: a hostile child of `exec --isolate --gateway`,
//! run as a non-root user (root passes checks a user would not), tries every route to a stored
//! credential it can think of: the store and config by path, by `..` and by `/proc` tricks,
//! every readable file of the home, the session bus by path and by abstract name, the keyring
//! directory, `~/.vault-token` and the vault/operator variables, `agentcred` itself, the
//! parent's `/proc/PID/{environ,mem,cmdline}`, `ptrace` and signals to it, the environment of
//! another process of the user's, and undoing the isolation (`umount`, a new namespace,
//! `nsenter`). Every route must fail and no stored value may appear in anything it writes out,
//! while its requests through the gateway keep working across several 2-second JWT lifetimes. The same child without `--isolate` succeeds at
//! several routes, which shows the probes can find a secret. Also: a kernel without user
//! namespaces (a throw-away namespace with `user.max_user_namespaces=0`) is refused with
//! `isolation_unavailable` and the command is not started; `--isolate=best-effort` starts it
//! and reports what was applied.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::{BIN, Bao, Home, Run, Server, finish};

/// The user the attacker runs as when the tests run as root.
const USER: u32 = 1000;

const HOSTILE: &str = r#"
import ctypes, json, os, shutil, signal, socket, subprocess, sys, time, urllib.request, urllib.error

args = json.loads(sys.argv[1])
ppid = os.getppid()
out = {}

def probe(name, fn):
    try:
        got = fn()
        out[name] = {"ok": True, "got": got if isinstance(got, str) else repr(got)}
    except BaseException as e:
        out[name] = {"ok": False, "got": repr(e)}

def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        raise OSError("empty")
    return data.decode("utf-8", "replace")

def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, timeout=60, env=env)
    text = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    if p.returncode != 0:
        raise RuntimeError(f"exit {p.returncode}: {text}")
    return text

for path in args["files"]:
    d, b = os.path.dirname(path), os.path.basename(path)
    probe("read:" + path, lambda p=path: read(p))
    probe("dotdot:" + path, lambda d=d, b=b: read(os.path.join(d, "..", os.path.basename(d), b)))
    probe("cwd:" + path, lambda p=path: (os.chdir("/"), read("/proc/self/cwd" + p))[1])
    probe("parent-root:" + path, lambda p=path: read(f"/proc/{ppid}/root" + p))
    probe("self-root:" + path, lambda p=path: read("/proc/self/root" + p))

def walk(root):
    found = []
    for dirpath, dirs, files in os.walk(root):
        for f in files:
            p = os.path.join(dirpath, f)
            try:
                found.append(p + "=" + read(p)[:200000])
            except Exception:
                pass
    return "\n".join(found)

for root in args["roots"]:
    probe("find:" + root, lambda r=root: walk(r))

probe("env", lambda: json.dumps(dict(os.environ)))
probe("parent-environ", lambda: read(f"/proc/{ppid}/environ"))
for pid in args.get("others", []):
    probe(f"other-environ:{pid}", lambda pid=pid: read(f"/proc/{pid}/environ"))
probe("parent-cmdline", lambda: read(f"/proc/{ppid}/cmdline"))

def mem():
    chunks = []
    with open(f"/proc/{ppid}/mem", "rb") as m:
        for line in read(f"/proc/{ppid}/maps").splitlines():
            fields = line.split()
            if "r" not in fields[1] or (len(fields) > 5 and fields[5].startswith("/")):
                continue
            a, b = [int(x, 16) for x in fields[0].split("-")]
            try:
                m.seek(a)
                chunks.append(m.read(min(b - a, 64 << 20)))
            except OSError:
                pass
    data = b"".join(chunks)
    if not data:
        raise OSError("nothing readable")
    with open(args["out"] + ".mem", "wb") as f:
        f.write(data)
    return f"{len(data)} bytes"
probe("parent-mem", mem)

def ptrace():
    libc = ctypes.CDLL(None, use_errno=True)
    # PTRACE_SEIZE: attach without stopping the gateway (released when this process exits).
    if libc.ptrace(0x4206, ppid, None, None) != 0:
        raise OSError(ctypes.get_errno(), "ptrace")
    return "attached"
probe("ptrace", ptrace)
probe("signal-parent-0", lambda: os.kill(ppid, 0))
probe("signal-parent-winch", lambda: os.kill(ppid, signal.SIGWINCH))

def connect(addr):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(addr)
    # A D-Bus server waits for the client: speak first, as a client would.
    uid = "".join("%02x" % ord(c) for c in str(os.getuid()))
    s.sendall(b"\0AUTH EXTERNAL " + uid.encode() + b"\r\n")
    data = s.recv(200).decode("utf-8", "replace")
    if not data:
        raise OSError("no answer")
    return data
for addr in args["paths"]:
    probe("connect:" + addr, lambda a=addr: connect(a))
for name in args["abstract"]:
    probe("connect-abstract:" + name, lambda n=name: connect("\0" + n))
bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
for part in bus.split(";"):
    if part.startswith("unix:"):
        for kv in part[len("unix:"):].split(","):
            if kv.startswith("path="):
                probe("connect-bus-var", lambda p=kv[len("path="):]: connect(p))
            if kv.startswith("abstract="):
                probe("connect-bus-var-abstract", lambda p=kv[len("abstract="):]: connect("\0" + p))
if shutil.which("secret-tool"):
    probe("secret-tool", lambda: run(["secret-tool", "search", "--all", "service", "agentcred"]))

ac = args["agentcred"]
probe("agentcred-token", lambda: run([ac, "token", "--min-valid", "1s"]))
probe("agentcred-reveal", lambda: run([ac, "--reveal", "token", "--min-valid", "1s"]))
probe("agentcred-move", lambda: run([ac, "profiles", "move", args["profile"], "--to-store", "file"]))
probe("agentcred-status", lambda: run([ac, "--json", "status"]))
unmarked = {k: v for k, v in os.environ.items() if not k.startswith("AGENTCRED_ISOLATED")}
probe("agentcred-token-unmarked", lambda: run([ac, "token", "--min-valid", "1s"], env=unmarked))

secrets_file = args["files"][0]
home = args["home"]
probe("umount", lambda: run(["umount", home]))
probe("umount-lazy", lambda: run(["umount", "-l", home]))
probe("unshare-umount", lambda: run(["unshare", "-Urm", "sh", "-c", f"umount -l {home}; cat {secrets_file}"]))
probe("unshare-look", lambda: run(["unshare", "-Urm", "cat", secrets_file]))
probe("nsenter", lambda: run(["nsenter", "-t", str(ppid), "-m", "-U", "--preserve-credentials", "cat", secrets_file]))

def bus_call():
    # A raw D-Bus call to the Secret Service, on the session bus named in the environment.
    return run(["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets", "org.freedesktop.DBus.Peer.Ping"])
if shutil.which("dbus-send") and bus:
    probe("dbus-send-secret-service", bus_call)

# Meanwhile the gateway works, across several credential lifetimes.
statuses = []
deadline = time.monotonic() + float(args["seconds"])
while time.monotonic() < deadline:
    request = urllib.request.Request(os.environ["WALLET_API"] + "/api/agent/self/status",
                                     headers={"Authorization": "Bearer " + os.environ["AGENT_JWT"]})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            statuses.append(response.status)
    except urllib.error.HTTPError as e:
        statuses.append(e.code)
    time.sleep(0.1)

with open(args["out"], "w") as f:
    json.dump({"probes": out, "statuses": statuses}, f)
"#;

/// Whether these tests run as root (then the attacker is [`USER`], through `setpriv`).
fn root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// `cmd` as the attacking user: itself when not root, else under `setpriv` (the environment
/// is kept).
fn as_user(cmd: Command) -> Command {
    if !root() {
        return cmd;
    }
    let mut wrapped = Command::new("setpriv");
    wrapped
        .arg(format!("--reuid={USER}"))
        .arg(format!("--regid={USER}"))
        .arg("--clear-groups")
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        wrapped.current_dir(dir);
    }
    wrapped
}

/// `file` where [`USER`] can run it: itself when it can, else a copy in a directory of the
/// temp dir (the checkout may be in root's home, which the user cannot enter).
fn reachable(file: &Path) -> PathBuf {
    if !root() {
        return file.to_path_buf();
    }
    let ok = Command::new("setpriv")
        .arg(format!("--reuid={USER}"))
        .arg(format!("--regid={USER}"))
        .args(["--clear-groups", "test", "-r"])
        .arg(file)
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return file.to_path_buf();
    }
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        dir
    });
    let copy = dir.path().join(file.file_name().unwrap());
    if !copy.exists() {
        let partial = copy.with_extension("partial");
        std::fs::copy(file, &partial).unwrap();
        std::fs::set_permissions(&partial, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::rename(&partial, &copy).unwrap();
    }
    copy
}

/// The agentcred binary, where [`USER`] (and any other user) can run it.
pub fn bin() -> String {
    static BIN_PATH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN_PATH
        .get_or_init(|| reachable(Path::new(BIN)).to_string_lossy().into_owned())
        .clone()
}

/// `home.command(args)`, running the binary [`bin`] names.
fn user_command(home: &Home, args: &[&str]) -> Command {
    let inner = home.command(args);
    let mut cmd = Command::new(bin());
    cmd.args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

fn chown_all(path: &Path) {
    if root() {
        let status = Command::new("chown")
            .arg("-R")
            .arg(format!("{USER}:{USER}"))
            .arg(path)
            .status()
            .unwrap();
        assert!(status.success());
    }
}

/// A user's world around one home: HOME, the XDG dirs, a keyring file, `~/.vault-token`, and
/// a stand-in session bus listening on its path and on an abstract name (each answers a
/// client's first message with a line, so a connection that gets through is seen).
struct World {
    home: Home,
    /// `AGENTCRED_HOME`, beside the user's home in the test's directory.
    agentcred_home: PathBuf,
    user_home: PathBuf,
    runtime: PathBuf,
    keyring: PathBuf,
    vault_token_file: PathBuf,
    abstract_name: String,
    /// Values that must never reach the child, besides the stored ones.
    planted: Vec<String>,
    /// Another process of the user's (an `agentcred gateway` in another terminal, say), with
    /// a secret in its environment.
    bystander: std::process::Child,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = self.bystander.kill();
        let _ = self.bystander.wait();
    }
}

impl World {
    fn new(server: &Server) -> World {
        let mut home = Home::new();
        home.use_server(server);
        let root = home.path().to_path_buf();
        let agentcred_home = root.join("ah");
        std::fs::create_dir_all(&agentcred_home).unwrap();
        let user_home = root.join("user");
        let runtime = root.join("run");
        let keyrings = user_home.join(".local/share/keyrings");
        std::fs::create_dir_all(&keyrings).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        let keyring = keyrings.join("login.keyring");
        let keyring_secret = format!("keyring-secret-{}", std::process::id());
        std::fs::write(&keyring, &keyring_secret).unwrap();
        let vault_token_file = user_home.join(".vault-token");
        let vault_token = format!("hvs.isolation-test-{}", std::process::id());
        std::fs::write(&vault_token_file, &vault_token).unwrap();
        let operator_key = format!("pk_isolation_operator_{}", std::process::id());
        let bus = runtime.join("bus");
        let abstract_name = format!(
            "agentcred-isolation-test-{}",
            root.file_name().unwrap().to_string_lossy()
        );
        listen(UnixListener::bind(&bus).unwrap());
        std::fs::set_permissions(&bus, std::fs::Permissions::from_mode(0o777)).unwrap();
        {
            use std::os::linux::net::SocketAddrExt;
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(&abstract_name).unwrap();
            listen(UnixListener::bind_addr(&addr).unwrap());
        }
        home.set("AGENTCRED_HOME", agentcred_home.to_str().unwrap())
            .set("HOME", user_home.to_str().unwrap())
            .set("XDG_RUNTIME_DIR", runtime.to_str().unwrap())
            .set(
                "XDG_DATA_HOME",
                user_home.join(".local/share").to_str().unwrap(),
            )
            .set(
                "XDG_CONFIG_HOME",
                user_home.join(".config").to_str().unwrap(),
            )
            .set(
                "XDG_STATE_HOME",
                user_home.join(".local/state").to_str().unwrap(),
            )
            .set(
                "DBUS_SESSION_BUS_ADDRESS",
                &format!("unix:path={}", bus.display()),
            )
            .set("PROXY_API_KEY", &operator_key);
        chown_all(&root);
        let bystander_secret = format!("bystander-secret-{}", std::process::id());
        let mut sleep = Command::new("sleep");
        sleep.arg("300").env("BYSTANDER_SECRET", &bystander_secret);
        let bystander = as_user(sleep)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        World {
            bystander,
            home,
            agentcred_home,
            user_home,
            runtime,
            keyring,
            vault_token_file,
            abstract_name,
            planted: vec![keyring_secret, vault_token, operator_key, bystander_secret],
        }
    }

    fn run(&self, args: &[&str]) -> Run {
        let mut cmd = as_user(user_command(&self.home, args));
        cmd.current_dir(&self.user_home);
        finish(cmd.stdin(Stdio::null()).output().expect("run agentcred"))
    }

    /// Approve, as its owner, the agent of `profile` at `server`.
    fn approve_owner(&self, server: &Server, profile: &str) {
        let shown = self
            .run(&["--json", "--profile", profile, "profiles", "show"])
            .ok()
            .json();
        server.approve_owner(shown["agent_id"].as_str().unwrap());
    }

    /// The file store's values (every file under `data/secrets/`, and the single file of
    /// earlier releases).
    fn stored(&self) -> Vec<String> {
        let data = self.agentcred_home.join("data");
        let mut files: Vec<PathBuf> = std::fs::read_dir(data.join("secrets"))
            .map(|dir| dir.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.push(data.join("secrets.json"));
        let mut values = Vec::new();
        for file in files {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            let doc: Value = serde_json::from_str(&text).unwrap();
            if let Some(secrets) = doc["secrets"].as_object() {
                values.extend(
                    secrets
                        .values()
                        .filter_map(Value::as_str)
                        .map(str::to_owned),
                );
            }
        }
        assert!(!values.is_empty(), "no secret in the file store");
        values
    }

    /// Run the hostile child under `exec_flags`; its report and everything it wrote out.
    fn attack(&self, exec_flags: &[&str], profile: &str, seconds: u32) -> (Value, String, Run) {
        let dir = self.home.path().join("attacker");
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("hostile.py");
        std::fs::write(&script, HOSTILE).unwrap();
        let out = dir.join(format!("report{}.json", exec_flags.len()));
        chown_all(&dir);
        let files = [
            self.agentcred_home
                .join(format!("data/secrets/{profile}.json")),
            self.agentcred_home.join("config.toml"),
            self.vault_token_file.clone(),
            self.keyring.clone(),
        ];
        let args = json!({
            "files": files,
            "roots": [self.home.path(), &self.user_home],
            "paths": [self.runtime.join("bus")],
            "abstract": [&self.abstract_name],
            "others": [self.bystander.id()],
            "agentcred": bin(),
            "home": &self.agentcred_home,
            "profile": profile,
            "out": out,
            "seconds": seconds,
        });
        let mut argv: Vec<String> = vec!["--profile".into(), profile.into(), "exec".into()];
        argv.extend(exec_flags.iter().map(|s| s.to_string()));
        argv.extend([
            "--".into(),
            "python3".into(),
            script.to_str().unwrap().into(),
            args.to_string(),
        ]);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        let run = self.run(&argv);
        let report: Value = serde_json::from_str(
            &std::fs::read_to_string(&out)
                .unwrap_or_else(|e| panic!("no report ({e}): {}", run.all())),
        )
        .unwrap();
        let mut written = std::fs::read_to_string(&out).unwrap();
        if let Ok(mem) = std::fs::read(out.with_extension("json.mem")) {
            written.push_str(&String::from_utf8_lossy(&mem));
        }
        written.push_str(&run.all());
        // What one run found must not be there for the next to find.
        let _ = std::fs::remove_file(&out);
        let _ = std::fs::remove_file(out.with_extension("json.mem"));
        (report, written, run)
    }
}

/// Answer every connection's first message with one line, on a thread, for the life of the
/// test process.
fn listen(listener: UnixListener) {
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            use std::io::{Read, Write};
            // As a bus does: the client speaks first, then gets an answer.
            let mut stream = stream;
            let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(2)));
            let _ = stream.read(&mut [0u8; 256]);
            let _ = stream.write_all(b"BUS-ANSWERED\n");
        }
    });
}

fn probe<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["probes"].get(name).unwrap_or_else(|| {
        let names: Vec<&String> = report["probes"].as_object().unwrap().keys().collect();
        panic!("no probe {name} among {names:?}")
    })
}

/// Every probe must have failed, and no secret may appear in anything the child wrote out.
fn assert_contained(report: &Value, written: &str, secrets: &[String]) {
    let allowed_to_succeed = ["env", "parent-cmdline"];
    for (name, result) in report["probes"].as_object().unwrap() {
        let got = result["got"].as_str().unwrap_or_default();
        eprintln!(
            "{name}: {}",
            got.chars().take(110).collect::<String>().replace('\n', " ")
        );
        if name.starts_with("find:") || allowed_to_succeed.contains(&name.as_str()) {
            continue;
        }
        assert_eq!(
            result["ok"], false,
            "route {name} worked under --isolate: {}",
            result["got"]
        );
    }
    for name in [
        "agentcred-token",
        "agentcred-reveal",
        "agentcred-move",
        "agentcred-status",
    ] {
        let got = probe(report, name)["got"].as_str().unwrap();
        assert!(
            got.contains("exit 7") && got.contains("isolated"),
            "{name} should say it runs isolated (exit 7): {got}"
        );
    }
    for secret in secrets {
        assert!(!secret.is_empty());
        assert!(
            !written.contains(secret.as_str()),
            "a stored value ({}...) reached the isolated child",
            &secret[..secret.len().min(6)]
        );
    }
}

/// The gateway kept working: every request succeeded, across several lifetimes.
fn assert_gateway_worked(report: &Value, server: &Server, min_refreshes: u64) {
    let statuses = report["statuses"].as_array().unwrap();
    assert!(statuses.len() >= 10, "too few requests: {statuses:?}");
    assert!(
        statuses.iter().all(|s| s == 200),
        "a request through the gateway failed: {statuses:?}"
    );
    let refreshes = server.count("POST /fluxa/agentid/refresh");
    assert!(
        refreshes >= min_refreshes,
        "only {refreshes} refreshes: the run did not span several JWT lifetimes"
    );
}

fn stored_values(world: &World) -> Vec<String> {
    let mut values = world.stored();
    values.extend(world.planted.iter().cloned());
    values
}

#[test]
fn a_hostile_child_reaches_no_credential_of_the_file_store_and_the_gateway_still_works() {
    let server = Server::start();
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 2}}));
    let world = World::new(&server);
    world
        .run(&[
            "--profile",
            "fa",
            "register",
            "fluxa",
            "--name",
            "iso-agent",
        ])
        .ok();
    world.approve_owner(&server, "fa");
    let secrets = stored_values(&world);
    assert!(secrets.len() >= 4, "{secrets:?}");

    // Without isolation, the same probes find secrets: the file store, the parent's
    // environment, the session bus by path and by abstract name, agentcred itself.
    let (control, written, run) = world.attack(&["--gateway"], "fa", 0);
    assert_eq!(run.code, 0, "{}", run.all());
    for route in [
        format!(
            "read:{}",
            world.agentcred_home.join("data/secrets/fa.json").display()
        ),
        "parent-environ".to_owned(),
        format!("connect:{}", world.runtime.join("bus").display()),
        format!("connect-abstract:{}", world.abstract_name),
        "signal-parent-0".to_owned(),
        "agentcred-token".to_owned(),
        format!("other-environ:{}", world.bystander.id()),
    ] {
        assert_eq!(
            probe(&control, &route)["ok"],
            true,
            "the control run could not use {route}: {}",
            probe(&control, &route)["got"]
        );
    }
    // Every long-lived value (a JWT may have been refreshed away before the child looked).
    let long_lived: Vec<&String> = secrets
        .iter()
        .filter(|s| s.matches('.').count() != 2)
        .collect();
    let found = long_lived
        .iter()
        .filter(|s| written.contains(s.as_str()))
        .count();
    assert_eq!(
        found,
        long_lived.len(),
        "the control run found {found} of the long-lived secrets"
    );

    // Isolated: nothing, while the gateway works across 2-second JWTs.
    server.clear_requests();
    let (report, written, run) = world.attack(&["--isolate", "--gateway"], "fa", 7);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("Isolated: hidden_paths, locked_mounts, no_privileges, landlock_scopes, undumpable_parent"),
        "{}",
        run.stderr
    );
    // The credentials minted during the run too.
    let mut secrets = secrets;
    secrets.extend(world.stored());
    assert_contained(&report, &written, &secrets);
    assert_gateway_worked(&report, &server, 3);
}

#[test]
fn a_hostile_child_reaches_no_credential_of_the_vault_store() {
    let server = Server::start();
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 2}}));
    let bao = Bao::start();
    let mut world = World::new(&server);
    bao.configure(&mut world.home);
    world
        .run(&[
            "--profile",
            "va",
            "register",
            "fluxa",
            "--name",
            "iso-vault",
        ])
        .ok();
    world.approve_owner(&server, "va");
    let vault_secrets = || -> Vec<String> {
        let document = bao.document("va").expect("the profile lives in vault");
        let secrets: Vec<String> = document["secrets"]
            .as_object()
            .expect("secrets in the vault document")
            .values()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .filter(|v| v.len() >= 8)
            .collect();
        assert!(!secrets.is_empty(), "{document:#}");
        secrets
    };
    let mut secrets = vault_secrets();
    secrets.push(Bao::TOKEN.to_owned());
    secrets.extend(world.planted.iter().cloned());

    let (report, written, run) = world.attack(&["--isolate", "--gateway"], "va", 5);
    assert_eq!(run.code, 0, "{}", run.all());
    // The credentials minted during the run too.
    secrets.extend(vault_secrets());
    assert_contained(&report, &written, &secrets);
    assert_gateway_worked(&report, &server, 2);
}

/// Run `argv` as [`USER`] in a throw-away user namespace in which
/// `user.max_user_namespaces` is 0: a kernel without user namespaces, simulated for real.
/// Every uid is mapped (root writes the map from outside), so the files keep their owners
/// and agentcred's home check sees what it sees on the host; that takes root, which is how
/// the suite runs here and in CI.
const NO_USERNS: &str = r#"
import ctypes, os, sys
r1, w1 = os.pipe(); r2, w2 = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r1); os.close(w2)
    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:
        sys.exit(f"unshare: errno {ctypes.get_errno()}")
    os.write(w1, b"x"); os.close(w1)
    if os.read(r2, 1) != b"x":
        sys.exit("no uid map")
    with open("/proc/sys/user/max_user_namespaces", "w") as f:
        f.write("0")
    uid = int(sys.argv[1])
    os.setgroups([]); os.setresgid(uid, uid, uid); os.setresuid(uid, uid, uid)
    os.execvp(sys.argv[2], sys.argv[2:])
os.close(w1); os.close(r2)
if os.read(r1, 1) == b"x":
    for name in ("uid_map", "gid_map"):
        with open(f"/proc/{pid}/{name}", "w") as f:
            f.write("0 0 4294967295\n")
    os.write(w2, b"x")
os.close(w2)
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
"#;

fn without_userns(world: &World, args: &[&str]) -> Run {
    assert!(
        root(),
        "this test builds a user namespace with every uid mapped, which takes root (`unshare -Ur` alone maps only the caller, and / and /tmp would look foreign to agentcred's home check)"
    );
    let inner = user_command(&world.home, args);
    let mut cmd = Command::new("python3");
    cmd.args(["-c", NO_USERNS, &USER.to_string()])
        .arg(inner.get_program())
        .args(inner.get_args());
    for (k, v) in inner.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.current_dir(&world.user_home);
    finish(cmd.stdin(Stdio::null()).output().expect("python3"))
}

#[test]
fn without_user_namespaces_isolate_refuses_and_best_effort_reports_what_it_applied() {
    let server = Server::start();
    let world = World::new(&server);
    world
        .run(&[
            "--profile",
            "fr",
            "register",
            "fluxra",
            "--name",
            "iso-nons",
        ])
        .ok();
    let marker = world.home.path().join("attacker-started");
    chown_all(world.home.path());
    let touch = ["touch", marker.to_str().unwrap()];

    let mut args = vec!["--json", "--profile", "fr", "exec", "--isolate", "--"];
    args.extend(touch);
    let run = without_userns(&world, &args).code(2);
    let error = run.error_json();
    assert_eq!(
        error["error"]["code"],
        "isolation_unavailable",
        "{}",
        run.all()
    );
    let message = error["error"]["message"].as_str().unwrap();
    assert!(message.contains("hidden_paths"), "{message}");
    assert!(
        error["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("max_user_namespaces"),
        "{error}"
    );
    assert!(!marker.exists(), "the command started without isolation");

    let mut args = vec![
        "--json",
        "--profile",
        "fr",
        "exec",
        "--isolate=best-effort",
        "--",
    ];
    args.extend(touch);
    let run = without_userns(&world, &args).ok();
    assert!(marker.exists(), "best effort did not start the command");
    let notice: Value = run
        .stderr
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["warning"]["code"] == "isolation_partial")
        .unwrap_or_else(|| panic!("no isolation_partial warning: {}", run.stderr));
    let applied: Vec<&str> = notice["warning"]["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let missing: Vec<&str> = notice["warning"]["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["protection"].as_str().unwrap())
        .collect();
    assert!(applied.contains(&"landlock_scopes"), "{notice}");
    assert!(applied.contains(&"undumpable_parent"), "{notice}");
    assert!(missing.contains(&"hidden_paths"), "{notice}");

    // doctor says so too.
    let run = without_userns(&world, &["--json", "doctor"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "isolation")
        .unwrap();
    assert_eq!(finding["ok"], false, "{finding}");
    assert!(
        finding["detail"].as_str().unwrap().contains("hidden_paths"),
        "{finding}"
    );
}

#[test]
fn inside_an_isolated_run_commands_say_isolated_and_mcp_serves_through_the_gateway() {
    let server = Server::start();
    let world = World::new(&server);
    world
        .run(&["--profile", "fr", "register", "fluxra", "--name", "iso-mcp"])
        .ok();
    let stored = stored_values(&world);
    let script = r#"
set -u
"$AC" --version >/dev/null && echo version=ok
"$AC" schema >/dev/null && echo schema=ok
"$AC" --json token 2>&1; echo token=$?
"$AC" --json approvals approve apr_0000000000000000 2>&1; echo approvals=$?
"$AC" --json policy set fr /dev/null 2>&1; echo policy=$?
printf '%s\n' \
 '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
 '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
 '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"status","arguments":{}}}' \
 '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"check","arguments":{}}}' \
 '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"request","arguments":{"path":"/api/api/auth/me"}}}' \
 '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"refresh","arguments":{}}}' \
 '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"list_profiles","arguments":{}}}' \
 | (cat; sleep 4) | "$AC" mcp
"#;
    let mut home_cmd = user_command(
        &world.home,
        &[
            "--profile",
            "fr",
            "exec",
            "--isolate",
            "--gateway",
            "--",
            "sh",
            "-c",
            script,
        ],
    );
    home_cmd.env("AC", bin());
    let mut cmd = as_user(home_cmd);
    cmd.current_dir(&world.user_home);
    let run = finish(cmd.stdin(Stdio::null()).output().unwrap());
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("version=ok") && run.stdout.contains("schema=ok"));
    assert!(run.stdout.contains("token=7"), "{}", run.stdout);
    // Approvals and the policy are a person's, out of the isolated child's reach.
    assert!(run.stdout.contains("approvals=7"), "{}", run.stdout);
    assert!(run.stdout.contains("policy=7"), "{}", run.stdout);
    assert!(
        run.stdout.contains(r#""code":"isolated""#),
        "{}",
        run.stdout
    );
    let answers: Vec<Value> = run
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v.get("jsonrpc").is_some())
        .collect();
    let answer = |id: u64| {
        answers
            .iter()
            .find(|a| a["id"] == id)
            .unwrap_or_else(|| panic!("no answer {id}: {}", run.all()))["result"]
            .clone()
    };
    let status = answer(2);
    assert_eq!(status["isError"], false, "{status}");
    assert_eq!(status["structuredContent"]["profile"], "fr");
    let check = answer(3);
    assert_eq!(check["structuredContent"]["health"], "ok", "{check}");
    let request = answer(4);
    assert_eq!(request["isError"], false, "{request}");
    assert!(request["structuredContent"]["status"].is_u64(), "{request}");
    let refresh = answer(5);
    assert_eq!(refresh["isError"], true);
    assert_eq!(refresh["structuredContent"]["error"]["code"], "isolated");
    let listed = answer(6);
    assert_eq!(listed["structuredContent"]["profiles"][0]["name"], "fr");
    for secret in &stored {
        assert!(
            !run.all().contains(secret.as_str()),
            "a stored value reached the output"
        );
    }

    // A command that cannot be started is reported as without isolation (127 when no PATH
    // entry has it; 126 when an entry the user may not search hides the answer, as execvp
    // reports it).
    let missing = |isolate: bool| {
        let mut args = vec!["--json", "--profile", "fr", "exec"];
        if isolate {
            args.push("--isolate");
        }
        args.extend(["--", "no-such-command-anywhere"]);
        let run = world.run(&args);
        (run.code, run.error_json()["error"]["code"].clone())
    };
    let plain = missing(false);
    assert!(plain.0 == 126 || plain.0 == 127, "{plain:?}");
    assert_eq!(missing(true), plain);
}

/// The keychain scenario, run as the attacking user inside `scripts/with-keyring.sh` (a D-Bus
/// session of that user with an unlocked gnome-keyring): register a profile in the keychain,
/// approve it, attack it isolated and then (so that the control's findings are not there for
/// the isolated run to find) without isolation, and finally list what the keychain holds.
const KEYCHAIN_SCENARIO: &str = r#"
import json, os, subprocess, sys, urllib.parse, urllib.request
a = json.loads(sys.argv[1])
env = dict(os.environ)
env.update(a["env"])
env["AGENTCRED_HOME"] = a["home"]
ac = a["agentcred"]
def run(args):
    p = subprocess.run([ac] + args, env=env, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"agentcred {args}: exit {p.returncode}: {p.stderr}")
    return p.stdout
run(["--profile", "kc", "--store", "keychain", "register", "fluxa", "--name", "iso-keychain"])
agent = json.loads(run(["--json", "--profile", "kc", "profiles", "show"]))["agent_id"]
form = urllib.parse.urlencode({"agentId": agent, "action": "approve"}).encode()
urllib.request.urlopen(a["env"]["AGENTCRED_FLUXA_AGENTWALLET_URL"] + "/add-agent", data=form).read()
data = os.environ["XDG_DATA_HOME"]
def dump(name):
    p = subprocess.run(["secret-tool", "search", "--all", "service", "agentcred"], capture_output=True, text=True)
    with open(os.path.join(a["out"], name), "w") as f:
        f.write(p.stdout + p.stderr)
dump("keychain-before.txt")
for n, flags in enumerate([["--isolate", "--gateway"], ["--gateway"]]):
    out = os.path.join(a["out"], f"report{n}.json")
    args = {
        "files": [os.path.join(a["home"], "data/secrets/kc.json"), os.path.join(a["home"], "config.toml"),
                  os.path.join(os.environ["HOME"], ".vault-token"), os.path.join(data, "keyrings/login.keyring")],
        "roots": [a["home"], os.environ["HOME"]],
        "paths": [os.path.join(os.environ["XDG_RUNTIME_DIR"], "bus")],
        "abstract": [],
        "agentcred": ac, "home": a["home"], "profile": "kc", "out": out,
        "seconds": 5 if n == 0 else 0,
    }
    p = subprocess.run([ac, "--profile", "kc", "exec"] + flags + ["--", "python3", a["hostile"], json.dumps(args)],
                       env=env, capture_output=True, text=True)
    with open(os.path.join(a["out"], f"run{n}.txt"), "w") as f:
        f.write(f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
    # The control run's child may move the profile out of the keychain: what it held is read
    # before that.
    if n == 0:
        dump("keychain-after.txt")
"#;

#[test]
#[ignore = "needs dbus-run-session, gnome-keyring and secret-tool: .ci/run runs it (with the other keychain tests)"]
fn a_hostile_child_reaches_no_credential_of_the_keychain() {
    let server = Server::start();
    server.knobs(json!({"jwt_ttl_secs": {"fluxa": 2}}));
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("ah");
    let out = dir.path().join("out");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let hostile = dir.path().join("hostile.py");
    std::fs::write(&hostile, HOSTILE).unwrap();
    chown_all(dir.path());
    let env: serde_json::Map<String, Value> = server
        .urls
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let args = json!({
        "agentcred": bin(), "home": home, "out": out, "hostile": hostile, "env": env,
    });
    let with_keyring =
        reachable(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/with-keyring.sh"));
    let mut cmd = Command::new(with_keyring);
    // The user's own directory as the working directory: the checkout may be one the user
    // cannot enter (root's home in CI), and isolation refuses a working directory it cannot see.
    cmd.args(["python3", "-c", KEYCHAIN_SCENARIO, &args.to_string()])
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("TMPDIR", dir.path())
        .current_dir(dir.path());
    let scenario = finish(as_user(cmd).stdin(Stdio::null()).output().unwrap());
    assert_eq!(scenario.code, 0, "{}", scenario.all());

    let keychain = std::fs::read_to_string(out.join("keychain-before.txt")).unwrap()
        + &std::fs::read_to_string(out.join("keychain-after.txt")).unwrap();
    let secrets: Vec<String> = keychain
        .lines()
        .filter_map(|l| l.strip_prefix("secret = "))
        .map(str::to_owned)
        .collect();
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    assert!(
        secrets.len() >= 2,
        "the keychain holds no secret of the profile:\n{keychain}\n{}",
        read("run1.txt")
    );
    let report =
        |n: u32| -> Value { serde_json::from_str(&read(&format!("report{n}.json"))).unwrap() };

    // Without isolation the child asks the Secret Service and gets the secrets.
    let control = report(1);
    assert!(
        read("run1.txt").starts_with("exit 0"),
        "{}",
        read("run1.txt")
    );
    assert_eq!(
        probe(&control, "secret-tool")["ok"],
        true,
        "{}",
        probe(&control, "secret-tool")["got"]
    );
    let found = probe(&control, "secret-tool")["got"]
        .as_str()
        .unwrap()
        .to_owned();
    let long_lived = secrets.iter().filter(|s| s.starts_with("tok_")).count();
    assert!(long_lived >= 1, "{keychain}");
    assert!(
        secrets
            .iter()
            .filter(|s| s.starts_with("tok_"))
            .all(|s| found.contains(s.as_str())),
        "the control run's secret-tool did not find the refresh token: {found}"
    );

    // Isolated: nothing, while the gateway works.
    let isolated = report(0);
    let run0 = read("run0.txt");
    assert!(run0.starts_with("exit 0"), "{run0}");
    let mut written = read("report0.json");
    written.push_str(&run0);
    assert_contained(&isolated, &written, &secrets);
    assert_gateway_worked(&isolated, &server, 2);
}

#[test]
fn a_command_started_inside_a_hidden_directory_is_refused_even_with_best_effort() {
    let server = Server::start();
    let world = World::new(&server);
    world
        .run(&["--profile", "fr", "register", "fluxra", "--name", "iso-cwd"])
        .ok();
    let marker = world.user_home.join("started");
    let mut cmd = as_user(user_command(
        &world.home,
        &[
            "--json",
            "--profile",
            "fr",
            "exec",
            "--isolate=best-effort",
            "--",
            "touch",
            marker.to_str().unwrap(),
        ],
    ));
    // Started there, it would read the store through its working directory.
    cmd.current_dir(world.agentcred_home.join("data"));
    let run = finish(cmd.stdin(Stdio::null()).output().unwrap()).code(2);
    let error = run.error_json();
    assert_eq!(
        error["error"]["code"],
        "isolation_unavailable",
        "{}",
        run.all()
    );
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("working directory"),
        "{error}"
    );
    assert!(!marker.exists(), "the command started");

    // Where every protection is there, doctor says isolation is available, and which.
    let doc = world.run(&["--json", "doctor"]).json();
    let finding = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "isolation")
        .unwrap()
        .clone();
    assert_eq!(finding["ok"], true, "{finding}");
    assert!(
        finding["detail"]
            .as_str()
            .unwrap()
            .contains("hidden_paths, locked_mounts, no_privileges, landlock_scopes"),
        "{finding}"
    );
}
