//! `agentcred verifiers` (AuthPI): the agent's secret and wallet verifiers, with the org key.
//!
//! - `list` shows id, type, name, status, usage count, last use and creation (never a secret:
//!   the service never returns one after creation), and marks the verifier whose secret is the
//!   profile's `client_secret`.
//! - `add secret` stores the new one-time secret before printing anything (a rescue file if
//!   the store fails): with `--use` as the profile's `client_secret` (the old verifier stays;
//!   remove it to finish a rotation), otherwise as the spare `client_secret@VERIFIER_ID`.
//!   `--reveal` prints it.
//! - `add wallet` checks the CAIP-2 network and, for `eip155`, the `0x` + 40 hex address before
//!   any request.
//! - `remove` sends `If-Match` with the verifier's ETag (from the list: there is no
//!   single-verifier GET); a 412 says it changed meanwhile. Removing the verifier whose secret
//!   the profile uses needs `--force`, and says what stops working.
//!
//! Each operation returns its result as a view (a new secret in it only under `--reveal`);
//! the caller renders it or, run for an incident, drops it.

use serde::Serialize;

use super::client::{self as authpi, Core};
use super::{AuthpiRecord, VerifierRow, core, ensure_agent_exists, render_verifiers, rows};
use crate::context::Ctx;
use crate::error::{Error, ErrorKind, Result};
use crate::output::{Human, Output, Render};
use crate::profile::Config;
use crate::secret::Secret;
use crate::session::Session;
use crate::spare;
use crate::store::{self, StoreKind};
use crate::timefmt;
use crate::validate;
use crate::view::View;

pub fn run(ctx: &Ctx, command: VerifiersAction) -> Result<Box<dyn View>> {
    let (name, profile) = ctx.selected_for("verifiers", super::PROVIDER)?;
    // Bad input is refused before anything leaves the machine.
    if let VerifiersAction::Add(VerifierAdd::Wallet(args)) = &command {
        check_wallet(&args.address, &args.network)?;
    }
    ensure_agent_exists(&name, &profile)?;
    let mut session = ctx.session_for(name, profile)?;
    let core = core(ctx, &session)?;
    match command {
        VerifiersAction::List => list(&session, &core),
        VerifiersAction::Add(VerifierAdd::Secret(args)) => {
            let _lock = session.lock_for_change()?;
            add_secret(ctx, &mut session, &core, args)
        }
        VerifiersAction::Add(VerifierAdd::Wallet(args)) => add_wallet(&session, &core, args),
        VerifiersAction::Remove(args) => {
            let _lock = session.lock_for_change()?;
            remove(ctx, &session, &core, &args.verifier_id, args.force)
        }
    }
}

/// The client secrets a profile holds: the one it uses and spares by verifier id.
const KINDS: spare::Kinds = spare::Kinds {
    primary: "client_secret",
    spare: spare_kind,
    noun: "client secret",
};

// ------------------------------------------------------------------------------------------
// list

#[derive(Serialize, schemars::JsonSchema)]
struct ListView {
    profile: String,
    agent_id: String,
    verifiers: Vec<VerifierRow>,
}

impl Render for ListView {
    fn human(&self, out: &mut Human) {
        if self.verifiers.is_empty() {
            out.line(format!(
                "Agent {} has no verifiers. Add one with `agentcred verifiers add secret --use`.",
                self.agent_id
            ));
            return;
        }
        render_verifiers(out, &self.verifiers, &self.profile);
    }
}

fn list(session: &Session, core: &Core) -> Result<Box<dyn View>> {
    let verifiers = core.list_verifiers(&session.profile.agent_id)?;
    Ok(Box::new(ListView {
        profile: session.name.clone(),
        agent_id: session.profile.agent_id.clone(),
        verifiers: rows(&verifiers, &session.profile),
    }))
}

// ------------------------------------------------------------------------------------------
// add

