//! `agentcred status`: the agent as its service sees it, plus local facts that need no
//! network: which store holds each secret and when each short-lived credential expires
//! (decoded from the JWT's `exp`). `--all` shows the local facts of every profile.
//!
//! `--check` (contract §9) judges whether a profile can act now and exits with one code: a
//! credential valid for `--min-valid` is held or can be minted (refreshing only if it must),
//! the agent is active at its service, and its budget (if any) covers `--min-remaining`.
//! `--all --check` checks every profile at once, each on its own thread with its own context
//! (HTTP client, embedded sandbox), so N profiles take about one profile's time; the exit code
//! is the most severe of theirs (7, then 4, then 8, then 6).

use serde::Serialize;

use super::Ctx;
use crate::cli::args::StatusArgs;
use crate::error::{Code, Error, ErrorKind, Result};
use crate::health::{AgentState, Budget, CredentialFact, Health};
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::services;
use crate::spec::Provider;

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    if args.check {
        return check(ctx, &args);
    }
    if args.all {
        return all(ctx);
    }
    let session = ctx.session()?;
    services::service(session.provider())?.status(ctx, &session, &args)
}

#[derive(Serialize, schemars::JsonSchema)]
struct ProfileFacts {
    profile: String,
    provider: Provider,
    agent_id: String,
    sandbox: bool,
    current: bool,
    local: LocalFacts,
}

#[derive(Serialize, schemars::JsonSchema)]
struct AllView {
    profiles: Vec<ProfileFacts>,
}

