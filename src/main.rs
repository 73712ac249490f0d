//! Parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match agentcred::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return agentcred::app::report_parse_error(err),
    };
    agentcred::app::run(cli)
}
