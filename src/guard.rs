//! The boundary's judge: every request the gateway or the MCP `request` tool would forward
//! passes [`Guard::admit`] first and [`Guard::settle`] after, in [`crate::gateway::Gateway`],
//! the one forwarding path both use, so both behave the same.
//!
//! In order, for one request:
//! 1. the profile's policy decides ([`crate::policy`]): `deny` refuses (403,
//!    `refused_by_policy`, `rule` naming what decided; `spend.per_request` for a money request
//!    over the cap or whose amount cannot be counted);
//! 2. `approve` looks for an approval given for exactly this request ([`crate::approvals`]):
//!    without one, a pending approval is recorded and the request refused (403,
//!    `approval_required`, with its id, what was asked and the command a person runs);
//! 3. `requests_per_minute`: past it, 429 with `Retry-After` (`rule`: `requests_per_minute`),
//!    counted across this host's gateway and MCP processes (`DATA/rate/PROFILE.json` under a
//!    lock);
//! 4. a money request under a `window` cap reserves its amount in the [`Ledger`] (refused with
//!    `spend.window` when it does not fit), and only then is an approval used up;
//! 5. the request is forwarded ([`Admitted`]); [`Guard::settle`] settles the reservation by the
//!    answer (2xx spent, anything else released) and appends the request to the audit log.
//!
//! Every request, refused or forwarded, leaves exactly one `request` entry in the audit log
//! ([`crate::audit`]): method, endpoint, path (never the query), status, decision, rule,
//! amount, approval id, the reason given with `--reason`. A request that cannot be recorded is
//! not forwarded.

use std::time::Duration;

use serde_json::{Value, json};

use crate::approvals::{self, Binding};
use crate::audit::{self, Event};
use crate::error::{Code, Error, Result};
use crate::fsutil::{self, FileLock};
use crate::ledger::{Ledger, Reservation};
use crate::operator::OperatorKey;
use crate::paths::Paths;
use crate::policy::{self, Action, Decision, Policy};
use crate::secret::Secret;
use crate::spec::Provider;

const RATE_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// How the operator key travels on a route opened `as = "operator"`.
#[derive(Clone)]
pub struct OperatorAuth {
    pub header: &'static str,
    pub value: Secret<String>,
    /// The key itself, to redact from answers.
    pub secret: Secret<String>,
}

impl OperatorAuth {
    pub fn new(provider: Provider, key: &OperatorKey) -> Result<OperatorAuth> {
        use base64::Engine;
        Ok(match key {
            OperatorKey::ApiKey(value) => OperatorAuth {
                header: provider.spec().boundary.operator_header.ok_or_else(|| {
                    Error::internal(format!(
                        "{} declares no header for its operator key",
                        provider.display_name()
                    ))
                })?,
                value: value.clone(),
                secret: value.clone(),
            },
            OperatorKey::Basic { id, secret } => OperatorAuth {
                header: "Authorization",
                value: Secret::new(format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD
                        .encode(format!("{id}:{}", secret.expose()))
                )),
                secret: secret.clone(),
            },
        })
    }
}

/// Where a request came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Gateway,
    Mcp,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::Gateway => "gateway",
            Via::Mcp => "mcp",
        }
    }
}

/// One request, as the guard sees it.
#[derive(Clone)]
pub struct Asked {
    pub method: String,
    /// The endpoint's name, lower case.
    pub endpoint: String,
    /// The path after the endpoint (`/v1/agents/ag_1/cards`), without the query.
    pub path: String,
    /// The body, when it was read (see [`Guard::needs_body`]).
    pub body: axum::body::Bytes,
}

/// A request that may be forwarded.
pub struct Admitted {
    pub decision: Decision,
    reservation: Option<Reservation>,
    approval_id: Option<String>,
    /// What was asked, without its body.
    asked: Asked,
}

impl Admitted {
    /// Whether to send the operator key instead of the agent's credential.
    pub fn as_operator(&self) -> bool {
        self.decision.as_operator
    }
}

