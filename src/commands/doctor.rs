//! `agentcred doctor` (docs/cli-contract.md §12): what the stores need, probed without writing anything,
//! each finding with its fix.
//!
//! Checks, in order: the home (`AGENTCRED_HOME` or the XDG directories: directories, not
//! files), who may change them (the home, config, data and lock directories and the
//! directories above them: the user's own, writable by nobody else), the config file (readable and valid), the file store (private modes, readable), the
//! keychain (D-Bus session bus, Secret Service, default collection and its lock state, through
//! the keychain store's own check), and the vault when `VAULT_ADDR`/`BAO_ADDR` is set or a
//! profile lives there (reachable, token accepted, mount writable).
//!
//! Isolation (`exec --isolate`) is probed first, by running its helper without a command; it
//! is never required (nothing fails without it until `--isolate` is asked for).
//!
//! A finding is `required` when something agentcred will do depends on it: the keychain when
//! a profile or operator key lives there or new profiles go there (`--store auto`, the
//! default, or `keychain`); the vault likewise. A failed finding that is not required is shown
//! but does not fail the command. Exit 0 when every required finding is ok, else the exit code
//! of the worst, which the error's message names: 2 for the local configuration first, then 7
//! for a store, the first listed of its class.

use std::path::Path;

use serde::Serialize;

use super::Ctx;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
use crate::profile::Config;
use crate::store::{self, StoreKind};

#[derive(Serialize, schemars::JsonSchema)]
struct Finding {
    /// What was checked.
    check: String,
    ok: bool,
    /// Whether something agentcred will do depends on it (a failed finding that is not
    /// required does not fail the command).
    required: bool,
    /// What was found.
    detail: String,
    /// How to fix it (`null` when ok).
    fix: Option<String>,
    /// The exit code this finding stands for when it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    exit_code: Option<u8>,
}

#[derive(Serialize, schemars::JsonSchema)]
struct DoctorView {
    /// Whether every required finding is ok.
    ok: bool,
    findings: Vec<Finding>,
    /// Credentials minted for runs (`--ephemeral`) that are still not revoked after this
    /// doctor's own try (runs still going are not tried).
    pending_revocations: Vec<crate::ephemeral::Pending>,
}

impl Render for DoctorView {
    fn human(&self, out: &mut Human) {
        for f in &self.findings {
            let mark = match (f.ok, f.required) {
                (true, _) => "ok",
                (false, true) => "FAIL",
                (false, false) => "warn",
            };
            out.line(format!("[{mark}] {}: {}", f.check, f.detail));
            if let Some(fix) = &f.fix {
                out.line(format!("       fix: {}", fix));
            }
        }
        out.line(if self.ok {
            "Everything agentcred needs is in order."
        } else {
            "Some of what agentcred needs is not in order; see the fixes above."
        });
    }
}

impl Finding {
    fn ok(check: &str, detail: String) -> Finding {
        Finding {
            check: check.to_owned(),
            ok: true,
            required: true,
            detail,
            fix: None,
            exit_code: None,
        }
    }

    fn failed(check: &str, err: &Error, required: bool) -> Finding {
        Finding {
            check: check.to_owned(),
            ok: false,
            required,
            detail: err.message.clone(),
            fix: Some(
                err.hint
                    .clone()
                    .unwrap_or_else(|| "see the detail".to_owned()),
            ),
            exit_code: Some(err.exit_code()),
        }
    }
}

/// Whether `exec --isolate` can apply every protection here: the isolation helper is run
/// without a command and reports what it applied.
fn check_isolation(ctx: &Ctx) -> Result<String> {
    if crate::isolate::inside(&ctx.paths) {
        return Ok(
            "this runs inside an isolated `agentcred exec --isolate`: the stores are out of reach by design"
                .into(),
        );
    }
    let plan = crate::isolate::Plan::for_user(&ctx.paths, crate::isolate::Mode::BestEffort);
    let report = crate::isolate::probe(&plan);
    if report.missing.is_empty() {
        Ok(format!(
            "`exec --isolate` is available ({})",
            report.applied.join(", ")
        ))
    } else {
        Err(crate::isolate::unavailable_error(&report.missing))
    }
}

/// The findings so far, and the error of each failed required one (to exit with the worst).
#[derive(Default)]
struct Findings {
    findings: Vec<Finding>,
    failures: Vec<Error>,
}

impl Findings {
    fn record(&mut self, check: &str, outcome: Result<String>, required: bool) {
        match outcome {
            Ok(detail) => self.findings.push(Finding {
                required,
                ..Finding::ok(check, detail)
            }),
            Err(err) => {
                self.findings.push(Finding::failed(check, &err, required));
                if required {
                    self.failures.push(err);
                }
            }
        }
    }
}

