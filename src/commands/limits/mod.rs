//! `agentcred limits`: spending limits. FluxA has one, read-only: the agent's monthly headroom
//! from its status; Proxy's policy can also be set.

mod proxy;

use serde::Serialize;

use super::{Ctx, require_provider};
use crate::cli::LimitsCommand;
use crate::error::Result;
use crate::output::{Human, Render};
use crate::profile::Provider;
use crate::providers::fluxa;

use super::status::{Monthly, fluxa_monthly};

#[derive(Serialize)]
struct FluxaLimits {
    profile: String,
    provider: Provider,
    monthly: Monthly,
}

impl Render for FluxaLimits {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Monthly spending limit of profile '{}' (FluxA):",
            self.profile
        ));
        self.monthly.render(out);
    }
}

pub fn run(ctx: &Ctx, command: LimitsCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    match command {
        LimitsCommand::Show => {
            require_provider(
                "limits show",
                &name,
                profile.provider,
                &[Provider::Fluxa, Provider::Proxy],
            )?;
            match profile.provider {
                Provider::Fluxa => {
                    let session = ctx.session_for(name, profile)?;
                    let body = fluxa::status(&session, None, Some(1))?;
                    let agent = body.get("agent").cloned().unwrap_or_default();
                    ctx.printer.print(&FluxaLimits {
                        profile: session.name.clone(),
                        provider: Provider::Fluxa,
                        monthly: fluxa_monthly(&agent),
                    })
                }
                _ => proxy::show(ctx, name, profile),
            }
        }
        LimitsCommand::Set(args) => {
            require_provider("limits set", &name, profile.provider, &[Provider::Proxy])?;
            proxy::set(ctx, name, profile, args)
        }
    }
}
