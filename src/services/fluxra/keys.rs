//! `agentcred keys list | create | revoke | rotate` (Fluxra).
//!
//! A Fluxra profile uses one API key: its secret is the `api_key` secret, its id the profile
//! fact `key_id`, and the JWT in the store was exchanged from it. Other keys created here are
//! *spares*: their secrets are stored under `api_key:KEY_ID` (listed in the profile's
//! `extra_secrets` fact, so `profiles remove` deletes them too), since an API key is shown once
//! and must never be lost.
//!
//! - `list`: the agent's keys, marking the one the profile uses and the spares stored here.
//!   Listed with the profile's JWT; with the recovery key when the profile has no working key.
//! - `create`: a new key (Basic recovery key), stored at once as a spare. `--use` then proves
//!   it (exchanges it for a JWT) and makes it the profile's key; the previous key stays valid
//!   at Fluxra and stays stored, as a spare.
//! - `revoke KEY_ID`: revokes at Fluxra (recovery key) and forgets the key's local secret.
//!   Revoking the profile's own key needs `--force` and leaves the profile without a key.
//! - `rotate`: creates a new key with the old one's name, scopes and lifetime, proves it with
//!   a token exchange, switches the profile to it, and only then revokes the old one. A failure
//!   at any step leaves the profile with a working key: before the switch the old one (the new
//!   key is kept as a spare, not revoked, and the message says how to remove it); after the
//!   switch the new one (the old key, not yet revoked, stays stored as a spare).
//!
//! The recovery key, which create, revoke and rotate need, is read from the store and never
//! printed; the API key of `create` and `rotate` is in the result only with `--reveal`.
//! Each operation returns its result as a view: the caller renders it or, run for an
//! incident, drops it.

use serde::Serialize;

use crate::context::Ctx;
use crate::output::secrets::SecretReport;

use super::client::{self as fluxra, CreatedKey, KeyInfo, KeySpec, ListedWith};
use crate::error::{Error, ErrorKind, Result};
use crate::output::{Human, Output, Render, tables};
use crate::profile::{Config, Profile};
use crate::secret::Secret;
use crate::session::Session;
use crate::spare;
use crate::spec::Provider;
use crate::view::View;

/// The profile fact naming the API key the profile uses.
/// The name of a key created without `--name`.
const DEFAULT_KEY_NAME: &str = "agentcred";

/// The secret kind of a spare key: stored here, not the profile's key.
fn spare_kind(key_id: &str) -> String {
    format!("api_key:{key_id}")
}

pub fn run(ctx: &Ctx, command: KeysAction) -> Result<Box<dyn View>> {
    let (name, profile) = ctx.selected_for("keys", super::PROVIDER)?;
    let mut session = ctx.session_for(name, profile)?;
    if let KeysAction::List = command {
        return list(ctx, &session);
    }
    // Every change of the profile's keys runs under its lock, the one its refresh takes: two
    // concurrent rotations run one after the other, the second one rotating what the first
    // one left, and no `token` stores a JWT of a key being replaced.
    let _lock = session.lock_for_change()?;
    match command {
        KeysAction::List => list(ctx, &session),
        KeysAction::Create(args) => create(ctx, session, args),
        KeysAction::Revoke(args) => revoke(ctx, session, args),
        KeysAction::Rotate => rotate(ctx, session),
    }
}

/// The API keys a profile holds: the one it uses and spares by key id.
const KINDS: spare::Kinds = spare::Kinds {
    primary: "api_key",
    spare: spare_kind,
    noun: "API key",
};

// ------------------------------------------------------------------------------------------
// The key table (shared with `status`)

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub(crate) struct KeyRow {
    #[serde(flatten)]
    pub key: KeyInfo,
    /// The key the profile uses.
    pub in_use: bool,
    /// A spare whose secret is stored in this profile.
    pub stored: bool,
}

pub(crate) fn key_rows(profile: &Profile, keys: Vec<KeyInfo>) -> Vec<KeyRow> {
    let in_use = super::key_in_use(profile);
    let in_use = in_use.as_ref();
    let extras = profile.extra_secrets.clone();
    keys.into_iter()
        .map(|key| KeyRow {
            in_use: in_use == Some(&key.key_id),
            stored: in_use == Some(&key.key_id) || extras.contains(&spare_kind(&key.key_id)),
            key,
        })
        .collect()
}

