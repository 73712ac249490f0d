//! `exec --isolate`: run a command so that, while it runs, neither it nor anything it starts
//! can reach a stored credential, while everything else (files, working directory, network,
//! terminal, uid as seen from outside, other variables) stays as it was.
//!
//! The mechanism (Linux), set up by a helper: agentcred re-executes itself as
//! `agentcred __isolate-child ... -- CMD`, and the helper, a fresh single-threaded process,
//!
//! 1. enters a new user namespace and mount namespace (`unshare`), mapping the real uid and gid
//!    to themselves, and makes every mount private, so nothing it does is seen outside;
//! 2. hides every path in its plan: an empty read-only tmpfs over each directory (agentcred's
//!    config, data and state directories and `AGENTCRED_HOME`, the keyring directories), and
//!    `/dev/null` bound read-only over each other file (the session bus socket, `~/.vault-token`);
//!    the tmpfs over an agentcred directory holds one file, [`MARKER_FILE`], so an agentcred run
//!    inside knows why it finds no store;
//! 3. re-enters its working directory (a directory handle taken before step 2 would still see
//!    what is now hidden);
//! 4. enters a second, nested user namespace with its own mount namespace: copied into a mount
//!    namespace owned by a less privileged user namespace, every mount is locked, so it cannot
//!    be unmounted, moved, or bind-mounted without what it hides; the capabilities the helper
//!    held over the first mount namespace are gone;
//! 5. drops every capability (effective, permitted, inheritable, ambient and bounding sets) and
//!    sets `no_new_privs`, so no set-uid program gives any back;
//! 6. restricts itself with Landlock scopes (ABI 6): no connection to an abstract unix socket
//!    created outside (the session bus and gnome-keyring listen on those too), no signal to a
//!    process outside (agentcred among them);
//! 7. reports what it applied over a pipe (`--report-fd`, close-on-exec, so the parent sees
//!    end-of-file when CMD starts) and executes CMD with [`MARKER_VAR`] set.
//!
//! agentcred itself, for as long as it serves an isolated child, is not dumpable
//! ([`make_parent_undumpable`]): `/proc/PID/mem` and `/proc/PID/environ` are root's, and
//! `ptrace` is refused. A process in a nested user namespace is refused both anyway (it holds
//! no capability in agentcred's namespace); the two hold independently.
//!
//! Fail closed: with [`Mode::Required`] (`--isolate`) a protection the platform cannot give
//! stops the helper before CMD starts, and agentcred exits 2 with `isolation_unavailable`,
//! naming the protection and its fix. [`Mode::BestEffort`] starts CMD with what could be
//! applied and reports the rest. `probe` runs the same helper without a command, for `doctor`.
//!
//! Other platforms: nothing is attempted; `--isolate` is `isolation_unavailable` (the designs
//! for macOS and Windows are in the README).
//!
//! Unsafe code: the helper turns the descriptor number it was given into a descriptor, and
//! calls `unshare`, which is unsafe in rustix only because of `CLONE_FILES` in threaded
//! programs (not used here; the helper has one thread). Both are below, each with its reason.

use std::ffi::OsString;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{Code, Error};
use crate::paths::Paths;

/// The first argument that makes agentcred the isolation helper (never shown in `--help`).
pub const HELPER: &str = "__isolate-child";
/// Set in the isolated command's environment. Only a hint: what keeps the store out of reach is
/// the isolation itself, so a child that removes it gains nothing.
pub const MARKER_VAR: &str = "AGENTCRED_ISOLATED";
/// The one file in the empty tmpfs over each of agentcred's directories.
pub const MARKER_FILE: &str = ".agentcred-isolated";

/// `--isolate` (every protection or nothing) or `--isolate=best-effort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// Every protection, or the command is not started (exit 2, `isolation_unavailable`)
    Required,
    /// Start the command with the protections available, and say which were applied
    BestEffort,
}

/// The protections, by the names reports use.
pub mod protection {
    /// The user + mount namespace hiding agentcred's directories, the keyring, the session bus
    /// and `~/.vault-token`.
    pub const HIDDEN_PATHS: &str = "hidden_paths";
    /// The nested user namespace that locks those mounts and leaves no capability over them.
    pub const LOCKED_MOUNTS: &str = "locked_mounts";
    /// No capability in any set, and `no_new_privs`.
    pub const NO_PRIVILEGES: &str = "no_privileges";
    /// Landlock: no abstract unix socket and no signal outside the command's own processes.
    pub const LANDLOCK_SCOPES: &str = "landlock_scopes";
    /// agentcred's own process is not dumpable (no ptrace, no `/proc/PID/mem|environ`).
    pub const UNDUMPABLE_PARENT: &str = "undumpable_parent";
}

