//! `agentcred leaks scan PATH... [--rotate]`: the second and third rungs of the incident
//! ladder, finding what leaked and replacing it.
//!
//! - The values looked for: every secret of every profile (each stored kind, spares
//!   included), every stored operator key, the operator keys and vault tokens in this
//!   process's environment, and gateway tokens by their shape (no process but a running
//!   gateway holds one). A store that cannot be read is named in the output (and on stderr):
//!   its values were not looked for.
//! - The scan ([`crate::leaks`]) reports each finding as file, line, profile, secret kind and
//!   encoding, never the value. A progress line is drawn on a terminal's stderr once a scan
//!   takes more than a second.
//! - `--rotate` asks each profile's service to replace each leaked secret
//!   ([`crate::service::Incident::rotate`]), long-lived kinds first; a kind whose stored value
//!   already changed (a JWT replaced with its key) is not rotated twice. Then the files are
//!   scanned again for the values stored now.
//! - Exit 0 when the (last) scan found nothing, else 8 with code `leaks_found`.

use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::Ctx;
use crate::cli::args::{LeaksCommand, LeaksScanArgs};
use crate::error::{Code, Error, Result};
use crate::leaks::{self, Encoding, FileScan, Needle, Scanner};
use crate::output::{Human, Output, Render};
use crate::profile::Profile;
use crate::secret::Secret;
use crate::service::Rotation;
use crate::services;
use crate::spec;
use crate::store;

const PROGRESS_AFTER: Duration = Duration::from_secs(1);
/// The `profile` and `kind` of a gateway token found by its shape.
const GATEWAY: &str = "gateway";
const GATEWAY_TOKEN: &str = "gateway_token";
const PROGRESS_EVERY: Duration = Duration::from_millis(200);

#[derive(Serialize, schemars::JsonSchema)]
struct FindingView {
    file: String,
    /// 1-based.
    line: u64,
    /// The profile that holds the value (`operator:SLOT` for a stored operator key,
    /// `environment` for a variable of this process, `gateway` for a gateway token).
    profile: String,
    /// The secret's kind (`api_key`, `token`, `client_secret`, ... or the variable's name).
    kind: String,
    encoding: Encoding,
}

#[derive(Serialize, schemars::JsonSchema)]
struct ScanView {
    files: u64,
    bytes: u64,
    /// Files skipped as binary (a NUL byte near the start).
    binary_skipped: u64,
    /// Files and folders that could not be read.
    unreadable: Vec<String>,
    /// How many distinct values were looked for.
    values: usize,
    /// Stores that could not be read: their values were not looked for.
    stores_unread: Vec<String>,
    seconds: f64,
    findings: Vec<FindingView>,
}

#[derive(Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Rotated,
    CannotRotate,
    AlreadyReplaced,
    Failed,
}

#[derive(Serialize, schemars::JsonSchema)]
struct RotationView {
    profile: String,
    kind: String,
    outcome: Outcome,
    /// What was done, what to do instead, or why it failed.
    detail: String,
}

#[derive(Serialize, schemars::JsonSchema)]
struct LeaksView {
    #[serde(flatten)]
    scan: ScanView,
    /// With --rotate: what happened to each leaked secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    rotations: Option<Vec<RotationView>>,
    /// With --rotate: the scan again, for the values stored now.
    #[serde(skip_serializing_if = "Option::is_none")]
    rescan: Option<ScanView>,
}

fn render_scan(out: &mut Human, scan: &ScanView) {
    for f in &scan.findings {
        out.line(format!(
            "{}:{}: {} of profile '{}' ({})",
            f.file,
            f.line,
            f.kind,
            f.profile,
            f.encoding.label()
        ));
    }
    for u in &scan.unreadable {
        out.line(format!("unreadable: {u}"));
    }
    out.line(format!(
        "{} finding(s) in {} file(s), {:.1} MB ({} binary skipped), {} value(s) looked for, {:.2} s.",
        scan.findings.len(),
        scan.files,
        scan.bytes as f64 / 1e6,
        scan.binary_skipped,
        scan.values,
        scan.seconds
    ));
}

