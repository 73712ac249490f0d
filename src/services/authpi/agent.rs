//! `agentcred agent` for AuthPI profiles: the operator's lifecycle of the profile's agent,
//! with the org key (docs/cli-contract.md §6).
//!
//! - `show`: the agent (status and reason, model, provider, scopes, metadata).
//! - `suspend --reason TEXT`, `block --reason TEXT`, `activate`: a PATCH of `status` (and
//!   `status_reason`, which AuthPI requires to suspend or block, so the reason is checked here
//!   first: exit 2 without one). A suspended or blocked agent gets no new access tokens; the
//!   ones it holds run out within their 5 minutes. A blocked agent cannot be reactivated, so
//!   `block` asks for confirmation (or `--yes`).
//! - `delete`: the agent and all its verifiers, after confirmation (or `--yes`). The profile
//!   stays, records the deletion (so every later command says the agent is gone) and loses its
//!   now useless secrets.
//!
//! Every PATCH and DELETE carries `If-Match` with the ETag of the agent as just read; a 412
//! (someone changed it in between) is exit 5.

use serde::Serialize;

use super::client::{self as authpi, Core};
use super::{AgentView, AuthpiRecord, core, ensure_agent_exists};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::profile::{Config, Profile};
use crate::service::{AgentAction, action_not_offered};
use crate::session::Session;
use crate::store;
use crate::timefmt;
use crate::view::View;

#[derive(Serialize, schemars::JsonSchema)]
struct AgentShown {
    profile: String,
    account_id: Option<String>,
    issuer_id: Option<String>,
    agent: AgentView,
    /// What this command did: `show`, `suspend`, `activate`, `block`.
    action: &'static str,
    changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for AgentShown {
    fn human(&self, out: &mut Human) {
        match (self.action, self.changed) {
            ("show", _) => {}
            (_, true) => out.line(format!(
                "AuthPI agent {} is now {}.",
                self.agent.id,
                self.agent.status.as_deref().unwrap_or("?")
            )),
            (_, false) => out.line(format!(
                "AuthPI agent {} is already {}; nothing changed.",
                self.agent.id,
                self.agent.status.as_deref().unwrap_or("?")
            )),
        }
        if let Some(note) = &self.note {
            out.line(note);
        }
        if self.action != "show" {
            out.blank();
        }
        self.agent.render(
            out,
            &[
                ("account", tables_cell(&self.account_id)),
                ("issuer", tables_cell(&self.issuer_id)),
                ("profile", self.profile.clone()),
            ],
        );
    }
}

fn tables_cell(v: &Option<String>) -> String {
    crate::output::tables::cell(v.as_deref())
}

#[derive(Serialize, schemars::JsonSchema)]
struct Deleted {
    profile: String,
    agent_id: String,
    deleted_at: String,
    removed_secrets: Vec<String>,
    note: String,
}

impl Render for Deleted {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Deleted AuthPI agent {} and all its verifiers.",
            self.agent_id
        ));
        out.line(&self.note);
    }
}

/// `--yes`, or a question on a terminal. Without a terminal (or with `--no-input`) nobody can
/// answer, and the error names what needed confirming.
fn confirm(ctx: &Ctx, what: &str, question: &str, yes: bool) -> Result<()> {
    ctx.confirm(what, question, yes)
        .map_err(|e| e.with_provider(authpi::PROVIDER))
}

fn reason(text: Option<&str>, verb: &str) -> Result<String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Ok(t.to_owned()),
        None => Err(
            Error::usage(format!("AuthPI needs a reason to {verb} an agent"))
                .with_provider(authpi::PROVIDER)
                .with_hint(format!(
                    "pass --reason TEXT, e.g. `agentcred agent {verb} --reason \"credential leak\"`"
                )),
        ),
    }
}

