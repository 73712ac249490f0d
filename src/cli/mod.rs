//! The command line: clap derive types only, no behaviour.
//!
//! Conventions:
//! - Global flags (`--profile`, `--json`, `--store`, `--sandbox`, `--no-input`, `--reveal`, `-v`,
//!   `-q`, `--color`) work before or after the subcommand, and each has an environment variable
//!   where the contract gives one.
//! - Secrets never enter through argv: there is no flag that takes a secret. They come from
//!   stdin, a hidden prompt, or (operator keys) the environment.
//! - Values are the services' own spellings (`perMonth`, `eip155:8453`); durations are written
//!   `90s`, `10m`, `1h`; amounts are decimal in the currency's unit (`12.50`).

pub mod args;

use clap::{Args, Parser, Subcommand};

use crate::services::{self, RegisterCommand, ServiceCommand};
use args::{
    AgentCommand, CompletionsArgs, ExecArgs, GatewayArgs, GlobalArgs, LimitsCommand, McpArgs,
    ProfilesCommand, RefreshArgs, SandboxCommand, StatusArgs, TokenArgs,
};

/// The services' names are added by [`command`] from the registry.
#[derive(Debug, Parser)]
#[command(
    name = "agentcred",
    version,
    after_help = "Exit codes: 0 ok, 1 internal error, 2 usage, 3 not found, 4 auth failed, 5 conflict, \
        6 service unavailable, 7 credential store failed, 8 refused by a limit or policy."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a new agent with a service and store its credentials
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Store a service's operator (organization) key, from stdin or a prompt
    Login(LoginArgs),
    /// Remove stored operator credentials (does not revoke them on the service)
    Logout(LoginArgs),
    /// Get a new short-lived credential (JWT or access token) for the profile
    Refresh(RefreshArgs),
    /// Print a bearer credential valid for at least --min-valid, refreshing first if needed
    Token(TokenArgs),
    /// Show the agent's state at the service and the profile's local credential facts
    Status(StatusArgs),
    /// Run a command with the profile's short-lived credential and endpoints in its
    /// environment (or, with --gateway, with no credential at all)
    Exec(ExecArgs),
    /// Run the credential gateway in the foreground: a loopback proxy that attaches the
    /// profile's credential to requests sent with its token
    Gateway(GatewayArgs),
    /// Serve the Model Context Protocol on stdin/stdout (tools: list_profiles, status, check,
    /// request, refresh), never returning a stored secret
    Mcp(McpArgs),
    /// The nouns of one service (its keys, verifiers, tokens, cards)
    #[command(flatten)]
    Service(ServiceCommand),
    /// Show or set the agent's spending limits
    #[command(subcommand)]
    Limits(LimitsCommand),
    /// The operator's lifecycle of the profile's agent
    #[command(subcommand)]
    Agent(AgentCommand),
    /// List, show, select and remove profiles
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Run the built-in emulator of the services
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The service whose organization key this is
    #[arg(value_name = "SERVICE", value_parser = clap::builder::PossibleValuesParser::new(services::with_operator_keys()))]
    pub provider: String,
}

/// The whole command line, with the about texts naming the registered services.
pub fn command() -> clap::Command {
    let names = services::display_names();
    let mut command = <Cli as clap::CommandFactory>::command();
    // Which services each capability applies to, from the registry.
    command = command.mut_subcommand("agent", |agent| {
        let mut agent = with_services(agent, |s| s.lifecycle().is_some());
        for action in [
            "show",
            "suspend",
            "activate",
            "block",
            "deregister",
            "delete",
        ] {
            agent = agent.mut_subcommand(action, |sub| {
                with_services(sub, |s| {
                    s.lifecycle().is_some_and(|l| l.actions().contains(&action))
                })
            });
        }
        agent
    });
    command = command.mut_subcommand("limits", |limits| {
        with_services(limits, |s| s.limits().is_some()).mut_subcommand("set", |set| {
            with_services(set, |s| s.limits().is_some_and(|l| l.settable()))
        })
    });
    command
        .about(format!("Manage the credentials of AI agents: {names}"))
        .long_about(format!(
            "Manage the credentials of AI agents across {names}.\n\n\
             agentcred registers agents with each service, keeps their ids, tokens, JWTs and \
             one-time secrets in the OS keychain, refreshes short-lived credentials safely, and \
             prints amounts in both atomic and formatted units. Add --sandbox to try everything \
             offline against the built-in emulator of every service."
        ))
}

/// `about` followed by the names of the services `applies` holds for.
fn with_services(
    command: clap::Command,
    applies: impl Fn(&dyn crate::service::Service) -> bool,
) -> clap::Command {
    let about = command
        .get_about()
        .map(ToString::to_string)
        .unwrap_or_default();
    let names = services::display_names_where(applies);
    command.about(format!("{about} ({names})"))
}

/// Parse the process's arguments against [`command`].
pub fn parse() -> std::result::Result<Cli, clap::Error> {
    let matches = command().try_get_matches()?;
    <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
