//! `agentcred register SERVICE`: each service registers in its own module (see
//! [`crate::services::RegisterCommand`]); what they share is [`crate::enroll`].

use super::Ctx;
use crate::error::Result;
use crate::services::RegisterCommand;

pub fn run(ctx: &Ctx, command: RegisterCommand) -> Result<()> {
    let registered = command.run(ctx)?;
    ctx.printer.print(&registered)
}