pub fn run(
    ctx: &Ctx,
    name: String,
    profile: Profile,
    command: AgentAction,
) -> Result<Box<dyn View>> {
    // Everything that can be refused locally is, before the org key or the network.
    let reason = match &command {
        AgentAction::Suspend { reason: text } => Some(reason(text.as_deref(), "suspend")?),
        AgentAction::Block { reason: text, .. } => Some(reason(Some(text), "block")?),
        AgentAction::Deregister { .. } => {
            return Err(action_not_offered(&super::SPEC, "deregister"));
        }
        _ => None,
    };
    ensure_agent_exists(&name, &profile)?;
    let agent_id = profile.agent_id.clone();
    match &command {
        AgentAction::Block { yes, .. } => confirm(
            ctx,
            &format!("blocking AuthPI agent {agent_id} (a blocked agent cannot be reactivated)"),
            &format!("Block AuthPI agent {agent_id}? It cannot be reactivated afterwards."),
            *yes,
        )?,
        AgentAction::Delete { yes } => confirm(
            ctx,
            &format!("deleting AuthPI agent {agent_id} and all its verifiers (irreversible)"),
            &format!(
                "Delete AuthPI agent {agent_id} and all its verifiers? This cannot be undone."
            ),
            *yes,
        )?,
        _ => {}
    }
    let session = ctx.session_for(name, profile)?;
    let core = core(ctx, &session)?;
    match command {
        AgentAction::Show => {
            let agent = core.get_agent(&agent_id)?.value;
            Ok(Box::new(shown(&session, &agent, "show", false, None)?))
        }
        AgentAction::Suspend { .. } => Ok(Box::new(transition(
            &session,
            &core,
            "suspend",
            "suspended",
            reason,
        )?)),
        AgentAction::Block { .. } => Ok(Box::new(transition(
            &session, &core, "block", "blocked", reason,
        )?)),
        AgentAction::Activate => Ok(Box::new(transition(
            &session, &core, "activate", "active", None,
        )?)),
        AgentAction::Delete { .. } => Ok(Box::new(delete(ctx, &session, &core)?)),
        AgentAction::Deregister { .. } => Err(action_not_offered(&super::SPEC, "deregister")),
    }
}

fn shown(
    session: &Session,
    agent: &authpi::Agent,
    action: &'static str,
    changed: bool,
    note: Option<String>,
) -> Result<AgentShown> {
    let record: AuthpiRecord = session.profile.record()?;
    Ok(AgentShown {
        profile: session.name.clone(),
        account_id: record.account_id,
        issuer_id: record.issuer_id,
        agent: AgentView::new(agent),
        action,
        changed,
        note,
    })
}

fn transition(
    session: &Session,
    core: &Core,
    action: &'static str,
    to: &str,
    reason: Option<String>,
) -> Result<AgentShown> {
    let agent_id = &session.profile.agent_id;
    let current = core.get_agent(agent_id)?;
    if current.value.status.as_deref() == Some(to) {
        return shown(session, &current.value, action, false, None);
    }
    let etag = current.etag.ok_or_else(|| {
        Error::internal(format!(
            "AuthPI answered GET agent {agent_id} without an ETag"
        ))
        .with_provider(authpi::PROVIDER)
        .with_hint("the service's API may have changed; run again with -v to see the response")
    })?;
    let mut patch = serde_json::json!({ "status": to });
    if let Some(reason) = reason {
        patch["status_reason"] = reason.into();
    }
    let updated = core.update_agent(agent_id, patch, &etag)?;
    let note = match to {
        "active" => Some("It can get access tokens again (`agentcred token`).".to_owned()),
        _ => Some(format!(
            "It gets no new access tokens; tokens already issued stay valid until they expire (at most 5 minutes).{}",
            if to == "suspended" {
                " Reactivate it with `agentcred agent activate`."
            } else {
                ""
            }
        )),
    };
    shown(session, &updated.value, action, true, note)
}

fn delete(ctx: &Ctx, session: &Session, core: &Core) -> Result<Deleted> {
    // Its secrets are deleted below: no refresh may store a new token meanwhile.
    let _lock = session.lock()?;
    let agent_id = &session.profile.agent_id;
    let current = core.get_agent(agent_id)?;
    let etag = current.etag.ok_or_else(|| {
        Error::internal(format!(
            "AuthPI answered GET agent {agent_id} without an ETag"
        ))
        .with_provider(authpi::PROVIDER)
    })?;
    core.delete_agent(agent_id, &etag)?;

    let deleted_at = timefmt::from_unix_secs(timefmt::now_unix());
    let mut removed = Vec::new();
    for kind in session.profile.secret_kinds() {
        if session
            .store
            .delete(&store::account(&session.name, &kind))?
        {
            removed.push(kind);
        }
    }
    let name = session.name.clone();
    let when = deleted_at.clone();
    Config::update_profile(&ctx.paths, &name, |profile| {
        profile.extra_secrets.clear();
        profile.update_record(|r: &mut AuthpiRecord| {
            r.secret_verifier_id = None;
            r.deleted_at = Some(when.clone());
        })
    })?;
    Ok(Deleted {
        profile: session.name.clone(),
        agent_id: agent_id.clone(),
        deleted_at,
        removed_secrets: removed,
        note: format!(
            "Profile '{}' remains and records that its agent is gone (its local secrets were removed); \
             remove it with `agentcred profiles remove {}`.",
            session.name, session.name
        ),
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("agent", schema_of::<AgentShown>()),
        ("agent", schema_of::<Deleted>()),
    ]
}
