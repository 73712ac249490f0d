//! `agentcred tokens list | create [--name N] [--use] | revoke TOKEN_ID [--force]` (Proxy, operator key).
//!
//! - `list` shows every token of the profile's agent (all pages): prefix, name, whether it is
//!   active, created, last used, expiry; never a secret. The profile's own token is marked.
//!
//! The rule every service shares for the profile's own credential (README): `create` keeps
//! the new token as a stored spare (`token:TOKEN_ID`) unless `--use`; `--use` makes it the
//! profile's token and keeps the previous one (not revoked) as a spare;
//! revoking the token the profile uses needs `--force` and says what stops working.
//!
//! - `create` makes a new agent token and prints it only with `--reveal`. The service shows it
//!   once, so the store is checked first and a failed store write rescues it (exit 7).
//! - `revoke` revokes one token and deletes its stored secret (the profile's, or a spare).
//!
//! Each operation returns its result as a view (the new secret in it only under `--reveal`);
//! the caller renders it or, run for an incident, drops it.

use serde::Serialize;

use super::support::{self as common, ProfileToken, TokenView, render_tokens};
use crate::context::Ctx;
use crate::output::secrets::SecretReport;

use crate::error::{Error, ErrorKind, Result};
use crate::output::{Human, Output, Render, tables};
use crate::profile::Config;
use crate::session::Session;
use crate::spare;
use crate::spec::Provider;
use crate::store::{self, StoreKind};
use crate::view::View;

use super::ProxyRecord;

pub fn run(ctx: &Ctx, command: TokensAction) -> Result<Box<dyn View>> {
    let mut session = common::session(ctx, "tokens")?;
    match command {
        TokensAction::List => list(ctx, &session),
        TokensAction::Create(args) => {
            let _lock = session.lock_for_change()?;
            create(ctx, &mut session, args)
        }
        TokensAction::Revoke(args) => {
            let _lock = session.lock_for_change()?;
            revoke(ctx, &session, args)
        }
    }
}

/// The agent tokens a profile holds: the one it uses and spares by token id.
const KINDS: spare::Kinds = spare::Kinds {
    primary: "token",
    spare: spare_kind,
    noun: "agent token",
};

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

fn list(ctx: &Ctx, session: &Session) -> Result<Box<dyn View>> {
    let (client, _) = common::operator(ctx, session)?;
    let mine = ProfileToken::of(session)?;
    let tokens = client.tokens(&session.profile.agent_id)?;
    Ok(Box::new(TokenList {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        tokens: tokens
            .iter()
            .map(|t| TokenView::from_api(t, &mine))
            .collect(),
    }))
}

#[derive(Serialize, schemars::JsonSchema)]
struct Created {
    profile: String,
    provider: Provider,
    agent_id: String,
    token: TokenView,
    stored_in: StoreKind,
    /// The secret kind it is stored under: `token` (the profile's token, with --use) or
    /// `token:TOKEN_ID` (a spare).
    stored_as: String,
    /// Whether the profile now uses the new token.
    in_use: bool,
    /// With --use: the token the profile used before. It was not revoked, and stays stored as
    /// a spare (`token:TOKEN_ID`).
    replaced_token_id: Option<String>,
    secrets: Vec<SecretReport>,
}

impl Render for Created {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Created agent token {} ({}) for profile '{}', stored in the {} store as {}.",
            self.token.id,
            tables::cell(self.token.prefix.as_deref()),
            self.profile,
            self.stored_in,
            self.stored_as
        ));
        if self.in_use {
            out.line("The profile now uses it.");
            if let Some(old) = &self.replaced_token_id {
                out.line(format!(
                    "The previous token {old} was not revoked and stays stored as {}; revoke it with `agentcred tokens revoke {old}` once nothing uses it.",
                    spare_kind(old)
                ));
            }
        } else {
            out.line(format!(
                "The profile keeps the token it uses (pass --use to switch to a new one); revoke this one with `agentcred tokens revoke {}`.",
                self.token.id
            ));
        }
        for secret in &self.secrets {
            if let Some(value) = &secret.value {
                out.line(format!("{}: {value}", secret.kind));
            }
        }
    }
}

