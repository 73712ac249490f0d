//! `agentcred exec [--min-valid D] [--gateway] -- CMD [ARGS...]`: run a command with the
//! profile's short-lived credential and endpoints in its environment, or with no credential
//! at all behind the credential gateway (contract §10). The variables are built by
//! [`crate::childenv`], the child is run by [`crate::child`], the gateway is
//! [`crate::gateway`]; this command checks the profile, picks the credential and returns the
//! child's exit code as agentcred's.
//!
//! - A nested `exec` of the same profile is refused (exit 2): the outer one already put the
//!   credential in the environment. Another profile is allowed.
//! - A service whose bearer credential never expires (Proxy) gets no direct mode: the child
//!   would keep a long-lived secret; `exec` refuses (exit 2) and names `--gateway`.
//! - `--min-valid` (default 60 s) is raised to what the service's own tools need
//!   ([`crate::spec::ServiceSpec::min_child_validity`]); when the service issues no credential
//!   that long the child is not started (exit 8, `min_valid_unmet`).

use std::time::Duration;

use super::Ctx;
use crate::child;
use crate::childenv::{self, Credential};
use crate::cli::args::ExecArgs;
use crate::duration;
use crate::error::{Code, Error, Result};
use crate::gateway;
use crate::services;

pub fn run(ctx: &Ctx, args: ExecArgs) -> Result<()> {
    if let Some(flag) = flag_before_separator(&args.command) {
        return Err(Error::usage(format!(
            "`agentcred exec` has no flag '{flag}'"
        ))
        .with_hint(
            "see `agentcred exec --help`; the command to run goes after `--` (a command whose name starts with '-' too)",
        ));
    }
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

    let code = if args.gateway {
        let running = gateway::Running::start(session, ctx.global.verbose > 0, 0)?;
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
        if spec.short_lived.is_none() {
            return Err(Error::usage(format!(
                "{} agent tokens do not expire, and `exec` hands a child only a short-lived credential",
                provider.display_name()
            ))
            .with_provider(provider.id())
            .with_hint(format!(
                "use the credential gateway: `agentcred --profile {name} exec --gateway -- CMD` gives the command a gateway token for this run instead of the agent token"
            )));
        }
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
        child::run(&args.command, &env)?
    };
    ctx.set_exit_code(code);
    Ok(())
}

/// The command's first word, when it looks like a flag and was given before `--`: a
/// misspelt flag of `exec` (`--isolat`), not a command to look for on PATH.
fn flag_before_separator(command: &[std::ffi::OsString]) -> Option<String> {
    let first = command.first()?.to_str()?;
    if !first.starts_with('-') || first == "-" {
        return None;
    }
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let separator = argv.iter().position(|a| a == "--");
    let at = argv.iter().position(|a| a == first)?;
    separator.is_none_or(|s| at < s).then(|| first.to_owned())
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