/// The agent's keys as rows of the key table, warning on stderr when the profile's own key
/// did not work or is not among them.
pub(crate) fn listed_key_rows(ctx: &Ctx, session: &Session) -> Result<(Vec<KeyRow>, ListedWith)> {
    let listed = super::list_keys(session)?;
    if let Some(reason) = &listed.fallback_reason {
        ctx.printer.warn_coded("api_key_fallback", format!(
            "the profile's API key did not work ({reason}); listed the keys with the recovery key instead"
        ));
    }
    let rows = key_rows(&session.profile, listed.keys);
    if let Some(note) = missing_key_note(&session.profile, &rows) {
        ctx.printer.warn_coded("profile_key_missing", note);
    }
    Ok((rows, listed.with))
}

/// A warning when the profile's key is not among the agent's active keys.
fn missing_key_note(profile: &Profile, rows: &[KeyRow]) -> Option<String> {
    let id = &super::key_in_use(profile)?;
    (!rows.iter().any(|r| &r.key.key_id == id)).then(|| {
        format!(
            "the profile's API key {id} is not among the agent's active keys (revoked?); {}",
            fluxra::NEW_KEY_HINT
        )
    })
}

pub(crate) fn render_keys(out: &mut Human, rows: &[KeyRow]) {
    if rows.is_empty() {
        out.line("No API keys. Create one with `agentcred keys create --use`.");
        return;
    }
    let mut table = tables::new(
        out.styled,
        &[
            "key id",
            "name",
            "scopes",
            "created",
            "expires",
            "last used",
            "profile",
        ],
    );
    for row in rows {
        let local = if row.in_use {
            "in use"
        } else if row.stored {
            "stored"
        } else {
            "-"
        };
        table.add_row(vec![
            row.key.key_id.clone(),
            tables::cell(row.key.name.as_deref()),
            if row.key.scopes.is_empty() {
                "-".to_owned()
            } else {
                row.key.scopes.join(" ")
            },
            tables::cell(row.key.created_at.as_deref()),
            row.key
                .expires_at
                .clone()
                .unwrap_or_else(|| "never".to_owned()),
            tables::cell(row.key.last_used_at.as_deref()),
            local.to_owned(),
        ]);
    }
    out.table(table);
}

// ------------------------------------------------------------------------------------------
// list

#[derive(Serialize, schemars::JsonSchema)]
struct ListView {
    profile: String,
    provider: Provider,
    agent_id: String,
    key_in_use: Option<String>,
    listed_with: ListedWith,
    keys: Vec<KeyRow>,
}

impl Render for ListView {
    fn human(&self, out: &mut Human) {
        render_keys(out, &self.keys);
    }
}

fn list(ctx: &Ctx, session: &Session) -> Result<Box<dyn View>> {
    let (keys, listed_with) = listed_key_rows(ctx, session)?;
    Ok(Box::new(ListView {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        key_in_use: super::key_in_use(&session.profile),
        listed_with,
        keys,
    }))
}

// ------------------------------------------------------------------------------------------
// Shared steps

/// Change the stored profile under the config lock and return it as it now is.
fn update_profile(
    ctx: &Ctx,
    name: &str,
    change: impl FnOnce(&mut Profile) -> Result<()>,
) -> Result<Profile> {
    Config::update_profile(&ctx.paths, name, change)
}

/// Keep a new key's one-time secret as a spare before anything else happens to it: stored
/// first (rescued if the store fails), then recorded in the profile.
fn keep_spare(ctx: &Ctx, session: &mut Session, key: &CreatedKey) -> Result<()> {
    spare::keep_new(ctx, session, &KINDS, &key.info.key_id, &key.api_key).map(drop)
}

/// Forget a spare: its stored secret and its entry in the profile.
fn drop_spare(ctx: &Ctx, session: &mut Session, key_id: &str) -> Result<bool> {
    spare::drop_spare(ctx, session, &KINDS, key_id)
}

enum Adopted {
    /// The key works: the profile uses it, with a JWT from it.
    Proven { jwt: Secret<String> },
    /// The profile had no working key to keep, so it uses the new one although the exchange
    /// failed; `agentcred refresh` finishes it.
    Unproven { cause: Error },
}

