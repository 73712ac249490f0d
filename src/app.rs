//! The process around a command: printer set-up, running, and turning the outcome into an
//! exit code (docs/cli-contract.md §8). Both parse errors and command errors are reported here, as
//! `error:`/`hint:` lines or, with `--json`, as the JSON error envelope on stderr.

use std::process::ExitCode;

use crate::cli::{Cli, ParseFailure};
use crate::commands::{self, Ctx, schema};
use crate::error::Error;
use crate::output::{ColorChoice, Printer};

/// `--json` or `AGENTCRED_OUTPUT=json` (`human` or unset: prose; anything else was refused
/// while parsing).
fn json_requested(flag: bool) -> bool {
    flag || std::env::var("AGENTCRED_OUTPUT").is_ok_and(|v| v.eq_ignore_ascii_case("json"))
}

pub fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(
        json_requested(cli.global.json),
        cli.global.quiet,
        cli.global.color,
    );
    let diagnosing = matches!(cli.command, crate::cli::Command::Doctor);
    let mut sandbox = cli.global.sandbox;
    let outcome = Ctx::new((&cli.global).into(), printer.clone())
        .and_then(|ctx| {
            // Everything but `doctor` (which reports it) stops at a home that cannot be one.
            // Inside an isolated `exec` the home is an empty, hidden directory, and the
            // directories above it belong to uids the isolation does not map: what needs the
            // store says `isolated` instead (commands::run).
            if !diagnosing && !crate::isolate::inside(&ctx.paths) {
                crate::homecheck::check_home(&ctx.paths)?;
            }
            Ok(ctx)
        })
        .and_then(|ctx| {
            let outcome = commands::run(cli, &ctx).map(|()| ctx.exit_code());
            if outcome.is_err() && !sandbox {
                sandbox = ctx.selected_profile().is_ok_and(|(_, p)| p.sandbox);
            }
            outcome
        });
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(mut err) => {
            if sandbox {
                keep_sandbox_in_hint(&mut err);
            }
            printer.error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// A hint that suggests `agentcred login ...` for a sandbox profile or under `--sandbox`
/// names `--sandbox` too: without it, the command would write the real operator-key slot.
fn keep_sandbox_in_hint(err: &mut Error) {
    if let Some(hint) = &mut err.hint {
        for command in ["login", "logout"] {
            let plain = format!("agentcred {command} ");
            if hint.contains(&plain) {
                *hint = hint.replace(&plain, &format!("agentcred --sandbox {command} "));
            }
        }
    }
}

/// Help and version go to stdout with exit 0 (as JSON under `--json`: the command's entry
/// of `agentcred schema`, or `{"version": ...}`); anything else is a usage error (exit 2),
/// reported in the JSON envelope when JSON was asked for.
pub fn report_parse_error(failure: ParseFailure) -> ExitCode {
    use clap::error::ErrorKind;
    let json = json_requested(std::env::args().any(|a| a == "--json"));
    let err = match failure {
        ParseFailure::Env(error) => {
            Printer::new(json, false, ColorChoice::Auto).error(&error);
            return ExitCode::from(error.exit_code());
        }
        ParseFailure::Clap(err) => err,
    };
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion if json => {
            let document = if err.kind() == ErrorKind::DisplayVersion {
                Some(serde_json::json!({
                    "schema_version": crate::output::SCHEMA_VERSION,
                    "name": "agentcred",
                    "version": env!("CARGO_PKG_VERSION"),
                }))
            } else {
                schema::command_entry(&subcommand_path())
            };
            if let Some(document) = document {
                let _ =
                    Printer::new(true, false, ColorChoice::Never).raw(&schema::pretty(&document));
                return ExitCode::SUCCESS;
            }
        }
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand if !json => {
            let _ = err.print();
            return ExitCode::from(2);
        }
        _ => {}
    }
    if !json {
        let _ = err.print();
        return ExitCode::from(2);
    }
    let rendered = err.render().to_string();
    let message = match err.kind() {
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let path = subcommand_path();
            format!(
                "`agentcred {}` needs a subcommand",
                if path.is_empty() {
                    "".to_owned()
                } else {
                    path.join(" ")
                }
            )
            .replace("`agentcred ` ", "`agentcred` ")
        }
        _ => rendered
            .lines()
            .next()
            .unwrap_or("invalid command line")
            .trim_start_matches("error: ")
            .to_owned(),
    };
    let usage = rendered
        .lines()
        .find(|l| l.trim_start().starts_with("Usage:"))
        .map(str::trim);
    let mut error = Error::usage(message);
    error = error.with_hint(match usage {
        Some(usage) => format!("{usage}; see --help"),
        None => "see `agentcred --help` (or `agentcred schema`)".to_owned(),
    });
    Printer::new(true, false, ColorChoice::Never).error(&error);
    ExitCode::from(2)
}

/// The subcommand names in the process's arguments (`["keys", "list"]`), for `--json --help`.
fn subcommand_path() -> Vec<String> {
    let mut command = crate::cli::command();
    let mut path = Vec::new();
    for arg in std::env::args().skip(1) {
        if arg.starts_with('-') {
            continue;
        }
        let Some(sub) = command.find_subcommand(&arg).cloned() else {
            continue;
        };
        path.push(sub.get_name().to_owned());
        command = sub;
    }
    path
}
