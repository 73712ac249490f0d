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

#[derive(Serialize, schemars::JsonSchema)]
struct TokenView {
    profile: String,
    provider: Provider,
    token_type: &'static str,
    token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_in_s: Option<i64>,
    refreshed: bool,
}

impl Render for TokenView {
    fn human(&self, out: &mut Human) {
        out.line(&self.token);
    }
}

pub fn run(ctx: &Ctx, args: TokenArgs) -> Result<()> {
    let session = ctx.session()?;
    crate::freeze::refuse_if_frozen(&session)?;
    let provider = session.provider();
    // An agent the service no longer has (deregistered, deleted) would only move the failure
    // to the caller's next request.
    services::service(provider)?.check_agent_usable(&session)?;
    let bearer = session.bearer(args.min_valid)?;
    let view = TokenView {
        profile: session.name.clone(),
        provider,
        token_type: "Bearer",
        expires_at: bearer.expires_at_rfc3339(),
        expires_in_s: bearer.expires_in_s(),
        refreshed: bearer.refreshed,
        token: bearer.token.into_inner(),
    };
    ctx.printer.print(&view)
}

/// The `--json` outputs of this module's commands, for `agentcred schema`.
pub(crate) fn outputs() -> Vec<Output> {
    use crate::output::schema_of;
    vec![("token", schema_of::<TokenView>())]
}