/// Make `key` (already stored as a spare) the profile's key once it is proven by a token
/// exchange. If the exchange fails and the profile has a key, nothing changes and the cause is
/// returned. The caller holds the profile's lock, so a concurrent `token` cannot store a JWT
/// of the old key over the new one.
fn adopt(ctx: &Ctx, session: &mut Session, key: &CreatedKey) -> Result<Adopted> {
    let exchanged = fluxra::exchange(
        session.http,
        session.endpoint("api"),
        &session.profile.agent_id,
        &key.api_key,
    );
    let (jwt, failure) = match exchanged {
        Ok(jwt) => (Some(jwt), None),
        Err(cause) if session.secret("api_key")?.is_some() => return Err(cause),
        Err(cause) => (None, Some(cause)),
    };
    // The old key stays valid at Fluxra until revoked, so its secret is kept, as a spare.
    let new_id = key.info.key_id.clone();
    spare::switch(
        ctx,
        session,
        &KINDS,
        &new_id,
        &key.api_key,
        |p| Ok(super::key_in_use(p)),
        |p| super::set_key_in_use(p, Some(new_id.clone())),
    )?;
    match &jwt {
        Some(jwt) => session.put_secret("jwt", jwt)?,
        None => {
            // A JWT of the old key must not pass for one of the new key.
            session
                .store
                .delete(&crate::store::account(&session.name, "jwt"))?;
        }
    }
    Ok(match (jwt, failure) {
        (Some(jwt), _) => Adopted::Proven { jwt },
        (None, cause) => Adopted::Unproven {
            cause: cause.unwrap_or_else(|| Error::internal("the token exchange failed")),
        },
    })
}

/// An error that keeps `cause`'s kind, status and code, with a new message and hint.
fn restate(cause: &Error, message: String, hint: String) -> Error {
    let mut err = Error::new(cause.kind, message)
        .with_provider(fluxra::PROVIDER)
        .with_hint(hint);
    err.http_status = cause.http_status;
    err.service_code = cause.service_code.clone();
    err
}

/// Create a key; when Fluxra's answer is lost (it may have made the key, whose secret then
/// never arrived), ask Fluxra before saying anything: a key it made for this call is live and
/// held by nobody, so it is revoked. A key is taken for this call's when it carries the name
/// asked for, is not held by the profile, and is new: absent from `before` (the keys listed
/// just before the call) or, without that list, created since the call started.
fn create_key_checked(
    session: &Session,
    recovery_key: &Secret<String>,
    spec: &KeySpec,
    before: Option<&[KeyInfo]>,
) -> Result<CreatedKey> {
    let base = session.endpoint("api");
    let agent_id = &session.profile.agent_id;
    let started = crate::timefmt::now_unix();
    let cause = match fluxra::create_key(session.http, base, agent_id, recovery_key, spec) {
        Ok(key) => return Ok(key),
        Err(cause) if cause.kind != ErrorKind::Unavailable => return Err(cause),
        Err(cause) => cause,
    };
    let held = held_keys(&session.profile);
    let after = match fluxra::list_keys_with_recovery_key(
        session.http,
        base,
        agent_id,
        recovery_key,
    ) {
        Ok(after) => after,
        Err(unknown) => {
            let mut err = cause;
            err.message = format!(
                "creating the API key got no answer ({}), and whether Fluxra made it is unknown: \
                 listing the keys failed too ({})",
                err.message, unknown.message
            );
            err.hint = Some(
                "see `agentcred keys list`: a key named as asked whose profile column is '-' is \
                 held by nobody; revoke it with `agentcred keys revoke KEY_ID`"
                    .to_owned(),
            );
            return Err(err);
        }
    };
    let made: Vec<&KeyInfo> = after
        .iter()
        .filter(|k| k.name.as_deref() == Some(spec.name) && !held.contains(&k.key_id))
        .filter(|k| match before {
            Some(before) => !before.iter().any(|b| b.key_id == k.key_id),
            None => k
                .created_at
                .as_deref()
                .and_then(crate::timefmt::parse_to_unix_secs)
                .is_some_and(|at| at >= started - 120),
        })
        .collect();
    let mut revoked = Vec::new();
    let mut stranded = Vec::new();
    for key in made {
        match fluxra::revoke_key(session.http, base, agent_id, recovery_key, &key.key_id) {
            Ok(()) => revoked.push(key.key_id.clone()),
            Err(e) if e.kind == ErrorKind::NotFound => revoked.push(key.key_id.clone()),
            Err(_) => stranded.push(key.key_id.clone()),
        }
    }
    Err(lost_create_error(cause, &revoked, &stranded))
}

