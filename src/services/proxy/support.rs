//! What every Proxy command shares: the operator key, the client for a profile, the profile's
//! facts, and the views of agents, policies, tokens and cards.
//!
//! Credentials (docs/cli-contract.md §5, docs/providers.md §7):
//! - The organization key comes from `PROXY_API_KEY`, else the key stored by `agentcred login
//!   proxy`. A *sandbox* profile with neither falls back to the sandbox's documented demo key
//!   (`PROXY_API_KEY` in the sandbox's demo keys) and says so on stderr; a real profile never does.
//! - Reads the agent may make of itself (agent, policy, cards) fall back to the profile's agent
//!   token (`Authorization: Bearer at_…`) when there is no organization key.
//!
//! The profile's record ([`ProxyRecord`]) holds the external id, the user, the id and prefix
//! of the token the profile stores, and when the agent was deregistered.

use serde::Serialize;

use super::ProxyRecord;
use super::client::{self as api, Client, Credential};
use crate::amount::{self, Amount};
use crate::context::Ctx;
use crate::error::{Code, Error, Result};
use crate::health::Budget;
use crate::operator;
use crate::output::{Human, tables};
use crate::profile::{Config, Profile};
use crate::secret::Secret;
use crate::session::Session;
use crate::timefmt;

/// The selected profile as a session, after checking it is a Proxy profile.
pub fn session<'c>(ctx: &'c Ctx, command: &str) -> Result<Session<'c>> {
    let (name, profile) = ctx.selected_for(command, super::PROVIDER)?;
    ctx.session_for(name, profile)
}

/// Where the organization key came from, and which environment it is for (never the key).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct OperatorFacts {
    /// `dev` (`lk_dev_`), `live` (`lk_live_`) or `unknown`.
    pub environment: &'static str,
    /// `environment` (PROXY_API_KEY), the store kind, or `sandbox demo key`.
    pub source: String,
}

impl OperatorFacts {
    pub fn describe(&self) -> String {
        let source = match self.source.as_str() {
            "environment" => "from PROXY_API_KEY".to_owned(),
            operator::SANDBOX_DEMO_SOURCE => "the sandbox's demo key".to_owned(),
            store => format!("stored in the {store} store"),
        };
        format!("{} key, {source}", self.environment)
    }
}

/// The organization key. `sandbox` allows the demo-key fallback (sandbox profiles only).
pub fn operator_key(ctx: &Ctx, sandbox: bool) -> Result<(Secret<String>, OperatorFacts)> {
    operator::key(ctx, super::PROVIDER, sandbox)
}

/// The key, with the facts status shows about it.
impl operator::FromOperator for (Secret<String>, OperatorFacts) {
    fn from_operator(found: operator::Operator) -> Self {
        let key = found.key.into_api_key();
        let environment = api::environment(key.expose());
        (
            key,
            OperatorFacts {
                environment,
                source: found.source,
            },
        )
    }
}

/// A client with the organization key, for the profile's service.
pub fn operator<'h>(ctx: &Ctx, session: &Session<'h>) -> Result<(Client<'h>, OperatorFacts)> {
    let (key, facts) = operator_key(ctx, session.profile.sandbox)?;
    Ok((operator_client(session, key), facts))
}

/// [`operator`], or `None` when no organization key is configured.
pub fn operator_if_any<'h>(
    ctx: &Ctx,
    session: &Session<'h>,
) -> Result<Option<(Client<'h>, OperatorFacts)>> {
    let found: Option<(Secret<String>, OperatorFacts)> =
        operator::key_if_any(ctx, super::PROVIDER, session.profile.sandbox)?;
    Ok(found.map(|(key, facts)| (operator_client(session, key), facts)))
}

fn operator_client<'h>(session: &Session<'h>, key: Secret<String>) -> Client<'h> {
    Client::new(
        session.http,
        session.endpoint("api"),
        Credential::Operator(key),
    )
}

