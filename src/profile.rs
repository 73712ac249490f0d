//! Profiles and the config file (contract §1–3).
//!
//! A profile is one agent identity on one service: the provider, the endpoints it was
//! registered against, the agent's ids, which store holds its secrets, and whether it is a
//! sandbox profile. The config file holds no secret; it is written atomically, mode 0600, and
//! modified under a cross-process lock so that concurrent `register`s do not lose each other.
//!
//! Endpoints are resolved once, at registration, from the `AGENTCRED_*_URL` variables or the
//! production defaults, and recorded. Afterwards a profile's secrets only ever go to those
//! recorded endpoints: an override variable that disagrees is refused rather than followed, so
//! a hostile environment cannot redirect stored credentials. Sandbox profiles record no URL
//! (the embedded sandbox listens on a new ephemeral port each run); their endpoints are the
//! running sandbox's, and override variables are refused for them in the same way.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil::{self, FileLock};
use crate::paths::Paths;
use crate::sandbox_host::SandboxUrls;
use crate::store::StoreKind;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Fluxa,
    Fluxra,
    Authpi,
    Proxy,
}

impl Provider {
    /// The lowercase id used in config, JSON and account names.
    pub fn id(self) -> &'static str {
        match self {
            Provider::Fluxa => "fluxa",
            Provider::Fluxra => "fluxra",
            Provider::Authpi => "authpi",
            Provider::Proxy => "proxy",
        }
    }

    /// The vendor's own spelling, for messages.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Fluxa => "FluxA",
            Provider::Fluxra => "Fluxra",
            Provider::Authpi => "AuthPI",
            Provider::Proxy => "Proxy",
        }
    }

    /// The secret kinds a profile of this provider keeps, in the order status shows them.
    pub fn secret_kinds(self) -> &'static [&'static str] {
        match self {
            Provider::Fluxa => &["token", "jwt"],
            Provider::Fluxra => &["recovery_key", "api_key", "jwt"],
            Provider::Authpi => &["client_secret", "access_token"],
            Provider::Proxy => &["token"],
        }
    }

    /// The short-lived credential that `refresh` and `token` manage, if the provider has one.
    pub fn short_lived_kind(self) -> Option<&'static str> {
        match self {
            Provider::Fluxa | Provider::Fluxra => Some("jwt"),
            Provider::Authpi => Some("access_token"),
            Provider::Proxy => None,
        }
    }

    /// The services a provider's profile talks to: (endpoint name, override variable,
    /// production default, path prefix inside the sandbox).
    pub fn endpoint_specs(self) -> &'static [EndpointSpec] {
        match self {
            Provider::Fluxa => FLUXA_ENDPOINTS,
            Provider::Fluxra => FLUXRA_ENDPOINTS,
            Provider::Authpi => AUTHPI_ENDPOINTS,
            Provider::Proxy => PROXY_ENDPOINTS,
        }
    }
}

const FLUXA_ENDPOINTS: &[EndpointSpec] = &[
    EndpointSpec::new(
        "agentid",
        "AGENTCRED_FLUXA_AGENTID_URL",
        "https://agentid.fluxapay.xyz",
    ),
    EndpointSpec::new(
        "wallet",
        "AGENTCRED_FLUXA_WALLET_URL",
        "https://walletapi.fluxapay.xyz",
    ),
];
const FLUXRA_ENDPOINTS: &[EndpointSpec] = &[EndpointSpec::new(
    "api",
    "AGENTCRED_FLUXRA_URL",
    "https://chat.tryfluxra.com",
)];
const AUTHPI_ENDPOINTS: &[EndpointSpec] = &[
    EndpointSpec::new("api", "AGENTCRED_AUTHPI_URL", "https://api.authpi.com"),
    EndpointSpec::new("idp", "AGENTCRED_AUTHPI_IDP_URL", "https://idp.authpi.com"),
];
const PROXY_ENDPOINTS: &[EndpointSpec] = &[EndpointSpec::new(
    "api",
    "AGENTCRED_PROXY_URL",
    "https://api.useproxy.ai",
)];

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[derive(Debug, Clone, Copy)]
pub struct EndpointSpec {
    pub name: &'static str,
    pub env_var: &'static str,
    pub default_url: &'static str,
}

impl EndpointSpec {
    const fn new(name: &'static str, env_var: &'static str, default_url: &'static str) -> Self {
        EndpointSpec {
            name,
            env_var,
            default_url,
        }
    }
}

/// Base URLs by endpoint name (`agentid`, `wallet`, `api`, `idp`), without trailing slash.
pub type Endpoints = BTreeMap<String, String>;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Profile {
    pub provider: Provider,
    #[serde(default)]
    pub sandbox: bool,
    pub store: StoreKind,
    /// Recorded base URLs; empty for sandbox profiles (see the module doc).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub endpoints: Endpoints,
    pub agent_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer_id: Option<String>,
    pub created_at: String,
    /// Provider-specific facts that are not secret (the key id in use, an external id, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, String>,
}

