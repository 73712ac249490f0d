//! `agentcred register fluxra`: three calls, each stored before the next is made.
//!
//! 1. `POST /api/auth/register` → the agent id and the one-time recovery key, which is stored
//!    at once and the profile saved, before anything else can fail;
//! 2. `POST /api/agents/{agent_id}` (Basic `agent_id:recovery_key`) → the first API key, also
//!    shown once, stored and recorded in the profile (`record.key_id`);
//! 3. `POST /api/auth/token` (Basic `agent_id:api_key`) → the first JWT.
//!
//! If step 2 or 3 fails, the profile keeps what it has, the command exits with the cause's
//! code, and the message says what the profile holds and which command finishes it
//! (`agentcred keys create --use` after 2, `agentcred refresh` after 3). The agent name is
//! checked against `^[a-zA-Z0-9-]{3,50}$` before any call.
//!
//! `--reveal` prints the recovery key and the API key: this is the only time Fluxra shows
//! them. `-v` traces never do (the http layer redacts `recovery_key` and `api_key` fields and
//! Basic passwords).

use serde::Serialize;

use crate::enroll::Pending;
use crate::output::secrets::SecretReport;

use super::client::{self as fluxra, KeyInfo, KeySpec};
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
    key: KeyInfo,
    secrets: Vec<SecretReport>,
}

impl Render for Registered {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Registered Fluxra agent {} ({}) as profile '{}'{sandbox}.",
            self.agent_id, self.agent_name, self.profile
        ));
        out.line(format!(
            "API key {} ('{}'), scopes {}, expires {}.",
            self.key.key_id,
            self.key.name.as_deref().unwrap_or("-"),
            if self.key.scopes.is_empty() {
                "-".to_owned()
            } else {
                self.key.scopes.join(" ")
            },
            self.key.expires_at.as_deref().unwrap_or("never")
        ));
        SecretReport::render_all(&self.secrets, out);
        out.line(
            "The recovery key is the agent's master credential and Fluxra will not show it again; \
             agentcred uses it only to create, list and revoke API keys.",
        );
        if self.current {
            out.note(format!("'{}' is now the current profile.", self.profile));
        }
    }
}

pub fn run(ctx: &Ctx, args: Registration) -> Result<Box<dyn View>> {
    fluxra::validate_agent_name(&args.name)?;
    let mut pending = Pending::start(ctx, super::PROVIDER)?;
    let http = ctx.http()?;
    let base = pending.endpoint("api").to_owned();
    let registered = fluxra::register(
        http,
        &base,
        &args.name,
        args.email.as_deref(),
        args.description.as_deref(),
    )?;
    let agent_id = registered.agent_id.clone();

    // The recovery key is shown once: keep it, and the profile, before anything else can fail.
    let mut profile = pending.new_profile(&agent_id);
    profile.agent_name = Some(registered.agent_name.clone());
    if let Err(cause) =
        pending.try_store(ctx, &profile, &[("recovery_key", &registered.recovery_key)])
    {
        return Err(rescue_whole_agent(
            ctx,
            &pending,
            &args,
            profile,
            &registered.recovery_key,
            cause,
        ));
    }
    pending.save_partial(ctx, profile.clone())?;
    let store = pending.store_kind();
    ctx.printer.notice("registration_step", format!(
        "Registered Fluxra agent {agent_id}; its recovery key is in the {store} store. Creating an API key..."
    ));

    let spec = KeySpec {
        name: &args.key_name,
        scopes: &args.scopes,
        expires_in_days: args.key_expires_in_days,
    };
    let key = fluxra::create_key(http, &base, &agent_id, &registered.recovery_key, &spec).map_err(
        |cause| {
            half_way(
                cause,
                &pending,
                &agent_id,
                "its recovery key",
                "creating its first API key",
                "keys create --use",
            )
        },
    )?;
    super::set_key_in_use(&mut profile, Some(key.info.key_id.clone()))?;
    pending.store_secrets(ctx, &profile, &[("api_key", &key.api_key)])?;
    pending.save_partial(ctx, profile.clone())?;

    let jwt = fluxra::exchange(http, &base, &agent_id, &key.api_key).map_err(|cause| {
        half_way(
            cause,
            &pending,
            &agent_id,
            &format!("its recovery key and API key {}", key.info.key_id),
            "exchanging the API key for a JWT",
            "refresh",
        )
    })?;
    pending.store_secrets(ctx, &profile, &[("jwt", &jwt)])?;

    let sandbox = pending.sandbox;
    let profile_name = pending.name.clone();
    let current = pending.save(ctx, profile)?;
    let reveal = ctx.global.reveal;
    Ok(Box::new(Registered {
        profile: profile_name,
        provider: super::PROVIDER,
        agent_id,
        agent_name: registered.agent_name,
        sandbox,
        current,
        key: key.info,
        secrets: vec![
            SecretReport::new("recovery_key", store, &registered.recovery_key, reveal),
            SecretReport::new("api_key", store, &key.api_key, reveal),
            SecretReport::new("jwt", store, &jwt, reveal),
        ],
    }))
}