/// A client for what the agent may read of itself: the organization key when there is one,
/// else the profile's agent token. With neither, the error names both ways to give a key.
pub fn reader<'h>(ctx: &Ctx, session: &Session<'h>) -> Result<(Client<'h>, Option<OperatorFacts>)> {
    if let Some((client, facts)) = operator_if_any(ctx, session)? {
        return Ok((client, Some(facts)));
    }
    match session.secret("token")? {
        Some(token) => Ok((
            Client::new(
                session.http,
                session.endpoint("api"),
                Credential::Agent(token),
            ),
            None,
        )),
        None => operator(ctx, session).map(|(client, facts)| (client, Some(facts))),
    }
}

/// The command that registers the profile's external id again, into the same profile.
pub fn reregister_command(name: &str, profile: &Profile) -> String {
    let external_id = record_of(profile).external_id;
    let external_id = external_id.as_deref().unwrap_or("ID");
    let sandbox = if profile.sandbox { "--sandbox " } else { "" };
    format!(
        "agentcred {sandbox}--profile {name} register proxy --external-id {external_id} --user USER --name NAME"
    )
}

/// Changes to a deregistered agent are refused locally, with the way forward.
pub fn refuse_if_deregistered(session: &Session) -> Result<()> {
    let Some(at) = session.profile.record::<ProxyRecord>()?.deregistered_at else {
        return Ok(());
    };
    Err(Error::coded(
        Code::AgentDeregistered,
        format!(
            "the Proxy agent {} of profile '{}' was deregistered at {at}",
            session.profile.agent_id, session.name
        ),
    )
    .with_provider(super::PROVIDER.id())
    .with_hint(format!(
        "its external id is free again: `{}` registers a new agent into this profile",
        reregister_command(&session.name, &session.profile)
    )))
}

/// Refuse an agent the service says may not act now (suspended): its token is long-lived and
/// would be handed out unchanged, so only the service can tell (exit 8, as for the services
/// whose credential is checked when it is minted).
pub fn refuse_if_suspended(session: &Session) -> Result<()> {
    let token = session.require_known_secret("token")?;
    let client = Client::new(
        session.http,
        session.endpoint("api"),
        Credential::Agent(token),
    );
    let agent = client.agent(&session.profile.agent_id)?;
    match agent.status.as_deref() {
        Some(state @ ("suspended" | "frozen" | "inactive")) => Err(Error::coded(
            Code::AgentSuspended,
            format!(
                "the Proxy agent {} of profile '{}' is {state}; its token would be refused",
                session.profile.agent_id, session.name
            ),
        )
        .with_provider(super::PROVIDER.id())
        .with_hint(format!(
            "an operator reactivates it: `agentcred --profile {} agent activate`",
            session.name
        ))),
        _ => Ok(()),
    }
}

/// Change the profile's record in the config.
pub fn update_record(ctx: &Ctx, name: &str, change: impl FnOnce(&mut ProxyRecord)) -> Result<()> {
    Config::update_profile(&ctx.paths, name, |profile| profile.update_record(change))?;
    Ok(())
}

/// The profile's record, or an empty one if it cannot be read (for messages only).
pub fn record_of(profile: &Profile) -> ProxyRecord {
    profile.record().unwrap_or_default()
}

/// Store a new agent token (shown once by the service) in the profile; if the store fails,
/// the token goes to a rescue file and the command exits 7, so it is never lost.
/// `kind` is `token` or a spare's `token:TOKEN_ID`; `intended` the profile as it will be
/// recorded once it is stored.
pub fn store_token(
    ctx: &Ctx,
    session: &Session,
    intended: &Profile,
    kind: &str,
    token: &Secret<String>,
    token_id: &str,
) -> Result<()> {
    // The one-time-secret rule (store, else rescue file and exit 7) is shared with every
    // provider; the token id helps the user match the rescued value to the service's list.
    crate::enroll::store_one_time(ctx, session, intended, &[(kind, token)]).map_err(|mut err| {
        err.message = format!("agent token {token_id}: {}", err.message);
        err
    })
}

