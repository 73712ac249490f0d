//! `agentcred status`: the agent as its service sees it, plus local facts that need no
//! network: which store holds each secret and when each short-lived credential expires
//! (decoded from the JWT's `exp`). `--all` shows the local facts of every profile. A frozen
//! profile's status is shown and then exits 8 (`frozen`); `--check` reports health `frozen`.
//!
//! `--check` (contract §9) judges whether a profile can act now and exits with one code: a
//! credential valid for `--min-valid` is held or can be minted (refreshing only if it must),
//! the agent is active at its service, and its budget (if any) covers `--min-remaining`.
//! `--all --check` checks every profile at once, each on its own thread with its own context
//! (HTTP client, embedded sandbox), so N profiles take about one profile's time; the exit code
//! is the most severe of theirs (7, then 4, then 8, then 6).

use serde::Serialize;

use super::Ctx;
use crate::checkup::{self, CheckKnobs, CheckRow};
use crate::cli::args::StatusArgs;
use crate::error::Result;
use crate::health::Health;
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::services;
use crate::spec::Provider;

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    if args.check {
        return check(ctx, &args);
    }
    if args.all {
        return all(ctx);
    }
    let session = ctx.session()?;
    services::service(session.provider())?.status(ctx, &session, &args)?;
    // The service's view is shown, and a frozen profile still exits 8 (code `frozen`).
    crate::freeze::refuse_if_frozen(&session)
}

#[derive(Serialize, schemars::JsonSchema)]
struct ProfileFacts {
    profile: String,
    provider: Provider,
    agent_id: String,
    sandbox: bool,
    current: bool,
    local: LocalFacts,
}

#[derive(Serialize, schemars::JsonSchema)]
struct AllView {
    profiles: Vec<ProfileFacts>,
}

impl Render for AllView {
    fn human(&self, out: &mut Human) {
        if self.profiles.is_empty() {
            out.line("No profiles. Register one with `agentcred register PROVIDER ...` (add --sandbox to try it offline).");
            return;
        }
        for p in &self.profiles {
            let marks = [
                p.current.then_some("current"),
                p.sandbox.then_some("sandbox"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            out.heading(&format!(
                "{} — {} agent {}{marks}",
                p.profile,
                p.provider.display_name(),
                p.agent_id
            ));
            p.local.render(out);
        }
    }
}

fn all(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let mut profiles = Vec::new();
    for (name, profile) in &config.profiles {
        // Local facts only: no sandbox, no endpoints, no network.
        let store =
            crate::store::open_profile(name, profile.store, profile.vault.as_ref(), &ctx.paths)?;
        profiles.push(ProfileFacts {
            profile: name.clone(),
            provider: profile.provider,
            agent_id: profile.agent_id.clone(),
            sandbox: profile.sandbox,
            current: config.current.as_deref() == Some(name),
            local: LocalFacts::of(name, profile, store.as_ref())?,
        });
    }
    ctx.printer.print(&AllView { profiles })
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckView {
    #[serde(flatten)]
    row: CheckRow,
}

#[derive(Serialize, schemars::JsonSchema)]
struct CheckAllView {
    health: Health,
    exit_code: u8,
    profiles: Vec<CheckRow>,
}

impl Render for CheckView {
    fn human(&self, out: &mut Human) {
        out.line(self.row.line());
    }
}

impl Render for CheckAllView {
    fn human(&self, out: &mut Human) {
        for row in &self.profiles {
            out.line(row.line());
        }
    }
}

fn check(ctx: &Ctx, args: &StatusArgs) -> Result<()> {
    let knobs = CheckKnobs {
        min_valid: args.min_valid,
        min_remaining: args.min_remaining.as_deref(),
    };
    if let Some(min) = knobs.min_remaining {
        // A malformed amount is a usage error, not an unhealthy profile.
        crate::amount::Amount::parse_user(min, 6, "units")?;
    }
    if !args.all {
        let (name, profile) = ctx.selected_profile()?;
        let row = checkup::check_one(ctx, name, profile, &knobs);
        let failure = checkup::row_failure(&row);
        ctx.printer.print(&CheckView { row })?;
        return failure.map_or(Ok(()), Err);
    }
    let config = ctx.config()?;
    let profiles: Vec<(String, Profile)> = config.profiles.into_iter().collect();
    // Each check waits on the network most of the time: run them all at once, on threads
    // of their own (a context is per thread: it owns an HTTP client and, for sandbox
    // profiles, an embedded sandbox), at most MAX_PARALLEL_CHECKS at a time.
    let mut rows: Vec<Option<CheckRow>> = Vec::new();
    rows.resize_with(profiles.len(), || None);
    for chunk in profiles
        .chunks(MAX_PARALLEL_CHECKS)
        .zip(rows.chunks_mut(MAX_PARALLEL_CHECKS))
    {
        let (batch, slots) = chunk;
        std::thread::scope(|scope| {
            for ((name, profile), slot) in batch.iter().zip(slots.iter_mut()) {
                let global = ctx.global.clone();
                let printer = ctx.printer.clone();
                let knobs = &knobs;
                scope.spawn(move || {
                    let row = match Ctx::new(global, printer) {
                        Ok(thread_ctx) => {
                            checkup::check_one(&thread_ctx, name.clone(), profile.clone(), knobs)
                        }
                        Err(err) => checkup::failed_row(
                            name.clone(),
                            Some(profile.provider),
                            Health::StoreUnavailable,
                            &err,
                        ),
                    };
                    *slot = Some(row);
                });
            }
        });
    }
    let rows: Vec<CheckRow> = rows.into_iter().flatten().collect();
    let worst = rows
        .iter()
        .map(|r| r.health)
        .max_by_key(|h| h.severity())
        .unwrap_or(Health::Ok);
    let failure = rows
        .iter()
        .find(|r| r.health == worst)
        .and_then(checkup::row_failure)
        .map(|e| {
            let count = rows.iter().filter(|r| r.health != Health::Ok).count();
            let mut e = e;
            e.message = format!(
                "{count} of {} profiles are not ok; the most severe: {}",
                rows.len(),
                e.message
            );
            e
        });
    ctx.printer.print(&CheckAllView {
        health: worst,
        exit_code: worst.exit_code(),
        profiles: rows,
    })?;
    failure.map_or(Ok(()), Err)
}

/// Enough threads that 50 profiles are checked in one wave.
const MAX_PARALLEL_CHECKS: usize = 64;

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("status", schema_of::<AllView>()),
        ("status", schema_of::<CheckView>()),
        ("status", schema_of::<CheckAllView>()),
    ]
}
