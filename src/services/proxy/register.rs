//! `agentcred register proxy`: the operator registers an agent, idempotent by external id.
//!
//! - The first registration returns the agent token (shown once); it is stored before anything
//!   is printed, or rescued (exit 7).
//! - Registering the same external id for the same user again returns the existing agent with
//!   `created: false` and no token. The profile of that agent (same name, same external id)
//!   is then kept, with the token it already stores; a new profile gets no token, and the
//!   output says why and how to make one (`agentcred tokens create --use`).
//! - Because of that idempotency the request is retried when its answer is lost (a 5xx or a
//!   dropped connection): the retry finds the agent instead of making a second one. The token
//!   of the lost answer cannot be had again, so when the agent found was created during this
//!   very call (the lost answer made it), the profile is finished here: a new token is made
//!   with the operator key, stored, and the orphan of the lost answer is revoked; the output
//!   says so (or names the exact command for a step that failed).
//! - Another user's external id is a conflict (exit 5) with the service's message.
//! - Amounts are typed in dollars (`500`, `12.50`) and sent as cents.

use serde::Serialize;

use crate::amount::{self, Amount};
use crate::enroll::Pending;
use crate::output::secrets::SecretReport;

use super::ProxyRecord;
use super::client::{Client, Credential, RegisterRequest};
use super::support::{self as common, OperatorFacts, parse_cents};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render, tables};
use crate::service::{Frequency, LimitAction};
use crate::spec::Provider;
use crate::store::{self, StoreKind};
use crate::view::View;

#[derive(Serialize, schemars::JsonSchema)]
struct Registered {
    profile: String,
    provider: Provider,
    agent_id: String,
    external_id: String,
    user_id: Option<String>,
    agent_name: Option<String>,
    status: Option<String>,
    /// Whether the service created the agent now (false: it already existed).
    created: bool,
    sandbox: bool,
    current: bool,
    spending_limit: Option<Amount>,
    frequency: Option<String>,
    on_limit_exceeded: Option<String>,
    max_cards: Option<u64>,
    operator_key: OperatorFacts,
    /// `stored` (new token), `kept` (the profile's token from before) or `none`.
    token_status: &'static str,
    token_id: Option<String>,
    token_prefix: Option<String>,
    token_store: Option<StoreKind>,
    /// The new token, when there is one (its value only with --reveal).
    secrets: Vec<SecretReport>,
    /// What needs attention (also printed as warnings on stderr).
    notes: Vec<String>,
}

impl Render for Registered {
    fn human(&self, out: &mut Human) {
        let sandbox = if self.sandbox { " (sandbox)" } else { "" };
        if self.created {
            out.line(format!(
                "Registered Proxy agent {} as profile '{}'{sandbox}.",
                self.agent_id, self.profile
            ));
        } else {
            out.line(format!(
                "Proxy agent {} already existed for external id '{}'; profile '{}'{sandbox} refers to it.",
                self.agent_id, self.external_id, self.profile
            ));
        }
        let limit = match (&self.spending_limit, &self.frequency) {
            (Some(limit), Some(freq)) => format!("{} {freq}", limit.human()),
            (Some(limit), None) => limit.human(),
            (None, _) => "none".to_owned(),
        };
        let token = match self.token_status {
            "stored" => format!(
                "{} (new, stored in the {} store)",
                tables::cell(self.token_prefix.as_deref()),
                tables::cell(self.token_store)
            ),
            "kept" => format!(
                "{} (kept, in the {} store)",
                tables::cell(self.token_prefix.as_deref()),
                tables::cell(self.token_store)
            ),
            _ => "none".to_owned(),
        };
        out.fields(&[
            ("external id", self.external_id.clone()),
            ("user", tables::cell(self.user_id.as_deref())),
            ("name", tables::cell(self.agent_name.as_deref())),
            ("status", tables::cell(self.status.as_deref())),
            ("spending limit", limit),
            (
                "on limit exceeded",
                tables::cell(self.on_limit_exceeded.as_deref()),
            ),
            ("max cards", tables::cell(self.max_cards)),
            ("operator key", self.operator_key.describe()),
            ("agent token", token),
        ]);
        for secret in self.secrets.iter().filter(|s| s.value.is_some()) {
            out.blank();
            out.line(format!(
                "{}: {}",
                secret.kind,
                secret.value.as_deref().unwrap_or_default()
            ));
        }
        // `notes` went to stderr as warnings; they are in the JSON for programs.
        if self.current {
            out.note(format!("'{}' is now the current profile.", self.profile));
        }
    }
}