/// A dollar amount typed by the user (`500`, `12.50`) as cents; more decimals than cents, a
/// negative amount or anything that is not a number is refused (exit 2) naming the flag.
pub fn parse_cents(value: &str, flag: &str) -> Result<i64> {
    let amount = Amount::parse_user(value, 2, "USD").map_err(|err| {
        let message = format!("{flag}: {}", err.message);
        Error::usage(message).with_hint(err.hint.unwrap_or_else(|| {
            format!("write dollars with at most 2 decimals, like `{flag} 12.50`")
        }))
    })?;
    i64::try_from(amount.atomic()).map_err(|_| {
        Error::usage(format!("{flag}: {value} is too large"))
            .with_hint("Proxy amounts are at most 92233720368547758.07 USD")
    })
}

/// The non-secret prefix of an agent token, as the service shows it (`at_dev_` + 8 characters).
pub fn token_prefix(token: &str) -> String {
    let length = token.chars().count();
    let marker = ["at_live_", "at_dev_", "at_test_"]
        .into_iter()
        .find(|m| token.starts_with(m))
        .map_or(3.min(length / 2), str::len);
    // Never the whole token, nor most of it: a short one shows at most half of what follows
    // the marker (the prefix lands in the config and in `status`).
    let shown = 8.min(length.saturating_sub(marker) / 2);
    token.chars().take(marker + shown).collect()
}

// ------------------------------------------------------------------------------------------
// Views

fn cents(value: Option<i64>) -> Option<Amount> {
    value.map(amount::usd_cents)
}

fn time(value: &Option<serde_json::Value>) -> Option<String> {
    value.as_ref().and_then(timefmt::normalize)
}

fn show(amount: &Option<Amount>) -> String {
    amount
        .as_ref()
        .map(Amount::human)
        .unwrap_or_else(|| "-".to_owned())
}

/// An agent as the operator (or the agent itself) sees it.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct AgentView {
    pub id: String,
    pub external_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub status: Option<String>,
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deregistered_at: Option<String>,
    pub max_cards: Option<u64>,
    pub card_count: Option<u64>,
}

impl AgentView {
    pub fn from_api(agent: &api::Agent) -> AgentView {
        AgentView {
            id: agent.id.clone(),
            external_id: agent.external_id.clone(),
            user_id: agent.user_id.clone(),
            name: agent.name.clone(),
            description: agent.description.clone(),
            status: agent.status.clone(),
            created_at: time(&agent.created_at),
            deregistered_at: time(&agent.deregistered_at),
            max_cards: agent.max_cards,
            card_count: agent.card_count,
        }
    }

    pub fn render(&self, out: &mut Human) {
        let mut rows = vec![
            ("agent", self.id.clone()),
            ("status", tables::cell(self.status.as_deref())),
            ("name", tables::cell(self.name.as_deref())),
            ("external id", tables::cell(self.external_id.as_deref())),
            ("user", tables::cell(self.user_id.as_deref())),
            ("created", tables::cell(self.created_at.as_deref())),
        ];
        if let Some(at) = &self.deregistered_at {
            rows.push(("deregistered", at.clone()));
        }
        if let Some(description) = &self.description {
            rows.push(("description", description.clone()));
        }
        let cards = match (self.card_count, self.max_cards) {
            (Some(count), Some(max)) => format!("{count} (at most {max})"),
            (Some(count), None) => count.to_string(),
            (None, Some(max)) => format!("at most {max}"),
            (None, None) => "-".to_owned(),
        };
        rows.push(("cards", cards));
        out.fields(&rows);
    }
}

/// The spending policy, every amount in both units.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PolicyView {
    pub spending_limit: Option<Amount>,
    pub frequency: Option<String>,
    pub on_limit_exceeded: Option<String>,
    pub current_spend: Option<Amount>,
    /// `None` when there is no limit.
    pub remaining: Option<Amount>,
    pub unlimited: bool,
}

impl PolicyView {
    /// The policy in the shape every service's status shares.
    pub fn budget(&self) -> Budget {
        Budget {
            limit: self.spending_limit.clone(),
            spent: self.current_spend.clone(),
            pending: None,
            remaining: self.remaining.clone(),
            unlimited: self.unlimited,
            period: self.frequency.clone(),
        }
    }

