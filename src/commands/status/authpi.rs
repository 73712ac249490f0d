//! `status` for a Authpi profile.

use crate::cli::StatusArgs;
use crate::commands::Ctx;
use crate::error::Result;
use crate::profile::Provider;
use crate::providers;
use crate::session::Session;

pub(super) fn status(_ctx: &Ctx, _session: &Session, _args: &StatusArgs) -> Result<()> {
    Err(providers::not_yet(Provider::Authpi))
}
