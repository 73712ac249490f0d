//! `agentcred refresh`: get a new short-lived credential now (or only when the current one
//! expires within `--if-expiring-within`). Concurrent refreshes of one profile are serialized
//! by the profile lock; one that waited and finds a credential another process just minted
//! uses it instead of minting again.

use std::time::Duration;

use serde::Serialize;

use super::Ctx;
use crate::cli::args::RefreshArgs;
use crate::duration;
use crate::error::Result;
use crate::output::{Human, Output, Render};
use crate::session::{self, Fresh};
use crate::spec::Provider;
use crate::timefmt;

#[derive(Serialize, schemars::JsonSchema)]
struct RefreshView {
    profile: String,
    provider: Provider,
    refreshed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    credential: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_s: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

impl Render for RefreshView {
    fn human(&self, out: &mut Human) {
        if let Some(note) = &self.note {
            out.line(note);
            return;
        }
        let valid = self
            .expires_in_s
            .map(|s| {
                format!(
                    ", valid for {}",
                    duration::human(Duration::from_secs(s.max(0) as u64))
                )
            })
            .unwrap_or_default();
        let until = self
            .expires_at
            .as_deref()
            .map(|t| format!(" (until {t})"))
            .unwrap_or_default();
        let verb = if self.refreshed { "Refreshed" } else { "Kept" };
        out.line(format!(
            "{verb} the {} of profile '{}'{valid}{until}.",
            self.credential.unwrap_or("credential"),
            self.profile
        ));
    }
}

pub fn run(ctx: &Ctx, args: RefreshArgs) -> Result<()> {
    let session = ctx.session()?;
    crate::freeze::refuse_if_frozen(&session)?;
    let provider = session.provider();
    let Some(kind) = provider.spec().short_lived_kind() else {
        return ctx.printer.print(&RefreshView {
            profile: session.name.clone(),
            provider,
            refreshed: false,
            credential: None,
            expires_at: None,
            expires_in_s: None,
            note: Some(format!(
                "{} agent tokens do not expire; there is nothing to refresh.",
                provider.display_name()
            )),
        });
    };
    let current = session.secret(kind)?;
    let fresh = match (&args.if_expiring_within, &current) {
        (Some(window), Some(token)) if session::remaining(token) > window.as_secs() as i64 => {
            Fresh {
                expires_at: crate::jwt::decode(token.expose()).and_then(|i| i.exp),
                token: token.clone(),
                refreshed: false,
            }
        }
        _ => session.force_refresh(current.as_ref())?,
    };
    crate::audit::append(
        &ctx.paths,
        crate::audit::Event::new("refresh")
            .profile(session.name.clone())
            .field("refreshed", fresh.refreshed)
            .field("expires_at", fresh.expires_at_rfc3339()),
    )?;
    ctx.printer.print(&RefreshView {
        profile: session.name.clone(),
        provider,
        refreshed: fresh.refreshed,
        credential: Some(kind),
        expires_at: fresh.expires_at_rfc3339(),
        expires_in_s: fresh.expires_at.map(|exp| exp - timefmt::now_unix()),
        note: None,
    })
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("refresh", schema_of::<RefreshView>())]
}
