//! `agentcred gateway [--port N]`: the credential gateway of `exec --gateway`
//! ([`crate::gateway`]) in the foreground, for programs agentcred does not start. It prints
//! its URLs, its token and the variables a child of `exec --gateway` would get (JSON with
//! `--json`), then serves until SIGINT or SIGTERM. The token is printed because handing it to
//! the program is the command's purpose; it opens this gateway only, and dies with it.
//! `--ephemeral` forwards with a credential minted for this gateway and revokes it when the
//! gateway stops ([`crate::ephemeral`]); SIGHUP stops it too.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Ctx;
use crate::childenv::{self, Credential};
use crate::cli::args::GatewayArgs;
use crate::error::{Error, Result};
use crate::gateway;
use crate::output::{Human, Render};
use crate::services;
use crate::spec::Provider;

#[derive(Serialize, schemars::JsonSchema)]
struct GatewayView {
    profile: String,
    provider: Provider,
    base_url: String,
    /// Gateway URL by endpoint name.
    urls: BTreeMap<String, String>,
    token: String,
    /// What `exec --gateway` would put in a child's environment.
    env: BTreeMap<String, String>,
    /// With --ephemeral: the name of the credential minted for this gateway at the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    run_credential: Option<String>,
}

impl Render for GatewayView {
    fn human(&self, out: &mut Human) {
        for (name, value) in &self.env {
            out.line(format!("{name}={value}"));
        }
    }
}

pub fn run(ctx: &Ctx, args: GatewayArgs) -> Result<()> {
    let session = ctx.session()?;
    crate::freeze::refuse_if_frozen(&session)?;
    let provider = session.provider();
    crate::service::of(provider)?.check_agent_usable(&session)?;
    let name = session.name.clone();
    let agent_id = session.profile.agent_id.clone();
    let endpoints = session.endpoints.clone();
    // Installed before serving (and minting), so that a signal is never lost between the two.
    let mut signals = stop_signals()?;
    let guard = crate::guard::for_session(ctx, &session, crate::guard::Via::Gateway, args.reason)?;
    let (session, minted) = if args.ephemeral {
        crate::ephemeral::begin(ctx, session, services::incident(provider)?)?
    } else {
        (session, None)
    };
    let running = match gateway::Running::start(session, ctx.global.verbose > 0, args.port, guard) {
        Ok(running) => running,
        Err(err) => {
            if let Some(minted) = minted {
                minted.end(ctx);
            }
            return Err(err);
        }
    };
    let env = childenv::build(
        &name,
        provider.spec(),
        &agent_id,
        &endpoints,
        &Credential::Gateway {
            token: running.token.expose(),
            urls: &running.urls,
        },
    );
    let mut env = env.exposed();
    env.remove(childenv::NESTED_VAR);
    let printed = ctx.printer.print(&GatewayView {
        profile: name.clone(),
        provider,
        base_url: running.base_url.clone(),
        urls: running.urls.clone(),
        token: running.token.expose().to_owned(),
        run_credential: minted.as_ref().map(|m| m.pending.name.clone()),
        env,
    });
    if printed.is_ok() {
        ctx.printer.notice(
            "gateway_started",
            format!(
                "Credential gateway for profile '{name}' on {}; Ctrl-C stops it.",
                running.base_url
            ),
        );
        signals.wait();
    }
    let stopped = running.stop();
    if let Some(minted) = minted {
        minted.end(ctx);
    }
    printed.and(stopped)
}

#[cfg(unix)]
struct StopSignals(signal_hook::iterator::Signals);

#[cfg(unix)]
fn stop_signals() -> Result<StopSignals> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
        .map(StopSignals)
        .map_err(|e| Error::internal(format!("cannot handle signals: {e}")))
}

#[cfg(unix)]
impl StopSignals {
    fn wait(&mut self) {
        let _ = self.0.forever().next();
    }
}

#[cfg(not(unix))]
struct StopSignals;

#[cfg(not(unix))]
fn stop_signals() -> Result<StopSignals> {
    Ok(StopSignals)
}

#[cfg(not(unix))]
impl StopSignals {
    /// Without Unix signals: serve until the process is ended.
    fn wait(&mut self) {
        loop {
            std::thread::park();
        }
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<crate::output::Output> {
    vec![("gateway", crate::output::schema_of::<GatewayView>())]
}
