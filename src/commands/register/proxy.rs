//! `agentcred register proxy`.

use crate::cli::RegisterProxyArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;

pub fn run(_ctx: &Ctx, _args: RegisterProxyArgs) -> Result<()> {
    Err(providers::not_yet(Provider::Proxy))
}
