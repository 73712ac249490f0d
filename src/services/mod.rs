//! The registry: every service agentcred supports, one line each in [`SERVICES`] and in
//! `with_service_commands` (its `register` arguments and, for a service with nouns of its own,
//! each noun's subcommand), from which the command line builds its clap types.
//!
//! # Adding a service
//!
//! 1. `src/services/NAME/`: `mod.rs` with `pub const SPEC: ServiceSpec` (id, endpoints,
//!    secrets and their lifetimes, the agent's credential, how a short-lived one is minted, the
//!    operator-key scheme) and a unit struct implementing [`Service`] (status, and the optional
//!    capabilities: limits, lifecycle); `client.rs` with the wire calls (no profile, no store,
//!    no session: data in, data out); `register.rs` with the `register NAME` command; one file
//!    per noun command the service has; `args.rs` with the clap types of those commands, each
//!    converted into the plain input its command takes (no other file of the service knows
//!    clap); a `Record` struct for what the profile keeps (`profile::Record`).
//! 2. One line in [`SERVICES`] and one entry in `with_service_commands` (the `args.rs` type of
//!    `register NAME`, its `register::run`, the help line); for each noun, an entry with its
//!    subcommand type (which has `shows_new_secret`), its `run` and its help line. The table
//!    is plain tokens, kept here so one file names every service; `cli::registry` makes the
//!    clap enums of it.
//! 3. The emulator: one module in `crates/agentcred-sandbox/src/` and one line in its
//!    `SERVICES` (its mounts publish the same `AGENTCRED_*_URL` names as the spec's endpoints).
//! 4. `tests/cli/NAME.rs` and its `mod` line in `tests/cli/main.rs`; regenerate completions and
//!    man pages with `AGENTCRED_UPDATE_GENERATED=1 cargo test --test cli generated`.
//!
//! Nothing else names a service: generic code reads [`crate::spec::ServiceSpec`] and calls
//! [`Service`]. `tests/cli/architecture.rs` checks that no more than four Rust files outside a
//! service's own modules name it.

pub mod authpi;
pub mod fluxa;
pub mod fluxra;
pub mod proxy;

use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::service::Service;
use crate::spec::{self, Provider, ServiceSpec};

/// Every service, in the order lists and help show them.
pub static SERVICES: &[&dyn Service] = &[
    &fluxa::FLUXA,
    &fluxra::FLUXRA,
    &authpi::AUTHPI,
    &proxy::PROXY,
];

/// Make the services known to config parsing ([`Provider`]) and to generic code
/// ([`crate::service::of`]); called once by `main`.
pub fn install() {
    spec::install(specs());
    crate::service::install(SERVICES);
}

fn specs() -> impl Iterator<Item = &'static ServiceSpec> {
    SERVICES.iter().map(|s| s.spec())
}

/// The incident capability of a profile's service (`--ephemeral`, `freeze --upstream`,
/// `leaks scan --rotate`); exit 2 for a service without one.
pub fn incident(provider: Provider) -> Result<&'static dyn crate::service::Incident> {
    crate::service::of(provider)?.incident().ok_or_else(|| {
        Error::usage(format!(
            "{} has no run-scoped credentials or rotation in agentcred",
            provider.display_name()
        ))
        .with_hint(format!(
            "the services that have: {}",
            display_names_where(|s| s.incident().is_some())
        ))
    })
}

/// "FluxA, Fluxra, AuthPI and Proxy".
pub fn display_names() -> String {
    display_names_where(|_| true)
}

/// The names of the services `applies` holds for, joined for prose.
pub fn display_names_where(applies: impl Fn(&dyn Service) -> bool) -> String {
    let names: Vec<&str> = SERVICES
        .iter()
        .filter(|s| applies(**s))
        .map(|s| s.spec().display_name)
        .collect();
    join_and(&names)
}

/// The ids of the services that have an operator key (`login ID`).
pub fn with_operator_keys() -> Vec<&'static str> {
    specs()
        .filter(|s| s.operator.is_some())
        .map(|s| s.id)
        .collect()
}

