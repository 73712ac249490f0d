//! Fluxra in an incident: a run-scoped API key, revoking spare keys, rotating a leaked key.
//!
//! - A run key is created with the recovery key, named as the run is, with the scopes of the
//!   key the profile uses, and revoked with the recovery key; a key already gone is revoked.
//! - A leaked API key (or a JWT exchanged from it: Fluxra refuses JWTs of a revoked key) is
//!   replaced by `keys rotate`; a leaked spare key is revoked (`keys revoke`). The recovery key
//!   cannot be replaced through Fluxra's API.

use super::client::{self as fluxra, KeySpec};
use super::keys::{KeyRevoke, KeysAction};
use crate::context::Ctx;
use crate::error::{ErrorKind, Result};
use crate::service::{Incident, Rotation, RunCredential};
use crate::session::Session;

pub struct FluxraIncident;

/// A `keys` operation run for the incident: the caller reports what it did, so the
/// operation's own view is not shown.
fn keys(ctx: &Ctx, action: KeysAction) -> Result<()> {
    super::keys::run(ctx, action).map(drop)
}

impl Incident for FluxraIncident {
    fn mint_run(&self, _ctx: &Ctx, session: &Session, name: &str) -> Result<Option<RunCredential>> {
        let recovery_key = super::require_recovery_key(session, "create a key for this run")?;
        let base = session.endpoint("api");
        let agent_id = &session.profile.agent_id;
        let keys =
            fluxra::list_keys_with_recovery_key(session.http, base, agent_id, &recovery_key)?;
        let in_use = super::key_in_use(&session.profile);
        let scopes = keys
            .iter()
            .find(|k| Some(&k.key_id) == in_use.as_ref())
            .map(|k| k.scopes.clone())
            .unwrap_or_default();
        let spec = KeySpec {
            name,
            scopes: &scopes,
            // Revoked at the run's end; a day bounds a revocation that never comes.
            expires_in_days: Some(1),
        };
        let key = fluxra::create_key(session.http, base, agent_id, &recovery_key, &spec)?;
        Ok(Some(RunCredential {
            id: key.info.key_id,
            kind: "api_key",
            value: key.api_key,
        }))
    }

    fn revoke_run(&self, _ctx: &Ctx, session: &Session, id: &str) -> Result<()> {
        let recovery_key = super::require_recovery_key(session, "revoke this run's key")?;
        match fluxra::revoke_key(
            session.http,
            session.endpoint("api"),
            &session.profile.agent_id,
            &recovery_key,
            id,
        ) {
            Err(e) if e.kind == ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn revoke_spares(&self, ctx: &Ctx, name: &str) -> Vec<(String, Result<()>)> {
        let Ok((_, profile)) = ctx.for_profile(name).and_then(|c| c.selected_profile()) else {
            return Vec::new();
        };
        profile
            .extra_secrets
            .iter()
            .filter_map(|kind| kind.strip_prefix("api_key:"))
            .map(|id| {
                let outcome = ctx.quietly_for(name, |sub| {
                    keys(
                        sub,
                        KeysAction::Revoke(KeyRevoke {
                            key_id: id.to_owned(),
                            force: false,
                        }),
                    )
                });
                (format!("API key {id}"), outcome)
            })
            .collect()
    }

    fn rotate(&self, ctx: &Ctx, name: &str, kind: &str) -> Rotation {
        if kind == "recovery_key" {
            return Rotation::Cannot(
                "Fluxra has no way to replace a recovery key: register a new agent \
                 (`agentcred register fluxra`), move the work to it, and stop using this one"
                    .into(),
            );
        }
        if let Some(id) = kind.strip_prefix("api_key:") {
            return match ctx.quietly_for(name, |sub| {
                keys(
                    sub,
                    KeysAction::Revoke(KeyRevoke {
                        key_id: id.to_owned(),
                        force: false,
                    }),
                )
            }) {
                Ok(()) => Rotation::Rotated(format!("revoked the spare API key {id}")),
                Err(e) => Rotation::Failed(e),
            };
        }
        match ctx.quietly_for(name, |sub| keys(sub, KeysAction::Rotate)) {
            Ok(()) => Rotation::Rotated(
                "rotated the API key (new key in use, old key and its JWTs revoked)".into(),
            ),
            Err(e) => Rotation::Failed(e),
        }
    }
}