impl Render for LeaksView {
    fn human(&self, out: &mut Human) {
        render_scan(out, &self.scan);
        if let Some(rotations) = &self.rotations {
            out.blank();
            for r in rotations {
                let what = match r.outcome {
                    Outcome::Rotated => "rotated",
                    Outcome::CannotRotate => "cannot rotate",
                    Outcome::AlreadyReplaced => "already replaced",
                    Outcome::Failed => "FAILED",
                };
                out.line(format!(
                    "{} of '{}': {what}: {}",
                    r.kind, r.profile, r.detail
                ));
            }
        }
        if let Some(rescan) = &self.rescan {
            out.blank();
            out.line("After rotation:");
            render_scan(out, rescan);
        }
    }
}

pub fn run(ctx: &Ctx, command: LeaksCommand) -> Result<()> {
    match command {
        LeaksCommand::Scan(args) => scan_command(ctx, args),
    }
}

/// Every value agentcred holds, deduplicated; and the stores that could not be read.
fn needles(ctx: &Ctx) -> Result<(Vec<Needle>, Vec<String>)> {
    let config = ctx.config()?;
    let mut needles = Vec::new();
    let mut unread = Vec::new();
    for (name, profile) in &config.profiles {
        let store =
            match store::open_profile(name, profile.store, profile.vault.as_ref(), &ctx.paths) {
                Ok(store) => store,
                Err(e) => {
                    unread.push(format!("profile '{name}': {}", e.message));
                    continue;
                }
            };
        for kind in profile.secret_kinds() {
            match store.get(&store::account(name, &kind)) {
                Ok(Some(value)) => needles.push(Needle {
                    profile: name.clone(),
                    kind,
                    value,
                }),
                Ok(None) => {}
                Err(e) => {
                    unread.push(format!("profile '{name}': {}", e.message));
                    break;
                }
            }
        }
    }
    for (slot, entry) in &config.operators {
        let got = store::open(entry.store, &ctx.paths)
            .and_then(|s| s.get(&store::operator_account(slot)));
        match got {
            Ok(Some(value)) => {
                // A Basic key is stored as `id:secret`; the secret alone is what leaks.
                if let Some((_, secret)) = crate::operator::split_pair(value.expose()) {
                    needles.push(Needle {
                        profile: format!("operator:{slot}"),
                        kind: "operator_key".into(),
                        value: Secret::new(secret.to_owned()),
                    });
                }
                needles.push(Needle {
                    profile: format!("operator:{slot}"),
                    kind: "operator_key".into(),
                    value,
                });
            }
            Ok(None) => {}
            Err(e) => unread.push(format!("operator key {slot}: {}", e.message)),
        }
    }
    let mut vars: Vec<&str> = spec::all()
        .flat_map(|p| p.spec().operator.iter().flat_map(|s| s.env_vars()))
        .collect();
    vars.extend([store::vault::TOKEN_ENV, store::vault::BAO_TOKEN_ENV]);
    for var in vars {
        if let Ok(value) = std::env::var(var)
            && value.len() >= leaks::MIN_VALUE_LEN
        {
            needles.push(Needle {
                profile: "environment".into(),
                kind: var.to_owned(),
                value: Secret::new(value),
            });
        }
    }
    let mut seen = HashSet::new();
    needles.retain(|n| seen.insert(n.value.expose().clone()));
    Ok((needles, unread))
}

/// A progress line on a terminal's stderr, after the first second.
struct Progress {
    on: bool,
    started: Instant,
    last: Option<Instant>,
    files: u64,
    bytes: u64,
}

impl Progress {
    fn new(ctx: &Ctx) -> Progress {
        Progress {
            on: !ctx.printer.json && !ctx.printer.quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            last: None,
            files: 0,
            bytes: 0,
        }
    }

    fn tick(&mut self) {
        if !self.on || self.started.elapsed() < PROGRESS_AFTER {
            return;
        }
        if self.last.is_some_and(|l| l.elapsed() < PROGRESS_EVERY) {
            return;
        }
        self.last = Some(Instant::now());
        eprint!(
            "\r\x1b[KScanning: {} files, {:.1} MB...",
            self.files,
            self.bytes as f64 / 1e6
        );
    }