/// The ids of the keys the profile holds: the one it uses and its spares.
fn held_keys(profile: &Profile) -> Vec<String> {
    super::key_in_use(profile)
        .into_iter()
        .chain(
            profile
                .extra_secrets
                .iter()
                .filter_map(|kind| kind.strip_prefix("api_key:").map(str::to_owned)),
        )
        .collect()
}

/// The error of a key creation whose answer was lost (`cause`), saying what Fluxra had made
/// of it: nothing, keys since `revoked`, or keys whose revocation failed (`stranded`: live and
/// held by nobody).
fn lost_create_error(cause: Error, revoked: &[String], stranded: &[String]) -> Error {
    let mut err = cause;
    err.message = match (revoked.is_empty(), stranded.is_empty()) {
        (true, true) => format!(
            "creating the API key got no answer ({}); Fluxra lists no new key, so none was made",
            err.message
        ),
        (false, true) => format!(
            "creating the API key got no answer ({}), but Fluxra had made it ({}); its secret \
             never arrived, so it was revoked",
            err.message,
            revoked.join(", ")
        ),
        _ => format!(
            "creating the API key got no answer ({}); Fluxra made {}, whose secret never arrived, \
             and revoking it failed: it is live and held by nobody",
            err.message,
            stranded.join(", ")
        ),
    };
    if !stranded.is_empty() {
        err.hint = Some(format!(
            "revoke it with `agentcred keys revoke {}`",
            stranded.join("` and `agentcred keys revoke ")
        ));
    }
    err
}

/// `--profile NAME ` for commands suggested in messages, when the user picked the profile so.
fn select_flag(ctx: &Ctx) -> String {
    ctx.global
        .profile
        .as_deref()
        .map(|name| format!("--profile {name} "))
        .unwrap_or_default()
}

// ------------------------------------------------------------------------------------------
// create

#[derive(Serialize, schemars::JsonSchema)]
struct CreateView {
    profile: String,
    provider: Provider,
    key: KeyInfo,
    /// Whether the profile now uses the key.
    in_use: bool,
    /// The secret kind it is stored under (`api_key`, or `api_key:KEY_ID` for a spare).
    stored_as: String,
    secret: SecretReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    jwt_expires_at: Option<String>,
    /// The key the profile used before (with --use), or still uses (without).
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_key_id: Option<String>,
}

impl Render for CreateView {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Created API key {} ('{}') for profile '{}', stored in the {} store as {}.",
            self.key.key_id,
            self.key.name.as_deref().unwrap_or("-"),
            self.profile,
            self.secret.store,
            self.stored_as
        ));
        if self.in_use {
            let jwt = self
                .jwt_expires_at
                .as_deref()
                .map(|t| format!(", with a new JWT valid until {t}"))
                .unwrap_or_default();
            out.line(format!("The profile now uses it{jwt}."));
            if let Some(previous) = &self.previous_key_id {
                out.line(format!(
                    "The previous key {previous} was not revoked and stays stored as a spare; revoke it with `agentcred keys revoke {previous}`."
                ));
            }
        } else {
            let uses = self
                .previous_key_id
                .as_deref()
                .map(|id| format!(" ({id})"))
                .unwrap_or_default();
            out.line(format!(
                "The profile keeps the key it uses{uses} (pass --use to switch to a new key); revoke this one with `agentcred keys revoke {}`.",
                self.key.key_id
            ));
        }
        if let Some(value) = &self.secret.value {
            out.line(format!("api_key: {value}"));
        }
    }
}

