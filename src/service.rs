//! What a service can do, as behaviour: the interface each service module implements once and
//! the generic commands call. Its data half is [`crate::spec::ServiceSpec`].
//!
//! Optional capabilities are `Option<&dyn …>`: a generic command asks the profile's service
//! for the capability and, when it has none, refuses with exit 2 naming the services that do
//! (computed from the registry, see [`crate::services::refuse`]).

use std::sync::OnceLock;

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::health::Probe;
use crate::profile::Profile;
use crate::session::Session;
use crate::spec::{Provider, ServiceSpec};
use crate::status_view::{StatusQuery, StatusReport};
use crate::view::View;

static INSTALLED: OnceLock<&'static [&'static dyn Service]> = OnceLock::new();

/// Make the registry's services known to generic code ([`of`]), so that the code below the
/// registry reaches a profile's service without naming the registry; the registry calls this
/// once at start-up (later calls are no-ops: the list is fixed for the life of the process).
pub fn install(services: &'static [&'static dyn Service]) {
    let _ = INSTALLED.set(services);
}

/// The service behind a profile's provider.
pub fn of(provider: Provider) -> Result<&'static dyn Service> {
    INSTALLED
        .get()
        .copied()
        .unwrap_or_default()
        .iter()
        .copied()
        .find(|s| s.spec().id == provider.id())
        .ok_or_else(|| {
            // A Provider is only ever made from a spec of the registry (installed from it, or
            // a service module's own SPEC), and the registry installs itself before any
            // command runs, so this would be a bug.
            Error::internal(format!(
                "service '{}' is not in the registry",
                provider.id()
            ))
        })
}

pub trait Service: Sync {
    fn spec(&self) -> &'static ServiceSpec;

    /// The `--json` outputs of the service's commands (`register ID`, `status`, its nouns),
    /// by command path, for `agentcred schema`.
    fn outputs(&self) -> Vec<crate::output::Output>;

    /// `agentcred status`: the agent as the service sees it, plus the local facts, as a view
    /// the caller renders (the command line) or returns (MCP).
    fn status(
        &self,
        ctx: &Ctx,
        session: &Session,
        query: &StatusQuery,
    ) -> Result<Box<dyn StatusReport>>;

    /// For `status --check`: one look at the agent as the service sees it (its state and its
    /// budget), with as few calls as the service allows. The credential itself was checked
    /// before, so a call that needs it finds it fresh.
    fn probe(&self, ctx: &Ctx, session: &Session) -> Result<Probe>;

    /// Refuse (with the service's own words) to hand out a credential of an agent the
    /// service no longer has: deregistered, deleted.
    fn check_agent_usable(&self, session: &Session) -> Result<()> {
        let _ = session;
        Ok(())
    }

    /// Check an operator key with one read-only call before `login` stores it (services with
    /// operator keys override this; the others have none to check).
    fn check_operator_key(
        &self,
        http: &crate::http::Http,
        endpoints: &crate::profile::Endpoints,
        key: &crate::operator::OperatorKey,
    ) -> Result<()> {
        let _ = (http, endpoints, key);
        Ok(())
    }

    /// Spending limits, if the service has them.
    fn limits(&self) -> Option<&dyn Limits> {
        None
    }

    /// The operator's lifecycle of the agent (suspend, activate, ...), if the service has one.
    fn lifecycle(&self) -> Option<&dyn Lifecycle> {
        None
    }

    /// What the service can do in an incident: run-scoped credentials, revoking spares,
    /// rotating a leaked secret. A service without it mints nothing for a run and rotates
    /// nothing.
    fn incident(&self) -> Option<&dyn Incident> {
        None
    }
}

/// A credential minted for one run (`--ephemeral`): used instead of the profile's own secret
/// of `kind`, and revoked by `id` when the run ends.
pub struct RunCredential {
    pub id: String,
    pub kind: &'static str,
    pub value: crate::secret::Secret<String>,
}

/// What happened to one leaked secret under `leaks scan --rotate`.
pub enum Rotation {
    /// Replaced (create, use, revoke the old one): what was done.
    Rotated(String),
    /// The service offers no way to replace it here: what to do instead.
    Cannot(String),
    Failed(crate::error::Error),
}

/// The incident ladder's service side (freeze --upstream, --ephemeral, leaks --rotate).
pub trait Incident: Sync {
    /// Mint a credential for one run, named `name` (so a person recognizes it in the
    /// service's console); `None` when the service's credential is short-lived already.
    fn mint_run(&self, ctx: &Ctx, session: &Session, name: &str) -> Result<Option<RunCredential>>;

    /// Revoke a credential [`Incident::mint_run`] made; one already gone counts as revoked.
    fn revoke_run(&self, ctx: &Ctx, session: &Session, id: &str) -> Result<()>;

