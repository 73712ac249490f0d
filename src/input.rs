//! Input from the user, never from argv (contract §5).
//!
//! A secret comes from stdin when stdin is not a terminal (piped: `echo $KEY | agentcred login
//! proxy`), otherwise from a hidden prompt. With `--no-input`, or when stdin is not a terminal
//! and empty, nothing waits: the command fails with exit 2 and says how to provide the value.
//! Piped stdin is still read under `--no-input`, since it is input given up front, not asked for.

use std::io::{IsTerminal, Read};

use crate::error::{Error, Result};
use crate::secret::Secret;

/// How to give the value without a prompt, for the error message.
pub struct Hint<'a>(pub &'a str);

/// Read one secret line. `what` names it in the prompt and in errors.
pub fn secret(what: &str, no_input: bool, hint: Hint) -> Result<Secret<String>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut text = String::new();
        stdin
            .lock()
            .read_to_string(&mut text)
            .map_err(|e| Error::usage(format!("cannot read the {what} from stdin: {e}")))?;
        let value = text.trim_end_matches(['\n', '\r']).trim().to_owned();
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
    let value = rpassword::prompt_password(format!("{what}: "))
        .map_err(|e| Error::usage(format!("cannot read the {what} from the terminal: {e}")))?;
    let value = value.trim().to_owned();
    if value.is_empty() {
        return Err(Error::usage(format!("the {what} was empty")).with_hint(hint.0.to_owned()));
    }
    Ok(Secret::new(value))
}

/// Ask for confirmation of a destructive action (`what`, e.g. "deleting AuthPI agent agt_1")
/// with `question` on a terminal; `--yes` skips it. Without a terminal (or with `--no-input`)
/// there is nobody to ask, so `--yes` is required and the error names what needed confirming.
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
        Err(
            Error::usage(format!("{what} was not confirmed; nothing was changed"))
                .with_hint("answer y, or pass --yes"),
        )
    }
}
