//! AuthPI in an incident: a run-scoped secret verifier, removing spare verifiers, rotating a
//! leaked client secret.
//!
//! - A run's client secret is a secret verifier named as the run is (org key), removed with
//!   its ETag at the end; a verifier already gone is removed.
//! - A leaked client secret is replaced with `verifiers add secret --use`, then the old
//!   verifier is removed; a leaked spare's verifier is removed. An access token lives five
//!   minutes and AuthPI offers no way to revoke one here: it is named with when it expires.

use super::verifiers::{VerifierAdd, VerifierRemove, VerifierSecret, VerifiersAction};
use super::{AuthpiRecord, core};
use crate::context::Ctx;
use crate::error::Result;
use crate::service::{Incident, Rotation, RunCredential};
use crate::session::Session;

pub struct AuthpiIncident;

fn remove(ctx: &Ctx, name: &str, id: &str) -> Result<()> {
    ctx.quietly_for(name, |sub| {
        super::verifiers::run(
            sub,
            VerifiersAction::Remove(VerifierRemove {
                verifier_id: id.to_owned(),
                force: false,
            }),
        )
        // The caller reports what was removed; the command's view is not shown.
        .map(drop)
    })
}

impl Incident for AuthpiIncident {
    fn mint_run(&self, ctx: &Ctx, session: &Session, name: &str) -> Result<Option<RunCredential>> {
        super::ensure_agent_exists(&session.name, &session.profile)?;
        let created =
            core(ctx, session)?.add_secret_verifier(&session.profile.agent_id, Some(name))?;
        Ok(Some(RunCredential {
            id: created.verifier.id,
            kind: "client_secret",
            value: created.secret,
        }))
    }

    fn revoke_run(&self, ctx: &Ctx, session: &Session, id: &str) -> Result<()> {
        let core = core(ctx, session)?;
        let agent_id = &session.profile.agent_id;
        let Some(verifier) = core
            .list_verifiers(agent_id)?
            .into_iter()
            .find(|v| v.id == id)
        else {
            return Ok(());
        };
        let Some(etag) = verifier.etag() else {
            return Err(crate::error::Error::internal(format!(
                "AuthPI listed verifier {id} without created_at, so it has no ETag"
            )));
        };
        core.remove_verifier(agent_id, id, &etag)
    }

    fn revoke_spares(&self, ctx: &Ctx, name: &str) -> Vec<(String, Result<()>)> {
        let Ok((_, profile)) = ctx.for_profile(name).and_then(|c| c.selected_profile()) else {
            return Vec::new();
        };
        profile
            .extra_secrets
            .iter()
            .filter_map(|kind| kind.strip_prefix("client_secret@"))
            .map(|id| (format!("secret verifier {id}"), remove(ctx, name, id)))
            .collect()
    }

    fn rotate(&self, ctx: &Ctx, name: &str, kind: &str) -> Rotation {
        if kind == "access_token" {
            return Rotation::Cannot(
                "an AuthPI access token lives five minutes and cannot be revoked here: it stops \
                 working by itself; rotate the client secret if it leaked too"
                    .into(),
            );
        }
        if let Some(id) = kind.strip_prefix("client_secret@") {
            return match remove(ctx, name, id) {
                Ok(()) => Rotation::Rotated(format!("removed the spare secret verifier {id}")),
                Err(e) => Rotation::Failed(e),
            };
        }
        let old = match ctx
            .for_profile(name)
            .and_then(|c| c.selected_profile())
            .and_then(|(_, p)| p.record::<AuthpiRecord>())
        {
            Ok(record) => record.secret_verifier_id,
            Err(e) => return Rotation::Failed(e),
        };
        let added = ctx.quietly_for(name, |sub| {
            super::verifiers::run(
                sub,
                VerifiersAction::Add(VerifierAdd::Secret(VerifierSecret {
                    name: None,
                    use_secret: true,
                })),
            )
            .map(drop)
        });
        if let Err(e) = added {
            return Rotation::Failed(e);
        }
        let Some(old) = old else {
            return Rotation::Rotated(
                "added a new client secret (no old verifier recorded)".into(),
            );
        };
        match remove(ctx, name, &old) {
            Ok(()) => Rotation::Rotated(format!(
                "new client secret in use; removed the old verifier {old}"
            )),
            Err(mut e) => {
                e.message = format!(
                    "the profile uses a new client secret, but removing the old verifier {old} failed: {}",
                    e.message
                );
                Rotation::Failed(e.with_hint(format!(
                    "remove it with `agentcred --profile {name} verifiers remove {old}`"
                )))
            }
        }
    }
}
