//! The registry: every service agentcred supports, one line each in [`SERVICES`],
//! [`RegisterCommand`] and (for a service with nouns of its own) [`ServiceCommand`].
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
//! 2. One line in [`SERVICES`], one variant in [`RegisterCommand`] (the registry's own clap
//!    types, kept here so one file names every service) and its arm in
//!    [`RegisterCommand::run`]; for nouns, a variant in [`ServiceCommand`] and its arm.
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

use clap::Subcommand;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::profile::Profile;
use crate::service::Service;
use crate::spec::{self, Provider, ServiceSpec};
use crate::view::View;

/// Every service, in the order lists and help show them.
pub static SERVICES: &[&dyn Service] = &[
    &fluxa::FLUXA,
    &fluxra::FLUXRA,
    &authpi::AUTHPI,
    &proxy::PROXY,
];

/// Make the services known to config parsing ([`Provider`]); called once by `main`.
pub fn install() {
    spec::install(specs());
}

fn specs() -> impl Iterator<Item = &'static ServiceSpec> {
    SERVICES.iter().map(|s| s.spec())
}

/// The service behind a profile's provider.
pub fn service(provider: Provider) -> Result<&'static dyn Service> {
    SERVICES
        .iter()
        .copied()
        .find(|s| s.spec().id == provider.id())
        .ok_or_else(|| {
            // A Provider is only ever made from a spec of this list (installed from it, or a
            // service module's own SPEC), so this would be a bug.
            Error::internal(format!(
                "service '{}' is not in the registry",
                provider.id()
            ))
        })
}

/// The incident capability of a profile's service (`--ephemeral`, `freeze --upstream`,
/// `leaks scan --rotate`); exit 2 for a service without one.
pub fn incident(provider: Provider) -> Result<&'static dyn crate::service::Incident> {
    service(provider)?.incident().ok_or_else(|| {
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

/// `agentcred register SERVICE`.
#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Register a FluxA agent (agent id, refresh token, JWT)
    Fluxa(fluxa::args::RegisterFluxaArgs),
    /// Register a Fluxra agent (recovery key, API key, JWT)
    Fluxra(fluxra::args::RegisterFluxraArgs),
    /// Create an AuthPI agent with a secret verifier (operator credentials needed)
    Authpi(authpi::args::RegisterAuthpiArgs),
    /// Register a Proxy agent, idempotent by external id (operator Api-Key needed)
    Proxy(proxy::args::RegisterProxyArgs),
}

impl RegisterCommand {
    /// Register the agent; what was registered comes back as a view for the caller to render.
    pub fn run(self, ctx: &Ctx) -> Result<Box<dyn View>> {
        match self {
            RegisterCommand::Fluxa(args) => fluxa::register::run(ctx, args.into()),
            RegisterCommand::Fluxra(args) => fluxra::register::run(ctx, args.into()),
            RegisterCommand::Authpi(args) => authpi::register::run(ctx, args.into()),
            RegisterCommand::Proxy(args) => proxy::register::run(ctx, args.into()),
        }
    }
}

/// The nouns that belong to one service.
#[derive(Debug, Subcommand)]
pub enum ServiceCommand {
    /// Manage Fluxra API keys
    #[command(subcommand)]
    Keys(fluxra::args::KeysCommand),
    /// Manage AuthPI agent verifiers
    #[command(subcommand)]
    Verifiers(authpi::args::VerifiersCommand),
    /// Manage Proxy agent tokens
    #[command(subcommand)]
    Tokens(proxy::args::TokensCommand),
    /// Manage Proxy cards
    #[command(subcommand)]
    Cards(proxy::args::CardsCommand),
}

impl ServiceCommand {
    /// Whether the command shows a new secret, which `--reveal` prints.
    pub fn shows_new_secret(&self) -> bool {
        use authpi::args::{VerifiersAddCommand, VerifiersCommand};
        use fluxra::args::KeysCommand;
        use proxy::args::TokensCommand;
        matches!(
            self,
            ServiceCommand::Keys(KeysCommand::Create(_) | KeysCommand::Rotate)
                | ServiceCommand::Tokens(TokensCommand::Create(_))
                | ServiceCommand::Verifiers(VerifiersCommand::Add(VerifiersAddCommand::Secret(_)))
        )
    }
}

/// Run one of a service's own nouns; what it did comes back as a view for the caller to render
/// (or return).
pub fn run_command(ctx: &Ctx, command: ServiceCommand) -> Result<Box<dyn View>> {
    match command {
        ServiceCommand::Keys(cmd) => fluxra::keys::run(ctx, cmd.into()),
        ServiceCommand::Verifiers(cmd) => authpi::verifiers::run(ctx, cmd.into()),
        ServiceCommand::Tokens(cmd) => proxy::tokens::run(ctx, cmd.into()),
        ServiceCommand::Cards(cmd) => proxy::cards::run(ctx, cmd.into()),
    }
}

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
