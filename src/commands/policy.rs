//! `agentcred policy set PROFILE FILE | show [PROFILE] | clear PROFILE | check METHOD URL
//! [--body FILE]`: a profile's policy ([`crate::policy`]), kept with the profile (the config
//! file; for a vault profile also its shared document, so every host enforces the same one).
//!
//! `set` parses and checks the whole file before anything is written: a refusal names the line
//! and the reason (exit 2) and changes nothing. `check` answers what the gateway would do with
//! the request now (the rule, the decision, the amount it would reserve, whether it fits the
//! spending window), without sending anything.

use serde::Serialize;

use super::Ctx;
use crate::audit::{self, Event};
use crate::cli::args::{PolicyCheckArgs, PolicyCommand, PolicySetArgs};
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::policy::{self, Action, Policy};
use crate::profile::{Config, Profile};

#[derive(Serialize, schemars::JsonSchema)]
struct PolicyView {
    profile: String,
    /// Whether the profile has a policy (without one, every request is allowed).
    set: bool,
    /// The policy's TOML text, as set.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
    /// What the policy says in short.
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<Summary>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Summary {
    default: Action,
    #[serde(skip_serializing_if = "Option::is_none")]
    writes: Option<Action>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requests_per_minute: Option<u32>,
    approval_expiry: String,
    rules: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_request: Option<crate::amount::Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window: Option<crate::amount::Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    window_length: Option<String>,
}

impl Render for PolicyView {
    fn human(&self, out: &mut Human) {
        match &self.policy {
            None => out.line(format!(
                "Profile '{}' has no policy: the gateway and MCP forward every request.",
                self.profile
            )),
            Some(text) => {
                out.line(format!("# policy of profile '{}'", self.profile));
                out.line(text.trim_end());
            }
        }
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckView {
    profile: String,
    method: String,
    endpoint: String,
    path: String,
    /// allow, deny or approve.
    decision: Action,
    /// The rule that decided: its `match` text, or default, writes, spend.per_request,
    /// spend.window.
    rule: String,
    /// The request is sent with the operator key (`as = "operator"`).
    as_operator: bool,
    /// The amount it would reserve, for a money request.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<crate::amount::Amount>,
    #[serde(skip_serializing_if = "String::is_empty")]
    message: String,
}

impl Render for CheckView {
    fn human(&self, out: &mut Human) {
        let mut rows = vec![
            (
                "request",
                format!("{} {}:{}", self.method, self.endpoint, self.path),
            ),
            ("decision", self.decision.as_str().to_owned()),
            ("rule", self.rule.clone()),
        ];
        if self.as_operator {
            rows.push(("sent as", "the operator (its key)".to_owned()));
        }
        if let Some(amount) = &self.amount {
            rows.push(("reserves", amount.human()));
        }
        if !self.message.is_empty() {
            rows.push(("why", self.message.clone()));
        }
        out.fields(&rows);
    }
}

pub fn run(ctx: &Ctx, command: PolicyCommand) -> Result<()> {
    match command {
        PolicyCommand::Set(args) => set(ctx, args),
        PolicyCommand::Show(args) => show(ctx, args.name),
        PolicyCommand::Clear(args) => clear(ctx, &args.name),
        PolicyCommand::Check(args) => check(ctx, args),
    }
}

fn read_text(path: &std::path::Path) -> Result<(String, String)> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| Error::usage(format!("cannot read the policy from stdin: {e}")))?;
        return Ok((text, "stdin".to_owned()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::usage(format!(
            "cannot read the policy file {}: {e}",
            path.display()
        ))
        .with_hint("give the path of a TOML file, or - to read stdin")
    })?;
    Ok((text, path.display().to_string()))
}

fn set(ctx: &Ctx, args: PolicySetArgs) -> Result<()> {
    let config = ctx.config()?;
    let profile = config.get(&args.profile)?;
    let (text, shown) = read_text(&args.file)?;
    let parsed = Policy::parse(&text, &shown, profile.provider)?;
    Config::update_profile(&ctx.paths, &args.profile, |p| {
        p.policy = Some(text.clone());
        Ok(())
    })?;
    audit::append(
        &ctx.paths,
        Event::new("policy_set")
            .profile(args.profile.clone())
            .field("policy_sha256", audit::sha256_hex(text.as_bytes()))
            .field("rules", parsed.rules.len()),
    )?;
    ctx.printer.notice(
        "policy_set",
        format!(
        "Policy of profile '{}' set ({} rules); running gateways and MCP servers take it when they start.",
        args.profile,
        parsed.rules.len()
    ),
    );
    ctx.printer.print(&view(&args.profile, Some(&parsed)))
}

fn clear(ctx: &Ctx, name: &str) -> Result<()> {
    ctx.config()?.get(name)?;
    Config::update_profile(&ctx.paths, name, |p| {
        p.policy = None;
        Ok(())
    })?;
    audit::append(&ctx.paths, Event::new("policy_cleared").profile(name))?;
    ctx.printer.print(&view(name, None))
}

fn view(name: &str, policy: Option<&Policy>) -> PolicyView {
    PolicyView {
        profile: name.to_owned(),
        set: policy.is_some(),
        policy: policy.map(|p| p.source.clone()),
        summary: policy.map(|p| Summary {
            default: p.default,
            writes: p.writes,
            requests_per_minute: p.requests_per_minute,
            approval_expiry: crate::duration::human(p.approval_expiry),
            rules: p.rules.len(),
            per_request: p
                .spend
                .as_ref()
                .and_then(|s| s.per_request.map(|a| s.amount(a))),
            window: p.spend.as_ref().and_then(|s| s.window.map(|a| s.amount(a))),
            window_length: p
                .spend
                .as_ref()
                .filter(|s| s.window.is_some())
                .map(|s| crate::duration::human(s.window_length)),
        }),
    }
}

/// The profile's policy, parsed (`None` when it has none).
fn profile_policy(name: &str, profile: &crate::profile::Profile) -> Result<Option<Policy>> {
    profile
        .policy
        .as_deref()
        .map(|text| {
            Policy::parse(
                text,
                &format!("the policy of profile '{name}'"),
                profile.provider,
            )
        })
        .transpose()
}

fn show(ctx: &Ctx, name: Option<String>) -> Result<()> {
    let config = ctx.config()?;
    let name = match name {
        Some(name) => name,
        None => ctx.selected_name(&config)?,
    };
    let profile = config.get(&name)?;
    let policy = profile_policy(&name, profile)?;
    ctx.printer.print(&view(&name, policy.as_ref()))
}

/// `ENDPOINT:PATH`, `/ENDPOINT/PATH` or `http://HOST/ENDPOINT/PATH` → (endpoint, path).
fn split_target(target: &str) -> Result<(String, String)> {
    let bad = || {
        Error::usage(format!("'{target}' is not ENDPOINT:PATH"))
            .with_hint("write the request like api:/v1/agents/ag_1/cards (or the gateway's /api/v1/agents/ag_1/cards)")
    };
    if let Some((endpoint, path)) = target.split_once(':')
        && !endpoint.is_empty()
        && endpoint
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && path.starts_with('/')
        && !path.starts_with("//")
    {
        return Ok((endpoint.to_ascii_lowercase(), strip_query(path)));
    }
    let path = match url::Url::parse(target) {
        Ok(url) => url.path().to_owned(),
        Err(_) if target.starts_with('/') => strip_query(target),
        Err(_) => return Err(bad()),
    };
    let rest = path.strip_prefix('/').unwrap_or(&path);
    match rest.split_once('/') {
        Some((endpoint, tail)) if !endpoint.is_empty() => {
            Ok((endpoint.to_ascii_lowercase(), format!("/{tail}")))
        }
        None if !rest.is_empty() => Ok((rest.to_ascii_lowercase(), "/".to_owned())),
        _ => Err(bad()),
    }
}

fn strip_query(path: &str) -> String {
    path.split(['?', '#']).next().unwrap_or(path).to_owned()
}

fn check(ctx: &Ctx, args: PolicyCheckArgs) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    let provider = profile.provider;
    let (endpoint, path) = split_target(&args.target)?;
    if provider.spec().endpoint(&endpoint).is_none() {
        let names: Vec<&str> = provider.spec().endpoints.iter().map(|e| e.name).collect();
        return Err(Error::usage(format!(
            "{} has no endpoint '{endpoint}'",
            provider.display_name()
        ))
        .with_hint(format!("its endpoints are {}", names.join(", "))));
    }
    let method = args.method.to_ascii_uppercase();
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::usage(format!(
            "'{}' is not an HTTP method",
            args.method
        )));
    }
    let body = match &args.body {
        Some(file) => std::fs::read(file).map_err(|e| {
            Error::usage(format!("cannot read the body file {}: {e}", file.display()))
        })?,
        None => Vec::new(),
    };
    let policy = profile_policy(&name, &profile)?;
    let decision = match &policy {
        Some(p) => p.decide(provider, &method, &endpoint, &path, &body),
        None => policy::no_policy(provider, &method, &endpoint, &path, &body),
    };
    let mut decision =
        policy::guard_credential_route(provider, &method, &endpoint, &path, decision);
    let spend = policy.as_ref().and_then(|p| p.spend.as_ref());
    if let Some(spend) = spend {
        judge_window(ctx, &name, &profile, spend, &mut decision)?;
    }
    let amount = decision.amount.and_then(|a| match spend {
        Some(s) => Some(s.amount(a)),
        None => provider
            .spec()
            .boundary
            .currency
            .map(|(c, d)| crate::amount::Amount::from_atomic(a, d, c)),
    });
    ctx.printer.print(&CheckView {
        profile: name,
        method,
        endpoint,
        path,
        decision: decision.action,
        rule: decision.rule,
        as_operator: decision.as_operator,
        amount,
        message: decision.message,
    })
}

