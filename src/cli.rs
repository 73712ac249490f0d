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

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::output::ColorChoice;
use crate::store::StoreChoice;

#[derive(Debug, Parser)]
#[command(
    name = "agentcred",
    version,
    about = "Manage the credentials of AI agents: FluxA, Fluxra, AuthPI and Proxy",
    long_about = "Manage the credentials of AI agents across FluxA, Fluxra, AuthPI and Proxy.\n\n\
        agentcred registers agents with each service, keeps their ids, tokens, JWTs and one-time \
        secrets in the OS keychain, refreshes short-lived credentials safely, and prints amounts \
        in both atomic and formatted units. Add --sandbox to try everything offline against the \
        built-in emulator of all four services.",
    after_help = "Exit codes: 0 ok, 1 internal error, 2 usage, 3 not found, 4 auth failed, 5 conflict, \
        6 service unavailable, 7 credential store failed, 8 refused by a limit or policy."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Profile to use (default: the current profile; for `register`, the provider's name)
    #[arg(long, global = true, env = "AGENTCRED_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Print exactly one JSON document on stdout (also AGENTCRED_OUTPUT=json)
    #[arg(long, global = true)]
    pub json: bool,

    /// Where secrets are kept for new profiles and logins
    #[arg(
        long,
        global = true,
        env = "AGENTCRED_STORE",
        value_enum,
        value_name = "STORE"
    )]
    pub store: Option<StoreChoice>,

    /// Use the built-in emulator of all four services (offline, fake secrets)
    #[arg(long, global = true, env = "AGENTCRED_SANDBOX", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub sandbox: bool,

    /// Never wait for input; fail with exit 2 where input would be needed
    #[arg(long, global = true, env = "AGENTCRED_NO_INPUT", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::SetTrue)]
    pub no_input: bool,

    /// Print secrets in the output (they are hidden otherwise)
    #[arg(long, global = true)]
    pub reveal: bool,

    /// Trace HTTP requests on stderr (secrets redacted)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Print only data and errors, no status lines
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to use colour
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Register a new agent with a service and store its credentials
    #[command(subcommand)]
    Register(RegisterCommand),
    /// Store operator credentials (AuthPI org API key, Proxy org Api-Key) from stdin or a prompt
    Login(LoginArgs),
    /// Remove stored operator credentials (does not revoke them on the service)
    Logout(LoginArgs),
    /// Get a new short-lived credential (JWT or access token) for the profile
    Refresh(RefreshArgs),
    /// Print a bearer credential valid for at least --min-valid, refreshing first if needed
    Token(TokenArgs),
    /// Show the agent's state at the service and the profile's local credential facts
    Status(StatusArgs),
    /// Manage Fluxra API keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage AuthPI agent verifiers
    #[command(subcommand)]
    Verifiers(VerifiersCommand),
    /// Manage Proxy agent tokens
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Manage Proxy cards
    #[command(subcommand)]
    Cards(CardsCommand),
    /// Show or set spending limits (Proxy; FluxA: show)
    #[command(subcommand)]
    Limits(LimitsCommand),
    /// The operator's lifecycle of the profile's agent (AuthPI, Proxy)
    #[command(subcommand)]
    Agent(AgentCommand),
    /// List, show, select and remove profiles
    #[command(subcommand)]
    Profiles(ProfilesCommand),
    /// Run the built-in emulator of the four services
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Print a shell completion script
    Completions(CompletionsArgs),
}

#[derive(Debug, Subcommand)]
pub enum RegisterCommand {
    /// Register a FluxA agent (agent id, refresh token, JWT)
    Fluxa(RegisterFluxaArgs),
    /// Register a Fluxra agent (recovery key, API key, JWT)
    Fluxra(RegisterFluxraArgs),
    /// Create an AuthPI agent with a secret verifier (operator credentials needed)
    Authpi(RegisterAuthpiArgs),
    /// Register a Proxy agent, idempotent by external id (operator Api-Key needed)
    Proxy(RegisterProxyArgs),
}

