//! `agentcred limits`: spending limits, for services that have them
//! ([`crate::service::Limits`]); `set` only where the service lets the operator change them.
//! The service returns what it found or set as a [`crate::view::View`]; this renders it.

use super::Ctx;
use crate::cli::args::LimitsCommand;
use crate::error::Result;
use crate::services;

pub fn run(ctx: &Ctx, command: LimitsCommand) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    let limits = crate::service::of(profile.provider)?.limits();
    let view = match command {
        LimitsCommand::Show => match limits {
            Some(limits) => limits.show(ctx, name, profile)?,
            None => {
                return Err(services::refuse("limits show", &name, &profile, |s| {
                    s.limits().is_some()
                }));
            }
        },
        LimitsCommand::Set(args) => match limits.filter(|l| l.settable()) {
            Some(limits) => limits.set(ctx, name, profile, args.into())?,
            None => {
                return Err(services::refuse("limits set", &name, &profile, |s| {
                    s.limits().is_some_and(|l| l.settable())
                }));
            }
        },
    };
    ctx.printer.print(&view)
}
