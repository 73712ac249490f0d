//! `agentcred agent` for Proxy profiles: the operator's lifecycle of the profile's agent.
//!
//! - `show`: the agent as the service has it (`GET /v1/agents/{id}`).
//! - `suspend` / `activate`: `PATCH /v1/agents/{id}` with `status` (suspending freezes the
//!   agent's cards, activating unfreezes them). Proxy records no reason: `--reason` gets a
//!   warning saying so (the suspension itself is not delayed by it).
//! - `deregister`: asks for confirmation (or `--yes`), then `POST /v1/agents/{id}/deregister`:
//!   the agent's tokens are revoked and its cards frozen at the service. The profile records
//!   when, so later commands say so; the external id can be registered again (with
//!   `register proxy` under the same profile name).
//! - `block` and `delete` are not Proxy's: the generic command refuses them (exit 2).

use serde::Serialize;

use super::support::{self as common, AgentView};
use crate::context::Ctx;
use crate::error::Result;
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::service::{AgentAction, action_not_offered};
use crate::spec::Provider;
use crate::timefmt;

#[derive(Serialize, schemars::JsonSchema)]
pub struct AgentResult {
    profile: String,
    provider: Provider,
    /// `show`, `suspend`, `activate` or `deregister`.
    action: &'static str,
    agent: AgentView,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_status: Option<String>,
    /// After `deregister`: the command that registers the external id again.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

impl Render for AgentResult {
    fn human(&self, out: &mut Human) {
        match self.action {
            "suspend" => out.line(format!(
                "Suspended Proxy agent {} (profile '{}'); its cards are frozen until `agentcred agent activate`.",
                self.agent.id, self.profile
            )),
            "activate" => out.line(format!(
                "Activated Proxy agent {} (profile '{}').",
                self.agent.id, self.profile
            )),
            "deregister" => {
                out.line(format!(
                    "Deregistered Proxy agent {} (profile '{}'): its tokens are revoked and its cards frozen.",
                    self.agent.id, self.profile
                ));
                if let Some(next) = &self.next {
                    out.line(format!(
                        "Its external id is free again: `{next}` registers a new agent into this profile."
                    ));
                }
                return;
            }
            _ => {}
        }
        self.agent.render(out);
    }
}

pub fn run(ctx: &Ctx, name: String, profile: Profile, command: AgentAction) -> Result<AgentResult> {
    let session = ctx.session_for(name, profile)?;
    let agent_id = session.profile.agent_id.clone();
    let (action, agent, previous_status) = match command {
        AgentAction::Show => {
            let (client, _) = common::operator(ctx, &session)?;
            ("show", client.agent(&agent_id)?, None)
        }
        AgentAction::Suspend { reason } => {
            if reason.is_some() {
                ctx.printer.warn_coded(
                    "reason_not_sent",
                    "Proxy does not record a reason for a suspension; --reason was not sent",
                );
            }
            common::refuse_if_deregistered(&session)?;
            let (client, _) = common::operator(ctx, &session)?;
            ("suspend", client.set_status(&agent_id, "suspended")?, None)
        }
        AgentAction::Activate => {
            common::refuse_if_deregistered(&session)?;
            let (client, _) = common::operator(ctx, &session)?;
            ("activate", client.set_status(&agent_id, "active")?, None)
        }
        AgentAction::Deregister { yes } => {
            let (client, _) = common::operator(ctx, &session)?;
            ctx.confirm(
                &format!(
                    "deregistering Proxy agent {agent_id} of profile '{}' (its tokens are revoked and its cards frozen, for good)",
                    session.name
                ),
                &format!(
                    "Deregister Proxy agent {agent_id}? Its tokens are revoked and its cards frozen, for good."
                ),
                yes,
            )?;
            let agent = client.deregister(&agent_id)?;
            let at = agent
                .deregistered_at
                .as_ref()
                .and_then(timefmt::normalize)
                .unwrap_or_else(|| timefmt::from_unix_secs(timefmt::now_unix()));
            common::update_record(ctx, &session.name, |r| r.deregistered_at = Some(at))?;
            let previous = agent.previous_status.clone();
            ("deregister", agent, previous)
        }
        AgentAction::Block { .. } => return Err(action_not_offered(&super::SPEC, "block")),
        AgentAction::Delete { .. } => return Err(action_not_offered(&super::SPEC, "delete")),
    };
    let mut view = AgentView::from_api(&agent);
    // The deregister answer is short; keep what the profile knows.
    let record = common::record_of(&session.profile);
    if view.external_id.is_none() {
        view.external_id = record.external_id;
    }
    if view.user_id.is_none() {
        view.user_id = record.user_id;
    }
    if view.name.is_none() {
        view.name = session.profile.agent_name.clone();
    }
    Ok(AgentResult {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        action,
        next: (action == "deregister")
            .then(|| common::reregister_command(&session.name, &session.profile)),
        agent: view,
        previous_status,
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("agent", schema_of::<AgentResult>())]
}