fn create(ctx: &Ctx, mut session: Session, args: KeyCreate) -> Result<Box<dyn View>> {
    let recovery_key = super::require_recovery_key(&session, "create an API key")?;
    session.store.check()?;
    ctx.printer.notice(
        "recovery_key_used",
        "Creating an API key (authenticated with the stored recovery key)...",
    );
    let spec = KeySpec {
        name: args.name.as_deref().unwrap_or(DEFAULT_KEY_NAME),
        scopes: &args.scopes,
        expires_in_days: args.expires_in_days,
    };
    let key = create_key_checked(&session, &recovery_key, &spec, None)?;
    keep_spare(ctx, &mut session, &key)?;
    let reveal = ctx.global.reveal;
    let store = session.profile.store;
    let key_id = key.info.key_id.clone();
    if !args.use_key {
        return Ok(Box::new(CreateView {
            profile: session.name.clone(),
            provider: super::PROVIDER,
            in_use: false,
            stored_as: spare_kind(&key_id),
            secret: SecretReport::new("api_key", store, &key.api_key, reveal),
            key: key.info,
            jwt_expires_at: None,
            previous_key_id: super::key_in_use(&session.profile),
        }));
    }

    let previous = super::key_in_use(&session.profile);
    let jwt = use_created(ctx, &mut session, &key, previous.as_deref())?;
    Ok(Box::new(CreateView {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        in_use: true,
        stored_as: "api_key".to_owned(),
        secret: SecretReport::new("api_key", store, &key.api_key, reveal),
        key: key.info,
        jwt_expires_at: SecretReport::new("jwt", store, &jwt, false).expires_at,
        previous_key_id: previous,
    }))
}

/// `keys create --use`: make the new key the profile's, proven by exchanging it for a JWT;
/// when that fails, the error says which key the profile uses now (`previous` still, or the
/// new one unproven) and how to finish.
fn use_created(
    ctx: &Ctx,
    session: &mut Session,
    key: &CreatedKey,
    previous: Option<&str>,
) -> Result<Secret<String>> {
    let select = select_flag(ctx);
    let key_id = &key.info.key_id;
    match adopt(ctx, session, key) {
        Ok(Adopted::Proven { jwt }) => Ok(jwt),
        Ok(Adopted::Unproven { cause }) => Err(restate(
            &cause,
            format!(
                "created API key {key_id} and made it the key of profile '{}', but exchanging \
                 it for a JWT failed: {}",
                session.name, cause.message
            ),
            format!(
                "finish with `agentcred {select}refresh`{}",
                cause
                    .hint
                    .as_deref()
                    .map(|h| format!(" once the cause is fixed ({h})"))
                    .unwrap_or_default()
            ),
        )),
        Err(cause) => Err(restate(
            &cause,
            format!(
                "created API key {key_id}, but exchanging it for a JWT failed, so profile '{}' \
                 still uses its key {}: {}. The new key is stored as {}",
                session.name,
                previous.unwrap_or("-"),
                cause.message,
                spare_kind(key_id)
            ),
            format!(
                "try again later with `agentcred {select}keys create --use`, and remove the \
                 unused key with `agentcred {select}keys revoke {key_id}`"
            ),
        )),
    }
}

// ------------------------------------------------------------------------------------------
// revoke

#[derive(Serialize, schemars::JsonSchema)]
struct RevokeView {
    profile: String,
    provider: Provider,
    key_id: String,
    revoked: bool,
    was_in_use: bool,
    removed_secrets: Vec<String>,
}

impl Render for RevokeView {
    fn human(&self, out: &mut Human) {
        out.line(if self.revoked {
            format!("Revoked API key {} at Fluxra.", self.key_id)
        } else {
            format!("API key {} was already gone at Fluxra.", self.key_id)
        });
        if !self.removed_secrets.is_empty() {
            out.line(format!(
                "Removed from the store: {}.",
                self.removed_secrets.join(", ")
            ));
        }
        if self.was_in_use {
            out.line(format!(
                "Profile '{}' has no API key now; {}.",
                self.profile,
                fluxra::NEW_KEY_HINT
            ));
        }
    }
}

