//! `agentcred status`: the agent as its service sees it, plus local facts that need no
//! network: which store holds each secret and when each short-lived credential expires
//! (decoded from the JWT's `exp`). `--all` shows the local facts of every profile.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::StatusArgs;
use crate::error::Result;
use crate::local::LocalFacts;
use crate::output::{Human, Render};
use crate::services;
use crate::spec::Provider;

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    if args.all {
        return all(ctx);
    }
    let session = ctx.session()?;
    services::service(session.provider())?.status(ctx, &session, &args)
}

#[derive(Serialize)]
struct ProfileFacts {
    profile: String,
    provider: Provider,
    agent_id: String,
    sandbox: bool,
    current: bool,
    local: LocalFacts,
}

#[derive(Serialize)]
struct AllView {
    profiles: Vec<ProfileFacts>,
}

impl Render for AllView {
    fn human(&self, out: &mut Human) {
        if self.profiles.is_empty() {
            out.line("No profiles. Register one with `agentcred register PROVIDER ...` (add --sandbox to try it offline).");
            return;
        }
        for p in &self.profiles {
            let marks = [
                p.current.then_some("current"),
                p.sandbox.then_some("sandbox"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            out.heading(&format!(
                "{} — {} agent {}{marks}",
                p.profile,
                p.provider.display_name(),
                p.agent_id
            ));
            p.local.render(out);
        }
    }
}

fn all(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let mut profiles = Vec::new();
    for (name, profile) in &config.profiles {
        // Local facts only: no sandbox, no endpoints, no network.
        let store =
            crate::store::open_profile(name, profile.store, profile.vault.as_ref(), &ctx.paths)?;
        profiles.push(ProfileFacts {
            profile: name.clone(),
            provider: profile.provider,
            agent_id: profile.agent_id.clone(),
            sandbox: profile.sandbox,
            current: config.current.as_deref() == Some(name),
            local: LocalFacts::of(name, profile, store.as_ref())?,
        });
    }
    ctx.printer.print(&AllView { profiles })
}