/// A money request `decision` let through, judged against the window cap as the gateway would
/// find it now: denied when the window's spending and reservations leave no room for it.
fn judge_window(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    spend: &policy::Spend,
    decision: &mut policy::Decision,
) -> Result<()> {
    let (Some(amount), Some(cap)) = (decision.amount, spend.window) else {
        return Ok(());
    };
    if decision.action == Action::Deny {
        return Ok(());
    }
    let store = if profile.store.is_shared() {
        Some(crate::store::open_profile(
            name,
            profile.store,
            profile.vault.as_ref(),
            &ctx.paths,
        )?)
    } else {
        None
    };
    let ledger = crate::ledger::Ledger::open(&ctx.paths, name, store);
    let totals = ledger.totals(spend)?;
    if totals.spent + totals.reserved + amount > cap {
        decision.action = Action::Deny;
        decision.rule = "spend.window".into();
        decision.message = format!(
            "{} would exceed the window cap of {} ({} spent, {} reserved)",
            spend.amount(amount).human(),
            spend.amount(cap).human(),
            spend.amount(totals.spent).human(),
            spend.amount(totals.reserved).human()
        );
    }
    Ok(())
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("policy set", schema_of::<PolicyView>()),
        ("policy show", schema_of::<PolicyView>()),
        ("policy clear", schema_of::<PolicyView>()),
        ("policy check", schema_of::<CheckView>()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        let t = |s: &str| split_target(s).unwrap();
        assert_eq!(t("api:/v1/x"), ("api".into(), "/v1/x".into()));
        assert_eq!(
            t("/wallet/api/payouts?x=1"),
            ("wallet".into(), "/api/payouts".into())
        );
        assert_eq!(
            t("http://127.0.0.1:9/api/v1/agents"),
            ("api".into(), "/v1/agents".into())
        );
        assert!(split_target("nonsense").is_err());
    }
}