#[derive(Serialize, schemars::JsonSchema)]
struct AddedView {
    profile: String,
    agent_id: String,
    verifier: VerifierRow,
    /// Where the new secret was stored (secret verifiers only).
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<StoredSecret>,
    /// Whether the profile now uses the new secret.
    used: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_verifier_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    access_token_expires_at: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct StoredSecret {
    /// The store account that holds it (`PROFILE:client_secret` or `PROFILE:client_secret@ID`).
    account: String,
    store: StoreKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
}

impl Render for AddedView {
    fn human(&self, out: &mut Human) {
        let v = &self.verifier;
        let what = match &v.network {
            Some(network) => format!(
                "wallet verifier {} ({} on {network})",
                v.id,
                v.address.as_deref().unwrap_or("-")
            ),
            None => format!("{} verifier {}", v.kind, v.id),
        };
        out.line(format!("Added {what} to AuthPI agent {}.", self.agent_id));
        if let Some(secret) = &self.secret {
            out.line(format!(
                "Its secret is stored in the {} store as {}.",
                secret.store, secret.account
            ));
            if self.used {
                out.line(format!(
                    "Profile '{}' now uses it as its client secret{}.",
                    self.profile,
                    self.access_token_expires_at
                        .as_deref()
                        .map(|t| format!(" (new access token valid until {t})"))
                        .unwrap_or_default()
                ));
                if let Some(old) = &self.previous_verifier_id {
                    out.line(format!(
                        "The previous verifier {old} was not removed (its secret stays stored as a spare); finish the rotation with `agentcred verifiers remove {old}`."
                    ));
                }
            } else {
                out.line("The profile keeps its current client secret (pass --use to switch).");
            }
            if let Some(value) = &secret.value {
                out.blank();
                out.line(format!("client_secret: {value}"));
            }
        }
    }
}

fn add_secret(
    ctx: &Ctx,
    session: &mut Session,
    core: &Core,
    args: VerifierSecret,
) -> Result<Box<dyn View>> {
    let agent_id = session.profile.agent_id.clone();
    // The service shows the secret once: make sure it can be kept before asking for it.
    session.store.check()?;
    let created = core.add_secret_verifier(&agent_id, args.name.as_deref())?;
    let id = created.verifier.id.clone();
    // Stored before anything else can fail (rescue file if the store does).
    let mut kind = spare::keep_new(ctx, session, &KINDS, &id, &created.secret)?;
    let mut previous = None;
    let mut expires_at = None;
    if args.use_secret {
        let switched = spare::switch(
            ctx,
            session,
            &KINDS,
            &id,
            &created.secret,
            |p| Ok(p.record::<AuthpiRecord>()?.secret_verifier_id),
            |p| p.update_record(|r: &mut AuthpiRecord| r.secret_verifier_id = Some(id.clone())),
        )?;
        kind = KINDS.primary.to_owned();
        previous = switched.previous_id;
        // Prove the new secret at once, and leave a token minted with it in the profile.
        match mint_with(session, &created.secret) {
            Ok(token) => {
                expires_at = crate::jwt::decode(token.expose())
                    .and_then(|i| i.exp)
                    .map(timefmt::from_unix_secs);
            }
            Err(e) => ctx.printer.warn_coded(
                "token_after_new_secret_failed",
                format!(
                    "the new secret is stored, but getting an access token with it failed: {}",
                    e.message
                ),
            ),
        }
    }
    Ok(Box::new(AddedView {
        profile: session.name.clone(),
        agent_id,
        verifier: VerifierRow::new(&created.verifier, args.use_secret),
        secret: Some(StoredSecret {
            account: store::account(&session.name, &kind),
            store: session.store.kind(),
            value: ctx.global.reveal.then(|| created.secret.expose().clone()),
        }),
        used: args.use_secret,
        previous_verifier_id: previous,
        access_token_expires_at: expires_at,
    }))
}

fn mint_with(session: &Session, secret: &Secret<String>) -> Result<Secret<String>> {
    let issuer = session
        .profile
        .record::<AuthpiRecord>()?
        .issuer_id
        .unwrap_or_default();
    let token = authpi::token(
        session.http,
        session.endpoint("idp"),
        &issuer,
        &session.profile.agent_id,
        secret,
    )?;
    session.put_secret("access_token", &token)?;
    Ok(token)
}

fn spare_kind(verifier_id: &str) -> String {
    format!("client_secret@{verifier_id}")
}

fn add_wallet(session: &Session, core: &Core, args: VerifierWallet) -> Result<Box<dyn View>> {
    let agent_id = &session.profile.agent_id;
    let verifier = core.add_wallet_verifier(
        agent_id,
        args.name.as_deref(),
        args.address.trim(),
        args.network.trim(),
    )?;
    Ok(Box::new(AddedView {
        profile: session.name.clone(),
        agent_id: agent_id.clone(),
        verifier: VerifierRow::new(&verifier, false),
        secret: None,
        used: false,
        previous_verifier_id: None,
        access_token_expires_at: None,
    }))
}

/// CAIP-2 (`namespace:reference`) and, on `eip155`, an EVM address; exit 2 naming the value.
pub(super) fn check_wallet(address: &str, network: &str) -> Result<()> {
    let (address, network) = (address.trim(), network.trim());
    let Some((namespace, reference)) = validate::caip2(network) else {
        return Err(Error::usage(format!(
            "'{network}' is not a CAIP-2 network id"
        ))
        .with_provider(authpi::PROVIDER)
        .with_hint(
            "give --network as namespace:reference, e.g. eip155:8453 (Base), eip155:1 (Ethereum) or solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp",
        ));
    };
    if namespace == "eip155" {
        if !reference.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::usage(format!(
                "'{network}' is not an eip155 network id: the reference is the decimal chain id"
            ))
            .with_provider(authpi::PROVIDER)
            .with_hint("for example eip155:8453 (Base) or eip155:1 (Ethereum)"));
        }
        if !validate::is_evm_address(address) {
            return Err(Error::usage(format!("'{address}' is not an EVM address"))
                .with_provider(authpi::PROVIDER)
                .with_hint("an eip155 wallet address is 0x followed by 40 hex digits"));
        }
    } else if address.is_empty() {
        return Err(Error::usage("the wallet address is empty").with_hint("pass --address ADDR"));
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// remove

#[derive(Serialize, schemars::JsonSchema)]
struct RemovedView {
    profile: String,
    agent_id: String,
    removed: String,
    #[serde(rename = "type")]
    kind: String,
    /// The profile used this verifier's secret (removed with --force).
    was_in_use: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for RemovedView {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Removed {} verifier {} from AuthPI agent {}.",
            self.kind, self.removed, self.agent_id
        ));
        // The note (what stopped working) went to stderr as a warning already.
    }
}