#[derive(Debug, Args)]
pub struct RegisterFluxaArgs {
    /// The agent's display name
    #[arg(long)]
    pub name: String,
    /// Contact email for the agent (optional)
    #[arg(long)]
    pub email: Option<String>,
    /// A short identifier of the client software
    #[arg(long, value_name = "TEXT")]
    pub client_info: Option<String>,
}

#[derive(Debug, Args)]
pub struct RegisterFluxraArgs {
    /// Agent name: 3-50 letters, digits or '-'
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Name of the first API key
    #[arg(long, value_name = "NAME", default_value = "agentcred")]
    pub key_name: String,
    /// Scopes of the first API key (repeatable; default: the service's defaults)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// Expiry of the first API key in days (default: no expiry)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub key_expires_in_days: Option<u32>,
}

#[derive(Debug, Args)]
pub struct RegisterAuthpiArgs {
    /// AuthPI account id (acc_...)
    #[arg(long, value_name = "ACC")]
    pub account: String,
    /// AuthPI issuer id (i_...)
    #[arg(long, value_name = "ISS")]
    pub issuer: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// AI model identifier (e.g. claude-sonnet-4-5)
    #[arg(long, value_name = "M")]
    pub model: Option<String>,
    /// Model provider (e.g. anthropic)
    #[arg(long, value_name = "P")]
    pub provider: Option<String>,
    /// Agent version string
    #[arg(long, value_name = "V")]
    pub agent_version: Option<String>,
    /// Scope ceiling for the agent's tokens (repeatable)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// Metadata entry (repeatable)
    #[arg(long = "metadata", value_name = "K=V")]
    pub metadata: Vec<String>,
    /// Do not add a secret verifier (no client secret, no token)
    #[arg(long)]
    pub no_secret: bool,
}

#[derive(Debug, Args)]
pub struct RegisterProxyArgs {
    /// Your identifier for the agent, unique in your organization
    #[arg(long, value_name = "ID")]
    pub external_id: String,
    /// The user who funds the agent (user_...)
    #[arg(long, value_name = "USER")]
    pub user: String,
    #[arg(long)]
    pub name: String,
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Spending limit in dollars (e.g. 500 or 12.50)
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub spending_limit: Option<String>,
    #[arg(long, value_enum, value_name = "FREQ")]
    pub frequency: Option<Frequency>,
    #[arg(long, value_enum, value_name = "ACTION")]
    pub on_limit_exceeded: Option<LimitAction>,
    /// Maximum number of concurrent cards
    #[arg(long, value_name = "N")]
    pub max_cards: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Frequency {
    #[value(name = "perTransaction")]
    PerTransaction,
    #[value(name = "per24HourPeriod")]
    Per24HourPeriod,
    #[value(name = "perWeek")]
    PerWeek,
    #[value(name = "perMonth")]
    PerMonth,
    #[value(name = "perYear")]
    PerYear,
    #[value(name = "allTime")]
    AllTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LimitAction {
    Suspend,
    Notify,
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OperatorProvider {
    Authpi,
    Proxy,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[arg(value_enum)]
    pub provider: OperatorProvider,
}

#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// Refresh only if the current credential expires within this duration (e.g. 5m)
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser)]
    pub if_expiring_within: Option<Duration>,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// Minimum remaining validity of the printed credential
    #[arg(long, value_name = "DURATION", value_parser = crate::duration::clap_parser, default_value = "60s")]
    pub min_valid: Duration,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Local facts of every profile (no network)
    #[arg(long)]
    pub all: bool,
    /// Network for the FluxA USDC balance (default base)
    #[arg(long, value_name = "NET")]
    pub network: Option<String>,
    /// Number of recent FluxA transactions (1-100, default 20)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub tx_limit: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List the agent's API keys
    List,
    /// Create an API key
    Create(KeysCreateArgs),
    /// Revoke an API key
    Revoke(KeysRevokeArgs),
    /// Create a new key, switch the profile to it, prove it, then revoke the old one
    Rotate,
}

#[derive(Debug, Args)]
pub struct KeysCreateArgs {
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub expires_in_days: Option<u32>,
    /// Make the new key the profile's key
    #[arg(long = "use")]
    pub use_key: bool,
}