fn revoke(ctx: &Ctx, mut session: Session, args: KeyRevoke) -> Result<Box<dyn View>> {
    let key_id = args.key_id.trim().to_owned();
    if key_id.is_empty() {
        return Err(
            Error::usage("the key id is empty").with_hint("see the ids with `agentcred keys list`")
        );
    }
    let in_use = super::key_in_use(&session.profile).as_ref() == Some(&key_id);
    if in_use && !args.force {
        return Err(Error::usage(format!(
            "{key_id} is the API key profile '{}' uses; revoking it leaves the profile without a working key",
            session.name
        ))
        .with_provider(fluxra::PROVIDER)
        .with_hint(
            "replace it safely with `agentcred keys rotate`, or pass --force to revoke it anyway",
        ));
    }
    let recovery_key = super::require_recovery_key(&session, "revoke an API key")?;
    let held = in_use || session.profile.extra_secrets.contains(&spare_kind(&key_id));
    let revoked = revoke_held(ctx, &session, &recovery_key, &key_id, held)?;
    let mut removed = Vec::new();
    if in_use {
        for kind in ["api_key", "jwt"] {
            if session
                .store
                .delete(&crate::store::account(&session.name, kind))?
            {
                removed.push(kind.to_owned());
            }
        }
        session.profile = update_profile(ctx, &session.name, |p| super::set_key_in_use(p, None))?;
    }
    if session
        .profile
        .extra_secrets
        .clone()
        .contains(&spare_kind(&key_id))
        && drop_spare(ctx, &mut session, &key_id)?
    {
        removed.push(spare_kind(&key_id));
    }
    Ok(Box::new(RevokeView {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        key_id,
        revoked,
        was_in_use: in_use,
        removed_secrets: removed,
    }))
}

/// Revoke `key_id` at Fluxra: whether Fluxra revoked it now (false: it was already gone, for
/// a key the profile still `held`), or why it is not known to be gone.
fn revoke_held(
    ctx: &Ctx,
    session: &Session,
    recovery_key: &Secret<String>,
    key_id: &str,
    held: bool,
) -> Result<bool> {
    match revoke_checked(session, recovery_key, key_id) {
        Ok(Revoked::Now) => Ok(true),
        Ok(Revoked::AnswerLost) => {
            ctx.printer.warn_coded("revoke_answer_lost", format!(
                "Fluxra's answer to revoking {key_id} was lost, but it no longer lists the key: it is revoked"
            ));
            Ok(true)
        }
        // A key gone at Fluxra whose secret is still stored here: the secret is useless now.
        Ok(Revoked::AlreadyGone(_)) if held => {
            ctx.printer.warn_coded(
                "credential_already_gone",
                format!("Fluxra no longer has API key {key_id}; its stored secret is deleted here"),
            );
            Ok(false)
        }
        Ok(Revoked::AlreadyGone(cause)) => Err(cause),
        Err(RevokeFailure::Refused(cause) | RevokeFailure::StillListed(cause)) => Err(cause),
        Err(RevokeFailure::Unknown(cause, unknown)) => {
            let mut err = cause;
            err.message = format!(
                "{}; asking Fluxra whether {key_id} is gone failed too ({}), so its stored secret is kept",
                err.message, unknown.message
            );
            err.hint = Some(format!(
                "see whether {key_id} is still listed with `agentcred keys list`, and revoke it again if it is"
            ));
            Err(err)
        }
    }
}

// ------------------------------------------------------------------------------------------
// rotate

#[derive(Serialize, schemars::JsonSchema)]
struct RotateView {
    profile: String,
    provider: Provider,
    old_key_id: String,
    /// False when the old key was already gone at Fluxra.
    old_key_revoked: bool,
    new_key: KeyInfo,
    secret: SecretReport,
    jwt_expires_at: Option<String>,
}

impl Render for RotateView {
    fn human(&self, out: &mut Human) {
        let jwt = self
            .jwt_expires_at
            .as_deref()
            .map(|t| format!(" (JWT valid until {t})"))
            .unwrap_or_default();
        out.line(format!(
            "Rotated profile '{}' to API key {}{jwt}.",
            self.profile, self.new_key.key_id
        ));
        if self.old_key_revoked {
            out.line(format!("Revoked the old key {}.", self.old_key_id));
        } else {
            out.line(format!(
                "The old key {} was already gone at Fluxra.",
                self.old_key_id
            ));
        }
        if let Some(value) = &self.secret.value {
            out.line(format!("api_key: {value}"));
        }
    }
}

/// How a revocation went, as Fluxra says.
enum Revoked {
    /// Revoked now, and Fluxra said so.
    Now,
    /// Revoked now, as Fluxra's list shows, although its answer was lost.
    AnswerLost,
    /// Fluxra no longer had it (revoked before, or by a request whose answer was lost and
    /// that was sent again); its error, for a caller that holds no such key.
    AlreadyGone(Error),
}

/// Why a key is not known to be revoked.
enum RevokeFailure {
    /// Fluxra answered and refused: the key still works.
    Refused(Error),
    /// The answer was lost, and Fluxra still lists the key: it still works.
    StillListed(Error),
    /// The answer was lost, and so was the answer to asking Fluxra about it.
    Unknown(Error, Box<Error>),
}