fn remove(
    ctx: &Ctx,
    session: &Session,
    core: &Core,
    id: &str,
    force: bool,
) -> Result<Box<dyn View>> {
    let agent_id = &session.profile.agent_id;
    let verifiers = core.list_verifiers(agent_id)?;
    let Some(verifier) = verifiers.iter().find(|v| v.id == id) else {
        return Err(
            Error::not_found(format!("agent {agent_id} has no verifier {id}"))
                .with_provider(authpi::PROVIDER)
                .with_hint("see its verifiers with `agentcred verifiers list`"),
        );
    };
    let in_use = session
        .profile
        .record::<AuthpiRecord>()?
        .secret_verifier_id
        .is_some_and(|v| v == id);
    let token_until = session
        .secret("access_token")?
        .and_then(|t| crate::jwt::decode(t.expose()))
        .and_then(|i| i.exp)
        .map(timefmt::from_unix_secs);
    let breaks = format!(
        "`agentcred token` and `refresh` stop working for profile '{}' once its current access token expires{}",
        session.name,
        token_until
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default()
    );
    if in_use && !force {
        return Err(Error::usage(format!(
            "verifier {id} holds the client secret profile '{}' uses; without it, {breaks}",
            session.name
        ))
        .with_provider(authpi::PROVIDER)
        .with_hint(format!(
            "rotate instead: `agentcred verifiers add secret --use`, then `agentcred verifiers remove {id}`; or pass --force"
        )));
    }
    let etag = verifier.etag().ok_or_else(|| {
        Error::internal(format!(
            "AuthPI listed verifier {id} without created_at, so it has no ETag"
        ))
        .with_provider(authpi::PROVIDER)
    })?;
    remove_at_service(ctx, core, agent_id, id, &etag)?;
    forget_removed(ctx, session, id, in_use)?;
    let note = if in_use {
        let note = format!(
            "verifier {id} held the profile's client secret, which is gone now: {breaks}. \
             Add a new one with `agentcred verifiers add secret --use`."
        );
        ctx.printer.warn_coded("credential_in_use_removed", &note);
        Some(note)
    } else {
        None
    };
    Ok(Box::new(RemovedView {
        profile: session.name.clone(),
        agent_id: agent_id.clone(),
        removed: id.to_owned(),
        kind: verifier.kind.clone(),
        was_in_use: in_use,
        note,
    }))
}

