//! `status` for a Proxy profile: the agent (status, user, created), its spending policy with
//! every amount in both units, its card count, and the profile's agent token (prefix, id,
//! which store holds it, whether the service still accepts it), plus which operator key was
//! used (dev or live, from the environment or the store; never the key).
//!
//! With no operator key but a stored agent token, status reads what the agent may read of
//! itself with `Authorization: Bearer at_…`; a revoked token is then refused (exit 4) with the
//! way to a new one. A deregistered profile (see `agent deregister`) is reported from the
//! profile alone when there is no operator key to ask the service with.

use serde::Serialize;

use super::ProxyRecord;
use super::client::{self as api, Client, Credential};
use super::support::{self as common, AgentView, OperatorFacts, PolicyView, ProfileToken};
use crate::context::Ctx;
use crate::error::Result;
use crate::health::{AgentState, Probe};
use crate::local::LocalFacts;
use crate::output::{Human, Output, tables};
use crate::secret::Secret;
use crate::session::Session;
use crate::status_view::{StatusCommon, StatusDetails, StatusQuery, StatusReport, StatusView};
use crate::store::StoreKind;

/// What only Proxy's status reports.
#[derive(Serialize, schemars::JsonSchema)]
struct ProxyDetails {
    deregistered: bool,
    /// What the service was asked with: `operator` (the organization key), `agent_token`, or
    /// `none` (a deregistered profile described from the profile alone).
    read_with: &'static str,
    operator_key: Option<OperatorFacts>,
    agent: AgentView,
    policy: Option<PolicyView>,
    card_count: Option<u64>,
    token: TokenStatus,
    notes: Vec<String>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct TokenStatus {
    token_id: Option<String>,
    prefix: Option<String>,
    /// `dev` or `live`, from the token's prefix.
    environment: Option<&'static str>,
    /// The store holding it; `None` when the profile has no token.
    stored_in: Option<StoreKind>,
    /// Whether the service accepts it (`None` when that could not be learned).
    active: Option<bool>,
}

impl TokenStatus {
    /// The profile's token (`mine`, its secret `stored` when it has one); whether the service
    /// accepts it is not asked here.
    fn of(session: &Session, stored: Option<&Secret<String>>, mine: &ProfileToken) -> TokenStatus {
        TokenStatus {
            token_id: mine.id.clone(),
            prefix: mine.prefix.clone(),
            environment: stored
                .map(|t| api::environment(t.expose()))
                .filter(|env| *env != "unknown"),
            stored_in: stored.map(|_| session.profile.store),
            active: None,
        }
    }
}

impl StatusDetails for ProxyDetails {
    fn human(&self, common: &StatusCommon, out: &mut Human) {
        let sandbox = if common.sandbox { " (sandbox)" } else { "" };
        out.line(format!(
            "Profile '{}': Proxy agent {}{sandbox}",
            common.profile, self.agent.id
        ));
        self.agent.render(out);
        if let Some(policy) = &self.policy {
            out.heading("Spending policy");
            policy.render(out);
        }
        out.heading("Agent token");
        let active = match self.token.active {
            Some(true) => "yes".to_owned(),
            Some(false) => "no (revoked or expired)".to_owned(),
            None => "-".to_owned(),
        };
        let stored = match (self.token.stored_in, self.token.environment) {
            (Some(store), Some(env)) => format!("{store} store ({env} token)"),
            (Some(store), None) => format!("{store} store"),
            (None, _) => "missing".to_owned(),
        };
        out.fields(&[
            ("prefix", tables::cell(self.token.prefix.as_deref())),
            ("id", tables::cell(self.token.token_id.as_deref())),
            ("stored in", stored),
            ("active", active),
        ]);
        out.heading("Operator key");
        out.line(match (&self.operator_key, self.read_with) {
            (Some(key), _) => key.describe(),
            (None, "agent_token") => {
                "none (read with the agent token; set PROXY_API_KEY or run `agentcred login proxy` for more)".to_owned()
            }
            (None, _) => "none".to_owned(),
        });
        for note in &self.notes {
            out.line(format!("Note: {note}"));
        }
        out.heading("Local credentials");
        common.local.render(out);
    }
}

pub(super) fn show(
    ctx: &Ctx,
    session: &Session,
    _query: &StatusQuery,
) -> Result<Box<dyn StatusReport>> {
    let record = common::record_of(&session.profile);
    let stored_token = session.secret("token")?;
    let mine = ProfileToken::of(session)?;
    let mut token = TokenStatus::of(session, stored_token.as_ref(), &mine);
    let locally_deregistered = record.deregistered_at.clone();
    let mut common = StatusCommon::new(
        &session.name,
        super::PROVIDER,
        session.profile.sandbox,
        &session.profile.agent_id,
        LocalFacts::read(session)?,
    );

    // A deregistered agent's token is revoked: without an operator key there is nothing the
    // service would tell us, so the profile speaks for itself.
    let operator = match common::operator_if_any(ctx, session)? {
        Some(found) => Some(found),
        None if locally_deregistered.is_some() || stored_token.is_some() => None,
        None => return Err(no_credential(session)),
    };
    if operator.is_none()
        && let Some(at) = &locally_deregistered
    {
        token.active = stored_token.as_ref().map(|_| false);
        common.agent_status = Some(AgentState::Deregistered);
        let notes = vec![deregistered_note(session)];
        let details = described_locally(session, &record, at, token, notes);
        return Ok(Box::new(StatusView { common, details }));
    }

    let (client, operator_key) = match operator {
        Some((client, key)) => (client, Some(key)),
        None => common::reader(ctx, session)?,
    };
    let agent_id = &session.profile.agent_id;
    let agent = client.agent(agent_id)?;
    let deregistered = agent.status.as_deref() == Some("deregistered");
    let (policy, card_count) = policy_and_cards(&client, agent_id, &agent, deregistered)?;
    token.active = token_active(&client, agent_id, &mine, stored_token.is_some())?;

    let notes = if deregistered {
        if locally_deregistered.is_none() {
            remember_deregistered(ctx, session, &agent)?;
        }
        vec![deregistered_note(session)]
    } else {
        live_notes(
            session,
            stored_token.is_some(),
            token.active,
            agent.status.as_deref(),
        )
    };
    common.agent_status = Some(agent_state(agent.status.as_deref()));
    common.budget = policy.as_ref().map(PolicyView::budget);
    let details = ProxyDetails {
        deregistered,
        read_with: if client.is_operator() {
            "operator"
        } else {
            "agent_token"
        },
        operator_key,
        agent: AgentView::from_api(&agent),
        policy,
        card_count,
        token,
        notes,
    };
    Ok(Box::new(StatusView { common, details }))
}

/// The spending policy and card count of an agent that is not deregistered; a deregistered
/// one has no policy, and only the card count its record gives.
fn policy_and_cards(
    client: &Client,
    agent_id: &str,
    agent: &api::Agent,
    deregistered: bool,
) -> Result<(Option<PolicyView>, Option<u64>)> {
    if deregistered {
        return Ok((None, agent.card_count));
    }
    let policy = client.policy(agent_id)?;
    let count = match agent.card_count {
        Some(count) => count,
        None => client.cards(agent_id)?.len() as u64,
    };
    Ok((Some(PolicyView::from_api(&policy)), Some(count)))
}

/// Whether the service accepts the profile's token (`mine`): yes when `client` reads as the
/// agent (its reads just succeeded with that token); with the operator key, the service's
/// token list says, when the profile stores a token at all (`None` when it stores none).
fn token_active(
    client: &Client,
    agent_id: &str,
    mine: &ProfileToken,
    stored: bool,
) -> Result<Option<bool>> {
    if !client.is_operator() {
        return Ok(Some(true));
    }
    if !stored {
        return Ok(None);
    }
    let tokens = client.tokens(agent_id)?;
    Ok(Some(
        tokens
            .iter()
            .find(|t| mine.is(t))
            .is_some_and(|t| t.is_active.unwrap_or(true)),
    ))
}

/// An agent deregistered elsewhere (another machine, the dashboard): the profile records
/// it, with when the service says it happened (or now).
fn remember_deregistered(ctx: &Ctx, session: &Session, agent: &api::Agent) -> Result<()> {
    let at = AgentView::from_api(agent)
        .deregistered_at
        .unwrap_or_else(|| crate::timefmt::from_unix_secs(crate::timefmt::now_unix()));
    common::update_record(ctx, &session.name, |r| r.deregistered_at = Some(at))
}

/// A profile with neither an operator key nor the agent's own token has no working
/// credential at all (exit 4), and the way back needs a key.
fn no_credential(session: &Session) -> crate::error::Error {
    crate::error::Error::coded(
        crate::error::Code::CredentialRevoked,
        format!(
            "profile '{}' has no working credential: it holds no agent token (revoked and removed, or never stored) and no Proxy operator key is configured",
            session.name
        ),
    )
    .with_provider(super::PROVIDER.id())
    .with_hint(format!(
        "{}; then `agentcred --profile {} tokens create --use` gives the profile a new token",
        crate::operator::how_to_provide(super::PROVIDER),
        session.name
    ))
}

/// The details of a profile deregistered (`at`) here, described from the profile alone: with
/// no operator key, the service has nothing to tell about a deregistered agent.
fn described_locally(
    session: &Session,
    record: &ProxyRecord,
    at: &str,
    token: TokenStatus,
    notes: Vec<String>,
) -> ProxyDetails {
    ProxyDetails {
        deregistered: true,
        read_with: "none",
        operator_key: None,
        agent: AgentView {
            id: session.profile.agent_id.clone(),
            external_id: record.external_id.clone(),
            user_id: record.user_id.clone(),
            name: session.profile.agent_name.clone(),
            description: None,
            status: Some("deregistered".to_owned()),
            created_at: Some(session.profile.created_at.clone()),
            deregistered_at: Some(at.to_owned()),
            max_cards: None,
            card_count: None,
        },
        policy: None,
        card_count: None,
        token,
        notes,
    }
}

/// What needs attention about an agent that is not deregistered: a missing or revoked token
/// (`active`), a suspension.
fn live_notes(
    session: &Session,
    has_token: bool,
    active: Option<bool>,
    status: Option<&str>,
) -> Vec<String> {
    let mut notes = Vec::new();
    match (has_token, active) {
        (false, _) => notes.push(format!(
            "the profile has no agent token; create one with `agentcred --profile {} tokens create --use`",
            session.name
        )),
        (true, Some(false)) => notes.push(format!(
            "the profile's agent token was revoked; create a new one with `agentcred --profile {} tokens create --use`",
            session.name
        )),
        _ => {}
    }
    if status == Some("suspended") {
        notes.push(
            "the agent is suspended and its cards are frozen; `agentcred agent activate` reactivates it".to_owned(),
        );
    }
    notes
}

/// The agent's state in the shape every service's status shares, from Proxy's status word.
fn agent_state(status: Option<&str>) -> AgentState {
    match status {
        Some("deregistered") => AgentState::Deregistered,
        Some("suspended" | "frozen" | "inactive") => AgentState::Suspended,
        _ => AgentState::Active,
    }
}

/// `status --check`: the agent's status and its policy, read with the agent's own token, which
/// is the credential being checked (a revoked token is a 401 here; the org key would hide it).
pub(super) fn probe(session: &Session) -> Result<Probe> {
    if common::record_of(&session.profile)
        .deregistered_at
        .is_some()
    {
        return Ok(Probe {
            state: AgentState::Deregistered,
            budget: None,
        });
    }
    let token = session.require_known_secret("token")?;
    let client = Client::new(
        session.http,
        session.endpoint("api"),
        Credential::Agent(token),
    );
    let agent_id = &session.profile.agent_id;
    let agent = client.agent(agent_id)?;
    let state = agent_state(agent.status.as_deref());
    if state == AgentState::Deregistered {
        return Ok(Probe {
            state,
            budget: None,
        });
    }
    let policy = PolicyView::from_api(&client.policy(agent_id)?);
    Ok(Probe {
        state,
        budget: Some(policy.budget()),
    })
}

fn deregistered_note(session: &Session) -> String {
    format!(
        "the agent is deregistered (its tokens are revoked); its external id is free again: `{}` registers a new agent into this profile",
        common::reregister_command(&session.name, &session.profile)
    )
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("status", schema_of::<StatusView<ProxyDetails>>())]
}
