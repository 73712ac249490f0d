//! `agentcred tokens list | create [--name N] | revoke TOKEN_ID` (Proxy, operator key).
//!
//! - `list` shows every token of the profile's agent (all pages): prefix, name, whether it is
//!   active, created, last used, expiry; never a secret. The profile's own token is marked.
//! - `create` makes a new agent token, stores it in the profile (it replaces the stored one;
//!   the old one stays active at the service until revoked) and prints it only with `--reveal`.
//!   The service shows it once, so the store is checked first and a failed store write rescues
//!   it (exit 7).
//! - `revoke` revokes one token; revoking the profile's own token warns that the profile has
//!   no working token left.

use clap::{Args, Subcommand};
use serde::Serialize;

use super::support::{self as common, ProfileToken, TokenView, render_tokens};
use crate::context::Ctx;
use crate::output::secrets::SecretReport;

use crate::error::{Error, Result};
use crate::output::{Human, Output, Render, tables};
use crate::session::Session;
use crate::spec::Provider;
use crate::store::StoreKind;

pub fn run(ctx: &Ctx, command: TokensCommand) -> Result<()> {
    let session = common::session(ctx, "tokens")?;
    match command {
        TokensCommand::List => list(ctx, &session),
        TokensCommand::Create(args) => create(ctx, &session, args),
        TokensCommand::Revoke(args) => revoke(ctx, &session, args),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct TokenList {
    profile: String,
    provider: Provider,
    agent_id: String,
    tokens: Vec<TokenView>,
}

impl Render for TokenList {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Agent tokens of Proxy agent {} (profile '{}'):",
            self.agent_id, self.profile
        ));
        render_tokens(out, &self.tokens);
    }
}

fn list(ctx: &Ctx, session: &Session) -> Result<()> {
    let (client, _) = common::operator(ctx, session)?;
    let mine = ProfileToken::of(session)?;
    let tokens = client.tokens(&session.profile.agent_id)?;
    ctx.printer.print(&TokenList {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        tokens: tokens
            .iter()
            .map(|t| TokenView::from_api(t, &mine))
            .collect(),
    })
}

#[derive(Serialize, schemars::JsonSchema)]
struct Created {
    profile: String,
    provider: Provider,
    agent_id: String,
    token: TokenView,
    stored_in: StoreKind,
    /// The token the profile stored before, which stays active at the service.
    replaced_token_id: Option<String>,
    secrets: Vec<SecretReport>,
}

impl Render for Created {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Created agent token {} ({}) and stored it in profile '{}' ({} store).",
            self.token.id,
            tables::cell(self.token.prefix.as_deref()),
            self.profile,
            self.stored_in
        ));
        if let Some(old) = &self.replaced_token_id {
            out.line(format!(
                "The profile's previous token {old} is still active; revoke it with `agentcred tokens revoke {old}` once nothing uses it."
            ));
        }
        for secret in &self.secrets {
            if let Some(value) = &secret.value {
                out.line(format!("{}: {value}", secret.kind));
            }
        }
    }
}

fn create(ctx: &Ctx, session: &Session, args: TokensCreateArgs) -> Result<()> {
    common::refuse_if_deregistered(session)?;
    let name = args
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let (client, _) = common::operator(ctx, session)?;
    // The service shows the token once: make sure it can be kept before asking for it.
    session.store.check()?;
    let previous = common::record_of(&session.profile).token_id;
    let (token, secret) = client.create_token(&session.profile.agent_id, name)?;
    common::store_token(ctx, session, &secret, &token.id)?;
    let prefix = token
        .token_prefix
        .clone()
        .unwrap_or_else(|| common::token_prefix(secret.expose()));
    common::update_record(ctx, &session.name, |r| {
        r.token_id = Some(token.id.clone());
        r.token_prefix = Some(prefix.clone());
    })?;
    let mine = ProfileToken {
        id: Some(token.id.clone()),
        prefix: Some(prefix),
    };
    ctx.printer.print(&Created {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        token: TokenView::from_api(&token, &mine),
        stored_in: session.profile.store,
        replaced_token_id: previous.filter(|old| *old != token.id),
        secrets: vec![SecretReport::new(
            "token",
            session.profile.store,
            &secret,
            ctx.global.reveal,
        )],
    })
}

#[derive(Serialize, schemars::JsonSchema)]
struct Revoked {
    profile: String,
    provider: Provider,
    agent_id: String,
    token: TokenView,
    /// The revoked token is the one the profile stores: the profile has no working token.
    profile_token_revoked: bool,
}

impl Render for Revoked {
    fn human(&self, out: &mut Human) {
        let at = self
            .token
            .revoked_at
            .as_deref()
            .map(|at| format!(" at {at}"))
            .unwrap_or_default();
        out.line(format!(
            "Revoked agent token {} ({}){at}.",
            self.token.id,
            tables::cell(self.token.prefix.as_deref())
        ));
    }
}

fn revoke(ctx: &Ctx, session: &Session, args: TokensRevokeArgs) -> Result<()> {
    let token_id = args.token_id.trim();
    if token_id.is_empty() {
        return Err(Error::usage("the token id is empty")
            .with_hint("see the ids with `agentcred tokens list`"));
    }
    let (client, _) = common::operator(ctx, session)?;
    let mine = ProfileToken::of(session)?;
    let token = client.revoke_token(&session.profile.agent_id, token_id)?;
    let view = TokenView::from_api(&token, &mine);
    if view.in_profile {
        ctx.printer.warn(format!(
            "profile '{}' stored this token, so it has no working agent token left; create one with `agentcred --profile {} tokens create`",
            session.name, session.name
        ));
    }
    ctx.printer.print(&Revoked {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        profile_token_revoked: view.in_profile,
        token: view,
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("tokens list", schema_of::<TokenList>()),
        ("tokens create", schema_of::<Created>()),
        ("tokens revoke", schema_of::<Revoked>()),
    ]
}

// The command line of this module (clap derive types only).

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// List the agent's tokens (never the secrets)
    List,
    /// Create an agent token and store it in the profile
    Create(TokensCreateArgs),
    /// Revoke an agent token
    Revoke(TokensRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokensCreateArgs {
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokensRevokeArgs {
    pub token_id: String,
}
