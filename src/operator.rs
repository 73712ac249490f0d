//! Operator (organization) keys: how a service's [`OperatorScheme`] is read from the
//! environment, the store, or the sandbox's demo keys.
//!
//! A Basic scheme's key is a pair (`key_id:key_secret`, one line on stdin, or two prompts); an
//! API-key scheme's is one value with a known prefix. `login` stores them as
//! `operator:SERVICE`; the config records only where, and a non-secret label. At use time the
//! environment wins over the store, so CI can inject keys without touching the store.
//!
//! Sandbox keys (`agentcred --sandbox login SERVICE`) get a slot of their own
//! (`operator:sandbox-SERVICE`), so that trying the sandbox never replaces, nor is sent, the
//! organization's real key. A sandbox profile with no key at all falls back to the sandbox's
//! documented demo key and says so; a real profile never does.

use std::io::IsTerminal;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::input::{self, Hint};
use crate::profile::Config;
use crate::sandbox_host;
use crate::secret::Secret;
use crate::spec::{OperatorScheme, Provider};
use crate::store;

/// An organization key, as its scheme sends it.
#[derive(Clone)]
pub enum OperatorKey {
    /// HTTP Basic: key id and secret.
    Basic { id: String, secret: Secret<String> },
    /// One key in a header.
    ApiKey(Secret<String>),
}

impl OperatorKey {
    /// The key as a Basic pair. A service whose scheme is Basic only ever gets Basic keys
    /// from [`find`]; an API key counts as a secret with an empty id.
    pub fn into_basic(self) -> (String, Secret<String>) {
        match self {
            OperatorKey::Basic { id, secret } => (id, secret),
            OperatorKey::ApiKey(secret) => (String::new(), secret),
        }
    }

    /// The key as one value. A service whose scheme is an API key only ever gets those from
    /// [`find`]; of a Basic pair, the secret.
    pub fn into_api_key(self) -> Secret<String> {
        match self {
            OperatorKey::ApiKey(key) => key,
            OperatorKey::Basic { secret, .. } => secret,
        }
    }
}

/// An operator key in the shape a service's own client takes it (with what it wants to
/// know of where the key came from), for [`key`] and [`key_if_any`].
pub trait FromOperator: Sized {
    fn from_operator(found: Operator) -> Self;
}

/// The service's operator key in its client's shape: [`require`], converted.
pub fn key<K: FromOperator>(ctx: &Ctx, provider: Provider, sandbox: bool) -> Result<K> {
    require(ctx, provider, sandbox).map(K::from_operator)
}

/// [`key`], or `None` when no key is configured ([`find`]).
pub fn key_if_any<K: FromOperator>(
    ctx: &Ctx,
    provider: Provider,
    sandbox: bool,
) -> Result<Option<K>> {
    Ok(find(ctx, provider, sandbox)?.map(K::from_operator))
}

/// An operator key and where it came from.
pub struct Operator {
    pub key: OperatorKey,
    /// "environment", the store kind, or [`SANDBOX_DEMO_SOURCE`].
    pub source: String,
}

/// [`Operator::source`] of the sandbox's demo key.
pub const SANDBOX_DEMO_SOURCE: &str = "sandbox demo key";

/// The scheme of a service that has operator keys; an internal error for one that has none.
pub fn scheme(provider: Provider) -> Result<OperatorScheme> {
    provider
        .spec()
        .operator
        .ok_or_else(|| Error::internal(format!("{} has no operator keys", provider.display_name())))
}

/// What to tell a user who has no operator key for `provider`.
pub fn how_to_provide(provider: Provider) -> String {
    let id = provider.id();
    match scheme(provider) {
        Ok(OperatorScheme::Basic {
            id_env, secret_env, ..
        }) => format!(
            "set {id_env} and {secret_env}, or store the key with `agentcred login {id}` (reads key_id:key_secret from stdin or prompts)"
        ),
        Ok(OperatorScheme::ApiKey { env, .. }) => format!(
            "set {env}, or store the key with `agentcred login {id}` (reads it from stdin or a prompt)"
        ),
        Err(_) => format!("{} has no operator keys", provider.display_name()),
    }
}

// Where a key is kept, and how a Basic pair splits: plain rules that the broker's redaction
// needs too, so they live in `profile`, below both.
pub use crate::profile::{operator_slot as slot, split_operator_pair as split_pair};

