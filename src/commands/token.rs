//! `agentcred token`: print a bearer credential valid for at least `--min-valid`, refreshing
//! first if needed, and nothing else on stdout, so `$(agentcred token)` works in scripts. The
//! credential is printed without `--reveal` because printing it is the command's purpose.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::TokenArgs;
use crate::error::Result;
use crate::output::{Human, Output, Render};
use crate::services;
use crate::spec::Provider;
use crate::timefmt;

#[derive(Serialize, schemars::JsonSchema)]
struct TokenView {
    profile: String,
    provider: Provider,
    token_type: &'static str,
    token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_secs: Option<i64>,
    refreshed: bool,
}

impl Render for TokenView {
    fn human(&self, out: &mut Human) {
        out.line(&self.token);
    }
}

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let session = ctx.session()?;
    let provider = session.provider();
    let spec = provider.spec();
    // An agent the service no longer has (deregistered, deleted) would only move the failure
    // to the caller's next request.
    services::service(provider)?.check_agent_usable(&session)?;
    let view = if spec.short_lived.is_none() {
        let token = session.require_known_secret(spec.agent_credential)?;
        TokenView {
            profile: session.name.clone(),
            provider,
            token_type: "Bearer",
            token: token.expose().clone(),
            expires_at: None,
            expires_in_secs: None,
            refreshed: false,
        }
    } else {
        let fresh = session.ensure_fresh_and_active(args.min_valid)?;
        let left = fresh.expires_at.map(|exp| exp - timefmt::now_unix());
        // Even a credential minted just now falls short: the service gives no longer ones,
        // and a caller that asked for this long must not get one it cannot use.
        if let Some(left) = left
            && left < args.min_valid.as_secs() as i64
        {
            return Err(crate::health::min_valid_unmet(
                provider,
                args.min_valid,
                &fresh.token,
                left,
            ));
        }
        TokenView {
            profile: session.name.clone(),
            provider,
            token_type: "Bearer",
            expires_at: fresh.expires_at_rfc3339(),
            expires_in_secs: left,
            refreshed: fresh.refreshed,
            token: fresh.token.into_inner(),
        }
    };
    // The release is on record before the credential leaves.
    crate::audit::append(
        &ctx.paths,
        crate::audit::Event::new("token")
            .profile(view.profile.clone())
            .field("refreshed", view.refreshed)
            .field("expires_at", view.expires_at.clone())
            .reason(args.reason.as_deref()),
    )?;
    ctx.printer.print(&view)
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("token", schema_of::<TokenView>())]
}
