//! The spare-credential rule, once for every service whose agent may hold several long-lived
//! credentials at a time (API keys, client secrets, agent tokens).
//!
//! A profile uses one of them (its primary kind: `api_key`, `client_secret`, `token`); the
//! others it holds are spares, stored under a kind that names their id at the service and
//! listed in the profile's `extra_secrets` so that `profiles remove` finds them. The steps of a
//! new credential, in this order and no other:
//!
//! 1. [`keep_new`]: the service just showed the new secret once. It is stored first, as a
//!    spare, before anything else can fail (no record parsed, no other secret read); when the
//!    store fails it goes to a rescue file and the command exits 7.
//! 2. [`keep_new`] then records the spare in the profile.
//! 3. With `--use` (and in a rotation), [`switch`]: the credential in use becomes a spare (it
//!    still works at the service until revoked), the new one becomes the primary, the record
//!    names it, and its spare entry goes. When any of that fails, the new secret is still
//!    stored as a spare and the error says where.
//! 4. The rest (a short-lived credential minted from the new one, revoking the old one) is
//!    the caller's.
//!
//! Every change of a profile's credentials runs under the profile's lock, the one its refresh
//! takes ([`Session::lock_for_change`]), taken before the service is asked: two concurrent
//! changes of one profile run one after the other, and the second one decides from what the
//! first one left.

use crate::context::Ctx;
use crate::error::{Error, Result};
use crate::profile::{Config, Profile};
use crate::secret::Secret;
use crate::session::Session;
use crate::store;

/// How a service names its credentials of one kind.
pub struct Kinds {
    /// The kind the profile uses.
    pub primary: &'static str,
    /// The kind a spare with service id `id` is stored under.
    pub spare: fn(id: &str) -> String,
    /// What one is called in messages ("API key", "client secret", "agent token").
    pub noun: &'static str,
}

/// Steps 1 and 2: store a new one-time secret as the spare of `id` (rescued when the store
/// fails), then record it in the profile. Returns the spare's kind.
pub fn keep_new(
    ctx: &Ctx,
    session: &mut Session,
    kinds: &Kinds,
    id: &str,
    secret: &Secret<String>,
) -> Result<String> {
    let kind = (kinds.spare)(id);
    // The profile as it is to be recorded: the rescue file keeps it if the store fails.
    let mut intended = session.profile.clone();
    intended.mark_extra_secret(&kind, true);
    crate::enroll::store_one_time(ctx, session, &intended, &[(kind.as_str(), secret)]).map_err(
        |mut err| {
            err.message = format!("{} {id}: {}", kinds.noun, err.message);
            err
        },
    )?;
    session.profile = Config::update_profile(&ctx.paths, &session.name, |p| {
        p.mark_extra_secret(&kind, true);
        Ok(())
    })
    .map_err(|cause| {
        stored_but(
            &cause,
            kinds,
            id,
            session,
            "recording it in the profile failed",
        )
    })?;
    Ok(kind)
}

/// What [`switch`] did.
pub struct Switched {
    /// The id of the credential the profile used before, if it recorded one.
    pub previous_id: Option<String>,
    /// The spare kind the previous secret is now stored under, if there was one to keep.
    pub kept_previous: Option<String>,
}

