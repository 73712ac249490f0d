//! AuthPI: agents created by an operator with the org key, each proving itself with a secret
//! (or wallet) verifier and exchanging its client secret for 5-minute access tokens.
//!
//! A profile keeps the client secret (shown once when its verifier is added) and an access
//! token minted from it at the IdP (client-credentials grant). The org key is Basic
//! `key_id:key_secret`. Its own noun is `verifiers`; it has an agent lifecycle.
//!
//! This module holds what the AuthPI commands share: the org key, the Core API client of a
//! profile, and the agent and verifier views.

pub mod agent;
pub mod args;
pub mod client;
pub mod incident;
pub mod register;
pub mod status;
pub mod verifiers;

use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::health::{AgentState, Probe};
use crate::operator::{self, OperatorKey};
use crate::output::{Human, tables};
use crate::profile::{Profile, Record};
use crate::secret::Secret;
use crate::service::{AgentAction, Lifecycle, Service};
use crate::session::Session;
use crate::spec::{
    CredentialRoute, EndpointSpec, Lifetime, Minting, OperatorScheme, Provider, SecretSpec,
    ServiceSpec, ShortLived,
};
use crate::status_view::{StatusQuery, StatusReport};
use crate::timefmt;
use crate::view::View;
use client::{Agent, Core, OrgKey, Verifier};

pub const SPEC: ServiceSpec = ServiceSpec {
    id: "authpi",
    display_name: "AuthPI",
    endpoints: &[
        EndpointSpec {
            name: "api",
            env_var: "AGENTCRED_AUTHPI_URL",
            default_url: "https://api.authpi.com",
        },
        EndpointSpec {
            name: "idp",
            env_var: "AGENTCRED_AUTHPI_IDP_URL",
            default_url: "https://idp.authpi.com",
        },
    ],
    secrets: &[
        SecretSpec {
            kind: "client_secret",
            lifetime: Lifetime::LongLived,
            shown_once: true,
            when_missing: "the profile has no client secret (registered with --no-secret, or its verifier was removed); \
                 add one with `agentcred verifiers add secret --use` (needs the AuthPI org key)",
        },
        SecretSpec {
            kind: "access_token",
            lifetime: Lifetime::ShortLived,
            shown_once: false,
            when_missing: "run `agentcred refresh`",
        },
    ],
    agent_credential: "access_token",
    short_lived: Some(ShortLived {
        kind: "access_token",
        mint,
        still_active: Some(still_active),
    }),
    operator: Some(OperatorScheme::Basic {
        id_env: "AUTHPI_KEY_ID",
        secret_env: "AUTHPI_KEY_SECRET",
        id_prefix: "key_",
    }),
    tool_env: &[],
    min_child_validity: std::time::Duration::ZERO,
    boundary: crate::spec::Boundary::NONE,
    credential_routes: &[
        CredentialRoute {
            method: "POST",
            endpoint: "idp",
            path: "/*/token",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "idp",
            path: "/*/introspect",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "idp",
            path: "/*/revoke",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/v1/accounts/*/issuers/*/agents",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/v1/accounts/*/issuers/*/agents/*/verifiers",
        },
        CredentialRoute {
            method: "DELETE",
            endpoint: "api",
            path: "/v1/accounts/*/issuers/*/agents/*/verifiers/*",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/v1/accounts/*/issuers/*/tokens/introspect",
        },
    ],
    budget: None,
    wallet_status: false,
};

pub const PROVIDER: Provider = Provider::of(&SPEC);

/// What an AuthPI profile records besides its secrets.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AuthpiRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_id: Option<String>,
    /// The secret verifier whose secret is the profile's `client_secret`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_verifier_id: Option<String>,
    /// When `agentcred agent delete` deleted the agent (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}

impl Record for AuthpiRecord {}

/// An access token from the stored client secret (client-credentials grant at the IdP).
fn mint(m: &Minting<'_>) -> Result<Secret<String>> {
    let record = AuthpiRecord::read(m.record)?;
    if let Some(when) = &record.deleted_at {
        return Err(client::deleted_error(m.profile_name, m.agent_id, when));
    }
    let issuer = record.issuer_id.as_deref().ok_or_else(|| {
        Error::internal(format!(
            "profile '{}' records no AuthPI issuer id",
            m.profile_name
        ))
        .with_provider(client::PROVIDER)
        .with_hint("register the agent again under a new profile with `agentcred register authpi`")
    })?;
    let secret = m
        .secrets
        .require("client_secret", SPEC.secrets[0].when_missing)?;
    client::token(m.http, m.endpoint("idp")?, issuer, m.agent_id, &secret)
}

