//! `agentcred cards` (Proxy).

use super::{Ctx, require_provider};
use crate::cli::CardsCommand;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(ctx: &Ctx, _command: CardsCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    require_provider("cards", &name, profile.provider, &[Provider::Proxy])?;
    Err(providers::not_yet(Provider::Proxy))
}