    fn done(&self) {
        if self.last.is_some() {
            eprint!("\r\x1b[K");
        }
    }
}

fn scan(ctx: &Ctx, paths: &[PathBuf]) -> Result<(ScanView, Vec<Needle>)> {
    let (needles, stores_unread) = needles(ctx)?;
    for store in &stores_unread {
        ctx.printer.warn_coded(
            "leaks_store_skipped",
            format!("not looked for: the values of {store}"),
        );
    }
    let skipped = needles
        .iter()
        .filter(|n| n.value.expose().len() < leaks::MIN_VALUE_LEN)
        .count();
    if skipped > 0 {
        ctx.printer.warn_coded("leaks_short_values_skipped", format!(
            "{skipped} stored value(s) shorter than {} characters were not looked for (they would match everywhere)",
            leaks::MIN_VALUE_LEN
        ));
    }
    let scanner = Scanner::new(&needles)?;
    let started = Instant::now();
    let mut unreadable = Vec::new();
    let files = leaks::files(paths, &mut |path, e| {
        unreadable.push(format!("{}: {e}", path.display()));
    });
    let mut progress = Progress::new(ctx);
    let mut findings = Vec::new();
    let mut binary = 0;
    for file in &files {
        progress.files += 1;
        let outcome = scanner.scan_file(file, &mut |n| {
            progress.bytes += n;
            progress.tick();
        });
        match outcome {
            Ok(FileScan::Binary) => binary += 1,
            Ok(FileScan::Scanned(found)) => {
                for f in found {
                    let (profile, kind) = match f.needle {
                        Some(index) => {
                            (needles[index].profile.clone(), needles[index].kind.clone())
                        }
                        None => (GATEWAY.to_owned(), GATEWAY_TOKEN.to_owned()),
                    };
                    findings.push(FindingView {
                        file: file.display().to_string(),
                        line: f.line,
                        profile,
                        kind,
                        encoding: f.encoding,
                    });
                }
            }
            Err(e) => unreadable.push(format!("{}: {e}", file.display())),
        }
    }
    progress.done();
    for u in &unreadable {
        ctx.printer
            .warn_coded("leaks_unreadable_file", format!("cannot read {u}"));
    }
    Ok((
        ScanView {
            files: files.len() as u64,
            bytes: progress.bytes,
            binary_skipped: binary,
            unreadable,
            values: needles.len() - skipped,
            stores_unread,
            seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            findings,
        },
        needles,
    ))
}

fn scan_command(ctx: &Ctx, args: LeaksScanArgs) -> Result<()> {
    for path in &args.paths {
        if let Err(e) = std::fs::metadata(path) {
            return Err(
                Error::not_found(format!("cannot scan {}: {e}", path.display()))
                    .with_hint("give files or directories that exist"),
            );
        }
    }
    let (first, needles) = scan(ctx, &args.paths)?;
    if !args.rotate || first.findings.is_empty() {
        let failure = leaks_found(&first, args.rotate);
        ctx.printer.print(&LeaksView {
            scan: first,
            rotations: None,
            rescan: None,
        })?;
        return failure.map_or(Ok(()), Err);
    }
    let rotations = rotate(ctx, &first, &needles)?;
    let (rescan, _) = scan(ctx, &args.paths)?;
    let failure = leaks_found(&rescan, false).map(|mut e| {
        e.message = format!("after rotation, {}", e.message);
        e
    });
    ctx.printer.print(&LeaksView {
        scan: first,
        rotations: Some(rotations),
        rescan: Some(rescan),
    })?;
    failure.map_or(Ok(()), Err)
}

