//! Running `exec`'s child as a transparent wrapper would (docs/cli-contract.md §10).
//!
//! - The child inherits stdin, stdout, stderr and the environment (with [`ChildEnv`] applied),
//!   and stays in agentcred's process group, so it can read from the terminal.
//! - Its exit code is returned as agentcred's; a child killed by signal N gives 128 + N, as
//!   shells report it.
//! - SIGINT, SIGTERM and SIGHUP sent to agentcred are forwarded to the child, and agentcred
//!   keeps waiting for it (a child that handles the signal decides when to stop). A signal the
//!   kernel itself generated for the terminal's foreground process group (Ctrl-C, a hang-up)
//!   is not forwarded: the child, in the same group, already received it, and a second SIGINT
//!   means "stop now" to many programs.
//! - The handlers are installed before the child starts, so a signal cannot slip between the
//!   two, and the child is only reaped after forwarding has stopped, so a late signal can
//!   never reach another process that reused its pid.
//! - A command that cannot be started is exit 127 (not found) or 126 (found but not executable),
//!   as shells report them, with the error on stderr.

use std::ffi::OsString;
use std::process::Command;

use crate::childenv::ChildEnv;
use crate::error::{Error, Result};

/// Run `argv` with `env` applied, forwarding signals; the exit code agentcred should exit with.
pub fn run(argv: &[OsString], env: &ChildEnv) -> Result<u8> {
    let (program, args) = argv.split_first().ok_or_else(|| {
        Error::usage("no command given").with_hint("agentcred exec -- CMD [ARGS...]")
    })?;
    let mut command = Command::new(program);
    command.args(args);
    env.apply(&mut command);
    imp::run(command, &program.to_string_lossy(), None)
}

/// [`run`], with the command started by the isolation helper under `plan`; `applied` is told
/// what the helper applied once the command has started. When isolation cannot be set up as
/// the plan demands, the command is not started and the error says why.
pub fn run_isolated(
    argv: &[OsString],
    env: &ChildEnv,
    plan: &crate::isolate::Plan,
    applied: &mut dyn FnMut(&crate::isolate::Report),
) -> Result<u8> {
    let program = argv
        .first()
        .ok_or_else(|| {
            Error::usage("no command given").with_hint("agentcred exec -- CMD [ARGS...]")
        })?
        .to_string_lossy()
        .into_owned();
    let (mut command, prepared) = crate::isolate::prepare(plan, argv)?;
    env.apply(&mut command);
    let mut prepared = Some(prepared);
    let mut started = || -> Result<()> {
        let report = prepared.take().expect("called once").started()?;
        if let Some((not_found, message)) = &report.exec_error {
            let e = std::io::Error::new(
                if *not_found {
                    std::io::ErrorKind::NotFound
                } else {
                    std::io::ErrorKind::Other
                },
                message.clone(),
            );
            return Err(spawn_error(&program, &e));
        }
        if report.fatal
            || (plan.mode == crate::isolate::Mode::Required && !report.missing.is_empty())
        {
            return Err(crate::isolate::unavailable_error(&report.missing));
        }
        applied(&report);
        Ok(())
    };
    imp::run(command, &program, Some(&mut started))
}

/// Exit 127 for a command that does not exist and 126 for one that cannot be run, as shells
/// report them, so that they cannot be mistaken for agentcred's own codes or the child's.
fn spawn_error(program: &str, e: &std::io::Error) -> Error {
    use crate::error::Code;
    if e.kind() == std::io::ErrorKind::NotFound {
        Error::coded(
            Code::CommandNotFound,
            format!("cannot run '{program}': command not found"),
        )
        .with_hint("check the command's name and PATH")
    } else {
        Error::coded(
            Code::CommandNotExecutable,
            format!("cannot run '{program}': {e}"),
        )
        .with_hint("check that the command is a file you may execute (chmod +x), not a directory")
    }
}

#[cfg(unix)]
mod imp {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Command;

    use rustix::process::{Pid, Signal, WaitId, WaitIdOptions, kill_process, waitid};
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use signal_hook::iterator::SignalsInfo;
    use signal_hook::iterator::exfiltrator::WithOrigin;
    use signal_hook::low_level::siginfo::Cause;

    use super::spawn_error;
    use crate::error::{Error, Result};

    pub fn run(
        mut command: Command,
        program: &str,
        started: Option<&mut dyn FnMut() -> Result<()>>,
    ) -> Result<u8> {
        let mut signals = SignalsInfo::<WithOrigin>::new([SIGINT, SIGTERM, SIGHUP])
            .map_err(|e| Error::internal(format!("cannot handle signals: {e}")))?;
        let handle = signals.handle();
        let mut child = match command.spawn() {
            Ok(child) => child,
            Err(e) => {
                handle.close();
                return Err(spawn_error(program, &e));
            }
        };
        if let Some(started) = started
            && let Err(e) = started()
        {
            handle.close();
            let _ = child.wait();
            return Err(e);
        }
        let pid = Pid::from_child(&child);
        let forwarder = std::thread::spawn(move || {
            for origin in signals.forever() {
                if matches!(origin.cause, Cause::Kernel) {
                    continue;
                }
                let signal = match origin.signal {
                    SIGINT => Signal::INT,
                    SIGTERM => Signal::TERM,
                    _ => Signal::HUP,
                };
                // The child may have just exited: nothing to deliver then.
                let _ = kill_process(pid, signal);
            }
        });
        // Wait for the child to end without reaping it, so its pid stays ours until the
        // forwarder has stopped.
        loop {
            match waitid(
                WaitId::Pid(pid),
                WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
            ) {
                Ok(_) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => break,
            }
        }
        handle.close();
        let _ = forwarder.join();
        let status = child
            .wait()
            .map_err(|e| Error::internal(format!("cannot wait for the command: {e}")))?;
        Ok(match (status.code(), status.signal()) {
            (Some(code), _) => (code & 0xff) as u8,
            (None, Some(signal)) => (128 + signal).clamp(0, 255) as u8,
            (None, None) => 1,
        })
    }
}

#[cfg(not(unix))]
mod imp {
    use std::process::Command;

    use super::spawn_error;
    use crate::error::{Error, Result};

    /// Without Unix signals there is nothing to forward; the console delivers Ctrl-C to the
    /// child itself.
    pub fn run(
        mut command: Command,
        program: &str,
        started: Option<&mut dyn FnMut() -> Result<()>>,
    ) -> Result<u8> {
        if let Some(started) = started {
            started()?;
        }
        let status = command.status().map_err(|e| spawn_error(program, &e))?;
        Ok(status.code().map_or(1, |c| (c & 0xff) as u8))
    }
}