#[derive(Debug, Args)]
pub struct KeysRevokeArgs {
    pub key_id: String,
    /// Allow revoking the key the profile uses
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum VerifiersCommand {
    /// List the agent's verifiers
    List,
    /// Add a verifier
    #[command(subcommand)]
    Add(VerifiersAddCommand),
    /// Remove a verifier
    Remove(VerifiersRemoveArgs),
}

#[derive(Debug, Subcommand)]
pub enum VerifiersAddCommand {
    /// A server-generated client secret, shown once and stored
    Secret(VerifierSecretArgs),
    /// A wallet address on a CAIP-2 network
    Wallet(VerifierWalletArgs),
}

#[derive(Debug, Args)]
pub struct VerifierSecretArgs {
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Make the new secret the profile's client secret
    #[arg(long = "use")]
    pub use_secret: bool,
}

#[derive(Debug, Args)]
pub struct VerifierWalletArgs {
    #[arg(long, value_name = "ADDR")]
    pub address: String,
    /// CAIP-2 network id, e.g. eip155:8453
    #[arg(long, value_name = "CAIP2")]
    pub network: String,
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifiersRemoveArgs {
    pub verifier_id: String,
    /// Allow removing the verifier whose secret the profile uses
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// List the agent's tokens (never the secrets)
    List,
    /// Create an agent token and store it in the profile
    Create(TokensCreateArgs),
    /// Revoke an agent token
    Revoke(TokensRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokensCreateArgs {
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct TokensRevokeArgs {
    pub token_id: String,
}

#[derive(Debug, Subcommand)]
pub enum CardsCommand {
    /// List the agent's cards
    List,
    /// Create a card
    Create(CardsCreateArgs),
    /// Show one card (never its PAN or CVV)
    Show(CardsShowArgs),
}

#[derive(Debug, Args)]
pub struct CardsCreateArgs {
    #[arg(long, value_name = "TEXT")]
    pub purpose: String,
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub card_type: Option<CardType>,
    /// Maximum amount in dollars
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub max_amount: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CardType {
    Single,
    Multi,
}

#[derive(Debug, Args)]
pub struct CardsShowArgs {
    pub card_id: String,
}

#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// Show the spending limit, current spend and what remains
    Show,
    /// Change the spending limit (Proxy)
    Set(LimitsSetArgs),
}

#[derive(Debug, Args)]
pub struct LimitsSetArgs {
    /// Spending limit in dollars
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub spending_limit: Option<String>,
    #[arg(long, value_enum, value_name = "FREQ")]
    pub frequency: Option<Frequency>,
    #[arg(long, value_enum, value_name = "ACTION")]
    pub on_limit_exceeded: Option<LimitAction>,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Show the agent as the operator sees it
    Show,
    /// Suspend the agent (no new tokens)
    Suspend(AgentReasonArgs),
    /// Reactivate a suspended agent
    Activate,
    /// Block the agent (AuthPI)
    Block(AgentBlockArgs),
    /// Deregister the agent (Proxy): tokens revoked, cards frozen
    Deregister(ConfirmArgs),
    /// Delete the agent and all its verifiers (AuthPI)
    Delete(ConfirmArgs),
}

#[derive(Debug, Args)]
pub struct AgentReasonArgs {
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Debug, Args)]
pub struct AgentBlockArgs {
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

#[derive(Debug, Args)]
pub struct ConfirmArgs {
    /// Do not ask for confirmation
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// List profiles
    List,
    /// Show one profile (default: the selected one)
    Show(ProfileNameOpt),
    /// Make a profile the current one
    Use(ProfileName),
    /// Delete a profile's local secrets and config (nothing is revoked on the service)
    Remove(ProfileName),
}

#[derive(Debug, Args)]
pub struct ProfileNameOpt {
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProfileName {
    pub name: String,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Run the emulator in the foreground and print each service's base URL
    Serve(SandboxServeArgs),
}

#[derive(Debug, Args)]
pub struct SandboxServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one)
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// State file (default: the one `--sandbox` uses)
    #[arg(long, value_name = "FILE")]
    pub state: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// The clap command tree, for completions, man pages and the drift test.
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    #[test]
    fn clap_definition_is_consistent() {
        super::command().debug_assert();
    }
}
