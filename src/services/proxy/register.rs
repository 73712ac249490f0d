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
use super::client::{self, Client, Credential, RegisterRequest};
use super::support::{self as common, OperatorFacts, parse_cents};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render, tables};
use crate::profile::Profile;
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
    let request = register_request(&args)?;
    let external_id = request.external_id.clone();
    let user = request.user_id.clone();

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
    let mut answer = register(&client, &request, &pending)?;
    let mut notes = Vec::new();
    // The token of the lost answer: known to exist, impossible to get again.
    let orphans = if answer.lost_first_answer && !answer.kept {
        replace_lost_token(&client, &mut answer.registered, &mut notes)?
    } else {
        Vec::new()
    };
    if !answer.registered.created {
        notes.extend(existed_notes(
            &args,
            answer.lost_first_answer,
            answer.has_token(),
            &pending.name,
        ));
    }

    let profile = recorded_profile(&pending, &request, &answer.registered, answer.kept)?;
    let record = common::record_of(&profile);
    let (store, sandbox) = (pending.store_kind(), pending.sandbox);
    let profile_name = pending.name.clone();
    let current = save(ctx, pending, profile, &answer)?;

    // The new token is stored: now the lost one can go.
    let agent = &answer.registered.agent;
    revoke_orphans(&client, &agent.id, orphans, &profile_name, &mut notes);

    for note in &notes {
        ctx.printer.warn_coded("registration_note", note);
    }
    let reveal = ctx.global.reveal;
    Ok(Box::new(Registered {
        profile: profile_name,
        provider: super::PROVIDER,
        agent_id: agent.id.clone(),
        external_id,
        user_id: agent.user_id.clone().or(Some(user)),
        agent_name: agent.name.clone(),
        status: agent.status.clone(),
        created: answer.registered.created,
        sandbox,
        current,
        spending_limit: agent.spending_limit.map(amount::usd_cents),
        frequency: agent.spending_limit_frequency.clone(),
        on_limit_exceeded: agent.on_limit_exceeded.clone(),
        max_cards: agent.max_cards,
        operator_key,
        token_status: answer.token_status(),
        token_id: record.token_id,
        token_prefix: record.token_prefix,
        token_store: answer.has_token().then_some(store),
        secrets: answer
            .registered
            .token
            .iter()
            .map(|token| SecretReport::new("token", store, token, reveal))
            .collect(),
        notes,
    }))
}

/// Store the one-time token before anything is printed (or rescue it, exit 7, with the
/// profile as it is recorded), then save the profile. Whether it became the current one.
fn save(ctx: &Ctx, pending: Pending, profile: Profile, answer: &Answer) -> Result<bool> {
    if let Some(token) = &answer.registered.token {
        pending.store_secrets(ctx, &profile, &[("token", token)])?;
    }
    if answer.registered.token.is_none() && !answer.same_agent && pending.existing.is_some() {
        // The profile's old token belonged to a deregistered agent: it can only mislead.
        pending
            .store
            .delete(&store::account(&pending.name, "token"))?;
    }
    pending.save(ctx, profile)
}

/// The service's answer to a registration, and what it means for the profile.
struct Answer {
    registered: client::Registered,
    /// The answer is the retry's, and the agent was created during this call: the first
    /// answer, with the agent's one-time token, was lost.
    lost_first_answer: bool,
    /// The profile of this name exists and refers to the registered agent.
    same_agent: bool,
    /// No token came back, and the profile keeps the one it stores.
    kept: bool,
}

/// Register the agent, and judge the answer against the profile `pending` registers.
fn register(client: &Client, request: &RegisterRequest, pending: &Pending) -> Result<Answer> {
    let started = crate::timefmt::now_unix();
    let registered = client.register(request)?;
    let lost_first_answer = !registered.created
        && registered.token.is_none()
        && registered
            .agent
            .created_at
            .as_ref()
            .and_then(crate::timefmt::normalize)
            .and_then(|at| crate::timefmt::parse_to_unix_secs(&at))
            .is_some_and(|at| at >= started - CLOCK_SLACK_SECS);
    let same_agent = pending
        .existing
        .as_ref()
        .is_some_and(|p| p.agent_id == registered.agent.id);
    let kept = registered.token.is_none()
        && same_agent
        && pending
            .store
            .get(&store::account(&pending.name, "token"))?
            .is_some();
    Ok(Answer {
        registered,
        lost_first_answer,
        same_agent,
        kept,
    })
}

