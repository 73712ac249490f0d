//! `status` for an AuthPI profile: the agent (status and reason, model, provider, scopes) and
//! its verifiers from the Core API, and the local facts (which store holds the client secret,
//! when the access token expires, decoded from its `exp`).
//!
//! The Core API needs the operator's org key, which an agent's own machine often does not
//! have: without one, status still shows the local facts, says on stderr what is missing, and
//! succeeds. Any other failure (the service down, the key refused) is an error as usual.

use serde::Serialize;

use super::{AgentView, AuthpiRecord, VerifierRow, core_if_key, render_verifiers, rows};
use crate::context::Ctx;
use crate::error::Result;
use crate::local::LocalFacts;
use crate::operator;
use crate::output::{Human, Output};
use crate::session::Session;
use crate::status_view::{StatusCommon, StatusDetails, StatusQuery, StatusReport, StatusView};

/// What only AuthPI's status reports.
#[derive(Serialize, schemars::JsonSchema)]
struct AuthpiDetails {
    account_id: Option<String>,
    issuer_id: Option<String>,
    /// The agent at AuthPI; null when it could not be asked (see `note`).
    agent: Option<AgentView>,
    verifiers: Option<Vec<VerifierRow>>,
    /// Whether the stored access token is active at AuthPI (RFC 7662 introspection with the
    /// org key): false when it was revoked; null without an org key, a stored token or an
    /// answer.
    access_token_active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl StatusDetails for AuthpiDetails {
    fn human(&self, common: &StatusCommon, out: &mut Human) {
        let sandbox = if common.sandbox { ", sandbox" } else { "" };
        out.line(format!(
            "AuthPI agent {} (profile '{}'{sandbox}; account {}, issuer {})",
            common.agent_id,
            common.profile,
            self.account_id.as_deref().unwrap_or("-"),
            self.issuer_id.as_deref().unwrap_or("-")
        ));
        if let Some(note) = &self.note {
            out.line(note);
        }
        if let Some(agent) = &self.agent {
            out.heading("Agent");
            agent.render(out, &[]);
        }
        if let Some(active) = self.access_token_active {
            out.line(if active {
                "Access token: active at AuthPI"
            } else {
                "Access token: NOT active at AuthPI (revoked); `agentcred refresh` gets a new one"
            });
        }
        if let Some(verifiers) = &self.verifiers {
            out.heading("Verifiers");
            if verifiers.is_empty() {
                out.line("none (add one with `agentcred verifiers add secret --use`)");
            } else {
                render_verifiers(out, verifiers, &common.profile);
            }
        }
        out.heading("Local credentials");
        common.local.render(out);
    }
}

pub(super) fn show(
    ctx: &Ctx,
    session: &Session,
    _query: &StatusQuery,
) -> Result<Box<dyn StatusReport>> {
    let profile = &session.profile;
    let record: AuthpiRecord = profile.record()?;
    let local = LocalFacts::read(session)?;
    let mut view = StatusView {
        common: StatusCommon::new(
            &session.name,
            super::PROVIDER,
            profile.sandbox,
            &profile.agent_id,
            local,
        ),
        details: AuthpiDetails {
            account_id: record.account_id.clone(),
            issuer_id: record.issuer_id.clone(),
            agent: None,
            verifiers: None,
            access_token_active: None,
            note: None,
        },
    };
    if let Some(when) = &record.deleted_at {
        view.details.note = Some(format!(
            "The agent was deleted ({when}); remove the profile with `agentcred profiles remove {}`.",
            session.name
        ));
        return Ok(Box::new(view));
    }
    let Some(core) = core_if_key(ctx, session)? else {
        // No org key: what can be known locally is still worth showing.
        let note = format!(
            "The agent and its verifiers need the AuthPI org key: no AuthPI operator credentials ({})",
            operator::how_to_provide(super::PROVIDER)
        );
        ctx.printer.warn_coded("operator_key_missing", &note);
        view.details.note = Some(note);
        return Ok(Box::new(view));
    };
    let agent = core.get_agent(&profile.agent_id)?.value;
    let verifiers = core.list_verifiers(&profile.agent_id)?;
    if agent.status.as_deref().is_some_and(|s| s != "active") {
        view.details.note = Some(format!(
            "The agent is {}: it cannot get new access tokens{}.",
            agent.status.as_deref().unwrap_or_default(),
            if agent.status.as_deref() == Some("suspended") {
                " until an operator runs `agentcred agent activate`"
            } else {
                ""
            }
        ));
    }
    view.common.agent_status = Some(super::agent_state(agent.status.as_deref()));
    if let Some(token) = session.secret("access_token")? {
        view.details.access_token_active = core.introspect(&token)?.map(|i| i.active);
    }
    view.details.agent = Some(AgentView::new(&agent));
    view.details.verifiers = Some(rows(&verifiers, profile));
    Ok(Box::new(view))
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("status", schema_of::<StatusView<AuthpiDetails>>())]
}
