//! The process around a command: printer set-up, running, and turning the outcome into an
//! exit code (contract §8). Both parse errors and command errors are reported here, as
//! `error:`/`hint:` lines or, with `--json`, as the JSON error envelope on stderr.

use std::process::ExitCode;

use crate::cli::Cli;
use crate::commands::{self, Ctx};
use crate::error::Error;
use crate::output::{ColorChoice, Printer};

/// `--json` or `AGENTCRED_OUTPUT=json`.
fn json_requested(flag: bool) -> bool {
    flag || std::env::var("AGENTCRED_OUTPUT").is_ok_and(|v| v.eq_ignore_ascii_case("json"))
}

pub fn run(cli: Cli) -> ExitCode {
    let printer = Printer::new(
        json_requested(cli.global.json),
        cli.global.quiet,
        cli.global.color,
    );
    let outcome = Ctx::new(cli.global.clone(), printer.clone())
        .and_then(|ctx| commands::run(cli, &ctx).map(|()| ctx.exit_code()));
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            printer.error(&err);
            ExitCode::from(err.exit_code())
        }
    }
}

/// Help and version go to stdout with exit 0; anything else is a usage error (exit 2),
/// reported in the JSON envelope when JSON was asked for.
pub fn report_parse_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let json = json_requested(std::env::args().any(|a| a == "--json"));
    if !json {
        let _ = err.print();
        return ExitCode::from(2);
    }
    let rendered = err.render().to_string();
    let message = rendered
        .lines()
        .next()
        .unwrap_or("invalid command line")
        .trim_start_matches("error: ")
        .to_owned();
    let usage = rendered
        .lines()
        .find(|l| l.trim_start().starts_with("Usage:"))
        .map(str::trim);
    let mut error = Error::usage(message);
    error = error.with_hint(match usage {
        Some(usage) => format!("{usage}; see --help"),
        None => "see `agentcred --help`".to_owned(),
    });
    Printer::new(true, false, ColorChoice::Never).error(&error);
    ExitCode::from(2)
}
