//! `agentcred register authpi`: the operator creates the agent (org key over Basic), adds a
//! secret verifier unless `--no-secret`, and mints a first access token with it.
//!
//! - The create carries a fresh `Idempotency-Key` and may be resent by the http layer after a
//!   lost response: the service replays the first answer, so one agent exists whatever
//!   happened on the way back.
//! - The verifier's secret is shown once by the service: it is stored (or rescued, exit 7) as
//!   the profile's `client_secret` before anything else happens.
//! - The agent exists from the moment the create succeeds, so the profile is saved whenever
//!   the agent was created: if adding the verifier fails, the profile records the agent and the
//!   error says how to add a secret to it; if the first token cannot be minted, that is a
//!   warning (`refresh` mints one later), not a failed registration.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::enroll::Pending;
use crate::output::secrets::SecretReport;

use super::AuthpiRecord;
use super::client::{self as authpi, Core};
use super::org_key;
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render, tables};
use crate::profile::Profile;
use crate::secret::Secret;
use crate::spec::Provider;
use crate::store;
use crate::view::View;

#[derive(Serialize, schemars::JsonSchema)]
struct Registered {
    profile: String,
    provider: Provider,
    agent_id: String,
    agent_name: String,
    account_id: String,
    issuer_id: String,
    status: Option<String>,
    scopes: Vec<String>,
    sandbox: bool,
    current: bool,
    secret_verifier_id: Option<String>,
    secrets: Vec<SecretReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for Registered {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Registered AuthPI agent {} as profile '{}'{sandbox}.",
            self.agent_id, self.profile
        ));
        out.fields(&[
            ("account", self.account_id.clone()),
            ("issuer", self.issuer_id.clone()),
            ("status", tables::cell(self.status.as_deref())),
            (
                "scopes",
                if self.scopes.is_empty() {
                    "-".into()
                } else {
                    self.scopes.join(" ")
                },
            ),
            (
                "secret verifier",
                tables::cell(self.secret_verifier_id.as_deref()),
            ),
        ]);
        SecretReport::render_all(&self.secrets, out);
        if let Some(note) = &self.note {
            out.line(note);
        }
        if self.current {
            out.note(format!("'{}' is now the current profile.", self.profile));
        }
    }
}

/// `--metadata K=V` entries as a JSON object; exit 2 naming the first bad one.
pub(crate) fn parse_metadata(
    entries: &[String],
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut map = BTreeMap::new();
    for entry in entries {
        match entry.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                map.insert(key.trim().to_owned(), value.to_owned());
            }
            _ => {
                return Err(Error::usage(format!(
                    "--metadata '{entry}' is not KEY=VALUE"
                ))
                .with_provider(authpi::PROVIDER)
                .with_hint("write each entry as KEY=VALUE, e.g. --metadata team=support --metadata tier=gold"));
            }
        }
    }
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect())
}

fn check_scopes(scopes: &[String]) -> Result<()> {
    match scopes
        .iter()
        .find(|s| s.is_empty() || s.chars().any(char::is_whitespace))
    {
        Some(bad) => Err(Error::usage(format!(
            "--scope '{bad}' is not a scope: scopes are non-empty and contain no spaces"
        ))
        .with_provider(authpi::PROVIDER)
        .with_hint(
            "repeat --scope for each scope, e.g. --scope tickets:read --scope tickets:triage",
        )),
        None => Ok(()),
    }
}

fn required(value: &str, flag: &str, example: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::usage(format!("{flag} is empty"))
            .with_provider(authpi::PROVIDER)
            .with_hint(format!("pass {flag} {example}")));
    }
    Ok(value.to_owned())
}

pub fn run(ctx: &Ctx, args: Registration) -> Result<Box<dyn View>> {
    // Local checks first: nothing is sent for input that is wrong anyway.
    let name = required(&args.name, "--name", "NAME")?;
    let account = required(&args.account, "--account", "acc_...")?;
    let issuer = required(&args.issuer, "--issuer", "i_...")?;
    let metadata = parse_metadata(&args.metadata)?;
    check_scopes(&args.scopes)?;
    let key = org_key(ctx, ctx.global.sandbox)?;
    let mut pending = Pending::start(ctx, super::PROVIDER)?;
    let core = Core::new(ctx.http()?, pending.endpoint("api"), &account, &issuer, key);

    let created = core.create_agent(agent_body(&args, &name, metadata))?;
    if created.replayed {
        ctx.printer.notice(
            "idempotent_replay",
            "AuthPI replayed the answer to an earlier attempt of this request (its response was lost); no second agent was created.",
        );
    }
    let agent = created.value;
    let mut profile = pending.new_profile(&agent.id);
    profile.agent_name = Some(name.clone());
    profile.set_record(&AuthpiRecord {
        account_id: Some(account.clone()),
        issuer_id: Some(issuer.clone()),
        ..AuthpiRecord::default()
    })?;
    let profile_name = pending.name.clone();
    let store_kind = pending.store_kind();
    let sandbox = pending.sandbox;
    let reveal = ctx.global.reveal;
    let view = |current: bool, verifier: Option<String>, secrets, note| Registered {
        profile: profile_name.clone(),
        provider: super::PROVIDER,
        agent_id: agent.id.clone(),
        agent_name: name.clone(),
        account_id: account.clone(),
        issuer_id: issuer.clone(),
        status: agent.status.clone(),
        scopes: agent.scopes.clone(),
        sandbox,
        current,
        secret_verifier_id: verifier,
        secrets,
        note,
    };

    if args.no_secret {
        let current = pending.save(ctx, profile)?;
        let note = format!(
            "No secret verifier was added (--no-secret), so the profile cannot get access tokens yet: \
             add one with `agentcred --profile {profile_name} verifiers add secret --use`."
        );
        return Ok(Box::new(view(current, None, Vec::new(), Some(note))));
    }

    let new_secret = add_client_secret(ctx, &core, &mut pending, &profile)?;
    profile.update_record(|r: &mut AuthpiRecord| {
        r.secret_verifier_id = Some(new_secret.verifier.id.clone())
    })?;
    pending.store_secrets(ctx, &profile, &[("client_secret", &new_secret.secret)])?;

    let report =
        |kind, secret: &Secret<String>| SecretReport::new(kind, store_kind, secret, reveal);
    let mut secrets = vec![report("client_secret", &new_secret.secret)];
    let (token, note) = first_token(ctx, &pending, &issuer, &agent.id, &new_secret.secret)?;
    secrets.extend(token.map(|token| report("access_token", &token)));
    let current = pending.save(ctx, profile)?;
    Ok(Box::new(view(
        current,
        Some(new_secret.verifier.id.clone()),
        secrets,
        note,
    )))
}

