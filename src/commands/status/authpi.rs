//! `status` for an AuthPI profile: the agent (status and reason, model, provider, scopes) and
//! its verifiers from the Core API, and the local facts (which store holds the client secret,
//! when the access token expires, decoded from its `exp`).
//!
//! The Core API needs the operator's org key, which an agent's own machine often does not
//! have: without one, status still shows the local facts, says on stderr what is missing, and
//! succeeds. Any other failure (the service down, the key refused) is an error as usual.

use serde::Serialize;

use super::LocalFacts;
use crate::cli::StatusArgs;
use crate::commands::Ctx;
use crate::commands::verifiers::{AgentView, VerifierRow, core, render_verifiers, rows};
use crate::error::{ErrorKind, Result};
use crate::output::{Human, Render};
use crate::profile::Provider;
use crate::providers::authpi;
use crate::session::Session;

#[derive(Serialize)]
struct AuthpiStatus {
    profile: String,
    provider: Provider,
    sandbox: bool,
    agent_id: String,
    account_id: Option<String>,
    issuer_id: Option<String>,
    /// The agent at AuthPI; null when it could not be asked (see `note`).
    agent: Option<AgentView>,
    verifiers: Option<Vec<VerifierRow>>,
    local: LocalFacts,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for AuthpiStatus {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { ", sandbox" } else { "" };
        out.line(format!(
            "AuthPI agent {} (profile '{}'{sandbox}; account {}, issuer {})",
            self.agent_id,
            self.profile,
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
        if let Some(verifiers) = &self.verifiers {
            out.heading("Verifiers");
            if verifiers.is_empty() {
                out.line("none (add one with `agentcred verifiers add secret --use`)");
            } else {
                render_verifiers(out, verifiers, &self.profile);
            }
        }
        out.heading("Local credentials");
        self.local.render(out);
    }
}

pub(super) fn status(ctx: &Ctx, session: &Session, _args: &StatusArgs) -> Result<()> {
    let profile = &session.profile;
    let local = LocalFacts::read(session)?;
    let mut view = AuthpiStatus {
        profile: session.name.clone(),
        provider: Provider::Authpi,
        sandbox: profile.sandbox,
        agent_id: profile.agent_id.clone(),
        account_id: profile.account_id.clone(),
        issuer_id: profile.issuer_id.clone(),
        agent: None,
        verifiers: None,
        local,
        note: None,
    };
    if let Some(when) = profile.facts.get(authpi::FACT_DELETED_AT) {
        view.note = Some(format!(
            "The agent was deleted ({when}); remove the profile with `agentcred profiles remove {}`.",
            session.name
        ));
        return ctx.printer.print(&view);
    }
    let core = match core(ctx, session) {
        Ok(core) => core,
        // No org key: what can be known locally is still worth showing.
        Err(e) if e.kind == ErrorKind::Usage => {
            let note = format!(
                "The agent and its verifiers need the AuthPI org key: {} ({})",
                e.message,
                e.hint.as_deref().unwrap_or("see `agentcred login authpi`")
            );
            ctx.printer.warn(&note);
            view.note = Some(note);
            return ctx.printer.print(&view);
        }
        Err(e) => return Err(e),
    };
    let agent = core.get_agent(&profile.agent_id)?.value;
    let verifiers = core.list_verifiers(&profile.agent_id)?;
    if agent.status.as_deref().is_some_and(|s| s != "active") {
        view.note = Some(format!(
            "The agent is {}: it cannot get new access tokens{}.",
            agent.status.as_deref().unwrap_or_default(),
            if agent.status.as_deref() == Some("suspended") {
                " until an operator runs `agentcred agent activate`"
            } else {
                ""
            }
        ));
    }
    view.agent = Some(AgentView::new(&agent));
    view.verifiers = Some(rows(&verifiers, profile));
    ctx.printer.print(&view)
}
