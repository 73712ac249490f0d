//! `agentcred agent` for Authpi profiles.

use crate::cli::AgentCommand;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::{Profile, Provider};
use crate::providers;

pub fn run(_ctx: &Ctx, _name: String, _profile: Profile, _command: AgentCommand) -> Result<()> {
    Err(providers::not_yet(Provider::Authpi))
}
