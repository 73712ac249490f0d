//! `agentcred mcp`: the Model Context Protocol over stdio.

use super::Ctx;
use crate::cli::args::McpArgs;
use crate::error::{Error, Result};

pub fn run(_ctx: &Ctx, _args: McpArgs) -> Result<()> {
    Err(Error::internal("not yet"))
}