fn leaks_found(scan: &ScanView, rotating: bool) -> Option<Error> {
    if scan.findings.is_empty() {
        return None;
    }
    let places: HashSet<&str> = scan.findings.iter().map(|f| f.file.as_str()).collect();
    let hint = if rotating {
        "what could not be rotated is listed with what to do instead".to_owned()
    } else {
        "replace what leaked with `agentcred leaks scan --rotate PATH...`, and remove the files or the lines".to_owned()
    };
    Some(
        Error::coded(
            Code::LeaksFound,
            format!(
                "{} stored secret value(s) found in {} file(s)",
                scan.findings.len(),
                places.len()
            ),
        )
        .with_hint(hint),
    )
}

/// Rotate each leaked (profile, kind) once, long-lived kinds first.
fn rotate(ctx: &Ctx, scan: &ScanView, needles: &[Needle]) -> Result<Vec<RotationView>> {
    let config = ctx.config()?;
    let mut leaked: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for f in &scan.findings {
        let kinds = leaked.entry(f.profile.clone()).or_default();
        if !kinds.contains(&f.kind) {
            kinds.push(f.kind.clone());
        }
    }
    let mut out = Vec::new();
    for (name, mut kinds) in leaked {
        let Some(profile) = config.profiles.get(&name) else {
            out.extend(kinds.into_iter().map(|kind| not_a_profile(&name, kind)));
            continue;
        };
        let order = profile.secret_kinds();
        kinds.sort_by_key(|k| order.iter().position(|o| o == k).unwrap_or(usize::MAX));
        let store =
            store::open_profile(&name, profile.store, profile.vault.as_ref(), &ctx.paths).ok();
        for kind in kinds {
            let leaked_value = needles
                .iter()
                .find(|n| n.profile == name && n.kind == kind)
                .map(|n| &n.value);
            let now = store
                .as_ref()
                .and_then(|s| s.get(&store::account(&name, &kind)).ok().flatten());
            if out.iter().any(|r: &RotationView| r.profile == name)
                && leaked_value.is_some()
                && now.as_ref() != leaked_value
            {
                out.push(RotationView {
                    profile: name.clone(),
                    kind,
                    outcome: Outcome::AlreadyReplaced,
                    detail: "replaced by the rotation above".into(),
                });
                continue;
            }
            out.push(rotate_one(ctx, &name, profile, kind));
        }
    }
    Ok(out)
}

/// What to do about a leaked secret of `name`, which is no profile: a gateway token, an
/// operator key, or a variable of this process's environment.
fn not_a_profile(name: &str, kind: String) -> RotationView {
    let detail = if kind == GATEWAY_TOKEN {
        "a gateway token opens its own gateway only, and only while it runs: stop that gateway (a new one gets a new token)".to_owned()
    } else if name.starts_with("operator:") {
        "an operator key is replaced in the service's own console; then store the new one with `agentcred login SERVICE`".to_owned()
    } else {
        format!(
            "{kind} is set in this process's environment: replace it where it comes from (the service's console, your vault)"
        )
    };
    RotationView {
        profile: name.to_owned(),
        kind,
        outcome: Outcome::CannotRotate,
        detail,
    }
}

/// Rotate the leaked `kind` of profile `name` by its service; a failure is warned about and
/// reported in the row.
fn rotate_one(ctx: &Ctx, name: &str, profile: &Profile, kind: String) -> RotationView {
    let rotation = match services::incident(profile.provider) {
        Ok(incident) => incident.rotate(ctx, name, &kind),
        Err(e) => Rotation::Failed(e),
    };
    let (outcome, detail) = match rotation {
        Rotation::Rotated(detail) => (Outcome::Rotated, detail),
        Rotation::Cannot(detail) => (Outcome::CannotRotate, detail),
        Rotation::Failed(err) => {
            ctx.printer.warn_coded(
                "leaks_rotation_failed",
                format!(
                    "rotating {kind} of profile '{name}' failed: {}",
                    err.message
                ),
            );
            let detail = match &err.hint {
                Some(hint) => format!("{} ({hint})", err.message),
                None => err.message.clone(),
            };
            (Outcome::Failed, detail)
        }
    };
    RotationView {
        profile: name.to_owned(),
        kind,
        outcome,
        detail,
    }
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    vec![("leaks scan", crate::output::schema_of::<LeaksView>())]
}
