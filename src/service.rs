//! What a service can do, as behaviour: the interface each service module implements once and
//! the generic commands call. Its data half is [`crate::spec::ServiceSpec`].
//!
//! Optional capabilities are `Option<&dyn …>`: a generic command asks the profile's service
//! for the capability and, when it has none, refuses with exit 2 naming the services that do
//! (computed from the registry, see [`crate::services::refuse`]).

use crate::cli::args::{AgentCommand, LimitsSetArgs};
use crate::context::Ctx;
use crate::error::Result;
use crate::health::Probe;
use crate::profile::Profile;
use crate::session::Session;
use crate::spec::ServiceSpec;
use crate::status_view::{StatusQuery, StatusReport};

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

/// `agentcred limits`.
pub trait Limits: Sync {
    fn show(&self, ctx: &Ctx, name: String, profile: Profile) -> Result<()>;

    /// Whether `limits set` applies; [`Limits::set`] is only called when it does.
    fn settable(&self) -> bool {
        false
    }

    fn set(&self, ctx: &Ctx, name: String, profile: Profile, args: LimitsSetArgs) -> Result<()> {
        let _ = (ctx, name, profile, args);
        Err(crate::error::Error::internal("these limits cannot be set"))
    }
}

/// `agentcred agent`: the actions a service has (`show`, `suspend`, `activate`, `block`,
/// `deregister`, `delete`, as [`AgentCommand::action`] names them). An action the profile's
/// service lacks is refused before [`Lifecycle::run`], naming the services that have it.
pub trait Lifecycle: Sync {
    fn actions(&self) -> &'static [&'static str];

    /// What to do instead of an action this service lacks, for the refusal's hint.
    fn instead(&self, action: &str) -> Option<&'static str> {
        let _ = action;
        None
    }

    fn run(&self, ctx: &Ctx, name: String, profile: Profile, command: AgentCommand) -> Result<()>;
}

/// For a [`Lifecycle::run`] given an action outside its [`Lifecycle::actions`], which the
/// generic command refuses first: reaching it is a bug, reported as one.
pub fn action_not_offered(service: &ServiceSpec, action: &str) -> crate::error::Error {
    crate::error::Error::internal(format!(
        "{} has no `agent {action}`, and it should have been refused before",
        service.display_name
    ))
}