/// A refused request: the HTTP status, and the error whose object is the answer's body.
pub struct Refused {
    pub status: u16,
    pub error: Error,
    pub retry_after: Option<u64>,
}

pub struct Guard {
    paths: Paths,
    profile: String,
    provider: Provider,
    policy: Option<Policy>,
    ledger: Option<Ledger>,
    operator: Option<OperatorAuth>,
    via: Via,
    reason: Option<String>,
}

impl Guard {
    pub fn has_policy(&self) -> bool {
        self.policy.is_some()
    }

    pub fn operator(&self) -> Option<&OperatorAuth> {
        self.operator.as_ref()
    }

    /// Whether the ledger talks to a store shared between hosts (blocking HTTP calls, which
    /// must run off the async runtime).
    pub fn blocking(&self) -> bool {
        self.ledger.is_some()
    }

    /// Whether the request's body must be read before deciding (a policy looks at writes'
    /// bodies for approvals and money; a money request's amount is recorded either way).
    pub fn needs_body(&self, method: &str, endpoint: &str, path: &str) -> bool {
        (self.policy.is_some() && !matches!(method, "GET" | "HEAD"))
            || policy::is_money(self.provider, method, endpoint, path)
    }

    fn base_event(&self, asked: &Asked) -> Event {
        Event::new("request")
            .profile(&self.profile)
            .field("via", self.via.as_str())
            .field("method", asked.method.clone())
            .field("endpoint", asked.endpoint.clone())
            .field("path", asked.path.clone())
            .reason(self.reason.as_deref())
    }

    fn amount_json(&self, amount: Option<i128>) -> Value {
        let spend = self.policy.as_ref().and_then(|p| p.spend.as_ref());
        match (amount, spend) {
            (Some(a), Some(s)) => serde_json::to_value(s.amount(a)).unwrap_or(Value::Null),
            (Some(a), None) => match self.provider.spec().boundary.currency {
                Some((currency, decimals)) => {
                    serde_json::to_value(crate::amount::Amount::from_atomic(a, decimals, currency))
                        .unwrap_or(Value::Null)
                }
                None => Value::Null,
            },
            _ => Value::Null,
        }
    }

    /// Record a refusal and answer it.
    fn refuse(
        &self,
        asked: &Asked,
        refused: Refused,
        decision: &str,
        rule: &str,
        amount: Option<i128>,
    ) -> Result<Refused> {
        let mut event = self
            .base_event(asked)
            .field("status", refused.status)
            .field("decision", decision)
            .field("rule", rule)
            .field("amount", self.amount_json(amount))
            .field("code", refused.error.code().as_str());
        if let Some(id) = refused.error.body().get("approval_id").cloned() {
            event = event.field("approval_id", id);
        }
        audit::append(&self.paths, event)?;
        Ok(refused)
    }

    /// A 403 refusal with `error`, recorded as [`Guard::refuse`] records every refusal.
    fn forbidden<T>(
        &self,
        asked: &Asked,
        error: Error,
        decision: &str,
        rule: &str,
        amount: Option<i128>,
    ) -> Result<std::result::Result<T, Refused>> {
        let refused = Refused {
            status: 403,
            error,
            retry_after: None,
        };
        self.refuse(asked, refused, decision, rule, amount).map(Err)
    }

