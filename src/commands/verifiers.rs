//! `agentcred verifiers` (AuthPI).

use super::{Ctx, require_provider};
use crate::cli::VerifiersCommand;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(ctx: &Ctx, _command: VerifiersCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    require_provider("verifiers", &name, profile.provider, &[Provider::Authpi])?;
    Err(providers::not_yet(Provider::Authpi))
}
