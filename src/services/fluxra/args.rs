//! Fluxra's command line: the clap types of its commands (help text and flags), each turned
//! into the plain input its operation takes. Nothing but this file in the service knows clap.

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct RegisterFluxraArgs {
    /// Agent name: 3-50 letters, digits or '-'
    #[arg(long)]
    pub name: String,
    /// Contact email for the agent (optional)
    #[arg(long)]
    pub email: Option<String>,
    /// What the agent does, as the service shows it (optional)
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

impl KeysCommand {
    /// Whether the command shows a new secret, which `--reveal` prints.
    pub fn shows_new_secret(&self) -> bool {
        matches!(self, KeysCommand::Create(_) | KeysCommand::Rotate)
    }
}

#[derive(Debug, Args)]
pub struct KeysCreateArgs {
    /// A name for the key, to tell it apart in `keys list`
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Scopes of the new key (repeatable; default: the service's defaults)
    #[arg(long = "scope", value_name = "S")]
    pub scopes: Vec<String>,
    /// Expiry of the new key in days (default: no expiry)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub expires_in_days: Option<u32>,
    /// Make the new key the profile's key
    #[arg(long = "use")]
    pub use_key: bool,
}

#[derive(Debug, Args)]
pub struct KeysRevokeArgs {
    /// The key's id, as `keys list` shows it
    pub key_id: String,
    /// Allow revoking the key the profile uses
    #[arg(long)]
    pub force: bool,
}

impl From<RegisterFluxraArgs> for super::register::Registration {
    fn from(args: RegisterFluxraArgs) -> Self {
        super::register::Registration {
            name: args.name,
            email: args.email,
            description: args.description,
            key_name: args.key_name,
            scopes: args.scopes,
            key_expires_in_days: args.key_expires_in_days,
        }
    }
}

impl From<KeysCommand> for super::keys::KeysAction {
    fn from(command: KeysCommand) -> Self {
        match command {
            KeysCommand::List => super::keys::KeysAction::List,
            KeysCommand::Create(args) => super::keys::KeysAction::Create(args.into()),
            KeysCommand::Revoke(args) => super::keys::KeysAction::Revoke(args.into()),
            KeysCommand::Rotate => super::keys::KeysAction::Rotate,
        }
    }
}

impl From<KeysCreateArgs> for super::keys::KeyCreate {
    fn from(args: KeysCreateArgs) -> Self {
        super::keys::KeyCreate {
            name: args.name,
            scopes: args.scopes,
            expires_in_days: args.expires_in_days,
            use_key: args.use_key,
        }
    }
}

impl From<KeysRevokeArgs> for super::keys::KeyRevoke {
    fn from(args: KeysRevokeArgs) -> Self {
        super::keys::KeyRevoke {
            key_id: args.key_id,
            force: args.force,
        }
    }
}