/// Revoke `key_id`; when the answer is lost, Fluxra's list of active keys says whether the
/// key is gone, before anything is said or cleaned up.
fn revoke_checked(
    session: &Session,
    recovery_key: &Secret<String>,
    key_id: &str,
) -> std::result::Result<Revoked, RevokeFailure> {
    let base = session.endpoint("api");
    let agent_id = &session.profile.agent_id;
    let cause = match fluxra::revoke_key(session.http, base, agent_id, recovery_key, key_id) {
        Ok(()) => return Ok(Revoked::Now),
        Err(cause) if cause.kind == ErrorKind::NotFound => return Ok(Revoked::AlreadyGone(cause)),
        Err(cause) if cause.kind != ErrorKind::Unavailable => {
            return Err(RevokeFailure::Refused(cause));
        }
        Err(cause) => cause,
    };
    match fluxra::list_keys_with_recovery_key(session.http, base, agent_id, recovery_key) {
        Ok(keys) if !keys.iter().any(|k| k.key_id == key_id) => Ok(Revoked::AnswerLost),
        Ok(_) => Err(RevokeFailure::StillListed(cause)),
        Err(unknown) => Err(RevokeFailure::Unknown(cause, Box::new(unknown))),
    }
}

fn rotate(ctx: &Ctx, mut session: Session) -> Result<Box<dyn View>> {
    let Some(old_id) = super::key_in_use(&session.profile) else {
        return Err(Error::usage(format!(
            "profile '{}' has no API key to rotate",
            session.name
        ))
        .with_provider(fluxra::PROVIDER)
        .with_hint(fluxra::NEW_KEY_HINT));
    };
    let recovery_key = super::require_recovery_key(&session, "rotate the API key")?;
    session.store.check()?;
    let select = select_flag(ctx);
    let base = session.endpoint("api").to_owned();
    let agent_id = session.profile.agent_id.clone();
    ctx.printer.notice(
        "recovery_key_used",
        "Rotating the API key (authenticated with the stored recovery key)...",
    );

    // 1. The old key's name, scopes and lifetime, for the new one.
    let keys = fluxra::list_keys_with_recovery_key(session.http, &base, &agent_id, &recovery_key)?;
    let spec = spec_like(keys.iter().find(|k| k.key_id == old_id));

    // 2. The new key, stored as a spare at once.
    let key = create_key_checked(&session, &recovery_key, &spec, Some(&keys)).map_err(|cause| {
        restate(
            &cause,
            format!(
                "rotation stopped: creating the new key failed: {}. Profile '{}' still uses \
                     {old_id}, which still works",
                cause.message, session.name
            ),
            cause
                .hint
                .clone()
                .unwrap_or_else(|| format!("try `agentcred {select}keys rotate` again later")),
        )
    })?;
    keep_spare(ctx, &mut session, &key)?;
    let new_id = key.info.key_id.clone();

    // 3. Prove it and switch to it.
    let jwt = use_rotated(ctx, &mut session, &key, &old_id)?;

    // 4. Only now revoke the old key. An answer that did not arrive says nothing about
    // whether Fluxra revoked it: Fluxra's list of active keys does.
    let revoked = revoke_checked(&session, &recovery_key, &old_id)
        .map_err(|failure| old_key_kept(failure, &session.name, &new_id, &old_id, &select))?;
    drop_spare(ctx, &mut session, &old_id)?;
    if let Revoked::AnswerLost = revoked {
        ctx.printer.warn_coded("revoke_answer_lost", format!(
            "Fluxra's answer to revoking {old_id} was lost, but it no longer lists the key: it is revoked"
        ));
    }
    let old_key_revoked = !matches!(revoked, Revoked::AlreadyGone(_));

    let store = session.profile.store;
    Ok(Box::new(RotateView {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        old_key_id: old_id,
        old_key_revoked,
        secret: SecretReport::new("api_key", store, &key.api_key, ctx.global.reveal),
        jwt_expires_at: jwt.and_then(|j| SecretReport::new("jwt", store, &j, false).expires_at),
        new_key: key.info,
    }))
}