/// A protection that could not be applied, why, and how to make it available.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Missing {
    pub protection: String,
    pub reason: String,
    pub fix: String,
}

/// What the helper tells agentcred, as one JSON line per message on the report pipe.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Report {
    pub applied: Vec<String>,
    pub missing: Vec<Missing>,
    /// The command could not be executed (after isolation was set up): whether it was not
    /// found, and the system's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec_error: Option<(bool, String)>,
    /// The command cannot be started isolated in any mode (its working directory is hidden:
    /// started there, it would see what is hidden through it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fatal: bool,
}

/// What to hide, and how strict to be.
#[derive(Debug, Clone)]
pub struct Plan {
    pub mode: Mode,
    pub hide: Vec<PathBuf>,
}

impl Plan {
    /// Everything that can lead to a stored credential of this user: agentcred's directories
    /// (the ones in use and the default ones, which another `AGENTCRED_HOME` does not make
    /// empty), the keyring's sockets and files, the session bus (by the path in
    /// `DBUS_SESSION_BUS_ADDRESS` and the default one), the systemd user manager's private
    /// socket (it would start a command outside the isolation) and `~/.vault-token`. Paths
    /// that do not exist are left out (there is nothing to hide, and nothing can be mounted).
    pub fn for_user(paths: &Paths, mode: Mode) -> Plan {
        let mut hide: Vec<PathBuf> = Vec::new();
        for dir in agentcred_dirs(paths) {
            hide.push(dir);
        }
        let runtime = std::env::var_os("XDG_RUNTIME_DIR")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(dirs::runtime_dir);
        if let Some(runtime) = &runtime {
            for name in ["bus", "keyring", "systemd"] {
                hide.push(runtime.join(name));
            }
        }
        if let Some(data) = dirs::data_dir() {
            hide.push(data.join("keyrings"));
            hide.push(data.join("kwalletd"));
        }
        if let Some(home) = dirs::home_dir() {
            hide.push(home.join(".vault-token"));
        }
        if let Some(address) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") {
            hide.extend(bus_socket_paths(&address.to_string_lossy()));
        }
        let mut seen = std::collections::BTreeSet::new();
        hide.retain(|p| p.is_absolute() && p.symlink_metadata().is_ok() && seen.insert(p.clone()));
        // A directory inside another one already hidden needs no mount of its own (and could
        // not get one: its mount point is hidden).
        let dirs_hidden: Vec<PathBuf> = hide.iter().filter(|p| p.is_dir()).cloned().collect();
        hide.retain(|p| !dirs_hidden.iter().any(|d| p != d && p.starts_with(d)));
        Plan { mode, hide }
    }
}

/// agentcred's own directories: those of this run, and the defaults.
fn agentcred_dirs(paths: &Paths) -> Vec<PathBuf> {
    let mut dirs = vec![
        paths.config_dir.clone(),
        paths.data_dir.clone(),
        paths.lock_dir.clone(),
    ];
    // The lock dir is `<state>/agentcred/locks`: hide all of `<state>/agentcred`.
    if let Some(parent) = paths.lock_dir.parent()
        && parent.file_name().is_some_and(|n| n == "agentcred")
    {
        dirs.push(parent.to_path_buf());
    }
    for base in [
        dirs::config_dir(),
        dirs::data_dir(),
        dirs::state_dir(),
        dirs::runtime_dir(),
    ]
    .into_iter()
    .flatten()
    {
        dirs.push(base.join("agentcred"));
    }
    dirs
}

/// The filesystem socket paths of a D-Bus address list (`unix:path=/run/user/1000/bus;...`).
/// Abstract addresses (`unix:abstract=...`) have no path: Landlock's scope covers them.
fn bus_socket_paths(address: &str) -> Vec<PathBuf> {
    address
        .split(';')
        .filter_map(|entry| entry.strip_prefix("unix:"))
        .flat_map(|params| params.split(','))
        .filter_map(|kv| kv.strip_prefix("path="))
        .map(|p| PathBuf::from(unescape_dbus(p)))
        .collect()
}