    /// Decide on a request: `Ok(Ok(_))` to forward, `Ok(Err(_))` refused (and recorded).
    pub fn admit(&self, asked: &Asked) -> Result<std::result::Result<Admitted, Refused>> {
        let decision = self.decide(asked);
        if decision.action == Action::Deny && decision.rule == "credential_route" {
            let error = Error::coded(Code::RefusedByPolicy, decision.message.clone())
                .with_field("rule", decision.rule.clone())
                .with_provider(self.provider.id())
                .with_hint(format!(
                    "credentials are agentcred's to manage: use `agentcred` itself (register, refresh, keys, tokens) outside the child; a person can open the route with an explicit rule (`agentcred policy set {} FILE`)",
                    self.profile
                ));
            return self.forbidden(asked, error, "deny", &decision.rule, None);
        }
        let Some(policy) = &self.policy else {
            return Ok(Ok(self.admitted(asked, decision, None, None)));
        };
        if decision.action == Action::Deny {
            let error = Error::coded(Code::RefusedByPolicy, decision.message.clone())
                .with_field("rule", decision.rule.clone())
                .with_hint(format!(
                    "a person can change the policy with `agentcred policy set {} FILE`",
                    self.profile
                ));
            return self.forbidden(asked, error, "deny", &decision.rule, decision.amount);
        }
        let approval_id = if decision.action == Action::Approve {
            match self.approval(asked, &decision, policy)? {
                Ok(id) => Some(id),
                Err(refused) => return Ok(Err(refused)),
            }
        } else {
            None
        };
        if let Some(limit) = policy.requests_per_minute
            && let Some(wait) = self.over_rate(limit)?
        {
            return self.rate_limited(asked, limit, wait, decision.amount);
        }
        let reservation = match self.reserve(asked, policy, decision.amount)? {
            Ok(reservation) => reservation,
            Err(refused) => return Ok(Err(refused)),
        };
        if let Some(id) = &approval_id
            && !approvals::use_approval(&self.paths, id)?
        {
            // Another request used it in the meantime.
            if let (Some(r), Some(spend), Some(ledger)) =
                (&reservation, policy.spend.as_ref(), self.ledger.as_ref())
            {
                ledger.settle(r, false, spend)?;
            }
            let error = Error::coded(
                Code::ApprovalRequired,
                format!("approval '{id}' was used by another request"),
            )
            .with_field("rule", decision.rule.clone())
            .with_hint("repeat the request to ask for a new approval");
            return self.forbidden(asked, error, "approve", &decision.rule, decision.amount);
        }
        Ok(Ok(self.admitted(asked, decision, reservation, approval_id)))
    }

    /// What the policy (or, without one, the built-in rules) says of the request, with the
    /// routes that issue credentials closed unless a rule opens them.
    fn decide(&self, asked: &Asked) -> Decision {
        let decision = match &self.policy {
            Some(policy) => policy.decide(
                self.provider,
                &asked.method,
                &asked.endpoint,
                &asked.path,
                &asked.body,
            ),
            None => policy::no_policy(
                self.provider,
                &asked.method,
                &asked.endpoint,
                &asked.path,
                &asked.body,
            ),
        };
        policy::guard_credential_route(
            self.provider,
            &asked.method,
            &asked.endpoint,
            &asked.path,
            decision,
        )
    }

    /// For a request the policy holds for approval: the id of the approval a person gave it,
    /// or a refusal that asks for one (requested, and recorded, once per request).
    fn approval(
        &self,
        asked: &Asked,
        decision: &Decision,
        policy: &Policy,
    ) -> Result<std::result::Result<String, Refused>> {
        let binding = Binding {
            profile: &self.profile,
            method: &asked.method,
            endpoint: &asked.endpoint,
            path: &asked.path,
            body: &asked.body,
        };
        if let Some(id) = approvals::find_approved(&self.paths, &binding)? {
            return Ok(Ok(id));
        }
        let amount = self.amount_json(decision.amount);
        let (approval, created) = approvals::request(
            &self.paths,
            &binding,
            &decision.rule,
            (!amount.is_null()).then(|| amount.clone()),
            policy.approval_expiry,
        )?;
        if created {
            audit::append(
                &self.paths,
                Event::new("approval_requested")
                    .profile(&self.profile)
                    .field("approval_id", approval.id.clone())
                    .field("method", asked.method.clone())
                    .field("endpoint", asked.endpoint.clone())
                    .field("path", asked.path.clone())
                    .field("rule", decision.rule.clone())
                    .field("amount", amount.clone()),
            )?;
        }
        let command = format!("agentcred approvals approve {}", approval.id);
        let error = Error::coded(
            Code::ApprovalRequired,
            format!(
                "the profile's policy holds {} {}:{} until a person approves it ({})",
                asked.method, asked.endpoint, asked.path, decision.rule
            ),
        )
        .with_field("rule", decision.rule.clone())
        .with_field("approval_id", approval.id.clone())
        .with_field(
            "request",
            json!({
                "method": asked.method,
                "endpoint": asked.endpoint,
                "path": asked.path,
                "amount": amount,
            }),
        )
        .with_field("command", command.clone())
        .with_field("expires_at", approval.expires_at.clone())
        .with_hint(format!(
            "a person runs `{command}` (or `agentcred approvals deny {}`) in another terminal; then repeat the same request",
            approval.id
        ));
        self.forbidden(asked, error, "approve", &decision.rule, decision.amount)
    }

