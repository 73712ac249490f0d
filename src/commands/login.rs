//! `agentcred login authpi|proxy` and `logout`: operator credentials.
//!
//! AuthPI's org API key is a pair (`key_id:key_secret`, one line on stdin, or two prompts);
//! Proxy's org key is one `lk_dev_…`/`lk_live_…` value. They go to the store as
//! `operator:PROVIDER`; the config records only where, and a non-secret label. At use time the
//! environment (`AUTHPI_KEY_ID` + `AUTHPI_KEY_SECRET`, `PROXY_API_KEY`) wins over the store, so
//! CI can inject keys without touching the store.

use serde::Serialize;

use super::Ctx;
use crate::cli::{LoginArgs, OperatorProvider};
use crate::error::{Error, Result};
use crate::input::{self, Hint};
use crate::output::{Human, Render};
use crate::profile::{Config, Operator, Provider};
use crate::secret::Secret;
use crate::store::{self, StoreChoice, StoreKind};
use crate::timefmt;

pub fn provider_of(p: OperatorProvider) -> Provider {
    match p {
        OperatorProvider::Authpi => Provider::Authpi,
        OperatorProvider::Proxy => Provider::Proxy,
    }
}

/// What to tell a user who has no operator credential for `provider`.
pub fn how_to_provide(provider: Provider) -> &'static str {
    match provider {
        Provider::Authpi => {
            "set AUTHPI_KEY_ID and AUTHPI_KEY_SECRET, or store the key with `agentcred login authpi` (reads key_id:key_secret from stdin or prompts)"
        }
        _ => {
            "set PROXY_API_KEY, or store the key with `agentcred login proxy` (reads it from stdin or a prompt)"
        }
    }
}

/// Where an operator key is kept: real keys under the provider's id (`proxy`, account
/// `operator:proxy`), sandbox keys (`agentcred --sandbox login proxy`) in a slot of their own
/// (`sandbox-proxy`, account `operator:sandbox-proxy`), so that trying the sandbox never
/// replaces, nor is sent, the organization's real key.
pub fn operator_slot(provider: Provider, sandbox: bool) -> String {
    if sandbox {
        format!("sandbox-{}", provider.id())
    } else {
        provider.id().to_owned()
    }
}

/// The operator credential as Basic user + secret (AuthPI) or a single key (Proxy).
pub struct OperatorKey {
    pub user: Option<String>,
    pub secret: Secret<String>,
    /// "environment", the store kind, or [`SANDBOX_DEMO_SOURCE`].
    pub source: String,
}

/// Operator credentials for `provider`: environment first, then the key stored by `login`
/// for real profiles or, with `sandbox`, by `--sandbox login`.
pub fn operator_key(ctx: &Ctx, provider: Provider, sandbox: bool) -> Result<OperatorKey> {
    match provider {
        Provider::Authpi => {
            let id = std::env::var("AUTHPI_KEY_ID")
                .ok()
                .filter(|v| !v.is_empty());
            let secret = std::env::var("AUTHPI_KEY_SECRET")
                .ok()
                .filter(|v| !v.is_empty());
            match (id, secret) {
                (Some(id), Some(secret)) => {
                    return Ok(OperatorKey {
                        user: Some(id),
                        secret: Secret::new(secret),
                        source: "environment".into(),
                    });
                }
                (Some(_), None) | (None, Some(_)) => {
                    return Err(Error::usage(
                        "only one of AUTHPI_KEY_ID and AUTHPI_KEY_SECRET is set",
                    )
                    .with_hint("set both, or neither to use the stored key"));
                }
                (None, None) => {}
            }
        }
        _ => {
            if let Some(key) = std::env::var("PROXY_API_KEY")
                .ok()
                .filter(|v| !v.is_empty())
            {
                return Ok(OperatorKey {
                    user: None,
                    secret: Secret::new(key),
                    source: "environment".into(),
                });
            }
        }
    }
    let config = ctx.config()?;
    let missing = || {
        Error::usage(format!(
            "no {} operator credentials",
            provider.display_name()
        ))
        .with_provider(provider.id())
        .with_hint(how_to_provide(provider))
    };
    let slot = operator_slot(provider, sandbox);
    let Some(entry) = config.operators.get(&slot) else {
        return if sandbox {
            Ok(sandbox_demo_key(ctx, provider))
        } else {
            Err(missing())
        };
    };
    let stored = store::open(entry.store, &ctx.paths)?
        .get(&store::operator_account(&slot))?
        .ok_or_else(missing)?;
    Ok(match provider {
        Provider::Authpi => {
            let (id, secret) = split_pair(stored.expose()).ok_or_else(|| {
                Error::store("the stored AuthPI operator key is malformed")
                    .with_hint("log in again with `agentcred login authpi`")
            })?;
            OperatorKey {
                user: Some(id.to_owned()),
                secret: Secret::new(secret.to_owned()),
                source: entry.store.to_string(),
            }
        }
        _ => OperatorKey {
            user: None,
            secret: stored,
            source: entry.store.to_string(),
        },
    })
}

