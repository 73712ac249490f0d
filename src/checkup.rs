//! The health check of one profile (docs/cli-contract.md §9), shared by `status --check` and the MCP
//! server's `check` tool: a credential valid for `min_valid` is held or can be minted (refreshing
//! only if it must), the agent is active at its service, and its budget covers `min_remaining`.
//! Every failure becomes a row with its [`Health`], never an early error, so a caller checking
//! many profiles reports them all. A row never says `ok` about what it could not judge: a
//! budget the service did not report is `unknown`; a local problem (the profile's recorded
//! endpoints, an amount that does not fit the budget's currency) is `config_error`, exit 2.
//! The row on stdout and the error on stderr name the same code.

use serde::Serialize;

use crate::context::Ctx;
use crate::error::{Code, Error};
use crate::health::{AgentState, Budget, CredentialFact, Health};
use crate::profile::Profile;
use crate::spec::Provider;

/// One profile's health.
#[derive(Serialize, schemars::JsonSchema)]
pub struct CheckRow {
    pub profile: String,
    provider: Option<Provider>,
    pub health: Health,
    exit_code: u8,
    /// The agent's state at its service, when it could be asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    agent: Option<AgentState>,
    /// The credential the agent would use now.
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<CredentialFact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<Budget>,
    /// With `--min-remaining`: whether the budget was judged against it (`checked`) or the
    /// service keeps no budget, so the profile was judged without it (`no_budget`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_remaining: Option<MinRemaining>,
    /// Why it is not ok: the error object of the JSON error envelope (`error_envelope` in `agentcred schema`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, serde_json::Value>>")]
    pub error: Option<serde_json::Value>,
}

impl CheckRow {
    pub fn line(&self) -> String {
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

/// Whether `--min-remaining` applied to a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MinRemaining {
    Checked,
    NoBudget,
}

/// The knobs of one check.
pub struct CheckKnobs<'a> {
    pub min_valid: std::time::Duration,
    pub min_remaining: Option<&'a str>,
}

/// The error a row stands for, so the process exits with its code and the envelope says why.
pub fn row_failure(row: &CheckRow) -> Option<Error> {
    let mut code = row.health.code()?;
    // The row's own code when it is a finer one of the same class, so that the envelope on
    // stderr and the row on stdout name the same code.
    if let Some(own) = row
        .error
        .as_ref()
        .and_then(|e| e["code"].as_str())
        .and_then(|c| Code::ALL.iter().find(|k| k.as_str() == c))
        && own.kind().exit_code() == row.health.exit_code()
        && code == code.kind().default_code()
    {
        code = *own;
    }
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

pub fn failed_row(
    name: String,
    provider: Option<Provider>,
    health: Health,
    err: &Error,
) -> CheckRow {
    CheckRow {
        profile: name,
        provider,
        health,
        exit_code: health.exit_code(),
        agent: None,
        credential: None,
        budget: None,
        min_remaining: None,
        error: Some(err.body()),
    }
}

/// Check one profile; every failure becomes a row (never an early error), so `--all` reports
/// them all.
pub fn check_one(ctx: &Ctx, name: String, profile: Profile, knobs: &CheckKnobs) -> CheckRow {
    let provider = profile.provider;
    let spec = provider.spec();
    let judged = knobs.min_remaining.map(|_| match spec.budget {
        Some(_) => MinRemaining::Checked,
        None => MinRemaining::NoBudget,
    });
    let failed = |health: Health, err: &Error| CheckRow {
        min_remaining: judged,
        ..failed_row(name.clone(), Some(provider), health, err)
    };
    let classify = |err: &Error| Health::of_error(err).unwrap_or(Health::Unknown);
    let session = match ctx.session_for(name.clone(), profile) {
        Ok(session) => session,
        Err(err) => return failed(Health::of_error(&err).unwrap_or(Health::Invalid), &err),
    };
    if let Err(err) = crate::freeze::refuse_if_frozen(&session) {
        return failed(Health::Frozen, &err);
    }
    let service = match crate::service::of(provider) {
        Ok(service) => service,
        Err(err) => return failed(Health::Invalid, &err),
    };
    if let Err(err) = service.check_agent_usable(&session) {
        return failed(classify(&err), &err);
    }
    let credential = match session.bearer_at_best(knobs.min_valid) {
        Ok(bearer) => {
            let fact = CredentialFact {
                kind: bearer.kind.to_owned(),
                store: Some(session.profile.store),
                expires_at: bearer.expires_at_rfc3339(),
                expires_in_s: bearer.expires_in_s(),
            };
            if let Some(err) = bearer.shortfall(provider, knobs.min_valid) {
                let mut row = failed(Health::MinValidUnmet, &err);
                row.credential = Some(fact);
                return row;
            }
            fact
        }
        Err(err) => return failed(classify(&err), &err),
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
    let min = knobs.min_remaining.filter(|_| spec.budget.is_some());
    if health == Health::Ok
        && let Some(min) = min
        && probe.budget.is_none()
    {
        // A guard never passes what it could not judge.
        health = Health::Unknown;
        error = Some(
            Error::coded(
                Code::ServiceUnavailable,
                format!(
                    "{} did not report the agent's budget, so --min-remaining {min} cannot be judged",
                    provider.display_name()
                ),
            )
            .with_hint("try again; `agentcred status` shows what the service reports")
            .body(),
        );
    }
    if health == Health::Ok
        && let (Some(min), Some(budget)) = (min, &probe.budget)
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
            Err(err) => {
                health = Health::ConfigError;
                error = Some(err.body());
            }
        }
    }
    if health != Health::Ok && error.is_none() {
        let state = serde_json::to_value(probe.state).unwrap_or_default();
        error = Some(
            Error::coded(
                health.code().unwrap_or(Code::RefusedByPolicy),
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
        min_remaining: judged,
        error,
    }
}
