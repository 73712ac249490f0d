//! `agentcred cards list | create --purpose TEXT [--type single|multi] [--max-amount AMOUNT] |
//! show CARD_ID` (Proxy).
//!
//! Cards show their last four digits, status, type, limits in both units and expiry; a PAN or
//! CVV is never requested nor shown (`POST /v1/cards/{id}/details` is not called). `list` reads
//! every page, with the operator key or else the agent's own token; `create` and `show` need
//! the operator key. A card the agent may not have (its `maxCards`) is refused with exit 8, as
//! is a card for a suspended agent.
//!
//! Each operation returns its result as a view, which the caller renders.

use serde::Serialize;

use super::support::{self as common, CardView, parse_cents, render_cards};
use crate::context::Ctx;

use super::client::CardRequest;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::session::Session;
use crate::spec::Provider;
use crate::view::View;

pub fn run(ctx: &Ctx, command: CardsAction) -> Result<Box<dyn View>> {
    let session = common::session(ctx, "cards")?;
    match command {
        CardsAction::List => list(ctx, &session),
        CardsAction::Create(args) => create(ctx, &session, args),
        CardsAction::Show(args) => show(ctx, &session, args),
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct CardList {
    profile: String,
    provider: Provider,
    agent_id: String,
    cards: Vec<CardView>,
}

impl Render for CardList {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "Cards of Proxy agent {} (profile '{}'):",
            self.agent_id, self.profile
        ));
        render_cards(out, &self.cards);
    }
}

fn list(ctx: &Ctx, session: &Session) -> Result<Box<dyn View>> {
    let (client, _) = common::reader(ctx, session)?;
    let cards = client.cards(&session.profile.agent_id)?;
    Ok(Box::new(CardList {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        cards: cards.iter().map(CardView::from_api).collect(),
    }))
}

#[derive(Serialize, schemars::JsonSchema)]
struct OneCard {
    profile: String,
    provider: Provider,
    agent_id: String,
    card: CardView,
    #[serde(skip)]
    created: bool,
}

impl Render for OneCard {
    fn human(&self, out: &mut Human) {
        if self.created {
            out.line(format!(
                "Created a card for Proxy agent {} (profile '{}'):",
                self.agent_id, self.profile
            ));
        }
        self.card.render(out);
    }
}

fn create(ctx: &Ctx, session: &Session, args: CardCreate) -> Result<Box<dyn View>> {
    let purpose = args.purpose.trim();
    if purpose.is_empty() {
        return Err(Error::usage("--purpose is empty")
            .with_hint("say what the card is for, e.g. --purpose \"Order dinner\""));
    }
    let max_amount = args
        .max_amount
        .as_deref()
        .map(|v| parse_cents(v, "--max-amount"))
        .transpose()?;
    if max_amount == Some(0) {
        return Err(Error::usage("--max-amount must be more than 0")
            .with_hint("leave --max-amount out for no per-card maximum"));
    }
    common::refuse_if_deregistered(session)?;
    let (client, _) = common::operator(ctx, session)?;
    // A card may not outspend the agent's own limit: say so rather than let it look usable.
    if let Some(max) = max_amount
        && let Ok(policy) = client.policy(&session.profile.agent_id)
        && let Some(limit) = policy.spending_limit
        && max > limit
    {
        ctx.printer.warn_coded(
            "card_above_limit",
            format!(
                "the card's maximum ({}) is above the agent's spending limit ({}); the limit applies",
                crate::amount::usd_cents(max).short(),
                crate::amount::usd_cents(limit).short()
            ),
        );
    }
    let card = client.create_card(
        &session.profile.agent_id,
        &CardRequest {
            purpose: purpose.to_owned(),
            card_type: args.card_type.map(|t| {
                match t {
                    CardType::Single => "single",
                    CardType::Multi => "multi",
                }
                .to_owned()
            }),
            max_amount,
        },
    )?;
    Ok(Box::new(OneCard {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        card: CardView::from_api(&card),
        created: true,
    }))
}

fn show(ctx: &Ctx, session: &Session, args: CardShow) -> Result<Box<dyn View>> {
    let card_id = args.card_id.trim();
    if card_id.is_empty() {
        return Err(Error::usage("the card id is empty")
            .with_hint("see the ids with `agentcred cards list`"));
    }
    let (client, _) = common::operator(ctx, session)?;
    let card = client.card(card_id)?;
    // The command is about the profile's agent: another agent's card is not one of its cards.
    if let Some(owner) = card.agent_id.as_deref()
        && owner != session.profile.agent_id
    {
        return Err(Error::not_found(format!(
            "card {card_id} belongs to agent {owner}, not to agent {} of profile '{}'",
            session.profile.agent_id, session.name
        ))
        .with_provider(super::PROVIDER.id())
        .with_hint("pick that agent's profile with --profile NAME, or list this agent's cards with `agentcred cards list`"));
    }
    Ok(Box::new(OneCard {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        card: CardView::from_api(&card),
        created: false,
    }))
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("cards list", schema_of::<CardList>()),
        ("cards create", schema_of::<OneCard>()),
        ("cards show", schema_of::<OneCard>()),
    ]
}

// What this module's operations take; the command line builds it (see `args.rs`).

#[derive(Debug, Clone)]
pub enum CardsAction {
    /// List the agent's cards
    List,
    /// Create a card
    Create(CardCreate),
    /// Show one card (never its PAN or CVV)
    Show(CardShow),
}

#[derive(Debug, Clone)]
pub struct CardCreate {
    pub purpose: String,
    pub card_type: Option<CardType>,
    /// Maximum amount in dollars
    pub max_amount: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardType {
    Single,
    Multi,
}

#[derive(Debug, Clone)]
pub struct CardShow {
    pub card_id: String,
}
