//! `status` for a Fluxra profile: the service's health and version (`GET /health`), the agent,
//! its API keys (marking the one the profile uses), and the local facts, among them the JWT's
//! expiry decoded locally.

use serde::Serialize;

use super::client::{self as fluxra, Health, ListedWith};
use super::keys::{KeyRow, listed_key_rows, render_keys};
use crate::cli::args::StatusArgs;
use crate::context::Ctx;
use crate::error::Result;
use crate::health::{Budget, CredentialFact};
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render, tables};
use crate::session::Session;
use crate::spec::Provider;

#[derive(Serialize, schemars::JsonSchema)]
struct FluxraStatus {
    profile: String,
    provider: Provider,
    sandbox: bool,
    service: Health,
    agent: Agent,
    key_in_use: Option<String>,
    keys_listed_with: ListedWith,
    keys: Vec<KeyRow>,
    /// The spending headroom in the shape every service's status shares (none here).
    budget: Option<Budget>,
    /// The profile's secrets: where each is and when it expires.
    credentials: Vec<CredentialFact>,
    local: LocalFacts,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Agent {
    agent_id: String,
    name: Option<String>,
}

pub(super) fn show(ctx: &Ctx, session: &Session, _args: &StatusArgs) -> Result<()> {
    let service = fluxra::health(session.http, session.endpoint("api"))?;
    let (keys, keys_listed_with) = listed_key_rows(ctx, session)?;
    // Read after the calls above, which may have refreshed the JWT.
    let local = LocalFacts::read(session)?;
    ctx.printer.print(&FluxraStatus {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        sandbox: session.profile.sandbox,
        service,
        agent: Agent {
            agent_id: session.profile.agent_id.clone(),
            name: session.profile.agent_name.clone(),
        },
        key_in_use: super::key_in_use(&session.profile),
        keys_listed_with,
        keys,
        budget: None,
        credentials: local.credentials(),
        local,
    })
}

impl Render for FluxraStatus {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Profile '{}': Fluxra agent {}{sandbox}",
            self.profile, self.agent.agent_id
        ));
        let service = match (&self.service.status, &self.service.version) {
            (Some(status), Some(version)) => format!("{status}, version {version}"),
            (Some(status), None) => status.clone(),
            (None, Some(version)) => format!("version {version}"),
            (None, None) => "-".to_owned(),
        };
        out.fields(&[
            ("name", tables::cell(self.agent.name.as_deref())),
            ("service", service),
            ("key in use", tables::cell(self.key_in_use.as_deref())),
        ]);
        out.heading("API keys");
        render_keys(out, &self.keys);
        out.heading("Local credentials");
        self.local.render(out);
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("status", schema_of::<FluxraStatus>())]
}