impl Render for AllView {
    fn human(&self, out: &mut Human) {
        if self.profiles.is_empty() {
            out.line("No profiles. Register one with `agentcred register PROVIDER ...` (add --sandbox to try it offline).");
            return;
        }
        for p in &self.profiles {
            let marks = [
                p.current.then_some("current"),
                p.sandbox.then_some("sandbox"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            out.heading(&format!(
                "{} — {} agent {}{marks}",
                p.profile,
                p.provider.display_name(),
                p.agent_id
            ));
            p.local.render(out);
        }
    }
}

fn all(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let mut profiles = Vec::new();
    for (name, profile) in &config.profiles {
        // Local facts only: no sandbox, no endpoints, no network.
        let store =
            crate::store::open_profile(name, profile.store, profile.vault.as_ref(), &ctx.paths)?;
        profiles.push(ProfileFacts {
            profile: name.clone(),
            provider: profile.provider,
            agent_id: profile.agent_id.clone(),
            sandbox: profile.sandbox,
            current: config.current.as_deref() == Some(name),
            local: LocalFacts::of(name, profile, store.as_ref())?,
        });
    }
    ctx.printer.print(&AllView { profiles })
}

/// One profile's health.
#[derive(Serialize, schemars::JsonSchema)]
struct CheckRow {
    profile: String,
    provider: Option<Provider>,
    health: Health,
    exit_code: u8,
    /// The agent's state at its service, when it could be asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<AgentState>,
    /// The credential the agent would use now.
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<CredentialFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<Budget>,
    /// Why it is not ok: the error object of contract §9.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    error: Option<serde_json::Value>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckView {
    #[serde(flatten)]
    row: CheckRow,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckAllView {
    health: Health,
    exit_code: u8,
    profiles: Vec<CheckRow>,
}

impl CheckRow {
    fn line(&self) -> String {
        let why = self
            .error
            .as_ref()
            .and_then(|e| e["message"].as_str())
            .map(|m| format!(": {m}"))
            .unwrap_or_default();
        let health = serde_json::to_value(self.health)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        format!("{}: {health}{why}", self.profile)
    }
}

impl Render for CheckView {
    fn human(&self, out: &mut Human) {
        out.line(self.row.line());
    }
}

impl Render for CheckAllView {
    fn human(&self, out: &mut Human) {
        for row in &self.profiles {
            out.line(row.line());
        }
    }
}

/// The knobs of one check.
struct CheckArgs<'a> {
    min_valid: std::time::Duration,
    min_remaining: Option<&'a str>,
}

fn check(ctx: &Ctx, args: &StatusArgs) -> Result<()> {
    let knobs = CheckArgs {
        min_valid: args.min_valid,
        min_remaining: args.min_remaining.as_deref(),
    };
    if let Some(min) = knobs.min_remaining {
        // A malformed amount is a usage error, not an unhealthy profile.
        crate::amount::Amount::parse_user(min, 6, "units")?;
    }
    if !args.all {
        let (name, profile) = ctx.selected_profile()?;
        let row = check_one(ctx, name, profile, &knobs);
        let failure = row_failure(&row);
        ctx.printer.print(&CheckView { row })?;
        return failure.map_or(Ok(()), Err);
    }
    let config = ctx.config()?;
    let profiles: Vec<(String, Profile)> = config.profiles.into_iter().collect();
    // Each check waits on the network most of the time: run them all at once, on threads
    // of their own (a context is per thread: it owns an HTTP client and, for sandbox
    // profiles, an embedded sandbox), at most MAX_PARALLEL_CHECKS at a time.
    let mut rows: Vec<Option<CheckRow>> = Vec::new();
    rows.resize_with(profiles.len(), || None);
    for chunk in profiles
        .chunks(MAX_PARALLEL_CHECKS)
        .zip(rows.chunks_mut(MAX_PARALLEL_CHECKS))
    {
        let (batch, slots) = chunk;
        std::thread::scope(|scope| {
            for ((name, profile), slot) in batch.iter().zip(slots.iter_mut()) {
                let global = ctx.global.clone();
                let printer = ctx.printer.clone();
                let knobs = &knobs;
                scope.spawn(move || {
                    let row = match Ctx::new(global, printer) {
                        Ok(thread_ctx) => {
                            check_one(&thread_ctx, name.clone(), profile.clone(), knobs)
                        }
                        Err(err) => failed_row(
                            name.clone(),
                            Some(profile.provider),
                            Health::StoreUnavailable,
                            &err,
                        ),
                    };
                    *slot = Some(row);
                });
            }
        });
    }
    let rows: Vec<CheckRow> = rows.into_iter().flatten().collect();
    let worst = rows
        .iter()
        .map(|r| r.health)
        .max_by_key(|h| h.severity())
        .unwrap_or(Health::Ok);
    let failure = rows
        .iter()
        .find(|r| r.health == worst)
        .and_then(row_failure)
        .map(|e| {
            let count = rows.iter().filter(|r| r.health != Health::Ok).count();
            let mut e = e;
            e.message = format!(
                "{count} of {} profiles are not ok; the most severe: {}",
                rows.len(),
                e.message
            );
            e
        });
    ctx.printer.print(&CheckAllView {
        health: worst,
        exit_code: worst.exit_code(),
        profiles: rows,
    })?;
    failure.map_or(Ok(()), Err)
}

/// Enough threads that 50 profiles are checked in one wave.
const MAX_PARALLEL_CHECKS: usize = 64;

/// The error a row stands for, so the process exits with its code and the envelope says why.
fn row_failure(row: &CheckRow) -> Option<Error> {
    if row.health == Health::Ok {
        return None;
    }
    let code = match row.health {
        Health::Ok => return None,
        Health::Invalid => Code::AuthFailed,
        Health::Unknown => Code::ServiceUnavailable,
        Health::StoreUnavailable => Code::StoreUnavailable,
        Health::Suspended => Code::AgentSuspended,
        Health::Blocked => Code::AgentBlocked,
        Health::Deregistered => Code::AgentDeregistered,
        Health::NotAuthorized => Code::NotAuthorizedByOwner,
        Health::LowBudget => Code::LimitReached,
        Health::MinValidUnmet => Code::MinValidUnmet,
    };
    let detail = row
        .error
        .as_ref()
        .and_then(|e| e["message"].as_str())
        .unwrap_or("see the check's output");
    let mut err = Error::coded(
        code,
        format!("profile '{}' is not ok: {detail}", row.profile),
    );
    if let Some(url) = row
        .error
        .as_ref()
        .and_then(|e| e["authorization_url"].as_str())
    {
        err = err.with_authorization_url(url);
    }
    if let Some(hint) = row.error.as_ref().and_then(|e| e["hint"].as_str()) {
        err = err.with_hint(hint);
    }
    Some(err)
}

fn failed_row(name: String, provider: Option<Provider>, health: Health, err: &Error) -> CheckRow {
    CheckRow {
        profile: name,
        provider,
        health,
        exit_code: health.exit_code(),
        agent: None,
        credential: None,
        budget: None,
        error: Some(err.body()),
    }
}

/// Check one profile; every failure becomes a row (never an early error), so `--all` reports
/// them all.
fn check_one(ctx: &Ctx, name: String, profile: Profile, knobs: &CheckArgs) -> CheckRow {
    let provider = profile.provider;
    let failed =
        |health: Health, err: &Error| failed_row(name.clone(), Some(provider), health, err);
    let classify = |err: &Error| Health::of_error(err).unwrap_or(Health::Unknown);
    let session = match ctx.session_for(name.clone(), profile) {
        Ok(session) => session,
        Err(err) => return failed(Health::of_error(&err).unwrap_or(Health::Invalid), &err),
    };
    let service = match services::service(provider) {
        Ok(service) => service,
        Err(err) => return failed(Health::Invalid, &err),
    };
    if let Err(err) = service.check_agent_usable(&session) {
        return failed(classify(&err), &err);
    }
    let spec = provider.spec();
    let credential = match spec.short_lived {
        Some(_) => match session.ensure_fresh(knobs.min_valid) {
            Ok(fresh) => {
                let left = fresh.expires_at.map(|exp| exp - crate::timefmt::now_unix());
                let fact = CredentialFact {
                    kind: spec.agent_credential.to_owned(),
                    store: Some(session.profile.store),
                    expires_at: fresh.expires_at_rfc3339(),
                    expires_in_s: left,
                };
                if left.is_some_and(|left| left < knobs.min_valid.as_secs() as i64) {
                    let err = crate::health::min_valid_unmet(
                        provider,
                        knobs.min_valid,
                        left.unwrap_or(0),
                    );
                    let mut row = failed(Health::MinValidUnmet, &err);
                    row.credential = Some(fact);
                    return row;
                }
                fact
            }
            Err(err) => return failed(classify(&err), &err),
        },
        None => match session.require_known_secret(spec.agent_credential) {
            Ok(_) => CredentialFact {
                kind: spec.agent_credential.to_owned(),
                store: Some(session.profile.store),
                expires_at: None,
                expires_in_s: None,
            },
            Err(err) => return failed(classify(&err), &err),
        },
    };
    let probe = match service.probe(ctx, &session) {
        Ok(probe) => probe,
        Err(err) => {
            let mut row = failed(classify(&err), &err);
            row.credential = Some(credential);
            return row;
        }
    };
    let mut health = Health::of_state(probe.state);
    let mut error = None;
    if health == Health::Ok
        && let (Some(min), Some(budget)) = (knobs.min_remaining, &probe.budget)
    {
        match budget.covers(min) {
            Ok(true) => {}
            Ok(false) => {
                health = Health::LowBudget;
                let remaining = budget
                    .remaining
                    .as_ref()
                    .map(|a| a.human())
                    .unwrap_or_default();
                error = Some(
                    Error::coded(
                        Code::LimitReached,
                        format!("{remaining} remains, less than --min-remaining {min}"),
                    )
                    .body(),
                );
            }
            Err(err) => error = Some(err.body()),
        }
    }
    if health != Health::Ok && error.is_none() {
        let state = serde_json::to_value(probe.state).unwrap_or_default();
        error = Some(
            Error::new(
                ErrorKind::Policy,
                format!("the agent is {}", state.as_str().unwrap_or("not active")),
            )
            .body(),
        );
    }
    CheckRow {
        profile: name,
        provider: Some(provider),
        health,
        exit_code: health.exit_code(),
        agent: Some(probe.state),
        credential: Some(credential),
        budget: probe.budget,
        error,
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("status", schema_of::<AllView>()),
        ("status", schema_of::<CheckView>()),
        ("status", schema_of::<CheckAllView>()),
    ]
}
