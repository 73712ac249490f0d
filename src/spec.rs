//! What a service is, as data: the one description every generic part of agentcred asks.
//!
//! Each service module (`services/<id>/`) declares one [`ServiceSpec`]: its id and name, its
//! endpoints and the variables that override them, the secrets a profile keeps and how long
//! each lives, how an agent's request is authenticated, how a short-lived credential is
//! minted from the long-lived one, and how its operator (organization) key is given. Generic
//! code (profiles, token, refresh, status --all, login) reads these fields and never asks
//! "which service is this?".
//!
//! The registry (`services::SERVICES`) installs the list of specs once at start-up
//! ([`install`]), so that a [`Provider`] read from the config file can point at its spec
//! without this module naming any service.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};
use crate::http::Http;
use crate::secret::Secret;

/// Base URLs by endpoint name (`agentid`, `wallet`, `api`, `idp`), without trailing slash.
pub type Endpoints = BTreeMap<String, String>;

/// One service, described once.
#[derive(Debug)]
pub struct ServiceSpec {
    /// The lowercase id used in config, JSON, account names and `register ID`.
    pub id: &'static str,
    /// The vendor's own spelling, for messages.
    pub display_name: &'static str,
    /// The base URLs a profile talks to.
    pub endpoints: &'static [EndpointSpec],
    /// The secrets a profile keeps, in the order status shows them.
    pub secrets: &'static [SecretSpec],
    /// The secret an agent sends as `Authorization: Bearer` on its own requests.
    pub agent_credential: &'static str,
    /// How a short-lived credential is made from the long-lived one, if the service has one.
    pub short_lived: Option<ShortLived>,
    /// How the organization's key is given, if the service has operator calls.
    pub operator: Option<OperatorScheme>,
    /// The variables the service's own tools read, set by `exec` besides the `AGENTCRED_*`
    /// ones (docs/cli-contract.md §10), so that those tools work unchanged in the child.
    pub tool_env: &'static [ToolEnv],
    /// The least validity the service's own tools accept in a credential they are handed
    /// (a tool that treats a JWT close to expiry as expired): `exec` raises `--min-valid` to
    /// it. Zero when no tool has such a rule.
    pub min_child_validity: Duration,
    /// The routes that issue, exchange or revoke credentials (register, token exchange, key
    /// and secret creation...): a child behind the gateway or a model behind MCP must not mint
    /// credentials of its own with the agent's, so both refuse these (403) unless a policy
    /// allows them. See [`ServiceSpec::issues_credentials`].
    pub credential_routes: &'static [CredentialRoute],
    /// The unit of the agent's budget, if the service keeps one: `status --check
    /// --min-remaining` is given in it and checked against it before any request.
    pub budget: Option<BudgetUnit>,
    /// Whether `status` shows a wallet, and so takes `--network` and `--tx-limit`.
    pub wallet_status: bool,
    /// What a profile's policy needs to know of the service: which requests move or reserve
    /// money and where their amount is, and how the operator key travels on a route a policy
    /// opens `as = "operator"`.
    pub boundary: Boundary,
}

/// The service as the profile's policy sees it (see [`crate::policy`]).
#[derive(Debug, Clone, Copy)]
pub struct Boundary {
    /// The currency of the spending caps, and its decimals (`USD`, 2; `USDC`, 6).
    pub currency: Option<(&'static str, u32)>,
    /// The requests that move or reserve money.
    pub money: &'static [MoneyRoute],
    /// The header an `ApiKey` operator key is sent in (`Api-Key`); a `Basic` key is
    /// sent as `Authorization: Basic`.
    pub operator_header: Option<&'static str>,
}

impl Boundary {
    /// A service where no request moves money.
    pub const NONE: Boundary = Boundary {
        currency: None,
        money: &[],
        operator_header: None,
    };
}

/// One kind of request that moves or reserves money, and where its amount is.
#[derive(Debug, Clone, Copy)]
pub struct MoneyRoute {
    /// `POST`, `PATCH`, ...
    pub method: &'static str,
    pub endpoint: &'static str,
    /// A path glob as in a policy rule (`*` one segment, `**` any number).
    pub path: &'static str,
    /// A JSON pointer to the atomic amount in the request body (a number or a digit string);
    /// `None` when the amount cannot be read from the request, which a spending cap then
    /// refuses.
    pub amount: Option<&'static str>,
    /// Whether a request without the amount still moves money with no bound (a card without
    /// `maxAmount`), and is refused under a cap; otherwise it is not a money request at all
    /// (an agent update that does not touch its spending limit).
    pub amount_required: bool,
    /// A JSON pointer to the request's currency, when the body names one: another currency
    /// than the caps' cannot be counted and is refused under a cap.
    pub currency_field: Option<&'static str>,
    /// What the request does, for messages.
    pub what: &'static str,
}

/// A route that issues, exchanges or revokes credentials: `method` on `path` under the
/// endpoint named `endpoint`. In `path`, a `*` segment stands for any one segment (an id).
#[derive(Debug, Clone, Copy)]
pub struct CredentialRoute {
    pub method: &'static str,
    pub endpoint: &'static str,
    pub path: &'static str,
}

/// The currency of a service's budget and its decimal places.
#[derive(Debug, Clone, Copy)]
pub struct BudgetUnit {
    pub currency: &'static str,
    pub decimals: u32,
}

impl ServiceSpec {
    /// The secret kinds a profile of this service keeps, in status order.
    pub fn secret_kinds(&self) -> impl Iterator<Item = &'static str> + use<> {
        let secrets: &'static [SecretSpec] = self.secrets;
        secrets.iter().map(|s| s.kind)
    }