/// The fact listing the secret kinds a profile keeps beyond its provider's, space-separated
/// (spare Fluxra API keys are `api_key:KEY_ID`), so that removing the profile removes them too.
pub const EXTRA_SECRETS_FACT: &str = "extra_secrets";

impl Profile {
    /// Every secret kind the profile may hold: its provider's, then the extra ones it recorded.
    pub fn secret_kinds(&self) -> Vec<String> {
        let mut kinds: Vec<String> = self
            .provider
            .secret_kinds()
            .iter()
            .map(|k| (*k).to_owned())
            .collect();
        kinds.extend(self.extra_secret_kinds());
        kinds
    }

    pub fn extra_secret_kinds(&self) -> Vec<String> {
        self.facts
            .get(EXTRA_SECRETS_FACT)
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// Record (`keep`) or forget an extra secret kind.
    pub fn mark_extra_secret(&mut self, kind: &str, keep: bool) {
        let mut kinds = self.extra_secret_kinds();
        kinds.retain(|k| k != kind);
        if keep {
            kinds.push(kind.to_owned());
        }
        if kinds.is_empty() {
            self.facts.remove(EXTRA_SECRETS_FACT);
        } else {
            self.facts
                .insert(EXTRA_SECRETS_FACT.to_owned(), kinds.join(" "));
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
    /// Operator credentials stored by `agentcred login`, by provider id (no secret here).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub operators: BTreeMap<String, Operator>,
}

/// Where an operator credential is kept, and for which service.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operator {
    pub store: StoreKind,
    #[serde(default)]
    pub sandbox: bool,
    /// A non-secret label shown by status (the AuthPI key id, the Proxy key's environment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub stored_at: String,
}

const CONFIG_LOCK_TIMEOUT: Duration = Duration::from_secs(30);

impl Config {
    /// The config as it is now; a missing file is an empty config.
    pub fn load(paths: &Paths) -> Result<Config> {
        let path = paths.config_file();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(e) => {
                return Err(Error::internal(format!(
                    "cannot read {}: {e}",
                    path.display()
                )));
            }
        };
        toml::from_str(&text).map_err(|e| {
            Error::internal(format!(
                "the config file {} is not valid: {e}",
                path.display()
            ))
            .with_hint(
                "fix or remove the file; it holds no secrets (they are in the credential store)",
            )
        })
    }

    /// Read-modify-write under the config lock. `change` sees the latest config.
    pub fn update<T>(paths: &Paths, change: impl FnOnce(&mut Config) -> Result<T>) -> Result<T> {
        let _lock = Config::lock(paths)?;
        let mut config = Config::load(paths)?;
        let result = change(&mut config)?;
        config.save(paths)?;
        Ok(result)
    }

    /// The cross-process config lock, for callers that must hold it across more than one step.
    pub fn lock(paths: &Paths) -> Result<FileLock> {
        let lock_path = paths.lock_dir.join("config.lock");
        FileLock::acquire(&lock_path, CONFIG_LOCK_TIMEOUT).map_err(|e| {
            Error::unavailable(format!(
                "cannot lock the config ({}): {e}",
                lock_path.display()
            ))
            .with_hint("another agentcred process is changing the config; try again")
        })
    }

    /// Write the config atomically (0600). Callers hold [`Config::lock`].
    pub fn save(&self, paths: &Paths) -> Result<()> {
        let text = toml::to_string_pretty(self)
            .map_err(|e| Error::internal(format!("cannot serialize the config: {e}")))?;
        let path = paths.config_file();
        fsutil::write_private(&path, text.as_bytes())
            .map_err(|e| Error::internal(format!("cannot write {}: {e}", path.display())))
    }

    pub fn get(&self, name: &str) -> Result<&Profile> {
        self.profiles
            .get(name)
            .ok_or_else(|| profile_not_found(name, self))
    }
}

pub fn profile_not_found(name: &str, config: &Config) -> Error {
    let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    let hint = if known.is_empty() {
        "no profiles exist yet; create one with `agentcred register PROVIDER ...` (add --sandbox to try it offline)".to_owned()
    } else {
        format!(
            "known profiles: {}; see `agentcred profiles list`",
            known.join(", ")
        )
    };
    Error::not_found(format!("no profile named '{name}'")).with_hint(hint)
}

/// Profile names end up in keychain account names (`PROFILE:KIND`) and lock file names.
pub fn validate_profile_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !name.starts_with('.')
        && name != "operator";
    if ok {
        Ok(())
    } else {
        Err(Error::usage(format!("'{name}' is not a valid profile name"))
            .with_hint("use 1-64 letters, digits, '-', '_' or '.', not starting with '.' (and not 'operator')"))
    }
}

/// Endpoints for a new, non-sandbox profile: override variables or production defaults.
pub fn endpoints_for_registration(provider: Provider) -> Result<Endpoints> {
    let mut endpoints = Endpoints::new();
    for spec in provider.endpoint_specs() {
        let url = env_override(spec).unwrap_or_else(|| spec.default_url.to_owned());
        validate_base_url(&url, spec.env_var)?;
        endpoints.insert(spec.name.to_owned(), url);
    }
    Ok(endpoints)
}