/// The secret kind of a spare token: stored in the profile, not the one it uses.
fn spare_kind(token_id: &str) -> String {
    format!("token:{token_id}")
}

fn create(ctx: &Ctx, session: &mut Session, args: TokenCreate) -> Result<Box<dyn View>> {
    common::refuse_if_deregistered(session)?;
    let name = args
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let (client, _) = common::operator(ctx, session)?;
    // The service shows the token once: make sure it can be kept before asking for it.
    session.store.check()?;
    let (token, secret) = client.create_token(&session.profile.agent_id, name)?;
    // Stored before anything else can fail (rescue file if the store does).
    let mut kind = spare::keep_new(ctx, session, &KINDS, &token.id, &secret)?;
    let prefix = token
        .token_prefix
        .clone()
        .unwrap_or_else(|| common::token_prefix(secret.expose()));
    let mut kept_previous = None;
    if args.use_token {
        let switched = spare::switch(
            ctx,
            session,
            &KINDS,
            &token.id,
            &secret,
            // A token recorded before ids were: its prefix names its spare.
            |p| {
                let record = common::record_of(p);
                Ok(record.token_id.or(record.token_prefix))
            },
            |p| {
                p.update_record(|r: &mut ProxyRecord| {
                    r.token_id = Some(token.id.clone());
                    r.token_prefix = Some(prefix.clone());
                })
            },
        )?;
        kind = KINDS.primary.to_owned();
        kept_previous = switched.kept_previous.and(switched.previous_id);
    }
    let mine = ProfileToken {
        id: Some(token.id.clone()),
        prefix: Some(prefix),
    };
    Ok(Box::new(Created {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        token: TokenView::from_api(&token, &mine),
        stored_in: session.profile.store,
        stored_as: kind,
        in_use: args.use_token,
        replaced_token_id: kept_previous,
        secrets: vec![SecretReport::new(
            "token",
            session.profile.store,
            &secret,
            ctx.global.reveal,
        )],
    }))
}

#[derive(Serialize, schemars::JsonSchema)]
struct Revoked {
    profile: String,
    provider: Provider,
    agent_id: String,
    token: TokenView,
    /// The revoked token is the one the profile used (revoked with --force): the profile has
    /// no agent token now.
    profile_token_revoked: bool,
    /// The profile's secrets deleted with it (`token`, or the spare `token:TOKEN_ID`).
    removed_secrets: Vec<String>,
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
        if !self.removed_secrets.is_empty() {
            out.line(format!(
                "Removed from the store: {}.",
                self.removed_secrets.join(", ")
            ));
        }
        // What stopped working went to stderr as a warning.
    }
}

fn revoke(ctx: &Ctx, session: &Session, args: TokenRevoke) -> Result<Box<dyn View>> {
    let token_id = args.token_id.trim();
    if token_id.is_empty() {
        return Err(Error::usage("the token id is empty")
            .with_hint("see the ids with `agentcred tokens list`"));
    }
    let (client, _) = common::operator(ctx, session)?;
    let mine = ProfileToken::of(session)?;
    let breaks = format!(
        "`agentcred token` and every call profile '{}' makes as the agent stop working",
        session.name
    );
    // By id when the profile knows its token's id; otherwise the list tells by prefix.
    let in_use = match &mine.id {
        Some(id) => id == token_id,
        None if mine.prefix.is_some() => client
            .tokens(&session.profile.agent_id)?
            .iter()
            .any(|t| t.id == token_id && mine.is(t)),
        None => false,
    };
    if in_use && !args.force {
        return Err(Error::usage(format!(
            "{token_id} is the agent token profile '{}' uses; revoking it, {breaks}",
            session.name
        ))
        .with_provider(super::PROVIDER.id())
        .with_hint(format!(
            "replace it first with `agentcred tokens create --use`, then revoke {token_id}; or pass --force to revoke it anyway"
        )));
    }
    let token = revoke_at_service(ctx, &client, &session.profile.agent_id, token_id)?;
    let view = TokenView::from_api(&token, &mine);
    let in_use = in_use || view.in_profile;
    let removed = forget_revoked(ctx, session, token_id, in_use)?;
    if in_use {
        ctx.printer.warn_coded("credential_in_use_removed", format!(
            "profile '{}' used this token: {breaks} until it has a new one; create one with `agentcred --profile {} tokens create --use`",
            session.name, session.name
        ));
    }
    Ok(Box::new(Revoked {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        profile_token_revoked: in_use,
        token: view,
        removed_secrets: removed,
    }))
}

