//! `agentcred approvals list [--all] | approve ID | deny ID`: the requests a profile's policy
//! holds for a person ([`crate::approvals`]). Run them outside the agent's run: approvals live
//! in this host's data directory, which an isolated child cannot reach, and agentcred never
//! takes an approval from a prompt inside the agent's own terminal.

use serde::Serialize;

use super::Ctx;
use crate::approvals::{self, Approval};
use crate::audit::{self, Event};
use crate::cli::args::ApprovalsCommand;
use crate::error::Result;
use crate::output::{Human, Output, Render, tables};
use crate::policy::{DEFAULT_APPROVAL_EXPIRY, Policy};

#[derive(Serialize, schemars::JsonSchema)]
struct ListView {
    approvals: Vec<Approval>,
}

impl Render for ListView {
    fn human(&self, out: &mut Human) {
        if self.approvals.is_empty() {
            out.line("No requests are waiting for approval.");
            return;
        }
        let mut table = tables::new(
            out.styled,
            &["id", "state", "profile", "request", "amount", "expires"],
        );
        for a in &self.approvals {
            let state = serde_json::to_value(a.state).unwrap_or_default();
            let amount = a.amount.as_ref().and_then(|v| {
                Some(format!(
                    "{} {}",
                    v["formatted"].as_str()?,
                    v["currency"].as_str()?
                ))
            });
            table.add_row(vec![
                a.id.clone(),
                state.as_str().unwrap_or("").to_owned(),
                a.profile.clone(),
                format!("{} {}:{}", a.method, a.endpoint, a.path),
                tables::cell(amount),
                a.expires_at.clone(),
            ]);
        }
        out.table(table);
    }
}

#[derive(Serialize, schemars::JsonSchema)]
struct DecidedView {
    approval: Approval,
}

impl Render for DecidedView {
    fn human(&self, out: &mut Human) {
        let a = &self.approval;
        let state = serde_json::to_value(a.state).unwrap_or_default();
        out.line(format!(
            "{} {}: {} {}:{} (usable once, until {})",
            a.id,
            state.as_str().unwrap_or(""),
            a.method,
            a.endpoint,
            a.path,
            a.expires_at
        ));
    }
}

pub fn run(ctx: &Ctx, command: ApprovalsCommand) -> Result<()> {
    match command {
        ApprovalsCommand::List(args) => {
            let profile = ctx.global.profile.clone();
            let approvals = approvals::list(&ctx.paths, profile.as_deref(), args.all)?;
            ctx.printer.print(&ListView { approvals })
        }
        ApprovalsCommand::Approve(args) => decide(ctx, &args.id, true),
        ApprovalsCommand::Deny(args) => decide(ctx, &args.id, false),
    }
}

fn decide(ctx: &Ctx, id: &str, approve: bool) -> Result<()> {
    let config = ctx.config()?;
    // How long an approval lasts is the profile's policy's to say.
    let expiry = |profile: &str| {
        config
            .profiles
            .get(profile)
            .and_then(|p| {
                let text = p.policy.as_deref()?;
                Policy::parse(text, "policy", p.provider).ok()
            })
            .map_or(DEFAULT_APPROVAL_EXPIRY, |p| p.approval_expiry)
    };
    let approval = approvals::decide(&ctx.paths, id, approve, expiry)?;
    audit::append(
        &ctx.paths,
        Event::new(if approve {
            "approval_given"
        } else {
            "approval_denied"
        })
        .profile(approval.profile.clone())
        .field("approval_id", approval.id.clone())
        .field("method", approval.method.clone())
        .field("endpoint", approval.endpoint.clone())
        .field("path", approval.path.clone())
        .field("amount", approval.amount.clone()),
    )?;
    if approve {
        ctx.printer.notice(
            "approval_given",
            format!("Approved {id}: the agent may now repeat that exact request once."),
        );
    } else {
        ctx.printer
            .notice("approval_denied", format!("Denied {id}."));
    }
    ctx.printer.print(&DecidedView { approval })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![
        ("approvals list", schema_of::<ListView>()),
        ("approvals approve", schema_of::<DecidedView>()),
        ("approvals deny", schema_of::<DecidedView>()),
    ]
}
