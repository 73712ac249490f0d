//! `limits show | set` for Proxy profiles: the agent's spending policy.
//!
//! - `show` reads `GET /v1/agents/{id}/policy`: the limit, its frequency, the current spend and
//!   what remains, each amount in both units (USD cents are atomic with 2 decimals). With no
//!   operator key it reads with the agent's own token.
//! - `set` PATCHes the agent with the fields given (at least one), then reads the policy as the
//!   service now has it. Amounts are dollars (`12.34` is sent as 1234 cents; `12.345` is
//!   refused, exit 2); frequencies and actions are checked by the command line, which lists
//!   the accepted values.
//! - Both return the policy as a view ([`ProxyLimits`]); the caller renders or returns it.

use serde::Serialize;

use super::client::PolicyChange;
use super::support::{self as common, PolicyView, parse_cents};
use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::service::LimitsChange;
use crate::spec::Provider;

#[derive(Serialize, schemars::JsonSchema)]
pub struct ProxyLimits {
    profile: String,
    provider: Provider,
    agent_id: String,
    /// Whether this command changed the policy (`limits set`).
    updated: bool,
    /// `operator` (the organization key) or `agent_token`.
    read_with: &'static str,
    policy: PolicyView,
}

impl Render for ProxyLimits {
    fn human(&self, out: &mut Human) {
        let verb = if self.updated {
            "Updated the spending policy"
        } else {
            "Spending policy"
        };
        out.line(format!(
            "{verb} of Proxy agent {} (profile '{}'):",
            self.agent_id, self.profile
        ));
        self.policy.render(out);
    }
}

pub fn show(ctx: &Ctx, name: String, profile: Profile) -> Result<ProxyLimits> {
    let session = ctx.session_for(name, profile)?;
    let (client, operator) = common::reader(ctx, &session)?;
    let policy = client.policy(&session.profile.agent_id)?;
    Ok(ProxyLimits {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        updated: false,
        read_with: if operator.is_some() {
            "operator"
        } else {
            "agent_token"
        },
        policy: PolicyView::from_api(&policy),
    })
}

pub fn set(ctx: &Ctx, name: String, profile: Profile, args: LimitsChange) -> Result<ProxyLimits> {
    if args.spending_limit.is_none() && args.frequency.is_none() && args.on_limit_exceeded.is_none()
    {
        return Err(Error::usage("nothing to change").with_hint(
            "pass --spending-limit AMOUNT, --frequency FREQ and/or --on-limit-exceeded ACTION",
        ));
    }
    let change = PolicyChange {
        spending_limit: args
            .spending_limit
            .as_deref()
            .map(|v| parse_cents(v, "--spending-limit"))
            .transpose()?,
        frequency: args.frequency.map(|f| f.name().to_owned()),
        on_limit_exceeded: args.on_limit_exceeded.map(|a| a.name().to_owned()),
    };
    let session = ctx.session_for(name, profile)?;
    common::refuse_if_deregistered(&session)?;
    let (client, _) = common::operator(ctx, &session)?;
    client.update_policy(&session.profile.agent_id, &change)?;
    let policy = client.policy(&session.profile.agent_id)?;
    if policy.spending_limit == Some(0) {
        // Accepted (it is how an operator stops an agent spending), but easy to do by mistake.
        ctx.printer.warn_coded(
            "zero_spending_limit",
            format!(
                "the spending limit of profile '{}' is now 0: the agent can spend nothing until it is raised",
                session.name
            ),
        );
    }
    Ok(ProxyLimits {
        profile: session.name.clone(),
        provider: super::PROVIDER,
        agent_id: session.profile.agent_id.clone(),
        updated: true,
        read_with: "operator",
        policy: PolicyView::from_api(&policy),
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("limits show", schema_of::<ProxyLimits>()),
        ("limits set", schema_of::<ProxyLimits>()),
    ]
}