/// D-Bus addresses escape bytes as `%XX`.
fn unescape_dbus(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(hex) = value.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether this process runs inside an isolated `exec`: the variable, or the marker in the
/// empty directory agentcred finds where its home was.
pub fn inside(paths: &Paths) -> bool {
    std::env::var_os(MARKER_VAR).is_some_and(|v| v == "1")
        || [&paths.config_dir, &paths.data_dir]
            .iter()
            .any(|d| d.join(MARKER_FILE).exists())
}

/// Exit 7, `isolated`: a command that needs the credential store, run inside an isolated `exec`.
pub fn isolated_error() -> Error {
    Error::coded(
        Code::Isolated,
        "this command needs the credential store, which is out of reach: it runs inside an isolated `agentcred exec --isolate`",
    )
    .with_hint(
        "use the gateway this run was given (AGENTCRED_BASE_URL_* with AGENTCRED_GATEWAY_TOKEN), or `agentcred mcp`, which serves through it; run the command outside the isolated run",
    )
}

/// Exit 2, `isolation_unavailable`, naming every missing protection and its fix.
pub fn unavailable_error(missing: &[Missing]) -> Error {
    let what = missing
        .iter()
        .map(|m| format!("{} ({})", m.protection, m.reason))
        .collect::<Vec<_>>()
        .join("; ");
    let fixes = missing
        .iter()
        .map(|m| m.fix.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    Error::coded(
        Code::IsolationUnavailable,
        format!("cannot isolate the command, so it was not started: missing {what}"),
    )
    .with_hint(format!(
        "{fixes}; or run with --isolate=best-effort to start it with the protections available"
    ))
}

/// Say which protections an isolated command runs with: a notice when all of them, a warning
/// naming what is missing otherwise (`--isolate=best-effort`); under `--json` one JSON line
/// with the lists (`applied`, and `missing` with each reason and fix).
pub fn announce(printer: &crate::output::Printer, applied: &[String], missing: &[Missing]) {
    let (kind, code, message) = if missing.is_empty() {
        (
            "notice",
            "isolation",
            format!("Isolated: {}", applied.join(", ")),
        )
    } else {
        let names: Vec<&str> = missing.iter().map(|m| m.protection.as_str()).collect();
        (
            "warning",
            "isolation_partial",
            format!(
                "isolated only in part (best effort): applied {}; missing {}",
                if applied.is_empty() {
                    "nothing".to_owned()
                } else {
                    applied.join(", ")
                },
                names.join(", ")
            ),
        )
    };
    if kind == "notice" && printer.quiet {
        return;
    }
    if printer.json {
        eprintln!(
            "{}",
            serde_json::json!({
                "schema_version": crate::output::SCHEMA_VERSION,
                kind: { "code": code, "message": message, "applied": applied, "missing": missing },
            })
        );
    } else if kind == "notice" {
        printer.notice(code, message);
    } else {
        printer.warn_coded(code, message);
        for m in missing {
            printer.warn_coded(
                code,
                format!("{}: {}; fix: {}", m.protection, m.reason, m.fix),
            );
        }
    }
}

/// Make agentcred itself undumpable for the rest of its life: its memory and environment are
/// no longer readable through `/proc` by processes of the same user, and it cannot be traced.
pub fn make_parent_undumpable() -> std::result::Result<(), Missing> {
    #[cfg(target_os = "linux")]
    {
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
            .map_err(|e| Missing {
                protection: protection::UNDUMPABLE_PARENT.into(),
                reason: format!("prctl(PR_SET_DUMPABLE, 0) failed: {e}"),
                fix: "run on a Linux kernel that supports PR_SET_DUMPABLE".into(),
            })
    }
    #[cfg(not(target_os = "linux"))]
    {
        Err(not_linux())
    }
}

#[cfg(not(target_os = "linux"))]
fn not_linux() -> Missing {
    Missing {
        protection: "isolation".into(),
        reason: format!(
            "`--isolate` is implemented on Linux only, not on {}",
            std::env::consts::OS
        ),
        fix:
            "run the command on Linux (macOS and Windows have a design, not an implementation yet)"
                .into(),
    }
}

/// The helper command line for `argv` (after `--`), without the report descriptor.
fn helper_args(plan: &Plan, report_fd: Option<i32>, argv: &[OsString]) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![HELPER.into()];
    if let Some(fd) = report_fd {
        args.push("--report-fd".into());
        args.push(fd.to_string().into());
    }
    if plan.mode == Mode::BestEffort {
        args.push("--best-effort".into());
    }
    for path in &plan.hide {
        args.push("--hide".into());
        args.push(path.clone().into_os_string());
    }
    args.push("--".into());
    args.extend(argv.iter().cloned());
    args
}

#[cfg(target_os = "linux")]
pub use linux::{Prepared, helper_main, prepare, probe};

#[cfg(not(target_os = "linux"))]
pub use other::{Prepared, helper_main, prepare, probe};

#[cfg(not(target_os = "linux"))]
mod other {
    use std::ffi::OsString;
    use std::process::Command;

    use super::{Plan, Report, not_linux, unavailable_error};
    use crate::error::Result;

    pub struct Prepared;

    impl Prepared {
        pub fn started(self) -> Result<Report> {
            Err(unavailable_error(&[not_linux()]))
        }
    }

    pub fn prepare(_plan: &Plan, _argv: &[OsString]) -> Result<(Command, Prepared)> {
        Err(unavailable_error(&[not_linux()]))
    }

    pub fn probe(_plan: &Plan) -> Report {
        Report {
            missing: vec![not_linux()],
            ..Report::default()
        }
    }

    pub fn helper_main(_args: Vec<OsString>) -> std::process::ExitCode {
        std::process::ExitCode::from(2)
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::OsString;
    use std::io::{Read, Write};
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::process::CommandExt;
    use std::path::{Path, PathBuf};
    use std::process::{Command, ExitCode};

    use rustix::io::{FdFlags, fcntl_setfd};
    use rustix::mount::{MountFlags, MountPropagationFlags};
    use rustix::thread::UnshareFlags;

    use super::{MARKER_FILE, MARKER_VAR, Missing, Mode, Plan, Report, helper_args, protection};
    use crate::error::{Error, Result};

    /// The helper, spawned; its report is read with [`Prepared::started`].
    pub struct Prepared {
        read: std::fs::File,
        write: Option<OwnedFd>,
    }

    impl Prepared {
        /// Call right after the helper was spawned: wait until CMD was executed (or the
        /// helper gave up) and return what was applied. `Err` when the command did not start.
        pub fn started(mut self) -> Result<Report> {
            // Our copy of the write end must go, or the read below never sees end-of-file.
            self.write = None;
            let mut text = String::new();
            let _ = self.read.read_to_string(&mut text);
            let mut report = Report::default();
            let mut any = false;
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                let part: Report = serde_json::from_str(line).map_err(|e| {
                    Error::internal(format!(
                        "the isolation helper sent an unreadable report: {e}"
                    ))
                })?;
                any = true;
                report.applied.extend(part.applied);
                report.missing.extend(part.missing);
                report.fatal |= part.fatal;
                if part.exec_error.is_some() {
                    report.exec_error = part.exec_error;
                }
            }
            if !any {
                return Err(Error::internal(
                    "the isolation helper stopped before it reported anything; the command was not started",
                ));
            }
            Ok(report)
        }
    }

    /// The command that runs `argv` isolated under `plan` (spawn it, then call
    /// [`Prepared::started`]).
    pub fn prepare(plan: &Plan, argv: &[OsString]) -> Result<(Command, Prepared)> {
        let exe = std::env::current_exe().map_err(|e| {
            Error::internal(format!(
                "cannot find agentcred's own executable to start the isolation helper: {e}"
            ))
        })?;
        let (read, write) = rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
            .map_err(|e| Error::internal(format!("cannot create a pipe: {e}")))?;
        // The helper inherits the write end; nothing else in agentcred starts processes while
        // an `exec` is starting its child, so clearing close-on-exec here leaks it nowhere else.
        fcntl_setfd(&write, FdFlags::empty())
            .map_err(|e| Error::internal(format!("cannot pass the report pipe: {e}")))?;
        let mut command = Command::new(exe);
        command.arg0("agentcred");
        command.args(helper_args(plan, Some(write.as_raw_fd()), argv));
        Ok((
            command,
            Prepared {
                read: std::fs::File::from(read),
                write: Some(write),
            },
        ))
    }

    /// Set isolation up in a helper without running anything: what would be applied.
    pub fn probe(plan: &Plan) -> Report {
        let mut plan = plan.clone();
        plan.mode = Mode::BestEffort;
        let failed = |reason: String| Report {
            missing: vec![Missing {
                protection: protection::HIDDEN_PATHS.into(),
                reason,
                fix: "see `agentcred exec --isolate` in the README".into(),
            }],
            ..Report::default()
        };
        let (mut command, prepared) = match prepare(&plan, &[]) {
            Ok(ready) => ready,
            Err(e) => return failed(e.message),
        };
        command
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null());
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => return failed(format!("cannot start the isolation helper: {e}")),
        };
        let report = prepared.started();
        let _ = child.wait();
        report.unwrap_or_else(|e| failed(e.message))
    }

    /// The helper's arguments.
    struct HelperArgs {
        report_fd: Option<i32>,
        best_effort: bool,
        hide: Vec<PathBuf>,
        command: Vec<OsString>,
    }

    fn parse(args: Vec<OsString>) -> Option<HelperArgs> {
        let mut parsed = HelperArgs {
            report_fd: None,
            best_effort: false,
            hide: Vec::new(),
            command: Vec::new(),
        };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            match arg.to_str() {
                Some("--report-fd") => parsed.report_fd = it.next()?.to_str()?.parse().ok(),
                Some("--best-effort") => parsed.best_effort = true,
                Some("--hide") => parsed.hide.push(PathBuf::from(it.next()?)),
                Some("--") => {
                    parsed.command = it.collect();
                    return Some(parsed);
                }
                _ => return None,
            }
        }
        None
    }

    /// `agentcred __isolate-child [--report-fd N] [--best-effort] [--hide PATH]... -- [CMD...]`:
    /// set the isolation up, report, and become CMD (or, without CMD, exit: a probe).
    /// Runs before anything else in `main`, while the process has one thread.
    pub fn helper_main(args: Vec<OsString>) -> ExitCode {
        let Some(args) = parse(args) else {
            eprintln!("agentcred: {} is for agentcred's own use", super::HELPER);
            return ExitCode::from(2);
        };
        let mut report_pipe = args.report_fd.and_then(|fd| {
            // Only a descriptor that is open and is not one of the standard three.
            if fd <= 2 || std::fs::symlink_metadata(format!("/proc/self/fd/{fd}")).is_err() {
                return None;
            }
            // SAFETY: agentcred passes the number of the pipe's write end it left open for
            // exactly this process (checked open above); nothing else here owns or closes it.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            // CMD must not inherit it: agentcred learns that CMD started from end-of-file.
            fcntl_setfd(&owned, FdFlags::CLOEXEC).ok()?;
            Some(std::fs::File::from(owned))
        });
        let mut send = |report: &Report| {
            if let Some(pipe) = report_pipe.as_mut() {
                let mut line = serde_json::to_string(report).unwrap_or_default();
                line.push('\n');
                let _ = pipe.write_all(line.as_bytes());
            }
        };
        let cwd = std::env::current_dir().ok();
        let report = set_up(&args.hide, cwd.as_deref());
        let refused = report.fatal || (!args.best_effort && !report.missing.is_empty());
        send(&report);
        if refused || args.command.is_empty() {
            return ExitCode::from(if refused { 2 } else { 0 });
        }
        let (program, rest) = args.command.split_first().expect("checked non-empty");
        let err = Command::new(program).args(rest).env(MARKER_VAR, "1").exec();
        send(&Report {
            exec_error: Some((err.kind() == std::io::ErrorKind::NotFound, err.to_string())),
            ..Report::default()
        });
        ExitCode::from(if err.kind() == std::io::ErrorKind::NotFound {
            127
        } else {
            126
        })
    }

    /// Apply every protection that can be applied, in order; later ones do not depend on
    /// earlier ones having worked, except the locked mounts on the hidden paths.
    fn set_up(hide: &[PathBuf], cwd: Option<&Path>) -> Report {
        let mut report = Report::default();
        let (uid, gid) = (rustix::process::getuid(), rustix::process::getgid());
        match hide_paths(hide, uid.as_raw(), gid.as_raw()) {
            Ok(()) => {
                report.applied.push(protection::HIDDEN_PATHS.into());
                if let Some(cwd) = cwd
                    && let Err(e) = std::env::set_current_dir(cwd)
                {
                    // The working directory is inside a hidden one: refuse whatever the mode,
                    // since the command would otherwise start somewhere else.
                    report.missing.push(Missing {
                        protection: protection::HIDDEN_PATHS.into(),
                        reason: format!(
                            "the working directory {} is inside a directory isolation hides ({e})",
                            cwd.display()
                        ),
                        fix: "run from a directory outside agentcred's home and the keyring's"
                            .into(),
                    });
                    report.fatal = true;
                    return report;
                }
                match lock_mounts(uid.as_raw(), gid.as_raw()) {
                    Ok(()) => report.applied.push(protection::LOCKED_MOUNTS.into()),
                    Err(reason) => report.missing.push(Missing {
                        protection: protection::LOCKED_MOUNTS.into(),
                        reason,
                        fix: userns_fix(),
                    }),
                }
            }
            Err(reason) => {
                report.missing.push(Missing {
                    protection: protection::HIDDEN_PATHS.into(),
                    reason,
                    fix: userns_fix(),
                });
                report.missing.push(Missing {
                    protection: protection::LOCKED_MOUNTS.into(),
                    reason: "needs the user namespace above".into(),
                    fix: userns_fix(),
                });
            }
        }
        match drop_privileges() {
            Ok(()) => report.applied.push(protection::NO_PRIVILEGES.into()),
            Err(reason) => report.missing.push(Missing {
                protection: protection::NO_PRIVILEGES.into(),
                reason,
                fix: "run on a Linux kernel with capabilities and PR_SET_NO_NEW_PRIVS (3.5+)"
                    .into(),
            }),
        }
        match landlock_scopes() {
            Ok(()) => report.applied.push(protection::LANDLOCK_SCOPES.into()),
            Err(reason) => report.missing.push(Missing {
                protection: protection::LANDLOCK_SCOPES.into(),
                reason,
                fix: "use Linux 6.12 or later with Landlock enabled (CONFIG_SECURITY_LANDLOCK=y and `landlock` in the lsm= boot parameter)".into(),
            }),
        }
        report
    }

    /// What to do when unprivileged user namespaces are not available, for this system.
    fn userns_fix() -> String {
        let read = |p: &str| std::fs::read_to_string(p).map(|s| s.trim().to_owned()).ok();
        if read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns").as_deref() == Some("1") {
            return "AppArmor restricts unprivileged user namespaces here: install the profile in contrib/apparmor/agentcred (see its header), or `sysctl kernel.apparmor_restrict_unprivileged_userns=0`".into();
        }
        if read("/proc/sys/kernel/unprivileged_userns_clone").as_deref() == Some("0") {
            return "enable unprivileged user namespaces: `sysctl kernel.unprivileged_userns_clone=1`".into();
        }
        if read("/proc/sys/user/max_user_namespaces").as_deref() == Some("0") {
            return "allow user namespaces: `sysctl user.max_user_namespaces=15000` (it is 0 here)"
                .into();
        }
        "enable unprivileged user namespaces (CONFIG_USER_NS, `sysctl user.max_user_namespaces`), or run outside a container that forbids them (seccomp blocking unshare)".into()
    }

    fn unshare(flags: UnshareFlags) -> rustix::io::Result<()> {
        // SAFETY: rustix marks unshare unsafe because CLONE_FILES in a threaded program can
        // leave other threads with descriptors that are not theirs. The flags here are only
        // user and mount namespaces, and the helper has one thread.
        unsafe { rustix::thread::unshare_unsafe(flags) }
    }

    /// Enter a user + mount namespace mapping `uid`/`gid` to themselves.
    fn enter_userns(uid: u32, gid: u32) -> std::result::Result<(), String> {
        unshare(UnshareFlags::NEWUSER | UnshareFlags::NEWNS)
            .map_err(|e| format!("unshare(CLONE_NEWUSER|CLONE_NEWNS) failed: {e}"))?;
        let write = |path: &str, text: String| {
            std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))
        };
        write("/proc/self/setgroups", "deny".into())?;
        write("/proc/self/uid_map", format!("{uid} {uid} 1\n"))?;
        write("/proc/self/gid_map", format!("{gid} {gid} 1\n"))?;
        Ok(())
    }

    /// Steps 1 and 2 of the module doc.
    fn hide_paths(hide: &[PathBuf], uid: u32, gid: u32) -> std::result::Result<(), String> {
        enter_userns(uid, gid)?;
        rustix::mount::mount_change(
            "/",
            MountPropagationFlags::PRIVATE | MountPropagationFlags::REC,
        )
        .map_err(|e| format!("cannot make the mounts private: {e}"))?;
        let locked = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
        for path in hide {
            let Ok(meta) = path.symlink_metadata() else {
                continue;
            };
            let is_dir = if meta.file_type().is_symlink() {
                path.is_dir()
            } else {
                meta.is_dir()
            };
            let failed = |what: &str, e: rustix::io::Errno| {
                format!("cannot hide {} ({what}): {e}", path.display())
            };
            if is_dir {
                rustix::mount::mount(
                    "agentcred-isolated",
                    path,
                    "tmpfs",
                    locked,
                    c"mode=0700,size=16k,nr_inodes=8",
                )
                .map_err(|e| failed("tmpfs", e))?;
                let _ = std::fs::write(
                    path.join(MARKER_FILE),
                    "This directory is hidden from a command run by `agentcred exec --isolate`.\n",
                );
                rustix::mount::mount_remount(path, locked | MountFlags::RDONLY, "mode=0500")
                    .map_err(|e| failed("read-only", e))?;
            } else {
                rustix::mount::mount_bind("/dev/null", path).map_err(|e| failed("bind", e))?;
                rustix::mount::mount_remount(
                    path,
                    MountFlags::BIND | MountFlags::RDONLY | locked,
                    "",
                )
                .map_err(|e| failed("read-only", e))?;
            }
        }
        Ok(())
    }

    /// Step 4: a nested user namespace with its own copy of the mounts, all of them locked.
    fn lock_mounts(uid: u32, gid: u32) -> std::result::Result<(), String> {
        enter_userns(uid, gid)
    }

    /// Step 5.
    fn drop_privileges() -> std::result::Result<(), String> {
        use rustix::thread::{
            CapabilitySet, CapabilitySets, clear_ambient_capability_set,
            remove_capability_from_bounding_set, set_capabilities, set_no_new_privs,
        };
        // Ambient first (it needs nothing); the bounding set needs CAP_SETPCAP, which the
        // helper holds in its own user namespace (and root outside one); then the rest.
        clear_ambient_capability_set()
            .map_err(|e| format!("cannot clear ambient capabilities: {e}"))?;
        for cap in CapabilitySet::all().iter() {
            match remove_capability_from_bounding_set(cap) {
                Ok(()) | Err(rustix::io::Errno::INVAL) => {}
                Err(e) => return Err(format!("cannot drop {cap:?} from the bounding set: {e}")),
            }
        }
        set_capabilities(
            None,
            CapabilitySets {
                effective: CapabilitySet::empty(),
                permitted: CapabilitySet::empty(),
                inheritable: CapabilitySet::empty(),
            },
        )
        .map_err(|e| format!("cannot drop capabilities: {e}"))?;
        set_no_new_privs(true).map_err(|e| format!("cannot set no_new_privs: {e}"))?;
        Ok(())
    }

    /// Step 6.
    fn landlock_scopes() -> std::result::Result<(), String> {
        use landlock::{ABI, CompatLevel, Compatible, RulesetAttr, RulesetStatus, Scope};
        let status = landlock::Ruleset::default()
            .set_compatibility(CompatLevel::HardRequirement)
            .scope(Scope::AbstractUnixSocket | Scope::Signal)
            .and_then(|r| r.create())
            .and_then(|r| r.restrict_self())
            .map_err(|e| format!("Landlock scopes (ABI {}) unavailable: {e}", ABI::V6 as i32))?;
        match status.ruleset {
            RulesetStatus::FullyEnforced => Ok(()),
            other => Err(format!("Landlock scopes only {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bus_addresses_give_their_socket_paths_and_abstract_ones_none() {
        assert_eq!(
            bus_socket_paths("unix:path=/run/user/1000/bus"),
            vec![PathBuf::from("/run/user/1000/bus")]
        );
        assert_eq!(
            bus_socket_paths("unix:abstract=/tmp/dbus-x,guid=1;unix:path=/tmp/a%20b,guid=2"),
            vec![PathBuf::from("/tmp/a b")]
        );
        assert!(bus_socket_paths("tcp:host=127.0.0.1,port=1").is_empty());
    }

    #[test]
    fn the_helper_command_line_carries_the_plan_and_the_command_after_a_separator() {
        let plan = Plan {
            mode: Mode::BestEffort,
            hide: vec![PathBuf::from("/h/a")],
        };
        let args = helper_args(&plan, Some(5), &["--hide".into(), "x".into()]);
        let args: Vec<String> = args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                HELPER,
                "--report-fd",
                "5",
                "--best-effort",
                "--hide",
                "/h/a",
                "--",
                "--hide",
                "x"
            ]
        );
    }
}
