//! `agentcred register authpi`.

use crate::cli::RegisterAuthpiArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(_ctx: &Ctx, _args: RegisterAuthpiArgs) -> Result<()> {
    Err(providers::not_yet(Provider::Authpi))
}