    pub fn from_api(policy: &api::Policy) -> PolicyView {
        PolicyView {
            spending_limit: cents(policy.spending_limit),
            frequency: policy.spending_limit_frequency.clone(),
            on_limit_exceeded: policy.on_limit_exceeded.clone(),
            current_spend: cents(policy.current_spend),
            remaining: cents(policy.remaining),
            unlimited: policy.spending_limit.is_none(),
        }
    }

    pub fn render(&self, out: &mut Human) {
        let limit = if self.unlimited {
            "none (spending is only tracked)".to_owned()
        } else {
            show(&self.spending_limit)
        };
        let remaining = if self.unlimited && self.remaining.is_none() {
            "unlimited".to_owned()
        } else {
            show(&self.remaining)
        };
        out.fields(&[
            ("spending limit", limit),
            ("frequency", tables::cell(self.frequency.as_deref())),
            ("current spend", show(&self.current_spend)),
            ("remaining", remaining),
            (
                "on limit exceeded",
                tables::cell(self.on_limit_exceeded.as_deref()),
            ),
        ]);
    }
}

/// An agent token as listed (never its secret).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct TokenView {
    pub id: String,
    pub prefix: Option<String>,
    pub name: Option<String>,
    pub active: Option<bool>,
    pub created_at: Option<String>,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The token this profile stores.
    pub in_profile: bool,
}

impl TokenView {
    pub fn from_api(token: &api::AgentToken, profile_token: &ProfileToken) -> TokenView {
        TokenView {
            id: token.id.clone(),
            prefix: token.token_prefix.clone(),
            name: token.name.clone(),
            active: token.is_active,
            created_at: time(&token.created_at),
            last_used_at: time(&token.last_used_at),
            expires_at: time(&token.expires_at),
            revoked_at: time(&token.revoked_at),
            in_profile: profile_token.is(token),
        }
    }
}

/// Which token the profile holds: by id when known, else by its prefix.
#[derive(Debug, Default)]
pub struct ProfileToken {
    pub id: Option<String>,
    pub prefix: Option<String>,
}

impl ProfileToken {
    pub fn of(session: &Session) -> Result<ProfileToken> {
        let record: ProxyRecord = session.profile.record()?;
        let prefix = match record.token_prefix {
            Some(prefix) => Some(prefix),
            None => session.secret("token")?.map(|t| token_prefix(t.expose())),
        };
        Ok(ProfileToken {
            id: record.token_id,
            prefix,
        })
    }

    pub fn is(&self, token: &api::AgentToken) -> bool {
        match (&self.id, &self.prefix, &token.token_prefix) {
            (Some(id), _, _) => *id == token.id,
            (None, Some(mine), Some(theirs)) => mine == theirs,
            _ => false,
        }
    }
}

pub fn render_tokens(out: &mut Human, tokens: &[TokenView]) {
    if tokens.is_empty() {
        out.line("No agent tokens.");
        return;
    }
    let mut table = tables::new(
        out.styled,
        &[
            "id",
            "prefix",
            "name",
            "active",
            "created",
            "last used",
            "expires",
        ],
    );
    for t in tokens {
        let active = match t.active {
            Some(true) => "yes".to_owned(),
            Some(false) => match &t.revoked_at {
                Some(at) => format!("no (revoked {at})"),
                None => "no".to_owned(),
            },
            None => "-".to_owned(),
        };
        let mark = if t.in_profile { " *" } else { "" };
        table.add_row(vec![
            format!("{}{mark}", t.id),
            tables::cell(t.prefix.as_deref()),
            tables::cell(t.name.as_deref()),
            active,
            tables::cell(t.created_at.as_deref()),
            tables::cell(t.last_used_at.as_deref()),
            t.expires_at.clone().unwrap_or_else(|| "never".to_owned()),
        ]);
    }
    out.table(table);
    if tokens.iter().any(|t| t.in_profile) {
        out.line("* the token this profile stores");
    }
}

