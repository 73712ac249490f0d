//! `agentcred exec [--min-valid D] [--gateway] -- CMD [ARGS...]`: run a command with the
//! profile's short-lived credential and endpoints in its environment, or with no credential
//! at all behind the credential gateway (contract §10). The variables are built by
//! [`crate::childenv`], the child is run by [`crate::child`], the gateway is
//! [`crate::gateway`]; this command checks the profile, picks the credential and returns the
//! child's exit code as agentcred's.
//!
//! - A nested `exec` of the same profile is refused (exit 2): the outer one already put the
//!   credential in the environment. Another profile is allowed.
//! - `--min-valid` (default 60 s) is raised to what the service's own tools need
//!   ([`crate::spec::ServiceSpec::min_child_validity`]); when the service issues no credential
//!   that long the child is not started (exit 8, `min_valid_unmet`).

use std::time::Duration;

use super::Ctx;
use crate::audit::Event;
use crate::child;
use crate::childenv::{self, Credential};
use crate::cli::args::ExecArgs;
use crate::duration;
use crate::error::{Code, Error, Result};
use crate::gateway;
use crate::services;

pub fn run(ctx: &Ctx, args: ExecArgs) -> Result<()> {
    let (name, profile) = ctx.selected_profile()?;
    if childenv::nested_in(&name) {
        return Err(Error::usage(format!(
            "this process already runs inside `agentcred exec` for profile '{name}'"
        ))
        .with_hint(format!(
            "use the credential already in the environment ({} or {}), or pick another profile with --profile NAME",
            childenv::TOKEN_VAR,
            childenv::GATEWAY_TOKEN_VAR
        )));
    }
    let session = ctx.session_for(name, profile)?;
    let provider = session.provider();
    let spec = provider.spec();
    services::service(provider)?.check_agent_usable(&session)?;
    let name = session.name.clone();
    let agent_id = session.profile.agent_id.clone();
    let endpoints = session.endpoints.clone();

    let command = command_name(&args.command);
    let start = |gateway: bool| {
        crate::audit::append(
            &ctx.paths,
            Event::new("exec_start")
                .profile(name.clone())
                .field("command", command.clone())
                .field("gateway", gateway)
                .reason(args.reason.as_deref()),
        )
    };
    let code = if args.gateway {
        let guard = crate::guard::for_session(
            ctx,
            &session,
            crate::guard::Via::Gateway,
            args.reason.clone(),
        )?;
        let running = gateway::Running::start(session, ctx.global.verbose > 0, 0, guard)?;
        start(true)?;
        ctx.printer.status(format!(
            "Credential gateway for profile '{name}' on {}",
            running.base_url
        ));
        let env = childenv::build(
            &name,
            spec,
            &agent_id,
            &endpoints,
            &Credential::Gateway {
                token: running.token.expose(),
                urls: &running.urls,
            },
        );
        let code = child::run(&args.command, &env);
        running.stop()?;
        code?
    } else {
        let min_valid = args.min_valid.max(spec.min_child_validity);
        let bearer = session
            .bearer(min_valid)
            .map_err(|err| with_exec_context(err, min_valid, args.min_valid))?;
        let (token, expires_at) = (bearer.token, bearer.expires_at);
        let env = childenv::build(
            &name,
            spec,
            &agent_id,
            &endpoints,
            &Credential::Direct {
                token: &token,
                expires_at,
            },
        );
        start(false)?;
        child::run(&args.command, &env)?
    };
    crate::audit::append(
        &ctx.paths,
        Event::new("exec_end")
            .profile(name.clone())
            .field("command", command)
            .field("exit_code", code)
            .reason(args.reason.as_deref()),
    )?;
    ctx.set_exit_code(code);
    Ok(())
}

/// The command's name for the audit log: its program's file name (never its arguments,
/// which may carry anything).
fn command_name(command: &[std::ffi::OsString]) -> String {
    command
        .first()
        .map(|program| {
            std::path::Path::new(program)
                .file_name()
                .unwrap_or(program)
                .to_string_lossy()
                .into_owned()
        })
        .unwrap_or_default()
}

/// Exit 8 when the service's credentials do not live as long as the child needs: the shared
/// `min_valid_unmet` error, with what `exec` adds (why it needs that long, and a way out).
/// Other errors pass unchanged.
fn with_exec_context(mut err: Error, needed: Duration, asked: Duration) -> Error {
    if err.code() != Code::MinValidUnmet {
        return err;
    }
    if needed > asked {
        err.message.push_str(&format!(
            " (the service's own tools need {} left)",
            duration::human(needed)
        ));
    }
    err.message.push_str("; the command was not started");
    err.with_hint(
        "use --gateway, which keeps a short-lived credential fresh for the command, or ask for less with --min-valid",
    )
}
