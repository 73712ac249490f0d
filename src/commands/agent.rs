//! `agentcred agent`: the operator's lifecycle of the profile's agent, for services that have
//! one ([`crate::service::Lifecycle`]); an action the service lacks is refused (exit 2) naming
//! the services that have it.

use super::Ctx;
use crate::cli::args::AgentCommand;
use crate::error::Result;
use crate::service::AgentAction;
use crate::services;

pub fn run(ctx: &Ctx, command: AgentCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    let command = AgentAction::from(command);
    let action = command.name();
    let lifecycle = crate::service::of(profile.provider)?.lifecycle();
    match lifecycle.filter(|l| l.actions().contains(&action)) {
        Some(lifecycle) => {
            let view = lifecycle.run(ctx, name, profile, command)?;
            ctx.printer.print(&view)
        }
        None => {
            let err = services::refuse(&format!("agent {action}"), &name, &profile, |s| {
                s.lifecycle().is_some_and(|l| l.actions().contains(&action))
            });
            Err(match lifecycle.and_then(|l| l.instead(action)) {
                Some(instead) => err.with_hint(instead),
                None => err,
            })
        }
    }
}