/// The sandbox's documented demo org key, for sandbox profiles with no key configured (said
/// on stderr). Real profiles never get here: only the sandbox knows these fake keys.
fn sandbox_demo_key(ctx: &Ctx, provider: Provider) -> OperatorKey {
    use crate::sandbox_host::demo_credential;
    let demo = |var| demo_credential(var).unwrap_or_default();
    let (user, secret, shown) = match provider {
        Provider::Authpi => (
            Some(demo("AUTHPI_KEY_ID").to_owned()),
            demo("AUTHPI_KEY_SECRET"),
            demo("AUTHPI_KEY_ID"),
        ),
        _ => (None, demo("PROXY_API_KEY"), demo("PROXY_API_KEY")),
    };
    ctx.printer.status(format!(
        "No {} operator key is configured; using the sandbox's demo key {shown}.",
        provider.display_name()
    ));
    OperatorKey {
        user,
        secret: Secret::new(secret.to_owned()),
        source: SANDBOX_DEMO_SOURCE.to_owned(),
    }
}

/// [`OperatorKey::source`] of the sandbox's demo key.
pub const SANDBOX_DEMO_SOURCE: &str = "sandbox demo key";

fn split_pair(value: &str) -> Option<(&str, &str)> {
    let (id, secret) = value.split_once(':')?;
    (!id.trim().is_empty() && !secret.trim().is_empty()).then(|| (id.trim(), secret.trim()))
}

#[derive(Serialize)]
struct LoginView {
    provider: Provider,
    action: &'static str,
    store: Option<StoreKind>,
    label: Option<String>,
    note: Option<String>,
}

impl Render for LoginView {
    fn human(&self, out: &mut Human) {
        let label = self
            .label
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        match self.action {
            "login" => out.line(format!(
                "Stored the {} operator key{label} in the {} store.",
                self.provider.display_name(),
                self.store.map(|s| s.to_string()).unwrap_or_default()
            )),
            _ => out.line(format!(
                "Removed the stored {} operator key{label}.",
                self.provider.display_name()
            )),
        }
        if let Some(note) = &self.note {
            out.line(note);
        }
    }
}

pub fn login(ctx: &Ctx, args: LoginArgs) -> Result<()> {
    let provider = provider_of(args.provider);
    let (value, label) = match provider {
        Provider::Authpi => {
            let hint = Hint(
                "pipe `key_id:key_secret` on stdin, or set AUTHPI_KEY_ID and AUTHPI_KEY_SECRET instead of logging in",
            );
            let first = input::secret(
                "AuthPI key id (or key_id:key_secret)",
                ctx.global.no_input,
                hint,
            )?;
            let pair = if split_pair(first.expose()).is_some() {
                first.expose().clone()
            } else {
                let secret = input::secret(
                    "AuthPI key secret",
                    ctx.global.no_input,
                    Hint("pipe `key_id:key_secret` on one line instead"),
                )?;
                format!("{}:{}", first.expose().trim(), secret.expose())
            };
            let (id, _) = split_pair(&pair).ok_or_else(|| {
                Error::usage("expected the AuthPI key as key_id:key_secret")
                    .with_hint("for example: printf '%s' \"$ID:$SECRET\" | agentcred login authpi")
            })?;
            if !id.starts_with("key_") {
                return Err(Error::usage(format!(
                    "'{id}' is not an AuthPI API key id (they start with key_)"
                ))
                .with_hint("copy the key id and secret shown when the org API key was created"));
            }
            let label = format!("key id {id}");
            (Secret::new(pair), label)
        }
        _ => {
            let key = input::secret(
                "Proxy Api-Key",
                ctx.global.no_input,
                Hint(
                    "pipe the key on stdin (`agentcred login proxy < keyfile`), or set PROXY_API_KEY",
                ),
            )?;
            let env = if key.expose().starts_with("lk_live_") {
                "live"
            } else if key.expose().starts_with("lk_dev_") || key.expose().starts_with("lk_test_") {
                "dev"
            } else {
                return Err(Error::usage(
                    "that is not a Proxy API key (they start with lk_live_ or lk_dev_)",
                )
                .with_hint("copy the organization key from the Proxy dashboard"));
            };
            (key, format!("{env} key"))
        }
    };
    let sandbox = ctx.global.sandbox;
    let kind = store::resolve(
        ctx.global.store.unwrap_or(StoreChoice::Auto),
        sandbox,
        &ctx.paths,
    )?;
    let slot = operator_slot(provider, sandbox);
    let target = store::open(kind, &ctx.paths)?;
    target.set(&store::operator_account(&slot), &value)?;
    Config::update(&ctx.paths, |config| {
        config.operators.insert(
            slot.clone(),
            Operator {
                store: kind,
                sandbox,
                label: Some(label.clone()),
                stored_at: timefmt::from_unix_secs(timefmt::now_unix()),
            },
        );
        Ok(())
    })?;
    ctx.printer.print(&LoginView {
        provider,
        action: "login",
        store: Some(kind),
        label: Some(label),
        note: None,
    })
}

pub fn logout(ctx: &Ctx, args: LoginArgs) -> Result<()> {
    let provider = provider_of(args.provider);
    let slot = operator_slot(provider, ctx.global.sandbox);
    let entry = Config::update(&ctx.paths, |config| Ok(config.operators.remove(&slot)))?;
    let Some(entry) = entry else {
        return Err(Error::not_found(format!(
            "no stored {} operator key",
            provider.display_name()
        ))
        .with_provider(provider.id())
        .with_hint("nothing to log out from; `agentcred login` stores one"));
    };
    store::open(entry.store, &ctx.paths)?.delete(&store::operator_account(&slot))?;
    ctx.printer.print(&LoginView {
        provider,
        action: "logout",
        store: Some(entry.store),
        label: entry.label,
        note: Some(format!(
            "The key was not revoked at {}; revoke it in the service's dashboard if it leaked.",
            provider.display_name()
        )),
    })
}