    /// The 429 refusal of a request over `requests_per_minute` (`limit`), to retry in `wait`
    /// seconds.
    fn rate_limited(
        &self,
        asked: &Asked,
        limit: u32,
        wait: u64,
        amount: Option<i128>,
    ) -> Result<std::result::Result<Admitted, Refused>> {
        let error = Error::coded(
            Code::RefusedByPolicy,
            format!(
                "more than {limit} requests in a minute for profile '{}'",
                self.profile
            ),
        )
        .with_field("rule", "requests_per_minute")
        .with_retry_after(wait)
        .with_hint(format!("wait {wait} s and try again"));
        let refused = Refused {
            status: 429,
            error,
            retry_after: Some(wait),
        };
        self.refuse(asked, refused, "deny", "requests_per_minute", amount)
            .map(Err)
    }

    /// Under a `spend.window` cap, the request's `amount` reserved in the ledger, or the
    /// refusal when the window has no room for it.
    fn reserve(
        &self,
        asked: &Asked,
        policy: &Policy,
        amount: Option<i128>,
    ) -> Result<std::result::Result<Option<Reservation>, Refused>> {
        let (Some(atomic), Some(spend), Some(ledger)) =
            (amount, policy.spend.as_ref(), self.ledger.as_ref())
        else {
            return Ok(Ok(None));
        };
        if spend.window.is_none() {
            return Ok(Ok(None));
        }
        match ledger.reserve(atomic, spend)? {
            Ok(r) => Ok(Ok(Some(r))),
            Err(message) => {
                let error = Error::coded(Code::RefusedByPolicy, message)
                    .with_field("rule", "spend.window")
                    .with_hint("the window frees up as its oldest spending ages out; a person can raise spend.window with `agentcred policy set`");
                self.forbidden(asked, error, "deny", "spend.window", amount)
            }
        }
    }

    fn admitted(
        &self,
        asked: &Asked,
        decision: Decision,
        reservation: Option<Reservation>,
        approval_id: Option<String>,
    ) -> Admitted {
        Admitted {
            decision,
            reservation,
            approval_id,
            asked: Asked {
                body: axum::body::Bytes::new(),
                ..asked.clone()
            },
        }
    }

    /// Settle an admitted request by its answer (`None`: no answer) and record it.
    pub fn settle(&self, admitted: &Admitted, status: Option<u16>) -> Result<()> {
        let kept = status.is_some_and(|s| (200..300).contains(&s));
        let mut failure = None;
        if let (Some(r), Some(spend), Some(ledger)) = (
            &admitted.reservation,
            self.policy.as_ref().and_then(|p| p.spend.as_ref()),
            self.ledger.as_ref(),
        ) && let Err(e) = ledger.settle(r, kept, spend)
        {
            failure = Some(e);
        }
        let mut event = self
            .base_event(&admitted.asked)
            .field("status", status.map(Value::from).unwrap_or(Value::Null))
            .field("decision", admitted.decision.action.as_str())
            .field("rule", admitted.decision.rule.clone())
            .field("amount", self.amount_json(admitted.decision.amount));
        if let Some(id) = &admitted.approval_id {
            event = event.field("approval_id", id.clone());
        }
        if admitted.decision.as_operator {
            event = event.field("as", "operator");
        }
        if admitted.reservation.is_some() {
            event = event.field("spent", kept);
        }
        audit::append(&self.paths, event)?;
        failure.map_or(Ok(()), Err)
    }

