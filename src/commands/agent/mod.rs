//! `agentcred agent`: the operator's lifecycle of the profile's agent (AuthPI, Proxy).

mod authpi;
mod proxy;

use super::{Ctx, require_provider};
use crate::cli::AgentCommand;
use crate::error::Result;
use crate::profile::Provider;

pub fn run(ctx: &Ctx, command: AgentCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    require_provider(
        "agent",
        &name,
        profile.provider,
        &[Provider::Authpi, Provider::Proxy],
    )?;
    match profile.provider {
        Provider::Authpi => authpi::run(ctx, name, profile, command),
        _ => proxy::run(ctx, name, profile, command),
    }
}