/// The endpoints a stored profile may talk to. `sandbox` holds the running embedded
/// sandbox's URLs, required for sandbox profiles.
pub fn endpoints_for_profile(
    name: &str,
    profile: &Profile,
    sandbox: Option<&SandboxUrls>,
) -> Result<Endpoints> {
    let mut endpoints = Endpoints::new();
    for spec in profile.provider.endpoint_specs() {
        let recorded = if profile.sandbox {
            sandbox_url(sandbox, spec)?
        } else {
            profile.endpoints.get(spec.name).cloned().ok_or_else(|| {
                Error::internal(format!(
                    "profile '{name}' has no recorded {} endpoint",
                    spec.name
                ))
                .with_hint(format!(
                    "remove and register the profile again: agentcred profiles remove {name}"
                ))
            })?
        };
        if let Some(overridden) = env_override(spec) {
            let recorded_shown = if profile.sandbox {
                "the embedded sandbox"
            } else {
                recorded.as_str()
            };
            if profile.sandbox || overridden != recorded {
                return Err(Error::usage(format!(
                    "{} is set to {overridden}, but profile '{name}' was registered against {recorded_shown}; \
                     its credentials are only sent to the endpoint recorded in the profile",
                    spec.env_var
                ))
                .with_hint(format!(
                    "unset {} for this profile, or register a new profile against the other endpoint with --profile NAME",
                    spec.env_var
                )));
            }
        }
        endpoints.insert(spec.name.to_owned(), recorded);
    }
    Ok(endpoints)
}

/// Where the running sandbox serves the endpoint that `spec` names.
pub fn sandbox_url(sandbox: Option<&SandboxUrls>, spec: &EndpointSpec) -> Result<String> {
    sandbox
        .and_then(|urls| urls.get(spec.env_var))
        .cloned()
        .ok_or_else(|| {
            Error::internal(format!(
                "the embedded sandbox does not serve {}",
                spec.env_var
            ))
        })
}

fn env_override(spec: &EndpointSpec) -> Option<String> {
    std::env::var(spec.env_var)
        .ok()
        .map(|v| v.trim().trim_end_matches('/').to_owned())
        .filter(|v| !v.is_empty())
}

/// https anywhere; plain http only to loopback hosts (contract §3).
pub fn validate_base_url(url: &str, source: &str) -> Result<()> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        Error::usage(format!("{source} is not a valid URL ({url}): {e}")).with_hint(
            "give a base URL like https://api.example.com or http://127.0.0.1:8787/prefix",
        )
    })?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" => {
            let loopback = match parsed.host() {
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                None => false,
            };
            if loopback {
                Ok(())
            } else {
                Err(Error::usage(format!(
                    "{source} uses plain http to a non-loopback host ({url}); credentials would travel unencrypted"
                ))
                .with_hint("use https://, or http:// only for 127.0.0.1, [::1] or localhost"))
            }
        }
        other => Err(Error::usage(format!(
            "{source} has the unsupported scheme '{other}' ({url})"
        ))
        .with_hint("use an https:// URL")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_is_only_for_loopback() {
        assert!(validate_base_url("https://api.example.com", "X").is_ok());
        assert!(validate_base_url("http://127.0.0.1:8787/proxy", "X").is_ok());
        assert!(validate_base_url("http://localhost:1", "X").is_ok());
        assert!(validate_base_url("http://[::1]:1", "X").is_ok());
        let err = validate_base_url("http://example.com", "X").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(validate_base_url("ftp://127.0.0.1", "X").is_err());
        assert!(validate_base_url("not a url", "X").is_err());
    }

    #[test]
    fn profile_names() {
        for good in ["fluxa", "my-agent_2", "a.b"] {
            assert!(validate_profile_name(good).is_ok(), "{good}");
        }
        for bad in ["", "a b", "a:b", ".hidden", "operator", "x/y"] {
            assert!(validate_profile_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn config_round_trip_and_update() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths::under(dir.path());
        Config::update(&paths, |c| {
            c.current = Some("a".into());
            c.profiles.insert(
                "a".into(),
                Profile {
                    provider: Provider::Fluxa,
                    sandbox: true,
                    store: StoreKind::File,
                    endpoints: Endpoints::new(),
                    agent_id: "ag_1".into(),
                    agent_name: Some("demo".into()),
                    account_id: None,
                    issuer_id: None,
                    created_at: "2026-01-01T00:00:00Z".into(),
                    facts: BTreeMap::new(),
                },
            );
            Ok(())
        })
        .unwrap();
        let loaded = Config::load(&paths).unwrap();
        assert_eq!(loaded.current.as_deref(), Some("a"));
        assert_eq!(loaded.get("a").unwrap().agent_id, "ag_1");
        assert_eq!(loaded.get("b").unwrap_err().exit_code(), 3);
        assert!(!fsutil::is_loose(&paths.config_file()).unwrap());
    }
}
