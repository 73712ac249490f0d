//! Proxy's command line: the clap types of its commands (help text and flags), each turned
//! into the plain input its operation takes. Nothing but this file in the service knows clap.

use clap::{Args, Subcommand, ValueEnum};

use crate::service::{Frequency, LimitAction};

#[derive(Debug, Args)]
pub struct RegisterProxyArgs {
    /// Your identifier for the agent, unique in your organization
    #[arg(long, value_name = "ID")]
    pub external_id: String,
    /// The user who funds the agent (user_...)
    #[arg(long, value_name = "USER")]
    pub user: String,
    /// The agent's display name
    #[arg(long)]
    pub name: String,
    /// What the agent does, as the service shows it (optional)
    #[arg(long, value_name = "D")]
    pub description: Option<String>,
    /// Spending limit in dollars (e.g. 500 or 12.50)
    #[arg(long, value_name = "AMOUNT", allow_negative_numbers = true)]
    pub spending_limit: Option<String>,
    /// The period over which spending counts against --spending-limit
    #[arg(long, value_enum, value_name = "FREQ")]
    pub frequency: Option<Frequency>,
    /// What the service does when the agent reaches its limit
    #[arg(long, value_enum, value_name = "ACTION")]
    pub on_limit_exceeded: Option<LimitAction>,
    /// Maximum number of concurrent cards
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub max_cards: Option<u32>,
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

impl CardsCommand {
    /// Whether the command shows a new secret, which `--reveal` prints: a card's number is
    /// not a credential agentcred keeps.
    pub fn shows_new_secret(&self) -> bool {
        false
    }
}

#[derive(Debug, Args)]
pub struct CardsCreateArgs {
    /// What the card is for (the service records it with the card)
    #[arg(long, value_name = "TEXT")]
    pub purpose: String,
    /// Single-use (closes after one charge) or multi-use
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
    /// The card's id, as `cards list` shows it
    pub card_id: String,
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// List the agent's tokens (never the secrets)
    List,
    /// Create an agent token, stored as a spare (or as the profile's token with --use)
    Create(TokensCreateArgs),
    /// Revoke an agent token
    Revoke(TokensRevokeArgs),
}

impl TokensCommand {
    /// Whether the command shows a new secret, which `--reveal` prints.
    pub fn shows_new_secret(&self) -> bool {
        matches!(self, TokensCommand::Create(_))
    }
}

#[derive(Debug, Args)]
pub struct TokensCreateArgs {
    /// A name for the token, to tell it apart in `tokens list`
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Make the new token the profile's token (the previous one stays stored as a spare)
    #[arg(long = "use")]
    pub use_token: bool,
}

#[derive(Debug, Args)]
pub struct TokensRevokeArgs {
    /// The token's id, as `tokens list` shows it
    pub token_id: String,
    /// Allow revoking the token the profile uses
    #[arg(long)]
    pub force: bool,
}

impl From<RegisterProxyArgs> for super::register::Registration {
    fn from(args: RegisterProxyArgs) -> Self {
        super::register::Registration {
            external_id: args.external_id,
            user: args.user,
            name: args.name,
            description: args.description,
            spending_limit: args.spending_limit,
            frequency: args.frequency,
            on_limit_exceeded: args.on_limit_exceeded,
            max_cards: args.max_cards,
        }
    }
}

impl From<CardsCommand> for super::cards::CardsAction {
    fn from(command: CardsCommand) -> Self {
        match command {
            CardsCommand::List => super::cards::CardsAction::List,
            CardsCommand::Create(args) => super::cards::CardsAction::Create(args.into()),
            CardsCommand::Show(args) => super::cards::CardsAction::Show(args.into()),
        }
    }
}

impl From<CardsCreateArgs> for super::cards::CardCreate {
    fn from(args: CardsCreateArgs) -> Self {
        super::cards::CardCreate {
            purpose: args.purpose,
            card_type: args.card_type.map(Into::into),
            max_amount: args.max_amount,
        }
    }
}

impl From<CardType> for super::cards::CardType {
    fn from(card_type: CardType) -> Self {
        match card_type {
            CardType::Single => super::cards::CardType::Single,
            CardType::Multi => super::cards::CardType::Multi,
        }
    }
}

impl From<CardsShowArgs> for super::cards::CardShow {
    fn from(args: CardsShowArgs) -> Self {
        super::cards::CardShow {
            card_id: args.card_id,
        }
    }
}

impl From<TokensCommand> for super::tokens::TokensAction {
    fn from(command: TokensCommand) -> Self {
        match command {
            TokensCommand::List => super::tokens::TokensAction::List,
            TokensCommand::Create(args) => super::tokens::TokensAction::Create(args.into()),
            TokensCommand::Revoke(args) => super::tokens::TokensAction::Revoke(args.into()),
        }
    }
}

impl From<TokensCreateArgs> for super::tokens::TokenCreate {
    fn from(args: TokensCreateArgs) -> Self {
        super::tokens::TokenCreate {
            name: args.name,
            use_token: args.use_token,
        }
    }
}

impl From<TokensRevokeArgs> for super::tokens::TokenRevoke {
    fn from(args: TokensRevokeArgs) -> Self {
        super::tokens::TokenRevoke {
            token_id: args.token_id,
            force: args.force,
        }
    }
}
