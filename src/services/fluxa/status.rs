//! `status` for a FluxA profile: the wallet's aggregate status endpoint (agent, monthly
//! headroom, balances, mandates, recent transactions) with every amount in both units.

use serde::Serialize;
use serde_json::Value;

use super::PROVIDER;
use super::client::{self, PROVIDER as SERVICE_ID};
use crate::amount::Amount;
use crate::context::Ctx;
use crate::error::Result;
use crate::health::{AgentState, Budget, Probe};
use crate::http::{Auth, Call};
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render, tables};
use crate::profile::Profile;
use crate::session::Session;
use crate::spec::Provider;
use crate::status_view::{StatusCommon, StatusDetails, StatusQuery, StatusReport, StatusView};
use crate::timefmt;

/// What only FluxA's status reports.
#[derive(Serialize, schemars::JsonSchema)]
struct FluxaDetails {
    agent: FluxaAgent,
    monthly: Monthly,
    balances: Vec<Balance>,
    mandates: Mandates,
    recent_transactions: Transactions,
}

#[derive(Serialize, schemars::JsonSchema)]
struct FluxaAgent {
    agent_id: String,
    wallet_agent_id: Option<Value>,
    name: Option<String>,
    authorized: Option<bool>,
    authorization_expiry: Option<String>,
    wallet_address: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
pub(crate) struct Monthly {
    unlimited: bool,
    limit: Option<Amount>,
    spent: Option<Amount>,
    pending: Option<Amount>,
    remaining: Option<Amount>,
    last_reset: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Balance {
    currency: String,
    network: Option<String>,
    address: Option<String>,
    available: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    balance: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frozen: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Mandates {
    open: Option<u64>,
    total: Option<u64>,
    items_truncated: bool,
    items: Vec<Mandate>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Mandate {
    id: Option<String>,
    status: Option<String>,
    enabled: Option<bool>,
    description: Option<String>,
    category: Option<String>,
    limit: Option<Amount>,
    spent: Option<Amount>,
    remaining: Option<Amount>,
    valid_from: Option<String>,
    valid_until: Option<String>,
    approval_url: Option<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Transactions {
    has_more: bool,
    items: Vec<Transaction>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Transaction {
    id: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<String>,
    status: Option<String>,
    amount: Option<Amount>,
    to_address: Option<String>,
    from_address: Option<String>,
    tx_hash: Option<String>,
    failure_reason: Option<String>,
    created_at: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn time(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(timefmt::normalize)
}

/// An amount from an atomic string (or number) field, in `decimals` of `currency`.
fn amount(v: &Value, key: &str, decimals: Option<u32>, currency: &str) -> Option<Amount> {
    let decimals = decimals?;
    let raw = v.get(key)?;
    let atomic = match raw {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    Amount::from_atomic_str(&atomic, decimals, currency).ok()
}

/// Decimals of a currency FluxA names: its own Monetize credits (by any of their spellings),
/// else the common ones.
fn currency_decimals(currency: &str) -> Option<u32> {
    const MONETIZE_CREDITS: &[&str] = &[
        "fluxa_monetize_credits",
        "fluxa-monetize-credits",
        "fluxa-monetize-credit",
    ];
    if MONETIZE_CREDITS
        .iter()
        .any(|c| c.eq_ignore_ascii_case(currency))
    {
        return Some(2);
    }
    crate::amount::decimals_for(currency)
}

fn decimals_of(v: &Value) -> Option<u32> {
    v.get("decimals").and_then(Value::as_u64).map(|d| d as u32)
}

fn fluxa_monthly(agent: &Value) -> Monthly {
    let monthly = agent.get("monthly").cloned().unwrap_or(Value::Null);
    let decimals = decimals_of(&monthly).or(Some(6));
    // A single counter across currencies, in 6-decimal USDC units (seeds/001).
    Monthly {
        unlimited: monthly
            .get("unlimited")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        limit: amount(&monthly, "limit", decimals, "USDC"),
        spent: amount(&monthly, "spent", decimals, "USDC"),
        pending: amount(&monthly, "pending", decimals, "USDC"),
        remaining: amount(&monthly, "remaining", decimals, "USDC"),
        last_reset: time(&monthly, "lastReset"),
    }
}

impl Monthly {
    pub(super) fn budget(&self) -> Budget {
        Budget {
            limit: self.limit.clone(),
            spent: self.spent.clone(),
            pending: self.pending.clone(),
            remaining: self.remaining.clone(),
            unlimited: self.unlimited,
            period: Some("month".to_owned()),
        }
    }

    pub(crate) fn render(&self, out: &mut Human) {
        let show = |a: &Option<Amount>| {
            a.as_ref()
                .map(Amount::human)
                .unwrap_or_else(|| "-".to_owned())
        };
        if self.unlimited {
            out.fields(&[
                ("limit", "unlimited".to_owned()),
                ("spent", show(&self.spent)),
            ]);
            return;
        }
        out.fields(&[
            ("remaining", show(&self.remaining)),
            ("limit", show(&self.limit)),
            ("spent", show(&self.spent)),
            ("pending", show(&self.pending)),
            ("last reset", tables::cell(self.last_reset.as_deref())),
        ]);
    }
}

pub(super) fn show(
    _ctx: &Ctx,
    session: &Session,
    query: &StatusQuery,
) -> Result<Box<dyn StatusReport>> {
    let body = wallet_status(session, query.network.as_deref(), query.tx_limit)?;
    let agent = body.get("agent").cloned().unwrap_or(Value::Null);
    let balances = balances(body.get("balances").unwrap_or(&Value::Null));
    let mandates = Mandates::from_api(body.get("mandates").unwrap_or(&Value::Null));
    let recent_transactions =
        Transactions::from_api(body.get("recentTransactions").unwrap_or(&Value::Null));

    let mut common = StatusCommon::new(
        &session.name,
        PROVIDER,
        session.profile.sandbox,
        &session.profile.agent_id,
        LocalFacts::read(session)?,
    );
    common.agent_status = Some(agent_state(&agent));
    common.budget = Some(fluxa_monthly(&agent).budget());
    let details = FluxaDetails {
        agent: FluxaAgent {
            agent_id: session.profile.agent_id.clone(),
            wallet_agent_id: agent.get("id").cloned(),
            name: text(&agent, "name").or_else(|| session.profile.agent_name.clone()),
            authorized: agent.get("isAuthorized").and_then(Value::as_bool),
            authorization_expiry: time(&agent, "authorizationExpiry"),
            wallet_address: text(&agent, "walletAddress"),
        },
        monthly: fluxa_monthly(&agent),
        balances,
        mandates,
        recent_transactions,
    };
    Ok(Box::new(StatusView { common, details }))
}

/// The wallet's balances, in the order FluxA's own tools show them.
fn balances(json: &Value) -> Vec<Balance> {
    let mut balances = Vec::new();
    for (key, currency) in [
        ("usdc", "USDC"),
        ("credits", "FLUXA_MONETIZE_CREDITS"),
        ("xrp", "XRP"),
    ] {
        let Some(b) = json.get(key) else {
            continue;
        };
        let decimals = decimals_of(b).or_else(|| currency_decimals(currency));
        balances.push(Balance {
            currency: currency.to_owned(),
            network: text(b, "network"),
            address: text(b, "address"),
            available: amount(b, "available", decimals, currency),
            balance: amount(b, "balance", decimals, currency),
            frozen: amount(b, "frozen", decimals, currency),
            error: b.get("error").map(|e| {
                e.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| e.to_string())
            }),
        });
    }
    balances
}

/// The currency of an item with a `currency` field (USDC when it has none) and its decimals.
fn currency_of(item: &Value) -> (String, Option<u32>) {
    let currency = text(item, "currency").unwrap_or_else(|| "USDC".to_owned());
    let decimals = decimals_of(item).or_else(|| currency_decimals(&currency));
    (currency, decimals)
}

impl Mandates {
    fn from_api(json: &Value) -> Mandates {
        let items = json
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Mandates {
            open: json.get("open").and_then(Value::as_u64),
            total: json.get("total").and_then(Value::as_u64),
            items_truncated: json
                .get("itemsTruncated")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            items: items
                .iter()
                .map(|m| {
                    let (currency, decimals) = currency_of(m);
                    Mandate {
                        id: text(m, "mandateId"),
                        status: text(m, "status"),
                        enabled: m.get("isEnabled").and_then(Value::as_bool),
                        description: text(m, "naturalLanguage"),
                        category: text(m, "category"),
                        limit: amount(m, "limitAmount", decimals, &currency),
                        spent: amount(m, "spentAmount", decimals, &currency),
                        remaining: amount(m, "remainingAmount", decimals, &currency),
                        valid_from: time(m, "validFrom"),
                        valid_until: time(m, "validUntil"),
                        approval_url: text(m, "approvalUrl"),
                    }
                })
                .collect(),
        }
    }

    fn render(&self, out: &mut Human) {
        out.heading(&format!(
            "Mandates ({} open of {})",
            tables::cell(self.open),
            tables::cell(self.total)
        ));
        if self.items.is_empty() {
            out.line("none");
            return;
        }
        let mut table = tables::new(
            out.styled,
            &[
                "id",
                "status",
                "remaining",
                "limit",
                "valid until",
                "description",
            ],
        );
        for m in &self.items {
            table.add_row(vec![
                tables::cell(m.id.as_deref()),
                tables::cell(m.status.as_deref()),
                tables::cell(m.remaining.as_ref().map(Amount::short)),
                tables::cell(m.limit.as_ref().map(Amount::short)),
                tables::cell(m.valid_until.as_deref()),
                tables::cell(m.description.as_deref()),
            ]);
        }
        out.table(table);
        for m in self.items.iter().filter(|m| m.approval_url.is_some()) {
            out.line(format!(
                "{} awaits the owner's signature: {}",
                m.id.as_deref().unwrap_or("a mandate"),
                m.approval_url.as_deref().unwrap_or_default()
            ));
        }
    }
}

impl Transactions {
    fn from_api(json: &Value) -> Transactions {
        let items = json
            .get("items")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        Transactions {
            has_more: json
                .get("hasMore")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            items: items
                .iter()
                .map(|t| {
                    let (currency, decimals) = currency_of(t);
                    Transaction {
                        id: t.get("id").cloned(),
                        kind: text(t, "type"),
                        status: text(t, "status"),
                        amount: amount(t, "amount", decimals, &currency),
                        to_address: text(t, "toAddress"),
                        from_address: text(t, "fromAddress"),
                        tx_hash: text(t, "txHash"),
                        failure_reason: text(t, "failureReason"),
                        created_at: time(t, "createdAt"),
                    }
                })
                .collect(),
        }
    }

    fn render(&self, out: &mut Human) {
        out.heading("Recent transactions");
        if self.items.is_empty() {
            out.line("none");
            return;
        }
        let mut table = tables::new(out.styled, &["when", "type", "status", "amount", "to"]);
        for t in &self.items {
            table.add_row(vec![
                tables::cell(t.created_at.as_deref()),
                tables::cell(t.kind.as_deref()),
                tables::cell(t.status.as_deref()),
                tables::cell(t.amount.as_ref().map(Amount::short)),
                tables::cell(t.to_address.as_deref()),
            ]);
        }
        out.table(table);
        if self.has_more {
            out.line("(more exist; see --tx-limit N, up to 100)");
        }
    }
}

/// The agent's state in the shape every service's status shares: an agent its owner has not
/// authorized may not spend.
fn agent_state(agent: &Value) -> AgentState {
    match agent.get("isAuthorized").and_then(Value::as_bool) {
        Some(false) => AgentState::NotAuthorized,
        _ => AgentState::Active,
    }
}

impl StatusDetails for FluxaDetails {
    fn human(&self, common: &StatusCommon, out: &mut Human) {
        let sandbox = if common.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Profile '{}': FluxA agent {}{sandbox}",
            common.profile, self.agent.agent_id
        ));
        let authorized = match self.agent.authorized {
            Some(true) => match &self.agent.authorization_expiry {
                Some(until) => format!("yes, until {until}"),
                None => "yes".to_owned(),
            },
            Some(false) => "no (ask the wallet owner to authorize the agent)".to_owned(),
            None => "-".to_owned(),
        };
        out.fields(&[
            ("name", tables::cell(self.agent.name.as_deref())),
            ("authorized", authorized),
            ("wallet", tables::cell(self.agent.wallet_address.as_deref())),
        ]);

        out.heading("Monthly headroom");
        self.monthly.render(out);

        out.heading("Balances");
        let mut table = tables::new(out.styled, &["currency", "network", "available", "address"]);
        for b in &self.balances {
            let available = match (&b.available, &b.error) {
                (_, Some(error)) => format!("unavailable: {error}"),
                (Some(a), None) => a.short(),
                (None, None) => "-".to_owned(),
            };
            table.add_row(vec![
                b.currency.clone(),
                tables::cell(b.network.as_deref()),
                available,
                tables::cell(b.address.as_deref()),
            ]);
        }
        out.table(table);

        self.mandates.render(out);
        self.recent_transactions.render(out);

        out.heading("Local credentials");
        common.local.render(out);
    }
}

/// `GET {wallet}/api/agent/self/status`, with the 401 refresh-and-retry of the session.
fn wallet_status(
    session: &Session,
    network: Option<&str>,
    tx_limit: Option<u32>,
) -> Result<serde_json::Value> {
    let url = format!("{}/api/agent/self/status", session.endpoint("wallet"));
    let reply = session.with_credential(|jwt| {
        let mut call = Call::get(&url).auth(Auth::Bearer(jwt.clone()));
        if let Some(network) = network {
            call = call.query("network", network);
        }
        if let Some(limit) = tx_limit {
            call = call.query("txLimit", limit.to_string());
        }
        session.http.send(SERVICE_ID, &call)
    })?;
    if !reply.is_success() {
        let err = client::error_from(&reply, "read the agent status");
        return Err(super::owner_must_approve(
            err,
            &session.name,
            &session.profile,
        ));
    }
    reply.decode(SERVICE_ID, "status")
}

#[derive(Serialize, schemars::JsonSchema)]
pub(super) struct FluxaLimits {
    profile: String,
    provider: Provider,
    monthly: Monthly,
}

impl Render for FluxaLimits {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Monthly spending limit of profile '{}' (FluxA):",
            self.profile
        ));
        self.monthly.render(out);
    }
}

/// `status --check`: the wallet status with one transaction, for the authorization and budget.
pub(super) fn probe(session: &Session) -> Result<Probe> {
    let body = wallet_status(session, None, Some(1))?;
    let agent = body.get("agent").cloned().unwrap_or_default();
    Ok(Probe {
        state: agent_state(&agent),
        budget: Some(fluxa_monthly(&agent).budget()),
    })
}

/// `limits show`: the monthly headroom from the wallet status.
pub(super) fn show_limits(ctx: &Ctx, name: String, profile: Profile) -> Result<FluxaLimits> {
    let session = ctx.session_for(name, profile)?;
    let body = wallet_status(&session, None, Some(1))?;
    let agent = body.get("agent").cloned().unwrap_or_default();
    Ok(FluxaLimits {
        profile: session.name.clone(),
        provider: PROVIDER,
        monthly: fluxa_monthly(&agent),
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("status", schema_of::<StatusView<FluxaDetails>>()),
        ("limits show", schema_of::<FluxaLimits>()),
    ]
}

#[cfg(test)]
mod tests {
    use super::currency_decimals;

    #[test]
    fn monetize_credits_have_two_decimals_in_every_spelling() {
        for name in [
            "FLUXA_MONETIZE_CREDITS",
            "fluxa-monetize-credits",
            "fluxa-monetize-credit",
        ] {
            assert_eq!(currency_decimals(name), Some(2), "{name}");
        }
        assert_eq!(currency_decimals("USDC"), Some(6));
        assert_eq!(currency_decimals("EUR"), None);
    }
}