/// The store failed for the recovery key: it exists only in memory now. Finish the agent
/// anyway (its first API key and a JWT: the calls need no store), so that the rescue file
/// holds a profile that works once `agentcred import` has stored it; then rescue it all.
fn rescue_whole_agent(
    ctx: &Ctx,
    pending: &Pending,
    args: &Registration,
    mut profile: crate::profile::Profile,
    recovery_key: &crate::secret::Secret<String>,
    cause: Error,
) -> Error {
    let base = pending.endpoint("api");
    let agent_id = profile.agent_id.clone();
    let spec = KeySpec {
        name: &args.key_name,
        scopes: &args.scopes,
        expires_in_days: args.key_expires_in_days,
    };
    let key = ctx
        .http()
        .and_then(|http| fluxra::create_key(http, base, &agent_id, recovery_key, &spec))
        .ok();
    let jwt = key.as_ref().and_then(|key| {
        ctx.http()
            .and_then(|http| fluxra::exchange(http, base, &agent_id, &key.api_key))
            .ok()
    });
    let mut secrets = vec![("recovery_key", recovery_key)];
    if let Some(key) = &key {
        // The secret is kept even if recording its id failed: it is shown only once.
        let _ = super::set_key_in_use(&mut profile, Some(key.info.key_id.clone()));
        secrets.push(("api_key", &key.api_key));
    }
    if let Some(jwt) = &jwt {
        secrets.push(("jwt", jwt));
    }
    pending.rescue(ctx, &profile, &secrets, cause)
}

/// The error of a registration that stopped after the agent was created: the cause's kind
/// (so its exit code), what the profile holds, and the command that finishes it.
fn half_way(
    cause: Error,
    pending: &Pending,
    agent_id: &str,
    holds: &str,
    step: &str,
    finish: &str,
) -> Error {
    let select = if pending.made_current() {
        String::new()
    } else {
        format!("--profile {} ", pending.name)
    };
    let mut err = Error::new(
        cause.kind,
        format!(
            "the Fluxra agent {agent_id} was registered and saved as profile '{}' with {holds} \
             (in the {} store), but {step} failed: {}",
            pending.name,
            pending.store_kind(),
            cause.message
        ),
    )
    .with_provider(fluxra::PROVIDER)
    .with_hint(format!(
        "finish the profile with `agentcred {select}{finish}`{}",
        cause
            .hint
            .as_deref()
            .map(|h| format!(" once the cause is fixed ({h})"))
            .unwrap_or_default()
    ));
    err.http_status = cause.http_status;
    err.service_code = cause.service_code;
    err
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("register fluxra", schema_of::<Registered>())]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub struct Registration {
    /// Agent name: 3-50 letters, digits or '-'
    pub name: String,
    pub email: Option<String>,
    pub description: Option<String>,
    /// Name of the first API key
    pub key_name: String,
    /// Scopes of the first API key (repeatable; default: the service's defaults)
    pub scopes: Vec<String>,
    /// Expiry of the first API key in days (default: no expiry)
    pub key_expires_in_days: Option<u32>,
}