pub fn run(ctx: &Ctx) -> Result<()> {
    let mut found = Findings::default();
    found.record("isolation", check_isolation(ctx), false);
    let home = check_home(ctx);
    let home_ok = home.is_ok();
    found.record("home", home, true);
    if !home_ok {
        // The config and the file store live in the home: their failures would only repeat it.
        let view = DoctorView {
            ok: false,
            findings: found.findings,
            pending_revocations: Vec::new(),
        };
        ctx.printer.print(&view)?;
        return Err(found.failures.remove(0));
    }
    found.record("ownership", crate::homecheck::report(&ctx.paths), true);
    let config = Config::load(&ctx.paths);
    found.record("config file", check_config(ctx, &config), true);
    let config = config.unwrap_or_default();
    for probe in store::diagnose(&ctx.paths, &used_stores(&config), ctx.global.store) {
        found.record(probe.check, probe.outcome, probe.required);
    }
    let Findings {
        mut findings,
        failures,
    } = found;
    let pending_revocations = settle_runs(ctx, &config, &mut findings);

    // The headline is the first failure of the most pressing class, in the order listed: a
    // local configuration problem (2) first, since it may be why a store looks required or
    // broken; then a store (7).
    let rank = |e: &Error| match e.exit_code() {
        2 => 0,
        7 => 1,
        _ => 2,
    };
    let worst = failures.into_iter().min_by_key(rank);
    ctx.printer.print(&DoctorView {
        ok: worst.is_none(),
        findings,
        pending_revocations,
    })?;
    match worst {
        None => Ok(()),
        Some(mut err) => {
            err.message = format!("agentcred doctor found a problem: {}", err.message);
            Err(err)
        }
    }
}

/// The config file: valid (with its number of profiles), or why not, as a local problem.
fn check_config(ctx: &Ctx, config: &Result<Config>) -> Result<String> {
    match config {
        Ok(config) => Ok(format!(
            "{} is valid ({} profile{})",
            ctx.paths.config_file().display(),
            config.profiles.len(),
            if config.profiles.len() == 1 { "" } else { "s" }
        )),
        Err(e) => {
            // A config that cannot be read is a local problem (exit 2), whatever it was called.
            let mut err = Error::usage(e.message.clone());
            err.hint = e.hint.clone().or_else(|| {
                Some(format!(
                    "fix or move aside {} (it holds no secrets)",
                    ctx.paths.config_file().display()
                ))
            });
            Err(err)
        }
    }
}

/// The stores a profile or an operator key of `config` keeps its secrets in.
fn used_stores(config: &Config) -> Vec<StoreKind> {
    let used = |kind: StoreKind| {
        config.profiles.values().any(|p| p.store == kind)
            || config.operators.values().any(|o| o.store == kind)
    };
    <StoreKind as clap::ValueEnum>::value_variants()
        .iter()
        .copied()
        .filter(|kind| used(*kind))
        .collect()
}

/// The home: the config and data directories are directories (or can be made), not files.
fn check_home(ctx: &Ctx) -> Result<String> {
    let paths = &ctx.paths;
    let from = match std::env::var_os("AGENTCRED_HOME").filter(|v| !v.is_empty()) {
        Some(home) => format!("AGENTCRED_HOME={}", Path::new(&home).display()),
        None => "the XDG directories".to_owned(),
    };
    for dir in [&paths.config_dir, &paths.data_dir] {
        // The nearest existing ancestor must be a directory for the directory to be made.
        let mut at = dir.as_path();
        loop {
            match std::fs::metadata(at) {
                Ok(meta) if meta.is_dir() => break,
                Ok(_) => {
                    return Err(Error::usage(format!(
                        "{} is a file, so agentcred cannot keep its state in {} ({from})",
                        at.display(),
                        dir.display()
                    ))
                    .with_hint(format!(
                        "set AGENTCRED_HOME to a directory, or move {} aside",
                        at.display()
                    )));
                }
                Err(_) => match at.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => at = parent,
                    _ => break,
                },
            }
        }
    }
    Ok(format!(
        "state in {} and {} ({from})",
        paths.config_dir.display(),
        paths.data_dir.display()
    ))
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("doctor", schema_of::<DoctorView>())]
}

/// Retry every revocation earlier runs left (their run being over), and list what is still
/// pending, each as a finding that does not fail the command (the stores are its subject).
fn settle_runs(
    ctx: &Ctx,
    config: &Config,
    findings: &mut Vec<Finding>,
) -> Vec<crate::ephemeral::Pending> {
    use crate::ephemeral;
    let mut profiles: Vec<String> = ephemeral::list(&ctx.paths, None)
        .into_iter()
        .map(|(_, p)| p.profile)
        .collect();
    profiles.sort();
    profiles.dedup();
    for name in profiles {
        let Some(profile) = config.profiles.get(&name).cloned() else {
            continue;
        };
        let Ok(incident) = crate::services::incident(profile.provider) else {
            continue;
        };
        if let Ok(session) = ctx.session_for(name.clone(), profile) {
            ephemeral::retry(ctx, &session, incident);
        }
    }
    let pending: Vec<ephemeral::Pending> = ephemeral::list(&ctx.paths, None)
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    for p in &pending {
        let running = ephemeral::owner_running(p);
        findings.push(Finding {
            check: format!("run credential {}", p.name),
            ok: running,
            required: false,
            detail: if running {
                format!(
                    "{} {} of profile '{}' belongs to a run still going (pid {}); it is revoked when that run ends",
                    p.provider, p.credential_id, p.profile, p.owner_pid
                )
            } else {
                format!(
                    "{} {} of profile '{}' ({}) is not revoked yet{}",
                    p.provider,
                    p.credential_id,
                    p.profile,
                    p.kind,
                    p.last_error
                        .as_deref()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                )
            },
            fix: (!running).then(|| {
                format!(
                    "run `agentcred doctor` again once the service answers (any command on profile '{}' also retries), or revoke {} at the service",
                    p.profile, p.credential_id
                )
            }),
            exit_code: None,
        });
    }
    pending
}
