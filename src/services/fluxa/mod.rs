//! FluxA: agent ID (register, refresh) and an agent wallet (status, budget, mandates).
//!
//! A profile keeps the long-lived refresh token FluxA shows once at registration and a
//! 15-minute login JWT minted from it; the wallet takes the JWT as `Bearer`. FluxA has no
//! operator key. Its monthly headroom is its spending limit (`limits show`; it cannot be set
//! from here).

pub mod args;
pub mod client;
pub mod incident;
pub mod register;
pub mod status;

use std::time::Duration;

use crate::context::Ctx;
use crate::error::{Code, Error, Result};
use crate::health::Probe;
use crate::profile::Profile;
use crate::secret::Secret;
use crate::service::{Limits, Service};
use crate::session::Session;
use crate::spec::{
    CredentialRoute, EndpointSpec, Lifetime, Minting, Provider, SecretSpec, ServiceSpec,
    ShortLived, ToolEnv, ToolValue,
};
use crate::status_view::{StatusQuery, StatusReport};
use crate::view::View;

pub const SPEC: ServiceSpec = ServiceSpec {
    id: "fluxa",
    display_name: "FluxA",
    endpoints: &[
        EndpointSpec {
            name: "agentid",
            env_var: "AGENTCRED_FLUXA_AGENTID_URL",
            default_url: "https://agentid.fluxapay.xyz",
        },
        EndpointSpec {
            name: "wallet",
            env_var: "AGENTCRED_FLUXA_WALLET_URL",
            default_url: "https://walletapi.fluxapay.xyz",
        },
    ],
    secrets: &[
        SecretSpec {
            kind: "token",
            lifetime: Lifetime::LongLived,
            shown_once: true,
            when_missing: "the refresh token is missing from the store; register a new profile with `agentcred register fluxa`",
        },
        SecretSpec {
            kind: "jwt",
            lifetime: Lifetime::ShortLived,
            shown_once: false,
            when_missing: "run `agentcred refresh`",
        },
    ],
    agent_credential: "jwt",
    short_lived: Some(ShortLived {
        kind: "jwt",
        mint,
        still_active: None,
    }),
    operator: None,
    tool_env: &[
        ToolEnv {
            var: "AGENT_ID",
            value: ToolValue::AgentId,
        },
        ToolEnv {
            var: "AGENT_JWT",
            value: ToolValue::Credential { jwt_shaped: true },
        },
        // The wallet CLI takes its identity from the environment only when AGENT_ID,
        // AGENT_TOKEN and AGENT_JWT are all set; the refresh token itself never goes to a child.
        ToolEnv {
            var: "AGENT_TOKEN",
            value: ToolValue::Placeholder("agentcred-exec-no-refresh-token"),
        },
        ToolEnv {
            var: "AGENT_ID_API",
            value: ToolValue::Endpoint("agentid"),
        },
        ToolEnv {
            var: "WALLET_API",
            value: ToolValue::Endpoint("wallet"),
        },
    ],
    // The wallet CLI treats a JWT with less than 5 minutes left as expired.
    min_child_validity: Duration::from_secs(5 * 60),
    boundary: crate::spec::Boundary {
        currency: Some(("USDC", 6)),
        money: &[
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "wallet",
                path: "/api/payouts",
                amount: Some("/amount"),
                amount_required: true,
                currency_field: Some("/currency"),
                what: "a payout (amount, atomic USDC)",
            },
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "wallet",
                path: "/api/payment/x402V1Payment",
                amount: Some("/amount"),
                amount_required: true,
                currency_field: Some("/currency"),
                what: "an x402 payment (amount, atomic USDC)",
            },
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "wallet",
                path: "/api/payment/x402V3Payment",
                amount: Some("/amount"),
                amount_required: true,
                currency_field: Some("/currency"),
                what: "an x402 payment under a mandate (amount, atomic USDC)",
            },
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "wallet",
                path: "/api/v2/payment/x402-payment",
                amount: None,
                amount_required: true,
                currency_field: None,
                what: "an x402 payment whose amount is inside an encoded payment request",
            },
            crate::spec::MoneyRoute {
                method: "POST",
                endpoint: "wallet",
                path: "/api/mandates/create-intent",
                amount: Some("/intent/limitAmount"),
                amount_required: true,
                currency_field: Some("/intent/currency"),
                what: "a spending mandate (intent.limitAmount, atomic USDC)",
            },
        ],
        operator_header: None,
    },
    credential_routes: &[
        CredentialRoute {
            method: "POST",
            endpoint: "agentid",
            path: "/register",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "agentid",
            path: "/refresh",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "agentid",
            path: "/agent/vc/issue",
        },
    ],
    budget: Some(crate::spec::BudgetUnit {
        currency: "USDC",
        decimals: 6,
    }),
    wallet_status: true,
};

pub const PROVIDER: Provider = Provider::of(&SPEC);

/// A JWT from the stored refresh token.
fn mint(m: &Minting<'_>) -> Result<Secret<String>> {
    let token = m.secrets.require("token", SPEC.secrets[0].when_missing)?;
    client::refresh(m.http, m.endpoint("agentid")?, m.agent_id, &token)
}

/// An error from a wallet call, completed when it is `not_authorized_by_owner`: it always
/// carries an authorization URL (the service's, else the one FluxA's own client builds), and
/// for a sandbox profile it names `agentcred sandbox approve`, since the in-process sandbox's
/// page is gone when the command exits.
pub(crate) fn owner_must_approve(err: Error, name: &str, profile: &Profile) -> Error {
    if err.code() != Code::NotAuthorizedByOwner {
        return err;
    }
    let url = err
        .authorization_url()
        .map(str::to_owned)
        .unwrap_or_else(|| {
            client::authorization_url(&profile.agent_id, profile.agent_name.as_deref())
        });
    let hint = if profile.sandbox {
        format!(
            "the agent's owner has not approved it yet; play the owner with `agentcred sandbox approve --profile {name}`"
        )
    } else {
        format!("the agent's owner has not approved it yet; ask them to open {url} and approve it")
    };
    err.with_authorization_url(url).with_hint(hint)
}

pub struct Fluxa;
pub static FLUXA: Fluxa = Fluxa;

impl Service for Fluxa {
    fn incident(&self) -> Option<&dyn crate::service::Incident> {
        Some(&incident::FluxaIncident)
    }

    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    fn outputs(&self) -> Vec<crate::output::Output> {
        [register::outputs(), status::outputs()].concat()
    }

    fn status(
        &self,
        ctx: &Ctx,
        session: &Session,
        query: &StatusQuery,
    ) -> Result<Box<dyn StatusReport>> {
        status::show(ctx, session, query)
    }

    fn probe(&self, _ctx: &Ctx, session: &Session) -> Result<Probe> {
        status::probe(session)
    }

    fn limits(&self) -> Option<&dyn Limits> {
        Some(&MonthlyLimit)
    }
}

/// The monthly headroom from the wallet status, read-only.
struct MonthlyLimit;

impl Limits for MonthlyLimit {
    fn show(&self, ctx: &Ctx, name: String, profile: Profile) -> Result<Box<dyn View>> {
        Ok(Box::new(status::show_limits(ctx, name, profile)?))
    }
}
