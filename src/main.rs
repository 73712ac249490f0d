//! Parse, run, exit. Everything else lives in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    // The isolation helper of `exec --isolate` must run while the process has one thread,
    // before anything else.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|a| a == agentcred::isolate::HELPER) {
        return agentcred::isolate::helper_main(args.collect());
    }
    // Release builds abort on a panic: one-time secrets being stored are rescued by this hook.
    agentcred::store::rescue::install_panic_hook();
    agentcred::services::install();
    let cli = match agentcred::cli::parse() {
        Ok(cli) => cli,
        Err(err) => return agentcred::app::report_parse_error(err),
    };
    agentcred::app::run(cli)
}
