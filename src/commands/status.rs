//! `agentcred status`: the agent as its service sees it, plus local facts that need no
//! network: which store holds each secret and when each short-lived credential expires
//! (decoded from the JWT's `exp`). `--all` shows the local facts of every profile. A frozen
//! profile's status is shown and then exits 8 (`frozen`); `--check` reports health `frozen`.
//!
//! `--check` (docs/cli-contract.md §9) judges whether a profile can act now and exits with one code: a
//! credential valid for `--min-valid` is held or can be minted (refreshing only if it must),
//! the agent is active at its service, and its budget (if any) covers `--min-remaining`.
//! `--min-remaining` is judged before any request: a malformed amount, or one no checked
//! profile can be judged against (no budget at its service), is a usage error (exit 2).
//! `--all --check` checks every profile at once, each on its own thread with its own context
//! (HTTP client, embedded sandbox), so N profiles take about one profile's time; the exit code
//! is the most severe of theirs (2, then 7, then 4, then 8, then 6). Flags a form of `status`
//! would ignore (`--network`/`--tx-limit` without a wallet, `--profile` with `--all`) are
//! refused.

use serde::Serialize;

use super::Ctx;
use crate::checkup::{self, CheckKnobs, CheckRow};
use crate::cli::args::StatusArgs;
use crate::error::{Error, Result};
use crate::health::Health;
use crate::local::LocalFacts;
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::spec::Provider;
use crate::status_view::{StatusCommon, StatusQuery};

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    refuse_unused_flags(ctx, &args)?;
    if args.check {
        return check(ctx, &args);
    }
    if args.all {
        return all(ctx);
    }
    let session = ctx.session()?;
    let spec = session.provider().spec();
    if !spec.wallet_status
        && let Some(flag) = wallet_flag(&args)
    {
        return Err(Error::usage(format!(
            "{flag} selects what a wallet's status shows, and {} status shows no wallet",
            spec.display_name
        ))
        .with_hint(format!(
            "drop {flag}; it applies to {} profiles",
            services_where(|s| s.wallet_status)
        )));
    }
    let query = StatusQuery {
        network: args.network.clone(),
        tx_limit: args.tx_limit,
    };
    let view = crate::service::of(session.provider())?.status(ctx, &session, &query)?;
    ctx.printer.print(&view)?;
    // The service's view is shown, and a frozen profile still exits 8 (code `frozen`).
    crate::freeze::refuse_if_frozen(&session)
}

/// The wallet flag given, if any.
fn wallet_flag(args: &StatusArgs) -> Option<&'static str> {
    if args.network.is_some() {
        Some("--network")
    } else if args.tx_limit.is_some() {
        Some("--tx-limit")
    } else {
        None
    }
}

/// The display names of the services whose spec passes `test`, for messages.
fn services_where(test: impl Fn(&crate::spec::ServiceSpec) -> bool) -> String {
    let names: Vec<&str> = crate::spec::all()
        .filter(|p| test(p.spec()))
        .map(|p| p.display_name())
        .collect();
    names.join(" and ")
}

/// Flags that a form of `status` would silently ignore are refused: the caller asked for
/// something they would not get.
fn refuse_unused_flags(ctx: &Ctx, args: &StatusArgs) -> Result<()> {
    if args.all && ctx.global.profile_flag_given {
        return Err(Error::usage(
            "--profile and --all contradict each other: --all covers every profile",
        )
        .with_hint("drop --profile to see every profile, or --all to see one"));
    }
    if args.check
        && let Some(flag) = wallet_flag(args)
    {
        return Err(Error::usage(format!(
            "{flag} selects what `status` shows of a wallet; `status --check` shows no wallet"
        ))
        .with_hint(format!("drop {flag}")));
    }
    if args.all
        && let Some(flag) = wallet_flag(args)
    {
        return Err(Error::usage(format!(
            "{flag} selects what one profile's status shows of its wallet; `status --all` shows local facts only"
        ))
        .with_hint(format!("drop {flag}, or give it with --profile NAME status")));
    }
    Ok(())
}

/// One profile in `status --all`: the common part of every status, from local facts only.
#[derive(Serialize, schemars::JsonSchema)]
struct ProfileFacts {
    #[serde(flatten)]
    common: StatusCommon,
    current: bool,
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
                p.common.sandbox.then_some("sandbox"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" ({})", marks.join(", "))
            };
            let p_common = &p.common;
            out.heading(&format!(
                "{} — {} agent {}{marks}",
                p_common.profile,
                p_common.provider.display_name(),
                p_common.agent_id
            ));
            p_common.local.render(out);
        }
    }
}

fn all(ctx: &Ctx) -> Result<()> {
    let config = ctx.config()?;
    let mut profiles = Vec::new();
    for (name, profile) in &config.profiles {
        // Local facts only: no sandbox, no endpoints, no network.
        let store = profile.open_store(name, &ctx.paths)?;
        profiles.push(ProfileFacts {
            common: StatusCommon::new(
                name,
                profile.provider,
                profile.sandbox,
                &profile.agent_id,
                LocalFacts::of(name, profile, store.as_ref())?,
            ),
            current: config.current.as_deref() == Some(name),
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
    if !args.all {
        let (name, profile) = ctx.selected_profile()?;
        if let Some(min) = knobs.min_remaining {
            check_min_remaining(min, &[profile.provider])?;
        }
        let row = checkup::check_one(ctx, name, profile, &knobs);
        let failure = checkup::row_failure(&row);
        ctx.printer.print(&CheckView { row })?;
        return failure.map_or(Ok(()), Err);
    }
    let config = ctx.config()?;
    let profiles: Vec<(String, Profile)> = config.profiles.into_iter().collect();
    if let Some(min) = knobs.min_remaining {
        let providers: Vec<Provider> = profiles.iter().map(|(_, p)| p.provider).collect();
        check_min_remaining(min, &providers)?;
    }
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

/// `--min-remaining` is judged before any request: a malformed amount, or one that applies to
/// none of the profiles checked (their services keep no budget), is a usage error rather than
/// a check that passes without judging. With several profiles, those without a budget are
/// judged without it (their rows say `min_remaining: no_budget`).
fn check_min_remaining(min: &str, providers: &[Provider]) -> Result<()> {
    let mut units: Vec<crate::spec::BudgetUnit> = Vec::new();
    for provider in providers {
        if let Some(unit) = provider.spec().budget
            && !units
                .iter()
                .any(|u| u.currency == unit.currency && u.decimals == unit.decimals)
        {
            units.push(unit);
        }
    }
    if units.is_empty() {
        let mut names: Vec<&str> = providers.iter().map(|p| p.display_name()).collect();
        names.dedup();
        let subject = match providers {
            [one] => format!("{} keeps no budget", one.display_name()),
            _ => format!("none of the profiles has a budget ({})", names.join(", ")),
        };
        return Err(
            Error::usage(format!("--min-remaining cannot be judged: {subject}")).with_hint(
                format!(
                    "drop --min-remaining; only {} agents have a budget",
                    services_where(|s| s.budget.is_some())
                ),
            ),
        );
    }
    for unit in units {
        crate::amount::Amount::parse_user(min, unit.decimals, unit.currency).map_err(|e| {
            Error::usage(format!("--min-remaining {min}: {}", e.message)).with_hint(format!(
                "give an amount in {}, like 50 or 12.5",
                unit.currency
            ))
        })?;
    }
    Ok(())
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