    /// Count one request against `limit` per minute: the seconds to wait when it is over.
    /// The count is kept per second for the last 60 seconds (`[[unix_second, count], ...]`),
    /// so the file stays small whatever the limit.
    fn over_rate(&self, limit: u32) -> Result<Option<u64>> {
        let path = self
            .paths
            .data_dir
            .join("rate")
            .join(format!("{}.json", self.profile));
        let lock = self
            .paths
            .lock_dir
            .join(format!("rate-{}.lock", self.profile));
        let _lock = FileLock::acquire(&lock, RATE_LOCK_TIMEOUT)
            .map_err(|e| crate::profile::lock_error(&lock, "the request rate", e))?;
        let now = now_ms().div_euclid(1000);
        let mut seconds: Vec<(i64, u64)> = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        seconds.retain(|(second, _)| *second > now - 60 && *second <= now + 1);
        let counted: u64 = seconds.iter().map(|(_, n)| n).sum();
        if counted >= u64::from(limit) {
            // Free again once enough of the oldest seconds have left the minute.
            let mut freed = 0;
            let mut wait = 60;
            for (second, n) in &seconds {
                freed += n;
                if counted - freed < u64::from(limit) {
                    wait = (second + 60 - now).max(1) as u64;
                    break;
                }
            }
            return Ok(Some(wait));
        }
        match seconds.iter_mut().find(|(second, _)| *second == now) {
            Some((_, n)) => *n += 1,
            None => seconds.push((now, 1)),
        }
        seconds.sort_unstable();
        write_volatile(&path, &serde_json::to_vec(&seconds).unwrap_or_default())?;
        Ok(None)
    }
}

fn write_volatile(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    fsutil::write_private_volatile(path, bytes).map_err(|e| {
        Error::usage(format!("cannot write {}: {e}", path.display()))
            .with_hint("check that the data directory is yours and writable")
    })
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// The guard of `session`'s profile for requests coming in `via`: its policy (from the
/// profile, which for a vault profile is the shared document's), its ledger when the policy
/// caps a window, and the operator key when a rule opens a route `as = "operator"` (a missing
/// key is refused here, before anything serves).
pub fn for_session(
    ctx: &crate::context::Ctx,
    session: &crate::session::Session<'_>,
    via: Via,
    reason: Option<String>,
) -> Result<Guard> {
    let provider = session.provider();
    let policy = match &session.profile.policy {
        Some(text) => Some(Policy::parse(
            text,
            &format!("the policy of profile '{}'", session.name),
            provider,
        )?),
        None => None,
    };
    let ledger = match &policy {
        Some(p) if p.spend.as_ref().is_some_and(|s| s.window.is_some()) => {
            let store = if session.profile.store.is_shared() {
                Some(crate::store::open_profile(
                    &session.name,
                    session.profile.store,
                    session.profile.vault.as_ref(),
                    &ctx.paths,
                )?)
            } else {
                None
            };
            Some(Ledger::open(&ctx.paths, &session.name, store))
        }
        _ => None,
    };
    let operator = match &policy {
        Some(p) if p.rules.iter().any(|r| r.as_operator) => {
            let key =
                crate::operator::require(ctx, provider, session.profile.sandbox).map_err(|e| {
                    let hint = e.hint.clone().unwrap_or_default();
                    Error::usage(format!(
                        "the policy of profile '{}' opens routes as the operator, but {}",
                        session.name, e.message
                    ))
                    .with_hint(hint)
                })?;
            Some(OperatorAuth::new(provider, &key.key)?)
        }
        _ => None,
    };
    Ok(Guard {
        paths: ctx.paths.clone(),
        profile: session.name.clone(),
        provider,
        policy,
        ledger,
        operator,
        via,
        reason,
    })
}
