//! Proxy in an incident: a run-scoped agent token, revoking spare tokens, rotating a leaked
//! token.
//!
//! - A run's token is an agent token named as the run is (operator key), revoked at the end;
//!   one already revoked or gone counts as revoked.
//! - A leaked token is replaced with `tokens create --use`, then the old one is revoked; a
//!   leaked spare is revoked.

use super::support;
use super::tokens::{TokenCreate, TokenRevoke, TokensAction};
use crate::context::Ctx;
use crate::error::{ErrorKind, Result};
use crate::service::{Incident, Rotation, RunCredential};
use crate::session::Session;

pub struct ProxyIncident;

fn revoke(ctx: &Ctx, name: &str, id: &str) -> Result<()> {
    ctx.quietly_for(name, |sub| {
        super::tokens::run(
            sub,
            TokensAction::Revoke(TokenRevoke {
                token_id: id.to_owned(),
                force: false,
            }),
        )
        // What was revoked is reported by the caller; the command's view is not shown.
        .map(drop)
    })
}

impl Incident for ProxyIncident {
    fn mint_run(&self, ctx: &Ctx, session: &Session, name: &str) -> Result<Option<RunCredential>> {
        support::refuse_if_deregistered(session)?;
        let (client, _) = support::operator(ctx, session)?;
        let (token, secret) = client.create_token(&session.profile.agent_id, Some(name))?;
        Ok(Some(RunCredential {
            id: token.id,
            kind: "token",
            value: secret,
        }))
    }

    fn revoke_run(&self, ctx: &Ctx, session: &Session, id: &str) -> Result<()> {
        let (client, _) = support::operator(ctx, session)?;
        match client.revoke_token(&session.profile.agent_id, id) {
            Ok(_) => Ok(()),
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn revoke_spares(&self, ctx: &Ctx, name: &str) -> Vec<(String, Result<()>)> {
        let Ok((_, profile)) = ctx.for_profile(name).and_then(|c| c.selected_profile()) else {
            return Vec::new();
        };
        profile
            .extra_secrets
            .iter()
            .filter_map(|kind| kind.strip_prefix("token:"))
            .map(|id| (format!("agent token {id}"), revoke(ctx, name, id)))
            .collect()
    }

    fn rotate(&self, ctx: &Ctx, name: &str, kind: &str) -> Rotation {
        if let Some(id) = kind.strip_prefix("token:") {
            return match revoke(ctx, name, id) {
                Ok(()) => Rotation::Rotated(format!("revoked the spare agent token {id}")),
                Err(e) => Rotation::Failed(e),
            };
        }
        let old = match ctx.for_profile(name).and_then(|c| c.selected_profile()) {
            Ok((_, profile)) => support::record_of(&profile).token_id,
            Err(e) => return Rotation::Failed(e),
        };
        let created = ctx.quietly_for(name, |sub| {
            super::tokens::run(
                sub,
                TokensAction::Create(TokenCreate {
                    name: None,
                    use_token: true,
                }),
            )
            .map(drop)
        });
        if let Err(e) = created {
            return Rotation::Failed(e);
        }
        let Some(old) = old else {
            return Rotation::Rotated("created a new agent token (the old one's id is not recorded: revoke it in `agentcred tokens list`)".into());
        };
        match revoke(ctx, name, &old) {
            Ok(()) => Rotation::Rotated(format!(
                "new agent token in use; revoked the old token {old}"
            )),
            Err(mut e) => {
                e.message = format!(
                    "the profile uses a new agent token, but revoking the old token {old} failed: {}",
                    e.message
                );
                Rotation::Failed(e.with_hint(format!(
                    "revoke it with `agentcred --profile {name} tokens revoke {old}`"
                )))
            }
        }
    }
}