/// Step 3: make the new credential `id` (stored by [`keep_new`]) the profile's. The caller
/// holds the profile's lock. `current_id` reads the id of the credential in use from the
/// profile's record; `record` names the new one in it.
///
/// When the secret in use cannot be read or kept as a spare, nothing is switched: dropping it
/// would strand a credential that still works at the service.
pub fn switch(
    ctx: &Ctx,
    session: &mut Session,
    kinds: &Kinds,
    id: &str,
    secret: &Secret<String>,
    current_id: impl FnOnce(&Profile) -> Result<Option<String>>,
    record: impl FnOnce(&mut Profile) -> Result<()>,
) -> Result<Switched> {
    let not_switched =
        |cause: &Error, session: &Session, step: &str| stored_but(cause, kinds, id, session, step);
    let previous_id = current_id(&session.profile)
        .map_err(|e| not_switched(&e, session, "reading the profile's record failed"))?
        .filter(|previous| previous != id);
    let previous = session.secret(kinds.primary).map_err(|e| {
        not_switched(
            &e,
            session,
            &format!("reading the {} in use failed", kinds.noun),
        )
    })?;
    let mut kept_previous = None;
    if let Some(previous) = &previous {
        let kind = (kinds.spare)(previous_id.as_deref().unwrap_or("previous"));
        session.put_secret(&kind, previous).map_err(|e| {
            not_switched(
                &e,
                session,
                &format!("keeping the {} in use as {kind} failed", kinds.noun),
            )
        })?;
        kept_previous = Some(kind);
    }
    session
        .put_secret(kinds.primary, secret)
        .map_err(|e| not_switched(&e, session, "storing it as the one in use failed"))?;
    let new_spare = (kinds.spare)(id);
    let kept = kept_previous.clone();
    let recorded = Config::update_profile(&ctx.paths, &session.name, |p| {
        record(p)?;
        p.mark_extra_secret(&new_spare, false);
        if let Some(kept) = &kept {
            p.mark_extra_secret(kept, true);
        }
        Ok(())
    });
    match recorded {
        Ok(profile) => session.profile = profile,
        Err(cause) => {
            return Err(not_recorded(
                &cause,
                session,
                kinds,
                id,
                kept_previous.as_deref(),
            ));
        }
    }
    // The copy under the spare's name is no longer needed.
    if let Err(e) = session
        .store
        .delete(&store::account(&session.name, &new_spare))
    {
        ctx.printer.warn_coded(
            "spare_copy_not_deleted",
            format!(
                "could not delete the copy of the new {} stored as {new_spare}: {}",
                kinds.noun, e.message
            ),
        );
    }
    Ok(Switched {
        previous_id,
        kept_previous,
    })
}

/// The error of a [`switch`] whose last step failed: the store holds the new credential `id`
/// as the one in use while the record still names the old one, so it says which is which for
/// the user to finish by hand.
fn not_recorded(
    cause: &Error,
    session: &Session,
    kinds: &Kinds,
    id: &str,
    kept_previous: Option<&str>,
) -> Error {
    Error::new(
        cause.kind,
        format!(
            "profile '{}' now holds {} {id} as its {}, but recording that failed: {}",
            session.name, kinds.noun, kinds.primary, cause.message
        ),
    )
    .with_hint(cause.hint.clone().unwrap_or_else(|| {
        format!(
            "fix the config file; the {} in use before is stored as {}",
            kinds.noun,
            kept_previous.unwrap_or("nothing (there was none)")
        )
    }))
}

/// Forget the spare of `id` (after it was revoked at the service): its secret and its entry
/// in the profile. `Ok(true)` when a secret was deleted.
pub fn drop_spare(ctx: &Ctx, session: &mut Session, kinds: &Kinds, id: &str) -> Result<bool> {
    let kind = (kinds.spare)(id);
    let deleted = session
        .store
        .delete(&store::account(&session.name, &kind))?;
    if session.profile.extra_secrets.contains(&kind) {
        session.profile = Config::update_profile(&ctx.paths, &session.name, |p| {
            p.mark_extra_secret(&kind, false);
            Ok(())
        })?;
    }
    Ok(deleted)
}

/// The new secret is safe as a spare, but a later step failed: keep the cause's kind and
/// codes, and say where the secret is.
fn stored_but(cause: &Error, kinds: &Kinds, id: &str, session: &Session, step: &str) -> Error {
    let account = store::account(&session.name, &(kinds.spare)(id));
    let mut err = Error::new(
        cause.kind,
        format!(
            "the new {} {id} is stored as {account} in the {} store, but {step}: {}. Profile '{}' \
             still uses its previous {}",
            kinds.noun,
            session.store.kind(),
            cause.message,
            session.name,
            kinds.noun
        ),
    )
    .with_hint(cause.hint.clone().unwrap_or_else(|| {
        format!(
            "fix the cause, then create another with --use and remove this one at the service; its secret stays stored as {account}"
        )
    }));
    err.provider = Some(session.provider().id().to_owned());
    err.http_status = cause.http_status;
    err.service_code = cause.service_code.clone();
    err
}
