//! `agentcred register SERVICE`: each service registers in its own module (see
//! [`crate::cli::RegisterCommand`]); what they share is [`crate::enroll`].

use super::Ctx;
use crate::cli::RegisterCommand;
use crate::error::Result;

pub fn run(ctx: &Ctx, command: RegisterCommand) -> Result<()> {
    let registered = command.run(ctx)?;
    ctx.printer.print(&registered)
}
