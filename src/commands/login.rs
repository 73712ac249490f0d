//! `agentcred login SERVICE` and `logout`: a service's operator (organization) key, read and
//! checked by [`crate::operator`] according to the service's scheme.

use serde::Serialize;

use super::Ctx;
use crate::cli::LoginArgs;
use crate::error::{Error, Result};
use crate::operator;
use crate::output::{Human, Output, Render};
use crate::profile::{Config, Operator};
use crate::spec::Provider;
use crate::store::{self, StoreChoice, StoreKind};
use crate::timefmt;

fn provider_of(args: &LoginArgs) -> Result<Provider> {
    Provider::find(&args.provider)
        .filter(|p| p.spec().operator.is_some())
        .ok_or_else(|| Error::usage(format!("'{}' has no operator keys", args.provider)))
}

#[derive(Serialize, schemars::JsonSchema)]
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
            _ if self.store.is_none() => out.line(format!(
                "No {} operator key was stored; nothing was removed.",
                self.provider.display_name()
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
    refuse_key_in_argv(&args)?;
    let provider = provider_of(&args)?;
    let sandbox = ctx.global.sandbox;
    // The store first: a key typed in is not lost to a store that cannot keep it.
    let kind = store::resolve(
        ctx.global.store.unwrap_or(StoreChoice::Auto),
        sandbox,
        &ctx.paths,
    )?;
    let target = store::open(kind, &ctx.paths)?;
    target.check()?;
    let (value, label) = operator::read_for_login(ctx, provider)?;
    if !args.no_verify {
        verify(ctx, provider, sandbox, &value)?;
    }
    let slot = operator::slot(provider, sandbox);
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
    let set: Vec<&str> = provider
        .spec()
        .operator
        .map(|scheme| scheme.env_vars())
        .unwrap_or_default()
        .into_iter()
        .filter(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
        .collect();
    if !set.is_empty() {
        ctx.printer.warn_coded(
            "operator_env_wins",
            format!(
                "{} is set in this environment and wins over the key just stored; unset it to use the stored key",
                set.join(" and ")
            ),
        );
    }
    ctx.printer.print(&LoginView {
        provider,
        action: "login",
        store: Some(kind),
        label: Some(label),
        note: None,
    })
}

/// One read-only call with the key, against the endpoints a new profile would use (the
/// embedded sandbox's for `--sandbox`), so that a wrong key is refused now, not by the next
/// command.
fn verify(
    ctx: &Ctx,
    provider: Provider,
    sandbox: bool,
    value: &crate::secret::Secret<String>,
) -> Result<()> {
    let spec = provider.spec();
    let Some(key) = spec
        .operator
        .and_then(|scheme| operator::parse_stored(scheme, value))
    else {
        return Ok(());
    };
    let endpoints = if sandbox {
        crate::profile::check_env_endpoints(spec, true)?;
        let urls = ctx.sandbox_urls()?;
        spec.endpoints
            .iter()
            .map(|e| {
                Ok((
                    e.name.to_owned(),
                    crate::profile::sandbox_url(Some(urls), e)?,
                ))
            })
            .collect::<Result<crate::profile::Endpoints>>()?
    } else {
        crate::profile::endpoints_for_registration(spec)?
    };
    crate::service::of(provider)?
        .check_operator_key(ctx.http()?, &endpoints, &key)
        .map_err(|mut err| {
            err.message = format!("the key was not accepted: {}", err.message);
            err.with_hint(format!(
                "nothing was stored; check the key and try again (or store it unchecked with `agentcred login {} --no-verify`)",
                provider.id()
            ))
        })
}

/// A key given on the command line is refused, and never repeated in the message.
fn refuse_key_in_argv(args: &LoginArgs) -> Result<()> {
    if args.key_in_argv.is_empty() {
        return Ok(());
    }
    Err(Error::usage(
        "a key was given as an argument, where other processes and the shell history can read it; it was not stored",
    )
    .with_hint(format!(
        "pipe it on stdin instead: `agentcred login {} < keyfile`, or type it at the prompt",
        args.provider
    )))
}

pub fn logout(ctx: &Ctx, args: LoginArgs) -> Result<()> {
    refuse_key_in_argv(&args)?;
    let provider = provider_of(&args)?;
    let slot = operator::slot(provider, ctx.global.sandbox);
    let entry = operator::forget(ctx, &slot)?;
    // Logging out twice leaves the same state as once: not an error.
    let Some(entry) = entry else {
        return ctx.printer.print(&LoginView {
            provider,
            action: "logout",
            store: None,
            label: None,
            note: None,
        });
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

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("login", schema_of::<LoginView>()),
        ("logout", schema_of::<LoginView>()),
    ]
}
