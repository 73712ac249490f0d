//! What to do: the one dispatch `match` over the generic commands. Each generic command asks
//! the service registry ([`crate::services`]) what the profile's service can do; a service's
//! own nouns (`keys`, `verifiers`, `tokens`, `cards`) and its `register` dispatch to its module.
//! Commands never use each other: what two of them share lives below them (`context`,
//! `enroll`, `operator`, `local`, `output`).

mod agent;
mod approvals;
mod audit;
mod completions;
mod doctor;
mod exec;
mod gateway;
mod import;
mod limits;
mod login;
mod mcp;
mod policy;
mod profiles;
mod refresh;
mod register;
mod sandbox;
pub mod schema;
mod status;
mod token;

use crate::cli::{Cli, Command};
use crate::error::Result;
use crate::services;

pub use crate::context::Ctx;

/// The `--json` outputs of the generic commands, for `agentcred schema`.
pub fn outputs() -> Vec<crate::output::Output> {
    [
        approvals::outputs(),
        audit::outputs(),
        doctor::outputs(),
        gateway::outputs(),
        import::outputs(),
        login::outputs(),
        policy::outputs(),
        profiles::outputs(),
        refresh::outputs(),
        sandbox::outputs(),
        status::outputs(),
        token::outputs(),
    ]
    .concat()
}

pub fn run(cli: Cli, ctx: &Ctx) -> Result<()> {
    // `--reveal` where nothing secret is shown would be silently ignored: the caller expects
    // a secret they will not get.
    let reveals = match &cli.command {
        Command::Register(_) => true,
        Command::Service(cmd) => cmd.shows_new_secret(),
        _ => false,
    };
    if ctx.global.reveal && !reveals {
        return Err(crate::error::Error::usage(
            "--reveal prints a new secret where a command shows one (register, and creating or rotating a key, token or client secret); this command shows none",
        )
        .with_hint(
            "drop --reveal; a stored secret is never printed (`agentcred token` prints the bearer credential)",
        ));
    }
    match cli.command {
        Command::Register(cmd) => register::run(ctx, cmd),
        Command::Refresh(args) => refresh::run(ctx, args),
        Command::Token(args) => token::run(ctx, args),
        Command::Status(args) => status::run(ctx, args),
        Command::Exec(args) => exec::run(ctx, args),
        Command::Gateway(args) => gateway::run(ctx, args),
        Command::Mcp(args) => mcp::run(ctx, args),
        Command::Limits(cmd) => limits::run(ctx, cmd),
        Command::Profiles(cmd) => profiles::run(ctx, cmd),
        Command::Policy(cmd) => policy::run(ctx, cmd),
        Command::Approvals(cmd) => approvals::run(ctx, cmd),
        Command::Audit(args) => audit::run(ctx, args),
        Command::Sandbox(cmd) => sandbox::run(ctx, cmd),
        Command::Completions(args) => completions::run(ctx, args),
        Command::Schema => schema::run(ctx),
        Command::Import(args) => import::run(ctx, args),
        Command::Doctor => doctor::run(ctx),
        Command::Service(cmd) => services::run_command(ctx, cmd),
        Command::Agent(cmd) => agent::run(ctx, cmd),
        Command::Login(args) => login::login(ctx, args),
        Command::Logout(args) => login::logout(ctx, args),
    }
}
