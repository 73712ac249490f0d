//! `agentcred token`: print a bearer credential valid for at least `--min-valid`, refreshing
//! first if needed, and nothing else on stdout, so `$(agentcred token)` works in scripts. The
//! credential is printed without `--reveal` because printing it is the command's purpose,
//! unless it never expires (an agent token without expiry): a long-lived secret is printed only with
//! `--reveal`, and a notice on stderr says what it is.

use serde::Serialize;

use super::Ctx;
use crate::cli::args::TokenArgs;
use crate::error::{Error, Result};
use crate::output::{Human, Output, Render};
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
    crate::service::of(provider)?.check_agent_usable(&session)?;
    let long_lived = provider.spec().short_lived.is_none();
    if long_lived && !ctx.global.reveal {
        return Err(Error::usage(format!(
            "{} agent tokens do not expire: printing one hands out a long-lived secret, so `token` does it only with --reveal",
            provider.display_name()
        ))
        .with_provider(provider.id())
        .with_hint(format!(
            "to give a program the credential without handing it over, run it with `agentcred --profile {} exec --gateway -- CMD`; to print it anyway: `agentcred --reveal token`",
            session.name
        )));
    }
    let bearer = session.bearer(args.min_valid)?;
    if long_lived {
        ctx.printer.notice(
            "long_lived_secret",
            format!(
                "this {} agent token does not expire: whoever holds it acts as the agent until it is revoked",
                provider.display_name()
            ),
        );
    }
    let view = TokenView {
        profile: session.name.clone(),
        provider,
        token_type: "Bearer",
        expires_at: bearer.expires_at_rfc3339(),
        expires_in_s: bearer.expires_in_s(),
        refreshed: bearer.refreshed,
        token: bearer.token.into_inner(),
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
