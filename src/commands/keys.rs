//! `agentcred keys` (Fluxra).

use super::{Ctx, require_provider};
use crate::cli::KeysCommand;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(ctx: &Ctx, _command: KeysCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    require_provider("keys", &name, profile.provider, &[Provider::Fluxra])?;
    Err(providers::not_yet(Provider::Fluxra))
}