impl Answer {
    /// Whether the profile ends up with a token: a new one, or the one it kept.
    fn has_token(&self) -> bool {
        self.registered.token.is_some() || self.kept
    }

    fn token_status(&self) -> &'static str {
        match (&self.registered.token, self.kept) {
            (Some(_), _) => "stored",
            (None, true) => "kept",
            (None, false) => "none",
        }
    }
}

/// The request the arguments ask for, checked (names trimmed and not empty, dollars as cents).
fn register_request(args: &Registration) -> Result<RegisterRequest> {
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
    Ok(RegisterRequest {
        external_id,
        user_id: user,
        name,
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
    })
}

/// After a lost first answer: a new token made with the operator key in place of the lost
/// one (put in `registered`), and the ids of the agent's active tokens from before it, the
/// lost one among them, to revoke once the new one is stored.
fn replace_lost_token(
    client: &Client,
    registered: &mut client::Registered,
    notes: &mut Vec<String>,
) -> Result<Vec<String>> {
    let agent_id = &registered.agent.id;
    let orphans = client
        .tokens(agent_id)?
        .into_iter()
        .filter(|t| t.is_active != Some(false) && t.revoked_at.is_none())
        .map(|t| t.id)
        .collect();
    let (made, secret) = client.create_token(agent_id, Some("agentcred"))?;
    notes.push(format!(
        "The first answer was lost in transit, and with it the agent's one-time token; agentcred made a new token ({}) for this profile.",
        made.id
    ));
    registered.token = Some(secret);
    registered.token_id = Some(made.id);
    Ok(orphans)
}

/// What to say when the agent already existed: settings asked for were not applied, and
/// without a token (`has_token` false) how to make one for `profile`.
fn existed_notes(
    args: &Registration,
    lost_first_answer: bool,
    has_token: bool,
    profile: &str,
) -> Vec<String> {
    let mut notes = Vec::new();
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
    if !has_token {
        notes.push(format!(
            "No agent token was returned: Proxy shows a token only once, when the agent is first registered, and this agent \
             already existed (registered earlier, or the first answer was lost in transit and the retry found it). \
             Create a token with `agentcred --profile {profile} tokens create --use`.",
        ));
    }
    notes
}

/// The profile as the registration records it: the existing one (or a new one) naming the
/// registered agent, with its token's id and prefix (kept when the profile `kept` its token,
/// cleared when there is none).
fn recorded_profile(
    pending: &Pending,
    request: &RegisterRequest,
    registered: &client::Registered,
    kept: bool,
) -> Result<Profile> {
    let agent = &registered.agent;
    let mut profile = match &pending.existing {
        Some(existing) => existing.clone(),
        None => pending.new_profile(&agent.id),
    };
    if profile.agent_id != agent.id {
        // The profile now holds a new agent (its old one was deregistered).
        profile.created_at = crate::timefmt::from_unix_secs(crate::timefmt::now_unix());
        profile.agent_id = agent.id.clone();
    }
    profile.agent_name = agent.name.clone().or(Some(request.name.clone()));
    let mut record = common::record_of(&profile);
    record.external_id = Some(request.external_id.clone());
    record.user_id = Some(
        agent
            .user_id
            .clone()
            .unwrap_or_else(|| request.user_id.clone()),
    );
    record.deregistered_at = None;
    if let Some(token) = &registered.token {
        record.token_prefix = Some(common::token_prefix(token.expose()));
        record.token_id = registered.token_id.clone();
    } else if !kept {
        record.token_id = None;
        record.token_prefix = None;
    }
    profile.set_record::<ProxyRecord>(&record)?;
    Ok(profile)
}

/// Revoke the tokens of a lost first answer (nobody holds them), noting each outcome.
fn revoke_orphans(
    client: &Client,
    agent_id: &str,
    orphans: Vec<String>,
    profile: &str,
    notes: &mut Vec<String>,
) {
    for orphan in orphans {
        match client.revoke_token(agent_id, &orphan) {
            Ok(_) => notes.push(format!(
                "The token of the lost answer ({orphan}) was revoked: nobody holds it."
            )),
            Err(e) => notes.push(format!(
                "The token of the lost answer ({orphan}) could not be revoked ({}); revoke it with `agentcred --profile {profile} tokens revoke {orphan}`.",
                e.message
            )),
        }
    }
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
