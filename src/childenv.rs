//! The environment `agentcred exec` gives its child (docs/cli-contract.md §10), built from the service's
//! [`ServiceSpec`] alone.
//!
//! - `AGENTCRED_PROFILE`, `AGENTCRED_PROVIDER`, and `AGENTCRED_BASE_URL_<NAME>` for each of
//!   the profile's endpoints (`<NAME>` upper-cased).
//! - Directly: `AGENTCRED_TOKEN` (the agent's bearer credential) and
//!   `AGENTCRED_TOKEN_EXPIRES_AT` (RFC 3339, when it expires at all). Under the gateway:
//!   `AGENTCRED_GATEWAY_TOKEN` instead, the base URLs point at the gateway, and neither
//!   `AGENTCRED_TOKEN` variable is set.
//! - The variables the service's own tools read ([`ServiceSpec::tool_env`]).
//! - The only credential value that can enter is the agent's bearer credential (or the gateway
//!   token): short-lived where the service has short-lived credentials; for a service whose
//!   bearer credential is itself long-lived (an agent token that never expires) that token, unless
//!   `--gateway` keeps it out. Refresh tokens, API keys and client secrets never enter. Operator-key variables of every service
//!   ([`crate::spec::OperatorScheme::env_vars`]) are removed, as are inherited
//!   `AGENTCRED_BASE_URL_*`, `AGENTCRED_TOKEN*` and `AGENTCRED_GATEWAY_TOKEN` variables, so a
//!   same-name variable from outside is replaced, never merged.
//! - [`NESTED_VAR`] lists the profiles whose `exec` this process runs inside, so that a
//!   nested `exec` of the same profile is refused.

use std::collections::BTreeMap;
use std::ffi::OsString;

use crate::profile::Endpoints;
use crate::secret::Secret;
use crate::spec::{self, ServiceSpec, ToolValue};

/// Profiles whose `exec` the current process runs inside, `:`-separated (a character profile
/// names cannot contain).
pub const NESTED_VAR: &str = "AGENTCRED_EXEC_PROFILES";
pub const PROFILE_VAR: &str = "AGENTCRED_PROFILE";
pub const PROVIDER_VAR: &str = "AGENTCRED_PROVIDER";
pub const TOKEN_VAR: &str = "AGENTCRED_TOKEN";
pub const EXPIRES_VAR: &str = "AGENTCRED_TOKEN_EXPIRES_AT";
pub const GATEWAY_TOKEN_VAR: &str = "AGENTCRED_GATEWAY_TOKEN";
pub const BASE_URL_PREFIX: &str = "AGENTCRED_BASE_URL_";

/// What the child authenticates with.
pub enum Credential<'a> {
    /// The agent's bearer credential itself; `expires_at` in unix seconds when it expires.
    Direct {
        token: &'a Secret<String>,
        expires_at: Option<i64>,
    },
    /// Only the gateway: its token, and its URL for each endpoint name.
    Gateway {
        token: &'a str,
        urls: &'a BTreeMap<String, String>,
    },
}

/// Variables to set and to remove, applied to an inherited environment.
pub struct ChildEnv {
    set: Vec<(String, Secret<String>)>,
    remove: Vec<OsString>,
}

impl ChildEnv {
    /// The names set, in order (values stay hidden).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.set.iter().map(|(name, _)| name.as_str())
    }

    /// Every variable set, values included, for `agentcred gateway`'s own output.
    pub fn exposed(&self) -> BTreeMap<String, String> {
        self.set
            .iter()
            .map(|(k, v)| (k.clone(), v.expose().clone()))
            .collect()
    }

    pub fn apply(&self, command: &mut std::process::Command) {
        for name in &self.remove {
            command.env_remove(name);
        }
        for (name, value) in &self.set {
            command.env(name, value.expose());
        }
    }
}

/// Whether an `exec` of `profile` is already running around this process.
pub fn nested_in(profile: &str) -> bool {
    std::env::var(NESTED_VAR).is_ok_and(|list| list.split(':').any(|p| p == profile))
}

/// `AGENTCRED_BASE_URL_<NAME>`.
pub fn base_url_var(endpoint: &str) -> String {
    format!("{BASE_URL_PREFIX}{}", endpoint.to_ascii_uppercase())
}

pub fn build(
    profile: &str,
    spec: &ServiceSpec,
    agent_id: &str,
    endpoints: &Endpoints,
    credential: &Credential<'_>,
) -> ChildEnv {
    let mut set: Vec<(String, Secret<String>)> = Vec::new();
    let mut put = |name: &str, value: String| set.push((name.to_owned(), Secret::new(value)));
    put(PROFILE_VAR, profile.to_owned());
    put(PROVIDER_VAR, spec.id.to_owned());
    let url_of = |name: &str| -> Option<String> {
        match credential {
            Credential::Direct { .. } => endpoints.get(name).cloned(),
            Credential::Gateway { urls, .. } => urls.get(name).cloned(),
        }
    };
    for name in endpoints.keys() {
        if let Some(url) = url_of(name) {
            put(&base_url_var(name), url);
        }
    }
    let (credential_value, shaped_value) = match credential {
        Credential::Direct { token, expires_at } => {
            put(TOKEN_VAR, (*token).expose().clone());
            if let Some(exp) = expires_at {
                put(EXPIRES_VAR, crate::timefmt::from_unix_secs(*exp));
            }
            ((*token).expose().clone(), (*token).expose().clone())
        }
        Credential::Gateway { token, .. } => {
            put(GATEWAY_TOKEN_VAR, (*token).to_owned());
            ((*token).to_owned(), (*token).to_owned())
        }
    };
    for tool in spec.tool_env {
        let value = match tool.value {
            ToolValue::AgentId => Some(agent_id.to_owned()),
            ToolValue::Credential { jwt_shaped: false } => Some(credential_value.clone()),
            ToolValue::Credential { jwt_shaped: true } => Some(shaped_value.clone()),
            ToolValue::Endpoint(name) => url_of(name),
            ToolValue::Placeholder(text) => Some(text.to_owned()),
        };
        if let Some(value) = value {
            put(tool.var, value);
        }
    }
    let outer = std::env::var(NESTED_VAR).unwrap_or_default();
    let nested = if outer.is_empty() {
        profile.to_owned()
    } else {
        format!("{outer}:{profile}")
    };
    put(NESTED_VAR, nested);

    ChildEnv {
        remove: removed_vars(spec),
        set,
    }
}

/// Inherited variables the child must not see: operator keys of every service, and ours from
/// an outer `exec` (replaced, not merged).
fn removed_vars(spec: &ServiceSpec) -> Vec<OsString> {
    let mut remove: Vec<OsString> = Vec::new();
    for provider in spec::all() {
        if let Some(scheme) = provider.spec().operator {
            remove.extend(scheme.env_vars().into_iter().map(OsString::from));
        }
    }
    if let Some(scheme) = spec.operator {
        remove.extend(scheme.env_vars().into_iter().map(OsString::from));
    }
    // A credential store's own token is a long-lived secret too.
    remove.extend(crate::store::CREDENTIAL_ENV.iter().map(OsString::from));
    for (name, _) in std::env::vars_os() {
        let text = name.to_string_lossy();
        if text.starts_with(BASE_URL_PREFIX) {
            remove.push(name.clone());
        }
    }
    for name in [TOKEN_VAR, EXPIRES_VAR, GATEWAY_TOKEN_VAR] {
        remove.push(OsString::from(name));
    }
    for tool in spec.tool_env {
        remove.push(OsString::from(tool.var));
    }
    remove
}