/// The new key's spec, like the old key's (`old`, when Fluxra still lists it): its name,
/// scopes and lifetime.
fn spec_like(old: Option<&KeyInfo>) -> KeySpec<'_> {
    KeySpec {
        name: old
            .and_then(|k| k.name.as_deref())
            .unwrap_or(DEFAULT_KEY_NAME),
        scopes: old.map(|k| k.scopes.as_slice()).unwrap_or_default(),
        expires_in_days: old.and_then(KeyInfo::lifetime_days),
    }
}

/// Rotation step 3: make the new key the profile's, proven by exchanging it for a JWT; when
/// that fails, the error says which key the profile uses now (`old_id` still, or the new one
/// unproven) and how to finish.
fn use_rotated(
    ctx: &Ctx,
    session: &mut Session,
    key: &CreatedKey,
    old_id: &str,
) -> Result<Option<Secret<String>>> {
    let select = select_flag(ctx);
    let new_id = &key.info.key_id;
    match adopt(ctx, session, key) {
        Ok(Adopted::Proven { jwt }) => Ok(Some(jwt)),
        // Only when the profile had no stored secret for its key: nothing was lost.
        Ok(Adopted::Unproven { cause }) => Err(restate(
            &cause,
            format!(
                "profile '{}' now uses the new key {new_id} (its old key's secret was missing \
                 from the store), but exchanging it for a JWT failed: {}",
                session.name, cause.message
            ),
            format!("finish with `agentcred {select}refresh`"),
        )),
        Err(cause) => Err(restate(
            &cause,
            format!(
                "rotation stopped: exchanging the new key {new_id} for a JWT failed: {}. \
                 Profile '{}' still uses {old_id}, which was not revoked and still works; the \
                 new key is kept in the store as {}",
                cause.message,
                session.name,
                spare_kind(new_id)
            ),
            format!(
                "run `agentcred {select}keys rotate` again once Fluxra answers, and remove the \
                 unused key with `agentcred {select}keys revoke {new_id}`"
            ),
        )),
    }
}

/// The error of a rotation whose last step, revoking the old key, failed: profile `profile`
/// uses the new key, and the old one stays stored as a spare while it may still work.
fn old_key_kept(
    failure: RevokeFailure,
    profile: &str,
    new_id: &str,
    old_id: &str,
    select: &str,
) -> Error {
    let now = format!("profile '{profile}' now uses the new key {new_id}, but");
    let kept = spare_kind(old_id);
    let again = format!("revoke it with `agentcred {select}keys revoke {old_id}`");
    match failure {
        RevokeFailure::Refused(cause) => restate(
            &cause,
            format!(
                "{now} Fluxra refused to revoke the old key {old_id}: {}. The old key still \
                 works; it stays stored as {kept}",
                cause.message
            ),
            again,
        ),
        RevokeFailure::StillListed(cause) => restate(
            &cause,
            format!(
                "{now} revoking the old key {old_id} failed: {}. Fluxra still lists the old \
                 key as active, so it still works; it stays stored as {kept}",
                cause.message
            ),
            again,
        ),
        RevokeFailure::Unknown(cause, unknown) => restate(
            &cause,
            format!(
                "{now} revoking the old key {old_id} got no answer ({}), and asking Fluxra \
                 whether it is gone failed too ({}). It stays stored as {kept} until that \
                 is known",
                cause.message, unknown.message
            ),
            format!(
                "see whether {old_id} is still listed with `agentcred {select}keys list`; if \
                 it is, {again}"
            ),
        ),
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("keys list", schema_of::<ListView>()),
        ("keys create", schema_of::<CreateView>()),
        ("keys revoke", schema_of::<RevokeView>()),
        ("keys rotate", schema_of::<RotateView>()),
    ]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub enum KeysAction {
    /// List the agent's API keys
    List,
    /// Create an API key
    Create(KeyCreate),
    /// Revoke an API key
    Revoke(KeyRevoke),
    /// Create a new key, switch the profile to it, prove it, then revoke the old one
    Rotate,
}

#[derive(Debug, Clone)]
pub struct KeyCreate {
    pub name: Option<String>,
    pub scopes: Vec<String>,
    pub expires_in_days: Option<u32>,
    /// Make the new key the profile's key
    pub use_key: bool,
}

#[derive(Debug, Clone)]
pub struct KeyRevoke {
    pub key_id: String,
    /// Allow revoking the key the profile uses
    pub force: bool,
}
