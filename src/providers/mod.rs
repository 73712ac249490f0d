//! One typed client per service, over the shared [`crate::http`] core.
//!
//! A provider module knows its service's paths, bodies, auth schemes and error envelopes,
//! and nothing about profiles, stores or output. The functions here are the few places where
//! the rest of the tool needs to ask "which provider?".

pub mod authpi;
pub mod fluxa;
pub mod fluxra;
pub mod proxy;

use crate::error::{Error, Result};
use crate::profile::Provider;
use crate::secret::Secret;
use crate::session::Session;

/// Ask the service for a new short-lived credential from the profile's long-lived secret.
pub fn mint_short_lived(session: &Session) -> Result<Secret<String>> {
    match session.provider() {
        Provider::Fluxa => fluxa::mint_jwt(session),
        Provider::Fluxra => fluxra::mint_jwt(session),
        Provider::Authpi => authpi::mint_access_token(session),
        other => Err(not_yet(other)),
    }
}

/// A capability of the CLI that this build does not have for `provider` yet.
pub fn not_yet(provider: Provider) -> Error {
    Error::internal(format!(
        "{} support is not available in this build of agentcred yet",
        provider.display_name()
    ))
    .with_provider(provider.id())
}