/// The new agent's client secret: a secret verifier named after the profile. When adding it
/// fails, the agent exists: the profile is saved, so that nothing is orphaned, and the error
/// says how to finish.
fn add_client_secret(
    ctx: &Ctx,
    core: &Core,
    pending: &mut Pending,
    profile: &Profile,
) -> Result<authpi::NewSecret> {
    let profile_name = pending.name.clone();
    let agent_id = &profile.agent_id;
    let verifier_name = format!("agentcred {profile_name}");
    match core.add_secret_verifier(agent_id, Some(&verifier_name)) {
        Ok(new_secret) => Ok(new_secret),
        Err(mut err) => {
            pending.save_partial(ctx, profile.clone())?;
            err.message = format!(
                "the AuthPI agent {agent_id} was created and saved as profile '{profile_name}', but {}",
                err.message
            );
            Err(err.with_hint(format!(
                "add its secret with `agentcred --profile {profile_name} verifiers add secret --use` once the cause is fixed"
            )))
        }
    }
}

/// The new agent's body: only the fields the user gave, so that the service's defaults stand
/// for the rest.
fn agent_body(
    args: &Registration,
    name: &str,
    metadata: serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    let mut body = serde_json::json!({ "name": name });
    for (field, value) in [
        ("description", &args.description),
        ("model", &args.model),
        ("provider", &args.provider),
        ("version", &args.agent_version),
    ] {
        if let Some(value) = value {
            body[field] = value.clone().into();
        }
    }
    if !args.scopes.is_empty() {
        body["scopes"] = args.scopes.clone().into();
    }
    if !metadata.is_empty() {
        body["metadata"] = metadata.into();
    }
    body
}

/// The new agent's first access token, minted with its client `secret` and stored; when
/// either fails the registration still stands (`refresh` gets another): a warning, and the
/// note for the output when minting failed.
fn first_token(
    ctx: &Ctx,
    pending: &Pending,
    issuer: &str,
    agent_id: &str,
    secret: &Secret<String>,
) -> Result<(Option<Secret<String>>, Option<String>)> {
    match authpi::token(
        ctx.http()?,
        pending.endpoint("idp"),
        issuer,
        agent_id,
        secret,
    ) {
        Ok(token) => {
            match pending
                .store
                .set(&store::account(&pending.name, "access_token"), &token)
            {
                Ok(()) => return Ok((Some(token), None)),
                Err(e) => ctx.printer.warn_coded("first_token_not_stored", format!(
                    "the first access token could not be stored ({}); `agentcred refresh` gets another",
                    e.message
                )),
            }
            Ok((None, None))
        }
        Err(e) => {
            let text = format!(
                "The agent and its client secret are saved, but the first access token could not be minted: {}. \
                 `agentcred --profile {} refresh` tries again.",
                e.message, pending.name
            );
            ctx.printer.warn_coded("first_token_not_stored", &text);
            Ok((None, Some(text)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_entries_are_key_value() {
        let map =
            parse_metadata(&["team=support".into(), "note=a=b".into(), "empty=".into()]).unwrap();
        assert_eq!(map["team"], "support");
        assert_eq!(map["note"], "a=b");
        assert_eq!(map["empty"], "");
        for bad in ["team", "=x", ""] {
            let err = parse_metadata(&[bad.to_owned()]).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(err.message.contains(bad) && err.message.contains("KEY=VALUE"));
        }
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("register authpi", schema_of::<Registered>())]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub struct Registration {
    /// AuthPI account id (acc_...)
    pub account: String,
    /// AuthPI issuer id (i_...)
    pub issuer: String,
    pub name: String,
    pub description: Option<String>,
    /// AI model identifier (e.g. claude-sonnet-4-5)
    pub model: Option<String>,
    /// Model provider (e.g. anthropic)
    pub provider: Option<String>,
    /// Agent version string
    pub agent_version: Option<String>,
    /// Scope ceiling for the agent's tokens (repeatable)
    pub scopes: Vec<String>,
    /// Metadata entry (repeatable)
    pub metadata: Vec<String>,
    /// Do not add a secret verifier (no client secret, no token)
    pub no_secret: bool,
}
