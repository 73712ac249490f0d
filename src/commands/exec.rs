//! `agentcred exec [--min-valid D] [--gateway] -- CMD [ARGS...]`: run a command with the
//! profile's short-lived credential and endpoints in its environment, or with no credential
//! at all behind the credential gateway (docs/cli-contract.md §10). The variables are built by
//! [`crate::childenv`], the child is run by [`crate::child`], the gateway is
//! [`crate::gateway`]; this command checks the profile, picks the credential and returns the
//! child's exit code as agentcred's.
//!
//! - `--gateway --ephemeral` forwards with a credential minted for this run and revokes it when
//!   the run ends, however it ends ([`crate::ephemeral`]).
//! - A frozen profile is refused (exit 8, `frozen`).
//! - A nested `exec` of the same profile is refused (exit 2): the outer one already put the
//!   credential in the environment. Another profile is allowed.
//! - A service whose bearer credential never expires (an agent token) gets no direct mode: the child
//!   would keep a long-lived secret; `exec` refuses (exit 2) and names `--gateway`.
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
use crate::isolate;
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
    let isolation = args
        .isolate
        .map(|mode| isolation_plan(ctx, mode))
        .transpose()?;
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
    crate::freeze::refuse_if_frozen(&session)?;
    let provider = session.provider();
    let spec = provider.spec();
    crate::service::of(provider)?.check_agent_usable(&session)?;
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
        let (session, minted) = if args.ephemeral {
            crate::ephemeral::begin(ctx, session, services::incident(provider)?)?
        } else {
            (session, None)
        };
        // An isolated run's `agentcred mcp` asks its status and health through the gateway;
        // this thread, which owns the context, answers while the child runs on another.
        let (asks, questions) = match isolation {
            Some(_) => {
                let (asks, questions) = std::sync::mpsc::channel();
                (Some(asks), Some(questions))
            }
            None => (None, None),
        };
        let running = match gateway::Running::start_relaying(
            session,
            ctx.global.verbose > 0,
            0,
            asks.clone(),
            guard,
        ) {
            Ok(running) => running,
            Err(err) => {
                if let Some(minted) = minted {
                    minted.end(ctx);
                }
                return Err(err);
            }
        };
        if let Err(err) = start(true) {
            let _ = running.stop();
            if let Some(minted) = minted {
                minted.end(ctx);
            }
            return Err(err);
        }
        ctx.printer.notice(
            "gateway_started",
            format!(
                "Credential gateway for profile '{name}' on {}",
                running.base_url
            ),
        );
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
        let code = match (asks, questions) {
            (Some(asks), Some(questions)) => {
                let printer = ctx.printer.clone();
                // The answers are `--json` documents, captured rather than printed.
                let mut global = ctx.global.clone();
                global.json = true;
                global.quiet = true;
                let answering = Ctx::new(
                    global,
                    crate::output::Printer::new(true, true, crate::output::ColorChoice::Never),
                )?;
                std::thread::scope(|scope| {
                    let child = scope.spawn(|| {
                        let code = run_child(&printer, &args.command, &env, isolation.as_ref());
                        let (reply, _) = tokio::sync::oneshot::channel();
                        let _ = asks.send((crate::relay::Ask::RunEnded, reply));
                        code
                    });
                    for (ask, reply) in questions.iter() {
                        if matches!(ask, crate::relay::Ask::RunEnded) {
                            break;
                        }
                        let _ = reply.send(crate::relay::answer(&answering, &name, &ask));
                    }
                    child
                        .join()
                        .unwrap_or_else(|_| Err(Error::internal("the child's thread panicked")))
                })
            }
            _ => run_child(&ctx.printer, &args.command, &env, isolation.as_ref()),
        };
        let stopped = running.stop();
        // The run is over however it ended (the child killed, agentcred signalled): its
        // credential goes now, before any error is reported.
        if let Some(minted) = minted {
            minted.end(ctx);
        }
        stopped?;
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
        start(false)?;
        run_child(&ctx.printer, &args.command, &env, isolation.as_ref())?
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

/// The isolation plan, after agentcred made itself undumpable (a protection of its own, so
/// its failure is judged like the helper's) and created its directories, so that one created
/// later (a lock taken by the gateway) is hidden too.
fn isolation_plan(
    ctx: &Ctx,
    mode: isolate::Mode,
) -> Result<(isolate::Plan, Vec<isolate::Missing>)> {
    let mut missing = Vec::new();
    if let Err(m) = isolate::make_parent_undumpable() {
        missing.push(m);
    }
    if mode == isolate::Mode::Required && !missing.is_empty() {
        return Err(isolate::unavailable_error(&missing));
    }
    for dir in [&ctx.paths.data_dir, &ctx.paths.lock_dir] {
        crate::fsutil::create_private_dir(dir).map_err(|e| {
            Error::store(format!("cannot create {}: {e}", dir.display()))
                .with_hint("check the permissions of agentcred's home (`agentcred doctor`)")
        })?;
    }
    Ok((isolate::Plan::for_user(&ctx.paths, mode), missing))
}

/// Run the child, isolated when asked, and say which protections were applied.
fn run_child(
    printer: &crate::output::Printer,
    argv: &[std::ffi::OsString],
    env: &childenv::ChildEnv,
    isolation: Option<&(isolate::Plan, Vec<isolate::Missing>)>,
) -> Result<u8> {
    let Some((plan, parent_missing)) = isolation else {
        return child::run(argv, env);
    };
    child::run_isolated(argv, env, plan, &mut |report| {
        let mut applied = report.applied.clone();
        let mut missing = report.missing.clone();
        if parent_missing.is_empty() {
            applied.push(isolate::protection::UNDUMPABLE_PARENT.into());
        } else {
            missing.extend(parent_missing.iter().cloned());
        }
        isolate::announce(printer, &applied, &missing);
    })
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
