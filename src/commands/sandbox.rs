//! `agentcred sandbox serve`: the embedded emulator in the foreground, for other programs
//! (an agent's own SDK, curl) to use. Prints each service's base URL on stdout, as
//! `VAR=URL` lines that a shell can `export`, or as JSON.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::{SandboxCommand, SandboxServeArgs};
use crate::error::Result;
use crate::output::{Human, Output, Render};
use crate::sandbox_host;

#[derive(Serialize, schemars::JsonSchema)]
struct Serving {
    base_url: String,
    state_file: String,
    services: std::collections::BTreeMap<&'static str, String>,
}

impl Render for Serving {
    fn human(&self, out: &mut Human) {
        for (var, url) in &self.services {
            out.line(format!("{var}={url}"));
        }
    }
}

pub fn run(ctx: &Ctx, command: SandboxCommand) -> Result<()> {
    match command {
        SandboxCommand::Serve(args) => serve(ctx, args),
    }
}

fn serve(ctx: &Ctx, args: SandboxServeArgs) -> Result<()> {
    let state = args.state.unwrap_or_else(|| ctx.paths.sandbox_state_file());
    let mut printed = Ok(());
    sandbox_host::serve(state.clone(), args.port, |base, urls| {
        let view = Serving {
            base_url: base.to_owned(),
            state_file: state.display().to_string(),
            services: urls,
        };
        printed = ctx.printer.print(&view);
        ctx.printer.status(format!(
            "Sandbox listening on {base} (state in {}); Ctrl-C to stop.",
            state.display()
        ));
    })?;
    printed
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("sandbox serve", schema_of::<Serving>())]
}
