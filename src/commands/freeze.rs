//! `agentcred freeze [PROFILE | --all] [--upstream] [--reason T]` and `agentcred unfreeze
//! [PROFILE | --all]`: the first rung of the incident ladder.
//!
//! - `freeze` writes the freeze ([`crate::freeze`]) for each profile first, so every use stops
//!   as soon as it returns, whatever happens at the services afterwards.
//! - `--upstream` then acts at each profile's service: suspends the agent where the service
//!   has a suspension (`agent suspend`), revokes the spare credentials the profile keeps and
//!   the credentials minted for runs (also runs still going). Each action is reported, done or
//!   not and why; one that failed makes the command exit with its code after all were tried.
//! - `unfreeze` lifts the local freeze and the shared one; it does not reactivate an agent
//!   suspended upstream (that is `agent activate`), and says so.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::{FreezeArgs, UnfreezeArgs};
use crate::error::{Error, Result};
use crate::freeze::{self, Freeze};
use crate::output::{Human, Output, Render};
use crate::profile::{self, Config, Profile};
use crate::service::AgentAction;

/// One thing `--upstream` did or could not do.
#[derive(Serialize, schemars::JsonSchema)]
struct Action {
    action: String,
    done: bool,
    detail: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct Frozen {
    profile: String,
    /// Written to the shared store, so every host honours it.
    shared: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    upstream: Vec<Action>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct FreezeView {
    freeze: Freeze,
    profiles: Vec<Frozen>,
}

impl Render for FreezeView {
    fn human(&self, out: &mut Human) {
        for p in &self.profiles {
            let shared = if p.shared {
                " (in the shared store, for every host)"
            } else {
                ""
            };
            out.line(format!(
                "Froze profile '{}'{shared}: token, refresh, exec, gateways and mcp refuse it.",
                p.profile
            ));
            for a in &p.upstream {
                let mark = if a.done { "done" } else { "NOT DONE" };
                out.line(format!("  [{mark}] {}: {}", a.action, a.detail));
            }
        }
        out.line("Lift it with `agentcred unfreeze`.");
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct Unfrozen {
    profile: String,
    /// Whether it was frozen.
    was_frozen: bool,
}

#[derive(Serialize, schemars::JsonSchema)]
struct UnfreezeView {
    profiles: Vec<Unfrozen>,
}

impl Render for UnfreezeView {
    fn human(&self, out: &mut Human) {
        for p in &self.profiles {
            out.line(if p.was_frozen {
                format!("Unfroze profile '{}'.", p.profile)
            } else {
                format!("Profile '{}' was not frozen.", p.profile)
            });
        }
        out.line(
            "An agent suspended at its service with --upstream stays suspended: reactivate it with `agentcred agent activate`.",
        );
    }
}

/// The profiles a freeze or unfreeze names: PROFILE, --all, or the selected one.
fn targets(
    ctx: &Ctx,
    config: &Config,
    name: Option<String>,
    all: bool,
) -> Result<Vec<(String, Profile)>> {
    if all {
        if config.profiles.is_empty() {
            return Err(Error::not_found("there are no profiles")
                .with_hint("register one first with `agentcred register SERVICE ...`"));
        }
        return Ok(config
            .profiles
            .iter()
            .map(|(n, p)| (n.clone(), p.clone()))
            .collect());
    }
    let name = match name {
        Some(name) => name,
        None => ctx.selected_name(config)?,
    };
    match config.profiles.get(&name) {
        Some(p) => Ok(vec![(name, p.clone())]),
        None => Err(profile::profile_not_found(&name, config)),
    }
}

pub fn freeze(ctx: &Ctx, args: FreezeArgs) -> Result<()> {
    let config = ctx.config()?;
    let targets = targets(ctx, &config, args.name, args.all)?;
    let record = Freeze::now(args.reason.clone());
    let mut rows = Vec::new();
    let mut failure: Option<Error> = None;
    // Every profile is frozen before anything is asked of a service.
    for (name, profile) in &targets {
        let shared =
            freeze::freeze(&ctx.paths, name, profile, &record, &mut |e| {
                ctx.printer.warn_coded("frozen_here_only", format!(
                "profile '{name}' is frozen on this host only: the shared store failed ({})",
                e.message
            ));
            })?;
        audit_freeze(
            ctx,
            crate::audit::Event::new("freeze")
                .profile(name.clone())
                .field("shared", shared)
                .field("upstream", args.upstream)
                .reason(args.reason.as_deref()),
        );
        rows.push(Frozen {
            profile: name.clone(),
            shared,
            upstream: Vec::new(),
        });
    }
    if args.upstream {
        for ((name, profile), row) in targets.iter().zip(rows.iter_mut()) {
            row.upstream = upstream(ctx, name, profile, args.reason.as_deref(), &mut failure);
        }
    }
    ctx.printer.print(&FreezeView {
        freeze: record,
        profiles: rows,
    })?;
    failure.map_or(Ok(()), Err)
}

/// `--upstream` for one profile: suspend, revoke spares, revoke run credentials.
fn upstream(
    ctx: &Ctx,
    name: &str,
    profile: &Profile,
    reason: Option<&str>,
    failure: &mut Option<Error>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    // `Err` with exit 2 is something the service cannot do: reported, not a failure.
    let mut note = |action: &str, outcome: Result<String>| {
        let (done, detail) = match outcome {
            Ok(detail) => (true, detail),
            Err(err) => {
                let detail = match &err.hint {
                    Some(hint) => format!("{} ({hint})", err.message),
                    None => err.message.clone(),
                };
                if err.exit_code() != 2 {
                    failure.get_or_insert(err);
                }
                (false, detail)
            }
        };
        actions.push(Action {
            action: action.to_owned(),
            done,
            detail,
        });
    };
    let service = match crate::service::of(profile.provider) {
        Ok(service) => service,
        Err(err) => {
            note("act at the service", Err(err));
            return actions;
        }
    };
    let display = profile.provider.display_name();
    let suspends = service
        .lifecycle()
        .filter(|l| l.actions().contains(&"suspend"));
    match suspends {
        Some(lifecycle) => note(
            "suspend the agent",
            ctx.quietly_for(name, |sub| {
                lifecycle.run(
                    sub,
                    name.to_owned(),
                    profile.clone(),
                    AgentAction::Suspend {
                        // Some services need a reason to suspend.
                        reason: Some(reason.unwrap_or("frozen with agentcred freeze").to_owned()),
                    },
                )
                // The note below says what happened; the agent's view is not shown.
                .map(drop)
            })
            .map(|()| format!("{display} agent {} suspended", profile.agent_id)),
        ),
        None => note(
            "suspend the agent",
            Err(Error::usage(format!("{display} has no suspension agentcred can use"))
            .with_hint(format!(
                "the local freeze stops agentcred; if the credentials may be used elsewhere, remove the agent's access at {display}"
            ))),
        ),
    }
    let Some(incident) = service.incident() else {
        return actions;
    };
    for (what, outcome) in incident.revoke_spares(ctx, name) {
        note(
            &format!("revoke the spare {what}"),
            outcome.map(|()| "revoked".to_owned()),
        );
    }
    let pending = crate::ephemeral::list(&ctx.paths, Some(name));
    if !pending.is_empty() {
        match ctx.session_for(name.to_owned(), profile.clone()) {
            Ok(session) => {
                for (path, run) in pending {
                    let outcome =
                        incident
                            .revoke_run(ctx, &session, &run.credential_id)
                            .map(|()| {
                                let _ = std::fs::remove_file(&path);
                                "revoked".to_owned()
                            });
                    note(
                        &format!(
                            "revoke the run credential {} ({})",
                            run.name, run.credential_id
                        ),
                        outcome,
                    );
                }
            }
            Err(err) => note("revoke the run credentials", Err(err)),
        }
    }
    actions
}

pub fn unfreeze(ctx: &Ctx, args: UnfreezeArgs) -> Result<()> {
    let config = ctx.config()?;
    let targets = targets(ctx, &config, args.name, args.all)?;
    let mut rows = Vec::new();
    for (name, profile) in &targets {
        let was_frozen = freeze::unfreeze(&ctx.paths, name, profile)?;
        audit_freeze(
            ctx,
            crate::audit::Event::new("unfreeze")
                .profile(name.clone())
                .field("was_frozen", was_frozen),
        );
        rows.push(Unfrozen {
            profile: name.clone(),
            was_frozen,
        });
    }
    ctx.printer.print(&UnfreezeView { profiles: rows })
}

/// Record a freeze or unfreeze in the audit log. The freeze itself has happened by then and
/// must hold whatever the log does, so a log that cannot be written is a warning, not an error.
fn audit_freeze(ctx: &Ctx, event: crate::audit::Event) {
    if let Err(e) = crate::audit::append(&ctx.paths, event) {
        ctx.printer.warn_coded(
            "audit_not_written",
            format!("the audit log could not record this: {}", e.message),
        );
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("freeze", schema_of::<FreezeView>()),
        ("unfreeze", schema_of::<UnfreezeView>()),
    ]
}