/// Remove verifier `id` at the service. When the answer is lost, the verifier list says
/// whether it is gone, before anything is said or deleted here.
fn remove_at_service(ctx: &Ctx, core: &Core, agent_id: &str, id: &str, etag: &str) -> Result<()> {
    let Err(cause) = core.remove_verifier(agent_id, id, etag) else {
        return Ok(());
    };
    if cause.kind != ErrorKind::Unavailable {
        return Err(cause);
    }
    match core.list_verifiers(agent_id) {
        Ok(listed) if !listed.iter().any(|v| v.id == id) => {
            ctx.printer.warn_coded("revoke_answer_lost", format!(
                "AuthPI's answer to removing verifier {id} was lost, but it no longer lists it: it is removed"
            ));
            Ok(())
        }
        Ok(_) => Err(cause),
        Err(unknown) => {
            let mut err = cause;
            err.message = format!(
                "{}; asking AuthPI whether verifier {id} is gone failed too ({}), so its stored secret is kept",
                err.message, unknown.message
            );
            Err(err.with_hint(format!(
                "see `agentcred verifiers list`, and remove {id} again if it is still listed"
            )))
        }
    }
}

/// Forget the local secrets that belonged to the removed verifier `id`, useless now: its
/// spare copy, and when the profile used it (`in_use`) the client secret and its record.
fn forget_removed(ctx: &Ctx, session: &Session, id: &str, in_use: bool) -> Result<()> {
    let spare = spare_kind(id);
    session
        .store
        .delete(&store::account(&session.name, &spare))?;
    if in_use {
        session
            .store
            .delete(&store::account(&session.name, "client_secret"))?;
    }
    Config::update_profile(&ctx.paths, &session.name, |profile| {
        profile.mark_extra_secret(&spare, false);
        if in_use {
            profile.update_record(|r: &mut AuthpiRecord| r.secret_verifier_id = None)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("verifiers list", schema_of::<ListView>()),
        ("verifiers add secret", schema_of::<AddedView>()),
        ("verifiers add wallet", schema_of::<AddedView>()),
        ("verifiers remove", schema_of::<RemovedView>()),
    ]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub enum VerifiersAction {
    /// List the agent's verifiers
    List,
    /// Add a verifier
    Add(VerifierAdd),
    /// Remove a verifier
    Remove(VerifierRemove),
}

#[derive(Debug, Clone)]
pub enum VerifierAdd {
    /// A server-generated client secret, shown once and stored
    Secret(VerifierSecret),
    /// A wallet address on a CAIP-2 network
    Wallet(VerifierWallet),
}

#[derive(Debug, Clone)]
pub struct VerifierSecret {
    pub name: Option<String>,
    /// Make the new secret the profile's client secret
    pub use_secret: bool,
}

#[derive(Debug, Clone)]
pub struct VerifierWallet {
    pub address: String,
    /// CAIP-2 network id, e.g. eip155:8453
    pub network: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct VerifierRemove {
    pub verifier_id: String,
    /// Allow removing the verifier whose secret the profile uses
    pub force: bool,
}