/// A card: last four digits, status, limits in both units, expiry. Never a PAN or CVV (they
/// are not even read from the service's answers).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CardView {
    pub id: String,
    #[serde(rename = "type")]
    pub card_type: Option<String>,
    pub purpose: Option<String>,
    pub status: Option<String>,
    pub last4: Option<String>,
    /// `MM/YYYY`.
    pub expiry: Option<String>,
    pub max_amount: Option<Amount>,
    pub limits: CardLimitsView,
    pub merchant_hint: Option<String>,
    pub credential_exposure: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct CardLimitsView {
    pub per_auth: Option<Amount>,
    pub per_day: Option<Amount>,
    pub per_month: Option<Amount>,
}

fn text_of(value: &Option<serde_json::Value>) -> Option<String> {
    match value.as_ref()? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl CardView {
    pub fn from_api(card: &api::Card) -> CardView {
        let limits = card.limits.clone().unwrap_or_default();
        let expiry = match (
            text_of(&card.expiration_month),
            text_of(&card.expiration_year),
        ) {
            (Some(month), Some(year)) => Some(format!("{month:0>2}/{year}")),
            _ => None,
        };
        CardView {
            id: card.id.clone(),
            card_type: card.card_type.clone(),
            purpose: card.purpose.clone(),
            status: card.status.clone(),
            last4: card.last4.clone(),
            expiry,
            max_amount: cents(card.max_amount),
            limits: CardLimitsView {
                per_auth: cents(limits.per_auth),
                per_day: cents(limits.per_day),
                per_month: cents(limits.per_month),
            },
            merchant_hint: card.merchant_hint.clone(),
            credential_exposure: card.credential_exposure.clone(),
            created_at: time(&card.created_at),
        }
    }

    pub fn render(&self, out: &mut Human) {
        let mut rows = vec![
            ("card", self.id.clone()),
            ("status", tables::cell(self.status.as_deref())),
            ("type", tables::cell(self.card_type.as_deref())),
            ("purpose", tables::cell(self.purpose.as_deref())),
            (
                "number",
                self.last4
                    .as_deref()
                    .map(|l| format!("•••• {l}"))
                    .unwrap_or_else(|| "-".to_owned()),
            ),
            ("expires", tables::cell(self.expiry.as_deref())),
            ("max amount", show(&self.max_amount)),
        ];
        for (label, value) in [
            ("limit per auth", &self.limits.per_auth),
            ("limit per day", &self.limits.per_day),
            ("limit per month", &self.limits.per_month),
        ] {
            if value.is_some() {
                rows.push((label, show(value)));
            }
        }
        if let Some(hint) = &self.merchant_hint {
            rows.push(("merchant hint", hint.clone()));
        }
        rows.push(("created", tables::cell(self.created_at.as_deref())));
        out.fields(&rows);
    }
}

pub fn render_cards(out: &mut Human, cards: &[CardView]) {
    if cards.is_empty() {
        out.line("No cards.");
        return;
    }
    let mut table = tables::new(
        out.styled,
        &[
            "id",
            "last4",
            "status",
            "type",
            "max amount",
            "expires",
            "purpose",
        ],
    );
    for c in cards {
        table.add_row(vec![
            c.id.clone(),
            tables::cell(c.last4.as_deref()),
            tables::cell(c.status.as_deref()),
            tables::cell(c.card_type.as_deref()),
            show(&c.max_amount),
            tables::cell(c.expiry.as_deref()),
            tables::cell(c.purpose.as_deref()),
        ]);
    }
    out.table(table);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_prefixes_match_the_services() {
        assert_eq!(token_prefix("at_dev_0123456789abcdef"), "at_dev_01234567");
        assert_eq!(token_prefix("at_live_0123456789abcdef"), "at_live_01234567");
        // A short token is never recorded whole.
        assert_eq!(token_prefix("at_short"), "at_sh");
        assert_eq!(token_prefix("at_dev_abcd"), "at_dev_ab");
        assert_ne!(token_prefix("xyz"), "xyz");
    }
}
