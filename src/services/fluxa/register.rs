//! `agentcred register fluxa`: `POST /register` returns the agent id, a long-lived refresh
//! token (shown once) and a 15-minute JWT; both secrets are stored.

use serde::Serialize;

use crate::enroll::Pending;
use crate::output::secrets::SecretReport;

use super::client as fluxa;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::spec::Provider;
use crate::view::View;

#[derive(Serialize, schemars::JsonSchema)]
struct Registered {
    profile: String,
    provider: Provider,
    agent_id: String,
    agent_name: String,
    sandbox: bool,
    current: bool,
    secrets: Vec<SecretReport>,
    /// Whether the agent's owner has authorized it for a wallet; `null` when the check failed.
    owner_approved: Option<bool>,
    /// Where the owner approves the agent, until they have.
    authorization_url: Option<String>,
    /// The command that plays the owner, for a sandbox profile that waits for approval.
    #[serde(skip_serializing_if = "Option::is_none")]
    approve_command: Option<String>,
}

impl Render for Registered {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Registered FluxA agent {} as profile '{}'{sandbox}.",
            self.agent_id, self.profile
        ));
        SecretReport::render_all(&self.secrets, out);
        if self.current {
            out.note(format!("'{}' is now the current profile.", self.profile));
        }
        if self.owner_approved != Some(true) {
            out.note("The wallet's owner must approve this agent before it can use the wallet.");
            if let Some(url) = &self.authorization_url {
                out.line(format!("Authorization URL: {url}"));
            }
            if let Some(command) = &self.approve_command {
                out.line(format!("Play the owner in the sandbox: {command}"));
            }
        }
    }
}

pub fn run(ctx: &Ctx, args: Registration) -> Result<Box<dyn View>> {
    let name = args.name.trim();
    if name.is_empty() {
        return Err(Error::usage("the agent name is empty").with_hint("pass --name NAME"));
    }
    let pending = Pending::start(ctx, super::PROVIDER)?;
    let client_info = args
        .client_info
        .unwrap_or_else(|| concat!("agentcred/", env!("CARGO_PKG_VERSION")).to_owned());
    let registered = fluxa::register(
        ctx.http()?,
        pending.endpoint("agentid"),
        name,
        args.email.as_deref(),
        &client_info,
    )?;
    let mut profile = pending.new_profile(&registered.agent_id);
    profile.agent_name = Some(name.to_owned());
    pending.store_secrets(
        ctx,
        &profile,
        &[("token", &registered.token), ("jwt", &registered.jwt)],
    )?;

    let pending_wallet = pending.endpoint("wallet").to_owned();
    let mut authorization_url = Some(fluxa::authorization_url(&registered.agent_id, Some(name)));
    let store = pending.store_kind();
    let sandbox = pending.sandbox;
    let profile_name = pending.name.clone();
    let current = pending.save(ctx, profile)?;

    // Like FluxA's own client: a new agent is not linked to any wallet until its owner
    // approves it; a failed check does not undo the registration.
    let owner_approved =
        match fluxa::link_check(ctx.http()?, &endpoint_of(&pending_wallet), &registered.jwt) {
            Ok(fluxa::Link::Authorized) => Some(true),
            Ok(fluxa::Link::NeedsOwner(url)) => {
                authorization_url = url;
                Some(false)
            }
            Err(e) => {
                ctx.printer.warn_coded(
                    "owner_check_failed",
                    format!(
                        "could not check whether the agent's owner approved it: {}",
                        e.message
                    ),
                );
                None
            }
        };
    if owner_approved == Some(true) {
        authorization_url = None;
    }
    let approve_command = (sandbox && owner_approved != Some(true))
        .then(|| format!("agentcred sandbox approve --profile {profile_name}"));

    let reveal = ctx.global.reveal;
    Ok(Box::new(Registered {
        profile: profile_name,
        provider: super::PROVIDER,
        agent_id: registered.agent_id,
        agent_name: name.to_owned(),
        sandbox,
        current,
        secrets: vec![
            SecretReport::new("token", store, &registered.token, reveal),
            SecretReport::new("jwt", store, &registered.jwt, reveal),
        ],
        owner_approved,
        authorization_url,
        approve_command,
    }))
}

fn endpoint_of(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("register fluxa", schema_of::<Registered>())]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub struct Registration {
    /// The agent's display name
    pub name: String,
    /// Contact email for the agent (optional)
    pub email: Option<String>,
    /// A short identifier of the client software
    pub client_info: Option<String>,
}
