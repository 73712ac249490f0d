//! What every service's `status` reports in one shape (docs/cli-contract.md §9), and the health check.
//!
//! - [`Budget`]: the agent's spending headroom, whatever the service calls it (a monthly
//!   allowance, a spending policy), with amounts in the docs/cli-contract.md §7 shape.
//! - [`CredentialFact`]: one secret the profile keeps, where, and until when (never its value).
//! - [`Health`]: the verdict of `status --check`, each bound to one exit code.

use serde::Serialize;

use crate::amount::Amount;
use crate::error::{Code, Error, ErrorKind};
use crate::local::LocalFacts;
use crate::store::StoreKind;

/// The agent's spending headroom.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Budget {
    /// `None` when there is no limit.
    pub limit: Option<Amount>,
    pub spent: Option<Amount>,
    /// Committed but not settled, where the service says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending: Option<Amount>,
    /// `None` when there is no limit.
    pub remaining: Option<Amount>,
    pub unlimited: bool,
    /// The period the limit covers (`month`, `perMonth`, `allTime`, ...), as the service names it.
    pub period: Option<String>,
}

impl Budget {
    /// Whether at least `min` (same currency, formatted units) remains. Unlimited always does.
    pub fn covers(&self, min: &str) -> Result<bool, Error> {
        if self.unlimited {
            return Ok(true);
        }
        let Some(remaining) = &self.remaining else {
            return Ok(true);
        };
        let wanted =
            Amount::parse_user(min, remaining.decimals(), remaining.currency()).map_err(|e| {
                Error::usage(format!("--min-remaining {min}: {}", e.message)).with_hint(format!(
                    "give an amount in {}, like 50 or 12.5",
                    remaining.currency()
                ))
            })?;
        Ok(remaining.atomic() >= wanted.atomic())
    }
}

/// One secret the profile keeps (its value never).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct CredentialFact {
    pub kind: String,
    /// Where it is; `None` when the profile has lost it.
    pub store: Option<StoreKind>,
    /// When it expires; `null` for a secret that does not expire (or is missing).
    pub expires_at: Option<String>,
    /// Seconds of validity left (negative once expired); `null` when `expires_at` is.
    pub expires_in_s: Option<i64>,
}

impl LocalFacts {
    /// The docs/cli-contract.md §9 `credentials` array.
    pub fn credentials(&self) -> Vec<CredentialFact> {
        self.secrets
            .iter()
            .map(|s| CredentialFact {
                kind: s.kind.to_owned(),
                store: s.present.then_some(self.store),
                expires_at: s.expires_at.clone(),
                expires_in_s: s.expires_in_s,
            })
            .collect()
    }
}

/// Whether the agent may act, as its service sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    Active,
    Suspended,
    Blocked,
    Deregistered,
    NotAuthorized,
}

/// What a service's probe found: the agent's state and its budget, if it has one.
#[derive(Debug, Clone)]
pub struct Probe {
    pub state: AgentState,
    pub budget: Option<Budget>,
}

/// The verdict of `status --check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    Ok,
    /// The stored credentials are rejected even after one refresh.
    Invalid,
    /// The service could not be reached.
    Unknown,
    /// The secrets cannot be read.
    StoreUnavailable,
    /// A local problem: the profile's configuration (its recorded endpoints, the config
    /// file) or the check's own arguments; fixed here, not at the service (exit 2, `usage`).
    ConfigError,
    Suspended,
    Blocked,
    Deregistered,
    NotAuthorized,
    /// Less than `--min-remaining` remains.
    LowBudget,
    /// The service issues no credential valid for `--min-valid` (code `min_valid_unmet`).
    MinValidUnmet,
    /// The profile is frozen (`agentcred freeze`).
    Frozen,
}

impl Health {
    pub fn exit_code(self) -> u8 {
        match self {
            Health::Ok => 0,
            Health::Invalid => 4,
            Health::Unknown => 6,
            Health::StoreUnavailable => 7,
            Health::ConfigError => 2,
            Health::Suspended
            | Health::Blocked
            | Health::Deregistered
            | Health::NotAuthorized
            | Health::LowBudget
            | Health::MinValidUnmet
            | Health::Frozen => 8,
        }
    }

    /// Order of severity for `--all`: 2 (a local problem), 7, then 4, then 8, then 6, then ok.
    pub fn severity(self) -> u8 {
        match self.exit_code() {
            2 => 5,
            7 => 4,
            4 => 3,
            8 => 2,
            6 => 1,
            _ => 0,
        }
    }

    /// The error code a verdict other than ok reports (the inverse of [`Health::of_error`]).
    pub fn code(self) -> Option<Code> {
        Some(match self {
            Health::Ok => return None,
            Health::Invalid => Code::AuthFailed,
            Health::Unknown => Code::ServiceUnavailable,
            Health::StoreUnavailable => Code::StoreUnavailable,
            Health::ConfigError => Code::Usage,
            Health::Suspended => Code::AgentSuspended,
            Health::Blocked => Code::AgentBlocked,
            Health::Deregistered => Code::AgentDeregistered,
            Health::NotAuthorized => Code::NotAuthorizedByOwner,
            Health::LowBudget => Code::LimitReached,
            Health::MinValidUnmet => Code::MinValidUnmet,
            Health::Frozen => Code::Frozen,
        })
    }

    pub fn of_state(state: AgentState) -> Health {
        match state {
            AgentState::Active => Health::Ok,
            AgentState::Suspended => Health::Suspended,
            AgentState::Blocked => Health::Blocked,
            AgentState::Deregistered => Health::Deregistered,
            AgentState::NotAuthorized => Health::NotAuthorized,
        }
    }

    /// The verdict an error stands for; `None` for errors that are not about health (a bug),
    /// which the check reports as they are.
    pub fn of_error(err: &Error) -> Option<Health> {
        Some(match err.code() {
            Code::AgentSuspended => Health::Suspended,
            Code::AgentBlocked => Health::Blocked,
            Code::AgentDeregistered => Health::Deregistered,
            Code::NotAuthorizedByOwner => Health::NotAuthorized,
            Code::LimitReached => Health::LowBudget,
            Code::MinValidUnmet => Health::MinValidUnmet,
            Code::Frozen => Health::Frozen,
            _ => match err.kind {
                ErrorKind::Auth | ErrorKind::NotFound => Health::Invalid,
                ErrorKind::Unavailable => Health::Unknown,
                ErrorKind::Store => Health::StoreUnavailable,
                ErrorKind::Usage => Health::ConfigError,
                _ => return None,
            },
        })
    }
}
