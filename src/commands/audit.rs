//! `agentcred audit [--profile P] [--since D] [--follow] [--json]` and `agentcred audit
//! verify`: the audit log ([`crate::audit`]), oldest first.
//!
//! `--json` prints `{"schema_version": 1, "entries": [...]}`; with `--follow`, which never
//! ends, each entry is one JSON line instead (what was there first, then each new one as it
//! is appended). `verify` checks the hash chain across every file of the log and exits 8
//! (`audit_broken`) naming the first bad line.

use std::io::Write;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::Ctx;
use crate::audit::{self, Verified};
use crate::cli::args::{AuditArgs, AuditCommand};
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};

#[derive(Serialize, schemars::JsonSchema)]
struct AuditView {
    /// Each entry: `seq`, `ts`, `event`, `profile` and the fields of its event (`method`,
    /// `endpoint`, `path`, `status`, `decision`, `rule`, `amount`, `reason`, `command`,
    /// `exit_code`, ...), with `prev` and `hash`, the chain's links.
    entries: Vec<Value>,
}

impl Render for AuditView {
    fn human(&self, out: &mut Human) {
        if self.entries.is_empty() {
            out.line("The audit log has no entries (for this selection).");
        }
        for entry in &self.entries {
            out.line(line(entry));
        }
    }
}

/// One entry as a line for a person: seq, time, profile, event, then its fields.
fn line(entry: &Value) -> String {
    let text = |key: &str| match &entry[key] {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut parts = vec![
        format!("{:>6}", text("seq")),
        text("ts"),
        text("profile"),
        text("event"),
    ];
    if let Some(map) = entry.as_object() {
        for (key, value) in map {
            if matches!(
                key.as_str(),
                "seq" | "ts" | "profile" | "event" | "prev" | "hash"
            ) {
                continue;
            }
            let shown = match (key.as_str(), value) {
                ("amount", v) if v.get("formatted").is_some() => format!(
                    "{} {}",
                    v["formatted"].as_str().unwrap_or(""),
                    v["currency"].as_str().unwrap_or("")
                ),
                (_, Value::String(s)) => s.clone(),
                (_, other) => other.to_string(),
            };
            parts.push(format!("{key}={shown}"));
        }
    }
    parts.join("  ")
}

#[derive(Serialize, schemars::JsonSchema)]
struct VerifyView {
    ok: bool,
    #[serde(flatten)]
    verified: Verified,
}

impl Render for VerifyView {
    fn human(&self, out: &mut Human) {
        out.line(format!(
            "The audit log is intact: {} entries in {} file(s), every hash and link checks.",
            self.verified.entries,
            self.verified.files.len()
        ));
    }
}

pub fn run(ctx: &Ctx, args: AuditArgs) -> Result<()> {
    if let Some(AuditCommand::Verify) = args.command {
        let verified = audit::verify(&ctx.paths)?;
        return ctx.printer.print(&VerifyView { ok: true, verified });
    }
    let profile = ctx.global.profile.clone();
    let since = match args.since {
        Some(d) => Some(since_unix(d)?),
        None => None,
    };
    let keep = |entry: &Value| {
        profile
            .as_deref()
            .is_none_or(|p| entry["profile"].as_str() == Some(p))
            && since.is_none_or(|s| {
                entry["ts"]
                    .as_str()
                    .and_then(crate::timefmt::parse_to_unix_secs)
                    .is_some_and(|ts| ts >= s)
            })
    };
    let entries: Vec<Value> = audit::read_all(&ctx.paths)?
        .into_iter()
        .filter(|e| keep(e))
        .collect();
    if !args.follow {
        return ctx.printer.print(&AuditView { entries });
    }
    let mut last_seq = 0;
    let emit = |entry: &Value| -> Result<()> {
        let text = if ctx.printer.json {
            entry.to_string()
        } else {
            crate::output::neutralize(&line(entry), false).into_owned()
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{text}")
            .and_then(|_| stdout.flush())
            .map_err(|e| Error::internal(format!("cannot write to stdout: {e}")))
    };
    for entry in &entries {
        emit(entry)?;
    }
    if let Some(seq) = audit::read_all(&ctx.paths)?
        .last()
        .and_then(|e| e["seq"].as_u64())
    {
        last_seq = seq;
    }
    loop {
        std::thread::sleep(Duration::from_millis(250));
        for entry in audit::read_all(&ctx.paths)? {
            let seq = entry["seq"].as_u64().unwrap_or(0);
            if seq > last_seq {
                last_seq = seq;
                if keep(&entry) {
                    emit(&entry)?;
                }
            }
        }
    }
}

/// The unix second `d` ago.
fn since_unix(d: Duration) -> Result<i64> {
    let secs = i64::try_from(d.as_secs()).map_err(|_| Error::usage("--since is too long"))?;
    Ok(crate::timefmt::now_unix().saturating_sub(secs))
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("audit", schema_of::<AuditView>()),
        ("audit verify", schema_of::<VerifyView>()),
    ]
}
