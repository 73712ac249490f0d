//! `limits show | set` for Proxy profiles: the agent's spending policy.

use crate::cli::LimitsSetArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::{Profile, Provider};
use crate::providers;

pub fn show(_ctx: &Ctx, _name: String, _profile: Profile) -> Result<()> {
    Err(providers::not_yet(Provider::Proxy))
}

pub fn set(_ctx: &Ctx, _name: String, _profile: Profile, _args: LimitsSetArgs) -> Result<()> {
    Err(providers::not_yet(Provider::Proxy))
}