/// RFC 7662 introspection at the IdP with the agent's own client credentials: a revoked
/// access token is inactive although its `exp` is ahead. An IdP without the route (or any
/// other failure to get an answer) says nothing, and the token is kept.
fn still_active(m: &Minting<'_>, token: &Secret<String>) -> Result<bool> {
    let record = AuthpiRecord::read(m.record)?;
    let Some(issuer) = record.issuer_id.as_deref() else {
        return Ok(true);
    };
    let secret = m
        .secrets
        .require("client_secret", SPEC.secrets[0].when_missing)?;
    Ok(client::introspect(
        m.http,
        m.endpoint("idp")?,
        issuer,
        m.agent_id,
        &secret,
        token,
    )
    .ok()
    .flatten()
    .is_none_or(|i| i.active))
}

pub struct Authpi;
pub static AUTHPI: Authpi = Authpi;

impl Service for Authpi {
    fn incident(&self) -> Option<&dyn crate::service::Incident> {
        Some(&incident::AuthpiIncident)
    }

    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    fn outputs(&self) -> Vec<crate::output::Output> {
        [
            register::outputs(),
            status::outputs(),
            verifiers::outputs(),
            agent::outputs(),
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

    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        Some(self)
    }

    fn check_operator_key(
        &self,
        http: &crate::http::Http,
        endpoints: &crate::profile::Endpoints,
        key: &OperatorKey,
    ) -> Result<()> {
        let api = endpoints.get("api").map(String::as_str).unwrap_or_default();
        client::check_org_key(http, api, &org_key_of_key(key))
    }

    fn probe(&self, ctx: &Ctx, session: &Session) -> Result<Probe> {
        ensure_agent_exists(&session.name, &session.profile)?;
        // The IdP refuses tokens to a suspended or blocked agent, which the credential check
        // before this already met; with the org key, the agent's own status says more.
        let state = match core_if_key(ctx, session)? {
            Some(core) => agent_state(
                core.get_agent(&session.profile.agent_id)?
                    .value
                    .status
                    .as_deref(),
            ),
            None => AgentState::Active,
        };
        Ok(Probe {
            state,
            budget: None,
        })
    }
}

impl Lifecycle for Authpi {
    fn actions(&self) -> &'static [&'static str] {
        &["show", "suspend", "activate", "block", "delete"]
    }

    fn instead(&self, action: &str) -> Option<&'static str> {
        (action == "deregister").then_some(
            "an AuthPI agent is deleted: use `agentcred agent delete` (or `agent suspend --reason TEXT` to stop it for now)",
        )
    }

    fn run(
        &self,
        ctx: &Ctx,
        name: String,
        profile: Profile,
        action: AgentAction,
    ) -> Result<Box<dyn View>> {
        agent::run(ctx, name, profile, action)
    }
}

/// The operator's org key: `AUTHPI_KEY_ID` + `AUTHPI_KEY_SECRET`, else the stored one; for a
/// sandbox profile with neither, the sandbox's documented demo key (said on stderr). A real
/// profile never falls back.
pub fn org_key(ctx: &Ctx, sandbox: bool) -> Result<OrgKey> {
    operator::key(ctx, PROVIDER, sandbox)
}

impl operator::FromOperator for OrgKey {
    fn from_operator(found: operator::Operator) -> OrgKey {
        org_key_of_key(&found.key)
    }
}

fn org_key_of_key(key: &OperatorKey) -> OrgKey {
    let (key_id, secret) = key.clone().into_basic();
    OrgKey { key_id, secret }
}

/// The Core API for the session's profile (its account and issuer, the org key).
pub fn core<'a>(ctx: &Ctx, session: &Session<'a>) -> Result<Core<'a>> {
    let key = org_key(ctx, session.profile.sandbox)?;
    core_with(session, key)
}

/// [`core`], or `None` when no org key is configured.
pub fn core_if_key<'a>(ctx: &Ctx, session: &Session<'a>) -> Result<Option<Core<'a>>> {
    match operator::key_if_any(ctx, PROVIDER, session.profile.sandbox)? {
        Some(key) => core_with(session, key).map(Some),
        None => Ok(None),
    }
}

fn core_with<'a>(session: &Session<'a>, key: OrgKey) -> Result<Core<'a>> {
    let record: AuthpiRecord = session.profile.record()?;
    let missing = |what: &str| {
        Error::internal(format!(
            "profile '{}' records no AuthPI {what}",
            session.name
        ))
        .with_provider(client::PROVIDER)
        .with_hint("register the agent again under a new profile with `agentcred register authpi`")
    };
    let account = record
        .account_id
        .as_deref()
        .ok_or_else(|| missing("account id"))?;
    let issuer = record
        .issuer_id
        .as_deref()
        .ok_or_else(|| missing("issuer id"))?;
    Ok(Core::new(
        session.http,
        session.endpoint("api"),
        account,
        issuer,
        key,
    ))
}

/// The agent's state in the shape every service's status shares, from AuthPI's status word.
pub(crate) fn agent_state(status: Option<&str>) -> AgentState {
    match status {
        Some("suspended") => AgentState::Suspended,
        Some("blocked") => AgentState::Blocked,
        _ => AgentState::Active,
    }
}

/// Refuse to act for a profile whose agent `agentcred agent delete` deleted (exit 3).
pub fn ensure_agent_exists(name: &str, profile: &Profile) -> Result<()> {
    match profile.record::<AuthpiRecord>()?.deleted_at {
        Some(when) => Err(client::deleted_error(name, &profile.agent_id, &when)),
        None => Ok(()),
    }
}