/// The operator key: environment first, then the key stored by `login` for real profiles or,
/// with `sandbox`, by `--sandbox login`, then (sandbox only) the demo key. `Ok(None)` when no
/// key is configured: the caller decides whether that is an error or "use the agent's own
/// credential instead".
pub fn find(ctx: &Ctx, provider: Provider, sandbox: bool) -> Result<Option<Operator>> {
    let scheme = scheme(provider)?;
    if let Some(key) = from_env(scheme)? {
        return Ok(Some(Operator {
            key,
            source: "environment".into(),
        }));
    }
    let config = ctx.config()?;
    let slot = slot(provider, sandbox);
    let Some(entry) = config.operators.get(&slot) else {
        return Ok(sandbox
            .then(|| sandbox_demo_key(ctx, provider, scheme))
            .flatten());
    };
    let Some(stored) =
        store::open(entry.store, &ctx.paths)?.get(&store::operator_account(&slot))?
    else {
        return Ok(None);
    };
    crate::redact::remember([&stored]);
    if let Some((_, secret)) = split_pair(stored.expose()) {
        crate::redact::remember([&Secret::new(secret.to_owned())]);
    }
    let key = match scheme {
        OperatorScheme::Basic { .. } => {
            let (id, secret) = split_pair(stored.expose()).ok_or_else(|| {
                Error::store(format!(
                    "the stored {} operator key is malformed",
                    provider.display_name()
                ))
                .with_hint(format!(
                    "log in again with `agentcred login {}`",
                    provider.id()
                ))
            })?;
            OperatorKey::Basic {
                id: id.to_owned(),
                secret: Secret::new(secret.to_owned()),
            }
        }
        OperatorScheme::ApiKey { .. } => OperatorKey::ApiKey(stored),
    };
    Ok(Some(Operator {
        key,
        source: entry.store.to_string(),
    }))
}

/// [`find`], where a missing key is a usage error (exit 2) naming both ways to give one.
pub fn require(ctx: &Ctx, provider: Provider, sandbox: bool) -> Result<Operator> {
    find(ctx, provider, sandbox)?.ok_or_else(|| {
        Error::usage(format!(
            "no {} operator credentials",
            provider.display_name()
        ))
        .with_provider(provider.id())
        .with_hint(how_to_provide(provider))
    })
}

fn env_value(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.is_empty())
}

fn from_env(scheme: OperatorScheme) -> Result<Option<OperatorKey>> {
    match scheme {
        OperatorScheme::Basic {
            id_env, secret_env, ..
        } => match (env_value(id_env), env_value(secret_env)) {
            (Some(id), Some(secret)) => Ok(Some(OperatorKey::Basic {
                id,
                secret: Secret::new(secret),
            })),
            (Some(_), None) | (None, Some(_)) => Err(Error::usage(format!(
                "only one of {id_env} and {secret_env} is set"
            ))
            .with_hint("set both, or neither to use the stored key")),
            (None, None) => Ok(None),
        },
        OperatorScheme::ApiKey { env, .. } => {
            Ok(env_value(env).map(|key| OperatorKey::ApiKey(Secret::new(key))))
        }
    }
}

/// The sandbox's documented demo key (said on stderr). Real profiles never get here: only the
/// sandbox knows these fake keys, under the variable names a real key would come in.
fn sandbox_demo_key(ctx: &Ctx, provider: Provider, scheme: OperatorScheme) -> Option<Operator> {
    let (key, shown) = match scheme {
        OperatorScheme::Basic {
            id_env, secret_env, ..
        } => {
            let id = sandbox_host::demo_credential(id_env)?;
            let secret = sandbox_host::demo_credential(secret_env)?;
            (
                OperatorKey::Basic {
                    id: id.to_owned(),
                    secret: Secret::new(secret.to_owned()),
                },
                id,
            )
        }
        OperatorScheme::ApiKey { env, .. } => {
            let key = sandbox_host::demo_credential(env)?;
            (OperatorKey::ApiKey(Secret::new(key.to_owned())), key)
        }
    };
    ctx.printer.notice(
        "sandbox_demo_key",
        format!(
            "No {} operator key is configured; using the sandbox's demo key {shown}.",
            provider.display_name()
        ),
    );
    Some(Operator {
        key,
        source: SANDBOX_DEMO_SOURCE.to_owned(),
    })
}

