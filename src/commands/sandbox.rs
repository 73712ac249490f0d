//! `agentcred sandbox serve`: the embedded emulator in the foreground, for other programs
//! (an agent's own SDK, curl) to use. Prints each service's base URL on stdout, as
//! `VAR=URL` lines that a shell can `export`, then `AGENTCRED_SANDBOX_TOKEN=...`, the random
//! token its control routes (`/_sandbox/...`: request log, faults, knobs) require as
//! `Authorization: Bearer`; or all of it as JSON.
//!
//! `agentcred sandbox approve [--revoke]`: play the owner of a sandbox profile's agent, for a
//! service whose new agents wait for their owner's approval (the sandbox says which). It
//! changes the sandbox state file directly, so it needs no running sandbox.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::{SandboxApproveArgs, SandboxCommand, SandboxServeArgs};
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::sandbox_host;
use crate::services;
use crate::spec::Provider;

#[derive(Serialize, schemars::JsonSchema)]
struct Serving {
    base_url: String,
    state_file: String,
    services: std::collections::BTreeMap<&'static str, String>,
    /// What the control routes (`/_sandbox/...`) require as `Authorization: Bearer`.
    control_token: String,
}

impl Render for Serving {
    fn human(&self, out: &mut Human) {
        for (var, url) in &self.services {
            out.line(format!("{var}={url}"));
        }
        out.line(format!("AGENTCRED_SANDBOX_TOKEN={}", self.control_token));
    }
}

pub fn run(ctx: &Ctx, command: SandboxCommand) -> Result<()> {
    match command {
        SandboxCommand::Serve(args) => serve(ctx, args),
        SandboxCommand::Approve(args) => approve(ctx, args),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Approval {
    profile: String,
    provider: Provider,
    agent_id: String,
    /// Whether the owner now approves the agent (false after `--revoke`).
    owner_approved: bool,
}

impl Render for Approval {
    fn human(&self, out: &mut Human) {
        if self.owner_approved {
            out.line(format!(
                "The owner approved {} agent {} (profile '{}'); its wallet is funded.",
                self.provider.display_name(),
                self.agent_id,
                self.profile
            ));
        } else {
            out.line(format!(
                "The owner took back the approval of {} agent {} (profile '{}').",
                self.provider.display_name(),
                self.agent_id,
                self.profile
            ));
        }
    }
}

fn approve(ctx: &Ctx, args: SandboxApproveArgs) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    let spec = profile.provider.spec();
    if !sandbox_host::has_owner_approval(spec) {
        return Err(services::refuse("sandbox approve", &name, &profile, |s| {
            sandbox_host::has_owner_approval(s.spec())
        }));
    }
    if !profile.sandbox {
        return Err(Error::usage(format!(
            "profile '{name}' is not a sandbox profile: only its real owner can approve its agent"
        ))
        .with_hint(
            "`sandbox approve` plays the owner of agents registered with --sandbox; \
             a sandbox served by `sandbox serve` also has an approval page at its authorization URL",
        ));
    }
    let state = ctx.paths.sandbox_state_file();
    sandbox_host::set_owner_approval(&state, spec, &profile.agent_id, !args.revoke)?;
    ctx.printer.print(&Approval {
        profile: name,
        provider: profile.provider,
        agent_id: profile.agent_id.clone(),
        owner_approved: !args.revoke,
    })
}

fn serve(ctx: &Ctx, args: SandboxServeArgs) -> Result<()> {
    let state = match args.state {
        Some(state) => state,
        None => {
            // agentcred's own data directory: made here (0700) on a first use, as any other
            // command that writes into it would.
            let state = ctx.paths.sandbox_state_file();
            if let Some(dir) = state.parent() {
                crate::fsutil::create_private_dir(dir).map_err(|e| {
                    Error::usage(format!("cannot create {}: {e}", dir.display())).with_hint(
                        "set AGENTCRED_HOME to a directory you can write, or give --state FILE",
                    )
                })?;
            }
            state
        }
    };
    let mut printed = Ok(());
    sandbox_host::serve(state.clone(), args.port, |base, urls, token| {
        let view = Serving {
            base_url: base.to_owned(),
            state_file: state.display().to_string(),
            services: urls,
            control_token: token.to_owned(),
        };
        printed = ctx.printer.print(&view);
        ctx.printer.notice(
            "sandbox_listening",
            format!(
                "Sandbox listening on {base} (state in {}); Ctrl-C to stop.",
                state.display()
            ),
        );
    })?;
    printed
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("sandbox serve", schema_of::<Serving>()),
        ("sandbox approve", schema_of::<Approval>()),
    ]
}
