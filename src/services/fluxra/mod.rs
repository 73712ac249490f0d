//! Fluxra: a chat identity with a one-time recovery key, API keys made with it, and JWTs
//! exchanged for an API key.
//!
//! A profile keeps the recovery key (shown once at registration; the high-risk credential that
//! manages keys), the API key in use, and a JWT exchanged for that key, which is what normal
//! traffic carries as `Bearer`. Fluxra has no operator key; its own noun is `keys`.

pub mod args;
pub mod client;
pub mod incident;
pub mod keys;
pub mod register;
pub mod status;

use serde::{Deserialize, Serialize};

use crate::context::Ctx;
use crate::error::{ErrorKind, Result};
use crate::health::{AgentState, Probe};
use crate::http::{Auth, Call};
use crate::profile::{Profile, Record};
use crate::secret::Secret;
use crate::service::Service;
use crate::session::Session;
use crate::spec::{
    CredentialRoute, EndpointSpec, Lifetime, Minting, Provider, SecretSpec, ServiceSpec, ShortLived,
};
use crate::status_view::{StatusQuery, StatusReport};
use client::{KeyInfo, ListedWith, NEW_KEY_HINT};

pub const SPEC: ServiceSpec = ServiceSpec {
    id: "fluxra",
    display_name: "Fluxra",
    endpoints: &[EndpointSpec {
        name: "api",
        env_var: "AGENTCRED_FLUXRA_URL",
        default_url: "https://chat.tryfluxra.com",
    }],
    secrets: &[
        SecretSpec {
            kind: "recovery_key",
            lifetime: Lifetime::LongLived,
            shown_once: true,
            when_missing: "Fluxra showed the recovery key once at registration; without it the agent's API keys cannot be managed from this profile",
        },
        SecretSpec {
            kind: "api_key",
            lifetime: Lifetime::LongLived,
            shown_once: true,
            when_missing: "create a new API key with `agentcred keys create --use` (it uses the stored recovery key)",
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
    tool_env: &[],
    min_child_validity: std::time::Duration::ZERO,
    boundary: crate::spec::Boundary::NONE,
    credential_routes: &[
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/api/auth/register",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/api/auth/token",
        },
        CredentialRoute {
            method: "POST",
            endpoint: "api",
            path: "/api/agents/*",
        },
        CredentialRoute {
            method: "DELETE",
            endpoint: "api",
            path: "/api/agents/*/keys/*",
        },
    ],
    budget: None,
    wallet_status: false,
};

pub const PROVIDER: Provider = Provider::of(&SPEC);

/// What a Fluxra profile records besides its secrets.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FluxraRecord {
    /// The id of the API key in use (the `api_key` secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<String>,
}

impl Record for FluxraRecord {}

/// The id of the API key the profile uses.
pub fn key_in_use(profile: &Profile) -> Option<String> {
    profile.record::<FluxraRecord>().ok().and_then(|r| r.key_id)
}

pub fn set_key_in_use(profile: &mut Profile, key_id: Option<String>) -> Result<()> {
    profile.update_record(|r: &mut FluxraRecord| r.key_id = key_id)
}

/// A JWT exchanged for the stored API key.
fn mint(m: &Minting<'_>) -> Result<Secret<String>> {
    let api_key = m.secrets.require(
        "api_key",
        &format!("the profile has no API key yet; {NEW_KEY_HINT}"),
    )?;
    client::exchange(m.http, m.endpoint("api")?, m.agent_id, &api_key)
}

pub struct Fluxra;
pub static FLUXRA: Fluxra = Fluxra;

impl Service for Fluxra {
    fn incident(&self) -> Option<&dyn crate::service::Incident> {
        Some(&incident::FluxraIncident)
    }

    fn spec(&self) -> &'static ServiceSpec {
        &SPEC
    }

    fn outputs(&self) -> Vec<crate::output::Output> {
        [register::outputs(), status::outputs(), keys::outputs()].concat()
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
        // Listing the keys with the JWT is the cheapest call the agent's own credential can
        // make; a key that falls back to the recovery key is a key the service refuses.
        let listed = list_keys(session)?;
        if let Some(reason) = listed.fallback_reason {
            return Err(crate::error::Error::auth(format!(
                "the profile's API key was refused: {reason}"
            ))
            .with_provider(SPEC.id)
            .with_hint(NEW_KEY_HINT));
        }
        Ok(Probe {
            state: AgentState::Active,
            budget: None,
        })
    }
}

pub struct Listed {
    pub keys: Vec<KeyInfo>,
    pub with: ListedWith,
    /// Why the recovery key was used although the profile has an API key.
    pub fallback_reason: Option<String>,
}

/// `GET /api/agents/{agent_id}`: with the profile's JWT (refreshed as needed) when it has an
/// API key; with the recovery key when it has none, or when its key is refused (listing is
/// then how the user finds out which keys still exist).
pub fn list_keys(session: &Session) -> Result<Listed> {
    let base = session.endpoint("api");
    let agent_id = &session.profile.agent_id;
    let url = format!("{base}/api/agents/{agent_id}");
    let mut fallback_reason = None;
    if session.secret("api_key")?.is_some() {
        let attempt = session.with_credential(|jwt| {
            session.http.send(
                client::PROVIDER,
                &Call::get(&url).auth(Auth::Bearer(jwt.clone())),
            )
        });
        match attempt {
            Ok(reply) if reply.is_success() => {
                return Ok(Listed {
                    keys: client::parse_keys(&reply)?,
                    with: ListedWith::Jwt,
                    fallback_reason: None,
                });
            }
            Ok(reply) if reply.status == 401 => {
                fallback_reason = Some(client::error_from(&reply, "list the API keys").message);
            }
            Ok(reply) => return Err(client::error_from(&reply, "list the API keys")),
            Err(e) if e.kind == ErrorKind::Auth => fallback_reason = Some(e.message),
            Err(e) => return Err(e),
        }
    }
    let recovery_key = require_recovery_key(session, "list the API keys")?;
    Ok(Listed {
        keys: client::list_keys_with_recovery_key(session.http, base, agent_id, &recovery_key)?,
        with: ListedWith::RecoveryKey,
        fallback_reason,
    })
}

/// The recovery key, for an operation that needs it; its absence says so and what to do.
pub fn require_recovery_key(session: &Session, operation: &str) -> Result<Secret<String>> {
    session.require_secret(
        "recovery_key",
        &format!(
            "to {operation}, agentcred needs the agent's recovery key, which Fluxra showed once at \
             registration. Without it the agent's API keys cannot be managed from this profile"
        ),
    )
}
