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
    let provider = provider_of(&args)?;
    let (value, label) = operator::read_for_login(ctx, provider)?;
    let sandbox = ctx.global.sandbox;
    let kind = store::resolve(
        ctx.global.store.unwrap_or(StoreChoice::Auto),
        sandbox,
        &ctx.paths,
    )?;
    let slot = operator::slot(provider, sandbox);
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
    let provider = provider_of(&args)?;
    let slot = operator::slot(provider, ctx.global.sandbox);
    let entry = operator::forget(ctx, &slot)?;
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

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("login", schema_of::<LoginView>()),
        ("logout", schema_of::<LoginView>()),
    ]
}