    pub fn short_lived_kind(&self) -> Option<&'static str> {
        self.short_lived.as_ref().map(|s| s.kind)
    }

    pub fn secret(&self, kind: &str) -> Option<&'static SecretSpec> {
        let secrets: &'static [SecretSpec] = self.secrets;
        secrets.iter().find(|s| s.kind == kind)
    }

    /// Whether `method` on `path` (relative to the endpoint named `endpoint`, without the
    /// query) is one of [`ServiceSpec::credential_routes`]. Compared without regard to case or
    /// trailing slashes, since servers differ in both.
    pub fn issues_credentials(&self, method: &str, endpoint: &str, path: &str) -> bool {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.credential_routes.iter().any(|route| {
            let pattern: Vec<&str> = route.path.split('/').filter(|s| !s.is_empty()).collect();
            route.method.eq_ignore_ascii_case(method)
                && route.endpoint.eq_ignore_ascii_case(endpoint)
                && pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(want, got)| *want == "*" || want.eq_ignore_ascii_case(got))
        })
    }

    pub fn endpoint(&self, name: &str) -> Option<&'static EndpointSpec> {
        let endpoints: &'static [EndpointSpec] = self.endpoints;
        endpoints.iter().find(|e| e.name == name)
    }
}

/// One variable a service's own tool reads, and what `exec` puts in it.
#[derive(Debug, Clone, Copy)]
pub struct ToolEnv {
    pub var: &'static str,
    pub value: ToolValue,
}

