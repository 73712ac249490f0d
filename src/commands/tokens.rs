//! `agentcred tokens` (Proxy).

use super::{Ctx, require_provider};
use crate::cli::TokensCommand;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(ctx: &Ctx, _command: TokensCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    require_provider("tokens", &name, profile.provider, &[Provider::Proxy])?;
    Err(providers::not_yet(Provider::Proxy))
}