fn join_and(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Exit 2 for a command that does not apply to the profile's service: names the services it
/// applies to (those for which `applies` holds).
pub fn refuse(
    command: &str,
    name: &str,
    profile: &Profile,
    applies: impl Fn(&dyn Service) -> bool,
) -> Error {
    let providers: Vec<Provider> = SERVICES
        .iter()
        .filter(|s| applies(**s))
        .map(|s| Provider::of(s.spec()))
        .collect();
    crate::context::not_for_provider(command, name, profile.provider, &providers)
}

/// The services' commands, as a table the command line builds its clap types from
/// (`cli::registry`): each service's `register` arguments, the function that runs them and their
/// help line, then the nouns a service has of its own, likewise. The table is plain tokens, so
/// no file here but the services' `args.rs` knows clap, while this file stays the one that
/// names every service.
macro_rules! with_service_commands {
    ($build:ident) => {
        $build! {
            register: [
                Fluxa($crate::services::fluxa::args::RegisterFluxaArgs, $crate::services::fluxa::register::run)
                    "Register a FluxA agent (agent id, refresh token, JWT)",
                Fluxra($crate::services::fluxra::args::RegisterFluxraArgs, $crate::services::fluxra::register::run)
                    "Register a Fluxra agent (recovery key, API key, JWT)",
                Authpi($crate::services::authpi::args::RegisterAuthpiArgs, $crate::services::authpi::register::run)
                    "Create an AuthPI agent with a secret verifier (operator credentials needed)",
                Proxy($crate::services::proxy::args::RegisterProxyArgs, $crate::services::proxy::register::run)
                    "Register a Proxy agent, idempotent by external id (operator Api-Key needed)",
            ],
            nouns: [
                Keys($crate::services::fluxra::args::KeysCommand, $crate::services::fluxra::keys::run)
                    "Manage Fluxra API keys",
                Verifiers($crate::services::authpi::args::VerifiersCommand, $crate::services::authpi::verifiers::run)
                    "Manage AuthPI agent verifiers",
                Tokens($crate::services::proxy::args::TokensCommand, $crate::services::proxy::tokens::run)
                    "Manage Proxy agent tokens",
                Cards($crate::services::proxy::args::CardsCommand, $crate::services::proxy::cards::run)
                    "Manage Proxy cards",
            ],
        }
    };
}
pub(crate) use with_service_commands;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_is_listed_once() {
        let ids: Vec<&str> = specs().map(|s| s.id).collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len());
    }

    #[test]
    fn names_are_joined_for_prose() {
        assert_eq!(join_and(&["A"]), "A");
        assert_eq!(join_and(&["A", "B", "C"]), "A, B and C");
    }
}

#[cfg(test)]
mod credential_route_tests {
    #[test]
    fn credential_routes_match_by_method_endpoint_and_segments() {
        let fluxa = &super::fluxa::SPEC;
        assert!(fluxa.issues_credentials("POST", "agentid", "/agent/vc/issue"));
        assert!(fluxa.issues_credentials("post", "AgentId", "/Agent/VC/issue/"));
        assert!(!fluxa.issues_credentials("GET", "agentid", "/agent/vc/issue"));
        assert!(!fluxa.issues_credentials("POST", "wallet", "/agent/vc/issue"));
        let authpi = &super::authpi::SPEC;
        assert!(authpi.issues_credentials("POST", "idp", "/i_sandbox/token"));
        assert!(!authpi.issues_credentials("POST", "idp", "/i_sandbox/token/x"));
        assert!(!authpi.issues_credentials("GET", "idp", "/i_sandbox/jwks.json"));
        let fluxra = &super::fluxra::SPEC;
        assert!(fluxra.issues_credentials("DELETE", "api", "/api/agents/agt_1/keys/aky_2"));
        assert!(!fluxra.issues_credentials("GET", "api", "/api/agents/agt_1"));
    }
}
