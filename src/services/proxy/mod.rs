//! Proxy (Ledger API): user-funded agents registered by an operator with the org key, each
//! with long-lived agent tokens, cards and a spending limit.
//!
//! A profile keeps the agent token (`at_…`, shown once), which the agent sends as `Bearer`;
//! it does not expire, so there is nothing to refresh. The org key is one `Api-Key`. Its own
//! nouns are `tokens` and `cards`; it has spending limits (show and set) and a lifecycle.

pub mod agent;
pub mod args;
pub mod cards;
pub mod client;
pub mod incident;
pub mod limits;
pub mod register;
pub mod status;
pub mod support;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::Result;
use crate::health::Probe;
use crate::profile::{Profile, Record};
use crate::service::{AgentAction, Lifecycle, Limits, LimitsChange, Service};
use crate::session::Session;
use crate::spec::{
    CredentialRoute, EndpointSpec, Lifetime, OperatorScheme, Provider, SecretSpec, ServiceSpec,
};
use crate::status_view::{StatusQuery, StatusReport};
use crate::view::View;

pub const SPEC: ServiceSpec = ServiceSpec {
    id: "proxy",
    display_name: "Proxy",
    endpoints: &[EndpointSpec {
        name: "api",
        env_var: "AGENTCRED_PROXY_URL",
        default_url: "https://api.useproxy.ai",
    }],
    secrets: &[SecretSpec {
        kind: "token",
        lifetime: Lifetime::LongLived,
        shown_once: true,
        when_missing: "the agent token is missing; create one with `agentcred tokens create --use`",
    }],
    agent_credential: "token",
    short_lived: None,
    operator: Some(OperatorScheme::ApiKey {
        env: "PROXY_API_KEY",
        prefixes: &[
            ("lk_live_", "live"),
            ("lk_dev_", "dev"),
            ("lk_test_", "dev"),
        ],
    }),
    tool_env: &[],
    min_child_validity: std::time::Duration::ZERO,
    boundary: crate::spec::Boundary {
        currency: Some(("USD", 2)),
        money: &[
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "api",
                path: "/v1/agents/*/cards",
                amount: Some("/maxAmount"),
                amount_required: true,
                currency_field: None,
                what: "card creation (maxAmount, in cents)",
            },
            crate::spec::MoneyRoute {
                method: "PATCH",
                endpoint: "api",
                path: "/v1/agents/*",
                amount: Some("/spendingLimit"),
                amount_required: false,
                currency_field: None,
                what: "a spending-limit change (spendingLimit, in cents)",
            },
        ],
        operator_header: Some("Api-Key"),
    },
    credential_routes: &[
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/v1/agents/register",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/v1/agents/*/tokens",
        },
        CredentialRoute {
            method: "DELETE",
            endpoint: "api",
            path: "/v1/agents/*/tokens/*",
        },
    ],
    budget: Some(crate::spec::BudgetUnit {
        currency: "USD",
        decimals: 2,
    }),
    wallet_status: false,
};

pub const PROVIDER: Provider = Provider::of(&SPEC);

/// What a Proxy profile records besides its secrets.
#[derive(Debug, Default, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProxyRecord {
    /// The operator's id for the agent; registering it again is idempotent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// The stored token's id and prefix (`at_dev_` + 8), to find it in `tokens list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_prefix: Option<String>,
    /// When the agent was deregistered (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deregistered_at: Option<String>,
}

impl Record for ProxyRecord {}

pub struct Proxy;
pub static PROXY: Proxy = Proxy;

impl Service for Proxy {
    fn incident(&self) -> Option<&dyn crate::service::Incident> {
        Some(&incident::ProxyIncident)
    }

    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    fn outputs(&self) -> Vec<crate::output::Output> {
        [
            register::outputs(),
            status::outputs(),
            tokens::outputs(),
            cards::outputs(),
            agent::outputs(),
            limits::outputs(),
        ]
        .concat()
    }

    fn status(
        &self,
        ctx: &Ctx,
        session: &Session,
        query: &StatusQuery,
    ) -> Result<Box<dyn StatusReport>> {
        status::show(ctx, session, query)
    }

    fn check_operator_key(
        &self,
        http: &crate::http::Http,
        endpoints: &crate::profile::Endpoints,
        key: &crate::operator::OperatorKey,
    ) -> Result<()> {
        let secret = match key {
            crate::operator::OperatorKey::ApiKey(secret) => secret.clone(),
            crate::operator::OperatorKey::Basic { secret, .. } => secret.clone(),
        };
        let api = endpoints.get("api").map(String::as_str).unwrap_or_default();
        client::Client::new(http, api, client::Credential::Operator(secret)).check_key()
    }

    fn probe(&self, _ctx: &Ctx, session: &Session) -> Result<Probe> {
        status::probe(session)
    }

    fn check_agent_usable(&self, session: &Session) -> Result<()> {
        support::refuse_if_deregistered(session)?;
        support::refuse_if_suspended(session)
    }

    fn limits(&self) -> Option<&dyn Limits> {
        Some(self)
    }

    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }
}

impl Limits for Proxy {
    fn show(&self, ctx: &Ctx, name: String, profile: Profile) -> Result<Box<dyn View>> {
        Ok(Box::new(limits::show(ctx, name, profile)?))
    }

    fn settable(&self) -> bool {
        true
    }

    fn set(
        &self,
        ctx: &Ctx,
        name: String,
        profile: Profile,
        change: LimitsChange,
    ) -> Result<Box<dyn View>> {
        Ok(Box::new(limits::set(ctx, name, profile, change)?))
    }
}

impl Lifecycle for Proxy {
    fn actions(&self) -> &'static [&'static str] {
        &["show", "suspend", "activate", "deregister"]
    }

    fn instead(&self, action: &str) -> Option<&'static str> {
        matches!(action, "block" | "delete").then_some(
            "a Proxy agent is deregistered: use `agentcred agent deregister` (or `agent suspend` to stop it for now)",
        )
    }

    fn run(
        &self,
        ctx: &Ctx,
        name: String,
        profile: Profile,
        action: AgentAction,
    ) -> Result<Box<dyn View>> {
        Ok(Box::new(agent::run(ctx, name, profile, action)?))
    }
}