/// Revoke `token_id` at the service. When the answer is lost, the service's list says
/// whether the token was revoked, before anything is said or deleted here.
fn revoke_at_service(
    ctx: &Ctx,
    client: &super::client::Client,
    agent_id: &str,
    token_id: &str,
) -> Result<super::client::AgentToken> {
    let cause = match client.revoke_token(agent_id, token_id) {
        Ok(token) => return Ok(token),
        Err(cause) if cause.kind == ErrorKind::Unavailable => cause,
        Err(cause) => return Err(cause),
    };
    let listed = match client.tokens(agent_id) {
        Ok(listed) => listed,
        Err(unknown) => {
            let mut err = cause;
            err.message = format!(
                "{}; asking Proxy whether {token_id} is revoked failed too ({}), so its stored secret is kept",
                err.message, unknown.message
            );
            return Err(err.with_hint(format!(
                "see `agentcred tokens list`, and revoke {token_id} again if it is still active"
            )));
        }
    };
    match listed.into_iter().find(|t| t.id == token_id) {
        Some(token) if token.is_active == Some(false) => {
            ctx.printer.warn_coded("revoke_answer_lost", format!(
                "Proxy's answer to revoking {token_id} was lost, but it lists the token as revoked"
            ));
            Ok(token)
        }
        _ => Err(cause),
    }
}

/// Forget the revoked `token_id` here: its spare copy, and when the profile used it
/// (`in_use`) the profile's token and its record of it. The kinds deleted from the store.
fn forget_revoked(
    ctx: &Ctx,
    session: &Session,
    token_id: &str,
    in_use: bool,
) -> Result<Vec<String>> {
    let mut removed = Vec::new();
    let spare = spare_kind(token_id);
    for kind in [Some("token").filter(|_| in_use), Some(spare.as_str())]
        .into_iter()
        .flatten()
    {
        if session.store.delete(&store::account(&session.name, kind))? {
            removed.push(kind.to_owned());
        }
    }
    Config::update_profile(&ctx.paths, &session.name, |profile| {
        profile.mark_extra_secret(&spare, false);
        if in_use {
            profile.update_record(|r: &mut ProxyRecord| {
                r.token_id = None;
                r.token_prefix = None;
            })?;
        }
        Ok(())
    })?;
    Ok(removed)
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

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub enum TokensAction {
    /// List the agent's tokens (never the secrets)
    List,
    /// Create an agent token, stored as a spare (or as the profile's token with --use)
    Create(TokenCreate),
    /// Revoke an agent token
    Revoke(TokenRevoke),
}

#[derive(Debug, Clone)]
pub struct TokenCreate {
    pub name: Option<String>,
    /// Make the new token the profile's token (the previous one stays stored as a spare)
    pub use_token: bool,
}

#[derive(Debug, Clone)]
pub struct TokenRevoke {
    pub token_id: String,
    /// Allow revoking the token the profile uses
    pub force: bool,
}