/// An agent as the operator sees it.
#[derive(Serialize, schemars::JsonSchema)]
pub struct AgentView {
    pub id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub status_reason: Option<String>,
    pub status_at: Option<String>,
    pub description: Option<String>,
    pub model: Option<String>,
    pub provider: Option<String>,
    pub version: Option<String>,
    pub scopes: Vec<String>,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl AgentView {
    pub fn new(agent: &Agent) -> AgentView {
        AgentView {
            id: agent.id.clone(),
            name: agent.name.clone(),
            status: agent.status.clone(),
            status_reason: agent.status_reason.clone(),
            status_at: agent.status_at.map(timefmt::from_unix_millis),
            description: agent.description.clone(),
            model: agent.model.clone(),
            provider: agent.provider.clone(),
            version: agent.version.clone(),
            scopes: agent.scopes.clone(),
            metadata: agent.metadata.clone().unwrap_or_default(),
            created_at: agent.created_at.map(timefmt::from_unix_millis),
            updated_at: agent.updated_at.map(timefmt::from_unix_millis),
        }
    }

    /// The agent's fields, then `extra` rows, aligned as one block.
    pub fn render(&self, out: &mut Human, extra: &[(&str, String)]) {
        let status = match (&self.status, &self.status_reason) {
            (Some(s), Some(r)) if s != "active" => format!(
                "{s} — \"{r}\"{}",
                self.status_at
                    .as_deref()
                    .map(|t| format!(" (since {t})"))
                    .unwrap_or_default()
            ),
            (Some(s), _) => s.clone(),
            (None, _) => "-".into(),
        };
        let metadata: Vec<String> = self
            .metadata
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect();
        let text = |v: &Option<String>| tables::cell(v.as_deref());
        let mut rows = vec![
            ("agent", self.id.clone()),
            ("name", text(&self.name)),
            ("status", status),
            ("model", text(&self.model)),
            ("provider", text(&self.provider)),
            ("version", text(&self.version)),
            ("description", text(&self.description)),
            (
                "scopes",
                if self.scopes.is_empty() {
                    "-".into()
                } else {
                    self.scopes.join(" ")
                },
            ),
            (
                "metadata",
                if metadata.is_empty() {
                    "-".into()
                } else {
                    metadata.join(", ")
                },
            ),
            ("created", text(&self.created_at)),
            ("updated", text(&self.updated_at)),
        ];
        rows.extend(extra.iter().cloned());
        out.fields(&rows);
    }
}

/// One verifier as listed: never a secret.
#[derive(Serialize, schemars::JsonSchema)]
pub struct VerifierRow {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub usage_count: Option<u64>,
    pub last_used_at: Option<String>,
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Its secret is the profile's `client_secret`.
    pub in_use: bool,
}

impl VerifierRow {
    pub fn new(v: &Verifier, in_use: bool) -> VerifierRow {
        let wallet = v.wallet();
        VerifierRow {
            id: v.id.clone(),
            kind: v.kind.clone(),
            name: v.name.clone(),
            status: v.status.clone(),
            usage_count: v.usage_count,
            last_used_at: v.last_used_at.map(timefmt::from_unix_millis),
            created_at: v.created_at.map(timefmt::from_unix_millis),
            network: wallet.as_ref().map(|(n, _)| n.clone()),
            address: wallet.map(|(_, a)| a),
            in_use,
        }
    }
}

pub fn rows(verifiers: &[Verifier], profile: &Profile) -> Vec<VerifierRow> {
    let used = profile
        .record::<AuthpiRecord>()
        .ok()
        .and_then(|r| r.secret_verifier_id);
    let used = used.as_ref();
    verifiers
        .iter()
        .map(|v| VerifierRow::new(v, used == Some(&v.id)))
        .collect()
}

pub fn render_verifiers(out: &mut Human, rows: &[VerifierRow], profile: &str) {
    let mut table = tables::new(
        out.styled,
        &[
            "id",
            "type",
            "name",
            "status",
            "uses",
            "last used",
            "created",
            "wallet",
        ],
    );
    for row in rows {
        let id = if row.in_use {
            format!("{} *", row.id)
        } else {
            row.id.clone()
        };
        let wallet = match (&row.network, &row.address) {
            (Some(n), Some(a)) => format!("{a} on {n}"),
            _ => "-".into(),
        };
        table.add_row(vec![
            id,
            row.kind.clone(),
            tables::cell(row.name.as_deref()),
            tables::cell(row.status.as_deref()),
            tables::cell(row.usage_count),
            tables::cell(row.last_used_at.as_deref()),
            tables::cell(row.created_at.as_deref()),
            wallet,
        ]);
    }
    out.table(table);
    if rows.iter().any(|r| r.in_use) {
        out.line(format!(
            "* its secret is the client secret of profile '{profile}'"
        ));
    }
}