    /// Revoke every spare credential the profile keeps: each one's name, and what happened.
    fn revoke_spares(&self, ctx: &Ctx, name: &str) -> Vec<(String, Result<()>)>;

    /// Replace the profile's leaked secret of `kind` (the create/use/revoke rule).
    fn rotate(&self, ctx: &Ctx, name: &str, kind: &str) -> Rotation;
}

/// `agentcred limits`: each operation returns what it found (or set) as a view, which the
/// command line renders and MCP or the gateway could return as it is.
pub trait Limits: Sync {
    fn show(&self, ctx: &Ctx, name: String, profile: Profile) -> Result<Box<dyn View>>;

    /// Whether `limits set` applies; [`Limits::set`] is only called when it does.
    fn settable(&self) -> bool {
        false
    }

    fn set(
        &self,
        ctx: &Ctx,
        name: String,
        profile: Profile,
        change: LimitsChange,
    ) -> Result<Box<dyn View>> {
        let _ = (ctx, name, profile, change);
        Err(crate::error::Error::internal("these limits cannot be set"))
    }
}

/// `agentcred agent`: the actions a service has (`show`, `suspend`, `activate`, `block`,
/// `deregister`, `delete`, as [`AgentAction::name`] names them). An action the profile's
/// service lacks is refused before [`Lifecycle::run`], naming the services that have it.
pub trait Lifecycle: Sync {
    fn actions(&self) -> &'static [&'static str];

    /// What to do instead of an action this service lacks, for the refusal's hint.
    fn instead(&self, action: &str) -> Option<&'static str> {
        let _ = action;
        None
    }

    /// Carry out `action` (asking for confirmation where it is irreversible, unless the
    /// action says yes) and return the agent as it now is, as a view the caller renders.
    fn run(
        &self,
        ctx: &Ctx,
        name: String,
        profile: Profile,
        action: AgentAction,
    ) -> Result<Box<dyn View>>;
}

/// One action of `agentcred agent`, with what the operator said about it. The command line
/// builds it from its arguments; other callers (freeze) build it directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentAction {
    Show,
    Suspend { reason: Option<String> },
    Activate,
    Block { reason: String, yes: bool },
    Deregister { yes: bool },
    Delete { yes: bool },
}

impl AgentAction {
    /// The action's name, as the command line spells it and [`Lifecycle::actions`] lists it.
    pub fn name(&self) -> &'static str {
        match self {
            AgentAction::Show => "show",
            AgentAction::Suspend { .. } => "suspend",
            AgentAction::Activate => "activate",
            AgentAction::Block { .. } => "block",
            AgentAction::Deregister { .. } => "deregister",
            AgentAction::Delete { .. } => "delete",
        }
    }
}

/// `limits set`: what to change; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitsChange {
    /// The new limit as the user wrote it (dollars); the service parses it.
    pub spending_limit: Option<String>,
    pub frequency: Option<Frequency>,
    pub on_limit_exceeded: Option<LimitAction>,
}

/// The period a spending limit applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    PerTransaction,
    Per24HourPeriod,
    PerWeek,
    PerMonth,
    PerYear,
    AllTime,
}

impl Frequency {
    pub const ALL: [Frequency; 6] = [
        Frequency::PerTransaction,
        Frequency::Per24HourPeriod,
        Frequency::PerWeek,
        Frequency::PerMonth,
        Frequency::PerYear,
        Frequency::AllTime,
    ];

    /// Its name, as the command line and the service's wire both spell it.
    pub fn name(self) -> &'static str {
        match self {
            Frequency::PerTransaction => "perTransaction",
            Frequency::Per24HourPeriod => "per24HourPeriod",
            Frequency::PerWeek => "perWeek",
            Frequency::PerMonth => "perMonth",
            Frequency::PerYear => "perYear",
            Frequency::AllTime => "allTime",
        }
    }
}

/// What the service does when the spending limit is exceeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitAction {
    Suspend,
    Notify,
    None,
}

impl LimitAction {
    pub const ALL: [LimitAction; 3] =
        [LimitAction::Suspend, LimitAction::Notify, LimitAction::None];

    /// Its name, as the command line and the service's wire both spell it.
    pub fn name(self) -> &'static str {
        match self {
            LimitAction::Suspend => "suspend",
            LimitAction::Notify => "notify",
            LimitAction::None => "none",
        }
    }
}

/// For a [`Lifecycle::run`] given an action outside its [`Lifecycle::actions`], which the
/// generic command refuses first: reaching it is a bug, reported as one.
pub fn action_not_offered(service: &ServiceSpec, action: &str) -> crate::error::Error {
    crate::error::Error::internal(format!(
        "{} has no `agent {action}`, and it should have been refused before",
        service.display_name
    ))
}
