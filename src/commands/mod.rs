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
mod freeze;
mod gateway;
mod import;
mod leaks;
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
        freeze::outputs(),
        leaks::outputs(),
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
    // Inside an isolated `exec` there is no store to find: say so, rather than "no profile"
    // or "keychain unavailable". What needs no secret still works, and `mcp` serves through
    // the run's gateway.
    let needs_no_store = matches!(
        cli.command,
        Command::Schema | Command::Completions(_) | Command::Doctor | Command::Mcp(_)
    );
    if !needs_no_store && crate::isolate::inside(&ctx.paths) {
        return Err(crate::isolate::isolated_error());
    }
    // `--reveal` where nothing secret is shown would be silently ignored: the caller expects
    // a secret they will not get.
    let reveals = match &cli.command {
        Command::Register(_) => true,
        // A credential that never expires is printed only with --reveal.
        Command::Token(_) => true,
        Command::Service(cmd) => cmd.shows_new_secret(),
        _ => false,
    };
    if ctx.global.reveal && !reveals {
        return Err(crate::error::Error::usage(
            "--reveal prints a new secret where a command shows one (register, creating or rotating a key, token or client secret, and `token` of a credential that never expires); this command shows none",
        )
        .with_hint(
            "drop --reveal; a stored secret is never printed (`agentcred token` prints the bearer credential)",
        ));
    }
    if !matches!(
        cli.command,
        Command::Sandbox(_) | Command::Completions(_) | Command::Schema | Command::Doctor
    ) {
        settle_runs(ctx);
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
        Command::Freeze(args) => freeze::freeze(ctx, args),
        Command::Unfreeze(args) => freeze::unfreeze(ctx, args),
        Command::Leaks(cmd) => leaks::run(ctx, cmd),
        Command::Service(cmd) => ctx.printer.print(&cmd.run(ctx)?),
        Command::Agent(cmd) => agent::run(ctx, cmd),
        Command::Login(args) => login::login(ctx, args),
        Command::Logout(args) => login::logout(ctx, args),
    }
}

/// Revoke what earlier runs of the selected profile minted and could not revoke (agentcred
/// killed, the service down then), before the command itself; costs one directory read when
/// there is nothing to do. A failure stays recorded and is said on stderr, never fatal.
fn settle_runs(ctx: &Ctx) {
    // Only the selected profile: this runs before every command, so its cost must not grow
    // with the number of profiles.
    let Ok(config) = crate::profile::Config::load_one(&ctx.paths, ctx.global.profile.as_deref())
    else {
        return;
    };
    let Ok(name) = ctx.selected_name(&config) else {
        return;
    };
    if !crate::ephemeral::has_pending(&ctx.paths, &name) {
        return;
    }
    let Some(profile) = config.profiles.get(&name).cloned() else {
        return;
    };
    let Ok(incident) = services::incident(profile.provider) else {
        return;
    };
    match ctx.session_for(name, profile) {
        Ok(session) => {
            crate::ephemeral::retry(ctx, &session, incident);
        }
        Err(e) => ctx.printer.warn_coded(
            "run_credential_pending",
            format!(
                "could not revoke credentials left over from earlier runs: {}",
                e.message
            ),
        ),
    }
}
