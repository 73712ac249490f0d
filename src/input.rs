//! Input from the user, never from argv (docs/cli-contract.md §5).
//!
//! A secret comes from stdin when stdin is not a terminal (piped: `echo $KEY | agentcred login
//! SERVICE`), otherwise from a hidden prompt. With `--no-input`, or when stdin is not a terminal
//! and empty, nothing waits: the command fails with exit 2 and says how to provide the value.
//! Piped stdin is still read under `--no-input`, since it is input given up front, not asked for,
//! but never waited on without bound: a pipe that delivers no line in time counts as empty.

use std::io::{BufRead, IsTerminal};
use std::sync::mpsc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::secret::Secret;

/// How to give the value without a prompt, for the error message.
pub struct Hint<'a>(pub &'a str);

/// How long piped stdin may take to deliver its line. A pipe that stays open with nothing in
/// it (an agent that spawned us with `stdin=PIPE` and never writes) must not hang the tool:
/// with `--no-input` nothing may wait, so the grace is short; otherwise it allows a slow
/// producer (`vault read ... | agentcred login SERVICE`).
const PIPE_GRACE_NO_INPUT: Duration = Duration::from_secs(2);
const PIPE_GRACE: Duration = Duration::from_secs(30);

/// After this long with nothing on a piped stdin, say what we are waiting for.
const SAY_WAITING_AFTER: Duration = Duration::from_secs(1);

/// Read one secret line. `what` names it in the prompt and in errors; `waiting` is told once
/// when a piped stdin keeps us waiting, so that a wait is never silent.
pub fn secret(
    what: &str,
    no_input: bool,
    hint: Hint,
    waiting: &dyn Fn(&str),
) -> Result<Secret<String>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let grace = if no_input {
            PIPE_GRACE_NO_INPUT
        } else {
            PIPE_GRACE
        };
        let say = || {
            waiting(&format!(
                "waiting for the {what} on stdin (it is a pipe; up to {} s)...",
                grace.as_secs()
            ))
        };
        let value = match piped_line(grace, &say) {
            PipedLine::Line(line) => line,
            PipedLine::Failed(e) => {
                return Err(Error::usage(format!(
                    "cannot read the {what} from stdin: {e}"
                )));
            }
            PipedLine::Nothing => String::new(),
            PipedLine::TimedOut => {
                return Err(Error::usage(format!(
                    "no {what} arrived on stdin within {} s (it is not a terminal)",
                    grace.as_secs()
                ))
                .with_hint(hint.0.to_owned()));
            }
        };
        if value.is_empty() {
            return Err(Error::usage(format!(
                "no {what} on stdin (it is not a terminal and was empty)"
            ))
            .with_hint(hint.0.to_owned()));
        }
        return Ok(Secret::new(value));
    }
    if no_input {
        return Err(Error::usage(format!(
            "the {what} is needed, but --no-input forbids asking for it"
        ))
        .with_hint(hint.0.to_owned()));
    }
    let value = rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
        // Ctrl-D ends input without a line break: end the prompt's line, so that the error
        // starts a line of its own.
        eprintln!();
        let why = if e.kind() == std::io::ErrorKind::UnexpectedEof {
            "input ended (Ctrl-D)".to_owned()
        } else {
            e.to_string()
        };
        Error::usage(format!("no {what} was read from the terminal: {why}"))
            .with_hint(hint.0.to_owned())
    })?;
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(Error::usage(format!("the {what} was empty")).with_hint(hint.0.to_owned()));
    }
    Ok(Secret::new(value))
}

enum PipedLine {
    Line(String),
    Nothing,
    TimedOut,
    Failed(std::io::Error),
}

/// One line of stdin, trimmed, read on a helper thread so the wait is bounded. One line at a
/// time (not to EOF) so that two values can be piped on two lines (an org key's id, then its
/// secret); the rest stays in stdin's shared buffer for the next call. A reader still blocked
/// after the grace is abandoned: the process exits soon after anyway.
fn piped_line(grace: Duration, say_waiting: &dyn Fn()) -> PipedLine {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let outcome = std::io::stdin().lock().read_line(&mut line).map(|_| line);
        let _ = sender.send(outcome);
    });
    let first = SAY_WAITING_AFTER.min(grace);
    let received = match receiver.recv_timeout(first) {
        Err(mpsc::RecvTimeoutError::Timeout) if grace > first => {
            say_waiting();
            receiver.recv_timeout(grace - first)
        }
        other => other,
    };
    match received {
        Ok(Ok(line)) => {
            let line = line.trim().to_owned();
            if line.is_empty() {
                PipedLine::Nothing
            } else {
                PipedLine::Line(line)
            }
        }
        Ok(Err(e)) => PipedLine::Failed(e),
        Err(_) => PipedLine::TimedOut,
    }
}

/// Ask for confirmation of a destructive action (`what`, e.g. "deleting agent agt_1")
/// with `question` on a terminal; `--yes` skips it. Without a terminal (or with `--no-input`)
/// there is nobody to ask, so `--yes` is required and the error names what needed confirming.
/// An answer other than yes ends the process with exit 0 and "nothing was changed".
pub fn confirm(what: &str, question: &str, yes: bool, no_input: bool) -> Result<()> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if no_input || !stdin.is_terminal() {
        return Err(Error::usage(format!(
            "{what} needs confirmation, and there is no terminal to ask"
        ))
        .with_hint("pass --yes to confirm"));
    }
    eprint!("{question} [y/N] ");
    let mut answer = String::new();
    stdin
        .read_line(&mut answer)
        .map_err(|e| Error::usage(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
        Ok(())
    } else {
        // Saying no is an answer, not a failure: nothing was done yet (nothing is written
        // before the question), so the command ends here, exit 0.
        if answer.is_empty() {
            eprintln!();
        }
        eprintln!("Not confirmed: {what} was not done; nothing was changed.");
        std::process::exit(0)
    }
}
