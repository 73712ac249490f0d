//! `agentcred completions SHELL`: the completion script, generated from the clap definitions
//! (the committed files in completions/ are the same output; a test checks they match).

use super::Ctx;
use crate::cli::args::CompletionsArgs;
use crate::error::Result;

pub fn run(ctx: &Ctx, args: CompletionsArgs) -> Result<()> {
    let script = crate::generate::completion(args.shell);
    ctx.printer.raw(&script)
}
