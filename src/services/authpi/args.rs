//! AuthPI's command line: the clap types of its commands (help text and flags), each turned
//! into the plain input its operation takes. Nothing but this file in the service knows clap.

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct RegisterAuthpiArgs {
    /// AuthPI account id (acc_...)
    #[arg(long, value_name = "ACC")]
    pub account: String,
    /// AuthPI issuer id (i_...)
    #[arg(long, value_name = "ISS")]
    pub issuer: String,
    /// The agent's display name
    #[arg(long)]
    pub name: String,
    /// What the agent does, as the service shows it (optional)
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

impl VerifiersCommand {
    /// Whether the command shows a new secret, which `--reveal` prints.
    pub fn shows_new_secret(&self) -> bool {
        matches!(self, VerifiersCommand::Add(VerifiersAddCommand::Secret(_)))
    }
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
    /// A name for the verifier, to tell it apart in `verifiers list`
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Make the new secret the profile's client secret
    #[arg(long = "use")]
    pub use_secret: bool,
}

#[derive(Debug, Args)]
pub struct VerifierWalletArgs {
    /// The wallet's address on --network (e.g. 0x...)
    #[arg(long, value_name = "ADDR")]
    pub address: String,
    /// CAIP-2 network id, e.g. eip155:8453
    #[arg(long, value_name = "CAIP2")]
    pub network: String,
    /// A name for the verifier, to tell it apart in `verifiers list`
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifiersRemoveArgs {
    /// The verifier's id, as `verifiers list` shows it
    pub verifier_id: String,
    /// Allow removing the verifier whose secret the profile uses
    #[arg(long)]
    pub force: bool,
}

impl From<RegisterAuthpiArgs> for super::register::Registration {
    fn from(args: RegisterAuthpiArgs) -> Self {
        super::register::Registration {
            account: args.account,
            issuer: args.issuer,
            name: args.name,
            description: args.description,
            model: args.model,
            provider: args.provider,
            agent_version: args.agent_version,
            scopes: args.scopes,
            metadata: args.metadata,
            no_secret: args.no_secret,
        }
    }
}

impl From<VerifiersCommand> for super::verifiers::VerifiersAction {
    fn from(command: VerifiersCommand) -> Self {
        match command {
            VerifiersCommand::List => super::verifiers::VerifiersAction::List,
            VerifiersCommand::Add(args) => super::verifiers::VerifiersAction::Add(args.into()),
            VerifiersCommand::Remove(args) => {
                super::verifiers::VerifiersAction::Remove(args.into())
            }
        }
    }
}

impl From<VerifiersAddCommand> for super::verifiers::VerifierAdd {
    fn from(command: VerifiersAddCommand) -> Self {
        match command {
            VerifiersAddCommand::Secret(args) => super::verifiers::VerifierAdd::Secret(args.into()),
            VerifiersAddCommand::Wallet(args) => super::verifiers::VerifierAdd::Wallet(args.into()),
        }
    }
}

impl From<VerifierSecretArgs> for super::verifiers::VerifierSecret {
    fn from(args: VerifierSecretArgs) -> Self {
        super::verifiers::VerifierSecret {
            name: args.name,
            use_secret: args.use_secret,
        }
    }
}

impl From<VerifierWalletArgs> for super::verifiers::VerifierWallet {
    fn from(args: VerifierWalletArgs) -> Self {
        super::verifiers::VerifierWallet {
            address: args.address,
            network: args.network,
            name: args.name,
        }
    }
}

impl From<VerifiersRemoveArgs> for super::verifiers::VerifierRemove {
    fn from(args: VerifiersRemoveArgs) -> Self {
        super::verifiers::VerifierRemove {
            verifier_id: args.verifier_id,
            force: args.force,
        }
    }
}
