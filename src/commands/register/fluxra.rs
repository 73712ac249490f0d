//! `agentcred register fluxra`.

use crate::cli::RegisterFluxraArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(_ctx: &Ctx, _args: RegisterFluxraArgs) -> Result<()> {
    Err(providers::not_yet(Provider::Fluxra))
}
