//! Parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    agentcred::services::install();
    let cli = match agentcred::cli::parse() {
        Ok(cli) => cli,
        Err(err) => return agentcred::app::report_parse_error(err),
    };
    agentcred::app::run(cli)
}