fn required<'a>(value: &'a str, flag: &str) -> Result<&'a str> {
    let value = value.trim();
    if value.is_empty() {
        return Err(
            Error::usage(format!("{flag} is empty")).with_hint(format!("pass {flag} with a value"))
        );
    }
    Ok(value)
}

/// How far the service's clock may be behind ours when judging that an agent was created
/// during this call.
const CLOCK_SLACK_SECS: i64 = 5;

pub fn run(ctx: &Ctx, args: Registration) -> Result<Box<dyn View>> {
    let external_id = required(&args.external_id, "--external-id")?.to_owned();
    let user = required(&args.user, "--user")?.to_owned();
    let name = required(&args.name, "--name")?.to_owned();
    let spending_limit = args
        .spending_limit
        .as_deref()
        .map(|v| parse_cents(v, "--spending-limit"))
        .transpose()?;
    if args.max_cards == Some(0) {
        return Err(Error::usage("--max-cards must be at least 1")
            .with_hint("leave --max-cards out for no limit on the number of cards"));
    }
    let request = RegisterRequest {
        external_id: external_id.clone(),
        user_id: user.clone(),
        name: name.clone(),
        description: args
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        spending_limit,
        frequency: args.frequency.map(|f| f.name().to_owned()),
        on_limit_exceeded: args.on_limit_exceeded.map(|a| a.name().to_owned()),
        max_cards: args.max_cards,
    };

    // A profile of this name that is this external id's profile is registered again in
    // place (the service is idempotent for it); any other profile of that name is a conflict.
    let pending = Pending::start_idempotent(ctx, super::PROVIDER, |profile| {
        common::record_of(profile).external_id.as_ref() == Some(&external_id)
    })?;
    let (key, operator_key) = common::operator_key(ctx, pending.sandbox)?;
    let client = Client::new(
        ctx.http()?,
        pending.endpoint("api"),
        Credential::Operator(key),
    );
    let started = crate::timefmt::now_unix();
    let mut registered = client.register(&request)?;
    let lost_first_answer = !registered.created
        && registered.token.is_none()
        && registered
            .agent
            .created_at
            .as_ref()
            .and_then(crate::timefmt::normalize)
            .and_then(|at| crate::timefmt::parse_to_unix_secs(&at))
            .is_some_and(|at| at >= started - CLOCK_SLACK_SECS);
    let agent = registered.agent.clone();
    let agent_id = agent.id.clone();
    let token_account = store::account(&pending.name, "token");

    let same_agent = pending
        .existing
        .as_ref()
        .is_some_and(|p| p.agent_id == agent_id);
    let kept =
        registered.token.is_none() && same_agent && pending.store.get(&token_account)?.is_some();

    let mut notes = Vec::new();
    // The token of the lost answer: known to exist, impossible to get again.
    let mut orphans = Vec::new();
    if lost_first_answer && !kept {
        orphans = client
            .tokens(&agent_id)?
            .into_iter()
            .filter(|t| t.is_active != Some(false) && t.revoked_at.is_none())
            .map(|t| t.id)
            .collect();
        let (made, secret) = client.create_token(&agent_id, Some("agentcred"))?;
        notes.push(format!(
            "The first answer was lost in transit, and with it the agent's one-time token; agentcred made a new token ({}) for this profile.",
            made.id
        ));
        registered.token = Some(secret);
        registered.token_id = Some(made.id);
    }
    if !registered.created {
        let asked_for_settings = args.spending_limit.is_some()
            || args.frequency.is_some()
            || args.on_limit_exceeded.is_some()
            || args.max_cards.is_some()
            || args.description.is_some();
        // After a lost first answer the settings were applied by that first request.
        if asked_for_settings && !lost_first_answer {
            notes.push(
                "The agent already existed, so its settings were not changed; change its spending limit with `agentcred limits set`.".to_owned(),
            );
        }
        if !kept && registered.token.is_none() {
            notes.push(format!(
                "No agent token was returned: Proxy shows a token only once, when the agent is first registered, and this agent \
                 already existed (registered earlier, or the first answer was lost in transit and the retry found it). \
                 Create a token with `agentcred --profile {} tokens create --use`.",
                pending.name
            ));
        }
    }

    let mut profile = match &pending.existing {
        Some(existing) => existing.clone(),
        None => pending.new_profile(&agent_id),
    };
    if profile.agent_id != agent_id {
        // The profile now holds a new agent (its old one was deregistered).
        profile.created_at = crate::timefmt::from_unix_secs(crate::timefmt::now_unix());
        profile.agent_id = agent_id.clone();
    }
    profile.agent_name = agent.name.clone().or(Some(name));
    let mut record = common::record_of(&profile);
    record.external_id = Some(external_id.clone());
    record.user_id = Some(agent.user_id.clone().unwrap_or_else(|| user.clone()));
    record.deregistered_at = None;
    if let Some(token) = &registered.token {
        record.token_prefix = Some(common::token_prefix(token.expose()));
        record.token_id = registered.token_id.clone();
    } else if !kept {
        record.token_id = None;
        record.token_prefix = None;
    }
    let token_id = record.token_id.clone();
    let token_prefix = record.token_prefix.clone();
    profile.set_record::<ProxyRecord>(&record)?;

    // The one-time token is stored before anything is printed (or rescued, exit 7, with the
    // profile as it is recorded below).
    if let Some(token) = &registered.token {
        pending.store_secrets(ctx, &profile, &[("token", token)])?;
    }
    if registered.token.is_none() && !same_agent && pending.existing.is_some() {
        // The profile's old token belonged to a deregistered agent: it can only mislead.
        pending.store.delete(&token_account)?;
    }

    let store = pending.store_kind();
    let sandbox = pending.sandbox;
    let profile_name = pending.name.clone();
    let current = pending.save(ctx, profile)?;

    // The new token is stored: now the lost one can go.
    for orphan in orphans {
        match client.revoke_token(&agent_id, &orphan) {
            Ok(_) => notes.push(format!(
                "The token of the lost answer ({orphan}) was revoked: nobody holds it."
            )),
            Err(e) => notes.push(format!(
                "The token of the lost answer ({orphan}) could not be revoked ({}); revoke it with `agentcred --profile {profile_name} tokens revoke {orphan}`.",
                e.message
            )),
        }
    }

    for note in &notes {
        ctx.printer.warn_coded("registration_note", note);
    }
    let reveal = ctx.global.reveal;
    let has_token = registered.token.is_some() || kept;
    Ok(Box::new(Registered {
        profile: profile_name,
        provider: super::PROVIDER,
        agent_id,
        external_id,
        user_id: agent.user_id.clone().or(Some(user)),
        agent_name: agent.name.clone(),
        status: agent.status.clone(),
        created: registered.created,
        sandbox,
        current,
        spending_limit: agent.spending_limit.map(amount::usd_cents),
        frequency: agent.spending_limit_frequency.clone(),
        on_limit_exceeded: agent.on_limit_exceeded.clone(),
        max_cards: agent.max_cards,
        operator_key,
        token_status: if registered.token.is_some() {
            "stored"
        } else if kept {
            "kept"
        } else {
            "none"
        },
        token_id,
        token_prefix,
        token_store: has_token.then_some(store),
        secrets: registered
            .token
            .iter()
            .map(|token| SecretReport::new("token", store, token, reveal))
            .collect(),
        notes,
    }))
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("register proxy", schema_of::<Registered>())]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub struct Registration {
    /// Your identifier for the agent, unique in your organization
    pub external_id: String,
    /// The user who funds the agent (user_...)
    pub user: String,
    pub name: String,
    pub description: Option<String>,
    /// Spending limit in dollars (e.g. 500 or 12.50)
    pub spending_limit: Option<String>,
    pub frequency: Option<Frequency>,
    pub on_limit_exceeded: Option<LimitAction>,
    /// Maximum number of concurrent cards
    pub max_cards: Option<u32>,
}
