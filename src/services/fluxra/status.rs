//! `status` for a Fluxra profile: the service's health and version (`GET /health`), the agent,
//! its API keys (marking the one the profile uses), and the local facts, among them the JWT's
//! expiry decoded locally.

use serde::Serialize;

use super::client::{self as fluxra, Health, ListedWith};
use super::keys::{KeyRow, listed_key_rows, render_keys};
use crate::context::Ctx;
use crate::error::Result;
use crate::health::AgentState;
use crate::local::LocalFacts;
use crate::output::{Human, Output, tables};
use crate::session::Session;
use crate::status_view::{StatusCommon, StatusDetails, StatusQuery, StatusReport, StatusView};

/// What only Fluxra's status reports.
#[derive(Serialize, schemars::JsonSchema)]
struct FluxraDetails {
    service: Health,
    agent: Agent,
    key_in_use: Option<String>,
    keys_listed_with: ListedWith,
    keys: Vec<KeyRow>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Agent {
    agent_id: String,
    name: Option<String>,
}

pub(super) fn show(
    ctx: &Ctx,
    session: &Session,
    _query: &StatusQuery,
) -> Result<Box<dyn StatusReport>> {
    let service = fluxra::health(session.http, session.endpoint("api"))?;
    let (keys, keys_listed_with) = listed_key_rows(ctx, session)?;
    // Read after the calls above, which may have refreshed the JWT.
    let local = LocalFacts::read(session)?;
    let mut common = StatusCommon::new(
        &session.name,
        super::PROVIDER,
        session.profile.sandbox,
        &session.profile.agent_id,
        local,
    );
    // The keys were listed as the agent (or with its recovery key): it exists and may act.
    common.agent_status = Some(AgentState::Active);
    Ok(Box::new(StatusView {
        common,
        details: FluxraDetails {
            service,
            agent: Agent {
                agent_id: session.profile.agent_id.clone(),
                name: session.profile.agent_name.clone(),
            },
            key_in_use: super::key_in_use(&session.profile),
            keys_listed_with,
            keys,
        },
    }))
}

impl StatusDetails for FluxraDetails {
    fn human(&self, common: &StatusCommon, out: &mut Human) {
        let sandbox = if common.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Profile '{}': Fluxra agent {}{sandbox}",
            common.profile, common.agent_id
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
        common.local.render(out);
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("status", schema_of::<StatusView<FluxraDetails>>())]
}