/// The label an API key's prefix gives it (`lk_live_…` → "live"), if the scheme knows it.
pub fn api_key_label(scheme: OperatorScheme, key: &str) -> Option<&'static str> {
    match scheme {
        OperatorScheme::ApiKey { prefixes, .. } => prefixes
            .iter()
            .find(|(prefix, _)| key.starts_with(prefix))
            .map(|(_, label)| *label),
        OperatorScheme::Basic { .. } => None,
    }
}

/// The key as it is stored (`key_id:key_secret` for a pair), read back as its scheme sends it.
pub fn parse_stored(scheme: OperatorScheme, stored: &Secret<String>) -> Option<OperatorKey> {
    match scheme {
        OperatorScheme::Basic { .. } => {
            let (id, secret) = split_pair(stored.expose())?;
            Some(OperatorKey::Basic {
                id: id.to_owned(),
                secret: Secret::new(secret.to_owned()),
            })
        }
        OperatorScheme::ApiKey { .. } => Some(OperatorKey::ApiKey(stored.clone())),
    }
}

/// Read a key for `login` from stdin or prompts, check its shape, and return the value to
/// store with its non-secret label.
pub fn read_for_login(ctx: &Ctx, provider: Provider) -> Result<(Secret<String>, String)> {
    let name = provider.display_name();
    let id = provider.id();
    match scheme(provider)? {
        OperatorScheme::Basic {
            id_env,
            secret_env,
            id_prefix,
        } => {
            let hint = format!(
                "pipe `key_id:key_secret` on stdin, or set {id_env} and {secret_env} instead of logging in"
            );
            let first = input::secret(
                &format!("{name} key id (or key_id:key_secret)"),
                ctx.global.no_input,
                Hint(&hint),
                &|m| ctx.printer.notice("waiting_for_input", m),
            )?;
            let pair = if split_pair(first.expose()).is_some() {
                first.expose().clone()
            } else {
                let secret = input::secret(
                    &format!("{name} key secret"),
                    ctx.global.no_input,
                    Hint("pipe `key_id:key_secret` on one line instead"),
                    &|m| ctx.printer.notice("waiting_for_input", m),
                )
                .map_err(|mut e| {
                    // The first line was there: what is missing is the second.
                    if !std::io::stdin().is_terminal() {
                        e.message = format!(
                            "the {name} key id was read from stdin, but no key secret followed it on the next line"
                        );
                    }
                    e
                })?;
                format!("{}:{}", first.expose().trim(), secret.expose())
            };
            let (key_id, _) = split_pair(&pair).ok_or_else(|| {
                Error::usage(format!("expected the {name} key as key_id:key_secret")).with_hint(
                    format!("for example: printf '%s' \"$ID:$SECRET\" | agentcred login {id}"),
                )
            })?;
            if !key_id.starts_with(id_prefix) {
                return Err(Error::usage(format!(
                    "'{key_id}' is not a {name} API key id (they start with {id_prefix})"
                ))
                .with_hint("copy the key id and secret shown when the org API key was created"));
            }
            let label = format!("key id {key_id}");
            Ok((Secret::new(pair), label))
        }
        scheme @ OperatorScheme::ApiKey { env, prefixes } => {
            let hint =
                format!("pipe the key on stdin (`agentcred login {id} < keyfile`), or set {env}");
            let key = input::secret(
                &format!("{name} API key"),
                ctx.global.no_input,
                Hint(&hint),
                &|m| ctx.printer.notice("waiting_for_input", m),
            )?;
            let Some(label) = api_key_label(scheme, key.expose()) else {
                let shown: Vec<&str> = prefixes.iter().map(|(p, _)| *p).collect();
                return Err(Error::usage(format!(
                    "that is not a {name} API key (they start with {})",
                    shown.join(" or ")
                ))
                .with_hint(format!(
                    "copy the organization key from the {name} dashboard"
                )));
            };
            Ok((key, format!("{label} key")))
        }
    }
}

/// Forget a stored key's config entry and return it (the caller deletes the secret).
pub fn forget(ctx: &Ctx, slot: &str) -> Result<Option<crate::profile::Operator>> {
    Config::update(&ctx.paths, |config| Ok(config.operators.remove(slot)))
}