/// What a [`ToolEnv`] variable holds. None of these is a long-lived secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolValue {
    /// The profile's agent id.
    AgentId,
    /// The agent's bearer credential (`exec`), or the gateway token (`exec --gateway`).
    Credential {
        /// The tool decodes the value as a JWT: under the gateway, the gateway token takes a
        /// JWT's shape (unsigned, far `exp`) so that the tool accepts it.
        jwt_shaped: bool,
    },
    /// The base URL of the named endpoint (the gateway's URL for it under the gateway).
    Endpoint(&'static str),
    /// A fixed, non-secret value, for a variable a tool insists on but should not hold a
    /// secret (a refresh token the child must never see).
    Placeholder(&'static str),
}

/// One base URL of a service.
#[derive(Debug, Clone, Copy)]
pub struct EndpointSpec {
    pub name: &'static str,
    /// The variable that overrides it at registration (`AGENTCRED_FLUXRA_URL`, ...); the
    /// sandbox publishes its URLs under the same names.
    pub env_var: &'static str,
    pub default_url: &'static str,
}

/// A secret a profile keeps, and how it behaves over time.
#[derive(Debug, Clone, Copy)]
pub struct SecretSpec {
    pub kind: &'static str,
    pub lifetime: Lifetime,
    /// Shown by the service only once: stored before anything is printed, rescued to a file
    /// if the store fails after the service answered.
    pub shown_once: bool,
    /// What to tell a user whose profile has lost it.
    pub when_missing: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lifetime {
    /// Kept until revoked or rotated; never handed to a child process.
    LongLived,
    /// Minted from a long-lived one and refreshed before it expires.
    ShortLived,
}

/// A short-lived credential and how to mint one.
#[derive(Debug)]
pub struct ShortLived {
    /// The secret kind it is stored under.
    pub kind: &'static str,
    /// Ask the service for a new one. Pure wire work: the caller holds the refresh lock and
    /// stores the result.
    pub mint: fn(&Minting<'_>) -> Result<Secret<String>>,
    /// Ask the service whether a stored credential that has not expired is still honoured
    /// (it may have been revoked): `Ok(false)` when the service says it is not. `None` for a
    /// service that cannot tell; then the credential's `exp` is trusted. Used where a
    /// credential is handed out without a request that would meet the 401 (`token`).
    pub still_active: Option<StillActive>,
}

/// See [`ShortLived::still_active`].
pub type StillActive = fn(&Minting<'_>, &Secret<String>) -> Result<bool>;

/// What a mint function may use: the agent, its endpoints and read access to its secrets.
pub struct Minting<'a> {
    pub http: &'a Http,
    pub profile_name: &'a str,
    pub agent_id: &'a str,
    /// The service's own profile record (see `profile::Record`).
    pub record: &'a toml::Table,
    pub endpoints: &'a Endpoints,
    pub secrets: &'a dyn SecretSource,
}

impl Minting<'_> {
    /// The base URL named `name`; the spec guarantees it exists for a resolved profile.
    pub fn endpoint(&self, name: &str) -> Result<&str> {
        self.endpoints.get(name).map(String::as_str).ok_or_else(|| {
            Error::internal(format!(
                "profile '{}' has no {name} endpoint",
                self.profile_name
            ))
        })
    }
}

/// Read access to a profile's stored secrets.
pub trait SecretSource {
    /// The secret of `kind`; its absence is an auth error explained with `how_to_fix`.
    fn require(&self, kind: &str, how_to_fix: &str) -> Result<Secret<String>>;
}

/// How a service's organization key is given and checked.
#[derive(Debug, Clone, Copy)]
pub enum OperatorScheme {
    /// HTTP Basic with a key id and a secret: two variables, or `id:secret` stored by `login`.
    Basic {
        id_env: &'static str,
        secret_env: &'static str,
        /// Every key id starts with this (`key_`).
        id_prefix: &'static str,
    },
    /// One key sent in a header: one variable, or the key stored by `login`.
    ApiKey {
        env: &'static str,
        /// Accepted prefixes, each with the label status shows (`lk_live_` → "live key").
        prefixes: &'static [(&'static str, &'static str)],
    },
}

impl OperatorScheme {
    /// The variables that carry the key, in the order a user sets them.
    pub fn env_vars(&self) -> Vec<&'static str> {
        match *self {
            OperatorScheme::Basic {
                id_env, secret_env, ..
            } => vec![id_env, secret_env],
            OperatorScheme::ApiKey { env, .. } => vec![env],
        }
    }
}

static REGISTRY: OnceLock<Vec<&'static ServiceSpec>> = OnceLock::new();

/// Make the services known to [`Provider`] lookups; the registry calls this once at start-up
/// (later calls are no-ops: the list is fixed for the life of the process).
pub fn install(specs: impl IntoIterator<Item = &'static ServiceSpec>) {
    let _ = REGISTRY.set(specs.into_iter().collect());
}

/// Every installed service, in registry order.
pub fn all() -> impl Iterator<Item = Provider> {
    REGISTRY
        .get()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|spec| Provider(spec))
}

/// A profile's service: a handle on its [`ServiceSpec`], written as the id in config and JSON.
#[derive(Clone, Copy)]
pub struct Provider(&'static ServiceSpec);

impl Provider {
    pub const fn of(spec: &'static ServiceSpec) -> Provider {
        Provider(spec)
    }

    pub fn find(id: &str) -> Option<Provider> {
        all().find(|p| p.id() == id)
    }

    pub fn spec(self) -> &'static ServiceSpec {
        self.0
    }

    pub fn id(self) -> &'static str {
        self.0.id
    }

    pub fn display_name(self) -> &'static str {
        self.0.display_name
    }
}

impl PartialEq for Provider {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for Provider {}

impl PartialOrd for Provider {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Provider {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.id().cmp(other.id())
    }
}

impl fmt::Debug for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl Serialize for Provider {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl schemars::JsonSchema for Provider {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Provider".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let ids: Vec<&str> = all().map(Provider::id).collect();
        schemars::json_schema!({
            "type": "string",
            "description": "The service's id",
            "enum": ids,
        })
    }
}

impl<'de> Deserialize<'de> for Provider {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Provider::find(&id).ok_or_else(|| {
            let known: Vec<&str> = all().map(Provider::id).collect();
            serde::de::Error::custom(format!(
                "unknown provider '{id}' (this agentcred knows {})",
                known.join(", ")
            ))
        })
    }
}
